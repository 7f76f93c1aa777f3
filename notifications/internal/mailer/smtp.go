package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Email is one message to send.
type Email struct {
	To, ToName string
	Subject    string
	Text, HTML string
	// MessageID is the Message-ID without angle brackets; it is derived
	// from the notification id, so a resend carries the same one.
	MessageID string
}

// ErrPermanent marks a send the server refused for good (a 5xx reply):
// retrying cannot help.
var ErrPermanent = errors.New("permanent SMTP failure")

// SMTPOptions configure an SMTP sender.
type SMTPOptions struct {
	// Addr is the server's host:port.
	Addr string
	// From is the sender address and FromName its display name.
	From, FromName string
	// Username and Password enable SMTP AUTH (PLAIN) when Username is set.
	Username, Password string
	// StartTLS requires STARTTLS; otherwise the connection is plain (the
	// devstack's sink, Mailpit).
	StartTLS bool
	// Timeout bounds one send (default 15 s).
	Timeout time.Duration
}

// SMTP sends emails over SMTP, one connection per email.
type SMTP struct {
	opts SMTPOptions
	host string
	port int
}

// NewSMTP checks the options and returns a sender.
func NewSMTP(opts SMTPOptions) (*SMTP, error) {
	host, portStr, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp address %q: %w", opts.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("smtp port %q: %w", portStr, err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	return &SMTP{opts: opts, host: host, port: port}, nil
}

// Send sends one email as MIME multipart/alternative (text and HTML). A 5xx
// reply wraps ErrPermanent; anything else (4xx, a network error) is
// temporary.
func (s *SMTP) Send(ctx context.Context, e Email) error {
	m := mail.NewMsg()
	if err := m.FromFormat(s.opts.FromName, s.opts.From); err != nil {
		return fmt.Errorf("%w: from %q: %w", ErrPermanent, s.opts.From, err)
	}
	if err := m.AddToFormat(e.ToName, e.To); err != nil {
		return fmt.Errorf("%w: to %q: %w", ErrPermanent, e.To, err)
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.MessageID)
	m.SetDate()
	m.SetUserAgent("Mercato notifications")
	m.SetBodyString(mail.TypeTextPlain, e.Text)
	m.AddAlternativeString(mail.TypeTextHTML, e.HTML)

	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.opts.Timeout), mail.WithHELO("mercato-notifications")}
	if s.opts.StartTLS {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.opts.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.opts.Username), mail.WithPassword(s.opts.Password))
	}
	client, err := mail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: %w", ErrPermanent, err)
		}
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}
