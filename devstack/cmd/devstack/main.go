// Command devstack runs Mercato's embedded default on loopback: Kafka and
// FerretDB in this process, every service as its own supervised process.
// See package cli for the commands and flags.
package main

import (
	"os"

	"github.com/mercato-shop/mercato/devstack/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Hooks{}))
}
