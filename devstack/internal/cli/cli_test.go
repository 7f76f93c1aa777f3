package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestUpFlagsReadEnvironmentAndFlags(t *testing.T) {
	t.Setenv("DEVSTACK_ORDERS_PORT", "0")
	t.Setenv("DEVSTACK_KAFKA_PORT", "19092")
	t.Setenv("DEVSTACK_DATA_DIR", "/tmp/from-env")
	cfg, err := parseUpFlags([]string{"-gateway-port", "18080", "-log-level", "debug", "-v"})
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.stack.Ports
	if p.Services["orders"] != 0 || p.Kafka != 19092 || p.Services["gateway"] != 18080 || p.Services["users"] != 8081 || p.Mongo != 27017 || cfg.adminPort != DefaultAdminPort {
		t.Errorf("ports = %+v, admin %d", p, cfg.adminPort)
	}
	if cfg.stack.DataDir != "/tmp/from-env" || cfg.stack.LogLevel != "debug" || cfg.stack.Console == nil {
		t.Errorf("options = %+v", cfg.stack)
	}
	t.Setenv("DEVSTACK_USERS_PORT", "eighty")
	if _, err := parseUpFlags(nil); err == nil || !strings.Contains(err.Error(), "DEVSTACK_USERS_PORT") {
		t.Errorf("bad env port: err = %v, want one naming DEVSTACK_USERS_PORT", err)
	}
}

func TestBannerShowsEveryAddressAndTheHookLines(t *testing.T) {
	var out bytes.Buffer
	printBanner(&out, banner{
		readyIn:    1234 * time.Millisecond,
		gatewayURL: "http://localhost:8080",
		services:   [][2]string{{"users", "http://127.0.0.1:8081"}, {"gateway", "http://127.0.0.1:8080"}},
		kafkaAddr:  "127.0.0.1:9092",
		mongoURI:   "mongodb://127.0.0.1:27017/",
		logDir:     "/repo/.data/logs",
		adminAddr:  "127.0.0.1:8079",
		extra:      []string{"Demo shopper: shopper@example.com / demo"},
	})
	for _, want := range []string{"took 1.23s", "http://localhost:8080", "http://127.0.0.1:8081", "kcat -b 127.0.0.1:9092 -L", "mongodb://127.0.0.1:27017/", "/repo/.data/logs", "http://127.0.0.1:8079/services", "Demo shopper", "restart <service>"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
}
