package deploy_test

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// manifests are the objects one kustomization renders, decoded strictly into
// the Kubernetes API types, by kind and name.
type manifests struct {
	Namespaces      map[string]*corev1.Namespace
	ConfigMaps      map[string]*corev1.ConfigMap
	Services        map[string]*corev1.Service
	Deployments     map[string]*appsv1.Deployment
	StatefulSets    map[string]*appsv1.StatefulSet
	PDBs            map[string]*policyv1.PodDisruptionBudget
	HPAs            map[string]*autoscalingv2.HorizontalPodAutoscaler
	NetworkPolicies map[string]*networkingv1.NetworkPolicy
	Ingresses       map[string]*networkingv1.Ingress
}

// workload is a Deployment or StatefulSet seen through its pod template.
type workload struct {
	Kind string
	Name string
	Pod  *corev1.PodTemplateSpec
}

// workloads lists Deployments and StatefulSets, sorted by name.
func (m *manifests) workloads() []workload {
	var out []workload
	for name, d := range m.Deployments {
		out = append(out, workload{Kind: "Deployment", Name: name, Pod: &d.Spec.Template})
	}
	for name, s := range m.StatefulSets {
		out = append(out, workload{Kind: "StatefulSet", Name: name, Pod: &s.Spec.Template})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// kinds maps apiVersion/kind to a strict decoder into its typed object. A
// kind missing here fails the build test: add its type when adding one.
var kinds = map[string]func(m *manifests, name string, doc []byte) error{
	"v1/Namespace": func(m *manifests, n string, b []byte) error { return decodeInto(b, n, m.Namespaces) },
	"v1/ConfigMap": func(m *manifests, n string, b []byte) error { return decodeInto(b, n, m.ConfigMaps) },
	"v1/Service":   func(m *manifests, n string, b []byte) error { return decodeInto(b, n, m.Services) },
	"apps/v1/Deployment": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.Deployments)
	},
	"apps/v1/StatefulSet": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.StatefulSets)
	},
	"policy/v1/PodDisruptionBudget": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.PDBs)
	},
	"autoscaling/v2/HorizontalPodAutoscaler": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.HPAs)
	},
	"networking.k8s.io/v1/NetworkPolicy": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.NetworkPolicies)
	},
	"networking.k8s.io/v1/Ingress": func(m *manifests, n string, b []byte) error {
		return decodeInto(b, n, m.Ingresses)
	},
}

// decodeInto decodes one YAML document strictly (unknown or duplicate
// fields fail) into a new T stored under name.
func decodeInto[T any](doc []byte, name string, into map[string]*T) error {
	obj := new(T)
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Errorf("strict decode of %s: %w", name, err)
	}
	if _, dup := into[name]; dup {
		return fmt.Errorf("two objects of one kind named %s", name)
	}
	into[name] = obj
	return nil
}

// buildKustomization renders dir (relative to the repository root) with the
// kustomize Go API and decodes every object strictly.
func buildKustomization(root, dir string) (*manifests, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(root, dir))
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	m := &manifests{
		Namespaces: map[string]*corev1.Namespace{}, ConfigMaps: map[string]*corev1.ConfigMap{},
		Services: map[string]*corev1.Service{}, Deployments: map[string]*appsv1.Deployment{},
		StatefulSets: map[string]*appsv1.StatefulSet{}, PDBs: map[string]*policyv1.PodDisruptionBudget{},
		HPAs:            map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		NetworkPolicies: map[string]*networkingv1.NetworkPolicy{}, Ingresses: map[string]*networkingv1.Ingress{},
	}
	for _, res := range resources.Resources() {
		doc, err := res.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s: render %s: %w", dir, res.CurId(), err)
		}
		key := res.GetApiVersion() + "/" + res.GetKind()
		decode, ok := kinds[key]
		if !ok {
			return nil, fmt.Errorf("%s: %s %s: kind not known to these tests", dir, key, res.GetName())
		}
		if err := decode(m, res.GetName(), doc); err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	return m, nil
}

// renderedCache holds each kustomization rendered once per test binary.
var renderedCache = map[string]*manifests{}

// render returns dir's manifests, failing the test if it does not build.
func render(t *testing.T, dir string) *manifests {
	t.Helper()
	if m, ok := renderedCache[dir]; ok {
		return m
	}
	m, err := buildKustomization(repoRoot(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	renderedCache[dir] = m
	return m
}

func TestEveryKustomizationBuildsAndDecodesStrictly(t *testing.T) {
	for _, dir := range append([]string{"k8s/base"}, overlays...) {
		t.Run(dir, func(t *testing.T) {
			m := render(t, dir)
			for _, svc := range services {
				if m.Deployments[svc] == nil {
					t.Errorf("no Deployment %s", svc)
				}
			}
			if len(m.Ingresses) == 0 {
				t.Error("no Ingress")
			}
		})
	}
}

func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	doc := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replcas: 2\n")
	err := decodeInto(doc, "x", map[string]*appsv1.Deployment{})
	if err == nil {
		t.Fatal("a misspelled field decoded without error")
	}
}

func TestDevOverlayRunsInfrastructureAndEmulator(t *testing.T) {
	m := render(t, "k8s/overlays/dev")
	for _, name := range []string{"kafka", "mongodb"} {
		s := m.StatefulSets[name]
		if s == nil {
			t.Errorf("dev: no StatefulSet %s", name)
			continue
		}
		if len(s.Spec.VolumeClaimTemplates) == 0 {
			t.Errorf("dev: StatefulSet %s has no volumeClaimTemplates", name)
		}
	}
	if m.Deployments["stripe-emulator"] == nil {
		t.Error("dev: no stripe-emulator Deployment")
	}
	for name, hpa := range m.HPAs {
		if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas != 1 {
			t.Errorf("dev: HPA %s minReplicas %v, want 1", name, hpa.Spec.MinReplicas)
		}
	}
	if got := configValue(m, "payments-config", "STRIPE_API_URL"); got != "http://stripe-emulator:12111" {
		t.Errorf("dev: payments STRIPE_API_URL = %q, want the emulator", got)
	}
}

func TestProdOverlayUsesExternalInfrastructureAndSpreadsAcrossZones(t *testing.T) {
	m := render(t, "k8s/overlays/prod")
	if len(m.StatefulSets) != 0 {
		t.Errorf("prod runs StatefulSets %v; Kafka and MongoDB are external", mapKeys(m.StatefulSets))
	}
	if m.Deployments["stripe-emulator"] != nil {
		t.Error("prod runs the Stripe emulator")
	}
	if got := configValue(m, "mercato-kafka", "KAFKA_BROKERS"); got == "" || got == "kafka:9092" {
		t.Errorf("prod KAFKA_BROKERS = %q, want the external brokers", got)
	}
	if got := configValue(m, "payments-config", "STRIPE_API_URL"); got != "https://api.stripe.com" {
		t.Errorf("prod STRIPE_API_URL = %q", got)
	}
	for _, svc := range services {
		if hpa := m.HPAs[svc]; hpa == nil || hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 3 {
			t.Errorf("prod: HPA %s must keep at least 3 replicas", svc)
		}
		d := m.Deployments[svc]
		if d == nil {
			continue
		}
		zoned := false
		for _, c := range d.Spec.Template.Spec.TopologySpreadConstraints {
			if c.TopologyKey == "topology.kubernetes.io/zone" && c.LabelSelector != nil {
				zoned = true
			}
		}
		if !zoned {
			t.Errorf("prod: Deployment %s has no zone topology spread", svc)
		}
	}
	for _, ing := range m.Ingresses {
		if len(ing.Spec.TLS) == 0 {
			t.Errorf("prod: Ingress %s without TLS", ing.Name)
		}
	}
}

// configValue returns key of the ConfigMap generated as name (kustomize
// appends a content hash to generated names).
func configValue(m *manifests, name, key string) string {
	for cmName, cm := range m.ConfigMaps {
		if cmName == name || (len(cmName) > len(name) && cmName[:len(name)+1] == name+"-") {
			if v, ok := cm.Data[key]; ok {
				return v
			}
		}
	}
	return ""
}

func mapKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
