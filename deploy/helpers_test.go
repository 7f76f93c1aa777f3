// Package deploy_test validates Mercato's deployment files without a Docker
// engine or a cluster: the Dockerfiles, docker-compose.yml, the kustomize
// overlays under k8s/ and the runbook, against each other and against the
// services' own configuration code.
package deploy_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// services are Mercato's services: <name>/cmd/<name> is the main, the
// root Dockerfile built with SERVICE=<name> the image, and each is a
// compose service and a k8s Deployment of the same name.
var services = []string{"users", "catalog", "orders", "payments", "notifications", "analytics", "gateway"}

// servicePorts are the ports the services listen on by default (their
// configuration's HTTP_ADDR; TestPortsAgreeAcrossConfigDockerfileComposeAndManifests
// checks it), the PORT build argument of their images.
var servicePorts = map[string]int{
	"gateway": 8080, "users": 8081, "catalog": 8082, "orders": 8083,
	"payments": 8084, "notifications": 8085, "analytics": 8086,
}

// servicesWithStore are the services that own a MongoDB database and use Kafka.
var servicesWithStore = []string{"users", "catalog", "orders", "payments", "notifications", "analytics"}

// overlays are the kustomize overlays an operator applies.
var overlays = []string{"k8s/overlays/dev", "k8s/overlays/prod"}

// repoRoot is the repository root (this module lives in <root>/deploy).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Dir(filepath.Dir(file))
}

// readRepoFile returns the content of a file given relative to the root.
func readRepoFile(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return string(b)
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeFile writes content to path, failing the test on error.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// itoa formats a port number.
func itoa(n int32) string { return strconv.Itoa(int(n)) }
