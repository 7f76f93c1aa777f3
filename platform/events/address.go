package events

// Address is a postal address carried by order events (OrderPaid's
// shipping address), so consumers such as notifications need not ask the
// orders service for it.
type Address struct {
	Name       string `json:"name,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}
