package timerwheel_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/config"
	"github.com/mercato-shop/mercato/platform/timerwheel"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

func TestMain(m *testing.M) {
	os.Exit(embeddedtest.Main(m, embeddedtest.Options{Mongo: true}))
}

// judgeBy returns a Judge over a map of due times: an id missing from the
// map is dropped, one due later is rescheduled, one due now fires.
func judgeBy(mu *sync.Mutex, due map[string]time.Time, now *time.Time) timerwheel.Judge {
	return func(_ context.Context, id string) (timerwheel.Verdict, time.Time, error) {
		mu.Lock()
		defer mu.Unlock()
		at, ok := due[id]
		switch {
		case !ok:
			return timerwheel.Drop, time.Time{}, nil
		case at.After(*now):
			return timerwheel.Later, at, nil
		default:
			return timerwheel.Fire, time.Time{}, nil
		}
	}
}

func TestTimersFireOnceDueAndStayUntilDropped(t *testing.T) {
	ctx := context.Background()
	db := embeddedtest.Database(t, config.Mongo{})
	w := timerwheel.New(db, "timers", timerwheel.Options{Slot: time.Second, Shards: 2, Grace: time.Millisecond})
	base := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	now := base
	var mu sync.Mutex
	due := map[string]time.Time{}
	judge := judgeBy(&mu, due, &now)

	// A first sweep places the cursor; nothing is due.
	if got, err := w.Due(ctx, now, 100, judge); err != nil || len(got) != 0 {
		t.Fatalf("empty wheel: %v %v", got, err)
	}
	for i := 0; i < 10; i++ {
		id := fmt.Sprintf("o%d", i)
		at := base.Add(time.Duration(i) * time.Second)
		due[id] = at
		if err := w.Schedule(ctx, id, at, now); err != nil {
			t.Fatal(err)
		}
	}
	now = base.Add(4500 * time.Millisecond) // o0..o4 are due, o5.. are not
	got, err := w.Due(ctx, now, 100, judge)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[o0 o1 o2 o3 o4]" {
		t.Fatalf("fired %v, want o0..o4", got)
	}
	// Fired timers stay until their owner is done with them.
	if got, _ := w.Due(ctx, now, 100, judge); len(got) != 5 {
		t.Fatalf("second sweep fired %v, want the same five again", got)
	}
	// o0 and o1 are done; o2's deadline moved to later.
	mu.Lock()
	delete(due, "o0")
	delete(due, "o1")
	due["o2"] = base.Add(20 * time.Second)
	mu.Unlock()
	got, _ = w.Due(ctx, now, 100, judge)
	sort.Strings(got)
	if fmt.Sprint(got) != "[o3 o4]" {
		t.Fatalf("after drop and reschedule fired %v, want [o3 o4]", got)
	}
	// The limit caps one call.
	now = base.Add(30 * time.Second)
	got, err = w.Due(ctx, now, 3, judge)
	if err != nil || len(got) != 3 {
		t.Fatalf("limit 3: %v %v", got, err)
	}
	got, err = w.Due(ctx, now, 100, judge)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[o2 o3 o4 o5 o6 o7 o8 o9]" {
		t.Fatalf("fired %v, want o2..o9", got)
	}
	// Everything done: the wheel empties to its cursor.
	mu.Lock()
	for k := range due {
		delete(due, k)
	}
	mu.Unlock()
	if got, _ := w.Due(ctx, now, 100, judge); len(got) != 0 {
		t.Fatalf("fired %v after every timer was dropped", got)
	}
	n, err := db.Read.Collection("timers").CountDocuments(ctx, bson.M{})
	if err != nil || n != 1 {
		t.Fatalf("documents left: %d (%v), want only the cursor", n, err)
	}
}

// TestAFarBehindWheelFindsItsTimers: a wheel swept last days ago does not
// walk every empty slot in between, and still fires what is pending.
func TestAFarBehindWheelFindsItsTimers(t *testing.T) {
	ctx := context.Background()
	db := embeddedtest.Database(t, config.Mongo{})
	w := timerwheel.New(db, "timers", timerwheel.Options{Slot: time.Second, Grace: time.Millisecond})
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	due := map[string]time.Time{"late": now.Add(time.Hour)}
	judge := judgeBy(&mu, due, &now)
	if _, err := w.Due(ctx, now, 10, judge); err != nil {
		t.Fatal(err)
	}
	if err := w.Schedule(ctx, "late", due["late"], now); err != nil {
		t.Fatal(err)
	}
	now = now.Add(72 * time.Hour)
	began := time.Now()
	got, err := w.Due(ctx, now, 10, judge)
	if err != nil || fmt.Sprint(got) != "[late]" {
		t.Fatalf("fired %v (%v), want [late]", got, err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("a sweep three days behind took %v: it walked empty slots", d)
	}
}
