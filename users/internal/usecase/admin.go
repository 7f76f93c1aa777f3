package usecase

import (
	"context"
	"errors"
	"fmt"

	"github.com/mercato-shop/mercato/users/internal/domain"
)

// EnsureAdmin makes sure the administrator named in the configuration
// exists with the configured password; it is the only way to get the admin
// role. It is idempotent (a restart with the same settings writes nothing)
// and safe when replicas start at once. An email that belongs to a
// non-admin account is refused: promoting it would hand admin rights to
// whoever registered it (and holds its sessions).
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) error {
	email, err := domain.NormalizeEmail(email)
	if err != nil {
		return fmt.Errorf("ADMIN_EMAIL: %w", err)
	}
	if err := domain.ValidatePassword(password); err != nil {
		return fmt.Errorf("ADMIN_PASSWORD: %w", err)
	}
	user, err := s.store.FindUserByEmail(ctx, email)
	if errors.Is(err, ErrUserNotFound) {
		hash, hashErr := s.hasher.Hash(ctx, password)
		if hashErr != nil {
			return fmt.Errorf("admin account: %w", hashErr)
		}
		admin := domain.NewAdmin(email, hash, s.opts.Now())
		err = s.insertUser(ctx, admin)
		if err == nil {
			s.opts.Logger.InfoContext(ctx, "admin account created", "user_id", admin.ID)
			return nil
		}
		if !errors.Is(err, ErrEmailTaken) {
			return fmt.Errorf("admin account: %w", err)
		}
		// Another replica created it at the same moment: check that one.
		user, err = s.store.FindUserByEmail(ctx, email)
	}
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	if !user.HasRole(domain.RoleAdmin) {
		return fmt.Errorf("admin account: ADMIN_EMAIL belongs to an existing non-admin account (user %s); refusing to promote it", user.ID)
	}
	ok, err := s.hasher.Verify(ctx, password, user.PasswordHash)
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	if ok {
		return nil
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	if err := s.store.SetPasswordHash(ctx, user.ID, hash, s.opts.Now()); err != nil {
		return fmt.Errorf("admin account: %w", err)
	}
	s.opts.Logger.InfoContext(ctx, "admin password updated from configuration", "user_id", user.ID)
	return nil
}
