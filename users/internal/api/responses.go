package api

import (
	"time"

	"github.com/mercato-shop/mercato/users/internal/domain"
)

// tokenResponse is the answer of register, login and refresh.
type tokenResponse struct {
	User        userResponse `json:"user"`
	AccessToken string       `json:"access_token"`
	TokenType   string       `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// userResponse is a user as clients see it: no password hash.
type userResponse struct {
	ID         string            `json:"id"`
	Email      string            `json:"email"`
	Name       string            `json:"name"`
	Roles      []string          `json:"roles"`
	MerchantID string            `json:"merchant_id,omitempty"`
	StoreName  string            `json:"store_name,omitempty"`
	Addresses  []addressResponse `json:"addresses"`
	CreatedAt  time.Time         `json:"created_at"`
}

// addressResponse is a saved address: an order's shipping address
// (platform/events.Address) with its id and default flag.
type addressResponse struct {
	ID         string `json:"id"`
	Default    bool   `json:"default"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

func newUserResponse(u domain.User) userResponse {
	addresses := newAddressResponses(u.Addresses)
	return userResponse{
		ID:         u.ID,
		Email:      u.Email,
		Name:       u.Name,
		Roles:      u.RoleNames(),
		MerchantID: u.MerchantID,
		StoreName:  u.StoreName,
		Addresses:  addresses,
		CreatedAt:  u.CreatedAt.UTC().Truncate(time.Millisecond), // as stored (BSON dates hold milliseconds)
	}
}
