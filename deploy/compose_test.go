package deploy_test

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

func init() {
	// compose-go warns on stderr about each unset variable; the tests
	// assert on the loader's errors instead.
	logrus.SetOutput(io.Discard)
}

// loadCompose loads docker-compose.yml with the Compose specification's own
// Go loader (validation, interpolation, merge keys), taking its variables
// from the given env files only (never from the developer's .env or shell).
func loadCompose(ctx context.Context, root string, envFiles ...string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithName("mercato"),
	)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// composeProject is docker-compose.yml loaded with .env.example, which proves
// the example sets every variable the file requires.
func composeProject(t *testing.T) *types.Project {
	t.Helper()
	root := repoRoot(t)
	p, err := loadCompose(t.Context(), root, filepath.Join(root, ".env.example"))
	if err != nil {
		t.Fatalf("docker-compose.yml with .env.example: %v", err)
	}
	return p
}

// composeEnv is a compose service's resolved environment.
func composeEnv(t *testing.T, p *types.Project, svc string) map[string]string {
	t.Helper()
	s, ok := p.Services[svc]
	if !ok {
		t.Fatalf("compose has no service %s", svc)
	}
	env := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			env[k] = *v
		} else {
			env[k] = ""
		}
	}
	return env
}

func TestComposeNeedsTheSecretsFromDotEnv(t *testing.T) {
	root := repoRoot(t)
	empty := filepath.Join(t.TempDir(), "empty.env")
	writeFile(t, empty, "")
	_, err := loadCompose(t.Context(), root, empty)
	if err == nil || !strings.Contains(err.Error(), "PASSWORD") {
		t.Fatalf("compose loaded without its secrets; want a required-variable error, got %v", err)
	}
}

func TestComposeRunsEverythingHealthChecked(t *testing.T) {
	p := composeProject(t)
	want := append([]string{"kafka", "mongo", "stripe-emulator", "mailpit"}, services...)
	for _, name := range want {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("compose has no service %s", name)
		}
	}
	for name, s := range p.Services {
		if err := checkImageTag(s.Image); err != "" {
			t.Errorf("%s: image %q: %s", name, s.Image, err)
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s: no health check", name)
		}
		if s.Restart == "" || s.Restart == "no" {
			t.Errorf("%s: no restart policy", name)
		}
		for dep, d := range s.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s: depends_on %s with condition %q, want service_healthy", name, dep, d.Condition)
			}
		}
		if name == "mailpit" {
			// Mailpit's page shows the sent emails, on loopback only.
			if len(s.Ports) != 1 || s.Ports[0].HostIP != "127.0.0.1" || s.Ports[0].Target != 8025 {
				t.Errorf("mailpit ports %+v, want its page (8025) on 127.0.0.1 only", s.Ports)
			}
		} else if name != "gateway" && len(s.Ports) > 0 {
			t.Errorf("%s: publishes ports; only the gateway is published", name)
		}
		if s.Deploy == nil || s.Deploy.Resources.Limits == nil || s.Deploy.Resources.Limits.MemoryBytes == 0 {
			t.Errorf("%s: no memory limit", name)
		}
	}
	if img := p.Services["kafka"].Image; !strings.HasPrefix(img, "apache/kafka:") {
		t.Errorf("kafka image %q, want the official apache/kafka", img)
	}
	if img := p.Services["mongo"].Image; !strings.HasPrefix(img, "mongo:") {
		t.Errorf("mongo image %q, want the official mongo", img)
	}
	if env := composeEnv(t, p, "kafka"); env["KAFKA_PROCESS_ROLES"] != "broker,controller" {
		t.Errorf("kafka is not in KRaft combined mode: KAFKA_PROCESS_ROLES=%q", env["KAFKA_PROCESS_ROLES"])
	}
}

func TestComposeMercatoContainersAreHardened(t *testing.T) {
	p := composeProject(t)
	for _, name := range append([]string{"stripe-emulator"}, services...) {
		s := p.Services[name]
		bin := images[name].Binary
		if s.HealthCheck == nil || strings.Join(s.HealthCheck.Test, " ") != "CMD "+bin+" healthcheck" {
			t.Errorf("%s: healthcheck %+v, want the binary's own healthcheck (exec form)", name, s.HealthCheck)
		}
		if !s.ReadOnly {
			t.Errorf("%s: root filesystem not read-only", name)
		}
		if !contains(s.CapDrop, "ALL") {
			t.Errorf("%s: cap_drop ALL missing", name)
		}
		if !contains(s.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("%s: no-new-privileges missing", name)
		}
		if s.Build == nil || filepath.Clean(s.Build.Context) != repoRoot(t) {
			t.Errorf("%s: build context must be the repository root", name)
		} else if img := images[name]; s.Build.Dockerfile != img.Dockerfile {
			t.Errorf("%s: builds %s, want %s", name, s.Build.Dockerfile, img.Dockerfile)
		} else {
			for arg, want := range img.Args {
				if got := s.Build.Args[arg]; got == nil || *got != want {
					t.Errorf("%s: build argument %s missing or not %s", name, arg, want)
				}
			}
		}
	}
}

func TestComposePublishesOnlyTheGateway(t *testing.T) {
	p := composeProject(t)
	gw := p.Services["gateway"]
	if len(gw.Ports) != 1 || gw.Ports[0].Published == "" {
		t.Fatalf("gateway ports %+v, want one published port", gw.Ports)
	}
	port, err := portOf(composeEnv(t, p, "gateway")["HTTP_ADDR"])
	if err != nil {
		t.Fatal(err)
	}
	if int(gw.Ports[0].Target) != port {
		t.Errorf("gateway publishes container port %d, but listens on %d", gw.Ports[0].Target, port)
	}
}

func TestComposeUsesTheStripeEmulatorUnlessConfigured(t *testing.T) {
	p := composeProject(t)
	if got := composeEnv(t, p, "payments")["STRIPE_API_URL"]; got != "http://stripe-emulator:12111" {
		t.Errorf("payments STRIPE_API_URL = %q with .env.example, want the emulator", got)
	}
	root := repoRoot(t)
	env := filepath.Join(t.TempDir(), "stripe.env")
	writeFile(t, env, readRepoFile(t, ".env.example")+
		"\nSTRIPE_API_URL=https://api.stripe.com\nSTRIPE_SECRET_KEY=sk_test_123\n")
	p2, err := loadCompose(t.Context(), root, env)
	if err != nil {
		t.Fatal(err)
	}
	got := composeEnv(t, p2, "payments")
	if got["STRIPE_API_URL"] != "https://api.stripe.com" || got["STRIPE_SECRET_KEY"] != "sk_test_123" {
		t.Errorf("payments ignores the Stripe settings of .env: %v", got)
	}
}
