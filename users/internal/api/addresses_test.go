package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mercato-shop/mercato/platform/auth/claims"
	"github.com/mercato-shop/mercato/platform/httpserver"
	"github.com/mercato-shop/mercato/users/internal/api"
	"github.com/mercato-shop/mercato/users/internal/domain"
	"github.com/mercato-shop/mercato/users/internal/security"
	"github.com/mercato-shop/mercato/users/internal/usecase"
)

type addressBody struct {
	ID         string `json:"id"`
	Default    bool   `json:"default"`
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

func anAddress(name string) map[string]any {
	return map[string]any{"name": name, "line1": "1 Analytical Way", "city": "London", "postal_code": "NW1 2AB", "country": "gb"}
}

func (s *service) addAddress(t testing.TB, token string, body any) response {
	t.Helper()
	return s.do(t, request{method: http.MethodPost, path: "/api/v1/users/me/addresses", token: token, body: jsonOf(t, body)})
}

func (r response) address(t testing.TB) addressBody {
	t.Helper()
	var a addressBody
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("address body %s: %v", r.body, err)
	}
	return a
}

// addresses lists the caller's book through the API.
func (s *service) addresses(t testing.TB, token string) []addressBody {
	t.Helper()
	resp := s.do(t, request{method: http.MethodGet, path: "/api/v1/users/me/addresses", token: token})
	if resp.status != http.StatusOK {
		t.Fatalf("list addresses: %d %s", resp.status, resp.body)
	}
	var list struct {
		Items []addressBody `json:"items"`
	}
	if err := json.Unmarshal(resp.body, &list); err != nil || list.Items == nil {
		t.Fatalf("list body %s: %v", resp.body, err)
	}
	return list.Items
}

func defaultIDs(book []addressBody) []string {
	var ids []string
	for _, a := range book {
		if a.Default {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func TestAddressBookLifecycle(t *testing.T) {
	s := newService(t, newDatabaseName())
	tok := s.register(t, shopper(uniqueEmail("book"))).AccessToken

	if got := s.addresses(t, tok); len(got) != 0 {
		t.Fatalf("new account's book: %+v", got)
	}
	resp := s.addAddress(t, tok, anAddress("Home"))
	if resp.status != http.StatusCreated {
		t.Fatalf("add: %d %s", resp.status, resp.body)
	}
	home := resp.address(t)
	if home.ID == "" || !home.Default || home.Country != "GB" || resp.header.Get("Location") != "/api/v1/users/me/addresses/"+home.ID {
		t.Fatalf("first address %+v (Location %q), want the default with its id", home, resp.header.Get("Location"))
	}
	work := s.addAddress(t, tok, anAddress("Work")).address(t)
	if work.Default {
		t.Fatalf("second address %+v became the default", work)
	}

	resp = s.do(t, request{method: http.MethodPost, path: "/api/v1/users/me/addresses/" + work.ID + "/default", token: tok})
	if resp.status != http.StatusOK || !resp.address(t).Default {
		t.Fatalf("make default: %d %s", resp.status, resp.body)
	}
	if got := defaultIDs(s.addresses(t, tok)); len(got) != 1 || got[0] != work.ID {
		t.Fatalf("defaults %v, want [%s]", got, work.ID)
	}

	changed := anAddress("Work")
	changed["city"] = "Paris"
	resp = s.do(t, request{method: http.MethodPut, path: "/api/v1/users/me/addresses/" + work.ID, token: tok, body: jsonOf(t, changed)})
	if a := resp.address(t); resp.status != http.StatusOK || a.City != "Paris" || !a.Default || a.ID != work.ID {
		t.Fatalf("replace: %d %s", resp.status, resp.body)
	}

	// The profile shows the same book.
	me := s.do(t, request{method: http.MethodGet, path: "/api/v1/users/me", token: tok})
	var profile struct {
		Addresses []addressBody `json:"addresses"`
	}
	if err := json.Unmarshal(me.body, &profile); err != nil || len(profile.Addresses) != 2 || profile.Addresses[1].City != "Paris" {
		t.Fatalf("profile addresses: %v %s", err, me.body)
	}

	// Deleting the default promotes the oldest remaining address.
	resp = s.do(t, request{method: http.MethodDelete, path: "/api/v1/users/me/addresses/" + work.ID, token: tok})
	if resp.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.status, resp.body)
	}
	book := s.addresses(t, tok)
	if len(book) != 1 || book[0].ID != home.ID || !book[0].Default {
		t.Fatalf("after deleting the default: %+v", book)
	}
}

func TestAddressBookRefusesBadInputAndStoresNothing(t *testing.T) {
	s := newService(t, newDatabaseName())
	tok := s.register(t, shopper(uniqueEmail("bad"))).AccessToken
	with := func(field string, value any) map[string]any {
		a := anAddress("Home")
		a[field] = value
		return a
	}
	cases := []struct {
		name, field string
		body        any
	}{
		{"missing name", "name", with("name", "")},
		{"missing line1", "line1", with("line1", " ")},
		{"bad country", "country", with("country", "GBR")},
		{"too long city", "city", with("city", strings.Repeat("c", domain.MaxAddressFieldLength+1))},
		{"wrong type", "postal_code", with("postal_code", 12345)},
		{"client-chosen id", "id", with("id", "mine")},
		{"client-chosen default", "default", with("default", true)},
		{"not JSON", "body", "{"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.addAddress(t, tok, tc.body)
			if resp.status != http.StatusBadRequest {
				t.Fatalf("status %d %s, want 400", resp.status, resp.body)
			}
			if p := resp.problem(t); p.Code != "validation_failed" || !hasFieldError(p, tc.field) {
				t.Fatalf("problem %+v, want validation_failed on %s", p, tc.field)
			}
		})
	}
	if got := s.addresses(t, tok); len(got) != 0 {
		t.Fatalf("bad input stored %+v", got)
	}

	// A bad replacement changes nothing either.
	saved := s.addAddress(t, tok, anAddress("Home")).address(t)
	resp := s.do(t, request{method: http.MethodPut, path: "/api/v1/users/me/addresses/" + saved.ID, token: tok, body: jsonOf(t, with("country", "x"))})
	if resp.status != http.StatusBadRequest || resp.problem(t).Code != "validation_failed" {
		t.Fatalf("bad replace: %d %s", resp.status, resp.body)
	}
	if got := s.addresses(t, tok); len(got) != 1 || got[0].Country != "GB" {
		t.Fatalf("after a bad replace: %+v", got)
	}

	if resp := s.do(t, request{method: http.MethodGet, path: "/api/v1/users/me/addresses"}); resp.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", resp.status)
	}
}

func TestAnotherUsersAddressIsNotFound(t *testing.T) {
	s := newService(t, newDatabaseName())
	owner := s.register(t, shopper(uniqueEmail("owner")))
	other := s.register(t, shopper(uniqueEmail("other")))
	a := s.addAddress(t, owner.AccessToken, anAddress("Home")).address(t)
	s.addAddress(t, other.AccessToken, anAddress("Other home"))

	for _, r := range []request{
		{method: http.MethodPut, path: "/api/v1/users/me/addresses/" + a.ID, body: jsonOf(t, anAddress("Stolen"))},
		{method: http.MethodDelete, path: "/api/v1/users/me/addresses/" + a.ID},
		{method: http.MethodPost, path: "/api/v1/users/me/addresses/" + a.ID + "/default"},
	} {
		r.token = other.AccessToken
		resp := s.do(t, r)
		if resp.status != http.StatusNotFound || resp.problem(t).Code != "not_found" {
			t.Fatalf("%s %s by another user: %d %s, want 404", r.method, r.path, resp.status, resp.body)
		}
	}
	if got := s.addresses(t, owner.AccessToken); len(got) != 1 || got[0].Name != "Home" || !got[0].Default {
		t.Fatalf("owner's book changed: %+v", got)
	}

	// The internal read answers the user's own token only.
	path := "/internal/v1/users/" + owner.User.ID + "/addresses/default"
	if resp := s.do(t, request{method: http.MethodGet, path: path, token: owner.AccessToken}); resp.status != http.StatusOK || resp.address(t).ID != a.ID {
		t.Fatalf("internal default with the owner's token: %d %s", resp.status, resp.body)
	}
	if resp := s.do(t, request{method: http.MethodGet, path: path, token: other.AccessToken}); resp.status != http.StatusForbidden {
		t.Fatalf("internal default with another token: %d %s, want 403", resp.status, resp.body)
	}
	if resp := s.do(t, request{method: http.MethodGet, path: path}); resp.status != http.StatusUnauthorized {
		t.Fatalf("internal default without a token: %d, want 401", resp.status)
	}
	empty := s.register(t, shopper(uniqueEmail("empty")))
	resp := s.do(t, request{method: http.MethodGet, path: "/internal/v1/users/" + empty.User.ID + "/addresses/default", token: empty.AccessToken})
	if resp.status != http.StatusNotFound {
		t.Fatalf("default of an empty book: %d %s, want 404", resp.status, resp.body)
	}
}

// TestConcurrentSavesKeepTheLimitAndOneDefault: more concurrent saves
// than the limit allows give exactly the limit's worth of addresses, the
// rest a 409, and exactly one default.
func TestConcurrentSavesKeepTheLimitAndOneDefault(t *testing.T) {
	s := newService(t, newDatabaseName())
	tok := s.register(t, shopper(uniqueEmail("race"))).AccessToken
	const tries = domain.MaxAddresses + 10
	statuses := make(chan int, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- s.addAddress(t, tok, anAddress(fmt.Sprint("Address ", i))).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[http.StatusCreated] != domain.MaxAddresses || count[http.StatusConflict] != tries-domain.MaxAddresses {
		t.Fatalf("statuses %v, want %d created and %d conflicts", count, domain.MaxAddresses, tries-domain.MaxAddresses)
	}
	book := s.addresses(t, tok)
	if len(book) != domain.MaxAddresses || len(defaultIDs(book)) != 1 {
		t.Fatalf("%d addresses with defaults %v, want %d and one default", len(book), defaultIDs(book), domain.MaxAddresses)
	}

	// Concurrent "make default" of different addresses leave one default.
	for _, a := range book[:10] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.do(t, request{method: http.MethodPost, path: "/api/v1/users/me/addresses/" + a.ID + "/default", token: tok})
		}()
	}
	wg.Wait()
	if got := defaultIDs(s.addresses(t, tok)); len(got) != 1 {
		t.Fatalf("defaults after concurrent changes: %v", got)
	}
}

// replica is a second users service over the same store (and so the same
// single writer, as one database has on the embedded default): its own use
// cases, hence its own per-user serialisation, so concurrent requests to
// both race on the version guard alone.
func (s *service) replica(t *testing.T) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hasher, err := security.NewPasswordHasher(testHashParams, 0)
	if err != nil {
		t.Fatal(err)
	}
	throttle := security.NewLoginThrottle(security.DefaultAccountPolicy, security.DefaultClientPolicy)
	accts := usecase.New(s.store, hasher, s.ring, throttle, usecase.Options{Logger: logger})
	verifier, err := api.NewLocalVerifier(ctx, s.ring, claims.DefaultIssuer, claims.DefaultAudience, logger)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Options{Service: "users", Logger: logger})
	api.New(accts, s.ring, verifier).Register(srv.Router())
	return &service{db: s.db, store: s.store, ring: s.ring, accounts: accts, router: srv.Router()}
}

// TestConcurrentSavesOnTwoReplicasRaceOnTheGuard: saves sent to two
// replicas at once never exceed the limit, never leave two defaults, and
// every 201 is an address stored (every other answer a 409).
func TestConcurrentSavesOnTwoReplicasRaceOnTheGuard(t *testing.T) {
	a := newService(t, newDatabaseName())
	b := a.replica(t)
	tok := a.register(t, shopper(uniqueEmail("replicas"))).AccessToken
	const tries = domain.MaxAddresses + 10
	statuses := make(chan int, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			statuses <- s.addAddress(t, tok, anAddress(fmt.Sprint("Address ", i))).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	book := a.addresses(t, tok)
	if count[http.StatusCreated]+count[http.StatusConflict] != tries || count[http.StatusCreated] != len(book) {
		t.Fatalf("statuses %v with %d stored: every 201 must be stored, every other answer a 409", count, len(book))
	}
	if len(book) > domain.MaxAddresses || len(book) < domain.MaxAddresses/2 || len(defaultIDs(book)) != 1 {
		t.Fatalf("%d addresses with defaults %v, want at most %d (and not starved) with one default", len(book), defaultIDs(book), domain.MaxAddresses)
	}
}
