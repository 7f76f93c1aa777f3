package domain_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
)

func TestMoneyIsFormattedByCurrency(t *testing.T) {
	for _, c := range []struct {
		m    domain.Money
		want string
	}{
		{domain.Money{Amount: 1250, Currency: "EUR"}, "€12.50"},
		{domain.Money{Amount: 5, Currency: "USD"}, "$0.05"},
		{domain.Money{Amount: 500, Currency: "JPY"}, "¥500"},
		{domain.Money{Amount: 1250, Currency: "KWD"}, "1.250 KWD"},
		{domain.Money{Amount: 99900, Currency: "sek"}, "999.00 SEK"},
		{domain.Money{Amount: -300, Currency: "GBP"}, "-£3.00"},
	} {
		if got := c.m.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.m, got, c.want)
		}
	}
}

func TestPreferencesCannotTurnOffTransactionalKinds(t *testing.T) {
	p := domain.Preferences{UserID: "u1"}
	next, problems := p.Apply(map[string]bool{"order_shipped": false, "welcome": false})
	if len(problems) != 0 {
		t.Fatalf("problems %v", problems)
	}
	if next.Wants(domain.KindOrderShipped) || next.Wants(domain.KindWelcome) || !next.Wants(domain.KindOrderCancelled) {
		t.Errorf("disabled %v", next.Disabled)
	}
	again, _ := next.Apply(map[string]bool{"order_shipped": true})
	if !again.Wants(domain.KindOrderShipped) || again.Wants(domain.KindWelcome) {
		t.Errorf("after turning shipped back on: %v", again.Disabled)
	}
	_, problems = p.Apply(map[string]bool{"order_confirmed": false, "newsletter": true})
	fields := []string{}
	for _, pr := range problems {
		fields = append(fields, pr.Field)
	}
	if !slices.Equal(fields, []string{"enabled.newsletter", "enabled.order_confirmed"}) {
		t.Errorf("problems %v", problems)
	}
	if !(domain.Preferences{Disabled: []domain.Kind{domain.KindOrderConfirmed}}).Wants(domain.KindOrderConfirmed) {
		t.Error("a stored transactional opt-out must not stop the email")
	}
}

func TestNotificationIDsAreDeterministicPerEventRecipientAndKind(t *testing.T) {
	a := domain.NotificationID("e1", "u1", domain.KindOrderConfirmed)
	if a != domain.NotificationID("e1", "u1", domain.KindOrderConfirmed) {
		t.Fatal("same triple, different ids")
	}
	for _, other := range []string{
		domain.NotificationID("e2", "u1", domain.KindOrderConfirmed),
		domain.NotificationID("e1", "u2", domain.KindOrderConfirmed),
		domain.NotificationID("e1", "u1", domain.KindMerchantNewOrder),
		domain.NotificationID("e1u", "1", domain.KindOrderConfirmed),
	} {
		if other == a {
			t.Errorf("collision %s", other)
		}
	}
}

func TestRetryPolicyBacksOffExponentiallyAndGivesUp(t *testing.T) {
	p := domain.RetryPolicy{Min: time.Second, Max: 8 * time.Second, GiveUpAfter: time.Minute}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var pauses []time.Duration
	for attempt := 1; attempt <= 6; attempt++ {
		next, ok := p.Next(attempt, created, created)
		if !ok {
			t.Fatalf("gave up at attempt %d", attempt)
		}
		pauses = append(pauses, next.Sub(created))
	}
	want := []time.Duration{1, 2, 4, 8, 8, 8}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(pauses, want) {
		t.Errorf("pauses %v, want %v", pauses, want)
	}
	if _, ok := p.Next(3, created, created.Add(59*time.Second)); ok {
		t.Error("a retry past GiveUpAfter must give up")
	}
}

func TestSignatureVerifiesAndRefusesTamperingAndStaleness(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"e1"}`)
	header := domain.Sign("whsec_x", now, body)
	if !strings.HasPrefix(header, "t=1800000000,v1=") {
		t.Fatalf("header %q", header)
	}
	if err := domain.Verify("whsec_x", header, body, now, 5*time.Minute); err != nil {
		t.Fatalf("genuine: %v", err)
	}
	for name, check := range map[string]error{
		"tampered body": domain.Verify("whsec_x", header, []byte(`{"id":"e2"}`), now, 5*time.Minute),
		"other secret":  domain.Verify("whsec_y", header, body, now, 5*time.Minute),
		"stale":         domain.Verify("whsec_x", header, body, now.Add(10*time.Minute), 5*time.Minute),
		"no v1":         domain.Verify("whsec_x", "t=1800000000", body, now, 5*time.Minute),
	} {
		if check == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestURLPolicyRefusesPrivateAndLinkLocalTargets(t *testing.T) {
	prod, dev := domain.URLPolicy{}, domain.URLPolicy{AllowLoopback: true}
	for _, c := range []struct {
		url       string
		prod, dev bool
	}{
		{"https://hooks.example.com/mercato", true, true},
		{"https://203.0.113.7:8443/x", true, true},
		{"http://hooks.example.com/", false, false},
		{"http://169.254.169.254/", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"http://10.0.0.1/", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://192.168.1.10/", false, false},
		{"https://[fd00::1]/", false, false},
		{"https://[::ffff:10.0.0.1]/", false, false},
		{"https://0.0.0.0/", false, false},
		{"http://127.0.0.1:9000/hook", false, true},
		{"http://localhost:9000/hook", false, true},
		{"https://user:pw@hooks.example.com/", false, false},
		{"ftp://hooks.example.com/", false, false},
		{"hooks.example.com/x", false, false},
		{"", false, false},
	} {
		if got := prod.CheckURL(c.url) == nil; got != c.prod {
			t.Errorf("production %q allowed=%v, want %v", c.url, got, c.prod)
		}
		if got := dev.CheckURL(c.url) == nil; got != c.dev {
			t.Errorf("devstack %q allowed=%v, want %v", c.url, got, c.dev)
		}
	}
	if prod.CheckIP(netip.MustParseAddr("100.64.1.1")) == nil || prod.CheckIP(netip.MustParseAddr("8.8.8.8")) != nil {
		t.Error("CheckIP: CGNAT must be refused and a public address allowed")
	}
}

func TestEventTypesMustBeKnownAndDistinct(t *testing.T) {
	if err := domain.CheckEventTypes([]string{"order.paid", "order.refunded"}); err != nil {
		t.Error(err)
	}
	for _, bad := range [][]string{nil, {"order.exploded"}, {"order.paid", "order.paid"}} {
		if domain.CheckEventTypes(bad) == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
