package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/mercato-shop/mercato/platform/httpserver"
)

// minStreamGap is the shortest time between two looks at the figures of
// one stream, so a flood of behaviour events does not turn every open
// dashboard into a busy loop.
const minStreamGap = 150 * time.Millisecond

// stream serves Server-Sent Events: "dashboard" with the whole dashboard
// at once and whenever it changes, "sale" (a SaleView) for each new sale
// before the dashboard that counts it, and a comment as heartbeat. A
// change made by this instance wakes the stream at once; others are seen
// within RefreshInterval.
func (a *API) stream(c *gin.Context) {
	who, err := owner(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	wake, unsubscribe := a.svc.Hub().Subscribe(who)
	defer unsubscribe()
	d, err := a.svc.Dashboard(c, who)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	// The server's write timeout is for ordinary answers; a stream lives
	// until the client leaves.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)

	w := &sseWriter{w: c.Writer}
	seen := map[string]bool{}
	for _, s := range d.LatestOrders {
		seen[s.OrderID] = true
	}
	last := w.event("dashboard", d)

	refresh := time.NewTicker(a.opts.RefreshInterval)
	defer refresh.Stop()
	heartbeat := time.NewTicker(a.opts.HeartbeatInterval)
	defer heartbeat.Stop()
	ctx := c.Request.Context()
	lookedAt := time.Now()
	for w.err == nil {
		select {
		case <-ctx.Done():
			return
		case <-a.svc.Hub().Done():
			return
		case <-heartbeat.C:
			w.comment("heartbeat")
			continue
		case <-wake:
		case <-refresh.C:
		}
		if gap := time.Until(lookedAt.Add(minStreamGap)); gap > 0 {
			t := time.NewTimer(gap)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		lookedAt = time.Now()
		before := w.writes
		d, err := a.svc.Dashboard(ctx, who)
		if err != nil {
			continue
		}
		for i := len(d.LatestOrders) - 1; i >= 0; i-- {
			if s := d.LatestOrders[i]; !seen[s.OrderID] {
				seen[s.OrderID] = true
				w.event("sale", s)
			}
		}
		if body := encode(d); !bytes.Equal(body, last) {
			last = w.event("dashboard", d)
		}
		if w.writes != before {
			heartbeat.Reset(a.opts.HeartbeatInterval)
		}
	}
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen: the dashboard types marshal
		panic(fmt.Sprintf("analytics: encode: %v", err))
	}
	return b
}

// sseWriter writes events and flushes each; it keeps the first error,
// after which it writes nothing.
type sseWriter struct {
	w      gin.ResponseWriter
	err    error
	writes int
}

func (s *sseWriter) event(name string, v any) []byte {
	data := encode(v)
	s.write(func(w io.Writer) (int, error) { return fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, data) })
	return data
}

func (s *sseWriter) comment(text string) {
	s.write(func(w io.Writer) (int, error) { return fmt.Fprintf(w, ": %s\n\n", text) })
}

func (s *sseWriter) write(fn func(io.Writer) (int, error)) {
	if s.err != nil {
		return
	}
	if _, s.err = fn(s.w); s.err == nil {
		s.w.Flush()
		s.writes++
	}
}
