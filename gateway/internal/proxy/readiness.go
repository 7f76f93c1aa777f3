package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/mercato-shop/mercato/platform/health"
)

// Checks returns one readiness check per upstream, named after it, that
// asks the upstream's own /readyz (bounded by Options.ReadyTimeout). The
// probes bypass the breakers, so they neither count as traffic nor get
// rejected while a breaker is open; a failing probe's error names the
// breaker state too.
func (g *Gateway) Checks() []health.Check {
	checks := make([]health.Check, 0, len(upstreamNames))
	for _, name := range upstreamNames {
		u := g.upstreams[name]
		checks = append(checks, health.Check{
			Name:          name,
			Probe:         func(ctx context.Context) error { return g.probeReady(ctx, u) },
			Informational: true,
		})
	}
	return checks
}

func (g *Gateway) probeReady(ctx context.Context, u *upstream) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.target.JoinPath("readyz").String(), nil)
	if err != nil {
		return fmt.Errorf("build readiness probe: %w", err)
	}
	resp, err := g.readyClient.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable (breaker %s): %w", u.breaker.State(), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // lets the connection be reused
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz answered %d (breaker %s)", resp.StatusCode, u.breaker.State())
	}
	return nil
}
