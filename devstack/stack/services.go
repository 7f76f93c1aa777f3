package stack

import "path/filepath"

// Service is one Mercato service as the devstack builds and runs it. The
// Services table is the one place to add a service or its environment.
type Service struct {
	// Name of the service, also the supervisor's process name.
	Name string
	// Package is the main package, relative to the repository root.
	Package string
	// Port is the service's well-known port (DefaultPorts).
	Port int
	// Env returns environment entries beyond the common ones (HTTP_ADDR,
	// MONGO_URI, MONGO_SINGLE_WRITER, KAFKA_BROKERS, AUTH_JWKS_URL, LOG_LEVEL).
	Env func(e Endpoints) []string
}

// Binary is the file name `go build -o dir/` gives the service.
func (s Service) Binary() string { return filepath.Base(s.Package) }

// Endpoints are the addresses of the running stack, for Service.Env.
type Endpoints struct {
	// KafkaAddr is the broker's host:port.
	KafkaAddr string
	// MongoURI is the FerretDB connection string.
	MongoURI string
	// URLs maps each service name to its base URL (http://127.0.0.1:port).
	URLs map[string]string
	// StripeURL is the Stripe emulator's API base URL; StripeSecretKey and
	// StripeWebhookSecret are the test key it accepts and the secret that
	// signs its webhooks.
	StripeURL           string
	StripeSecretKey     string
	StripeWebhookSecret string
	// SMTPAddr is the mail sink's SMTP host:port.
	SMTPAddr string
}

// DefaultStripePort is the Stripe emulator's well-known port.
const DefaultStripePort = 12111

// DefaultSMTPPort and DefaultMailUIPort are the mail sink's well-known
// ports (Mailpit's).
const (
	DefaultSMTPPort   = 1025
	DefaultMailUIPort = 8025
)

// StripeWebhookPath is where the gateway takes Stripe's webhooks; the
// emulator delivers its events to the gateway's URL plus this path.
const StripeWebhookPath = "/api/v1/payments/webhooks/stripe"

// Gateway is the name of the service that fronts the others.
const Gateway = "gateway"

// Services lists every service in start order.
var Services = []Service{
	{Name: "users", Package: "./users/cmd/users", Port: 8081},
	{Name: "catalog", Package: "./catalog/cmd/catalog", Port: 8082},
	{Name: "orders", Package: "./orders/cmd/orders", Port: 8083, Env: func(e Endpoints) []string {
		return []string{"CATALOG_URL=" + e.URLs["catalog"], "USERS_URL=" + e.URLs["users"]}
	}},
	{Name: "payments", Package: "./payments/cmd/payments", Port: 8084, Env: func(e Endpoints) []string {
		return []string{
			"STRIPE_API_URL=" + e.StripeURL,
			"STRIPE_SECRET_KEY=" + e.StripeSecretKey,
			"STRIPE_WEBHOOK_SECRET=" + e.StripeWebhookSecret,
		}
	}},
	{Name: "notifications", Package: "./notifications/cmd/notifications", Port: 8085, Env: func(e Endpoints) []string {
		return []string{
			"SMTP_ADDR=" + e.SMTPAddr,
			"SMTP_TIMEOUT=5s",
			"MAIL_RETRY_MIN=200ms",
			"MAIL_RETRY_MAX=5s",
			"WEBHOOK_RETRY_MIN=500ms",
			"WEBHOOK_RETRY_MAX=30s",
			"WEBHOOK_TIMEOUT=5s",
			// The devstack's merchants run their receivers on this machine.
			"WEBHOOK_ALLOW_LOOPBACK=true",
			"QUEUE_SWEEP_INTERVAL=250ms",
		}
	}},
	{Name: "analytics", Package: "./analytics/cmd/analytics", Port: 8086},
	{Name: Gateway, Package: "./gateway/cmd/gateway", Port: 8080, Env: func(e Endpoints) []string {
		return []string{
			"USERS_URL=" + e.URLs["users"],
			"CATALOG_URL=" + e.URLs["catalog"],
			"ORDERS_URL=" + e.URLs["orders"],
			"PAYMENTS_URL=" + e.URLs["payments"],
			"ANALYTICS_URL=" + e.URLs["analytics"],
			"NOTIFICATIONS_URL=" + e.URLs["notifications"],
			// Everything comes from 127.0.0.1 here (tests, the load
			// generator, the browser), so the per-address budgets are
			// generous; the per-user ones stay at their defaults x100.
			"RATE_LIMIT_ADDR_AUTH=100000/1m",
			"RATE_LIMIT_ADDR_CHECKOUT=100000/1m",
			"RATE_LIMIT_ADDR_WRITE=1000000/1m",
			"RATE_LIMIT_ADDR_READ=1000000/1m",
			"RATE_LIMIT_ADDR_WEBHOOK=1000000/1m",
			"RATE_LIMIT_USER_CHECKOUT=1000/1m",
			"RATE_LIMIT_USER_WRITE=30000/1m",
			"RATE_LIMIT_USER_READ=150000/1m",
		}
	}},
}

// Ports are the listen ports of the stack; 0 (or a missing service) means
// "pick a free port".
type Ports struct {
	// Kafka is the broker's port.
	Kafka int
	// Mongo is FerretDB's port.
	Mongo int
	// Stripe is the Stripe emulator's port.
	Stripe int
	// SMTP is the mail sink's SMTP port and MailUI the port of its web page.
	SMTP   int
	MailUI int
	// Services maps a service name to its port.
	Services map[string]int
}

// DefaultPorts are the well-known ports: Kafka 9092, MongoDB 27017, the
// Stripe emulator 12111 (stripe-mock's), the mail sink 1025 (SMTP) and
// 8025 (its page), and each service's Port.
func DefaultPorts() Ports {
	p := Ports{Kafka: 9092, Mongo: 27017, Stripe: DefaultStripePort, SMTP: DefaultSMTPPort, MailUI: DefaultMailUIPort, Services: map[string]int{}}
	for _, s := range Services {
		p.Services[s.Name] = s.Port
	}
	return p
}
