// Command chaos runs Mercato's chaos suite on an own embedded stack: a
// stream of shopper journeys through the gateway while every service is
// killed in turn (and two at once), hung, Stripe fails and the broker and
// the store go away, then the audit (lost, stuck, double charges, kept
// money, stock, dead letters, drain time). It prints the text report,
// writes an HTML one with -report, and exits 1 when an assertion fails.
//
//	go run ./devstack/cmd/chaos -d 5m -report chaos.html
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mercato-shop/mercato/devstack/chaos"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("d", 5*time.Minute, "how long the long profile repeats its faults")
	short := fs.Bool("short", false, "run the short profile (the test's) instead of the long one")
	shoppers := fs.Int("c", 0, "concurrent shoppers (default: the profile's)")
	report := fs.String("report", "", "write the HTML report to this file")
	binDir := fs.String("bin", "", "prebuilt service binaries (default: build them)")
	dataDir := fs.String("data", "", "stack data folder, kept after the run (default: a temporary one)")
	verbose := fs.Bool("v", false, "log the stack's own messages to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	p := chaos.LongProfile(*duration)
	if *short {
		p = chaos.ShortProfile()
	}
	if *shoppers > 0 {
		p.Shoppers = *shoppers
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "chaos: %s profile, %d shoppers; starting the stack\n", p.Name, p.Shoppers)
	rep, err := chaos.Run(ctx, chaos.Options{Profile: p, BinDir: *binDir, DataDir: *dataDir, Logger: logger, Progress: stderr})
	if rep != nil {
		fmt.Fprint(stdout, rep.Text())
		if *report != "" {
			if werr := writeReport(*report, rep); werr != nil {
				fmt.Fprintln(stderr, "chaos:", werr)
				return 1
			}
			fmt.Fprintln(stderr, "chaos: HTML report in", *report)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
		return 1
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

func writeReport(path string, rep *chaos.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteHTML(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
