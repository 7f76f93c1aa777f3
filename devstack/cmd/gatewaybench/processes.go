package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// startTimeout bounds how long a proxy may take to answer after starting.
const startTimeout = 30 * time.Second

// process is a proxy under measurement, running as a child process.
type process struct {
	cmd  *exec.Cmd
	base string
}

// stop asks the process to stop (SIGTERM) and kills it after 10s.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-exited
	}
}

// gatewayProcess is the gateway binary with its pprof endpoint.
type gatewayProcess struct {
	process
	pprofAddr string
	logPath   string
}

// startGateway builds the gateway (unless bin is given) and runs it with
// the catalog routes on upstream and the other upstreams (and the JWKS) on
// aux, with env added to the environment. Its JSON log (the access log included) goes to a file in dir, as it
// would to a container's log pipe.
func startGateway(ctx context.Context, bin, dir, upstream, aux, pin string, env []string) (*gatewayProcess, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("gateway dir: %w", err)
	}
	if bin == "" {
		bin = filepath.Join(dir, "gateway")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/mercato-shop/mercato/gateway/cmd/gateway")
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build gateway: %w: %s", err, out)
		}
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	pprofAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "gateway.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("gateway log: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := pinned(pin, bin)
	cmd.Env = append(os.Environ(),
		"HTTP_ADDR="+addr, "PPROF_ADDR="+pprofAddr,
		"CATALOG_URL="+upstream, "USERS_URL="+aux, "ORDERS_URL="+aux, "PAYMENTS_URL="+aux,
		"AUTH_JWKS_URL="+aux+"/.well-known/jwks.json",
		// wrk is one client address: budgets it cannot exhaust, so the
		// limiter is measured at work but never answers 429.
		"RATE_LIMIT_ADDR_READ=1000000000/1m", "RATE_LIMIT_ADDR_WRITE=1000000000/1m", "RATE_LIMIT_USER_READ=1000000000/1m",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start gateway: %w", err)
	}
	gw := &gatewayProcess{process: process{cmd: cmd, base: "http://" + addr}, pprofAddr: pprofAddr, logPath: logPath}
	if err := waitForOK(ctx, gw.base+"/healthz"); err != nil {
		gw.stop()
		tail, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("gateway: %w; log:\n%s", err, tail)
	}
	return gw, nil
}

// captureCPUProfile fetches a CPU profile of length seconds from the
// gateway's pprof endpoint into path; the channel reports the outcome.
func (g *gatewayProcess) captureCPUProfile(ctx context.Context, length time.Duration, path string) <-chan error {
	done := make(chan error, 1)
	go func() {
		seconds := max(1, int(length.Seconds()))
		done <- g.fetchProfile(ctx, fmt.Sprintf("profile?seconds=%d", seconds), path)
	}()
	return done
}

// fetchProfile writes the gateway's /debug/pprof/<name> into path.
func (g *gatewayProcess) fetchProfile(ctx context.Context, name, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+g.pprofAddr+"/debug/pprof/"+name, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch profile: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("profile endpoint answered %d: %s", resp.StatusCode, body)
	}
	if err == nil {
		err = os.WriteFile(path, body, 0o644)
	}
	return err
}

// logSummary is the size of the gateway's log.
func (g *gatewayProcess) logSummary() string {
	raw, err := os.ReadFile(g.logPath)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%d lines, %d MB", bytes.Count(raw, []byte("\n")), len(raw)>>20)
}

// nginxConfig runs one worker in the foreground, without an access log,
// keeping up to 64 idle connections to the upstream, and sets the same
// forwarding headers the gateway sets.
const nginxConfig = `worker_processes 1;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    upstream backend {
        server %[2]s;
        keepalive 64;
    }
    server {
        listen %[3]s;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
        }
    }
}
`

// startNginx runs nginx with nginxConfig in front of upstream, under pin.
func startNginx(ctx context.Context, bin, dir, upstream, pin string) (*process, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("%s not found (Debian: apt-get install -y nginx-light): %w", bin, err)
	}
	upstreamHost, err := hostPort(upstream)
	if err != nil {
		return nil, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, fmt.Appendf(nil, nginxConfig, dir, upstreamHost, addr), 0o644); err != nil {
		return nil, fmt.Errorf("nginx config: %w", err)
	}
	cmd := pinned(pin, path, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "nginx-error.log"))
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start nginx: %w", err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	if err := waitForOK(ctx, p.base+"/readyz"); err != nil {
		p.stop()
		return nil, fmt.Errorf("nginx: %w: %s", err, output.String())
	}
	return p, nil
}

func hostPort(base string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, base, nil)
	if err != nil {
		return "", fmt.Errorf("upstream URL %q: %w", base, err)
	}
	if _, _, err := net.SplitHostPort(req.URL.Host); err != nil {
		return "", fmt.Errorf("upstream URL %q needs host:port: %w", base, err)
	}
	return req.URL.Host, nil
}

// freeLoopbackAddr asks the kernel for a free loopback port. Another
// process could take it before the proxy binds it; the proxy then fails
// to start and the run says so.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// waitForOK polls url until it answers 200, for up to startTimeout.
func waitForOK(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var lastErr error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %d", url, resp.StatusCode)
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("not up within %s", startTimeout), lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
