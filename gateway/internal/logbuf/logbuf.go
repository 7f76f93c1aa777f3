// Package logbuf is a buffered log writer: log lines collect in memory and
// reach the underlying writer (stdout, a container's log pipe) in one write
// per batch, at the latest FlushInterval after the first line of the batch,
// or at once when the buffer fills. At the gateway's request rates one
// write(2) per access-log line is a measurable share of a request's CPU;
// the price is that a process killed outright loses the lines of its last
// FlushInterval (a clean stop flushes them).
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Defaults of New.
const (
	DefaultSize          = 64 << 10
	DefaultFlushInterval = 50 * time.Millisecond
)

// Writer buffers whole writes (slog writes one line per call). It is safe
// for concurrent use.
type Writer struct {
	mu       sync.Mutex
	out      io.Writer
	buf      []byte
	interval time.Duration
	timer    *time.Timer
	// buffering is off until Start and after Close: writes go through.
	buffering bool
}

// New buffers up to size bytes for out and flushes within interval; zero
// values take the defaults. It writes through until Start, so the lines of
// a start-up that fails are never held back.
func New(out io.Writer, size int, interval time.Duration) *Writer {
	if size <= 0 {
		size = DefaultSize
	}
	if interval <= 0 {
		interval = DefaultFlushInterval
	}
	w := &Writer{out: out, buf: make([]byte, 0, size), interval: interval}
	w.timer = time.AfterFunc(time.Hour, func() { _ = w.Flush() })
	w.timer.Stop()
	return w
}

// Start turns buffering on.
func (w *Writer) Start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buffering = true
}

// Write appends p to the buffer (or writes it through before Start, after
// Close, or when it is larger than the buffer). It reports a failed flush.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.buffering || len(p) > cap(w.buf) {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
		return w.out.Write(p)
	}
	if len(w.buf)+len(p) > cap(w.buf) {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(w.buf) == 0 {
		w.timer.Reset(w.interval)
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.out.Write(w.buf)
	w.buf = w.buf[:0]
	return err
}

// Close flushes and makes later writes go straight through.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer.Stop()
	w.buffering = false
	return w.flushLocked()
}
