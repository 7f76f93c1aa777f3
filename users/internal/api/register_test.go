package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/outbox"
	"github.com/mercato-shop/mercato/users/internal/store"
)

func TestRegisterShopperAndMerchant(t *testing.T) {
	s := newService(t, newDatabaseName())
	verify := verifierFor(t, s.router)

	shopperEmail := uniqueEmail("Shopper")
	got := s.register(t, shopper("  "+strings.ToUpper(shopperEmail)+" "))
	if got.User.Email != strings.ToLower(shopperEmail) || got.User.Name != "Sam Shopper" || !slices.Equal(got.User.Roles, []string{"shopper"}) ||
		got.User.MerchantID != "" || got.User.ID == "" || got.User.Addresses == nil {
		t.Fatalf("shopper user = %+v", got.User)
	}
	if got.AccessToken == "" || got.RefreshToken == "" || got.ExpiresIn != 900 || got.TokenType != "Bearer" {
		t.Fatalf("shopper tokens = %+v", got)
	}
	caller, err := verify.Verify(context.Background(), got.AccessToken)
	if err != nil || caller.UserID != got.User.ID || caller.IsMerchant() || !caller.HasRole("shopper") {
		t.Fatalf("shopper token: caller %+v, err %v", caller, err)
	}

	m := s.register(t, merchant(uniqueEmail("merchant")))
	if !slices.Equal(m.User.Roles, []string{"merchant"}) || m.User.MerchantID == "" || m.User.StoreName != "Mia's Muffins" {
		t.Fatalf("merchant user = %+v", m.User)
	}
	caller, err = verify.Verify(context.Background(), m.AccessToken)
	if err != nil || caller.MerchantID != m.User.MerchantID || !caller.IsMerchant() {
		t.Fatalf("merchant token must carry its merchant_id: caller %+v, err %v", caller, err)
	}
	if m.User.MerchantID == m.User.ID {
		t.Fatal("merchant id must be its own tenant id, not the user id")
	}
}

func TestRegisterDuplicateEmailIsConflict(t *testing.T) {
	s := newService(t, newDatabaseName())
	email := uniqueEmail("dup")
	s.register(t, shopper(email))
	resp := s.post(t, "/api/v1/auth/register", merchant(strings.ToUpper(email)))
	if resp.status != http.StatusConflict || resp.problem(t).Code != "conflict" {
		t.Fatalf("second registration: %d %s", resp.status, resp.body)
	}
	if n := s.countUsers(t); n != 1 {
		t.Fatalf("%d users stored, want 1", n)
	}
}

// TestRegisterRefusesBadInputAndStoresNothing covers malformed JSON, wrong
// types, invalid and too long fields, and mass assignment: every refusal is
// a 400 problem naming the field, and no account is stored.
func TestRegisterRefusesBadInputAndStoresNothing(t *testing.T) {
	s := newService(t, newDatabaseName())
	long := func(n int) string { return strings.Repeat("x", n) }
	with := func(changes map[string]any) string {
		body := merchant(uniqueEmail("bad"))
		for k, v := range changes {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		return jsonOf(t, body)
	}
	cases := []struct {
		name   string
		body   string
		fields []string // every field the problem must name
	}{
		{"empty body", "", []string{"body"}},
		{"malformed JSON", `{"email": "a@example.com",`, []string{"body"}},
		{"not an object", `["a@example.com"]`, []string{"body"}},
		{"email of wrong type", with(map[string]any{"email": 42}), []string{"email"}},
		{"password of wrong type", with(map[string]any{"password": true}), []string{"password"}},
		{"invalid email", with(map[string]any{"email": "not-an-email"}), []string{"email"}},
		{"email with display name", with(map[string]any{"email": "Eve <eve@example.com>"}), []string{"email"}},
		{"too long email", with(map[string]any{"email": long(250) + "@example.com"}), []string{"email"}},
		{"short password", with(map[string]any{"password": "short"}), []string{"password"}},
		{"too long password", with(map[string]any{"password": long(129)}), []string{"password"}},
		{"too long name", with(map[string]any{"name": long(101)}), []string{"name"}},
		{"missing name", with(map[string]any{"name": nil}), []string{"name"}},
		{"merchant without store", with(map[string]any{"store_name": nil}), []string{"store_name"}},
		{"too long store name", with(map[string]any{"store_name": long(101)}), []string{"store_name"}},
		{"several problems at once", with(map[string]any{"email": "x", "password": "", "name": ""}), []string{"email", "password", "name"}},
		// Mass assignment: nothing but the documented fields is accepted.
		{"role admin", with(map[string]any{"role": "admin"}), []string{"role"}},
		{"own id", with(map[string]any{"id": "chosen-id"}), []string{"id"}},
		{"own merchant id", with(map[string]any{"merchant_id": "someone-elses-tenant"}), []string{"merchant_id"}},
		{"roles list", with(map[string]any{"roles": []string{"admin"}}), []string{"roles"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, request{method: http.MethodPost, path: "/api/v1/auth/register", body: tc.body})
			if resp.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.status, resp.body)
			}
			p := resp.problem(t)
			if p.Code != "validation_failed" {
				t.Fatalf("code %q", p.Code)
			}
			for _, field := range tc.fields {
				if !hasFieldError(p, field) {
					t.Fatalf("no error for field %q in %+v", field, p.Errors)
				}
			}
		})
	}
	if n := s.countUsers(t); n != 0 {
		t.Fatalf("%d users stored after refused registrations, want 0", n)
	}
}

func TestRegisterEmitsUserRegisteredInTheSameDocument(t *testing.T) {
	s := newService(t, newDatabaseName())
	m := s.register(t, merchant(uniqueEmail("event")))

	var doc struct {
		PasswordHash string         `bson:"password_hash"`
		Outbox       []outbox.Entry `bson:"outbox"`
	}
	if err := s.db.Read.Collection(store.UsersCollection).FindOne(context.Background(), bson.M{"_id": m.User.ID}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Outbox) != 1 || doc.Outbox[0].Topic != events.TopicUsers || doc.Outbox[0].Key != m.User.ID {
		t.Fatalf("outbox = %+v", doc.Outbox)
	}
	payload := doc.Outbox[0].Payload
	if strings.Contains(payload, "correct horse battery") || strings.Contains(payload, doc.PasswordHash) || strings.Contains(payload, "argon2") {
		t.Fatalf("event leaks a secret: %s", payload)
	}
	env, err := events.Parse([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	var data events.UserRegistered
	if err := env.Decode(&data); err != nil {
		t.Fatal(err)
	}
	if env.Type != events.TypeUserRegistered || env.Source != events.SourceUsers || env.Subject != m.User.ID ||
		data.UserID != m.User.ID || data.Email != m.User.Email || data.Name != m.User.Name ||
		!slices.Equal(data.Roles, []string{"merchant"}) || data.MerchantID != m.User.MerchantID {
		t.Fatalf("event %+v data %+v", env, data)
	}
}

// TestConcurrentRegistrationOfOneEmail: of simultaneous registrations of
// one address exactly one wins; the others get 409 and nothing else is
// stored.
func TestConcurrentRegistrationOfOneEmail(t *testing.T) {
	s := newService(t, newDatabaseName())
	email := uniqueEmail("race")
	const racers = 8
	statuses := make(chan int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := shopper(email)
			if i%2 == 1 {
				body["email"] = strings.ToUpper(email) // same address once normalised
			}
			statuses <- s.post(t, "/api/v1/auth/register", body).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusConflict] != racers-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409", count, racers-1)
	}
	if n := s.countUsers(t); n != 1 {
		t.Fatalf("%d users stored, want 1", n)
	}
}
