// Command notifications runs Mercato's notifications service: emails to
// shoppers and merchants over SMTP and merchants' signed webhooks, from
// the users, orders and payments events.
package main

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/api"
	"github.com/mercato-shop/mercato/notifications/internal/consumer"
	"github.com/mercato-shop/mercato/notifications/internal/domain"
	"github.com/mercato-shop/mercato/notifications/internal/mailer"
	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/notifications/internal/usecase"
	"github.com/mercato-shop/mercato/notifications/internal/webhook"
	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/service"
)

// TopicNotifications is the service's own topic (docs/architecture.md).
const TopicNotifications = "notifications.events"

// Config is everything the notifications service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
	config.Auth
	// SMTPAddr is the SMTP server's host:port (the devstack's sink, Mailpit, a relay).
	SMTPAddr string `env:"SMTP_ADDR" envDefault:"127.0.0.1:1025"`
	// SMTPUsername and SMTPPassword enable SMTP AUTH.
	SMTPUsername string `env:"SMTP_USERNAME" envDefault:""`
	SMTPPassword string `env:"SMTP_PASSWORD" envDefault:"" secret:"true"`
	// SMTPStartTLS requires STARTTLS (on for a real relay).
	SMTPStartTLS bool `env:"SMTP_STARTTLS" envDefault:"false"`
	// SMTPTimeout bounds one send.
	SMTPTimeout time.Duration `env:"SMTP_TIMEOUT" envDefault:"15s"`
	// MailFrom and MailFromName are the sender of every email.
	MailFrom     string `env:"MAIL_FROM" envDefault:"no-reply@mercato.localhost"`
	MailFromName string `env:"MAIL_FROM_NAME" envDefault:"Mercato"`
	// MailRetryMin and MailRetryMax space email retries; MailGiveUpAfter ends them.
	MailRetryMin    time.Duration `env:"MAIL_RETRY_MIN" envDefault:"2s"`
	MailRetryMax    time.Duration `env:"MAIL_RETRY_MAX" envDefault:"10m"`
	MailGiveUpAfter time.Duration `env:"MAIL_GIVE_UP_AFTER" envDefault:"24h"`
	// WebhookRetryMin and WebhookRetryMax space webhook retries, for
	// WebhookGiveUpAfter (24 h).
	WebhookRetryMin    time.Duration `env:"WEBHOOK_RETRY_MIN" envDefault:"5s"`
	WebhookRetryMax    time.Duration `env:"WEBHOOK_RETRY_MAX" envDefault:"1h"`
	WebhookGiveUpAfter time.Duration `env:"WEBHOOK_GIVE_UP_AFTER" envDefault:"24h"`
	// WebhookTimeout bounds one delivery request.
	WebhookTimeout time.Duration `env:"WEBHOOK_TIMEOUT" envDefault:"10s"`
	// WebhookAllowLoopback lets webhooks point at loopback over http: the
	// devstack only, never in production.
	WebhookAllowLoopback bool `env:"WEBHOOK_ALLOW_LOOPBACK" envDefault:"false"`
	// QueueLease is how long a worker holds an email or delivery while
	// sending it; a process killed mid-send leaves it to another after
	// that. Default (0): twice the longer of SMTP_TIMEOUT and WEBHOOK_TIMEOUT.
	QueueLease time.Duration `env:"QUEUE_LEASE" envDefault:"0s"`
	// QueueSweepInterval is how often due retries are looked for.
	QueueSweepInterval time.Duration `env:"QUEUE_SWEEP_INTERVAL" envDefault:"1s"`
}

// Validate checks the rules env tags cannot express.
func (c *Config) Validate() error {
	if c.MailRetryMin <= 0 || c.MailRetryMax < c.MailRetryMin || c.WebhookRetryMin <= 0 || c.WebhookRetryMax < c.WebhookRetryMin {
		return errors.New("MAIL_RETRY_* and WEBHOOK_RETRY_* must be positive, MAX >= MIN")
	}
	if c.QueueLease == 0 {
		c.QueueLease = 2 * max(c.SMTPTimeout, c.WebhookTimeout)
	}
	if c.SMTPTimeout <= 0 || c.WebhookTimeout <= 0 || c.QueueSweepInterval <= 0 {
		return errors.New("SMTP_TIMEOUT, WEBHOOK_TIMEOUT and QUEUE_SWEEP_INTERVAL must be positive")
	}
	return nil
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "notifications",
		DefaultAddr: ":8085",
		Config:      &cfg,
		Topics:      append([]string{TopicNotifications}, consumer.Topics...),
	}, func(ctx context.Context, app *service.App) error { return setup(ctx, app, &cfg) })
}

func setup(ctx context.Context, app *service.App, cfg *Config) error {
	if err := usecase.RegisterMetrics(app.Registry); err != nil {
		return err
	}
	st := store.New(app.Store)
	if err := st.EnsureIndexes(ctx); err != nil {
		return err
	}
	sender, err := mailer.NewSMTP(mailer.SMTPOptions{Addr: cfg.SMTPAddr, From: cfg.MailFrom, FromName: cfg.MailFromName,
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, StartTLS: cfg.SMTPStartTLS, Timeout: cfg.SMTPTimeout})
	if err != nil {
		return err
	}
	policy := domain.URLPolicy{AllowLoopback: cfg.WebhookAllowLoopback}
	svc, err := usecase.New(st, sender, webhook.NewClient(policy, cfg.WebhookTimeout), usecase.Options{
		MailRetry:    domain.RetryPolicy{Min: cfg.MailRetryMin, Max: cfg.MailRetryMax, GiveUpAfter: cfg.MailGiveUpAfter},
		WebhookRetry: domain.RetryPolicy{Min: cfg.WebhookRetryMin, Max: cfg.WebhookRetryMax, GiveUpAfter: cfg.WebhookGiveUpAfter},
		URLPolicy:    policy,
		Lease:        lease(cfg),
		Logger:       app.Logger,
	})
	if err != nil {
		return err
	}
	api.Register(app.Router(), svc, app.Auth)
	app.ConsumeEvents(consumer.Handlers(svc), consumer.Topics...)
	app.Go(func(ctx context.Context) { svc.RunMail(ctx, cfg.QueueSweepInterval) })
	app.Go(func(ctx context.Context) { svc.RunWebhooks(ctx, cfg.QueueSweepInterval) })
	return nil
}

// lease is QUEUE_LEASE, never shorter than a send may take.
func lease(cfg *Config) time.Duration {
	return max(cfg.QueueLease, cfg.SMTPTimeout+time.Second, cfg.WebhookTimeout+time.Second)
}
