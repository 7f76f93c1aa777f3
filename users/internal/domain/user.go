// Package domain holds the users service's entities and rules: accounts,
// roles and merchant tenants, registration input, and the refresh-token
// session state machine. It knows nothing of HTTP, MongoDB or Kafka.
package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Role is what a user may do. Roles travel in access tokens as strings.
type Role string

// The roles. Shopper and merchant come from registration; admin only from
// the service's start-up configuration.
const (
	RoleShopper  Role = "shopper"
	RoleMerchant Role = "merchant"
	RoleAdmin    Role = "admin"
)

// User is an account.
type User struct {
	// ID is a UUID chosen at registration.
	ID string
	// Email is normalised (trimmed, lower case) and unique.
	Email string
	// Name is the display name.
	Name string
	// PasswordHash is an argon2id PHC string; never logged or published.
	PasswordHash string
	// Roles hold exactly one role today; a slice keeps tokens future-proof.
	Roles []Role
	// MerchantID is the merchant tenant of a merchant; empty otherwise.
	MerchantID string
	// StoreName is a merchant's public store name; empty otherwise.
	StoreName string
	// Addresses are the user's saved shipping addresses, in the order they
	// were saved; at most one is the default (see AddressBook).
	Addresses []Address
	// AddressesVersion counts the changes of Addresses; a change is saved
	// only while the stored version is still the one it was computed from.
	AddressesVersion int64
	// CreatedAt and UpdatedAt are UTC.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Address is a saved shipping address. Its fields are those of an order's
// shipping address (platform/events.Address) plus an id and the default
// flag.
type Address struct {
	// ID is a UUID chosen when the address is saved.
	ID string
	// Default marks the address checkout uses when none is given.
	Default    bool
	Name       string
	Line1      string
	Line2      string
	City       string
	Region     string
	PostalCode string
	// Country is an ISO 3166-1 alpha-2 code.
	Country string
}

// HasRole reports whether u holds r.
func (u User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// RoleNames returns the roles as strings, as they go into a token.
func (u User) RoleNames() []string {
	names := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		names[i] = string(r)
	}
	return names
}

// NewUser creates the account of a validated registration. A merchant gets
// a fresh merchant id (its tenant); nothing in the request chooses ids.
func NewUser(reg Registration, passwordHash string, now time.Time) User {
	now = now.UTC()
	u := User{
		ID:           uuid.NewString(),
		Email:        reg.Email,
		Name:         reg.Name,
		PasswordHash: passwordHash,
		Roles:        []Role{reg.Role},
		Addresses:    []Address{},
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if reg.Role == RoleMerchant {
		u.MerchantID = uuid.NewString()
		u.StoreName = reg.StoreName
	}
	return u
}

// NewAdmin creates the administrator account named in the service's
// configuration (ADMIN_EMAIL / ADMIN_PASSWORD). It is the only way to get
// the admin role. email must come from NormalizeEmail.
func NewAdmin(email, passwordHash string, now time.Time) User {
	now = now.UTC()
	return User{
		ID:           uuid.NewString(),
		Email:        email,
		Name:         "Administrator",
		PasswordHash: passwordHash,
		Roles:        []Role{RoleAdmin},
		Addresses:    []Address{},
		CreatedAt:    now,
		UpdatedAt:    now,
	}
}
