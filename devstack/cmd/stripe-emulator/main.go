// Command stripe-emulator runs Mercato's local Stripe emulator on its own,
// for the compose and Kubernetes set-ups (the embedded default runs it
// inside devstack). Configuration is environment variables, each with a
// flag of the same meaning:
//
//	STRIPE_EMULATOR_ADDR            listen address (default 127.0.0.1:12111)
//	STRIPE_EMULATOR_SECRET_KEY      the accepted API key (default sk_test_mercato_emulator)
//	STRIPE_EMULATOR_WEBHOOK_SECRET  signs webhooks (default whsec_mercato_emulator)
//	STRIPE_EMULATOR_WEBHOOK_URL     receives events, e.g. http://gateway:8080/api/v1/payments/webhooks/stripe
//
// `stripe-emulator healthcheck` probes the running emulator's /healthz at
// STRIPE_EMULATOR_ADDR and exits 0 when it answers (the container
// HEALTHCHECK: no shell or curl in the image).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		if err := healthcheck(envOr("STRIPE_EMULATOR_ADDR", stripeemu.DefaultAddr)); err != nil {
			fmt.Fprintln(os.Stderr, "stripe-emulator healthcheck:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stripe-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("stripe-emulator", flag.ContinueOnError)
	addr := fs.String("addr", envOr("STRIPE_EMULATOR_ADDR", stripeemu.DefaultAddr), "listen address")
	key := fs.String("secret-key", envOr("STRIPE_EMULATOR_SECRET_KEY", stripeemu.DefaultSecretKey), "API key to accept")
	whsec := fs.String("webhook-secret", envOr("STRIPE_EMULATOR_WEBHOOK_SECRET", stripeemu.DefaultWebhookSecret), "webhook signing secret")
	hookURL := fs.String("webhook-url", os.Getenv("STRIPE_EMULATOR_WEBHOOK_URL"), "URL that receives the events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	em, err := stripeemu.Start(stripeemu.Options{Addr: *addr, SecretKey: *key, WebhookSecret: *whsec, WebhookURL: *hookURL, Logger: logger})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return em.Close()
}

// healthcheck asks the emulator listening on addr for /healthz.
func healthcheck(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("STRIPE_EMULATOR_ADDR %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %s", resp.Status)
	}
	return nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
