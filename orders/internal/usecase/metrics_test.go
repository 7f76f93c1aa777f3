package usecase

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/mercato-shop/mercato/orders/internal/domain"
)

func TestObserveChangeCountsTransitionsTimeInStateAndCancelReasons(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if err := RegisterMetrics(reg); err != nil {
		t.Fatalf("registering twice: %v", err)
	}
	paid := testutil.ToFloat64(orderTransitions.WithLabelValues("awaiting_payment", "paid"))
	declined := testutil.ToFloat64(ordersCancelled.WithLabelValues(domain.ReasonPaymentDeclined))
	count0, sum0 := stateDuration(t, reg, "awaiting_payment")

	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	waiting := domain.Order{Status: domain.StatusAwaitingPayment, CreatedAt: now.Add(-time.Minute), UpdatedAt: now.Add(-30 * time.Second)}
	paidOrder := waiting
	paidOrder.Status = domain.StatusPaid
	observeChange(waiting, paidOrder, now)
	cancelled := waiting
	cancelled.Status, cancelled.CancelReason = domain.StatusCancelled, domain.ReasonPaymentDeclined
	observeChange(waiting, cancelled, now)
	observeChange(paidOrder, paidOrder, now) // no status change: not counted

	if got := testutil.ToFloat64(orderTransitions.WithLabelValues("awaiting_payment", "paid")) - paid; got != 1 {
		t.Errorf("awaiting_payment -> paid counted %v times, want 1", got)
	}
	if got := testutil.ToFloat64(ordersCancelled.WithLabelValues(domain.ReasonPaymentDeclined)) - declined; got != 1 {
		t.Errorf("payment_declined cancellations +%v, want 1", got)
	}
	if count, sum := stateDuration(t, reg, "awaiting_payment"); count-count0 != 2 || sum-sum0 != 60 {
		t.Errorf("time in awaiting_payment: +%d observations summing +%v s, want 2 of 30 s (since the last change)", count-count0, sum-sum0)
	}
	if problems, err := testutil.CollectAndLint(orderTransitions); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestObserveSweepRecordsResultsAndTheLastSuccess(t *testing.T) {
	ok := testutil.ToFloat64(deadlineSweeps.WithLabelValues("ok"))
	failed := testutil.ToFloat64(deadlineSweeps.WithLabelValues("error"))
	now := time.Unix(1_800_000_000, 0)
	observeSweep(3, nil, now)
	observeSweep(0, errTest, now.Add(time.Minute))
	if testutil.ToFloat64(deadlineSweeps.WithLabelValues("ok"))-ok != 1 || testutil.ToFloat64(deadlineSweeps.WithLabelValues("error"))-failed != 1 {
		t.Error("sweep results not counted")
	}
	if got := testutil.ToFloat64(deadlineSweepLastSuccess); got != float64(now.Unix()) {
		t.Errorf("last success %v, want the successful sweep's %d (a failed sweep keeps it)", got, now.Unix())
	}
}

// stateDuration is the sample count and sum of the time-in-state histogram
// of state.
func stateDuration(t *testing.T, reg *prometheus.Registry, state string) (uint64, float64) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "mercato_orders_state_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == state {
				return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
			}
		}
	}
	return 0, 0
}

var errTest = testError("store down")

type testError string

func (e testError) Error() string { return string(e) }
