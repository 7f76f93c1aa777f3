package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// IsDuplicateKey reports whether err is a unique-index violation.
//
// MongoDB and FerretDB inserts report E11000 (mongo.IsDuplicateKeyError).
// FerretDB v1 reports a violation caused by an update as an InternalError
// carrying the backend's message (SQLite "UNIQUE constraint failed",
// PostgreSQL SQLSTATE 23505), so those messages count too.
func IsDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	msg := se.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") ||
		strings.Contains(msg, "SQLSTATE 23505") ||
		strings.Contains(msg, "duplicate key value violates unique constraint")
}

// IsUnavailable reports whether err means the store could not be reached in
// time: a deadline, a server selection timeout, a network error or a
// disconnected client.
func IsUnavailable(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) ||
		mongo.IsTimeout(err) ||
		mongo.IsNetworkError(err) ||
		errors.Is(err, mongo.ErrClientDisconnected)
}

// Translate turns a driver error into an apperr kind, prefixed with what
// (for example "find order o-1") and keeping the cause for logs:
// mongo.ErrNoDocuments becomes apperr.ErrNotFound, a duplicate key
// apperr.ErrConflict, an unreachable store apperr.ErrUnavailable. Other
// errors are only wrapped. Translate(nil, ...) is nil.
func Translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w: %w", what, apperr.ErrNotFound, err)
	case IsDuplicateKey(err):
		return fmt.Errorf("%s: %w: %w", what, apperr.ErrConflict, err)
	case IsUnavailable(err):
		return fmt.Errorf("%s: %w: %w", what, apperr.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
