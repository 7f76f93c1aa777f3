package embedded

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// requestFrame is a Kafka request frame of api key with correlation id
// corr and a few body bytes.
func requestFrame(key int16, corr int32) []byte {
	body := binary.BigEndian.AppendUint16(nil, uint16(key))
	body = binary.BigEndian.AppendUint16(body, 1)
	body = binary.BigEndian.AppendUint32(body, uint32(corr))
	body = append(body, 0, 0, 'b', 'o', 'd', 'y')
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// responseFrame is a Kafka response frame answering corr.
func responseFrame(corr int32) []byte {
	body := binary.BigEndian.AppendUint32(nil, uint32(corr))
	body = append(body, 0, 0)
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// heldPair is a client connection and the server end wrapped as kfake
// gets it.
func heldPair(t *testing.T) (client net.Conn, server *joinHoldConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server = newJoinHoldConn(raw)
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client, server
}

// readToEnd reads server until an error and sends it.
func readToEnd(server net.Conn) <-chan error {
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := server.Read(buf); err != nil {
				done <- err
				return
			}
		}
	}()
	return done
}

// notYet fails if ended reports within a short window.
func notYet(t *testing.T, ended <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ended:
		t.Fatalf("%s: the end reached the server early (%v)", what, err)
	case <-time.After(200 * time.Millisecond):
	}
}

// endsSoon fails unless ended reports within 5 s.
func endsSoon(t *testing.T, ended <-chan error, what string) {
	t.Helper()
	select {
	case err := <-ended:
		if err == nil {
			t.Fatalf("%s: nil error", what)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: the end never reached the server", what)
	}
}

// TestJoinHoldKeepsEndUntilJoinAnswered: a client that sends a JoinGroup
// and goes away is not seen gone until the JoinGroup is answered.
func TestJoinHoldKeepsEndUntilJoinAnswered(t *testing.T) {
	client, server := heldPair(t)
	frame := slices.Concat(requestFrame(3, 1), requestFrame(joinGroupKey, 2))
	if _, err := client.Write(frame); err != nil {
		t.Fatal(err)
	}
	_ = client.Close()
	ended := readToEnd(server)
	notYet(t, ended, "JoinGroup unanswered")

	// The Metadata answer does not release it; the JoinGroup's does.
	if _, err := server.Write(responseFrame(1)); err != nil {
		t.Fatal(err)
	}
	notYet(t, ended, "only the Metadata answered")
	_, _ = server.Write(responseFrame(2)) // the client is gone: may fail
	endsSoon(t, ended, "JoinGroup answered")
}

// TestJoinHoldLetsOtherEndsThrough: without an unanswered JoinGroup the
// end is reported at once, and kfake's own Close releases a held one.
func TestJoinHoldLetsOtherEndsThrough(t *testing.T) {
	client, server := heldPair(t)
	if _, err := client.Write(requestFrame(1, 9)); err != nil { // a Fetch
		t.Fatal(err)
	}
	_ = client.Close()
	endsSoon(t, readToEnd(server), "Fetch unanswered")

	client, server = heldPair(t)
	if _, err := client.Write(requestFrame(joinGroupKey, 3)); err != nil {
		t.Fatal(err)
	}
	_ = client.Close()
	ended := readToEnd(server)
	notYet(t, ended, "JoinGroup unanswered")
	_ = server.Close()
	endsSoon(t, ended, "closed by the server")
}

// TestJoinHoldCut: cut (the listener going down) drops the client at once
// but the server still sees the end only after answering the JoinGroup.
func TestJoinHoldCut(t *testing.T) {
	client, server := heldPair(t)
	if _, err := client.Write(requestFrame(joinGroupKey, 5)); err != nil {
		t.Fatal(err)
	}
	ended := readToEnd(server)
	notYet(t, ended, "before the cut") // the frame is read, the client alive
	if err := server.cut(); err != nil {
		t.Fatal(err)
	}
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("client read after the cut: %v, want EOF", err)
	}
	notYet(t, ended, "cut, JoinGroup unanswered")
	_, _ = server.Write(responseFrame(5))
	endsSoon(t, ended, "JoinGroup answered after the cut")
}

// TestFrameReaderAcrossChunks finds every frame's head however the stream
// is split.
func TestFrameReaderAcrossChunks(t *testing.T) {
	stream := slices.Concat(requestFrame(11, 1), requestFrame(3, 2), requestFrame(11, 300000))
	for chunk := 1; chunk <= len(stream); chunk++ {
		f := frameReader{head: 8}
		var corrs []int32
		for p := stream; len(p) > 0; {
			k := min(chunk, len(p))
			f.feed(p[:k], func(h []byte) { corrs = append(corrs, int32(binary.BigEndian.Uint32(h[4:8]))) })
			p = p[k:]
		}
		if !slices.Equal(corrs, []int32{1, 2, 300000}) {
			t.Fatalf("chunks of %d: heads %v, want [1 2 300000]", chunk, corrs)
		}
	}
	f := frameReader{head: 8}
	f.feed([]byte{0, 0, 0, 2, 0, 11, 0, 0, 0, 0, 0, 7}, func([]byte) { t.Fatal("head of a frame too short to be Kafka") })
	if !f.broken {
		t.Fatal("a frame shorter than its head did not stop the reader")
	}
}
