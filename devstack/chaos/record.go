package chaos

import (
	"slices"
	"sync"
	"time"
)

// The steps of a journey, as the report names them.
const (
	stepCart     = "cart"
	stepCheckout = "checkout"
	stepStatus   = "status"
	stepCancel   = "cancel"
)

// FaultSpan is when one fault was on, since the load began.
type FaultSpan struct {
	Name       string
	Start, End time.Duration
	// Err is set when the fault could not be injected or the suite did
	// not recover from it in time.
	Err string
}

// Second is the activity of one second of the run.
type Second struct {
	// Checkouts counts checkouts answered 202, Errors the calls of any
	// step that failed, Terminal the orders that reached a final status.
	Checkouts, Errors, Terminal int
	// CheckoutP50/P95 are the latencies of the second's checkout calls;
	// SettleP95 the placed-to-terminal time of its terminal orders.
	CheckoutP50, CheckoutP95, SettleP95 time.Duration
}

// recorder collects what the shoppers saw and when the faults were on.
type recorder struct {
	mu      sync.Mutex
	start   time.Time
	secs    []bucket
	owner   map[string]int // accepted order id -> shopper index
	order   []string       // accepted ids in order
	cancels map[string]bool
	faults  []FaultSpan
	// unansweredDefinite and unansweredTransient count checkouts given up
	// on (a 4xx, or no answer within the retry limit).
	unansweredDefinite, unansweredTransient int
	errorsByStep                            map[string]int
}

type bucket struct {
	checkouts, errors, terminal int
	checkoutLat, settleLat      []time.Duration
}

func newRecorder() *recorder {
	return &recorder{start: time.Now(), owner: map[string]int{}, cancels: map[string]bool{}, errorsByStep: map[string]int{}}
}

// begin marks the start of the load.
func (r *recorder) begin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start = time.Now()
}

func (r *recorder) since(t time.Time) time.Duration { return t.Sub(r.start) }

// at returns the bucket of t, growing the timeline; r.mu is held.
func (r *recorder) at(t time.Time) *bucket {
	i := max(0, int(t.Sub(r.start)/time.Second))
	for len(r.secs) <= i {
		r.secs = append(r.secs, bucket{})
	}
	return &r.secs[i]
}

func (r *recorder) call(step string, start time.Time, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.at(start.Add(took))
	if err != nil {
		b.errors++
		r.errorsByStep[step]++
		return
	}
	if step == stepCheckout {
		b.checkoutLat = append(b.checkoutLat, took)
	}
}

// accepted records an order the suite answered 202 for.
func (r *recorder) accepted(id string, shopper int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.owner[id]; seen {
		return
	}
	r.owner[id] = shopper
	r.order = append(r.order, id)
	r.at(at).checkouts++
}

func (r *recorder) terminal(id string, placed, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.at(at)
	b.terminal++
	b.settleLat = append(b.settleLat, at.Sub(placed))
}

func (r *recorder) cancelled(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancels[id] = true
}

func (r *recorder) unanswered(definite bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if definite {
		r.unansweredDefinite++
	} else {
		r.unansweredTransient++
	}
}

func (r *recorder) fault(name string, start, end time.Time, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	span := FaultSpan{Name: name, Start: r.since(start), End: r.since(end)}
	if err != nil {
		span.Err = err.Error()
	}
	r.faults = append(r.faults, span)
}

// acceptedIDs returns the accepted orders by shopper.
func (r *recorder) acceptedIDs() map[int][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int][]string{}
	for _, id := range r.order {
		out[r.owner[id]] = append(out[r.owner[id]], id)
	}
	return out
}

// timeline renders the per-second buckets.
func (r *recorder) timeline() []Second {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Second, len(r.secs))
	for i, b := range r.secs {
		out[i] = Second{Checkouts: b.checkouts, Errors: b.errors, Terminal: b.terminal,
			CheckoutP50: quantile(b.checkoutLat, 0.5), CheckoutP95: quantile(b.checkoutLat, 0.95), SettleP95: quantile(b.settleLat, 0.95)}
	}
	return out
}

// quantile of ds (0 for none); ds is sorted in place.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}
