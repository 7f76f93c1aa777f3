package chaos

import (
	"time"

	"github.com/mercato-shop/mercato/testkit/stripeemu"
)

// Kind is what a fault does.
type Kind string

// The kinds of faults.
const (
	// KindKill SIGKILLs the fault's services at once; the supervisor
	// restarts them. The fault lasts until all are ready again.
	KindKill Kind = "kill"
	// KindStop SIGSTOPs the service (a hung process holding its port) for
	// Hold, then SIGCONTs it.
	KindStop Kind = "stop"
	// KindStripe switches the Stripe emulator's faults on for Hold.
	KindStripe Kind = "stripe"
	// KindBroker makes the Kafka broker unreachable for Hold.
	KindBroker Kind = "broker"
	// KindStore makes FerretDB unreachable for Hold.
	KindStore Kind = "store"
)

// Fault is one entry of the schedule.
type Fault struct {
	Kind Kind
	// Services are the processes of a kill or stop.
	Services []string
	// Hold is how long a stop, Stripe, broker or store fault lasts.
	Hold time.Duration
	// Stripe are the emulator's switches of a KindStripe fault.
	Stripe stripeemu.Faults
}

// Name is a short label: "kill orders+payments", "stop catalog 10s".
func (f Fault) Name() string {
	s := string(f.Kind)
	for i, n := range f.Services {
		if i == 0 {
			s += " " + n
		} else {
			s += "+" + n
		}
	}
	if f.Hold > 0 {
		s += " " + f.Hold.String()
	}
	return s
}

// Profile is the shape of a run.
type Profile struct {
	// Name labels the report.
	Name string
	// Shoppers is the number of concurrent journeys (default 4).
	Shoppers int
	// Products is how many products the shoppers buy from (default 4),
	// each with Stock units (default 100000).
	Products int
	Stock    int64
	// Warmup is the load before the first fault, Gap the quiet load
	// between the end of a fault and the start of the next, Tail the load
	// after the last fault (defaults 5 s, 3 s, 3 s).
	Warmup, Gap, Tail time.Duration
	// Faults are run one after the other.
	Faults []Fault
	// Duration, when set, repeats Faults until that much time has passed
	// since the load began.
	Duration time.Duration
	// CancelEvery makes every n-th paid order be cancelled by its shopper
	// (refunded); 0 never.
	CancelEvery int
	// OrderTimeout is how long a shopper polls an order before moving on
	// (default 60 s); the order is still audited.
	OrderTimeout time.Duration
	// DrainTimeout is how long after the last fault the run waits for
	// every order to settle (default 90 s); MaxDrain is the asserted bound
	// (default 30 s).
	DrainTimeout, MaxDrain time.Duration
}

func (p Profile) withDefaults() Profile {
	setInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setInt(&p.Shoppers, 4)
	setInt(&p.Products, 4)
	if p.Stock <= 0 {
		p.Stock = 100000
	}
	setDur(&p.Warmup, 5*time.Second)
	setDur(&p.Gap, 3*time.Second)
	setDur(&p.Tail, 3*time.Second)
	setDur(&p.OrderTimeout, 60*time.Second)
	setDur(&p.DrainTimeout, 90*time.Second)
	setDur(&p.MaxDrain, 30*time.Second)
	return p
}

// StripeChaos are the emulator faults of the schedules: 30% of API calls
// fail with 500, every call is 150 ms slower, and every webhook comes
// twice and out of order.
var StripeChaos = stripeemu.Faults{ErrorRate: 0.3, LatencyMS: 150, DuplicateWebhooks: true, ReorderWindowMS: 800}

// StandardFaults is one round of every fault: each of the five services
// killed in turn, two at once, the catalog hung for 10 s, Stripe failing
// for 10 s, the store gone for 5 s and the broker for 10 s.
func StandardFaults() []Fault {
	return []Fault{
		{Kind: KindKill, Services: []string{"users"}},
		{Kind: KindKill, Services: []string{"catalog"}},
		{Kind: KindKill, Services: []string{"orders"}},
		{Kind: KindKill, Services: []string{"payments"}},
		{Kind: KindKill, Services: []string{"gateway"}},
		{Kind: KindKill, Services: []string{"orders", "payments"}},
		{Kind: KindStop, Services: []string{"catalog"}, Hold: 10 * time.Second},
		{Kind: KindStripe, Hold: 10 * time.Second, Stripe: StripeChaos},
		{Kind: KindStore, Hold: 5 * time.Second},
		// Last: the slowest to recover from, so the drain measures it.
		{Kind: KindBroker, Hold: 10 * time.Second},
	}
}

// ShortProfile is the test's run: four shoppers, one round of
// StandardFaults, about a minute and a half of load.
func ShortProfile() Profile {
	return Profile{Name: "short", Shoppers: 4, Faults: StandardFaults(), CancelEvery: 10}.withDefaults()
}

// LongProfile repeats a harder round for d: eight shoppers, two more
// double kills, the orders service hung too, longer Stripe trouble.
func LongProfile(d time.Duration) Profile {
	faults := append([]Fault{
		{Kind: KindKill, Services: []string{"catalog", "gateway"}},
		{Kind: KindStop, Services: []string{"orders"}, Hold: 10 * time.Second},
		{Kind: KindKill, Services: []string{"users", "payments"}},
		{Kind: KindStripe, Hold: 20 * time.Second, Stripe: StripeChaos},
	}, StandardFaults()...)
	return Profile{Name: "long", Shoppers: 8, Faults: faults, Duration: d, Gap: 2 * time.Second, CancelEvery: 7}.withDefaults()
}
