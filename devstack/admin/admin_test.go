package admin_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/devstack/admin"
	"github.com/mercato-shop/mercato/devstack/supervisor"
)

// newAdmin supervises two real `sleep` processes (ready while running)
// and serves the admin API for them.
func newAdmin(t *testing.T) (*admin.Client, *httptest.Server) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary:", err)
	}
	sup := supervisor.New(supervisor.Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), GracePeriod: 5 * time.Second})
	t.Cleanup(func() { _ = sup.Stop() })
	for _, name := range []string{"one", "two"} {
		if err := sup.Start(supervisor.Spec{Name: name, Path: sleep, Args: []string{"300"}}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(admin.Handler(sup))
	t.Cleanup(srv.Close)
	return &admin.Client{BaseURL: srv.URL}, srv
}

func byName(t *testing.T, list []admin.ServiceStatus) map[string]admin.ServiceStatus {
	t.Helper()
	m := map[string]admin.ServiceStatus{}
	for _, s := range list {
		m[s.Name] = s
	}
	return m
}

func TestRestartThroughTheAdminEndpoint(t *testing.T) {
	client, _ := newAdmin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	list, err := client.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := byName(t, list)
	if len(list) != 2 || list[0].Name != "one" || !before["one"].Running || !before["one"].Ready || before["one"].PID == 0 || before["one"].StartedAt == nil {
		t.Fatalf("services = %+v, want one and two running and ready", list)
	}

	got, err := client.Restart(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if got.PID == before["one"].PID || got.Restarts != 1 || !got.Ready || got.LastExit != "signal: terminated" {
		t.Errorf("after restart one = %+v, want a new ready pid, 1 restart, terminated by SIGTERM", got)
	}
	list, err = client.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if two := byName(t, list)["two"]; two.PID != before["two"].PID || two.Restarts != 0 {
		t.Errorf("two = %+v, want untouched (pid %d)", two, before["two"].PID)
	}
}

func TestUnknownServiceIsNotFound(t *testing.T) {
	client, srv := newAdmin(t)
	if _, err := client.Restart(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), "unknown service") {
		t.Errorf("Restart(nope) = %v, want unknown service", err)
	}
	resp, err := http.Get(srv.URL + "/services/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /services/nope = %d %s, want 404 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
