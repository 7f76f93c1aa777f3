package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestUnknownFlagExitsTwo refuses a flag it does not know without starting
// anything.
func TestUnknownFlagExitsTwo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-nope"}, &out, &errOut); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "-nope") || out.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}
