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

type addressResponse struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

func newUserResponse(u domain.User) userResponse {
	addresses := make([]addressResponse, len(u.Addresses))
	for i, a := range u.Addresses {
		addresses[i] = addressResponse(a)
	}
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
