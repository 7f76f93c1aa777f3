package mongodb_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/mercato-shop/mercato/platform/mongodb"
)

// commandSamples is the sample count of the command histogram for one
// command and outcome.
func commandSamples(t *testing.T, reg *prometheus.Registry, command, outcome string) uint64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "mercato_mongodb_command_duration_seconds" {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if (l.GetName() == "command" && l.GetValue() != command) || (l.GetName() == "outcome" && l.GetValue() != outcome) {
					continue metrics
				}
			}
			return m.GetHistogram().GetSampleCount()
		}
	}
	return 0
}

func TestCommandsAreTimedByNameAndOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := mongodb.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if err := mongodb.RegisterMetrics(reg); err != nil {
		t.Fatalf("registering twice: %v", err)
	}
	s := connect(t, true)
	coll := s.Write.Collection("timed")
	inserts, finds := commandSamples(t, reg, "insert", "ok"), commandSamples(t, reg, "find", "ok")
	if _, err := coll.InsertOne(t.Context(), bson.M{"_id": "a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Read.Collection("timed").FindOne(t.Context(), bson.M{"_id": "a"}).Err(); err != nil {
		t.Fatal(err)
	}
	// A duplicate key is a write error in a successful answer: the store
	// answered, so it counts as ok. A command the server refuses is an error.
	if _, err := coll.InsertOne(t.Context(), bson.M{"_id": "a"}); err == nil {
		t.Fatal("duplicate _id inserted")
	}
	if err := s.Read.RunCommand(t.Context(), bson.D{{Key: "noSuchCommand", Value: 1}}).Err(); err == nil {
		t.Fatal("an unknown command succeeded")
	}
	if got := commandSamples(t, reg, "insert", "ok") - inserts; got != 2 {
		t.Errorf("insert ok +%d, want 2", got)
	}
	if got := commandSamples(t, reg, "find", "ok") - finds; got != 1 {
		t.Errorf("find ok +%d, want 1", got)
	}
	if got := commandSamples(t, reg, "noSuchCommand", "error"); got != 1 {
		t.Errorf("refused command counted %d times as error, want 1", got)
	}
}
