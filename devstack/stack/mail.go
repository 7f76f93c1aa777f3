package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/mercato-shop/mercato/testkit/mailsink"
)

// mailUI serves the mail sink's page on its own port.
type mailUI struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// startMail starts the SMTP sink the notifications service sends to and
// the web page that shows what it received.
func (st *Stack) startMail(opts Options) error {
	sink, err := mailsink.Start(mailsink.Options{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Ports.SMTP)),
		Logger: opts.Logger,
	})
	if err != nil {
		return fmt.Errorf("stack: %w", err)
	}
	st.mail = sink
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Ports.MailUI)))
	if err != nil {
		return fmt.Errorf("stack: mail page: %w", err)
	}
	ui := &mailUI{srv: &http.Server{Handler: sink.Handler(), ReadHeaderTimeout: 5 * time.Second},
		addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(ui.done)
		if err := ui.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			opts.Logger.Error("mail page", "error", err)
		}
	}()
	st.mailUI = ui
	opts.Logger.Info("mail sink up", "smtp", sink.Addr(), "page", st.MailURL())
	return nil
}

func (ui *mailUI) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := ui.srv.Shutdown(ctx)
	<-ui.done
	return err
}

// Mail is the in-process SMTP sink: every email the services sent.
func (st *Stack) Mail() *mailsink.Sink { return st.mail }

// MailURL is the base URL of the page that lists the received emails.
func (st *Stack) MailURL() string { return "http://" + st.mailUI.addr + "/" }
