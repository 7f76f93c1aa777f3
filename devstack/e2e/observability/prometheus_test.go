package observability_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/admin"
	"github.com/mercato-shop/mercato/devstack/stack"
)

type account struct {
	Email string
	Token string
}

func (e *env) register(role string) account {
	e.t.Helper()
	email := unique(role) + "@obs.mercato.test"
	body := map[string]any{"email": email, "password": "correct horse battery", "name": "Obs " + role, "role": role}
	if role == "merchant" {
		body["store_name"] = "Store " + email
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	e.must(http.StatusCreated, &out, http.MethodPost, "/api/v1/auth/register", "", body)
	return account{Email: email, Token: out.AccessToken}
}

type order struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
}

// checkout buys one unit of productID with paymentMethod and waits until
// the order is paid or cancelled.
func (e *env) checkout(productID, paymentMethod string) order {
	e.t.Helper()
	s := e.register("shopper")
	e.must(http.StatusOK, nil, http.MethodPut, "/api/v1/cart/items/"+productID, s.Token, map[string]int64{"quantity": 1})
	var o order
	e.must(http.StatusAccepted, &o, http.MethodPost, "/api/v1/checkout", s.Token, map[string]any{
		"payment_method": paymentMethod,
		"shipping_address": map[string]any{"name": "Ada Lovelace", "line1": "12 Analytical Row", "city": "London",
			"postal_code": "N1 9GU", "country": "GB"},
	}, "Idempotency-Key", unique("key"))
	eventually(e.t, 60*time.Second, "order "+o.ID+" settled", func() (bool, string) {
		e.must(http.StatusOK, &o, http.MethodGet, "/api/v1/orders/"+o.ID, s.Token, nil)
		return o.Status == "paid" || o.Status == "cancelled", o.Status
	})
	return o
}

// TestPrometheusSeesTheJourneyAndTheBreaker is the SRE's view of one
// journey: the series the dashboards and alerts read exist in a real
// Prometheus with the values the journey implies.
func TestPrometheusSeesTheJourneyAndTheBreaker(t *testing.T) {
	e := start(t)

	// The journey: a merchant lists a product, one shopper pays, one is
	// declined, a login succeeds and one fails.
	m := e.register("merchant")
	var p struct {
		ID string `json:"id"`
	}
	e.must(http.StatusCreated, &p, http.MethodPost, "/api/v1/merchant/products", m.Token, map[string]any{
		"sku": unique("SKU-"), "name": unique("Lamp "), "description": "observed", "category": "obs",
		"price": map[string]any{"amount": 2500, "currency": "USD"}, "stock": 10, "images": []string{},
	})
	if o := e.checkout(p.ID, "pm_card_visa"); o.Status != "paid" {
		t.Fatalf("visa checkout ended %s (%s)", o.Status, o.CancelReason)
	}
	if o := e.checkout(p.ID, "pm_card_chargeDeclined"); o.Status != "cancelled" || o.CancelReason != "payment_declined" {
		t.Fatalf("declined checkout ended %s (%s)", o.Status, o.CancelReason)
	}
	e.must(http.StatusOK, nil, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": m.Email, "password": "correct horse battery"})
	e.must(http.StatusUnauthorized, nil, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": m.Email, "password": "wrong horse battery"})

	t.Run("every service is scraped and ready", func(t *testing.T) {
		e.expect(t, `count(up == 1)`, "every service up", atLeast(float64(len(e.st.ScrapeTargets()))))
		e.expect(t, `mercato_service_ready`, "ready", func(v float64) bool { return v == 1 })
	})
	t.Run("RED per route and per upstream", func(t *testing.T) {
		e.expect(t, `sum(mercato_http_requests_total{job="gateway",method="POST",route="/api/v1/checkout",status="202"})`, "checkouts", atLeast(2))
		e.expect(t, `sum(mercato_http_requests_total{job="users",route="/api/v1/auth/login",status="401"})`, "failed login", atLeast(1))
		e.expect(t, `histogram_quantile(0.99, sum by (le) (mercato_http_request_duration_seconds_bucket{job="orders"}))`, "orders p99", func(v float64) bool { return v > 0 && v < 10 })
		e.expect(t, `sum(mercato_breaker_calls_total{job="gateway",name="orders",result="success"})`, "gateway to orders", atLeast(2))
		e.expect(t, `sum(mercato_breaker_call_duration_seconds_count{job="gateway",name="catalog"})`, "gateway to catalog timed", atLeast(1))
		e.expect(t, `sum(mercato_mongodb_command_duration_seconds_count{job="orders",outcome="ok"})`, "orders store commands", atLeast(1))
	})
	t.Run("saga counters hold the paid and the declined order", func(t *testing.T) {
		e.expect(t, `sum(mercato_orders_placed_total)`, "placed", atLeast(2))
		e.expect(t, `sum(mercato_orders_transitions_total{from="awaiting_payment",to="paid"})`, "paid", atLeast(1))
		e.expect(t, `sum(mercato_orders_cancelled_total{reason="payment_declined"})`, "declined", atLeast(1))
		e.expect(t, `sum(mercato_orders_state_duration_seconds_count{state="pending"})`, "time in pending", atLeast(2))
		e.expect(t, `sum(mercato_catalog_reservations_total{outcome="reserved"})`, "reservations", atLeast(2))
		e.expect(t, `sum(mercato_payments_stripe_request_duration_seconds_count{op="create_payment_intent"})`, "stripe calls", atLeast(2))
		e.expect(t, `sum(mercato_payments_stripe_errors_total{op="create_payment_intent",kind="card_error"})`, "declined card", atLeast(1))
		e.expect(t, `sum(mercato_users_logins_total{result="success"})`, "login", atLeast(1))
		e.expect(t, `mercato_orders_overdue`, "nothing overdue", func(v float64) bool { return v == 0 })
	})
	t.Run("consumer lag and outbox drain", func(t *testing.T) {
		e.expect(t, `sum by (group) (mercato_kafka_consumer_messages_handled_total{job="orders",topic="payments.events"})`, "orders handled payments", atLeast(2))
		e.expect(t, `count(mercato_kafka_consumer_lag{group="catalog",topic="orders.events"})`, "lag per partition", atLeast(1))
		e.expect(t, `max(mercato_kafka_consumer_lag)`, "caught up", func(v float64) bool { return v == 0 })
		e.expect(t, `sum(mercato_outbox_published_total{job="orders"})`, "orders published", atLeast(4))
		e.expect(t, `max(mercato_outbox_backlog)`, "outbox drained", func(v float64) bool { return v == 0 })
		e.expect(t, `max(mercato_outbox_oldest_entry_age_seconds)`, "no old entry", func(v float64) bool { return v == 0 })
	})
	t.Run("the SLO recording rules evaluate on live traffic", func(t *testing.T) {
		eventually(t, 30*time.Second, "availability SLI 0 while browsing", func() (bool, string) {
			_, _ = e.call(http.MethodGet, "/api/v1/products?limit=1", "", nil, nil) // keep traffic flowing
			res, err := e.query(`mercato:gateway_availability:error_ratio_rate5m == 0`)
			return err == nil && len(res) == 1, fmt.Sprint(res, err)
		})
	})
	t.Run("dashboards name only scraped series", func(t *testing.T) { e.checkDashboards(t) })
	t.Run("every service's metrics pass promtool check metrics", func(t *testing.T) {
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			t.Skip("no promtool")
		}
		for name, addr := range e.st.ScrapeTargets() {
			resp, err := httpClient.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = resp.Body
			out, err := cmd.CombinedOutput()
			_ = resp.Body.Close()
			if err != nil || len(bytes.TrimSpace(out)) > 0 {
				t.Errorf("%s: promtool check metrics: %v\n%s", name, err, out)
			}
		}
	})
	t.Run("devstack status reads RED from /metrics", func(t *testing.T) {
		gw := e.st.ScrapeTargets()["gateway"]
		before, err := admin.ScrapeRED(t.Context(), httpClient, "http://"+gw+"/metrics")
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		for range 20 {
			if status, err := e.call(http.MethodGet, "/api/v1/products?limit=1", "", nil, nil); err != nil || status != http.StatusOK {
				t.Fatalf("browse: %d %v", status, err)
			}
		}
		after, err := admin.ScrapeRED(t.Context(), httpClient, "http://"+gw+"/metrics")
		if err != nil {
			t.Fatal(err)
		}
		red := admin.REDBetween(before, after, time.Since(begin).Seconds())
		if red.Rate <= 0 || red.ErrorRate != 0 || !(red.P99 > 0) {
			t.Fatalf("gateway RED %+v over 20 requests", red)
		}
	})
	t.Run("killing catalog opens the gateway's breaker, and it closes again", func(t *testing.T) { e.killCatalog(t) })
}

// killCatalog SIGKILLs catalog (the supervisor restarts it after
// restartDelay), keeps browsing through the gateway, and watches the
// breaker open, the alerts go pending, and the breaker close again.
func (e *env) killCatalog(t *testing.T) {
	e.expect(t, `mercato_breaker_state{job="gateway",name="catalog"}`, "closed", func(v float64) bool { return v == 0 })
	victim, _ := e.st.Supervisor().StatusOf("catalog")
	if err := syscall.Kill(victim.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // browse like shoppers while catalog is down and back
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			_, _ = e.call(http.MethodGet, "/api/v1/products?limit=1", "", nil, nil)
			time.Sleep(50 * time.Millisecond) // a shopper's pace
		}
	}()
	defer func() { close(stop); <-done }()
	e.expect(t, `max_over_time(mercato_breaker_state{job="gateway",name="catalog"}[1m])`, "open", func(v float64) bool { return v == 2 })
	e.expect(t, `sum(mercato_breaker_calls_total{job="gateway",name="catalog",result="rejected"})`, "rejected", atLeast(1))
	e.expect(t, `count(ALERTS{alertname="CircuitBreakerOpen",job="gateway",name="catalog"})`, "alert pending", atLeast(1))
	e.expect(t, `count(ALERTS{alertname="ServiceNotReady",job="catalog"})`, "catalog not ready pending", atLeast(1))
	eventually(t, restartDelay+60*time.Second, "catalog back and the breaker closed", func() (bool, string) {
		res, err := e.query(`mercato_breaker_state{job="gateway",name="catalog"} == 0 and on() up{job="catalog"} == 1`)
		if err != nil {
			return false, err.Error()
		}
		return len(res) == 1, fmt.Sprint(res)
	})
}

// eventOnly are series that exist only once their event happened (a vector
// without children is not exported): no retry, dead letter, failed publish
// or failed store command happens on a healthy journey. The deploy tests
// check that the code defines them.
var eventOnly = map[string]bool{
	"mercato_kafka_consumer_messages_retried_total":       true,
	"mercato_kafka_consumer_handler_errors_total":         true,
	"mercato_kafka_consumer_messages_dead_lettered_total": true,
	"mercato_outbox_publish_errors_total":                 true,
}

// recordRule finds the recording rules of the rule file.
var recordRule = regexp.MustCompile(`(?m)^\s*- record: (\S+)`)

var (
	promqlNoise    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|\{[^}]*\}|\[[^\]]*\]|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	promqlKeywords = map[string]bool{"and": true, "or": true, "unless": true, "offset": true, "bool": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
)

// metricNames are the metric names a PromQL query reads (as in
// deploy/observability_test.go).
func metricNames(expr string) []string {
	cleaned := promqlNoise.ReplaceAllString(expr, " ")
	var out []string
	for _, loc := range promqlIdent.FindAllStringIndex(cleaned, -1) {
		name := cleaned[loc[0]:loc[1]]
		if strings.HasPrefix(strings.TrimLeft(cleaned[loc[1]:], " \t\n"), "(") || promqlKeywords[strings.ToLower(name)] {
			continue
		}
		if loc[0] > 0 && (cleaned[loc[0]-1] >= '0' && cleaned[loc[0]-1] <= '9' || cleaned[loc[0]-1] == '.') {
			continue
		}
		out = append(out, name)
	}
	return out
}

// checkDashboards compares every dashboard query's metric names with the
// names Prometheus scraped (and the rules it recorded).
func (e *env) checkDashboards(t *testing.T) {
	resp, err := httpClient.Get(e.prom.URL() + "/api/v1/label/__name__/values")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data []string `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	scraped := map[string]bool{}
	for _, n := range body.Data {
		scraped[n] = true
	}
	b, err := os.ReadFile(filepath.Join(e.root, stack.AlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range recordRule.FindAllSubmatch(b, -1) {
		scraped[string(m[1])] = true
	}
	files, err := filepath.Glob(filepath.Join(e.root, "deploy/observability/grafana/dashboards/*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards: %v", err)
	}
	checked := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				for _, name := range metricNames(tg.Expr) {
					checked++
					if !scraped[name] && !eventOnly[name] {
						t.Errorf("%s, panel %q: %s is not among the scraped series", filepath.Base(f), p.Title, name)
					}
				}
			}
		}
	}
	if checked < 40 {
		t.Fatalf("only %d metric names in the dashboards", checked)
	}
}
