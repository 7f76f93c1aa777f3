package proxy

import "sync"

// copyBufferSize is the size of the buffer a response body is copied
// through, ReverseProxy's own default.
const copyBufferSize = 32 << 10

// copyBuffers recycles the body copy buffers, which ReverseProxy would
// otherwise allocate (32 KB) for every request.
var copyBuffers = &bufferPool{}

// bufferPool is an httputil.BufferPool backed by a sync.Pool.
type bufferPool struct {
	pool sync.Pool
}

// Get returns a buffer of copyBufferSize bytes.
func (b *bufferPool) Get() []byte {
	if buf, ok := b.pool.Get().(*[]byte); ok {
		return *buf
	}
	return make([]byte, copyBufferSize)
}

// Put returns buf for reuse.
func (b *bufferPool) Put(buf []byte) {
	if cap(buf) < copyBufferSize {
		return
	}
	buf = buf[:copyBufferSize]
	b.pool.Put(&buf)
}
