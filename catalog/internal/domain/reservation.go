package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// MaxLinesPerOrder bounds the distinct products one order may reserve.
const MaxLinesPerOrder = 100

// MaxLineQuantity bounds one line's quantity.
const MaxLineQuantity = 1_000_000

// ReservationState is where an order's reservation stands. Its transitions:
//
//	reserved -> committing -> committed -> returning -> returned
//	reserved -> releasing -> released
//	(none) -> rejected, (none) -> reserved, (none) -> released (cancelled first)
//
// The -ing states are claimed before the products are touched, so a crash
// half-way is resumed by the redelivered event (or by the expiry sweeper).
type ReservationState string

// Reservation states.
const (
	StateReserved   ReservationState = "reserved"
	StateRejected   ReservationState = "rejected"
	StateCommitting ReservationState = "committing"
	StateCommitted  ReservationState = "committed"
	StateReleasing  ReservationState = "releasing"
	StateReleased   ReservationState = "released"
	StateReturning  ReservationState = "returning"
	StateReturned   ReservationState = "returned"
)

// Line is a quantity of one product.
type Line struct {
	ProductID string
	Quantity  int64
}

// RejectedLine is a line that could not be held and the units that were
// available for it.
type RejectedLine struct {
	ProductID string
	Requested int64
	Available int64
}

// Reservation is the catalog's record of one order's stock: its outcome and
// where it stands since.
type Reservation struct {
	OrderID  string
	State    ReservationState
	Lines    []Line
	Rejected []RejectedLine
	// ReleaseReason is set when releasing: expired or cancelled.
	ReleaseReason string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Finished reports whether the reservation has reached a state that no
// event changes any more.
func (s ReservationState) Finished() bool {
	return s == StateRejected || s == StateReleased || s == StateReturned
}

// CancelAction is what an order's cancellation does to its stock.
type CancelAction int

// Cancel actions.
const (
	// CancelNothing: nothing is held or sold for the order any more.
	CancelNothing CancelAction = iota
	// CancelRelease: the held units become available again.
	CancelRelease
	// CancelReturn: the sold units become available again (a refund).
	CancelReturn
)

// OnCancel tells what cancelling an order in state s does. The releasing
// and returning states resume their unfinished work.
func (s ReservationState) OnCancel() CancelAction {
	switch s {
	case StateReserved, StateReleasing:
		return CancelRelease
	case StateCommitted, StateReturning:
		return CancelReturn
	default:
		return CancelNothing
	}
}

// MergeLines validates an order's lines and merges lines of the same
// product, sorted by product id (so every run touches products in the same
// order). Problems are an *apperr.ValidationError.
func MergeLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, apperr.Validation(apperr.FieldError{Field: "lines", Message: "an order needs at least one line"})
	}
	byID := map[string]int64{}
	for i, l := range lines {
		if strings.TrimSpace(l.ProductID) == "" {
			return nil, apperr.Validation(apperr.FieldError{Field: fmt.Sprintf("lines.%d.product_id", i), Message: "is required"})
		}
		if l.Quantity <= 0 || l.Quantity > MaxLineQuantity {
			return nil, apperr.Validation(apperr.FieldError{Field: fmt.Sprintf("lines.%d.quantity", i), Message: "must be between 1 and 1000000"})
		}
		byID[l.ProductID] += l.Quantity
		if byID[l.ProductID] > MaxLineQuantity {
			return nil, apperr.Validation(apperr.FieldError{Field: fmt.Sprintf("lines.%d.quantity", i), Message: "must be between 1 and 1000000"})
		}
	}
	if len(byID) > MaxLinesPerOrder {
		return nil, apperr.Validation(apperr.FieldError{Field: "lines", Message: "at most 100 products per order"})
	}
	merged := make([]Line, 0, len(byID))
	for id, q := range byID {
		merged = append(merged, Line{ProductID: id, Quantity: q})
	}
	slices.SortFunc(merged, func(a, b Line) int { return strings.Compare(a.ProductID, b.ProductID) })
	return merged, nil
}

// ValidOrderID reports whether id can key an order's holds: 1-100
// characters of letters, digits, '-' and '_' (no '.' or '$', which would
// change the meaning of a field path).
func ValidOrderID(id string) bool {
	if len(id) == 0 || len(id) > 100 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
