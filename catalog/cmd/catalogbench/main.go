// Command catalogbench measures the catalog's read path with 10,000
// products on the embedded FerretDB: it seeds the products through the
// catalog's own use cases, serves the real router on loopback, and drives
// concurrent clients at a category browse, a two-word search and a product
// read, reporting requests/s and latency percentiles.
//
//	go run ./catalog/cmd/catalogbench                        # in-process, loopback
//	go run ./catalog/cmd/catalogbench -addr 127.0.0.1:18082 -serve
//	    # seed, print sample URLs and keep serving (for wrk or the gateway)
//	go run ./catalog/cmd/catalogbench -target http://127.0.0.1:18080 -ids ids.txt
//	    # drive an already running catalog or gateway
//	go run ./catalog/cmd/catalogbench -startup
//	    # time the read model's start-up: every product from the store
//	    # (before) and snapshot + catalog.events replay (after), same data
//
// It is a program, not a test, so `go test` never runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	var (
		products    = flag.Int("products", 10_000, "products to seed")
		duration    = flag.Duration("duration", 10*time.Second, "load per scenario")
		concurrency = flag.Int("c", 32, "concurrent clients")
		addr        = flag.String("addr", "127.0.0.1:0", "listen address of the in-process catalog")
		serve       = flag.Bool("serve", false, "after seeding, keep serving until interrupted instead of measuring")
		target      = flag.String("target", "", "base URL to measure instead of an in-process catalog (a running catalog or gateway)")
		idsFile     = flag.String("ids", "", "with -target: file of product ids (one a line) for the product read; written by -serve")
		startup     = flag.Bool("startup", false, "measure the read model's start-up paths (every product from the store, snapshot) instead of the read path")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	if *startup {
		if err := measureStartup(ctx, *products); err != nil {
			log.Fatal(err)
		}
		return
	}
	base := *target
	var ids []string
	if base == "" {
		cat, err := startCatalog(ctx, *products, *addr)
		if err != nil {
			log.Fatal(err)
		}
		defer cat.close()
		base, ids = cat.baseURL, cat.ids
		if *serve {
			writeIDs(ids)
			fmt.Printf("catalog serving %d products at %s\n  %s\n  %s\n  %s\nproduct ids written to catalogbench-ids.txt; Ctrl-C to stop\n",
				len(ids), base, base+browsePath(0), base+searchPath(0), base+"/api/v1/products/"+ids[0])
			<-ctx.Done()
			return
		}
	} else {
		ids = readIDs(*idsFile)
	}
	scenarios := []scenario{
		{name: "category browse", path: browsePath},
		{name: "two-word search", path: searchPath},
		{name: "product read", path: func(i int) string { return "/api/v1/products/" + ids[i%len(ids)] }},
	}
	fmt.Printf("target %s, %d clients, %v per scenario\n", base, *concurrency, *duration)
	for _, sc := range scenarios {
		res := measure(ctx, base, sc, *concurrency, *duration)
		fmt.Println(res)
		if ctx.Err() != nil {
			return
		}
	}
}

func writeIDs(ids []string) {
	if err := os.WriteFile("catalogbench-ids.txt", []byte(strings.Join(ids, "\n")), 0o644); err != nil {
		log.Print(err)
	}
}

func readIDs(path string) []string {
	if path == "" {
		log.Fatal("-target needs -ids (written by -serve)")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	return strings.Fields(string(raw))
}

// isLoopback reports whether addr is on a loopback interface: the
// benchmark serves only there.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback()
}
