package events

// UserRegistered is the data of TypeUserRegistered.
type UserRegistered struct {
	UserID string   `json:"user_id"`
	Email  string   `json:"email"`
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	// MerchantID is set when the user registered as a merchant.
	MerchantID string `json:"merchant_id,omitempty"`
	// StoreName is a merchant's public store name (optional: producers
	// before it was added leave it empty).
	StoreName string `json:"store_name,omitempty"`
}
