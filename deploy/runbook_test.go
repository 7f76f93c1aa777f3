package deploy_test

import (
	"regexp"
	"strings"
	"testing"
)

func TestRunbookCreatesEverySecretTheManifestsReference(t *testing.T) {
	runbook := readRepoFile(t, "docs/operations.md")
	create := regexp.MustCompile(`kubectl -n mercato create secret generic ([a-z0-9-]+)((?:[^\n]*\\\n)*[^\n]*)`)
	documented := map[string]string{}
	for _, m := range create.FindAllStringSubmatch(runbook, -1) {
		documented[m[1]] += m[2]
	}
	for _, dir := range overlays {
		m := render(t, dir)
		for _, w := range m.workloads() {
			for _, c := range w.Pod.Spec.Containers {
				for _, e := range c.Env {
					if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
						continue
					}
					ref := e.ValueFrom.SecretKeyRef
					args, ok := documented[ref.Name]
					if !ok {
						t.Errorf("%s: %s reads Secret %s; docs/operations.md has no `kubectl -n mercato create secret generic %s`", dir, w.Name, ref.Name, ref.Name)
						continue
					}
					if !strings.Contains(args, "--from-literal="+ref.Key+"=") {
						t.Errorf("%s: %s reads key %s of Secret %s; the runbook's command does not set it", dir, w.Name, ref.Key, ref.Name)
					}
				}
			}
		}
	}
}
