package logbuf

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink records every write it gets.
type sink struct {
	mu     sync.Mutex
	writes []string
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes = append(s.writes, string(p))
	return len(p), nil
}

func (s *sink) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.writes...)
}

func TestLinesArriveTogetherWithinTheFlushInterval(t *testing.T) {
	out := &sink{}
	w := New(out, 1<<10, 30*time.Millisecond)
	_, _ = w.Write([]byte("before start\n"))
	if got := out.snapshot(); len(got) != 1 {
		t.Fatalf("a line before Start was held back: %q", got)
	}
	out.writes = nil
	w.Start()
	for i := range 3 {
		if _, err := w.Write([]byte("line " + string(rune('a'+i)) + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got := out.snapshot(); len(got) != 0 {
		t.Fatalf("written before the interval: %q", got)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(out.snapshot()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("never flushed")
		}
		<-time.After(5 * time.Millisecond)
	}
	if got := out.snapshot(); len(got) != 1 || got[0] != "line a\nline b\nline c\n" {
		t.Fatalf("writes %q, want the three lines in one write", got)
	}
}

func TestAFullBufferFlushesAtOnceAndCloseFlushesTheRest(t *testing.T) {
	out := &sink{}
	w := New(out, 16, time.Hour)
	w.Start()
	_, _ = w.Write([]byte("0123456789\n"))
	_, _ = w.Write([]byte("abcdefghij\n")) // does not fit: the first goes out
	if got := out.snapshot(); len(got) != 1 || got[0] != "0123456789\n" {
		t.Fatalf("writes %q", got)
	}
	_, _ = w.Write([]byte(strings.Repeat("x", 40) + "\n")) // larger than the buffer
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("after close\n"))
	want := []string{"0123456789\n", "abcdefghij\n", strings.Repeat("x", 40) + "\n", "after close\n"}
	if got := out.snapshot(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("writes %q, want %q", got, want)
	}
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	w := New(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) }), 256, time.Millisecond)
	w.Start()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			line := []byte(strings.Repeat(string(rune('a'+g)), 30) + "\n")
			for range 200 {
				_, _ = w.Write(line)
			}
		}()
	}
	wg.Wait()
	_ = w.Close()
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if len(l) != 30 || strings.Count(l, l[:1]) != 30 {
			t.Fatalf("mangled line %q", l)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
