package usecase

import (
	"context"
	"errors"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// Users reads shoppers' address books; *usersclient.Client is the real one.
type Users interface {
	// DefaultAddress reads userID's default address with that user's own
	// access token; a user with none is apperr.ErrNotFound, an
	// unavailable users service an *apperr.RetryableError.
	DefaultAddress(ctx context.Context, userID, token string) (domain.Address, error)
}

// Shopper is who checks out: the user id of the verified access token,
// and the token itself, which orders forwards to users to read the
// shopper's default address.
type Shopper struct {
	ID    string
	Token string
}

// fromAddressBook reports whether a checkout request takes its shipping
// address from the shopper's address book: it was sent without one (or
// with every field empty) and a users service is configured.
func (s *Service) fromAddressBook(req domain.CheckoutRequest) bool {
	return s.users != nil && req.ShippingAddress.IsEmpty()
}

// withDefaultAddress fills a request sent without a shipping address with
// the shopper's default one, read from users, and validates it as if it
// had been sent; the request's fingerprint stays that of the body as sent.
// No default saved is a validation error naming shipping_address; users
// unavailable (or its breaker open) is its RetryableError (503).
func (s *Service) withDefaultAddress(ctx context.Context, shopper Shopper, req domain.CheckoutRequest) (domain.CheckoutRequest, error) {
	a, err := s.users.DefaultAddress(ctx, shopper.ID, shopper.Token)
	if errors.Is(err, apperr.ErrNotFound) {
		return domain.CheckoutRequest{}, domain.NoDefaultAddress()
	}
	if err != nil {
		return domain.CheckoutRequest{}, err
	}
	req = req.WithDefaultAddress(a)
	if err := req.Validate(); err != nil {
		return domain.CheckoutRequest{}, err
	}
	return req, nil
}
