package analytics

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

// streamHandler serves Server-Sent Events: "summary" with the current
// summary at once and whenever it changes, "sale" (a Sale) for each new
// sale before the summary that counts it, and a comment as heartbeat. It
// ends when the client goes away or the model is closed.
func (m *Model) streamHandler(c *gin.Context) {
	merchant, err := callerMerchant(c)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}
	wake, unsubscribe := m.hub.subscribe(merchant)
	defer unsubscribe()
	snap, err := m.snapshot(c, merchant)
	if err != nil {
		httpserver.WriteError(c, err)
		return
	}

	// The server's write timeout is meant for ordinary answers; a stream
	// lives until the client leaves.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	c.Status(http.StatusOK)

	w := &sseWriter{w: c.Writer}
	seen := make(map[string]bool, len(snap.sales))
	for _, s := range snap.sales {
		seen[s.OrderID] = true
	}
	last := w.event("summary", snap.summary)

	refresh := time.NewTicker(m.refresh)
	defer refresh.Stop()
	heartbeat := time.NewTicker(m.heartbeat)
	defer heartbeat.Stop()
	ctx := c.Request.Context()
	for w.err == nil {
		select {
		case <-ctx.Done():
			return
		case <-m.done:
			return
		case <-heartbeat.C:
			w.comment("heartbeat")
			continue
		case <-wake:
		case <-refresh.C:
		}
		before := w.writes
		snap, err := m.snapshot(ctx, merchant)
		if err != nil {
			m.log.WarnContext(ctx, "analytics stream: summary failed", "merchant_id", merchant, "error", err.Error())
			continue
		}
		// Sales are newest first; announce the new ones oldest first.
		for i := len(snap.sales) - 1; i >= 0; i-- {
			if s := snap.sales[i]; !seen[s.OrderID] {
				seen[s.OrderID] = true
				w.event("sale", s)
			}
		}
		if body := encode(snap.summary); !bytes.Equal(body, last) {
			last = w.event("summary", snap.summary)
		}
		if w.writes != before {
			heartbeat.Reset(m.heartbeat)
		}
	}
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // cannot happen: the summary types marshal
		panic(fmt.Sprintf("analytics: encode: %v", err))
	}
	return b
}

// sseWriter writes events and flushes each; it keeps the first error, after
// which it writes nothing.
type sseWriter struct {
	w      gin.ResponseWriter
	err    error
	writes int
}

// event writes one event with v as JSON data and returns the data.
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
