package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// raw sends a request with a body exactly as given (nil: none); stream
// sends it chunked, with no Content-Length, so only reading it finds its
// size. auth is the whole Authorization header.
func (a *api) raw(method, path, auth string, body []byte, stream bool, header map[string]string) (response, error) {
	var rd io.Reader
	switch {
	case body != nil && stream:
		rd = struct{ io.Reader }{bytes.NewReader(body)} // hides the length
	case body != nil:
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b, took: time.Since(start)}, nil
}

func bearer(token string) string { return "Bearer " + token }

// jwtSegment is the base64url JSON of v, as in a JWT.
func jwtSegment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers always encode
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeJWT returns a token's header and claims.
func decodeJWT(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token has %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("access token part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("access token part %d: %v", i, err)
		}
	}
	return header, claims
}

// forgedTokens derives, from a shopper's valid access token, tokens that
// claim more (the merchant role of merchantID) or are no longer valid:
// unsigned (alg none), tampered claims under the original signature, signed
// by a key that is not the users service's, HS256 keyed with the public
// key, and correctly signed but expired.
func forgedTokens(t *testing.T, shopperToken, merchantID string) map[string]string {
	t.Helper()
	header, claims := decodeJWT(t, shopperToken)
	kid, _ := header["kid"].(string)
	elevated := map[string]any{}
	for k, v := range claims {
		elevated[k] = v
	}
	elevated["roles"] = []string{"shopper", "merchant", "admin"}
	elevated["merchant_id"] = merchantID
	signature := shopperToken[strings.LastIndexByte(shopperToken, '.')+1:]

	_, strangerKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	expired := map[string]any{}
	for k, v := range claims {
		expired[k] = v
	}
	expired["iat"] = time.Now().Add(-2 * time.Hour).Unix()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	hmacKey := strangerKey.Public().(ed25519.PublicKey)
	return map[string]string{
		"alg none":        jwtSegment(map[string]any{"alg": "none", "typ": "JWT", "kid": kid}) + "." + jwtSegment(elevated) + ".",
		"tampered claims": jwtSegment(header) + "." + jwtSegment(elevated) + "." + signature,
		"foreign key":     signEdDSA(strangerKey, kid, elevated),
		"HS256 confusion": signHS256(hmacKey, kid, elevated),
		"expired":         signEdDSA(usersSigningKey(t, kid), kid, expired),
		"garbage":         "not.a.jwt",
	}
}

func signEdDSA(key ed25519.PrivateKey, kid string, claims map[string]any) string {
	input := jwtSegment(map[string]any{"alg": "EdDSA", "typ": "JWT", "kid": kid}) + "." + jwtSegment(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(input)))
}

func signHS256(key []byte, kid string, claims map[string]any) string {
	input := jwtSegment(map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + jwtSegment(claims)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// usersSigningKey reads the users service's signing key kid from its
// store, the one way to sign a token that is genuine but expired.
func usersSigningKey(t *testing.T, kid string) ed25519.PrivateKey {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(suite(t).MongoURI()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	var doc struct {
		PrivateKey string `bson:"private_key"`
	}
	// The users service's database and collection (users/internal/store).
	if err := client.Database("users").Collection("signing_keys").FindOne(ctx, bson.M{"_id": kid}).Decode(&doc); err != nil {
		t.Fatalf("signing key %s: %v", kid, err)
	}
	seed, err := base64.StdEncoding.DecodeString(doc.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		t.Fatalf("signing key %s: seed of %d bytes: %v", kid, len(seed), err)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// emulatorEvent is one event the Stripe emulator sent, as it sent it.
type emulatorEvent struct {
	ID      string
	Type    string
	Payload []byte
}

// orderEvents returns the emulator's events about an order and whether
// all of them are delivered (acknowledged with 2xx, no retry pending).
func orderEvents(t *testing.T, orderID string) ([]emulatorEvent, bool) {
	t.Helper()
	var out []emulatorEvent
	done := true
	for _, d := range suite(t).Stripe().Deliveries() {
		payload := emulatorEventPayload(t, d.EventID)
		var ev struct {
			Data struct {
				Object struct {
					Metadata map[string]string `json:"metadata"`
				} `json:"object"`
			} `json:"data"`
		}
		if json.Unmarshal(payload, &ev) != nil || ev.Data.Object.Metadata["order_id"] != orderID {
			continue
		}
		out = append(out, emulatorEvent{ID: d.EventID, Type: d.Type, Payload: payload})
		done = done && d.Done && d.Delivered > 0
	}
	return out, done
}

// eventPayloads caches the emulator's events by id (events never change).
var eventPayloads = map[string][]byte{}

// emulatorEventPayload reads an event from the emulator's API, as sent.
func emulatorEventPayload(t *testing.T, id string) []byte {
	t.Helper()
	if p, ok := eventPayloads[id]; ok {
		return p
	}
	em := suite(t).Stripe()
	req, err := http.NewRequest(http.MethodGet, em.URL()+"/v1/events/"+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", bearer(em.SecretKey()))
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("emulator event %s: %d %v", id, resp.StatusCode, err)
	}
	eventPayloads[id] = payload
	return payload
}

// forgedTokenCases send valid requests, each of which would change
// something, with every forged token and a few malformed headers.
func (w *hostileWorld) forgedTokenCases() []hostile {
	product, order := "/api/v1/merchant/products/"+w.product.ID, "/api/v1/orders/"+w.order.ID
	requests := []hostile{
		{method: http.MethodGet, path: "/api/v1/users/me"},
		{method: http.MethodPost, path: "/api/v1/auth/logout", body: js(map[string]string{"refresh_token": w.shopper.Refresh})},
		{method: http.MethodPost, path: "/api/v1/merchant/products", body: js(productBody())},
		{method: http.MethodPatch, path: product, body: []byte(`{"name":"pwned"}`)},
		{method: http.MethodPost, path: product + "/stock", body: []byte(`{"delta":5}`)},
		{method: http.MethodDelete, path: product},
		{method: http.MethodPut, path: "/api/v1/cart/items/" + w.product.ID, body: []byte(`{"quantity":5}`)},
		{method: http.MethodDelete, path: "/api/v1/cart"},
		{method: http.MethodPost, path: "/api/v1/checkout", body: js(checkoutBody("pm_card_visa")), header: map[string]string{"Idempotency-Key": unique("hostile")}},
		{method: http.MethodGet, path: order},
		{method: http.MethodPost, path: order + "/cancel"},
		{method: http.MethodPost, path: "/api/v1/merchant/orders/" + w.order.ID + "/ship"},
		{method: http.MethodGet, path: "/api/v1/payments/" + w.order.ID},
		{method: http.MethodGet, path: "/api/v1/merchant/analytics/summary"},
	}
	auths := map[string]string{
		"no scheme":      w.shopper.Token,
		"Basic scheme":   "Basic " + base64.StdEncoding.EncodeToString([]byte(w.shopper.Email+":correct horse battery")),
		"empty bearer":   "Bearer ",
		"operator token": bearer(`{"$gt":""}`),
	}
	for name, token := range w.forged {
		auths[name] = bearer(token)
	}
	var cs []hostile
	for name, auth := range auths {
		for _, r := range requests {
			r.name, r.auth, r.want = "token "+name+": "+r.method+" "+r.path, auth, unauthorized
			cs = append(cs, r)
		}
	}
	return cs
}

// webhookCases post Stripe events that are replayed, stale, unsigned,
// signed with another secret, tampered or malformed.
func (w *hostileWorld) webhookCases() []hostile {
	secret := suite(w.a.t).Stripe().WebhookSecret()
	now := time.Now()
	hook := func(name string, payload []byte, signature string, want []int) hostile {
		h := hostile{name: "webhook: " + name, method: http.MethodPost, path: "/api/v1/payments/webhooks/stripe", body: payload, want: want}
		if signature != "" {
			h.header = map[string]string{"Stripe-Signature": signature}
		}
		return h
	}
	sign := func(payload []byte) string { return stripeemu.SignatureHeader(payload, secret, now) }
	replayed := w.succeeded
	// The same event, now claiming the payment failed, under a new id.
	var ev map[string]any
	if err := json.Unmarshal(replayed, &ev); err != nil {
		w.a.t.Fatalf("webhook event: %v", err)
	}
	ev["id"], ev["type"] = unique("evt_forged"), "payment_intent.payment_failed"
	failed := js(ev)
	data := ev["data"].(map[string]any)["object"].(map[string]any)
	data["metadata"] = map[string]any{"order_id": map[string]any{"$gt": ""}}
	ev["id"] = unique("evt_operator")
	operator := js(ev)
	large := []byte(`{"id":"evt_large","padding":"` + strings.Repeat("p", 100<<10) + `"}`)
	huge := []byte(`{"id":"evt_huge","padding":"` + strings.Repeat("p", 2*maxBodyBytes) + `"}`)
	duplicate := func(r response) error {
		var ack struct {
			Result string `json:"result"`
		}
		if err := json.Unmarshal(r.body, &ack); err != nil || ack.Result != "duplicate" {
			return fmt.Errorf("replayed event acknowledged as %s, want result duplicate", r)
		}
		return nil
	}
	// Signatures dated in the future are not among the cases: stripe-go's
	// webhook.ConstructEvent (DESIGN §6) checks only the age of a
	// signature, and only Stripe, holding the secret, can make one.

	// A replay of a processed event is acknowledged (Stripe would retry
	// anything else for days) and applied no second time.
	replay := hook("replayed event", replayed, sign(replayed), []int{http.StatusOK})
	replay.check = duplicate
	return []hostile{
		replay,
		hook("replayed with its signature from 10 minutes ago", replayed, stripeemu.SignatureHeader(replayed, secret, now.Add(-10*time.Minute)), badRequest),
		hook("no signature", failed, "", badRequest),
		hook("another secret", failed, stripeemu.SignatureHeader(failed, "whsec_forged", now), badRequest),
		hook("signature of another body", failed, sign(replayed), badRequest),
		hook("garbage signature", failed, "t=1,v1=deadbeef", badRequest),
		hook("signed malformed JSON", []byte(`{"id":`), sign([]byte(`{"id":`)), badRequest),
		hook("signed JSON array", []byte(`[]`), sign([]byte(`[]`)), badRequest),
		hook("signed operator metadata", operator, sign(operator), badRequest),
		hook("100 KiB body", large, sign(large), tooLarge),
		hook("2 MiB body", huge, sign(huge), tooLarge),
	}
}
