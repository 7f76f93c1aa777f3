package events_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/platform/events"
)

// allTypes lists every Type constant; the registry must know exactly these.
var allTypes = []string{
	events.TypeUserRegistered,
	events.TypeProductCreated, events.TypeProductUpdated, events.TypeProductArchived,
	events.TypeStockReserved, events.TypeStockRejected, events.TypeStockReleased, events.TypeStockCommitted, events.TypeStockReturned,
	events.TypeOrderPlaced, events.TypeOrderPaymentRequested, events.TypeOrderPaid, events.TypeOrderCancelled,
	events.TypeOrderShipped, events.TypeOrderRefundRequested, events.TypeOrderRefunded,
	events.TypePaymentSucceeded, events.TypePaymentFailed, events.TypePaymentRequiresAction, events.TypePaymentRefunded,
}

func TestRegistryKnowsEveryType(t *testing.T) {
	want := slices.Sorted(slices.Values(allTypes))
	if got := events.Types(); !slices.Equal(got, want) {
		t.Fatalf("Types() = %v\nwant %v", got, want)
	}
	typeName := regexp.MustCompile(`^mercato\.[a-z]+\.[a-z_]+\.v[0-9]+$`)
	for _, typ := range allTypes {
		if !typeName.MatchString(typ) {
			t.Errorf("type %q does not follow mercato.<aggregate>.<event>.vN", typ)
		}
		data, ok := events.NewData(typ)
		if !ok || reflect.TypeOf(data).Kind() != reflect.Pointer {
			t.Errorf("NewData(%q) = %T, %v; want a pointer", typ, data, ok)
		}
	}
	if data, ok := events.NewData("mercato.unknown.thing.v1"); ok || data != nil {
		t.Fatalf("unknown type: got %v, %v", data, ok)
	}
}

func TestEveryEventRoundTripsThroughTheEnvelope(t *testing.T) {
	for _, typ := range events.Types() {
		t.Run(typ, func(t *testing.T) {
			data, _ := events.NewData(typ)
			fill(reflect.ValueOf(data).Elem(), 1)

			env, err := events.New("/test", typ, "agg-1", data)
			if err != nil {
				t.Fatal(err)
			}
			b, err := env.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := events.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if parsed.ID != env.ID || parsed.Type != typ || parsed.Subject != "agg-1" || !parsed.Time.Equal(env.Time) {
				t.Fatalf("attributes changed: %+v vs %+v", parsed, env)
			}
			got, ok := events.NewData(parsed.Type)
			if !ok {
				t.Fatalf("type %q unknown after parse", parsed.Type)
			}
			if err := parsed.Decode(got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, data) {
				t.Fatalf("round trip changed data:\n got %+v\nwant %+v", got, data)
			}
		})
	}
}

func TestEveryDataFieldHasASnakeCaseJSONName(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	seen := map[reflect.Type]bool{}
	var check func(reflect.Type)
	check = func(rt reflect.Type) {
		for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
			rt = rt.Elem()
		}
		if rt.Kind() != reflect.Struct || rt == reflect.TypeOf(time.Time{}) || seen[rt] {
			return
		}
		seen[rt] = true
		for f := range rt.Fields() {
			tag := f.Tag.Get("json")
			name, _, _ := cutComma(tag)
			if !snake.MatchString(name) {
				t.Errorf("%s.%s: json name %q is not snake_case", rt.Name(), f.Name, name)
			}
			check(f.Type)
		}
	}
	for _, typ := range events.Types() {
		data, _ := events.NewData(typ)
		check(reflect.TypeOf(data))
	}
	if len(seen) < 10 {
		t.Fatalf("checked only %d struct types", len(seen))
	}
}

func TestMoneyIsIntegerMinorUnits(t *testing.T) {
	b, err := json.Marshal(events.Money{Amount: 1999, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"amount":1999,"currency":"EUR"}` {
		t.Fatalf("got %s", b)
	}
	var m events.Money
	if err := json.Unmarshal([]byte(`{"amount":19.99,"currency":"EUR"}`), &m); err == nil {
		t.Fatal("a fractional amount decoded without error")
	}
}

func cutComma(tag string) (string, string, bool) {
	for i := range len(tag) {
		if tag[i] == ',' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

// fill sets every field reachable from v to a non-zero value derived from
// seed, so a field lost in a round trip shows up as a difference.
func fill(v reflect.Value, seed int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+seed%26)))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(seed) * 7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), seed+i+1)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, seed+i+1)
			fill(e, seed+i+11)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 3, seed%28+1, 10, 30, 15, 123456789, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), seed+i+1)
		}
	default:
		panic("fill: unsupported kind " + v.Kind().String())
	}
}
