// Package retry runs conditional updates: read a record, decide the change,
// write it guarded by what was read, and start again when a concurrent
// writer won, a bounded number of times. It knows no database; the caller
// says which error means "the record changed under me".
package retry

import "errors"

// ErrExhausted is returned (joined with the last conflict) when every
// attempt lost to a concurrent writer.
var ErrExhausted = errors.New("retry: conditional update kept conflicting")

// Conditional calls attempt until it returns an error for which conflict
// is false (nil included), at most attempts times, and returns that
// attempt's result. Each call must read the record afresh, so its decision
// always sees the latest state. When all attempts conflict it returns the
// zero T and ErrExhausted joined with the last conflict.
func Conditional[T any](attempts int, conflict func(error) bool, attempt func() (T, error)) (T, error) {
	var last error
	for range max(attempts, 1) {
		v, err := attempt()
		if err == nil || !conflict(err) {
			return v, err
		}
		last = err
	}
	var zero T
	return zero, errors.Join(ErrExhausted, last)
}
