package config

import (
	"log/slog"
	"sort"
	"time"
)

// RedactedValue replaces the value of every field tagged `secret:"true"`.
const RedactedValue = "[redacted]"

// Redacted lists every env-tagged field of cfg (a struct or a pointer to
// one, embedded and nested structs included) by its variable name, with its
// current value. Secret fields show RedactedValue, whatever they hold.
// Durations are rendered as strings ("10s"). Services log it at start-up:
//
//	logger.Info("configuration", "config", config.Redacted(&cfg))
func Redacted(cfg any) map[string]any {
	fields := envFields(cfg)
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		if f.secret {
			out[f.key] = RedactedValue
			continue
		}
		out[f.key] = printable(f.value.Interface())
	}
	return out
}

// LogValue renders Redacted(cfg) as a slog group, one attribute per
// variable: logger.Info("configuration", "config", config.LogValue(&cfg)).
func LogValue(cfg any) slog.Value {
	redacted := Redacted(cfg)
	attrs := make([]slog.Attr, 0, len(redacted))
	for k, v := range redacted {
		attrs = append(attrs, slog.Any(k, v))
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Key < attrs[j].Key })
	return slog.GroupValue(attrs...)
}

func printable(v any) any {
	switch t := v.(type) {
	case time.Duration:
		return t.String()
	default:
		return v
	}
}
