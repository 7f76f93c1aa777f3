package stripeemu

import (
	"errors"
	"fmt"
)

// ErrNotFound is returned for an unknown object id.
var ErrNotFound = errors.New("stripe emulator: no such object")

// ErrUnexpectedState is returned when an object is not in a state that
// allows the operation.
var ErrUnexpectedState = errors.New("stripe emulator: unexpected state")

func errNotFound(id string) error { return fmt.Errorf("%w: %s", ErrNotFound, id) }

func errState(status string) error { return fmt.Errorf("%w: status %s", ErrUnexpectedState, status) }
