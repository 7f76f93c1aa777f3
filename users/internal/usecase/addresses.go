package usecase

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/retry"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

// maxAddressAttempts bounds the reload-and-retry loop of an address book
// change that lost a race to another replica (changes in one process are
// serialised per user, see bookLocks).
const maxAddressAttempts = 8

// bookLocks serialise the address book changes of one user within one
// Service, so concurrent requests of one user queue instead of spending
// their attempts on each other. Correctness does not rest on them: the
// version guard of the write does that, across replicas too.
type bookLocks [64]sync.Mutex

func (l *bookLocks) lock(userID string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(userID))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// Addresses returns the saved addresses of userID, oldest first.
func (s *Service) Addresses(ctx context.Context, userID string) ([]domain.Address, error) {
	u, err := s.store.FindUserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return u.Addresses, nil
}

// DefaultAddress returns the default address of userID; a user without
// addresses is domain.ErrAddressNotFound.
func (s *Service) DefaultAddress(ctx context.Context, userID string) (domain.Address, error) {
	u, err := s.store.FindUserByID(ctx, userID)
	if err != nil {
		return domain.Address{}, err
	}
	a, ok := domain.AddressBook(u.Addresses).Default()
	if !ok {
		return domain.Address{}, fmt.Errorf("%w: no default address", apperr.ErrNotFound)
	}
	return a, nil
}

// AddAddress validates in and saves it as a new address of userID (the
// first one becomes the default). A full book is domain.ErrAddressBookFull.
func (s *Service) AddAddress(ctx context.Context, userID string, in domain.AddressInput) (domain.Address, error) {
	a, err := domain.ValidateAddress(in)
	if err != nil {
		return domain.Address{}, err
	}
	id := uuid.NewString()
	return s.changeAddresses(ctx, userID, func(b domain.AddressBook) (domain.AddressBook, domain.Address, error) {
		return b.Add(id, a)
	})
}

// ReplaceAddress validates in and replaces the fields of address id of
// userID, keeping its default flag.
func (s *Service) ReplaceAddress(ctx context.Context, userID, id string, in domain.AddressInput) (domain.Address, error) {
	a, err := domain.ValidateAddress(in)
	if err != nil {
		return domain.Address{}, err
	}
	return s.changeAddresses(ctx, userID, func(b domain.AddressBook) (domain.AddressBook, domain.Address, error) {
		return b.Replace(id, a)
	})
}

// RemoveAddress deletes address id of userID; when it was the default, the
// oldest remaining address becomes the default.
func (s *Service) RemoveAddress(ctx context.Context, userID, id string) error {
	_, err := s.changeAddresses(ctx, userID, func(b domain.AddressBook) (domain.AddressBook, domain.Address, error) {
		next, err := b.Remove(id)
		return next, domain.Address{}, err
	})
	return err
}

// MakeDefaultAddress makes address id the default of userID.
func (s *Service) MakeDefaultAddress(ctx context.Context, userID, id string) (domain.Address, error) {
	return s.changeAddresses(ctx, userID, func(b domain.AddressBook) (domain.AddressBook, domain.Address, error) {
		return b.MakeDefault(id)
	})
}

// changeAddresses reads the address book of userID, applies change and
// saves the result guarded by the version it read, reading again and
// reapplying when a concurrent change (of another replica) won. So two
// concurrent saves can neither exceed the limit nor leave two defaults:
// each is decided on the book the other left.
func (s *Service) changeAddresses(ctx context.Context, userID string,
	change func(domain.AddressBook) (domain.AddressBook, domain.Address, error)) (domain.Address, error) {
	defer s.books.lock(userID)()
	isChanged := func(err error) bool { return errors.Is(err, ErrAddressesChanged) }
	a, err := retry.Conditional(maxAddressAttempts, isChanged, func() (domain.Address, error) {
		u, err := s.store.FindUserByID(ctx, userID)
		if err != nil {
			return domain.Address{}, err
		}
		next, a, err := change(u.Addresses)
		if err != nil {
			return domain.Address{}, err
		}
		if err := s.store.SaveAddresses(ctx, userID, next, u.AddressesVersion, s.opts.Now()); err != nil {
			return domain.Address{}, err
		}
		return a, nil
	})
	if errors.Is(err, retry.ErrExhausted) {
		return domain.Address{}, fmt.Errorf("%w: address book busy, try again", apperr.ErrConflict)
	}
	return a, err
}
