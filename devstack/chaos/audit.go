package chaos

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// Audit is what the independent sources say after the drain.
type Audit struct {
	// Accepted counts orders the client got a 202 for; Listed the orders
	// the orders API lists for the run's shoppers.
	Accepted, Listed int
	// Lost are accepted orders the orders API does not list.
	Lost []string
	// Stuck maps orders not terminal to their status.
	Stuck map[string]string
	// DoubleCharged are orders with more than one succeeded charge at the
	// Stripe emulator; KeptMoney cancelled or refunded orders whose
	// captured amount was not refunded in full; Unpaid paid or shipped
	// orders without captured money.
	DoubleCharged, KeptMoney, Unpaid []string
	// Stock lists the products whose counters break the invariant
	// (available + held + sold = initial + restocked), keep units held,
	// or whose sold units differ from the units of their paid orders.
	Stock []string
	// Finals counts the listed orders by status (and cancel reason).
	Finals map[string]int
	// DeadLetters counts messages on each *.dlq topic.
	DeadLetters map[string]int64
}

// settled says whether nothing is left to happen: every order terminal,
// the money and the stock where they belong.
func (a Audit) settled() bool {
	return len(a.Stuck) == 0 && len(a.KeptMoney) == 0 && len(a.Unpaid) == 0 && len(a.Stock) == 0
}

// drain audits every second until the suite has settled or the drain
// timeout after the last fault passes; it returns the last audit and
// when it settled (zero when it did not).
func (r *run) drain(ctx context.Context, lastFault time.Time) (Audit, time.Time) {
	deadline := lastFault.Add(r.p.DrainTimeout)
	var last Audit
	for {
		a, err := r.audit(ctx)
		if err == nil {
			last = a
			if a.settled() {
				return a, time.Now()
			}
		} else {
			fmt.Fprintf(r.progress, "        audit: %v\n", err)
		}
		if time.Now().After(deadline) || wait(ctx, time.Second) != nil {
			return last, time.Time{}
		}
	}
}

// audit reads the orders API, the emulator and the catalog once.
func (r *run) audit(ctx context.Context) (Audit, error) {
	a := Audit{Stuck: map[string]string{}, Finals: map[string]int{}}
	accepted := r.rec.acceptedIDs()
	soldWant := map[string]int64{}
	for i, tok := range r.shoppers {
		listed, err := r.c.orders(ctx, tok)
		if err != nil {
			return a, fmt.Errorf("orders of shopper %d: %w", i, err)
		}
		byID := map[string]order{}
		for _, o := range listed {
			byID[o.ID] = o
		}
		for _, id := range accepted[i] {
			a.Accepted++
			if _, ok := byID[id]; !ok {
				a.Lost = append(a.Lost, id)
			}
		}
		a.Listed += len(listed)
		for _, o := range listed {
			a.Finals[o.final()]++
			if !o.terminal() {
				a.Stuck[o.ID] = o.Status
			}
			r.auditMoney(&a, o)
			if o.keepsSale() {
				for _, l := range o.Lines {
					soldWant[l.ProductID] += l.Quantity
				}
			}
		}
	}
	for _, p := range r.products {
		s, err := r.c.merchantProduct(ctx, r.merchant, p.ID)
		if err != nil {
			return a, fmt.Errorf("stock of %s: %w", p.ID, err)
		}
		switch {
		case s.Available+s.Held+s.Sold != p.Initial:
			a.Stock = append(a.Stock, fmt.Sprintf("%s: available %d + held %d + sold %d != initial %d", p.ID, s.Available, s.Held, s.Sold, p.Initial))
		case s.Held != 0:
			a.Stock = append(a.Stock, fmt.Sprintf("%s: %d units still held", p.ID, s.Held))
		case s.Sold != soldWant[p.ID]:
			a.Stock = append(a.Stock, fmt.Sprintf("%s: sold %d, paid orders hold %d units", p.ID, s.Sold, soldWant[p.ID]))
		}
	}
	return a, nil
}

// auditMoney checks one order against the emulator's record of it.
func (r *run) auditMoney(a *Audit, o order) {
	act := r.st.Stripe().Order(o.ID)
	if act.SucceededCharges > 1 {
		a.DoubleCharged = append(a.DoubleCharged, fmt.Sprintf("%s (%d charges)", o.ID, act.SucceededCharges))
	}
	kept := act.CapturedAmount - act.RefundedAmount
	switch {
	case (o.Status == "cancelled" || o.Status == "refunded") && kept > 0:
		a.KeptMoney = append(a.KeptMoney, fmt.Sprintf("%s (%s keeps %d)", o.ID, o.final(), kept))
	case o.keepsSale() && kept <= 0:
		a.Unpaid = append(a.Unpaid, fmt.Sprintf("%s (%s, %d kept)", o.ID, o.Status, kept))
	}
}

// deadLetters counts the messages on every *.dlq topic of the broker.
func deadLetters(ctx context.Context, addr string) (map[string]int64, error) {
	conn, err := kafka.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions()
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	out := map[string]int64{}
	for _, p := range parts {
		if !strings.HasSuffix(p.Topic, ".dlq") {
			continue
		}
		pc, err := kafka.DialLeader(ctx, "tcp", addr, p.Topic, p.ID)
		if err != nil {
			return nil, fmt.Errorf("dead letters of %s/%d: %w", p.Topic, p.ID, err)
		}
		first, last, err := pc.ReadOffsets()
		_ = pc.Close()
		if err != nil {
			return nil, fmt.Errorf("dead letters of %s/%d: %w", p.Topic, p.ID, err)
		}
		out[p.Topic] += last - first
	}
	return out, nil
}

// sortedKeys are m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
