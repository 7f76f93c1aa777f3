package retry_test

import (
	"errors"
	"testing"

	"github.com/mercato-shop/mercato/platform/retry"
)

var errStale = errors.New("stale")

func isStale(err error) bool { return errors.Is(err, errStale) }

func TestConditionalRetriesConflictsThenSucceeds(t *testing.T) {
	calls := 0
	v, err := retry.Conditional(5, isStale, func() (int, error) {
		calls++
		if calls < 3 {
			return 0, errStale
		}
		return calls, nil
	})
	if err != nil || v != 3 || calls != 3 {
		t.Fatalf("got %d, %v after %d calls; want 3, nil after 3", v, err, calls)
	}
}

func TestConditionalStopsOnOtherErrors(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	_, err := retry.Conditional(5, isStale, func() (int, error) { calls++; return 7, boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("got %v after %d calls; want boom after 1", err, calls)
	}
}

func TestConditionalIsBounded(t *testing.T) {
	calls := 0
	v, err := retry.Conditional(4, isStale, func() (int, error) { calls++; return 9, errStale })
	if calls != 4 {
		t.Fatalf("%d calls, want 4", calls)
	}
	if v != 0 || !errors.Is(err, retry.ErrExhausted) || !errors.Is(err, errStale) {
		t.Fatalf("got %d, %v; want 0 and ErrExhausted joined with the conflict", v, err)
	}
}
