package service

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/mercato-shop/mercato/platform/config"
)

// withParts returns spec with Common, Mongo, Kafka and Auth pointing at the
// embedded fields of those types in *spec.Config, where spec does not set
// them already.
func withParts(spec Spec) (Spec, error) {
	v := reflect.ValueOf(spec.Config)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return spec, fmt.Errorf("service: Spec.Config must point at a struct, not %T", spec.Config)
	}
	cfg := v.Elem()
	for i := range cfg.NumField() {
		field := cfg.Type().Field(i)
		if !field.Anonymous || !field.IsExported() {
			continue
		}
		switch p := cfg.Field(i).Addr().Interface().(type) {
		case *config.Common:
			spec.Common = orFound(spec.Common, p)
		case *config.Mongo:
			spec.Mongo = orFound(spec.Mongo, p)
		case *config.Kafka:
			spec.Kafka = orFound(spec.Kafka, p)
		case *config.Auth:
			spec.Auth = orFound(spec.Auth, p)
		}
	}
	if spec.Common == nil {
		return spec, errors.New("service: Spec.Config must embed config.Common")
	}
	return spec, nil
}

// orFound returns set when it is not nil, else found.
func orFound[T any](set, found *T) *T {
	if set != nil {
		return set
	}
	return found
}
