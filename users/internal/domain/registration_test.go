package domain_test

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/users/internal/domain"
)

func validInput() domain.RegistrationInput {
	return domain.RegistrationInput{Email: "Ada@Example.com", Password: "correct horse", Name: "Ada"}
}

func TestValidateRegistrationNormalises(t *testing.T) {
	cases := []struct {
		name string
		edit func(*domain.RegistrationInput)
		want domain.Registration
	}{
		{"shopper by default, email trimmed and lower-cased", func(in *domain.RegistrationInput) { in.Email = "  Ada@Example.COM " },
			domain.Registration{Email: "ada@example.com", Password: "correct horse", Name: "Ada", Role: domain.RoleShopper}},
		{"explicit shopper, name trimmed", func(in *domain.RegistrationInput) { in.Role = "shopper"; in.Name = "  Ada L. " },
			domain.Registration{Email: "ada@example.com", Password: "correct horse", Name: "Ada L.", Role: domain.RoleShopper}},
		{"merchant with store name", func(in *domain.RegistrationInput) { in.Role = "merchant"; in.StoreName = " Ada's Gears " },
			domain.Registration{Email: "ada@example.com", Password: "correct horse", Name: "Ada", Role: domain.RoleMerchant, StoreName: "Ada's Gears"}},
		{"password of 8 multi-byte characters", func(in *domain.RegistrationInput) { in.Password = "ééééééé€" },
			domain.Registration{Email: "ada@example.com", Password: "ééééééé€", Name: "Ada", Role: domain.RoleShopper}},
		{"password of 128 characters", func(in *domain.RegistrationInput) { in.Password = strings.Repeat("p", 128) },
			domain.Registration{Email: "ada@example.com", Password: strings.Repeat("p", 128), Name: "Ada", Role: domain.RoleShopper}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			tc.edit(&in)
			got, err := domain.ValidateRegistration(in)
			if err != nil {
				t.Fatalf("ValidateRegistration: %v", err)
			}
			if got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestValidateRegistrationRefuses(t *testing.T) {
	longLocal := strings.Repeat("a", 250) + "@example.com" // 262 characters
	cases := []struct {
		name       string
		edit       func(*domain.RegistrationInput)
		wantFields []string
	}{
		{"empty email", func(in *domain.RegistrationInput) { in.Email = " " }, []string{"email"}},
		{"not an email", func(in *domain.RegistrationInput) { in.Email = "ada.example.com" }, []string{"email"}},
		{"display name form", func(in *domain.RegistrationInput) { in.Email = "Ada <ada@example.com>" }, []string{"email"}},
		{"two addresses", func(in *domain.RegistrationInput) { in.Email = "a@example.com, b@example.com" }, []string{"email"}},
		{"email too long", func(in *domain.RegistrationInput) { in.Email = longLocal }, []string{"email"}},
		{"password of 7 characters", func(in *domain.RegistrationInput) { in.Password = "ééééééé" }, []string{"password"}},
		{"password of 129 characters", func(in *domain.RegistrationInput) { in.Password = strings.Repeat("p", 129) }, []string{"password"}},
		{"blank name", func(in *domain.RegistrationInput) { in.Name = "   " }, []string{"name"}},
		{"name of 101 characters", func(in *domain.RegistrationInput) { in.Name = strings.Repeat("n", 101) }, []string{"name"}},
		{"name with a control character", func(in *domain.RegistrationInput) { in.Name = "Ada\x00" }, []string{"name"}},
		{"admin cannot be self-assigned", func(in *domain.RegistrationInput) { in.Role = "admin" }, []string{"role"}},
		{"unknown role", func(in *domain.RegistrationInput) { in.Role = "Merchant" }, []string{"role"}},
		{"merchant without store name", func(in *domain.RegistrationInput) { in.Role = "merchant" }, []string{"store_name"}},
		{"merchant store name of 1 character", func(in *domain.RegistrationInput) { in.Role = "merchant"; in.StoreName = " x " }, []string{"store_name"}},
		{"merchant store name of 101 characters", func(in *domain.RegistrationInput) { in.Role = "merchant"; in.StoreName = strings.Repeat("s", 101) }, []string{"store_name"}},
		{"shopper with store name", func(in *domain.RegistrationInput) { in.StoreName = "My Store" }, []string{"store_name"}},
		{"everything wrong at once", func(in *domain.RegistrationInput) {
			*in = domain.RegistrationInput{Email: "x", Password: "short", Role: "admin", StoreName: "S"}
		}, []string{"email", "password", "name", "role", "store_name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			tc.edit(&in)
			_, err := domain.ValidateRegistration(in)
			var verr *apperr.ValidationError
			if !errors.As(err, &verr) || !errors.Is(err, apperr.ErrValidation) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			var fields []string
			for _, f := range verr.Fields {
				fields = append(fields, f.Field)
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
			if !slices.Equal(fields, tc.wantFields) {
				t.Fatalf("fields = %v, want %v", fields, tc.wantFields)
			}
		})
	}
}

func TestNormalizeEmailAndValidatePassword(t *testing.T) {
	if got, err := domain.NormalizeEmail(" Root@Mercato.Test "); err != nil || got != "root@mercato.test" {
		t.Fatalf("NormalizeEmail = %q, %v", got, err)
	}
	if _, err := domain.NormalizeEmail("nope"); !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("NormalizeEmail(nope) err = %v", err)
	}
	if err := domain.ValidatePassword("1234567"); !errors.Is(err, apperr.ErrValidation) {
		t.Fatalf("ValidatePassword(7 chars) err = %v", err)
	}
	if err := domain.ValidatePassword("12345678"); err != nil {
		t.Fatalf("ValidatePassword(8 chars) err = %v", err)
	}
}

func TestRegistrationNeverPrintsThePassword(t *testing.T) {
	in := validInput()
	reg, err := domain.ValidateRegistration(in)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	logger.Info("register", "input", in, "registration", reg)
	for _, s := range []string{fmt.Sprint(in), fmt.Sprintf("%+v", reg), fmt.Sprintf("%v", &reg), logged.String()} {
		if strings.Contains(s, in.Password) {
			t.Errorf("password leaked in %q", s)
		}
	}
}

func TestNewUser(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	shopper := domain.NewUser(domain.Registration{Email: "s@example.com", Name: "S", Role: domain.RoleShopper, StoreName: "ignored"}, "hash", now)
	if shopper.ID == "" || shopper.MerchantID != "" || shopper.StoreName != "" || !slices.Equal(shopper.RoleNames(), []string{"shopper"}) {
		t.Fatalf("shopper = %+v", shopper)
	}
	if shopper.PasswordHash != "hash" || !shopper.CreatedAt.Equal(now) || shopper.CreatedAt.Location() != time.UTC || shopper.Addresses == nil {
		t.Fatalf("shopper = %+v", shopper)
	}
	m1 := domain.NewUser(domain.Registration{Email: "m@example.com", Name: "M", Role: domain.RoleMerchant, StoreName: "Shop"}, "hash", now)
	m2 := domain.NewUser(domain.Registration{Email: "n@example.com", Name: "N", Role: domain.RoleMerchant, StoreName: "Shop"}, "hash", now)
	if m1.MerchantID == "" || m1.MerchantID == m2.MerchantID || m1.MerchantID == m1.ID || m1.StoreName != "Shop" || !m1.HasRole(domain.RoleMerchant) {
		t.Fatalf("merchants = %+v, %+v", m1, m2)
	}
	admin := domain.NewAdmin("root@mercato.test", "hash", now)
	if !admin.HasRole(domain.RoleAdmin) || len(admin.Roles) != 1 || admin.MerchantID != "" {
		t.Fatalf("admin = %+v", admin)
	}
}
