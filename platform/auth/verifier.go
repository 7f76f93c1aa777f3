package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/mercato-shop/mercato/platform/apperr"
	"github.com/mercato-shop/mercato/platform/auth/claims"
)

// Defaults of VerifierOptions.
const (
	DefaultRefreshUnknownKIDInterval = 5 * time.Second
	DefaultRefreshInterval           = 10 * time.Minute
	DefaultFetchTimeout              = 3 * time.Second
	// Leeway is the clock skew tolerated on exp and iat.
	Leeway = 30 * time.Second
	// maxTokenBytes bounds the token a verifier will even try to parse.
	maxTokenBytes = 8 << 10
)

// VerifierOptions configure a Verifier.
type VerifierOptions struct {
	// JWKSURL is the users service's JWKS endpoint. Required.
	JWKSURL string
	// Issuer is the expected iss claim. Required.
	Issuer string
	// Audience is the audience the token must name in aud. Required.
	Audience string
	// HTTPClient fetches the JWKS; a client with FetchTimeout when nil.
	HTTPClient *http.Client
	// RefreshUnknownKIDInterval is the least time between two fetches caused
	// by tokens with an unknown kid (default 5 s), so forged kids cannot
	// turn into a flood of JWKS requests.
	RefreshUnknownKIDInterval time.Duration
	// RefreshInterval is how often the JWKS is fetched in the background
	// (default 10 min), which also drops retired keys.
	RefreshInterval time.Duration
	// FetchTimeout bounds one JWKS fetch (default 3 s).
	FetchTimeout time.Duration
	// Logger receives JWKS fetch failures; slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock used to check exp and iat; time.Now when nil.
	Now func() time.Time
}

// Verifier verifies access tokens. It is safe for concurrent use.
type Verifier struct {
	keys   keyfunc.Keyfunc
	parser *jwt.Parser
	logger *slog.Logger

	// known holds the kids that resolved once. Lookups of any other kid go
	// through unknown, so concurrent tokens naming a kid not yet fetched
	// (right after start-up, or after a key rotation) share one JWKS fetch
	// instead of all but one failing the fetch rate limiter with a 401.
	known   sync.Map
	unknown singleflight.Group
}

// NewVerifier builds a Verifier and makes a first JWKS fetch. A failed first
// fetch is logged, not returned, so a service can start before the users
// service: keys are fetched again when a token names a kid not yet known,
// and in the background every RefreshInterval, until ctx ends.
func NewVerifier(ctx context.Context, opts VerifierOptions) (*Verifier, error) {
	if opts.JWKSURL == "" || opts.Issuer == "" || opts.Audience == "" {
		return nil, errors.New("auth: JWKSURL, Issuer and Audience are required")
	}
	if opts.RefreshUnknownKIDInterval <= 0 {
		opts.RefreshUnknownKIDInterval = DefaultRefreshUnknownKIDInterval
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: opts.FetchTimeout}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	keys, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{opts.JWKSURL}, keyfunc.Override{
		Client:          opts.HTTPClient,
		HTTPTimeout:     opts.FetchTimeout,
		RefreshInterval: opts.RefreshInterval,
		// Burst 1: at most one unknown-kid fetch per interval. A request
		// waits for that slot only if it comes within FetchTimeout, and the
		// same bound covers the fetch itself; otherwise it fails at once.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(opts.RefreshUnknownKIDInterval), 1),
		RateLimitWaitMax:  opts.FetchTimeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				logger.WarnContext(ctx, "JWKS fetch failed", "url", u, "error", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: JWKS client for %q: %w", opts.JWKSURL, err)
	}
	parserOpts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{claims.Algorithm}),
		jwt.WithIssuer(opts.Issuer),
		jwt.WithAudience(opts.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
	}
	if opts.Now != nil {
		parserOpts = append(parserOpts, jwt.WithTimeFunc(opts.Now))
	}
	return &Verifier{keys: keys, parser: jwt.NewParser(parserOpts...), logger: logger}, nil
}

// Verify checks rawToken and returns its caller. Every failure, including a
// JWKS that cannot be fetched, wraps apperr.ErrUnauthorized.
func (v *Verifier) Verify(ctx context.Context, rawToken string) (Caller, error) {
	if rawToken == "" || len(rawToken) > maxTokenBytes {
		return Caller{}, fmt.Errorf("%w: missing or oversized access token", apperr.ErrUnauthorized)
	}
	var c claims.Access
	keyFor := v.keys.KeyfuncCtx(ctx)
	_, err := v.parser.ParseWithClaims(rawToken, &c, func(t *jwt.Token) (any, error) {
		// Without a kid, keyfunc would try every known key; require one.
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token has no kid header")
		}
		if _, ok := v.known.Load(kid); ok {
			return keyFor(t)
		}
		key, err, _ := v.unknown.Do(kid, func() (any, error) { return keyFor(t) })
		if err == nil {
			v.known.Store(kid, struct{}{})
		}
		return key, err
	})
	if err != nil {
		return Caller{}, fmt.Errorf("%w: invalid access token: %w", apperr.ErrUnauthorized, err)
	}
	if c.Subject == "" || c.ID == "" {
		return Caller{}, fmt.Errorf("%w: access token lacks sub or jti", apperr.ErrUnauthorized)
	}
	return Caller{UserID: c.Subject, Roles: c.Roles, MerchantID: c.MerchantID, TokenID: c.ID}, nil
}
