package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// caddyConfig serves one site on plain HTTP with reverse_proxy to the
// upstream: no admin endpoint, no automatic HTTPS, no access log (Caddy
// logs no requests unless told to), the forwarding headers Caddy sets by
// itself (X-Forwarded-For, -Proto, -Host) and a request id, like nginx's.
const caddyConfig = `{
	admin off
	auto_https off
	storage file_system %[1]s/caddy-data
}
http://%[3]s {
	reverse_proxy %[2]s {
		header_up X-Request-ID {http.request.uuid}
	}
}
`

// startCaddy runs Debian's caddy with caddyConfig in front of upstream,
// under pin (a taskset CPU list; empty: not pinned).
func startCaddy(ctx context.Context, bin, dir, upstream, pin string) (*process, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("%s not found (Debian: apt-get install -y caddy): %w", bin, err)
	}
	upstreamHost, err := hostPort(upstream)
	if err != nil {
		return nil, err
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(confPath, fmt.Appendf(nil, caddyConfig, dir, upstreamHost, addr), 0o644); err != nil {
		return nil, fmt.Errorf("caddy config: %w", err)
	}
	cmd := pinned(pin, path, "run", "--config", confPath, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start caddy: %w", err)
	}
	p := &process{cmd: cmd, base: "http://" + addr}
	if err := waitForOK(ctx, p.base+"/readyz"); err != nil {
		p.stop()
		return nil, fmt.Errorf("caddy: %w: %s", err, output.String())
	}
	return p, nil
}

// pinned is the command bin args, run under taskset -c pin when pin is set.
// taskset execs the program, so the pid is the program's.
func pinned(pin, bin string, args ...string) *exec.Cmd {
	if pin == "" {
		return exec.Command(bin, args...)
	}
	return exec.Command("taskset", append([]string{"-c", pin, bin}, args...)...)
}

// pinSelf moves every thread of this process (the built-in upstream) to
// the CPUs of pin.
func pinSelf(pin string) error {
	if pin == "" {
		return nil
	}
	out, err := exec.Command("taskset", "-a", "-c", "-p", pin, fmt.Sprint(os.Getpid())).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset self: %w: %s", err, out)
	}
	return nil
}
