package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mercato-shop/mercato/devstack/stack"
)

// startPrometheus starts Prometheus scraping st when the binary is on the
// PATH, loading the repository's alert rules when it finds them. It returns
// the banner lines (how to get Prometheus when it is missing) and a stop
// function (a no-op when nothing started).
func startPrometheus(ctx context.Context, st *stack.Stack, logger *slog.Logger) ([]string, func()) {
	var rules []string
	if wd, err := os.Getwd(); err == nil {
		if root, err := stack.FindRepoRoot(wd); err == nil {
			if path := filepath.Join(root, stack.AlertsFile); fileExists(path) {
				rules = append(rules, path)
			}
		}
	}
	prom, err := stack.StartPrometheus(ctx, stack.PrometheusOptions{
		Dir:       filepath.Join(st.DataDir(), "prometheus"),
		Targets:   st.ScrapeTargets(),
		RuleFiles: rules,
	})
	switch {
	case errors.Is(err, stack.ErrNoPrometheus):
		return []string{"Prometheus         not installed: apt-get install prometheus (Debian/Ubuntu) and re-run to get metrics and alerts;",
			"                   dashboards: docker compose --profile observability up (docs/operations.md)"}, func() {}
	case err != nil:
		logger.Warn("prometheus did not start", "err", err)
		return []string{"Prometheus         failed to start: " + err.Error()}, func() {}
	}
	line := "Prometheus         " + prom.URL() + "   (alerts: " + prom.URL() + "/alerts; graphs: " + prom.URL() + "/graph)"
	if len(rules) == 0 {
		line = "Prometheus         " + prom.URL() + "   (no alert rules: " + stack.AlertsFile + " not found from the working directory)"
	}
	return []string{line},
		func() {
			if err := prom.Close(); err != nil {
				logger.Warn("stopping prometheus", "err", err)
			}
		}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
