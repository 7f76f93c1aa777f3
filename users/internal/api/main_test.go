package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/platform/mongodb"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
	"github.com/mercato-shop/mercato/users/internal/api"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/store"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// testHashParams keep argon2id cheap in tests (the production cost is
// measured separately); the code path is the same.
var testHashParams = argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// newDatabaseName returns a database name no other test uses.
func newDatabaseName() string { return embeddedtest.UniqueName("users_api") }

// service is one running users service (as main wires it) over a database.
type service struct {
	db       *mongodb.Store
	store    *store.Store
	ring     *security.KeyRing
	accounts *usecase.Service
	router   http.Handler
}

// newService starts the users service's parts on database dbName, the way
// main does: single writer (embedded mode), indexes, key ring, throttle,
// local verifier, routes on the real httpserver engine with the gateway's
// loopback address as trusted proxy.
func newService(t testing.TB, dbName string) *service {
	t.Helper()
	return newServiceWithHashParams(t, dbName, testHashParams)
}

// newServiceWithHashParams is newService with the given argon2id cost.
func newServiceWithHashParams(t testing.TB, dbName string, params argon2id.Params) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db := embeddedtest.Database(t, config.Mongo{MongoDatabase: dbName, MongoReadPoolSize: 4})
	st := store.New(db, nil)
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatalf("indexes: %v", err)
	}
	ring := security.NewKeyRing(st.SigningKeys(), security.KeyRingOptions{})
	if err := ring.EnsureKey(ctx); err != nil {
		t.Fatalf("ensure key: %v", err)
	}
	hasher, err := security.NewPasswordHasher(params, 0)
	if err != nil {
		t.Fatal(err)
	}
	throttle := security.NewLoginThrottle(security.DefaultAccountPolicy, security.DefaultClientPolicy)
	accts := usecase.New(st, hasher, ring, throttle, usecase.Options{Logger: logger})
	verifier, err := api.NewLocalVerifier(ctx, ring, claims.DefaultIssuer, claims.DefaultAudience, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Options{Service: "users", Logger: logger, TrustedProxies: []string{"127.0.0.1/32"}})
	api.New(accts, ring, verifier).Register(srv.Router())
	return &service{db: db, store: st, ring: ring, accounts: accts, router: srv.Router()}
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes a problem+json answer, failing on another media type.
func (r response) problem(t *testing.T) httpserver.ProblemBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, httpserver.ContentTypeProblem) {
		t.Fatalf("Content-Type %q, want problem+json; body %s", ct, r.body)
	}
	var p httpserver.ProblemBody
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.body, err)
	}
	return p
}

// tokens decodes a token answer.
func (r response) tokens(t testing.TB) tokenBody {
	t.Helper()
	var b tokenBody
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatalf("token body %s: %v", r.body, err)
	}
	return b
}

type userBody struct {
	ID         string            `json:"id"`
	Email      string            `json:"email"`
	Name       string            `json:"name"`
	Roles      []string          `json:"roles"`
	MerchantID string            `json:"merchant_id"`
	StoreName  string            `json:"store_name"`
	Addresses  []json.RawMessage `json:"addresses"`
}

type tokenBody struct {
	User         userBody `json:"user"`
	AccessToken  string   `json:"access_token"`
	TokenType    string   `json:"token_type"`
	ExpiresIn    int      `json:"expires_in"`
	RefreshToken string   `json:"refresh_token"`
}

// request describes one call to the router.
type request struct {
	method, path string
	body         string
	token        string            // Authorization: Bearer
	remoteAddr   string            // default httptest's 192.0.2.1:1234
	header       map[string]string // extra headers
}

func (s *service) do(t testing.TB, r request) response {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.remoteAddr != "" {
		req.RemoteAddr = r.remoteAddr
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func (s *service) post(t testing.TB, path string, body any) response {
	t.Helper()
	return s.do(t, request{method: http.MethodPost, path: path, body: jsonOf(t, body)})
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	if s, ok := v.(string); ok {
		return s
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// register registers an account and fails the test unless it gets 201.
func (s *service) register(t testing.TB, body map[string]any) tokenBody {
	t.Helper()
	resp := s.post(t, "/api/v1/auth/register", body)
	if resp.status != http.StatusCreated {
		t.Fatalf("register %v: %d %s", body, resp.status, resp.body)
	}
	return resp.tokens(t)
}

var emailCounter atomic.Int64

// uniqueEmail returns an address no other test registers.
func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%d-%d@example.com", prefix, time.Now().UnixNano(), emailCounter.Add(1))
}

func shopper(email string) map[string]any {
	return map[string]any{"email": email, "password": "correct horse battery", "name": "Sam Shopper"}
}

func merchant(email string) map[string]any {
	return map[string]any{"email": email, "password": "correct horse battery", "name": "Mia Merchant", "role": "merchant", "store_name": "Mia's Muffins"}
}

// countUsers counts the stored accounts.
func (s *service) countUsers(t *testing.T) int64 {
	t.Helper()
	n, err := s.db.Read.Collection(store.UsersCollection).CountDocuments(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// verifierFor is a fresh platform verifier of another service, reading the
// JWKS that handler serves over real HTTP.
func verifierFor(t *testing.T, handler http.Handler) *auth.Verifier {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := auth.NewVerifier(ctx, auth.VerifierOptions{
		JWKSURL: srv.URL + api.JWKSPath, Issuer: claims.DefaultIssuer, Audience: claims.DefaultAudience,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// hasFieldError reports whether the problem has an error for field.
func hasFieldError(p httpserver.ProblemBody, field string) bool {
	for _, e := range p.Errors {
		if e.Field == field && e.Message != "" {
			return true
		}
	}
	return false
}
