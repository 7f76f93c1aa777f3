// Package usecase is the notifications service's application logic: it
// turns consumed events into notifications and webhook deliveries, sends
// them with retries, and serves preferences and webhook registrations.
package usecase

import (
	"context"
	"log/slog"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/mailer"
	"github.com/mercato-shop/mercato/notifications/internal/store"
)

// Sender sends one email (mailer.SMTP); an error wrapping
// mailer.ErrPermanent is not retried.
type Sender interface {
	Send(ctx context.Context, e mailer.Email) error
}

// Poster delivers one signed webhook request and returns the HTTP status
// (webhook.Client).
type Poster interface {
	Post(ctx context.Context, url string, headers map[string]string, body []byte) (int, error)
}

// Options tune a Service.
type Options struct {
	// MailRetry spaces email retries; WebhookRetry webhook retries (24 h).
	MailRetry    domain.RetryPolicy
	WebhookRetry domain.RetryPolicy
	// URLPolicy says which webhook URLs may be registered.
	URLPolicy domain.URLPolicy
	// Lease is how long a worker holds a queue entry while sending.
	Lease time.Duration
	// MessageIDDomain is the right-hand side of Message-IDs.
	MessageIDDomain string
	Logger          *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service is the notifications use cases.
type Service struct {
	st       *store.Store
	sender   Sender
	poster   Poster
	renderer *mailer.Renderer
	opts     Options
	wakeMail chan wakeup
	wakeHook chan wakeup
}

// wakeup tells a worker what is due now: the id of a queued document, or a
// notification just queued and leased to this process (Store.Enqueue), which
// the worker sends without claiming or reading it again.
type wakeup struct {
	id         string
	leased     *domain.Notification
	leaseUntil time.Time
}

// stillLeased reports whether w's lease leaves the worker at least half
// of it to send: past that, another worker may claim the entry soon (or
// has), so this one claims it like any other.
func (s *Service) stillLeased(w wakeup) bool {
	return w.leased != nil && s.now().Before(w.leaseUntil.Add(-s.opts.Lease/2))
}

// New returns a Service.
func New(st *store.Store, sender Sender, poster Poster, opts Options) (*Service, error) {
	r, err := mailer.NewRenderer()
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.MessageIDDomain == "" {
		opts.MessageIDDomain = "notifications.mercato"
	}
	return &Service{st: st, sender: sender, poster: poster, renderer: r, opts: opts,
		wakeMail: make(chan wakeup, wakeBuffer), wakeHook: make(chan wakeup, wakeBuffer)}, nil
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// wakeBuffer is how many wake-ups wait for a worker before wake drops them.
const wakeBuffer = 256

// wake tells a worker that id is due now; when the worker is busy the
// sweep finds it instead.
func wake(ch chan wakeup, id string) {
	select {
	case ch <- wakeup{id: id}:
	default:
	}
}

// RunMail sends queued emails until ctx ends: each one as soon as it is
// queued, and every sweep whatever is due (retries, work a crashed
// process left).
func (s *Service) RunMail(ctx context.Context, sweep time.Duration) {
	s.run(ctx, sweep, store.QueueNotification, s.wakeMail, s.sendNotification, s.send)
}

// RunWebhooks delivers queued webhook events until ctx ends.
func (s *Service) RunWebhooks(ctx context.Context, sweep time.Duration) {
	s.run(ctx, sweep, store.QueueDelivery, s.wakeHook, s.deliver, nil)
}

// run works on the queue of kind: what it is woken for, and every sweep
// what is due. work claims and does one entry by id; leased does a
// notification already leased to this process (nil: none are).
func (s *Service) run(ctx context.Context, sweep time.Duration, kind string, woken chan wakeup,
	work func(context.Context, string) error, leased func(context.Context, domain.Notification) error) {
	ticker := time.NewTicker(sweep)
	defer ticker.Stop()
	attempt := func(id string) {
		if err := s.claimAndDo(ctx, kind, id, work); err != nil && ctx.Err() == nil {
			s.opts.Logger.WarnContext(ctx, "queued work failed", "kind", kind, "id", id, "error", err.Error())
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-woken:
			if leased != nil && s.stillLeased(w) {
				if err := leased(ctx, *w.leased); err != nil && ctx.Err() == nil {
					s.opts.Logger.WarnContext(ctx, "queued work failed", "kind", kind, "id", w.leased.ID, "error", err.Error())
				}
				continue
			}
			attempt(w.id)
		case <-ticker.C:
			due, err := s.st.DueWork(ctx, s.now(), 100)
			if err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.WarnContext(ctx, "sweep queue", "error", err.Error())
				}
				continue
			}
			for _, d := range due {
				if d.Kind == kind && ctx.Err() == nil {
					attempt(d.Ref)
				}
			}
		}
	}
}

// claimAndDo leases the queue entry, so replicas do not send the same
// email at once, then does the work.
func (s *Service) claimAndDo(ctx context.Context, kind, id string, work func(context.Context, string) error) error {
	ok, err := s.st.Claim(ctx, kind, id, s.now(), s.opts.Lease)
	if err != nil || !ok {
		return err
	}
	return work(ctx, id)
}

func apperrNotFound(err error) bool { return store.IsNotFound(err) }
