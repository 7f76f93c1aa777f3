package cli

import (
	"context"
	"net/http"
	"time"

	"github.com/mercato-shop/mercato/devstack/admin"
)

// redWindow is how long `devstack status` watches the services' metrics
// to compute their request rate, error rate and p99.
const redWindow = 2 * time.Second

// redColumns are the RED columns of one service in the status table.
type redColumns struct{ rate, errors, p99 string }

// serviceRED scrapes every target's /metrics twice, redWindow apart, and
// returns each service's RED columns; a service that cannot be scraped
// gets "-" everywhere.
func serviceRED(ctx context.Context, targets map[string]string) map[string]redColumns {
	hc := &http.Client{Timeout: 3 * time.Second}
	scrape := func() map[string]admin.REDSample {
		out := map[string]admin.REDSample{}
		for name, addr := range targets {
			if s, err := admin.ScrapeRED(ctx, hc, "http://"+addr+"/metrics"); err == nil {
				out[name] = s
			}
		}
		return out
	}
	start := time.Now()
	before := scrape()
	select {
	case <-ctx.Done():
	case <-time.After(redWindow):
	}
	after := scrape()
	elapsed := time.Since(start).Seconds()
	cols := map[string]redColumns{}
	for name := range targets {
		b, okB := before[name]
		a, okA := after[name]
		if !okA || !okB {
			cols[name] = redColumns{"-", "-", "-"}
			continue
		}
		rate, errs, p99 := admin.FormatRED(admin.REDBetween(b, a, elapsed))
		cols[name] = redColumns{rate, errs, p99}
	}
	return cols
}
