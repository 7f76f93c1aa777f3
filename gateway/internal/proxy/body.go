package proxy

import (
	"context"
	"errors"
	"io"
	"sync"
)

// clientBody is the request body the gateway streams to an upstream. A
// failure to read it is the client's (a chunked body over the size limit,
// a client that hung up), not the upstream's: it cancels the upstream call,
// which the breaker then does not count against the upstream, and it is
// kept for proxyError to answer from (413 for a body over the limit).
type clientBody struct {
	io.ReadCloser
	cancel context.CancelFunc

	mu  sync.Mutex
	err error
}

// Read runs in the transport's goroutine that writes the upstream request.
func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
		b.cancel()
	}
	return n, err
}

// failure is the error reading the body failed with, if it did.
func (b *clientBody) failure() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
