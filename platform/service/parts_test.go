package service

import (
	"strings"
	"testing"

	"github.com/mercato-shop/mercato/platform/config"
)

// TestPartsAreFoundInTheEmbeddedFields: Main finds the platform's parts of
// a service's configuration by their embedded fields; a part held in a
// named field is not one, and a configuration without Common is refused.
func TestPartsAreFoundInTheEmbeddedFields(t *testing.T) {
	var withStore struct {
		config.Common
		config.Mongo
		config.Kafka
		Auth  config.Auth // named: the service verifies tokens itself
		Other string
	}
	spec, err := withParts(Spec{Name: "x", Config: &withStore})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Common != &withStore.Common || spec.Mongo != &withStore.Mongo || spec.Kafka != &withStore.Kafka {
		t.Errorf("parts %p %p %p, want the embedded fields %p %p %p", spec.Common, spec.Mongo, spec.Kafka,
			&withStore.Common, &withStore.Mongo, &withStore.Kafka)
	}
	if spec.Auth != nil {
		t.Error("a named config.Auth field was taken for the service's token verification")
	}

	var authOnly struct {
		config.Common
		config.Auth
	}
	spec, err = withParts(Spec{Name: "y", Config: &authOnly})
	if err != nil || spec.Auth != &authOnly.Auth || spec.Mongo != nil || spec.Kafka != nil {
		t.Errorf("auth-only config: %+v, %v", spec, err)
	}

	var other config.Mongo
	spec, err = withParts(Spec{Name: "z", Config: &withStore, Mongo: &other})
	if err != nil || spec.Mongo != &other {
		t.Errorf("a part set in the Spec was replaced: %p, want %p (%v)", spec.Mongo, &other, err)
	}

	var noCommon struct{ config.Mongo }
	if _, err := withParts(Spec{Name: "w", Config: &noCommon}); err == nil || !strings.Contains(err.Error(), "config.Common") {
		t.Errorf("a configuration without Common: %v", err)
	}
	if _, err := withParts(Spec{Name: "v", Config: withStore}); err == nil {
		t.Error("a configuration passed by value was accepted")
	}
}
