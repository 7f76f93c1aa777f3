package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Build compiles every service's binary into binDir with one `go build`
// run from repoRoot (the directory holding go.work).
func Build(ctx context.Context, repoRoot, binDir string) error {
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	pkgs := make([]string, 0, len(Services))
	for _, s := range Services {
		pkgs = append(pkgs, s.Package)
	}
	args := append([]string{"build", "-o", binDir + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", strings.Join(pkgs, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// FindRepoRoot walks up from dir to the directory that holds go.work.
func FindRepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("find repo root: no go.work in " + dir + " or above")
		}
	}
}
