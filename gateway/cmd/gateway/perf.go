package main

import (
	"os"
	"runtime/debug"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/mercato-shop/mercato/platform/tracing"
)

// gatewayGCPercent is the gateway's GOGC unless the environment sets one.
// Its live heap is a few MB while every request allocates some KB, so at
// Go's default of 100 it collects every few hundred requests; 400 cuts the
// collector's share of the CPU about four times for a heap goal of tens of
// MB.
const gatewayGCPercent = 400

// tuneRuntime applies gatewayGCPercent when GOGC is not set, and lets the
// request ids (random UUIDs, not secrets) come from a pool refilled in
// batches rather than one crypto/rand read per request.
func tuneRuntime() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gatewayGCPercent)
	}
	uuid.EnableRandPool()
}

// lightTracing, when no exporter is configured, replaces the recording
// tracer provider with one that records only the spans a client asked to
// sample (ParentBased(NeverSample)): every request still gets a span
// context of its own, so trace ids reach the logs and the traceparent sent
// upstream names the gateway's span, but nothing is recorded for spans
// nobody can export. With an exporter, nothing changes.
func lightTracing() {
	if tracing.ExporterConfigured() {
		return
	}
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample()))))
}
