package cli

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/devstack/admin"
	"github.com/mercato-shop/mercato/devstack/supervisor"
	"github.com/mercato-shop/mercato/platform/metrics"
)

// TestStatusShowsREDFromTheServicesMetrics runs `devstack status` against
// an admin endpoint supervising one process whose /metrics is a real
// service registry receiving traffic during the status window.
func TestStatusShowsREDFromTheServicesMetrics(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary:", err)
	}
	sup := supervisor.New(supervisor.Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), GracePeriod: 5 * time.Second})
	t.Cleanup(func() { _ = sup.Stop() })
	for _, name := range []string{"busy", "gone"} {
		if err := sup.Start(supervisor.Spec{Name: name, Path: sleep, Args: []string{"300"}}); err != nil {
			t.Fatal(err)
		}
	}

	gin.SetMode(gin.ReleaseMode)
	reg := metrics.NewRegistry("busy")
	m, err := metrics.NewHTTP(reg, "busy")
	if err != nil {
		t.Fatal(err)
	}
	engine := gin.New()
	engine.Use(m.Middleware())
	engine.GET("/work", func(c *gin.Context) { c.Status(http.StatusOK) })
	engine.GET("/metrics", gin.WrapH(metrics.Handler(reg)))
	svc := httptest.NewServer(engine)
	t.Cleanup(svc.Close)

	mux := http.NewServeMux()
	mux.Handle("/", admin.Handler(sup))
	mux.Handle(admin.TargetsPath, admin.TargetsHandler(map[string]string{
		"busy": strings.TrimPrefix(svc.URL, "http://"),
		"gone": "127.0.0.1:1", // nothing listens: its columns are "-"
	}))
	adminSrv := httptest.NewServer(mux)
	t.Cleanup(adminSrv.Close)

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // traffic during the status window
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if resp, err := http.Get(svc.URL + "/work"); err == nil {
				_ = resp.Body.Close()
			}
			time.Sleep(5 * time.Millisecond) // about 200 requests/s at most
		}
	}()
	var out bytes.Buffer
	err = status([]string{"-admin", strings.TrimPrefix(adminSrv.URL, "http://")}, &out)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(line)
		rows[f[0]] = f
	}
	if h := rows["SERVICE"]; len(h) < 8 || h[5] != "REQ/S" || h[6] != "5XX/S" || h[7] != "P99" {
		t.Fatalf("header %v\n%s", h, out.String())
	}
	busy := rows["busy"]
	if len(busy) < 8 || busy[5] == "0.0/s" || busy[5] == "-" || busy[6] != "0.0/s" || !strings.HasSuffix(busy[7], "ms") {
		t.Errorf("busy row %v, want a request rate, no errors and a p99 in ms\n%s", busy, out.String())
	}
	if gone := rows["gone"]; len(gone) < 8 || gone[5] != "-" || gone[7] != "-" {
		t.Errorf("unscrapable row %v, want dashes\n%s", gone, out.String())
	}
}
