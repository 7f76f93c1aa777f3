package stripeemu

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults are the switches that make the emulator misbehave on purpose.
// They apply to API calls (/v1/...), never to /_emulator/.
type Faults struct {
	// LatencyMS delays every API call by that many milliseconds.
	LatencyMS int `json:"latency_ms"`
	// ErrorRate answers this fraction (0..1) of API calls with ErrorStatus.
	ErrorRate float64 `json:"error_rate"`
	// FailNext answers the next N API calls with ErrorStatus.
	FailNext int `json:"fail_next"`
	// ErrorStatus of injected errors (default 500).
	ErrorStatus int `json:"error_status"`
	// AnswerDelayMS holds every answer that long after the call was
	// processed, so its webhooks arrive before the synchronous answer.
	AnswerDelayMS int `json:"answer_delay_ms"`
	// WebhookDelayMS holds every new event that long before its first
	// delivery, so webhooks arrive after the synchronous answers.
	WebhookDelayMS int `json:"webhook_delay_ms"`
	// DuplicateWebhooks delivers every new event twice.
	DuplicateWebhooks bool `json:"duplicate_webhooks"`
	// ReorderWindowMS holds every new event (and, with duplicates, the
	// second copy again) a random 0..N ms more, so that events emitted
	// in one order arrive in another: a later event of a PaymentIntent
	// may overtake an earlier one, a duplicate may come after both.
	ReorderWindowMS int `json:"reorder_window_ms"`
}

// faultSwitch holds the current Faults.
type faultSwitch struct {
	mu sync.Mutex
	f  Faults
	// injected counts API calls answered with an injected error.
	injected int
}

// SetFaults replaces the fault switches; the zero Faults turns them off.
func (e *Emulator) SetFaults(f Faults) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.f = f
}

// Faults returns the current fault switches (FailNext counts down).
func (e *Emulator) Faults() Faults {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	return e.faults.f
}

// InjectedErrors counts the API calls answered with an injected error.
func (e *Emulator) InjectedErrors() int {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	return e.faults.injected
}

// before applies latency, then decides whether this call fails; it returns
// the status to answer with when it does.
func (s *faultSwitch) before(ctx context.Context) (int, bool) {
	s.mu.Lock()
	latency := time.Duration(s.f.LatencyMS) * time.Millisecond
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := false
	switch {
	case s.f.FailNext > 0:
		s.f.FailNext--
		fail = true
	case s.f.ErrorRate > 0 && rand.Float64() < s.f.ErrorRate: //nolint:gosec // G404: fault injection, not security
		fail = true
	}
	if !fail {
		return 0, false
	}
	s.injected++
	status := s.f.ErrorStatus
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return status, true
}

// webhookFaults are the delivery switches for a new event: how many
// copies, the wait before the first and the wait before each further one.
func (s *faultSwitch) webhookFaults() (copies int, delay, gap time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	copies = 1
	if s.f.DuplicateWebhooks {
		copies = 2
	}
	delay = time.Duration(s.f.WebhookDelayMS) * time.Millisecond
	if w := s.f.ReorderWindowMS; w > 0 {
		delay += time.Duration(rand.IntN(w)) * time.Millisecond //nolint:gosec // G404: fault injection, not security
		gap = time.Duration(rand.IntN(w)) * time.Millisecond    //nolint:gosec // G404: fault injection, not security
	}
	return copies, delay, gap
}

func (s *faultSwitch) answerDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.f.AnswerDelayMS) * time.Millisecond
}
