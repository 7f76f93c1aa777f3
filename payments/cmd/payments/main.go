// Command payments runs Mercato's payments service: Stripe PaymentIntents, refunds and webhooks.
package main

import (
	"context"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the payments service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "payments",
		DefaultAddr: ":8084",
		Config:      &cfg,
		Common:      &cfg.Common,
		Mongo:       &cfg.Mongo,
		Kafka:       &cfg.Kafka,
		Topics:      []string{events.TopicPayments, events.TopicOrders},
	}, func(context.Context, *service.App) error { return nil })
}
