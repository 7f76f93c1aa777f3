package api_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/analytics/internal/api"
	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/store"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
	"github.com/mercato-shop/mercato/platform/auth"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/testkit/authtest"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

type fixture struct {
	svc *usecase.Service
	url string
	iss *authtest.Issuer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	gin.SetMode(gin.TestMode)
	db := embeddedtest.Database(t, config.Mongo{MongoReadPoolSize: 4})
	svc := usecase.New(store.New(db.Read, db.Write), nil, nil)
	iss := authtest.New(t)
	r := gin.New()
	api.Register(r.Group("", iss.Verifier(t).Require()), svc, api.Options{RefreshInterval: time.Minute})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	t.Cleanup(svc.Hub().Close)
	return &fixture{svc: svc, url: srv.URL, iss: iss}
}

func (f *fixture) merchant(id string) string {
	return f.iss.Token(auth.Caller{UserID: "u-" + id, Roles: []string{auth.RoleMerchant}, MerchantID: id})
}

func (f *fixture) get(t *testing.T, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (f *fixture) sell(t *testing.T, order, merchant, product string, unit, qty int64) {
	t.Helper()
	o := usecase.PaidOrder{OrderID: order, PaidAt: time.Now(), Lines: []domain.Line{
		{ProductID: product, Name: "=HYPERLINK(\"x\")", UnitPrice: unit, Currency: "USD", Quantity: qty},
	}}
	if err := f.svc.RecordSale(context.Background(), o, func(domain.Line) string { return merchant }); err != nil {
		t.Fatal(err)
	}
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEveryEndpointShowsTheCallersOwnFiguresOnly(t *testing.T) {
	f := newFixture(t)
	f.sell(t, "o-a", "m-a", "pa", 1500, 2)
	f.sell(t, "o-b", "m-b", "pb", 700, 1)
	a := f.merchant("m-a")

	d := decode[domain.Dashboard](t, f.get(t, "/api/v1/merchant/analytics/dashboard?merchant_id=m-b", a))
	if d.MerchantID != "m-a" || d.OrdersToday != 1 || d.RevenueToday[0].Amount != 3000 || d.LatestOrders[0].OrderID != "o-a" {
		t.Fatalf("merchant a's dashboard: %+v", d)
	}
	sum := decode[map[string]any](t, f.get(t, "/api/v1/merchant/analytics/summary", f.merchant("m-b")))
	if sum["merchant_id"] != "m-b" || sum["orders_today"] != float64(1) {
		t.Fatalf("merchant b's summary %v", sum)
	}
	report := decode[struct {
		MerchantID string             `json:"merchant_id"`
		Rows       []domain.ReportRow `json:"rows"`
	}](t, f.get(t, "/api/v1/merchant/reports/sales?format=json&merchant_id=m-b", a))
	var revenue int64
	for _, r := range report.Rows {
		revenue += r.Revenue
	}
	if report.MerchantID != "m-a" || len(report.Rows) != 30 || revenue != 3000 {
		t.Fatalf("merchant a's report: %s, %d rows, revenue %d", report.MerchantID, len(report.Rows), revenue)
	}
	admin := f.iss.Token(auth.Caller{UserID: "root", Roles: []string{auth.RoleAdmin}})
	if p := decode[domain.Dashboard](t, f.get(t, "/api/v1/merchant/analytics/dashboard", admin)); p.MerchantID != domain.Platform || p.OrdersToday != 2 {
		t.Fatalf("the admin's platform dashboard: %+v", p)
	}
	shopper := f.iss.Token(auth.Caller{UserID: "s1", Roles: []string{auth.RoleShopper}})
	for _, path := range []string{"/api/v1/merchant/analytics/dashboard", "/api/v1/merchant/analytics/stream", "/api/v1/merchant/reports/sales"} {
		if got := f.get(t, path, shopper).StatusCode; got != http.StatusForbidden {
			t.Errorf("%s as a shopper: %d", path, got)
		}
		if got := f.get(t, path, "").StatusCode; got != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d", path, got)
		}
	}
}

func TestTheCSVReportOpensInASpreadsheet(t *testing.T) {
	f := newFixture(t)
	f.sell(t, "o-1", "m-a", "pa", 1999, 3)
	today := time.Now().UTC().Format(time.DateOnly)
	from := time.Now().UTC().AddDate(-1, 0, 1).Format(time.DateOnly)
	resp := f.get(t, "/api/v1/merchant/reports/sales?from="+from+"&to="+today, f.merchant("m-a"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	if !strings.HasPrefix(body, "\uFEFFdate,currency,orders,lines,units,revenue,refunds,refunded,net\r\n") {
		t.Fatalf("no BOM and header: %q", body[:min(len(body), 80)])
	}
	if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
		t.Error("lines do not all end in CRLF")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+365 {
		t.Fatalf("%d rows for a year, want 366 with the header", len(rows))
	}
	if last := rows[len(rows)-1]; !slices.Equal(last, []string{today, "USD", "1", "1", "3", "59.97", "0", "0.00", "59.97"}) {
		t.Fatalf("today's row %q", last)
	}
	for _, bad := range []string{"?from=2025-01-01&to=2026-12-31", "?from=2026-12-02&to=2026-12-01", "?from=yesterday", "?format=xlsx"} {
		if got := f.get(t, "/api/v1/merchant/reports/sales"+bad, f.merchant("m-a")).StatusCode; got != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, got)
		}
	}
}

func TestSafeCellsNeutraliseFormulas(t *testing.T) {
	got := api.SafeCells("=1+1", "+A1", "-12.50", "@SUM(A1)", "-cmd|' /C calc'!A0", "plain", "", "\tx")
	want := []string{"'=1+1", "'+A1", "-12.50", "'@SUM(A1)", "'-cmd|' /C calc'!A0", "plain", "", "'\tx"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestTheStreamShowsASaleWithinASecondToItsMerchantOnly(t *testing.T) {
	f := newFixture(t)
	streamA := f.open(t, f.merchant("m-a"))
	streamB := f.open(t, f.merchant("m-b"))
	next(t, streamA, "dashboard", 5*time.Second)
	next(t, streamB, "dashboard", 5*time.Second)
	start := time.Now()
	f.sell(t, "o-live", "m-a", "pa", 100, 1)
	if ev := next(t, streamA, "sale", time.Second); !strings.Contains(ev, "o-live") {
		t.Fatalf("sale event %s", ev)
	}
	var d domain.Dashboard
	if err := json.Unmarshal([]byte(next(t, streamA, "dashboard", time.Second)), &d); err != nil || d.OrdersToday != 1 || d.Series[len(d.Series)-1].Orders != 1 {
		t.Fatalf("dashboard after the sale: %+v %v", d.OrdersToday, err)
	}
	t.Logf("sale on the stream after %s", time.Since(start))
	f.sell(t, "o-b", "m-b", "pb", 100, 1)
	if ev := next(t, streamB, "sale", time.Second); !strings.Contains(ev, "o-b") || strings.Contains(ev, "o-live") {
		t.Fatalf("merchant b's stream: %s", ev)
	}
}

type event struct{ name, data string }

func (f *fixture) open(t *testing.T, token string) <-chan event {
	t.Helper()
	resp := f.get(t, "/api/v1/merchant/analytics/stream", token)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan event, 64)
	go func() {
		defer close(out)
		r := bufio.NewReader(resp.Body)
		var ev event
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				out <- ev
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out
}

// next returns the data of the next event called name within limit.
func next(t *testing.T, events <-chan event, name string, limit time.Duration) string {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.name == name {
				return ev.data
			}
		case <-deadline:
			t.Fatalf("no %s event within %s", name, limit)
		}
	}
}
