package stack

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestFindRepoRootWalksUpToGoWork(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "orders", "cmd", "orders")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := FindRepoRoot(deep); err == nil {
		t.Fatal("found a repo root without go.work")
	}
	if err := os.WriteFile(filepath.Join(root, "go.work"), []byte("go 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := FindRepoRoot(deep)
	if err != nil || got != root {
		t.Fatalf("FindRepoRoot = %q, %v; want %q", got, err, root)
	}
}

func TestPrefixWriterPrefixesWholeLines(t *testing.T) {
	var out bytes.Buffer
	w := &prefixWriter{prefix: "orders | ", w: &out}
	for _, chunk := range []string{`{"msg":"a"}` + "\n" + `{"msg":`, `"b"}` + "\n"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	want := `orders | {"msg":"a"}` + "\n" + `orders | {"msg":"b"}` + "\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestResolveServicePortsPicksFreePortsForZero(t *testing.T) {
	ports, err := resolveServicePorts(map[string]int{"gateway": 18080})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, s := range Services {
		p := ports[s.Name]
		if p == 0 || seen[p] {
			t.Errorf("port of %s = %d, want a distinct non-zero port (all: %v)", s.Name, p, ports)
		}
		seen[p] = true
	}
	if ports["gateway"] != 18080 {
		t.Errorf("gateway port = %d, want the configured 18080", ports["gateway"])
	}
}

// TestFreePortsStayBelowTheEphemeralRangeAndNeverRepeat: ports the kernel
// hands out for :0 (and to outgoing connections) start at 32768 on Linux,
// so a picked port must lie below, and one process never hands one out
// twice.
func TestFreePortsStayBelowTheEphemeralRangeAndNeverRepeat(t *testing.T) {
	seen := map[int]bool{}
	for range 300 {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if port < freePortLow || port > freePortHigh {
			t.Fatalf("port %d outside [%d, %d]", port, freePortLow, freePortHigh)
		}
		if seen[port] {
			t.Fatalf("port %d handed out twice", port)
		}
		seen[port] = true
	}
}
