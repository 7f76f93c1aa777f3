package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/platform/apperr"
)

func TestDashboardComparesWithYesterdayUpToTheSameMinute(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 30, 0, 0, time.UTC)
	today := domain.NewFigures(domain.Key{Owner: "m", Day: "2026-12-02"})
	yesterday := domain.NewFigures(domain.Key{Owner: "m", Day: "2026-12-01"})
	for range 4 {
		today.AddBehaviour(domain.Behaviour{Kind: domain.KindProductViewed, Time: now.Add(-time.Minute), ProductID: "p"})
	}
	today.AddBehaviour(domain.Behaviour{Kind: domain.KindAddedToCart, Time: now, ProductID: "p"})
	today.AddSale(domain.Sale{OrderID: "o", PaidAt: now, Status: domain.StatusPaid, Lines: []domain.Line{{ProductID: "p", UnitPrice: 250, Currency: "EUR", Quantity: 2}}})
	yesterday.AddBehaviour(domain.Behaviour{Kind: domain.KindProductViewed, Time: now.Add(-24*time.Hour - time.Minute), ProductID: "p"}) // 00:29 yesterday
	yesterday.AddBehaviour(domain.Behaviour{Kind: domain.KindProductViewed, Time: now.Add(-time.Hour), ProductID: "p"})                  // 23:30, in the window

	d := domain.BuildDashboard("m", now, today, yesterday)
	if d.Today.Views != 4 || d.YesterdaySoFar.Views != 1 || d.Yesterday.Views != 2 {
		t.Fatalf("views today %d, yesterday so far %d, yesterday %d", d.Today.Views, d.YesterdaySoFar.Views, d.Yesterday.Views)
	}
	if d.Currency != "EUR" || len(d.Series) != domain.WindowMinutes {
		t.Fatalf("currency %s, %d points", d.Currency, len(d.Series))
	}
	last, before := d.Series[len(d.Series)-1], d.Series[len(d.Series)-2]
	if last.Orders != 1 || last.Revenue != 500 || before.Views != 4 || d.Series[len(d.Series)-61].Views != 1 {
		t.Fatalf("series end %+v %+v, an hour ago %+v", before, last, d.Series[len(d.Series)-61])
	}
	want := []float64{1, 0.25, 0, 0}
	for i, s := range d.Funnel {
		if s.Rate != want[i] {
			t.Errorf("funnel step %s rate %v, want %v", s.Step, s.Rate, want[i])
		}
	}
}

func TestReportRange(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	days, err := domain.ReportRange("", "", now)
	if err != nil || len(days) != 30 || days[29] != "2026-12-02" || days[0] != "2026-11-03" {
		t.Fatalf("default range %v %v", days, err)
	}
	if days, err := domain.ReportRange("2025-12-02", "2026-12-02", now); err != nil || len(days) != 366 {
		t.Fatalf("a year and a day: %d %v", len(days), err)
	}
	for _, bad := range [][2]string{{"2025-12-01", "2026-12-02"}, {"2026-12-03", "2026-12-02"}, {"12/01/2026", ""}, {"", "soon"}} {
		if _, err := domain.ReportRange(bad[0], bad[1], now); !errors.Is(err, apperr.ErrValidation) {
			t.Errorf("%v: %v, want a validation error", bad, err)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{{1999, "USD", "19.99"}, {5, "EUR", "0.05"}, {-1250, "USD", "-12.50"}, {1500, "JPY", "1500"}, {0, "", "0.00"}} {
		if got := domain.FormatAmount(tc.minor, tc.currency); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

func TestNormaliseQuery(t *testing.T) {
	for in, want := range map[string]string{
		"  Red   Mug ": "red mug",
		"a\x00b\tc":    "a b c",
		"caf\xe9":      "caf",
		"ÉTÉ":          "été",
	} {
		if got := domain.NormaliseQuery(in); got != want {
			t.Errorf("NormaliseQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
