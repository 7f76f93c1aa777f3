package deploy_test

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// secretValue stands for a value that comes from a Secret.
const secretValue = "(secret)"

// runtimeVars are read by the Go runtime, not by a service's configuration.
var runtimeVars = map[string]bool{"GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true, "GODEBUG": true,
	"OTEL_EXPORTER_OTLP_ENDPOINT": true} // read by the OpenTelemetry SDK (platform/tracing)

// k8sEnv is the environment a container gets: env entries (secret refs as
// secretValue) and every key of the ConfigMaps it loads with envFrom.
func k8sEnv(m *manifests, c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef != nil {
			if cm := m.ConfigMaps[from.ConfigMapRef.Name]; cm != nil {
				for k, v := range cm.Data {
					env[from.Prefix+k] = v
				}
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = secretValue
		default:
			env[e.Name] = e.Value
		}
	}
	return env
}

func TestContainersLoadOnlyConfigMapsThatExistAndNoWholeSecrets(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		for _, w := range m.workloads() {
			for _, c := range w.Pod.Spec.Containers {
				for _, from := range c.EnvFrom {
					if from.SecretRef != nil {
						// Keys of an uncommitted Secret cannot be checked:
						// name each secret variable with secretKeyRef.
						t.Errorf("%s: %s: envFrom a whole Secret %s", dir, w.Name, from.SecretRef.Name)
					}
					if from.ConfigMapRef != nil && m.ConfigMaps[from.ConfigMapRef.Name] == nil {
						t.Errorf("%s: %s: envFrom ConfigMap %s that the overlay does not render", dir, w.Name, from.ConfigMapRef.Name)
					}
				}
			}
		}
	}
}

// deploymentEnvs returns, per service, the environment compose and each
// kustomization give it, keyed by a description of the source.
func deploymentEnvs(t *testing.T) map[string]map[string]map[string]string {
	t.Helper()
	p := composeProject(t)
	out := map[string]map[string]map[string]string{}
	for _, svc := range services {
		out[svc] = map[string]map[string]string{"docker-compose.yml": composeEnv(t, p, svc)}
		for _, dir := range append([]string{"k8s/base"}, overlays...) {
			d := render(t, dir).Deployments[svc]
			if d == nil || len(d.Spec.Template.Spec.Containers) == 0 {
				t.Fatalf("%s: no Deployment %s", dir, svc)
			}
			out[svc][dir] = k8sEnv(render(t, dir), d.Spec.Template.Spec.Containers[0])
		}
	}
	return out
}

func TestEveryVariableWithoutDefaultIsSet(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	for svc, sources := range deploymentEnvs(t) {
		for _, name := range cfgs[svc].mustSetNames() {
			for source, env := range sources {
				if _, ok := env[name]; !ok {
					t.Errorf("%s: %s reads %s, which has no default, but %s does not set it", source, svc, name, source)
				}
			}
		}
	}
}

func TestEveryVariableSetIsReadByTheService(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	for svc, sources := range deploymentEnvs(t) {
		for source, env := range sources {
			for name := range env {
				if _, ok := cfgs[svc].Vars[name]; !ok && !runtimeVars[name] {
					t.Errorf("%s sets %s for %s, whose configuration does not read it (typo, or a variable it dropped?)", source, name, svc)
				}
			}
		}
	}
}

func TestPortsAgreeAcrossConfigDockerfileComposeAndManifests(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	envs := deploymentEnvs(t)
	for _, svc := range services {
		port, err := portOf(cfgs[svc].DefaultAddr)
		if err != nil {
			t.Fatalf("%s: %v", svc, err)
		}
		want := strconv.Itoa(port)
		df := images[svc].facts(t)
		if len(df.Expose) != 1 || df.Expose[0] != want {
			t.Errorf("%s image (Dockerfile, PORT=%d) EXPOSE %v, config default port %s", svc, servicePorts[svc], df.Expose, want)
		}
		if got := df.Env["HTTP_ADDR"]; got != "" && got != ":"+want {
			t.Errorf("%s image ENV HTTP_ADDR=%s, config default port %s", svc, got, want)
		}
		for source, env := range envs[svc] {
			if got := env["HTTP_ADDR"]; got != ":"+want {
				t.Errorf("%s: %s HTTP_ADDR=%q, want :%s", source, svc, got, want)
			}
		}
		for _, dir := range append([]string{"k8s/base"}, overlays...) {
			m := render(t, dir)
			checkManifestPorts(t, dir, m, svc, port)
		}
	}
}

func checkManifestPorts(t *testing.T, dir string, m *manifests, svc string, port int) {
	t.Helper()
	d := m.Deployments[svc]
	c := d.Spec.Template.Spec.Containers[0]
	if len(c.Ports) != 1 || int(c.Ports[0].ContainerPort) != port {
		t.Errorf("%s: %s containerPort %v, want %d", dir, svc, c.Ports, port)
	}
	if got := d.Spec.Template.Annotations["prometheus.io/port"]; got != strconv.Itoa(port) {
		t.Errorf("%s: %s prometheus.io/port %q, want %d", dir, svc, got, port)
	}
	s := m.Services[svc]
	if s == nil || len(s.Spec.Ports) != 1 {
		t.Errorf("%s: Service %s must have one port", dir, svc)
		return
	}
	// The Service port equals the container port, so http://<svc>:<port>
	// is the same URL on compose and Kubernetes.
	sp := s.Spec.Ports[0]
	if int(sp.Port) != port {
		t.Errorf("%s: Service %s port %d, want %d", dir, svc, sp.Port, port)
	}
	if target, ok := containerPort(c, sp.TargetPort.String()); !ok || int(target) != port {
		t.Errorf("%s: Service %s targetPort %s does not reach the container port %d", dir, svc, sp.TargetPort.String(), port)
	}
}

// internalPorts are the ports in-cluster URLs must use, by host name.
func internalPorts(t *testing.T) map[string]int {
	t.Helper()
	ports := map[string]int{"stripe-emulator": 12111}
	for svc, cfg := range readAllServiceConfigs(t) {
		p, err := portOf(cfg.DefaultAddr)
		if err != nil {
			t.Fatalf("%s: %v", svc, err)
		}
		ports[svc] = p
	}
	return ports
}

func TestServiceURLsPointAtTheRightPorts(t *testing.T) {
	ports := internalPorts(t)
	for svc, sources := range deploymentEnvs(t) {
		for source, env := range sources {
			names := mapKeys(env)
			sort.Strings(names)
			for _, name := range names {
				value := env[name]
				if !strings.HasPrefix(value, "http://") {
					continue
				}
				u, err := url.Parse(value)
				if err != nil {
					t.Errorf("%s: %s %s=%q: %v", source, svc, name, value, err)
					continue
				}
				want, known := ports[u.Hostname()]
				if known && u.Port() != strconv.Itoa(want) {
					t.Errorf("%s: %s %s=%s: %s listens on %d", source, svc, name, value, u.Hostname(), want)
				}
			}
		}
	}
}

// sharedPrefixes name the variables every service must see with one value:
// the token issuer and audience users signs and the others verify, and the
// Kafka cluster they all talk through.
var sharedPrefixes = []string{"AUTH_ISSUER", "AUTH_AUDIENCE", "KAFKA_"}

func TestSharedVariablesAgreeAcrossServices(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	envs := deploymentEnvs(t)
	type seen struct{ svc, value string }
	for _, source := range append([]string{"docker-compose.yml", "k8s/base"}, overlays...) {
		first := map[string]seen{}
		for _, svc := range services {
			for name := range cfgs[svc].Vars {
				if !hasAnyPrefix(name, sharedPrefixes) {
					continue
				}
				value, set := envs[svc][source][name]
				if !set {
					value = cfgs[svc].Vars[name].Default
				}
				if prev, ok := first[name]; ok && prev.value != value {
					t.Errorf("%s: %s=%q for %s but %q for %s", source, name, value, svc, prev.value, prev.svc)
				} else if !ok {
					first[name] = seen{svc, value}
				}
			}
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
