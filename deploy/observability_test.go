package deploy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// update rewrites generated files (the PrometheusRule) from their sources.
var update = flag.Bool("update", false, "rewrite k8s/components/observability/prometheusrule.yaml from deploy/observability/alerts.yml")

const (
	observabilityDir   = "deploy/observability"
	alertsFile         = observabilityDir + "/alerts.yml"
	dashboardsDir      = observabilityDir + "/grafana/dashboards"
	componentDir       = "k8s/components/observability"
	prometheusRuleFile = componentDir + "/prometheusrule.yaml"
	runbookURLPrefix   = "https://github.com/mercato-shop/mercato/blob/main/docs/operations.md#"
)

// promtool returns the path of promtool (Debian's prometheus package, which
// .ci/run installs). Without it the test is skipped, except in CI.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not on PATH: .ci/run installs Debian's prometheus package")
		}
		t.Skip("promtool not on PATH (apt-get install prometheus)")
	}
	return path
}

// runPromtool runs promtool with args in dir and fails with its output.
func runPromtool(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPromtoolAcceptsConfigAndRules(t *testing.T) {
	dir := filepath.Join(repoRoot(t), observabilityDir)
	runPromtool(t, dir, "check", "config", "prometheus.yml")
	runPromtool(t, dir, "check", "rules", "alerts.yml")
}

func TestPromtoolRuleUnitTestsPass(t *testing.T) {
	runPromtool(t, filepath.Join(repoRoot(t), observabilityDir), "test", "rules", "alerts_test.yml")
}

// ruleFile is the part of a Prometheus rule file these tests read.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Record      string            `json:"record"`
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	var rf ruleFile
	if err := yaml.Unmarshal([]byte(readRepoFile(t, alertsFile)), &rf); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	return rf
}

// githubAnchor is the fragment GitHub gives a Markdown heading.
func githubAnchor(heading string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			sb.WriteRune(r)
		case r == ' ':
			sb.WriteByte('-')
		}
	}
	return sb.String()
}

func TestEveryAlertHasASeverityAndARunbookSection(t *testing.T) {
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#{2,4} (.+)$`).FindAllStringSubmatch(readRepoFile(t, "docs/operations.md"), -1) {
		anchors[githubAnchor(m[1])] = true
	}
	alerts := 0
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts++
			if s := r.Labels["severity"]; s != "page" && s != "ticket" {
				t.Errorf("%s: severity %q, want page or ticket", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: needs a summary and a description", r.Alert)
			}
			url := r.Annotations["runbook_url"]
			anchor, ok := strings.CutPrefix(url, runbookURLPrefix)
			if !ok {
				t.Errorf("%s: runbook_url %q does not point into docs/operations.md", r.Alert, url)
				continue
			}
			if anchor != "alert-"+strings.ToLower(r.Alert) || !anchors[anchor] {
				t.Errorf("%s: runbook_url #%s: want a heading \"### Alert: %s\" in docs/operations.md", r.Alert, anchor, r.Alert)
			}
		}
	}
	if alerts < 8 {
		t.Fatalf("%s has %d alerts; want the SLO burns, saga, outbox, lag, DLQ, breaker and readiness alerts", alertsFile, alerts)
	}
}

// prometheusRule is the PrometheusRule generated from alerts.yml.
func prometheusRule(t *testing.T) []byte {
	t.Helper()
	var groups struct {
		Groups []any `json:"groups"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, alertsFile)), &groups); err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "PrometheusRule",
		"metadata": map[string]any{
			"name":      "mercato",
			"namespace": "mercato",
			"labels":    map[string]any{"app.kubernetes.io/name": "mercato"},
		},
		"spec": map[string]any{"groups": groups.Groups},
	}
	body, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	header := "# GENERATED from deploy/observability/alerts.yml: do not edit. Regenerate with\n" +
		"#   go test ./deploy -run TestPrometheusRuleMatchesAlerts -update\n"
	return append([]byte(header), body...)
}

func TestPrometheusRuleMatchesAlerts(t *testing.T) {
	want := prometheusRule(t)
	path := filepath.Join(repoRoot(t), prometheusRuleFile)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var gotObj, wantObj any
	if err := yaml.Unmarshal(got, &gotObj); err != nil {
		t.Fatalf("%s: %v", prometheusRuleFile, err)
	}
	if err := yaml.Unmarshal(want, &wantObj); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotObj, wantObj) {
		t.Fatalf("%s differs from %s; run: go test ./deploy -run TestPrometheusRuleMatchesAlerts -update", prometheusRuleFile, alertsFile)
	}
}

// renderWithComponent builds overlay plus the observability component
// through a kustomization in a temporary folder, and returns every object
// as a generic map.
func renderWithComponent(t *testing.T, overlay string) []map[string]any {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	rel := func(p string) string {
		r, err := filepath.Rel(dir, filepath.Join(root, p)) // kustomize refuses absolute paths
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"+
		"resources:\n  - "+rel(overlay)+"\ncomponents:\n  - "+rel(componentDir)+"\n")
	opts := krusty.MakeDefaultOptions()
	opts.LoadRestrictions = types.LoadRestrictionsNone
	resources, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s + %s: %v", overlay, componentDir, err)
	}
	var objs []map[string]any
	for _, res := range resources.Resources() {
		m, err := res.Map()
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, m)
	}
	return objs
}

// field walks nested maps along path.
func field(obj any, path ...string) any {
	for _, p := range path {
		m, ok := obj.(map[string]any)
		if !ok {
			return nil
		}
		obj = m[p]
	}
	return obj
}

func TestObservabilityComponentScrapesEveryServiceAndCarriesTheRules(t *testing.T) {
	for _, overlay := range overlays {
		t.Run(overlay, func(t *testing.T) {
			objs := renderWithComponent(t, overlay)
			svcPorts := map[string][]string{} // Service name -> port names
			svcNames := map[string]string{}   // Service name -> its app.kubernetes.io/name, the job label
			monitors := map[string]map[string]any{}
			var rule map[string]any
			for _, o := range objs {
				name, _ := field(o, "metadata", "name").(string)
				switch o["kind"] {
				case "Service":
					svcNames[name], _ = field(o, "metadata", "labels", "app.kubernetes.io/name").(string)
					ports, _ := field(o, "spec", "ports").([]any)
					for _, p := range ports {
						pn, _ := field(p, "name").(string)
						svcPorts[name] = append(svcPorts[name], pn)
					}
				case "ServiceMonitor":
					monitors[name] = o
				case "PrometheusRule":
					rule = o
				}
				if o["kind"] == "ServiceMonitor" || o["kind"] == "PrometheusRule" {
					if ns := field(o, "metadata", "namespace"); ns != "mercato" {
						t.Errorf("%s %s in namespace %v, want mercato", o["kind"], name, ns)
					}
				}
			}
			for _, svc := range services {
				sm := monitors[svc]
				if sm == nil {
					t.Errorf("no ServiceMonitor for %s", svc)
					continue
				}
				if got := field(sm, "spec", "selector", "matchLabels", "app.kubernetes.io/name"); got != svc {
					t.Errorf("ServiceMonitor %s selects %v", svc, got)
				}
				if svcNames[svc] != svc {
					t.Errorf("Service %s has app.kubernetes.io/name %q: its job label would not be %s", svc, svcNames[svc], svc)
				}
				if got := field(sm, "spec", "jobLabel"); got != "app.kubernetes.io/name" {
					t.Errorf("ServiceMonitor %s jobLabel %v: the alerts need job=<service>", svc, got)
				}
				endpoints, _ := field(sm, "spec", "endpoints").([]any)
				if len(endpoints) != 1 || field(endpoints[0], "path") != "/metrics" ||
					!contains(svcPorts[svc], field(endpoints[0], "port").(string)) {
					t.Errorf("ServiceMonitor %s endpoints %v; Service ports %v", svc, endpoints, svcPorts[svc])
				}
			}
			if rule == nil {
				t.Fatal("no PrometheusRule")
			}
			groups, _ := field(rule, "spec", "groups").([]any)
			if len(groups) != len(readRules(t).Groups) {
				t.Errorf("PrometheusRule has %d groups, alerts.yml %d", len(groups), len(readRules(t).Groups))
			}
		})
	}
}

// dashboard is the part of a Grafana dashboard these tests read.
type dashboard struct {
	UID    string  `json:"uid"`
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Title      string `json:"title"`
	Type       string `json:"type"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// dashboards reads every provisioned dashboard, by file name.
func dashboards(t *testing.T) map[string]dashboard {
	t.Helper()
	dir := filepath.Join(repoRoot(t), dashboardsDir)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardsDir, err)
	}
	out := map[string]dashboard{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = d
	}
	return out
}

// grafanaVariables are replaced by plain values so promtool can parse the
// queries.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "1m", "$__range", "1h", "$__interval", "1m", `"$job"`, `".+"`)

func TestDashboardsCoverTheSignalsAndTheirQueriesParse(t *testing.T) {
	pt := promtool(t)
	want := []string{"mercato-overview", "mercato-checkout-saga", "mercato-kafka", "mercato-store"}
	uids := map[string]bool{}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboards\n    rules:\n")
	n := 0
	for file, d := range dashboards(t) {
		if uids[d.UID] {
			t.Errorf("%s: uid %q used twice", file, d.UID)
		}
		uids[d.UID] = true
		for _, p := range d.Panels {
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "prometheus" {
				t.Errorf("%s: panel %q does not use the provisioned data source (uid prometheus)", file, p.Title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", file, p.Title)
			}
			for _, tg := range p.Targets {
				n++
				expr, _ := json.Marshal(grafanaVariables.Replace(tg.Expr))
				rules.WriteString("      - record: dashboard:query" + itoa(int32(n)) + "\n        expr: " + string(expr) + "\n")
			}
		}
	}
	for _, uid := range want {
		if !uids[uid] {
			t.Errorf("no dashboard %s", uid)
		}
	}
	path := filepath.Join(t.TempDir(), "queries.yml")
	writeFile(t, path, rules.String())
	if out, err := exec.Command(pt, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("a dashboard query does not parse: %v\n%s", err, out)
	}
}

// promqlNoise is what metricNames strips from a query before reading
// identifiers: strings, label matchers, ranges, grouping clauses.
var promqlNoise = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|\{[^}]*\}|\[[^\]]*\]|\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)

var promqlIdent = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)

// promqlKeywords are identifiers in a query that are not metric names.
var promqlKeywords = map[string]bool{"and": true, "or": true, "unless": true, "offset": true, "bool": true, "group_left": true, "group_right": true, "inf": true, "nan": true}

// metricNames are the metric names a PromQL query reads (functions and
// keywords excluded).
func metricNames(expr string) []string {
	cleaned := promqlNoise.ReplaceAllString(expr, " ")
	var names []string
	for _, loc := range promqlIdent.FindAllStringIndex(cleaned, -1) {
		name := cleaned[loc[0]:loc[1]]
		rest := strings.TrimLeft(cleaned[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || promqlKeywords[strings.ToLower(name)] {
			continue
		}
		if loc[0] > 0 && (cleaned[loc[0]-1] >= '0' && cleaned[loc[0]-1] <= '9' || cleaned[loc[0]-1] == '.') {
			continue // the exponent or unit of a number
		}
		names = append(names, name)
	}
	return names
}

func TestMetricNamesOfAQuery(t *testing.T) {
	got := metricNames(`histogram_quantile(0.99, sum by (job, le) (rate(x_bucket{job=~"a|b", route!="/x{y}"}[5m]))) / on (job) group_left y_total offset 5m or time() - z`)
	sort.Strings(got)
	if want := []string{"x_bucket", "y_total", "z"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("metricNames = %v, want %v", got, want)
	}
}

// exportedNames lists the metric names the repository's Go code defines:
// every "mercato_..." string literal, plus the Namespace/Subsystem/Name
// composites of platform/metrics. The end-to-end test in devstack/e2e
// compares the dashboards with the names a real scrape returns.
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{"mercato_service_info": true, "mercato_http_requests_total": true, "mercato_http_request_duration_seconds": true}
	literal := regexp.MustCompile(`"(mercato_[a-z0-9_]+)"`)
	root := repoRoot(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// knownName reports whether name is exported by a service (a histogram's
// _bucket, _sum and _count included), recorded by alerts.yml, or a
// standard series of Prometheus and the Go client.
func knownName(name string, exported, recorded map[string]bool) bool {
	if recorded[name] || exported[name] || name == "up" || strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && exported[base] {
			return true
		}
	}
	return false
}

func TestDashboardsAndAlertsNameOnlyExportedMetrics(t *testing.T) {
	exported := exportedNames(t)
	recorded := map[string]bool{}
	rf := readRules(t)
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				recorded[r.Record] = true
			}
		}
	}
	check := func(where, expr string) {
		for _, name := range metricNames(expr) {
			if !knownName(name, exported, recorded) {
				t.Errorf("%s: %s is not exported by any service (query %q)", where, name, expr)
			}
		}
	}
	for file, d := range dashboards(t) {
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				check(file+": "+p.Title, tg.Expr)
			}
		}
	}
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			check(alertsFile+": "+r.Record+r.Alert, r.Expr)
		}
	}
}

// observabilityServices are the compose profile's services.
var observabilityServices = []string{"prometheus", "grafana", "otel-collector", "jaeger"}

func TestComposeObservabilityProfile(t *testing.T) {
	root := repoRoot(t)
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithEnvFiles(filepath.Join(root, ".env.example")), cli.WithDotEnv,
		cli.WithName("mercato"), cli.WithProfiles([]string{"observability"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("compose --profile observability: %v", err)
	}
	for _, name := range observabilityServices {
		s, ok := p.Services[name]
		if !ok {
			t.Errorf("profile observability has no service %s", name)
			continue
		}
		if !contains(s.Profiles, "observability") {
			t.Errorf("%s runs without the profile (profiles %v)", name, s.Profiles)
		}
		if err := checkImageTag(s.Image); err != "" {
			t.Errorf("%s: image %q: %s", name, s.Image, err)
		}
		if s.Deploy == nil || s.Deploy.Resources.Limits == nil || s.Deploy.Resources.Limits.MemoryBytes == 0 {
			t.Errorf("%s: no memory limit", name)
		}
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q; observability tools listen on loopback only", name, port.Published, port.HostIP)
			}
		}
		for _, v := range s.Volumes {
			if v.Type != composetypes.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s, which does not exist", name, v.Source)
			}
		}
	}
	grafana := composeEnv(t, p, "grafana")
	if grafana["GF_AUTH_ANONYMOUS_ENABLED"] != "true" || grafana["GF_AUTH_ANONYMOUS_ORG_ROLE"] != "Viewer" || grafana["GF_AUTH_DISABLE_LOGIN_FORM"] != "true" {
		t.Errorf("grafana must be anonymous read-only: %v", grafana)
	}
	// Prometheus scrapes every service at the address compose gives it.
	var cfg struct {
		ScrapeConfigs []struct {
			JobName       string `json:"job_name"`
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, observabilityDir+"/prometheus.yml")), &cfg); err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{}
	for _, sc := range cfg.ScrapeConfigs {
		if len(sc.StaticConfigs) == 1 && len(sc.StaticConfigs[0].Targets) == 1 {
			targets[sc.JobName] = sc.StaticConfigs[0].Targets[0]
		}
	}
	for _, svc := range services {
		port, err := portOf(composeEnv(t, p, svc)["HTTP_ADDR"])
		if err != nil {
			t.Fatal(err)
		}
		if want := svc + ":" + strconv.Itoa(port); targets[svc] != want {
			t.Errorf("prometheus.yml scrapes job %s at %q, compose serves it at %s", svc, targets[svc], want)
		}
		if _, ok := composeEnv(t, p, svc)["OTEL_EXPORTER_OTLP_ENDPOINT"]; !ok {
			t.Errorf("%s: no OTEL_EXPORTER_OTLP_ENDPOINT, so its traces cannot reach the collector", svc)
		}
	}
}
