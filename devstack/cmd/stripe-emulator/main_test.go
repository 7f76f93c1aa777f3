package main

import (
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func TestHealthcheckProbesTheRunningEmulator(t *testing.T) {
	em, err := stripeemu.Start(stripeemu.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(em.URL(), "http://")
	if err := healthcheck(addr); err != nil {
		t.Fatalf("healthy emulator: %v", err)
	}
	if err := em.Close(); err != nil {
		t.Fatal(err)
	}
	if err := healthcheck(addr); err == nil {
		t.Error("a stopped emulator passed the healthcheck")
	}
}
