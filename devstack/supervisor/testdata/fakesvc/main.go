// Command fakesvc stands in for a Mercato service in the supervisor's own
// unit tests. It serves /healthz and /readyz on HTTP_ADDR and exits with
// status 0 on SIGTERM. Environment:
//
//	FAKE_LOG            file to which it appends "start <pid> <unix ns>" and
//	                    "sigterm <pid> <unix ns>" lines
//	FAKE_CRASH=1        exit with status 3 right after logging the start
//	FAKE_NOT_READY=1    answer /readyz with 503
//	FAKE_IGNORE_SIGTERM=1  keep running on SIGTERM (only SIGKILL stops it)
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	record("start")
	if os.Getenv("FAKE_CRASH") == "1" {
		os.Exit(3)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if os.Getenv("FAKE_NOT_READY") == "1" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := &http.Server{Addr: os.Getenv("HTTP_ADDR"), Handler: mux}

	terms := make(chan os.Signal, 1)
	signal.Notify(terms, syscall.SIGTERM)
	go func() {
		for range terms {
			record("sigterm")
			if os.Getenv("FAKE_IGNORE_SIGTERM") != "1" {
				_ = srv.Shutdown(context.Background())
				return
			}
		}
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatalf("fakesvc: %v", err)
	}
}

// record appends "<event> <pid> <unix ns>" to FAKE_LOG.
func record(event string) {
	path := os.Getenv("FAKE_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		log.Fatalf("fakesvc: %v", err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %d %d\n", event, os.Getpid(), time.Now().UnixNano()); err != nil {
		log.Fatalf("fakesvc: %v", err)
	}
}
