package proxy

import (
	"io"
	"net/http"
	"testing"

	"github.com/mercato-shop/mercato/platform/breaker"
)

// TestAcceptEncodingPassesThroughUnchanged checks that the gateway neither
// asks the upstream for gzip on its own (and then decompresses, losing the
// Content-Length) nor drops the client's own Accept-Encoding.
func TestAcceptEncodingPassesThroughUnchanged(t *testing.T) {
	tg := newTestGateway(t, breaker.Options{}, nil)
	// The test client's Transport would add gzip itself; send raw headers.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(client.CloseIdleConnections)

	for _, sent := range []string{"", "br, gzip"} {
		req, err := http.NewRequest(http.MethodGet, tg.front.URL+"/api/v1/products/p1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if sent != "" {
			req.Header.Set("Accept-Encoding", sent)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeEcho(t, body).Header.Get("Accept-Encoding"); got != sent {
			t.Errorf("client sent Accept-Encoding %q, upstream got %q", sent, got)
		}
	}
}

func TestCopyBuffersAreFullSizeAndReused(t *testing.T) {
	pool := &bufferPool{}
	buf := pool.Get()
	if len(buf) != copyBufferSize {
		t.Fatalf("len %d, want %d", len(buf), copyBufferSize)
	}
	buf[0] = 42
	pool.Put(buf[:10]) // a shortened slice comes back at full length
	if again := pool.Get(); len(again) != copyBufferSize {
		t.Fatalf("reused buffer has len %d, want %d", len(again), copyBufferSize)
	}
	pool.Put(make([]byte, 16)) // too small: dropped, not handed out
	for range 3 {
		if got := pool.Get(); len(got) != copyBufferSize {
			t.Fatalf("got a %d-byte buffer", len(got))
		}
	}
}

func TestIsIdentityHeaderIgnoresCase(t *testing.T) {
	for name, want := range map[string]bool{
		"X-User-Id": true, "x-user-roles": true, "X-MERCHANT-ID": true,
		"X-Authenticated-Email": true, "X-Mercato-Identity": true, "x-mercato-identity-roles": true,
		"X-User": false, "X-Request-Id": false, "Authorization": false, "X-Authenticated": false,
	} {
		if got := isIdentityHeader(name); got != want {
			t.Errorf("isIdentityHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
