// Command catalog runs Mercato's catalog service: merchant-owned products, search, inventory and reservations.
package main

import (
	"context"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the catalog service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "catalog",
		DefaultAddr: ":8082",
		Config:      &cfg,
		Common:      &cfg.Common,
		Mongo:       &cfg.Mongo,
		Kafka:       &cfg.Kafka,
		Topics:      []string{events.TopicCatalog, events.TopicOrders},
	}, func(context.Context, *service.App) error { return nil })
}
