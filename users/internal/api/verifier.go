package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/users/internal/security"
)

// localJWKSURL is a placeholder address: the local verifier's HTTP client
// never goes to the network (see jwksTransport).
const localJWKSURL = "http://users.local" + JWKSPath

// NewLocalVerifier builds the platform verifier the users service checks
// its own tokens with. It is the very code path every other service uses
// (JWKS parsing, EdDSA pinned, exp/iat/iss/aud checked, refetch on an
// unknown kid), but its HTTP client answers JWKS requests from ring in
// process: no dependency on the service's own listen address, and no
// request to itself at start-up. It runs until ctx ends.
func NewLocalVerifier(ctx context.Context, ring *security.KeyRing, issuer, audience string, logger *slog.Logger) (*auth.Verifier, error) {
	return auth.NewVerifier(ctx, auth.VerifierOptions{
		JWKSURL:    localJWKSURL,
		Issuer:     issuer,
		Audience:   audience,
		HTTPClient: &http.Client{Transport: jwksTransport{ring: ring}},
		Logger:     logger,
	})
}

// jwksTransport answers every request with the key ring's JWKS.
type jwksTransport struct{ ring *security.KeyRing }

// RoundTrip implements http.RoundTripper.
func (t jwksTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	doc, err := t.ring.JWKS(req.Context())
	if err != nil {
		return nil, fmt.Errorf("local JWKS: %w", err)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(doc)),
		ContentLength: int64(len(doc)),
		Request:       req,
	}, nil
}
