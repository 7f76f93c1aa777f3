package usecase

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/mercato-shop/mercato/orders/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

// pricing reads what prices a cart's lines besides the catalog: the rate
// tables of merchantIDs, the codes applied to their lines and the
// shopper's uses of each (lookups by _id; a code applied and deleted since
// is kept by name only, so domain.Price reports it unknown).
func (s *Service) pricing(ctx context.Context, shopperID string, merchantIDs []string, codes []domain.AppliedCode) (domain.Pricing, error) {
	rates, err := s.rates.Of(ctx, merchantIDs)
	if err != nil {
		return domain.Pricing{}, err
	}
	p := domain.Pricing{Rates: rates, Codes: map[string]domain.Discount{}, ShopperUses: map[string]int64{}, Now: s.now()}
	for _, c := range codes {
		if !slices.Contains(merchantIDs, c.MerchantID) {
			continue // the merchant's lines left the cart
		}
		d, err := s.codes.Get(ctx, c.MerchantID, c.Code)
		if errors.Is(err, apperr.ErrNotFound) {
			p.Codes[c.MerchantID] = domain.Discount{MerchantID: c.MerchantID, Code: c.Code}
			continue
		}
		if err != nil {
			return domain.Pricing{}, err
		}
		p.Codes[c.MerchantID] = d
		if d.PerShopperLimit > 0 {
			if p.ShopperUses[c.MerchantID], err = s.codes.ShopperUses(ctx, c.MerchantID, c.Code, shopperID); err != nil {
				return domain.Pricing{}, err
			}
		}
	}
	return p, nil
}

// claimsDecideLimits leaves the usage limits out of p's checks: at
// checkout the claims judge them, idempotently per order, so a concurrent
// request with the same Idempotency-Key, which sees the use its twin just
// took, is not refused but goes on to find its twin's order.
func claimsDecideLimits(p domain.Pricing) domain.Pricing {
	codes := make(map[string]domain.Discount, len(p.Codes))
	for m, d := range p.Codes {
		d.Used = 0
		codes[m] = d
	}
	p.Codes, p.ShopperUses = codes, nil
	return p
}

// claimCodes takes a use of every code o uses; a limit reached releases
// the uses taken and is the error. It returns the uses this call took.
func (s *Service) claimCodes(ctx context.Context, o domain.Order, p domain.Pricing) ([]domain.AppliedCode, error) {
	var fresh []domain.AppliedCode
	for merchantID, code := range o.Codes() {
		took, err := s.codes.Claim(ctx, p.Codes[merchantID], o.ID, o.ShopperID)
		if err != nil {
			s.releaseClaims(ctx, o, fresh)
			return nil, err
		}
		if took {
			fresh = append(fresh, domain.AppliedCode{MerchantID: merchantID, Code: code})
		}
	}
	return fresh, nil
}

// releaseCodes gives back the uses of a cancelled order's codes; a
// redelivered cancel releases nothing twice. A failure is logged: the use
// stays taken (the code's limit errs on the merchant's side).
func (s *Service) releaseCodes(ctx context.Context, o domain.Order) {
	var codes []domain.AppliedCode
	for merchantID, code := range o.Codes() {
		codes = append(codes, domain.AppliedCode{MerchantID: merchantID, Code: code})
	}
	s.releaseClaims(ctx, o, codes)
}

func (s *Service) releaseClaims(ctx context.Context, o domain.Order, codes []domain.AppliedCode) {
	for _, c := range codes {
		if err := s.codes.Release(ctx, c.MerchantID, c.Code, o.ID, o.ShopperID); err != nil {
			s.log.WarnContext(ctx, "giving a discount use back failed", "order_id", o.ID, "code", c.Code, "error", err)
		}
	}
}

// noCodes is the CodeStore of a service without codes: none exists.
type noCodes struct{}

var errNoCodes = fmt.Errorf("%w: discount codes are not enabled", apperr.ErrNotFound)

func (noCodes) Create(context.Context, domain.Discount) error { return errNoCodes }
func (noCodes) Update(context.Context, domain.Discount) error { return errNoCodes }
func (noCodes) Get(context.Context, string, string) (domain.Discount, error) {
	return domain.Discount{}, errNoCodes
}
func (noCodes) Delete(context.Context, string, string) error { return errNoCodes }
func (noCodes) List(context.Context, string, string, int) ([]domain.Discount, error) {
	return nil, nil
}
func (noCodes) ShopperUses(context.Context, string, string, string) (int64, error) { return 0, nil }
func (noCodes) Claim(context.Context, domain.Discount, string, string) (bool, error) {
	return false, errNoCodes
}
func (noCodes) Release(context.Context, string, string, string, string) error { return nil }

// noRates is the RateStore of a service without rates: shipping is free.
type noRates struct{}

var errNoRates = fmt.Errorf("%w: shipping rates are not enabled", apperr.ErrNotFound)

func (noRates) Get(context.Context, string) (domain.ShippingRates, error) {
	return domain.ShippingRates{}, errNoRates
}
func (noRates) Of(context.Context, []string) (map[string]domain.ShippingRates, error) {
	return map[string]domain.ShippingRates{}, nil
}
func (noRates) Put(context.Context, domain.ShippingRates) error { return errNoRates }
func (noRates) Delete(context.Context, string) error            { return errNoRates }
