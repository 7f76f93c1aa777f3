package deploy_test

import (
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// TestAnalyticsPipelineScalesApart: the ingestion (in the gateway) and the
// processing (analytics) each have an HPA on CPU, and the gateway gets what
// ingestion needs (the brokers) and where the dashboard lives, on compose
// and in every overlay.
func TestAnalyticsPipelineScalesApart(t *testing.T) {
	for _, dir := range overlays {
		m := render(t, dir)
		for _, svc := range []string{"gateway", "analytics"} {
			hpa := m.HPAs[svc]
			if hpa == nil {
				t.Errorf("%s: no HPA for %s", dir, svc)
				continue
			}
			cpu := false
			for _, metric := range hpa.Spec.Metrics {
				cpu = cpu || metric.Type == autoscalingv2.ResourceMetricSourceType && metric.Resource != nil && metric.Resource.Name == "cpu"
			}
			if !cpu {
				t.Errorf("%s: the HPA of %s does not scale on CPU", dir, svc)
			}
		}
		gw := m.Deployments["gateway"]
		if gw == nil {
			t.Fatalf("%s: no gateway Deployment", dir)
		}
		env := k8sEnv(m, gw.Spec.Template.Spec.Containers[0])
		if env["KAFKA_BROKERS"] == "" || env["ANALYTICS_URL"] != "http://analytics:8086" {
			t.Errorf("%s: gateway KAFKA_BROKERS %q, ANALYTICS_URL %q", dir, env["KAFKA_BROKERS"], env["ANALYTICS_URL"])
		}
		if got := configValue(m, "analytics-config", "MONGO_DATABASE"); got != "analytics" {
			t.Errorf("%s: analytics MONGO_DATABASE %q", dir, got)
		}
	}
	p := composeProject(t)
	if env := composeEnv(t, p, "gateway"); env["KAFKA_BROKERS"] == "" || env["ANALYTICS_URL"] != "http://analytics:8086" {
		t.Errorf("compose: gateway KAFKA_BROKERS %q, ANALYTICS_URL %q", env["KAFKA_BROKERS"], env["ANALYTICS_URL"])
	}
	if env := composeEnv(t, p, "analytics"); env["MONGO_DATABASE"] != "analytics" || env["HTTP_ADDR"] != ":8086" {
		t.Errorf("compose: analytics environment %v", env)
	}
}
