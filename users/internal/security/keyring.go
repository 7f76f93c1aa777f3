package security

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// Defaults of KeyRingOptions.
const (
	DefaultAccessTokenTTL  = 15 * time.Minute
	DefaultRetiredKeyGrace = 5 * time.Minute
	DefaultReloadInterval  = time.Minute
	// jwksReloadInterval bounds how stale a served JWKS may be: a verifier
	// asks for it because it saw an unknown kid, which another replica may
	// have just created.
	jwksReloadInterval = time.Second
)

// ErrNoSigningKey is returned by Sign before EnsureKey succeeded.
var ErrNoSigningKey = errors.New("no signing key loaded")

// KeyRingOptions configure a KeyRing.
type KeyRingOptions struct {
	// Issuer and Audience go into the iss and aud claims.
	Issuer   string
	Audience string
	// AccessTokenTTL is the lifetime of an access token (default 15 min).
	AccessTokenTTL time.Duration
	// RetiredKeyGrace is how long, beyond AccessTokenTTL, a replaced key
	// stays in the JWKS (default 5 min). It covers clock skew and replicas
	// that still sign with the old key until their next reload, so it must
	// be at least ReloadInterval.
	RetiredKeyGrace time.Duration
	// ReloadInterval is how often Sign picks up keys added by other
	// replicas (default 1 min).
	ReloadInterval time.Duration
	// RotateAfter, when positive, makes EnsureKey rotate a newest key older
	// than this; zero means keys rotate only through Rotate.
	RotateAfter time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// AccessToken is a signed access token.
type AccessToken struct {
	// Token is the compact JWS.
	Token string
	// ID is its jti.
	ID string
	// ExpiresAt is its exp.
	ExpiresAt time.Time
	// ExpiresIn is its lifetime, for the expires_in of a token response.
	ExpiresIn time.Duration
}

// KeyRing signs access tokens with the newest of its Ed25519 keys and
// publishes the public keys still needed to verify unexpired tokens. The
// keys live in a KeyStore, so a restart or a second replica signs and
// verifies with the same keys. Safe for concurrent use.
type KeyRing struct {
	store KeyStore
	opts  KeyRingOptions

	mu       sync.RWMutex
	keys     []SigningKey // ascending Generation
	loadedAt time.Time
	loading  sync.Mutex // one reload at a time
}

// NewKeyRing builds an empty ring over store; call EnsureKey before use.
func NewKeyRing(store KeyStore, opts KeyRingOptions) *KeyRing {
	if opts.Issuer == "" {
		opts.Issuer = claims.DefaultIssuer
	}
	if opts.Audience == "" {
		opts.Audience = claims.DefaultAudience
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if opts.RetiredKeyGrace <= 0 {
		opts.RetiredKeyGrace = DefaultRetiredKeyGrace
	}
	if opts.ReloadInterval <= 0 {
		opts.ReloadInterval = DefaultReloadInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &KeyRing{store: store, opts: opts}
}

// EnsureKey loads the stored keys and, when there are none (or the newest
// is older than RotateAfter), adds one. Replicas starting at once converge:
// the store accepts one key per generation, and a replica that loses the
// race loads the winner's key.
func (r *KeyRing) EnsureKey(ctx context.Context) error {
	if err := r.Reload(ctx); err != nil {
		return err
	}
	newest, ok := r.newest()
	switch {
	case !ok:
		return r.add(ctx, 1)
	case r.opts.RotateAfter > 0 && r.opts.Now().Sub(newest.CreatedAt) >= r.opts.RotateAfter:
		return r.add(ctx, newest.Generation+1)
	}
	return nil
}

// Rotate adds a new key that signs from now on. Older keys stay published
// until the last tokens they signed have expired. If another replica
// rotated at the same moment, its key wins and is loaded instead.
func (r *KeyRing) Rotate(ctx context.Context) error {
	if err := r.Reload(ctx); err != nil {
		return err
	}
	newest, _ := r.newest()
	return r.add(ctx, newest.Generation+1)
}

// Reload reads the keys from the store.
func (r *KeyRing) Reload(ctx context.Context) error {
	r.loading.Lock()
	defer r.loading.Unlock()
	return r.reloadLocked(ctx)
}

func (r *KeyRing) reloadLocked(ctx context.Context) error {
	recs, err := r.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys := make([]SigningKey, 0, len(recs))
	for _, rec := range recs {
		k, err := SigningKeyFromRecord(rec)
		if err != nil {
			return fmt.Errorf("load signing keys: %w", err)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b SigningKey) int { return cmp.Compare(a.Generation, b.Generation) })
	r.mu.Lock()
	r.keys, r.loadedAt = keys, r.opts.Now()
	r.mu.Unlock()
	return nil
}

// Sign issues an access token for a user: sub, roles, merchant_id, iss,
// aud, iat, exp and a fresh jti, signed with the newest key named in the
// kid header. Every ReloadInterval it first picks up keys rotated by other
// replicas; a failed reload is not fatal (the cached keys still sign).
func (r *KeyRing) Sign(ctx context.Context, userID string, roles []string, merchantID string) (AccessToken, error) {
	r.reloadIfOlderThan(ctx, r.opts.ReloadInterval)
	key, ok := r.newest()
	if !ok {
		return AccessToken{}, ErrNoSigningKey
	}
	now := r.opts.Now()
	exp := now.Add(r.opts.AccessTokenTTL)
	c := claims.Access{
		Roles:      slices.Clone(roles),
		MerchantID: merchantID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   userID,
			Issuer:    r.opts.Issuer,
			Audience:  jwt.ClaimStrings{r.opts.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        uuid.NewString(),
		},
	}
	if c.Roles == nil {
		c.Roles = []string{}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = key.ID
	signed, err := tok.SignedString(key.Private)
	if err != nil {
		return AccessToken{}, fmt.Errorf("sign access token: %w", err)
	}
	return AccessToken{Token: signed, ID: c.ID, ExpiresAt: c.ExpiresAt.Time, ExpiresIn: r.opts.AccessTokenTTL}, nil
}

// JWKS returns the JSON Web Key Set of the public keys that may still
// verify an unexpired token: the newest key, and each older key until
// AccessTokenTTL + RetiredKeyGrace after its successor was created. It
// reloads from the store when its copy is over a second old, so a replica
// serves keys another replica has just rotated in.
func (r *KeyRing) JWKS(ctx context.Context) ([]byte, error) {
	r.reloadIfOlderThan(ctx, jwksReloadInterval)
	now := r.opts.Now()
	r.mu.RLock()
	keys := r.keys
	r.mu.RUnlock()

	set := claims.JWKSet{Keys: []claims.JWK{}}
	for i, k := range keys {
		if i+1 < len(keys) && !now.Before(keys[i+1].CreatedAt.Add(r.opts.AccessTokenTTL+r.opts.RetiredKeyGrace)) {
			continue // replaced long enough ago that all its tokens expired
		}
		set.Keys = append(set.Keys, claims.Ed25519JWK(k.ID, k.Public()))
	}
	out, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w", err)
	}
	return out, nil
}

// CurrentKeyID returns the kid that signs new tokens ("" before EnsureKey).
func (r *KeyRing) CurrentKeyID() string {
	k, _ := r.newest()
	return k.ID
}

// add stores a new key of the given generation; losing the race to another
// replica is fine: the reload that follows picks up the winner.
func (r *KeyRing) add(ctx context.Context, generation int64) error {
	err := r.store.Add(ctx, NewSigningKey(generation, r.opts.Now()).Record())
	if err != nil && !errors.Is(err, apperr.ErrConflict) {
		return fmt.Errorf("add signing key %d: %w", generation, err)
	}
	return r.Reload(ctx)
}

func (r *KeyRing) newest() (SigningKey, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.keys) == 0 {
		return SigningKey{}, false
	}
	return r.keys[len(r.keys)-1], true
}

// reloadIfOlderThan reloads when the cached keys are older than maxAge and
// no other reload is running; errors keep the cached keys.
func (r *KeyRing) reloadIfOlderThan(ctx context.Context, maxAge time.Duration) {
	r.mu.RLock()
	fresh := r.opts.Now().Sub(r.loadedAt) < maxAge
	r.mu.RUnlock()
	if fresh || !r.loading.TryLock() {
		return
	}
	defer r.loading.Unlock()
	_ = r.reloadLocked(ctx)
}
