package domain

import (
	"errors"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Limits of registration fields.
const (
	MaxEmailLength     = 254
	MinPasswordLength  = 8
	MaxPasswordLength  = 128
	MaxNameLength      = 100
	MinStoreNameLength = 2
	MaxStoreNameLength = 100
)

// RegistrationInput is a registration request as the client sent it.
type RegistrationInput struct {
	Email     string
	Password  string
	Name      string
	Role      string // "", "shopper" or "merchant"
	StoreName string
}

// Registration is a validated, normalised RegistrationInput.
type Registration struct {
	Email     string
	Password  string
	Name      string
	Role      Role // RoleShopper or RoleMerchant, never RoleAdmin
	StoreName string
}

// ValidateRegistration normalises in and checks every field, returning all
// problems at once as an *apperr.ValidationError whose field names are the
// JSON ones (email, password, name, role, store_name).
func ValidateRegistration(in RegistrationInput) (Registration, error) {
	verr := &apperr.ValidationError{}
	var reg Registration

	email, err := NormalizeEmail(in.Email)
	var emailErr *apperr.ValidationError
	if errors.As(err, &emailErr) {
		verr.Fields = append(verr.Fields, emailErr.Fields...)
	}
	reg.Email = email

	if msg := passwordProblem(in.Password); msg != "" {
		verr.Add("password", msg)
	}
	reg.Password = in.Password

	reg.Name = strings.TrimSpace(in.Name)
	if msg := textProblem(reg.Name, 1, MaxNameLength); msg != "" {
		verr.Add("name", msg)
	}

	switch Role(in.Role) {
	case "", RoleShopper:
		reg.Role = RoleShopper
	case RoleMerchant:
		reg.Role = RoleMerchant
	default:
		verr.Add("role", `must be "shopper" or "merchant"`)
	}

	storeName := strings.TrimSpace(in.StoreName)
	switch {
	case reg.Role == RoleMerchant:
		if msg := textProblem(storeName, MinStoreNameLength, MaxStoreNameLength); msg != "" {
			verr.Add("store_name", msg)
		}
		reg.StoreName = storeName
	case storeName != "":
		// Refused rather than ignored: a shopper who meant to open a
		// store should learn that the role is missing.
		verr.Add("store_name", "only merchants have a store name")
	}

	if err := verr.Err(); err != nil {
		return Registration{}, err
	}
	return reg, nil
}

// NormalizeEmail trims and lower-cases an email address and checks that it
// is one plain address (no display name) of at most 254 characters. Use it
// for registration, login and the configured admin alike. A bad address is
// an *apperr.ValidationError for field "email".
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", emailProblem("is required")
	}
	if len(s) > MaxEmailLength {
		return "", emailProblem("must be at most 254 characters")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", emailProblem("must be a valid email address")
	}
	return s, nil
}

// ValidatePassword checks the length rule (8 to 128 characters) and
// returns an *apperr.ValidationError for field "password" when it fails.
func ValidatePassword(pw string) error {
	if msg := passwordProblem(pw); msg != "" {
		return apperr.Validation(apperr.FieldError{Field: "password", Message: msg})
	}
	return nil
}

func passwordProblem(pw string) string {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return "must be 8 to 128 characters"
	}
	return ""
}

// textProblem checks a trimmed display text's length in characters and
// refuses control characters.
func textProblem(s string, minLen, maxLen int) string {
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		if minLen == 1 {
			return "is required and must be at most " + strconv.Itoa(maxLen) + " characters"
		}
		return "must be " + strconv.Itoa(minLen) + " to " + strconv.Itoa(maxLen) + " characters"
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "must not contain control characters"
	}
	return ""
}

func emailProblem(msg string) error {
	return apperr.Validation(apperr.FieldError{Field: "email", Message: msg})
}

// String omits the password, so a logged input leaks nothing.
func (in RegistrationInput) String() string {
	return "RegistrationInput{email=" + in.Email + " name=" + in.Name + " role=" + in.Role + " store_name=" + in.StoreName + " password=[redacted]}"
}

// LogValue omits the password from structured logs.
func (in RegistrationInput) LogValue() slog.Value { return slog.StringValue(in.String()) }

// String omits the password, so a logged registration leaks nothing.
func (r Registration) String() string {
	return "Registration{email=" + r.Email + " name=" + r.Name + " role=" + string(r.Role) + " store_name=" + r.StoreName + " password=[redacted]}"
}

// LogValue omits the password from structured logs.
func (r Registration) LogValue() slog.Value { return slog.StringValue(r.String()) }
