package stack

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// lockedWriter serialises writes from several services to one console.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes each complete line to w with a prefix.
type prefixWriter struct {
	prefix string
	w      io.Writer
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := append([]byte(p.prefix), p.buf[:i+1]...)
		p.buf = p.buf[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
	}
}

// notReadyLogs returns the last lines of the logs of services that are
// not ready, to explain a failed start.
func (st *Stack) notReadyLogs() string {
	var sb strings.Builder
	for _, s := range st.sup.Status() {
		if s.Ready {
			continue
		}
		fmt.Fprintf(&sb, "\n--- %s (last exit: %q), end of %s:\n%s", s.Name, s.LastExit, st.LogPath(s.Name), tail(st.LogPath(s.Name), 1500))
	}
	return sb.String()
}

// tail returns at most n bytes from the end of the file at path.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := max(info.Size()-n, 0)
	b := make([]byte, info.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
		return err.Error()
	}
	return string(b)
}
