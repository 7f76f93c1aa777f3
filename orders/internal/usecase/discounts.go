package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// maxCodeAttempts bounds the retries of a cart's codes changing under a
// concurrent change of the cart.
const maxCodeAttempts = 3

// errCartChanged is a cart that kept changing while its codes were set.
var errCartChanged = fmt.Errorf("%w: the cart changed meanwhile; try again", apperr.ErrConflict)

// ApplyCode applies a discount code to the lines of every merchant in the
// shopper's cart that has it (replacing that merchant's code). A code no
// merchant of the cart has is discount_unknown; one that does not apply to
// the cart now (expired, used up, minimum not met, ...) is refused with
// its stable code and nothing is stored. A code of merchant A never
// discounts merchant B's lines: it is looked up under each merchant.
func (s *Service) ApplyCode(ctx context.Context, shopperID, raw string) error {
	code := domain.NormalizeCode(raw)
	if err := domain.ValidateCode(code); err != nil {
		return err
	}
	for range maxCodeAttempts {
		cart, err := s.carts.Get(ctx, shopperID)
		if err != nil {
			return err
		}
		var found []domain.AppliedCode
		for _, m := range cart.MerchantIDs() {
			_, err := s.codes.Get(ctx, m, code)
			if errors.Is(err, apperr.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			found = append(found, domain.AppliedCode{MerchantID: m, Code: code})
		}
		if len(found) == 0 {
			return &domain.Problem{Code: domain.CodeDiscountUnknown, Message: "no merchant of your cart has code " + code}
		}
		candidate := cart
		candidate.Codes = cart.WithCodes(found...)
		view, err := s.view(ctx, candidate)
		if err != nil {
			return err
		}
		var applies []domain.AppliedCode
		var refusal error
		for _, c := range view.Merchants {
			if !slices.Contains(found, domain.AppliedCode{MerchantID: c.MerchantID, Code: code}) {
				continue
			}
			if c.DiscountErr != nil {
				refusal = c.DiscountErr
				continue
			}
			applies = append(applies, domain.AppliedCode{MerchantID: c.MerchantID, Code: code})
		}
		if len(applies) == 0 {
			if refusal == nil {
				refusal = &domain.Problem{Code: domain.CodeDiscountNotApplicable, Message: "code " + code + " applies to none of your cart's products"}
			}
			return refusal
		}
		ok, err := s.carts.SetCodes(ctx, shopperID, cart.Version, cart.WithCodes(applies...), s.now())
		if err != nil || ok {
			return err
		}
	}
	return errCartChanged
}

// RemoveCode removes a discount code from the shopper's cart, or every
// code when code is empty. Removing a code the cart does not have changes
// nothing.
func (s *Service) RemoveCode(ctx context.Context, shopperID, raw string) error {
	code := domain.NormalizeCode(raw)
	for range maxCodeAttempts {
		cart, err := s.carts.Get(ctx, shopperID)
		if err != nil {
			return err
		}
		left := slices.DeleteFunc(slices.Clone(cart.Codes), func(c domain.AppliedCode) bool { return code == "" || c.Code == code })
		if len(left) == len(cart.Codes) {
			return nil
		}
		ok, err := s.carts.SetCodes(ctx, shopperID, cart.Version, left, s.now())
		if err != nil || ok {
			return err
		}
	}
	return errCartChanged
}

// CreateCode stores a merchant's new code.
func (s *Service) CreateCode(ctx context.Context, merchantID string, d domain.Discount) (domain.Discount, error) {
	d.MerchantID, d.Code = merchantID, domain.NormalizeCode(d.Code)
	if err := d.Validate(); err != nil {
		return domain.Discount{}, err
	}
	d.CreatedAt, d.UpdatedAt, d.Used = s.now(), s.now(), 0
	if err := s.codes.Create(ctx, d); err != nil {
		return domain.Discount{}, err
	}
	return d, nil
}

// UpdateCode replaces the settings of a merchant's code; its uses stay.
func (s *Service) UpdateCode(ctx context.Context, merchantID string, d domain.Discount) (domain.Discount, error) {
	d.MerchantID, d.Code = merchantID, domain.NormalizeCode(d.Code)
	if err := d.Validate(); err != nil {
		return domain.Discount{}, err
	}
	d.UpdatedAt = s.now()
	if err := s.codes.Update(ctx, d); err != nil {
		return domain.Discount{}, err
	}
	return s.codes.Get(ctx, merchantID, d.Code)
}

// Code reads one of a merchant's codes.
func (s *Service) Code(ctx context.Context, merchantID, code string) (domain.Discount, error) {
	return s.codes.Get(ctx, merchantID, domain.NormalizeCode(code))
}

// Codes lists a page of a merchant's codes, newest first.
func (s *Service) Codes(ctx context.Context, merchantID, after string, limit int) ([]domain.Discount, error) {
	return s.codes.List(ctx, merchantID, domain.NormalizeCode(after), limit)
}

// DeleteCode removes a merchant's code; orders that used it keep their
// discount, carts that hold it see it as unknown.
func (s *Service) DeleteCode(ctx context.Context, merchantID, code string) error {
	return s.codes.Delete(ctx, merchantID, domain.NormalizeCode(code))
}

// ShippingRates reads a merchant's rate table; none is ErrNotFound (the
// merchant ships for free).
func (s *Service) ShippingRates(ctx context.Context, merchantID string) (domain.ShippingRates, error) {
	return s.rates.Get(ctx, merchantID)
}

// SetShippingRates replaces a merchant's rate table.
func (s *Service) SetShippingRates(ctx context.Context, merchantID string, r domain.ShippingRates) (domain.ShippingRates, error) {
	r.MerchantID = merchantID
	if err := r.Validate(); err != nil {
		return domain.ShippingRates{}, err
	}
	r.UpdatedAt = s.now()
	if err := s.rates.Put(ctx, r); err != nil {
		return domain.ShippingRates{}, err
	}
	return r, nil
}

// DeleteShippingRates removes a merchant's rate table: it ships for free.
func (s *Service) DeleteShippingRates(ctx context.Context, merchantID string) error {
	return s.rates.Delete(ctx, merchantID)
}
