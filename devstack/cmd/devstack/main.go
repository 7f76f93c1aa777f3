// Command devstack runs Mercato's embedded default on loopback: Kafka and
// FerretDB in this process, every service as its own supervised process.
// See package cli for the commands and flags.
package main

import (
	"context"
	"os"

	"github.com/mercato-shop/mercato/devstack/internal/cli"
	"github.com/mercato-shop/mercato/devstack/internal/seed"
	"github.com/mercato-shop/mercato/devstack/stack"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Hooks{
		// Seed the demo shops once the suite is ready; the banner lists
		// the demo accounts.
		AfterReady: func(ctx context.Context, st *stack.Stack) ([]string, error) {
			return seed.Run(ctx, st.GatewayURL())
		},
	}))
}
