// Package mailsink is the devstack's SMTP server: it accepts every message
// over real SMTP (github.com/emersion/go-smtp), keeps what it received in
// memory, and shows it on a web page (Handler) so a person trying Mercato
// sees the emails the notifications service sends. Tests read the received
// messages back (Messages, Parse) and inject SMTP failures (FailNext).
package mailsink

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// MaxMessages is how many messages the sink keeps; older ones are dropped.
const MaxMessages = 2000

// maxMessageBytes caps one message's size.
const maxMessageBytes = 10 << 20

// Options configure Start.
type Options struct {
	// Addr is the SMTP listen address; "" means 127.0.0.1:0 (a free port).
	Addr string
	// Logger receives the server's errors (default slog.Default()).
	Logger *slog.Logger
}

// Message is one message as it arrived: the SMTP envelope and the raw DATA.
type Message struct {
	// ID numbers the messages from 1 in arrival order.
	ID         int       `json:"id"`
	From       string    `json:"from"`
	To         []string  `json:"to"`
	ReceivedAt time.Time `json:"received_at"`
	// Raw is the message exactly as sent after DATA (headers and MIME body).
	Raw []byte `json:"-"`
}

// Sink is a running SMTP sink.
type Sink struct {
	server   *smtp.Server
	listener net.Listener
	done     chan struct{}

	mu       sync.Mutex
	messages []Message
	nextID   int
	faults   []*smtp.SMTPError
}

// Start listens on opts.Addr and serves SMTP until Close.
func Start(opts Options) (*Sink, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("mail sink: listen: %w", err)
	}
	s := &Sink{listener: ln, done: make(chan struct{}), nextID: 1}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	srv.Domain = "mailsink.localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 100
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.AllowInsecureAuth = true
	srv.ErrorLog = slogAdapter{opts.Logger}
	s.server = srv
	go func() {
		defer close(s.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			opts.Logger.Error("mail sink stopped", "error", err)
		}
	}()
	return s, nil
}

// Addr is the SMTP host:port.
func (s *Sink) Addr() string { return s.listener.Addr().String() }

// Close stops the server.
func (s *Sink) Close() error {
	err := s.server.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Messages returns a copy of every kept message, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Message returns the message with id.
func (s *Sink) Message(id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

// FailNext makes the next n messages fail at DATA with the SMTP reply
// code and message (a 4xx reply is temporary, a 5xx one permanent).
func (s *Sink) FailNext(n, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, &smtp.SMTPError{Code: code, Message: message})
	}
}

// receive stores a message, or answers with an injected fault.
func (s *Sink) receive(from string, to []string, raw []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) > 0 {
		fault := s.faults[0]
		s.faults = s.faults[1:]
		return fault
	}
	s.messages = append(s.messages, Message{ID: s.nextID, From: from, To: to, ReceivedAt: time.Now().UTC(), Raw: raw})
	s.nextID++
	if len(s.messages) > MaxMessages {
		s.messages = s.messages[len(s.messages)-MaxMessages:]
	}
	return nil
}

// session is one SMTP transaction's state.
type session struct {
	sink *Sink
	from string
	to   []string
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return se.sink.receive(se.from, append([]string(nil), se.to...), raw)
}

// slogAdapter is go-smtp's Logger on slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Printf(format string, v ...any) {
	a.l.Warn("mail sink: " + fmt.Sprintf(format, v...))
}
func (a slogAdapter) Println(v ...any) { a.l.Warn("mail sink: " + fmt.Sprint(v...)) }
