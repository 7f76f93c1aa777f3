package usecase

import (
	"context"
	"fmt"

	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

// registered is the outbox entry of u's user.registered event: who the
// account is (id, email, name, roles, merchant and store), nothing secret.
func registered(ctx context.Context, u domain.User) ([]outbox.Entry, error) {
	e, err := outbox.NewEvent(ctx, events.TopicUsers, events.SourceUsers, events.TypeUserRegistered, u.ID, events.UserRegistered{
		UserID:     u.ID,
		Email:      u.Email,
		Name:       u.Name,
		Roles:      u.RoleNames(),
		MerchantID: u.MerchantID,
		StoreName:  u.StoreName,
	})
	if err != nil {
		return nil, fmt.Errorf("user.registered of %s: %w", u.ID, err)
	}
	return []outbox.Entry{e}, nil
}

// insertUser stores u with its user.registered event.
func (s *Service) insertUser(ctx context.Context, u domain.User) error {
	entries, err := registered(ctx, u)
	if err != nil {
		return err
	}
	return s.store.InsertUser(ctx, u, entries)
}
