package usecase_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/mercato-shop/mercato/analytics/internal/domain"
	"github.com/mercato-shop/mercato/analytics/internal/usecase"
)

// BenchmarkApplyBehaviour applies fetched batches of 20 messages of 50
// views (10 merchants), as the ingest consumer does: one bulk write each.
func BenchmarkApplyBehaviour(b *testing.B) {
	svc, _ := newService(&testing.T{})
	p := usecase.NewPartition("analytics.ingest", 0)
	var off int64
	b.ResetTimer()
	for range b.N {
		msgs := make([]usecase.BehaviourMessage, 20)
		for i := range msgs {
			m := usecase.BehaviourMessage{Offset: off, Owner: fmt.Sprintf("m-%d", off%10), ReceivedAt: now}
			for j := range 50 {
				m.Events = append(m.Events, domain.Behaviour{Kind: domain.KindProductViewed, Time: now, ProductID: fmt.Sprintf("p%d", j)})
			}
			msgs[i] = m
			off++
		}
		if _, err := svc.ApplyBehaviour(context.Background(), p, msgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
