package deploy_test

import (
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// writableRootAllowed names the third-party images whose start scripts write
// into the image (dev-only Kafka and MongoDB); every other container runs on
// a read-only root filesystem.
var writableRootAllowed = map[string]bool{"kafka": true, "mongodb": true}

func TestEveryContainerIsHardenedAndBounded(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		for _, w := range m.workloads() {
			checkPodSecurity(t, dir, w)
			for _, c := range w.Pod.Spec.Containers {
				where := dir + ": " + w.Kind + " " + w.Name + " container " + c.Name
				checkContainer(t, where, c, writableRootAllowed[w.Name])
			}
			if len(w.Pod.Spec.InitContainers) > 0 {
				t.Errorf("%s: %s %s: init containers are not checked by these tests", dir, w.Kind, w.Name)
			}
		}
	}
}

func checkPodSecurity(t *testing.T, dir string, w workload) {
	t.Helper()
	spec := w.Pod.Spec
	where := dir + ": " + w.Kind + " " + w.Name
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("%s: automountServiceAccountToken must be false", where)
	}
	psc := spec.SecurityContext
	for _, c := range spec.Containers {
		csc := c.SecurityContext
		nonRoot := (psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot) ||
			(csc != nil && csc.RunAsNonRoot != nil && *csc.RunAsNonRoot)
		if !nonRoot {
			t.Errorf("%s: container %s: runAsNonRoot not set", where, c.Name)
		}
		seccomp := (psc != nil && psc.SeccompProfile != nil && psc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault) ||
			(csc != nil && csc.SeccompProfile != nil && csc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault)
		if !seccomp {
			t.Errorf("%s: container %s: seccomp profile must be RuntimeDefault", where, c.Name)
		}
	}
}

func checkContainer(t *testing.T, where string, c corev1.Container, writableRoot bool) {
	t.Helper()
	if c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil {
		t.Errorf("%s: needs startup, readiness and liveness probes", where)
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[res]
		lim, hasLim := c.Resources.Limits[res]
		if !hasReq || !hasLim {
			t.Errorf("%s: %s request and limit are both required", where, res)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %s above limit %s", where, res, req.String(), lim.String())
		}
	}
	sc := c.SecurityContext
	if sc == nil {
		t.Errorf("%s: no securityContext", where)
		return
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation must be false", where)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", where)
	}
	if sc.Capabilities == nil || !dropsAll(sc.Capabilities.Drop) || len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: capabilities must drop ALL and add none", where)
	}
	if !writableRoot && (sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem) {
		t.Errorf("%s: readOnlyRootFilesystem must be true", where)
	}
	if err := checkImageTag(c.Image); err != "" {
		t.Errorf("%s: image %q: %s", where, c.Image, err)
	}
}

func dropsAll(caps []corev1.Capability) bool {
	for _, c := range caps {
		if c == "ALL" {
			return true
		}
	}
	return false
}

// checkImageTag returns why an image reference is not pinned, or "".
func checkImageTag(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= slash {
		return "no tag (implies latest)"
	}
	tag := image[colon+1:]
	if tag == "" || tag == "latest" || strings.Contains(tag, "$") {
		return "tag must be a fixed version, not " + tag
	}
	return ""
}

func TestImageTagCheck(t *testing.T) {
	for image, pinned := range map[string]bool{
		"ghcr.io/mercato-shop/mercato-users:0.1.0": true, "mongo:8.0.12": true,
		"registry:5000/x@sha256:abc": true, "mongo": false, "mongo:latest": false,
		"registry:5000/mercato-users": false,
	} {
		if got := checkImageTag(image) == ""; got != pinned {
			t.Errorf("checkImageTag(%q) pinned = %v, want %v", image, got, pinned)
		}
	}
}

func TestServiceDeploymentsRollSafelyAndDrain(t *testing.T) {
	cfgs := readAllServiceConfigs(t)
	for _, dir := range overlays {
		m := render(t, dir)
		for _, svc := range services {
			d := m.Deployments[svc]
			if d == nil {
				t.Errorf("%s: no Deployment %s", dir, svc)
				continue
			}
			where := dir + ": Deployment " + svc
			checkRollingUpdate(t, where, d)
			if len(d.Spec.Template.Spec.Containers) != 1 {
				t.Errorf("%s: want exactly one container", where)
				continue
			}
			c := d.Spec.Template.Spec.Containers[0]
			checkHTTPProbe(t, where+" startupProbe", c, c.StartupProbe, "/healthz")
			checkHTTPProbe(t, where+" livenessProbe", c, c.LivenessProbe, "/healthz")
			checkHTTPProbe(t, where+" readinessProbe", c, c.ReadinessProbe, "/readyz")

			var preStop time.Duration
			if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
				t.Errorf("%s: needs a preStop sleep (the image has no shell)", where)
			} else {
				preStop = time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
			}
			drain := shutdownTimeout(t, m, cfgs[svc], c)
			grace := d.Spec.Template.Spec.TerminationGracePeriodSeconds
			if grace == nil || time.Duration(*grace)*time.Second <= preStop+drain {
				t.Errorf("%s: terminationGracePeriodSeconds %v must exceed preStop %s + SHUTDOWN_TIMEOUT %s",
					where, grace, preStop, drain)
			}
			if m.HPAs[svc] == nil || m.HPAs[svc].Spec.ScaleTargetRef.Name != svc || m.HPAs[svc].Spec.ScaleTargetRef.Kind != "Deployment" {
				t.Errorf("%s: no HorizontalPodAutoscaler targeting it", where)
			}
		}
	}
}

func checkRollingUpdate(t *testing.T, where string, d *appsv1.Deployment) {
	t.Helper()
	s := d.Spec.Strategy
	if s.Type != appsv1.RollingUpdateDeploymentStrategyType || s.RollingUpdate == nil ||
		s.RollingUpdate.MaxUnavailable == nil || s.RollingUpdate.MaxUnavailable.IntValue() != 0 ||
		s.RollingUpdate.MaxUnavailable.String() != "0" {
		t.Errorf("%s: rolling update with maxUnavailable 0 required", where)
	}
	if s.RollingUpdate != nil && s.RollingUpdate.MaxSurge != nil && s.RollingUpdate.MaxSurge.String() == "0" {
		t.Errorf("%s: maxSurge 0 with maxUnavailable 0 cannot roll", where)
	}
}

// checkHTTPProbe checks a probe is an HTTP GET of path on the container's port.
func checkHTTPProbe(t *testing.T, where string, c corev1.Container, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: must be an HTTP GET of %s", where, path)
		return
	}
	if p.HTTPGet.Path != path {
		t.Errorf("%s: path %s, want %s", where, p.HTTPGet.Path, path)
	}
	if _, ok := containerPort(c, p.HTTPGet.Port.String()); !ok {
		t.Errorf("%s: port %s is not a port of the container", where, p.HTTPGet.Port.String())
	}
}

// containerPort resolves a port name or number against the container's ports.
func containerPort(c corev1.Container, nameOrNumber string) (int32, bool) {
	for _, p := range c.Ports {
		if p.Name == nameOrNumber || itoa(p.ContainerPort) == nameOrNumber {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

// shutdownTimeout is the SHUTDOWN_TIMEOUT the container gets: its env or
// ConfigMaps, else the configuration's default.
func shutdownTimeout(t *testing.T, m *manifests, cfg serviceConfig, c corev1.Container) time.Duration {
	t.Helper()
	value, ok := k8sEnv(m, c)["SHUTDOWN_TIMEOUT"]
	if !ok {
		value = cfg.Vars["SHUTDOWN_TIMEOUT"].Default
	}
	d, err := time.ParseDuration(value)
	if err != nil {
		t.Errorf("SHUTDOWN_TIMEOUT %q: %v", value, err)
	}
	return d
}

func TestEveryWorkloadHasAServiceAndADisruptionBudget(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		for _, w := range m.workloads() {
			podLabels := labels.Set(w.Pod.Labels)
			hasService := false
			for _, s := range m.Services {
				if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) {
					hasService = true
				}
			}
			if !hasService {
				t.Errorf("%s: %s %s: no Service selects its pods", dir, w.Kind, w.Name)
			}
			hasPDB := false
			for _, pdb := range m.PDBs {
				sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
				if err != nil {
					t.Errorf("%s: PDB %s: %v", dir, pdb.Name, err)
					continue
				}
				if !sel.Empty() && sel.Matches(podLabels) {
					hasPDB = true
				}
			}
			if !hasPDB {
				t.Errorf("%s: %s %s: no PodDisruptionBudget covers its pods", dir, w.Kind, w.Name)
			}
		}
	}
}
