package deploy_test

import (
	"sort"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// edge is one pod-to-pod connection inside the namespace.
type edge struct {
	From, To string
	Port     int32
}

func (e edge) String() string { return e.From + " -> " + e.To + ":" + strconv.Itoa(int(e.Port)) }

// architectureEdges are the in-namespace connections docs/architecture.md
// needs. An edge applies to an overlay only where both ends run.
var architectureEdges = []edge{
	{"gateway", "users", 8081}, {"gateway", "catalog", 8082},
	{"gateway", "orders", 8083}, {"gateway", "payments", 8084},
	{"orders", "catalog", 8082},
	{"catalog", "users", 8081}, {"orders", "users", 8081}, {"payments", "users", 8081},
	{"users", "kafka", 9092}, {"catalog", "kafka", 9092}, {"orders", "kafka", 9092}, {"payments", "kafka", 9092},
	{"users", "mongodb", 27017}, {"catalog", "mongodb", 27017}, {"orders", "mongodb", 27017}, {"payments", "mongodb", 27017},
	{"payments", "stripe-emulator", 12111}, {"stripe-emulator", "gateway", 8080},
	// Analytics (issue 15): the gateway proxies the dashboard and writes
	// behaviour events to Kafka itself.
	{"gateway", "analytics", 8086}, {"gateway", "kafka", 9092},
	{"analytics", "users", 8081}, {"analytics", "kafka", 9092}, {"analytics", "mongodb", 27017},
	// Notifications (issue 14): preferences and webhooks behind the gateway;
	// emails to Mailpit in dev.
	{"gateway", "notifications", 8085}, {"notifications", "users", 8081},
	{"notifications", "kafka", 9092}, {"notifications", "mongodb", 27017}, {"notifications", "mailpit", 1025},
}

// selects reports whether a label selector (nil: none) matches pod labels.
func selects(sel *metav1.LabelSelector, podLabels map[string]string) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(podLabels))
}

// peerMatches reports whether a policy peer names a pod of this namespace.
// Peers with a namespaceSelector or ipBlock name other namespaces or
// addresses outside the cluster's pods, and never match here.
func peerMatches(p networkingv1.NetworkPolicyPeer, podLabels map[string]string) bool {
	return p.NamespaceSelector == nil && p.IPBlock == nil && selects(p.PodSelector, podLabels)
}

// portMatches reports whether a rule's ports admit port on the destination
// container (named ports resolved against it). No ports: all ports.
func portMatches(ports []networkingv1.NetworkPolicyPort, port int32, dst corev1.Container) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Port == nil {
			return true
		}
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		if resolved, ok := containerPort(dst, p.Port.String()); ok && resolved == port {
			return true
		}
		if p.Port.IntValue() == int(port) {
			return true
		}
	}
	return false
}

// allowed evaluates the policies for one TCP connection from src to dst:
// Kubernetes admits it when src's egress and dst's ingress both admit it
// (a direction no policy isolates is open).
func allowed(policies []*networkingv1.NetworkPolicy, src, dst workload, port int32) bool {
	dstContainer := dst.Pod.Spec.Containers[0]
	egressIsolated, egressOK := false, false
	ingressIsolated, ingressOK := false, false
	for _, np := range policies {
		types := np.Spec.PolicyTypes
		if selects(&np.Spec.PodSelector, src.Pod.Labels) && hasType(types, networkingv1.PolicyTypeEgress) {
			egressIsolated = true
			for _, rule := range np.Spec.Egress {
				if portMatches(rule.Ports, port, dstContainer) && anyPeer(rule.To, dst.Pod.Labels) {
					egressOK = true
				}
			}
		}
		if selects(&np.Spec.PodSelector, dst.Pod.Labels) && hasType(types, networkingv1.PolicyTypeIngress) {
			ingressIsolated = true
			for _, rule := range np.Spec.Ingress {
				if portMatches(rule.Ports, port, dstContainer) && anyPeer(rule.From, src.Pod.Labels) {
					ingressOK = true
				}
			}
		}
	}
	return (!egressIsolated || egressOK) && (!ingressIsolated || ingressOK)
}

func anyPeer(peers []networkingv1.NetworkPolicyPeer, podLabels map[string]string) bool {
	if len(peers) == 0 {
		return true // no peers listed: everyone
	}
	for _, p := range peers {
		if peerMatches(p, podLabels) {
			return true
		}
	}
	return false
}

func hasType(types []networkingv1.PolicyType, want networkingv1.PolicyType) bool {
	for _, t := range types {
		if t == want {
			return true
		}
	}
	return false
}

func policyList(m *manifests) []*networkingv1.NetworkPolicy {
	var out []*networkingv1.NetworkPolicy
	for _, name := range mapKeys(m.NetworkPolicies) {
		out = append(out, m.NetworkPolicies[name])
	}
	return out
}

func TestNetworkPoliciesOpenExactlyTheArchitecture(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		policies := policyList(m)
		byName := map[string]workload{}
		for _, w := range m.workloads() {
			byName[w.Name] = w
		}
		want := map[edge]bool{}
		for _, e := range architectureEdges {
			if _, ok := byName[e.From]; !ok {
				continue
			}
			if _, ok := byName[e.To]; ok {
				want[e] = true
			}
		}
		var got []string
		for _, src := range m.workloads() {
			for _, dst := range m.workloads() {
				for _, p := range dst.Pod.Spec.Containers[0].Ports {
					e := edge{src.Name, dst.Name, p.ContainerPort}
					if src.Name == dst.Name {
						continue
					}
					isAllowed := allowed(policies, src, dst, p.ContainerPort)
					if isAllowed {
						got = append(got, e.String())
					}
					if isAllowed != want[e] {
						t.Errorf("%s: %s allowed=%v, architecture says %v", dir, e, isAllowed, want[e])
					}
				}
			}
		}
		sort.Strings(got)
		t.Logf("%s allows: %v", dir, got)
	}
}

func TestNetworkPoliciesDenyByDefaultAndCoverEveryService(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		denyAll := false
		for _, np := range m.NetworkPolicies {
			if len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 &&
				hasType(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && hasType(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) &&
				len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0 {
				denyAll = true
			}
		}
		if !denyAll {
			t.Errorf("%s: no default deny-all NetworkPolicy", dir)
		}
		for _, w := range m.workloads() {
			named := false
			dns := false
			for _, np := range m.NetworkPolicies {
				if len(np.Spec.PodSelector.MatchLabels)+len(np.Spec.PodSelector.MatchExpressions) > 0 && selects(&np.Spec.PodSelector, w.Pod.Labels) {
					named = true
				}
				if selects(&np.Spec.PodSelector, w.Pod.Labels) || len(np.Spec.PodSelector.MatchLabels) == 0 {
					for _, rule := range np.Spec.Egress {
						for _, p := range rule.Ports {
							if p.Port != nil && p.Port.IntValue() == 53 {
								dns = true
							}
						}
					}
				}
			}
			if !named {
				t.Errorf("%s: no NetworkPolicy names %s", dir, w.Name)
			}
			if !dns {
				t.Errorf("%s: %s cannot reach DNS", dir, w.Name)
			}
		}
		gatewayFromIngress := false
		if np := m.NetworkPolicies["gateway"]; np != nil {
			for _, rule := range np.Spec.Ingress {
				for _, peer := range rule.From {
					if peer.NamespaceSelector != nil && portMatches(rule.Ports, 8080, m.Deployments["gateway"].Spec.Template.Spec.Containers[0]) {
						gatewayFromIngress = true
					}
				}
			}
		}
		if !gatewayFromIngress {
			t.Errorf("%s: the ingress controller cannot reach the gateway", dir)
		}
		if !egressToInternet(m.NetworkPolicies["payments"], 443) {
			t.Errorf("%s: payments cannot reach Stripe (egress 443)", dir)
		}
		for _, port := range []int32{587, 443} {
			if !egressToInternet(m.NetworkPolicies["notifications"], port) {
				t.Errorf("%s: notifications cannot reach the SMTP relay and webhooks (egress %d)", dir, port)
			}
		}
	}
}

func egressToInternet(np *networkingv1.NetworkPolicy, port int32) bool {
	if np == nil {
		return false
	}
	for _, rule := range np.Spec.Egress {
		for _, peer := range rule.To {
			if peer.IPBlock != nil && peer.IPBlock.CIDR == "0.0.0.0/0" {
				for _, p := range rule.Ports {
					if p.Port != nil && p.Port.IntValue() == int(port) {
						return true
					}
				}
			}
		}
	}
	return false
}
