package usecase_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mercato-shop/mercato/notifications/internal/store"
	"github.com/mercato-shop/mercato/notifications/internal/testenv"
	"github.com/mercato-shop/mercato/testkit/embedded/embeddedtest"
)

// maxCommandsPerPaidOrder bounds the store commands (finds, updates,
// deletes) the three emails of a paid two-merchant order cost, the
// workers' periodic sweeps of the queue aside: recording the address and,
// per email, its queue entry, the contacts it names, its outcome and the
// removal of its queue entry, and the merchants' webhooks. Claiming each
// email and reading it back before sending (two commands each) and reading
// the preferences for a transactional email cost 7 more before the
// worker was handed the notifications it queued, and reading a merchant's
// contact a second time for its store name 2 more (30).
const maxCommandsPerPaidOrder = 19

func TestAPaidOrdersEmailsCostAFewStoreCommands(t *testing.T) {
	w := newWorld(t)
	w.welcomed(t)
	order := w.place(t)
	testenv.Eventually(t, 30*time.Second, "order recorded", func() (bool, string) {
		_, err := w.env.Store.Order(t.Context(), order)
		return err == nil, fmt.Sprint(err)
	})
	cmds := embeddedtest.RecordCommands(t, w.env.DB.Write.Name(), func() {
		w.publish(w.paid(t, order))
		testenv.Eventually(t, 60*time.Second, "three emails sent", func() (bool, string) {
			n := len(withSubject(allMail(t, w.env.Sink), "order"))
			return n == 3, fmt.Sprint(n)
		})
		queueEmpty(t, w.env.Store) // counts: not a command recorded here
	})
	var counted []string
	for _, c := range cmds {
		if c.Name == "find" && c.Collection == store.QueueCollection {
			continue // a sweep for due work, which runs whatever is queued
		}
		counted = append(counted, c.Name+" "+c.Collection)
	}
	if len(counted) > maxCommandsPerPaidOrder {
		t.Errorf("%d store commands for the emails of one paid order, want at most %d: %v", len(counted), maxCommandsPerPaidOrder, counted)
	}
	t.Logf("%d store commands: %v", len(counted), counted)
}
