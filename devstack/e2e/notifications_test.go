package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/testkit/mailsink"
)

// mail is one email the stack's SMTP sink received, parsed from its MIME.
type mail struct {
	mailsink.Parsed
	envelopeTo []string
}

// mailTo returns the emails to address whose subject contains part.
func mailTo(t *testing.T, address, part string) []mail {
	t.Helper()
	var out []mail
	for _, m := range suite(t).Mail().Messages() {
		p, err := mailsink.Parse(m.Raw)
		if err != nil {
			t.Fatalf("message %d: %v", m.ID, err)
		}
		if len(m.To) == 1 && m.To[0] == address && strings.Contains(p.Subject, part) {
			out = append(out, mail{Parsed: p, envelopeTo: m.To})
		}
	}
	return out
}

// waitMail waits until at least one email to address has part in its
// subject and returns them all.
func waitMail(t *testing.T, address, part string, limit time.Duration) []mail {
	t.Helper()
	var got []mail
	eventually(t, limit, "email to "+address+" about "+part, func() (bool, string) {
		got = mailTo(t, address, part)
		return len(got) > 0, fmt.Sprintf("%d emails in the sink", len(suite(t).Mail().Messages()))
	})
	return got
}

// mailUser is a registered user and its email address.
type mailUser struct {
	user
	email string
}

// registerMail registers a user of role and keeps its email address.
func (a *api) registerMail(role string) mailUser {
	a.t.Helper()
	name := unique(role)
	email := name + "@e2e.mercato.test"
	body := map[string]any{"email": email, "password": "correct horse battery", "name": "E2E " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Store " + name
	}
	var out registerAnswer
	a.must(http.StatusCreated, &out, http.MethodPost, "/api/v1/auth/register", "", body)
	return mailUser{user: user{ID: out.User.ID, MerchantID: out.User.MerchantID, Token: out.AccessToken}, email: email}
}

func TestPurchaseEmailsOneConfirmationToTheShopperAndOneToEachMerchant(t *testing.T) {
	a := newAPI(t)
	tea, pots := a.registerMail("merchant"), a.registerMail("merchant")
	word := unique("mail")
	sencha := a.createProduct(tea.user, "Sencha "+word, 1250, 20)
	teapot := a.createProduct(pots.user, "Teapot "+word, 3900, 5)
	shopper := a.registerMail("shopper")
	waitMail(t, shopper.email, "Welcome", 20*time.Second)
	a.addToCart(shopper.user, sencha.ID, 2)
	a.addToCart(shopper.user, teapot.ID, 1)
	o := a.checkout(shopper.user, unique("key"), "pm_card_visa")
	a.waitStatus(shopper.user, o.ID, "paid", "", 20*time.Second)

	conf := waitMail(t, shopper.email, "order "+o.ID+" confirmed", 20*time.Second)[0]
	if len(conf.To) != 1 || conf.To[0] != shopper.email || conf.MessageID == "" {
		t.Errorf("confirmation headers: To %v, Message-ID %q", conf.To, conf.MessageID)
	}
	for _, want := range []string{"2 × Sencha " + word, "1 × Teapot " + word, "Total: $64.00", "12 Analytical Row"} {
		if !strings.Contains(conf.Text, want) {
			t.Errorf("confirmation text lacks %q:\n%s", want, conf.Text)
		}
	}
	for _, want := range []string{"Sencha " + word, "Teapot " + word, "Total: $64.00"} {
		if !strings.Contains(conf.HTML, want) {
			t.Errorf("confirmation HTML lacks %q", want)
		}
	}
	teaMail := waitMail(t, tea.email, "new paid order "+o.ID, 20*time.Second)[0]
	potsMail := waitMail(t, pots.email, "new paid order "+o.ID, 20*time.Second)[0]
	if !strings.Contains(teaMail.Text, "Sencha "+word) || strings.Contains(teaMail.Text, "Teapot") || !strings.Contains(teaMail.Text, "$25.00") {
		t.Errorf("the tea merchant's email must list its own line only:\n%s", teaMail.Text)
	}
	if !strings.Contains(potsMail.Text, "Teapot "+word) || strings.Contains(potsMail.Text, "Sencha") {
		t.Errorf("the teapot merchant's email must list its own line only:\n%s", potsMail.Text)
	}

	// Shipping sends a later email about the same order, from the same
	// partition: once it is here, a duplicate confirmation would be too.
	a.must(http.StatusOK, nil, http.MethodPost, "/api/v1/merchant/orders/"+o.ID+"/ship", tea.Token, nil)
	waitMail(t, shopper.email, "order "+o.ID+" shipped", 20*time.Second)
	for who, n := range map[string]int{
		"shopper confirmations": len(mailTo(t, shopper.email, "order "+o.ID+" confirmed")),
		"tea merchant":          len(mailTo(t, tea.email, "new paid order "+o.ID)),
		"teapot merchant":       len(mailTo(t, pots.email, "new paid order "+o.ID)),
	} {
		if n != 1 {
			t.Errorf("%s: %d emails, want exactly 1", who, n)
		}
	}
}

func TestADeclinedCardSendsTheDeclineEmail(t *testing.T) {
	a := newAPI(t)
	m := a.registerMail("merchant")
	p := a.createProduct(m.user, unique("Kettle "), 4200, 5)
	s := a.registerMail("shopper")
	a.addToCart(s.user, p.ID, 1)
	o := a.checkout(s.user, unique("key"), "pm_card_chargeDeclined")
	a.waitStatus(s.user, o.ID, "cancelled", "payment_declined", 20*time.Second)
	got := waitMail(t, s.email, "payment for order "+o.ID+" declined", 20*time.Second)
	if len(got) != 1 || !strings.Contains(strings.ToLower(got[0].Text), "declined") || !strings.Contains(got[0].Text, "$42.00") {
		t.Fatalf("decline emails: %+v", got)
	}
	if n := len(mailTo(t, s.email, "confirmed")); n != 0 {
		t.Errorf("%d confirmations for a declined order", n)
	}
}

// hookReceiver is a merchant's endpoint on this machine (the devstack
// allows loopback webhooks): 500 to its first request, then 204.
type hookReceiver struct {
	mu       sync.Mutex
	requests int
	bodies   [][]byte
	sigs     []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.requests++
	if h.requests == 1 {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.bodies = append(h.bodies, body)
	h.sigs = append(h.sigs, r.Header.Get("Mercato-Signature"))
	w.WriteHeader(http.StatusNoContent)
}

func TestMerchantWebhooksThroughTheGateway(t *testing.T) {
	a := newAPI(t)
	m, rival := a.merchant(), a.merchant()
	rcv := &hookReceiver{}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	a.must(http.StatusCreated, &hook, http.MethodPost, "/api/v1/merchant/webhooks", m.Token,
		map[string]any{"url": srv.URL + "/hook", "event_types": []string{"order.paid"}})
	for _, target := range []string{"http://169.254.169.254/", "http://10.0.0.1/"} {
		r := a.do(http.MethodPost, "/api/v1/merchant/webhooks", m.Token, map[string]any{"url": target, "event_types": []string{"order.paid"}})
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "validation_failed") {
			t.Errorf("%s: %s, want a 400 problem", target, r)
		}
	}
	if r := a.do(http.MethodGet, "/api/v1/merchant/webhooks/"+hook.ID+"/deliveries", rival.Token, nil); r.status != http.StatusNotFound {
		t.Errorf("rival reads the deliveries: %s", r)
	}
	p := a.createProduct(m, unique("Whisk "), 1500, 5)
	s := a.shopper()
	a.addToCart(s, p.ID, 1)
	o := a.checkout(s, unique("key"), "pm_card_visa")
	a.waitStatus(s, o.ID, "paid", "", 20*time.Second)

	var deliveries struct {
		Items []struct {
			EventType string `json:"event_type"`
			Status    string `json:"status"`
			Attempts  int    `json:"attempts"`
		} `json:"items"`
	}
	eventually(t, 30*time.Second, "webhook delivered", func() (bool, string) {
		a.must(http.StatusOK, &deliveries, http.MethodGet, "/api/v1/merchant/webhooks/"+hook.ID+"/deliveries", m.Token, nil)
		return len(deliveries.Items) == 1 && deliveries.Items[0].Status == "sent", fmt.Sprintf("%+v", deliveries.Items)
	})
	if d := deliveries.Items[0]; d.Attempts != 2 || d.EventType != "order.paid" {
		t.Errorf("delivery %+v, want order.paid sent on the second attempt", d)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 1 {
		t.Fatalf("receiver accepted %d deliveries, want 1", len(rcv.bodies))
	}
	var payload struct {
		Type string `json:"type"`
		Data struct {
			OrderID string `json:"order_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(rcv.bodies[0], &payload); err != nil || payload.Data.OrderID != o.ID {
		t.Errorf("payload %s: %v", rcv.bodies[0], err)
	}
	if err := verifySignature(hook.Secret, rcv.sigs[0], rcv.bodies[0]); err != nil {
		t.Errorf("signature: %v", err)
	}
	tampered := strings.Replace(string(rcv.bodies[0]), o.ID, o.ID+"x", 1)
	if verifySignature(hook.Secret, rcv.sigs[0], []byte(tampered)) == nil {
		t.Error("a tampered body verified")
	}
}

func TestKilledOrdersAndNotificationsNeitherLoseNorDuplicateEmails(t *testing.T) {
	a := newAPI(t)
	st := suite(t)
	m := a.registerMail("merchant")
	p := a.createProduct(m.user, unique("Spoon "), 700, 100)
	const n = 8
	shoppers := make([]mailUser, n)
	for i := range shoppers {
		shoppers[i] = a.registerMail("shopper")
		a.addToCart(shoppers[i].user, p.ID, 1)
	}
	ids := make([]string, n)
	var wg sync.WaitGroup
	checkout := func(i int) {
		key := unique("key")
		deadline := time.Now().Add(60 * time.Second)
		for {
			r, err := a.call(http.MethodPost, "/api/v1/checkout", shoppers[i].Token, checkoutBody("pm_card_visa"), "Idempotency-Key", key)
			var o order
			if err == nil && r.status == http.StatusAccepted && json.Unmarshal(r.body, &o) == nil {
				ids[i] = o.ID
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("shopper %d: checkout never accepted: %v %v", i, r, err)
				return
			}
			time.Sleep(100 * time.Millisecond) // client retry backoff
		}
	}
	kill := func(name string) {
		victim, _ := st.Supervisor().StatusOf(name)
		if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
			t.Errorf("kill %s: %v", name, err)
		}
	}
	// Orders dies with the first half of the checkouts in flight.
	for i := range n / 2 {
		wg.Go(func() { checkout(i) })
	}
	kill("orders")
	wg.Wait()
	// Notifications dies while the first confirmations are being sent.
	for i := n / 2; i < n; i++ {
		wg.Go(func() { checkout(i) })
	}
	eventually(t, 30*time.Second, "a first confirmation", func() (bool, string) {
		return len(mailTo(t, shoppers[0].email, "confirmed")) > 0, ""
	})
	kill("notifications")
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	for i, s := range shoppers {
		o := a.waitStatus(s.user, ids[i], "paid", "", 60*time.Second)
		got := waitMail(t, s.email, "order "+o.ID+" confirmed", 60*time.Second)
		ids := map[string]bool{}
		for _, g := range got {
			ids[g.MessageID] = true
		}
		switch {
		case len(ids) != 1:
			t.Errorf("shopper %d: %d distinct confirmations, want 1", i, len(ids))
		case len(got) != 1:
			// Only a kill between the SMTP server's acceptance and the
			// record can resend, and then with the same Message-ID.
			t.Logf("shopper %d: the confirmation was sent %d times under the same Message-ID (kill between send and record)", i, len(got))
		}
	}
	eventually(t, 60*time.Second, "every merchant email", func() (bool, string) {
		return len(mailTo(t, m.email, "new paid order")) >= n, fmt.Sprint(len(mailTo(t, m.email, "new paid order")))
	})
	distinct := map[string]bool{}
	for _, g := range mailTo(t, m.email, "new paid order") {
		distinct[g.MessageID] = true
	}
	if len(distinct) != n {
		t.Errorf("merchant: %d distinct new-order emails for %d orders", len(distinct), n)
	}
}
