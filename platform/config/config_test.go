package config

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
)

// testConfig is shaped like a service's configuration.
type testConfig struct {
	Common
	Mongo
	Kafka
	JWTSecret string        `env:"JWT_SECRET,required" secret:"true"`
	TokenTTL  time.Duration `env:"TOKEN_TTL" envDefault:"15m"`
	Workers   int           `env:"WORKERS" envDefault:"4"`
	Verbose   bool          `env:"VERBOSE"`
}

func validEnv() map[string]string {
	return map[string]string{
		"HTTP_ADDR":  ":8081",
		"JWT_SECRET": "s3cr3t-jwt-value",
		"MONGO_URI":  "mongodb://admin:hunter2@db:27017",
	}
}

func TestLoadAppliesDefaults(t *testing.T) {
	var cfg testConfig
	if err := LoadFrom(&cfg, validEnv()); err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	if cfg.HTTPAddr != ":8081" || cfg.JWTSecret != "s3cr3t-jwt-value" {
		t.Errorf("explicit values not read: %+v", cfg)
	}
	if cfg.LogLevel != "info" || cfg.ShutdownTimeout != 10*time.Second || cfg.MaxBodyBytes != 1<<20 {
		t.Errorf("Common defaults not applied: %+v", cfg.Common)
	}
	if cfg.TokenTTL != 15*time.Minute || cfg.Workers != 4 || cfg.Verbose {
		t.Errorf("service defaults not applied: %+v", cfg)
	}
	if len(cfg.KafkaBrokers) != 1 || cfg.KafkaBrokers[0] != "127.0.0.1:9092" || cfg.KafkaPartitions != 12 {
		t.Errorf("Kafka defaults not applied: %+v", cfg.Kafka)
	}
	if cfg.MongoReadPoolSize != 16 || cfg.OutboxSweepInterval != 0 {
		t.Errorf("Mongo/Kafka defaults not applied: %+v %+v", cfg.Mongo, cfg.Kafka)
	}
}

func TestLoadReadsListsAndNormalisesLogLevel(t *testing.T) {
	environ := validEnv()
	environ["KAFKA_BROKERS"] = "a:1,b:2"
	environ["LOG_LEVEL"] = "DEBUG"
	var cfg testConfig
	if err := LoadFrom(&cfg, environ); err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	if strings.Join(cfg.KafkaBrokers, "|") != "a:1|b:2" {
		t.Errorf("KafkaBrokers = %v", cfg.KafkaBrokers)
	}
	if cfg.LogLevel != "debug" {
		t.Errorf("LogLevel = %q, want debug", cfg.LogLevel)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		name     string
		set      map[string]string
		unset    string
		wantVars []string
	}{
		{name: "bad duration", set: map[string]string{"SHUTDOWN_TIMEOUT": "soon"}, wantVars: []string{"SHUTDOWN_TIMEOUT"}},
		{name: "bad int", set: map[string]string{"WORKERS": "many"}, wantVars: []string{"WORKERS"}},
		{name: "bad int64", set: map[string]string{"MAX_BODY_BYTES": "1MB"}, wantVars: []string{"MAX_BODY_BYTES"}},
		{name: "bad bool", set: map[string]string{"VERBOSE": "yes please"}, wantVars: []string{"VERBOSE"}},
		{name: "missing required", unset: "JWT_SECRET", wantVars: []string{"JWT_SECRET"}},
		{name: "bad log level", set: map[string]string{"LOG_LEVEL": "chatty"}, wantVars: []string{"LOG_LEVEL"}},
		{name: "two bad values", set: map[string]string{"TOKEN_TTL": "x", "KAFKA_PARTITIONS": "y"}, wantVars: []string{"TOKEN_TTL", "KAFKA_PARTITIONS"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			environ := validEnv()
			for k, v := range tc.set {
				environ[k] = v
			}
			delete(environ, tc.unset)
			var cfg testConfig
			err := LoadFrom(&cfg, environ)
			if err == nil {
				t.Fatal("LoadFrom succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q should be one line starting with config:", msg)
			}
			for _, v := range tc.wantVars {
				if !strings.Contains(msg, v+": ") && !strings.Contains(msg, `"`+v+`"`) {
					t.Errorf("error %q does not name %s", msg, v)
				}
			}
		})
	}
}

func TestLoadMissingRequiredIsMatchable(t *testing.T) {
	environ := validEnv()
	delete(environ, "JWT_SECRET")
	var cfg testConfig
	err := LoadFrom(&cfg, environ)
	var notSet env.VarIsNotSetError
	if !errors.As(err, &notSet) || notSet.Key != "JWT_SECRET" {
		t.Fatalf("err = %v, want env.VarIsNotSetError for JWT_SECRET", err)
	}
}

func TestLoadBadSecretValueDoesNotLeakIt(t *testing.T) {
	type withSecretInt struct {
		PIN int `env:"PIN" secret:"true"`
	}
	var cfg withSecretInt
	err := LoadFrom(&cfg, map[string]string{"PIN": "hunter2"})
	if err == nil || !strings.Contains(err.Error(), "PIN: ") {
		t.Fatalf("err = %v, want an error naming PIN", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q leaks the secret value", err)
	}
}

type validatedConfig struct {
	Common
	Min int `env:"MIN" envDefault:"5"`
	Max int `env:"MAX" envDefault:"1"`
}

func (c validatedConfig) Validate() error {
	if c.Min > c.Max {
		return errors.New("MIN must not exceed MAX")
	}
	return nil
}

func TestLoadRunsValidate(t *testing.T) {
	var cfg validatedConfig
	err := LoadFrom(&cfg, map[string]string{})
	if err == nil || err.Error() != "config: MIN must not exceed MAX" {
		t.Fatalf("err = %v, want the Validate error", err)
	}
	if err := LoadFrom(&cfg, map[string]string{"MAX": "9"}); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
}

func TestRedactedListsEveryVariableAndHidesSecrets(t *testing.T) {
	var cfg testConfig
	if err := LoadFrom(&cfg, validEnv()); err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	cfg.Service = "users"
	got := Redacted(&cfg)
	want := map[string]any{
		"HTTP_ADDR":        ":8081",
		"LOG_LEVEL":        "info",
		"SHUTDOWN_TIMEOUT": "10s",
		"MAX_BODY_BYTES":   int64(1 << 20),
		"MONGO_URI":        RedactedValue,
		"JWT_SECRET":       RedactedValue,
		"TOKEN_TTL":        "15m0s",
		"WORKERS":          4,
		"VERBOSE":          false,
		"KAFKA_PARTITIONS": 12,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Redacted[%s] = %#v, want %#v", k, got[k], v)
		}
	}
	for _, k := range []string{"MONGO_DATABASE", "MONGO_SINGLE_WRITER", "MONGO_READ_POOL_SIZE", "KAFKA_BROKERS", "KAFKA_REPLICATION_FACTOR", "OUTBOX_SWEEP_INTERVAL"} {
		if _, ok := got[k]; !ok {
			t.Errorf("Redacted lacks %s", k)
		}
	}
	if _, ok := got["Service"]; ok {
		t.Error("Redacted lists the env:\"-\" field Service")
	}
}

func TestSecretsNeverReachTheLog(t *testing.T) {
	var cfg testConfig
	if err := LoadFrom(&cfg, validEnv()); err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	for _, handler := range []string{"json", "text"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewJSONHandler(&buf, nil)
		if handler == "text" {
			h = slog.NewTextHandler(&buf, nil)
		}
		logger := slog.New(h)
		logger.Info("configuration", "config", Redacted(&cfg))
		logger.Info("configuration", "config", LogValue(&cfg))
		out := buf.String()
		for _, secret := range []string{"s3cr3t-jwt-value", "hunter2"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s log leaks %q: %s", handler, secret, out)
			}
		}
		if !strings.Contains(out, "JWT_SECRET") || !strings.Contains(out, RedactedValue) || !strings.Contains(out, ":8081") {
			t.Errorf("%s log lacks the configuration: %s", handler, out)
		}
	}
}
