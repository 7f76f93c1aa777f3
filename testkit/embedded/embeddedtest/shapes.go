package embeddedtest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// Command is one command a store sent: its name, collection and filters.
type Command struct {
	Name       string
	Collection string
	Filters    []bson.Raw
}

// ByLoneID reports whether every filter of c is exactly {_id: <string>},
// the one shape the embedded FerretDB serves from an index.
func (c Command) ByLoneID() bool {
	for _, f := range c.Filters {
		elems, err := f.Elements()
		if err != nil || len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
			return false
		}
	}
	return true
}

// ByID reports whether every filter of c has a string _id equality among
// its fields: what MongoDB answers from its _id index whatever else the
// filter holds (a guarded write on MongoDB sends its guard in the filter).
func (c Command) ByID() bool {
	for _, f := range c.Filters {
		id, err := f.LookupErr("_id")
		if err != nil || id.Type != bson.TypeString {
			return false
		}
	}
	return true
}

// RecordCommands returns the find, update, delete and findAndModify
// commands sent to database during run.
func RecordCommands(t testing.TB, database string, run func()) []Command {
	t.Helper()
	var mu sync.Mutex
	var got []Command
	stop := mongodb.ObserveCommands(func(e *event.CommandStartedEvent) {
		if e.DatabaseName != database {
			return
		}
		if c, ok := commandOf(e); ok {
			mu.Lock()
			got = append(got, c)
			mu.Unlock()
		}
	})
	run()
	stop()
	mu.Lock()
	defer mu.Unlock()
	return append([]Command(nil), got...)
}

func commandOf(e *event.CommandStartedEvent) (Command, bool) {
	c := Command{Name: e.CommandName}
	coll, err := e.Command.LookupErr(e.CommandName)
	if err != nil {
		return c, false
	}
	c.Collection, _ = coll.StringValueOK()
	switch e.CommandName {
	case "find", "findAndModify":
		field := map[string]string{"find": "filter", "findAndModify": "query"}[e.CommandName]
		if f, err := e.Command.LookupErr(field); err == nil {
			c.Filters = append(c.Filters, f.Document())
		} else {
			c.Filters = append(c.Filters, bson.Raw{5, 0, 0, 0, 0}) // no filter: everything
		}
	case "update", "delete":
		field := map[string]string{"update": "updates", "delete": "deletes"}[e.CommandName]
		arr, err := e.Command.LookupErr(field)
		if err != nil {
			return c, false
		}
		vals, _ := arr.Array().Values()
		for _, v := range vals {
			c.Filters = append(c.Filters, v.Document().Lookup("q").Document())
		}
	default:
		return c, false
	}
	return c, true
}

// AssertHotPathIndexed runs the hot path run and fails the test unless
// every command it sends to db's database filters by a lone _id and every
// collection it touches answers lookups by _id from an index (SQLite's own
// plan of FerretDB's statements, see embedded.Mongo.PlansByID). It returns
// the commands, for counting. On MongoDB (MERCATO_TEST_MONGO_URI) a filter
// needs an _id, not a lone one (a guarded write there carries its guard in
// the filter), and no plan is read: its _id index answers every such
// lookup.
func AssertHotPathIndexed(t testing.TB, db *mongodb.Store, run func()) []Command {
	t.Helper()
	name := db.Write.Name()
	cmds := RecordCommands(t, name, run)
	if len(cmds) == 0 {
		t.Fatal("the hot path sent no command")
	}
	touched := map[string]bool{}
	for _, c := range cmds {
		touched[c.Collection] = true
		switch {
		case OnMongoDB() && !c.ByID():
			t.Errorf("%s on %s does not filter by _id: %v", c.Name, c.Collection, c.Filters)
		case !OnMongoDB() && !c.ByLoneID():
			t.Errorf("%s on %s filters by more than a lone _id (FerretDB reads the whole collection): %v", c.Name, c.Collection, c.Filters)
		}
	}
	if OnMongoDB() {
		return cmds // MongoDB answers every lookup by _id from its _id index
	}
	if mongoServer == nil {
		t.Fatal("embeddedtest: FerretDB is not running: call embeddedtest.Main with Options{Mongo: true}")
	}
	ctx := context.Background()
	if err := mongoServer.IndexIDs(ctx); err != nil {
		t.Fatal(err)
	}
	for coll := range touched {
		plans, err := mongoServer.PlansByID(ctx, name, coll)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plans {
			if !strings.Contains(p, "USING INDEX") {
				t.Errorf("%s.%s: a lookup by _id is not an index search: %s", name, coll, p)
			}
		}
	}
	return cmds
}
