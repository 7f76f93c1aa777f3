// Command users runs Mercato's users service: accounts, roles, merchant tenants and token signing.
package main

import (
	"context"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/events"
	"github.com/mercato-shop/mercato/platform/service"
)

// Config is everything the users service reads from its environment.
type Config struct {
	config.Common
	config.Mongo
	config.Kafka
}

func main() {
	var cfg Config
	service.Main(service.Spec{
		Name:        "users",
		DefaultAddr: ":8081",
		Config:      &cfg,
		Common:      &cfg.Common,
		Mongo:       &cfg.Mongo,
		Kafka:       &cfg.Kafka,
		Topics:      []string{events.TopicCatalog, events.TopicOrders},
	}, func(context.Context, *service.App) error { return nil })
}
