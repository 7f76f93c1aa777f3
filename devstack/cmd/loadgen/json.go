package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// figuresJSON are a run's headline figures, for tables that compare runs
// (-json); durations are in milliseconds.
type figuresJSON struct {
	Mode               string                 `json:"mode"`
	Concurrency        int                    `json:"concurrency"`
	DurationS          float64                `json:"duration_s"`
	Preload            int                    `json:"preload_orders"`
	Accepted           int                    `json:"accepted"`
	Paid               int                    `json:"paid"`
	PaidPerSecond      float64                `json:"paid_per_s"`
	AcceptedPerSecond  float64                `json:"accepted_per_s"`
	OverallPerSecond   float64                `json:"paid_per_s_until_last"`
	PlacedToPaid       latencyJSON            `json:"placed_to_paid_ms"`
	Steps              map[string]latencyJSON `json:"steps_ms"`
	BacklogAtStop      int                    `json:"backlog_at_stop"`
	Drained            bool                   `json:"drained"`
	DrainMS            float64                `json:"drain_ms"`
	FailedCalls        int                    `json:"failed_calls"`
	KafkaPerPaid       float64                `json:"kafka_messages_per_paid"`
	StorePerPaid       float64                `json:"store_commands_per_paid"`
	StoreWritesPerPaid float64                `json:"store_writes_per_paid"`
	StatusReadsPerPaid float64                `json:"status_reads_per_paid"`
	Restarts           map[string]float64     `json:"restart_ready_ms,omitempty"`
	Interrupted        bool                   `json:"interrupted,omitempty"`
}

// latencyJSON is one distribution in milliseconds.
type latencyJSON struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func toLatencyJSON(q quantiles) latencyJSON {
	return latencyJSON{N: q.n, P50: msFloat(q.p50), P90: msFloat(q.p90), P99: msFloat(q.p99), Max: msFloat(q.max)}
}

// figures condenses s for -json.
func (s summary) figures() figuresJSON {
	f := figuresJSON{Mode: s.info.cfg.mode, Concurrency: s.info.cfg.concurrency, DurationS: s.info.cfg.duration.Seconds(),
		Accepted: s.accepted, Paid: s.paid, PaidPerSecond: s.paidPerSecond, AcceptedPerSecond: s.acceptedPerSecond,
		OverallPerSecond: s.overallPerSecond, PlacedToPaid: toLatencyJSON(s.settle), Steps: map[string]latencyJSON{},
		BacklogAtStop: s.backlogAtStop, Drained: s.drained, DrainMS: msFloat(s.drain), FailedCalls: s.errCount,
		KafkaPerPaid: s.perPaid(s.kafkaTotal), StatusReadsPerPaid: s.perPaid(int64(s.statusPolls())), Interrupted: s.interrupted}
	if p := s.info.preload; p != nil {
		f.Preload = p.Orders
	}
	for step, q := range s.steps {
		f.Steps[step] = toLatencyJSON(q)
	}
	if s.commands != nil {
		writes, all := s.commands.split()
		f.StorePerPaid, f.StoreWritesPerPaid = s.perPaid(all), s.perPaid(writes)
	}
	for _, r := range s.info.restarts {
		if f.Restarts == nil {
			f.Restarts = map[string]float64{}
		}
		f.Restarts[r.service] = float64(r.ready) / float64(time.Millisecond)
	}
	return f
}

// writeJSONFile writes the figures of s to path.
func writeJSONFile(path string, s summary) error {
	b, err := json.MarshalIndent(s.figures(), "", "  ")
	if err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil { //nolint:gosec // a report, not a secret
		return fmt.Errorf("json: %w", err)
	}
	return nil
}
