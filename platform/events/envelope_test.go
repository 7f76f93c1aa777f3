package events_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/mercato-shop/mercato/platform/events"
)

func TestNewFillsTheCloudEventsAttributes(t *testing.T) {
	before := time.Now().UTC()
	env, err := events.New(events.SourceOrders, events.TypeOrderRefunded, "ord-1",
		events.OrderRefunded{OrderID: "ord-1", Amount: events.Money{Amount: 500, Currency: "EUR"}})
	if err != nil {
		t.Fatal(err)
	}
	if env.SpecVersion != "1.0" || env.Source != "/orders" || env.Type != "mercato.order.refunded.v1" ||
		env.Subject != "ord-1" || env.DataContentType != "application/json" {
		t.Fatalf("attributes: %+v", env)
	}
	if _, err := uuid.Parse(env.ID); err != nil {
		t.Fatalf("id %q is not a UUID: %v", env.ID, err)
	}
	if env.Time.Location() != time.UTC || env.Time.Before(before.Add(-time.Second)) {
		t.Fatalf("time %v is not a current UTC time", env.Time)
	}
	other, err := events.New(events.SourceOrders, events.TypeOrderRefunded, "ord-1", events.OrderRefunded{})
	if err != nil {
		t.Fatal(err)
	}
	if other.ID == env.ID {
		t.Fatal("two events share an id")
	}

	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var wire map[string]any
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"} {
		if _, ok := wire[attr]; !ok {
			t.Errorf("wire form lacks %q: %s", attr, b)
		}
	}
	if data := wire["data"].(map[string]any); data["order_id"] != "ord-1" {
		t.Fatalf("data is not embedded as an object: %s", b)
	}
}

func TestNewRejectsIncompleteAttributes(t *testing.T) {
	if _, err := events.New("", events.TypeOrderPaid, "o", events.OrderPaid{}); !errors.Is(err, events.ErrInvalidEnvelope) {
		t.Fatalf("empty source: %v", err)
	}
	if _, err := events.New("/orders", events.TypeOrderPaid, "o", func() {}); err == nil {
		t.Fatal("unmarshalable data accepted")
	}
}

func TestParseValidatesRequiredAttributes(t *testing.T) {
	valid := `{"specversion":"1.0","id":"e1","source":"/orders","type":"mercato.order.paid.v1","data":{"order_id":"o1"}}`
	if _, err := events.Parse([]byte(valid)); err != nil {
		t.Fatalf("valid event rejected: %v", err)
	}
	cases := map[string]string{
		"not json":            `{"specversion":`,
		"not an object":       `[1,2]`,
		"wrong specversion":   strings.Replace(valid, `"1.0"`, `"0.3"`, 1),
		"missing specversion": strings.Replace(valid, `"specversion":"1.0",`, ``, 1),
		"missing id":          strings.Replace(valid, `"id":"e1",`, ``, 1),
		"missing source":      strings.Replace(valid, `"source":"/orders",`, ``, 1),
		"missing type":        strings.Replace(valid, `"type":"mercato.order.paid.v1",`, ``, 1),
		"xml content type":    strings.Replace(valid, `"id":"e1",`, `"id":"e1","datacontenttype":"application/xml",`, 1),
		"time not RFC 3339":   strings.Replace(valid, `"id":"e1",`, `"id":"e1","time":"yesterday",`, 1),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := events.Parse([]byte(in)); !errors.Is(err, events.ErrInvalidEnvelope) {
				t.Fatalf("Parse(%s) = %v, want ErrInvalidEnvelope", in, err)
			}
		})
	}
}

func TestDecodeRejectsDataOfTheWrongShape(t *testing.T) {
	base := events.Envelope{SpecVersion: "1.0", ID: "e1", Source: "/orders", Type: events.TypeOrderPaid}
	cases := map[string]string{
		"no data":          ``,
		"null data":        `null`,
		"string data":      `"hello"`,
		"wrong field type": `{"order_id": 42}`,
		"float money":      `{"total": {"amount": 1.5, "currency": "EUR"}}`,
		"trailing data":    `{"order_id":"o1"} {}`,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			env := base
			env.Data = json.RawMessage(data)
			var paid events.OrderPaid
			if err := env.Decode(&paid); !errors.Is(err, events.ErrInvalidEnvelope) {
				t.Fatalf("Decode(%s) = %v, want ErrInvalidEnvelope", data, err)
			}
		})
	}

	// A field added later within the same version is ignored, not an error.
	env := base
	env.Data = json.RawMessage(`{"order_id":"o1","added_later":true}`)
	var paid events.OrderPaid
	if err := env.Decode(&paid); err != nil || paid.OrderID != "o1" {
		t.Fatalf("Decode with an extra field: %v, %+v", err, paid)
	}
}
