package domain

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-shop/mercato/platform/apperr"
)

// Limits of the address book. MaxAddressFieldLength is the orders
// service's limit on a checkout's shipping address fields, so a saved
// address is always one checkout accepts.
const (
	MaxAddresses          = 20
	MaxAddressFieldLength = 200
)

// The address book's errors.
var (
	// ErrAddressNotFound is an address id the user does not have (another
	// user's included); it matches apperr.ErrNotFound.
	ErrAddressNotFound = fmt.Errorf("%w: address not found", apperr.ErrNotFound)
	// ErrAddressBookFull is a save beyond MaxAddresses; it matches
	// apperr.ErrConflict.
	ErrAddressBookFull = fmt.Errorf("%w: the address book holds at most %d addresses; delete one first", apperr.ErrConflict, MaxAddresses)
)

// AddressInput is an address as the client sent it.
type AddressInput struct {
	Name       string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// ValidateAddress trims every field, upper-cases the country and checks
// the rules of an order's shipping address: name, line1, city and
// postal_code required, every field at most MaxAddressFieldLength
// characters without control characters, country an ISO 3166-1 alpha-2
// code. All problems come at once as an *apperr.ValidationError whose field
// names are the JSON ones. The result has no id and is not default.
func ValidateAddress(in AddressInput) (Address, error) {
	a := Address{
		Name:       strings.TrimSpace(in.Name),
		Line1:      strings.TrimSpace(in.Line1),
		Line2:      strings.TrimSpace(in.Line2),
		City:       strings.TrimSpace(in.City),
		Region:     strings.TrimSpace(in.Region),
		PostalCode: strings.TrimSpace(in.PostalCode),
		Country:    strings.ToUpper(strings.TrimSpace(in.Country)),
	}
	verr := &apperr.ValidationError{}
	for _, f := range []struct {
		name, value string
		required    bool
	}{
		{"name", a.Name, true}, {"line1", a.Line1, true}, {"line2", a.Line2, false},
		{"city", a.City, true}, {"region", a.Region, false}, {"postal_code", a.PostalCode, true},
	} {
		if msg := addressFieldProblem(f.value, f.required); msg != "" {
			verr.Add(f.name, msg)
		}
	}
	if !isCountryCode(a.Country) {
		verr.Add("country", "must be an ISO 3166-1 alpha-2 code such as DE")
	}
	if err := verr.Err(); err != nil {
		return Address{}, err
	}
	return a, nil
}

func addressFieldProblem(s string, required bool) string {
	switch {
	case required && s == "":
		return "is required"
	case !utf8.ValidString(s):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(s) > MaxAddressFieldLength:
		return "must be at most " + strconv.Itoa(MaxAddressFieldLength) + " characters"
	case strings.ContainsFunc(s, unicode.IsControl):
		return "must not contain control characters"
	}
	return ""
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// AddressBook is a user's saved addresses, in the order they were saved,
// with its rules: at most MaxAddresses, and exactly one default whenever
// there is any address. The first address saved becomes the default;
// deleting the default makes the oldest remaining address the default (an
// empty book has none). Its methods return a new slice and never change
// the receiver, so a change computed from a stale read can be discarded.
type AddressBook []Address

// Add appends a, with id, and returns the new book and the saved address.
// The first address becomes the default.
func (b AddressBook) Add(id string, a Address) (AddressBook, Address, error) {
	if len(b) >= MaxAddresses {
		return nil, Address{}, ErrAddressBookFull
	}
	a.ID, a.Default = id, len(b) == 0
	return append(b.clone(), a), a, nil
}

// Replace changes the fields of address id to a's, keeping its id and
// default flag.
func (b AddressBook) Replace(id string, a Address) (AddressBook, Address, error) {
	i := b.index(id)
	if i < 0 {
		return nil, Address{}, ErrAddressNotFound
	}
	out := b.clone()
	a.ID, a.Default = id, b[i].Default
	out[i] = a
	return out, a, nil
}

// Remove deletes address id. When it was the default, the oldest remaining
// address becomes the default.
func (b AddressBook) Remove(id string) (AddressBook, error) {
	i := b.index(id)
	if i < 0 {
		return nil, ErrAddressNotFound
	}
	out := append(b[:i:i].clone(), b[i+1:]...)
	if b[i].Default && len(out) > 0 {
		out[0].Default = true
	}
	return out, nil
}

// MakeDefault makes address id the default and clears the flag of every
// other address.
func (b AddressBook) MakeDefault(id string) (AddressBook, Address, error) {
	i := b.index(id)
	if i < 0 {
		return nil, Address{}, ErrAddressNotFound
	}
	out := b.clone()
	for j := range out {
		out[j].Default = j == i
	}
	return out, out[i], nil
}

// Default returns the default address; ok is false for an empty book.
func (b AddressBook) Default() (Address, bool) {
	for _, a := range b {
		if a.Default {
			return a, true
		}
	}
	return Address{}, false
}

// Find returns address id.
func (b AddressBook) Find(id string) (Address, error) {
	if i := b.index(id); i >= 0 {
		return b[i], nil
	}
	return Address{}, ErrAddressNotFound
}

func (b AddressBook) index(id string) int {
	for i, a := range b {
		if a.ID == id {
			return i
		}
	}
	return -1
}

func (b AddressBook) clone() AddressBook {
	out := make(AddressBook, len(b), len(b)+1)
	copy(out, b)
	return out
}
