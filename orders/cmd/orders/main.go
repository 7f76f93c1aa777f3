// Command orders runs Mercato's orders service: carts, checkout and the checkout saga.
package main

import (
	"context"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the orders service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "orders",
		DefaultAddr: ":8083",
		Config:      &cfg,
		Common:      &cfg.Common,
		Mongo:       &cfg.Mongo,
		Kafka:       &cfg.Kafka,
		Topics:      []string{events.TopicOrders, events.TopicCatalog, events.TopicPayments},
	}, func(context.Context, *service.App) error { return nil })
}
