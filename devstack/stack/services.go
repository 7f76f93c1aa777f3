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
}

// Gateway is the name of the service that fronts the others.
const Gateway = "gateway"

// Services lists every service in start order.
var Services = []Service{
	{Name: "users", Package: "./users/cmd/users", Port: 8081},
	{Name: "catalog", Package: "./catalog/cmd/catalog", Port: 8082},
	{Name: "orders", Package: "./orders/cmd/orders", Port: 8083},
	{Name: "payments", Package: "./payments/cmd/payments", Port: 8084},
	{Name: Gateway, Package: "./gateway/cmd/gateway", Port: 8080, Env: func(e Endpoints) []string {
		return []string{
			"USERS_URL=" + e.URLs["users"],
			"CATALOG_URL=" + e.URLs["catalog"],
			"ORDERS_URL=" + e.URLs["orders"],
			"PAYMENTS_URL=" + e.URLs["payments"],
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
	// Services maps a service name to its port.
	Services map[string]int
}

// DefaultPorts are the well-known ports: Kafka 9092, MongoDB 27017 and each
// service's Port.
func DefaultPorts() Ports {
	p := Ports{Kafka: 9092, Mongo: 27017, Services: map[string]int{}}
	for _, s := range Services {
		p.Services[s.Name] = s.Port
	}
	return p
}
