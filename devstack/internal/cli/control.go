package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mercato-shop/mercato/devstack/admin"
)

// controlFlags parses the flags of restart and status and returns the
// admin client of the running devstack.
func controlFlags(name string, args []string) (*admin.Client, []string, error) {
	fs := flag.NewFlagSet("devstack "+name, flag.ContinueOnError)
	dataDir := dataDirFlag(fs)
	addr := fs.String("admin", os.Getenv("DEVSTACK_ADMIN_ADDR"), "admin address host:port (env DEVSTACK_ADMIN_ADDR; default: the one `up` recorded in the data folder, else 127.0.0.1:8079)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if *addr == "" {
		*addr = "127.0.0.1:" + strconv.Itoa(DefaultAdminPort)
		if b, err := os.ReadFile(adminAddrFile(*dataDir)); err == nil {
			*addr = strings.TrimSpace(string(b))
		}
	}
	return &admin.Client{BaseURL: "http://" + *addr}, fs.Args(), nil
}

func restart(args []string, out io.Writer) error {
	client, rest, err := controlFlags("restart", args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: devstack restart [flags] <service>")
	}
	ctx, cancel := context.WithTimeout(context.Background(), admin.RestartReadyTimeout+10*time.Second)
	defer cancel()
	start := time.Now()
	st, err := client.Restart(ctx, rest[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s restarted (pid %d) and ready in %s\n", st.Name, st.PID, time.Since(start).Round(time.Millisecond))
	return nil
}

func status(args []string, out io.Writer) error {
	client, _, err := controlFlags("status", args)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := client.Services(ctx)
	if err != nil {
		return err
	}
	// Request rate, error (5xx) rate and p99 over a short window, from
	// each service's own /metrics; "-" when it cannot be read.
	targets, err := client.Targets(ctx)
	if err != nil {
		targets = nil
	}
	red := serviceRED(ctx, targets)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPID\tREADY\tRESTARTS\tUPTIME\tREQ/S\t5XX/S\tP99\tLAST EXIT")
	for _, s := range list {
		r, ok := red[s.Name]
		if !ok {
			r = redColumns{"-", "-", "-"}
		}
		fmt.Fprintf(tw, "%s\t%d\t%t\t%d\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.PID, s.Ready, s.Restarts, s.Uptime, r.rate, r.errors, r.p99, s.LastExit)
	}
	return tw.Flush()
}
