package stack

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPrometheusConfigIsValidAndLoadsTheAlerts(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH (apt-get install prometheus)")
	}
	root, err := FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg := PrometheusConfig(map[string]string{"orders": "127.0.0.1:18083", "gateway": "127.0.0.1:18080"},
		[]string{filepath.Join(root, AlertsFile)}, 2*time.Second)
	for _, want := range []string{`job_name: "gateway"`, `targets: ["127.0.0.1:18083"]`, "scrape_interval: 2s", "alerts.yml"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %s:\n%s", want, cfg)
		}
	}
	path := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "config", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check config: %v\n%s\n%s", err, out, cfg)
	}
}

func TestStartPrometheusWithoutTheBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := StartPrometheus(t.Context(), PrometheusOptions{Dir: t.TempDir()}); !errors.Is(err, ErrNoPrometheus) {
		t.Fatalf("err = %v, want ErrNoPrometheus", err)
	}
}
