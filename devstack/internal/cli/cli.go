// Package cli is the devstack command line:
//
//	devstack [up] [flags]          start everything, print the banner, run until Ctrl-C
//	devstack restart [flags] <svc> gracefully restart one service of a running `up`
//	devstack status [flags]        show the services of a running `up`
//
// Every flag of `up` also reads an environment variable (DEVSTACK_*), and
// every port accepts 0 for "pick a free one".
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mercato-shop/mercato/devstack/stack"
)

// Hooks extend `devstack up` without changing this package.
type Hooks struct {
	// AfterReady, when set, runs once every service is ready (e.g. to seed
	// demo data) and returns extra banner lines (e.g. demo accounts).
	AfterReady func(ctx context.Context, st *stack.Stack) ([]string, error)
}

// DefaultAdminPort is the admin endpoint's well-known port.
const DefaultAdminPort = 8079

// Main runs the command given by args (without the program name) and
// returns the process exit code.
func Main(args []string, hooks Hooks) int {
	cmd := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	switch cmd {
	case "up":
		err = up(args, hooks, logger)
	case "restart":
		err = restart(args, os.Stdout)
	case "status":
		err = status(args, os.Stdout)
	case "help", "-h", "--help":
		usage(os.Stdout)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "devstack: unknown command %q\n\n", cmd)
		usage(os.Stderr)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		logger.Error("devstack failed", "err", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  devstack [up] [flags]            start Kafka, FerretDB and every service; Ctrl-C stops them
  devstack restart [flags] <svc>   gracefully restart one service of a running devstack
  devstack status [flags]          show the services of a running devstack

Run "devstack <command> -h" for the flags; each also reads a DEVSTACK_* variable.
`)
}

// envString returns the variable's value, or def when it is unset.
func envString(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envInt returns the variable's integer value, or def when it is unset.
func envInt(name string, def int) (int, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

// portFlag defines -<name>-port with its DEVSTACK_<NAME>_PORT default.
func portFlag(fs *flag.FlagSet, name, what string, def int) (*int, error) {
	envName := "DEVSTACK_" + strings.ToUpper(name) + "_PORT"
	v, err := envInt(envName, def)
	if err != nil {
		return nil, err
	}
	return fs.Int(name+"-port", v, fmt.Sprintf("%s port, 0 picks a free one (env %s)", what, envName)), nil
}

// dataDirFlag defines -data: DEVSTACK_DATA_DIR, else .data at the repo root.
func dataDirFlag(fs *flag.FlagSet) *string {
	def := ".data"
	if wd, err := os.Getwd(); err == nil {
		if root, err := stack.FindRepoRoot(wd); err == nil {
			def = filepath.Join(root, ".data")
		}
	}
	return fs.String("data", envString("DEVSTACK_DATA_DIR", def), "data folder: Kafka log, FerretDB files, logs, binaries (env DEVSTACK_DATA_DIR)")
}

// adminAddrFile is where `up` records its admin address for the other
// commands.
func adminAddrFile(dataDir string) string { return filepath.Join(dataDir, "admin.addr") }
