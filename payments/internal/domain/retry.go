package domain

import "time"

// RetryPolicy spaces the retries of calls Stripe did not answer: Min after
// the first failure, doubling up to Max.
type RetryPolicy struct {
	Min time.Duration
	Max time.Duration
}

// Backoff is the pause after the n-th failure in a row (n from 1).
func (rp RetryPolicy) Backoff(n int) time.Duration {
	d := rp.Min
	for i := 1; i < n && d < rp.Max; i++ {
		d *= 2
	}
	return min(d, rp.Max)
}

// ScheduleRetry records a failed call (Stripe unavailable) and returns when
// to call again. The charge of a processing payment is retried only until
// the order's deadline: past it, the payment gives up (ok false) and stays
// processing, never reported as a decline; a late webhook can still settle
// it. Refunds have no deadline.
func (p *Payment) ScheduleRetry(cause string, policy RetryPolicy, now time.Time) (next time.Time, ok bool) {
	p.Retry.Count++
	p.Retry.LastError = cause
	p.UpdatedAt = now
	next = now.Add(policy.Backoff(p.Retry.Count))
	if p.Status == StatusProcessing && !p.Deadline.IsZero() {
		if !now.Before(p.Deadline) {
			p.Retry.GaveUpAt, p.Retry.NextAt = now, time.Time{}
			return time.Time{}, false
		}
		next = minTime(next, p.Deadline)
	}
	p.Retry.NextAt = next
	return next, true
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// GiveUp stops retrying the charge (its deadline passed before a call).
func (p *Payment) GiveUp(now time.Time) bool {
	if p.Status != StatusProcessing || !p.Retry.GaveUpAt.IsZero() {
		return false
	}
	p.Retry.GaveUpAt = now
	p.Retry.NextAt = time.Time{}
	p.UpdatedAt = now
	return true
}
