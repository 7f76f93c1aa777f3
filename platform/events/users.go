package events

// Money is an amount in integer minor units (cents) and an ISO 4217 currency
// code such as "EUR". Never a float.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// UserRegistered is the data of TypeUserRegistered.
type UserRegistered struct {
	UserID string   `json:"user_id"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	// MerchantID is set when the user registered as a merchant.
	MerchantID string `json:"merchant_id,omitempty"`
}
