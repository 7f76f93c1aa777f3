package events

// Money is an amount in integer minor units (cents) and an ISO 4217 currency
// code such as "EUR". Never a float.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}
