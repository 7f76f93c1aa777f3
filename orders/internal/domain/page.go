package domain

import "time"

// Page selects a page of a list of orders, newest first.
type Page struct {
	// Limit is the page size.
	Limit int
	// After is the position of the last order of the previous page; nil
	// for the first page.
	After *Position
}

// Position is an order's place in a newest-first list.
type Position struct {
	CreatedAt time.Time
	ID        string
}
