package embedded

import (
	"errors"
	"io"
	"net"
	"sync"
)

// switchListener is a TCP listener that can be taken down and brought
// back on the same address, so that a server behind it becomes
// unreachable for a while without stopping: Down closes the socket (new
// connections are refused) and every connection it accepted; Up listens
// on the same address again. Accept blocks while the listener is down.
type switchListener struct {
	network, addr string
	// wrap, when set, wraps every accepted connection (before tracking).
	wrap func(net.Conn) net.Conn

	mu     sync.Mutex
	cond   *sync.Cond
	ln     net.Listener // nil while down
	closed bool
	conns  map[net.Conn]struct{}
}

// errListenerClosed is Accept's error once Close was called.
var errListenerClosed = errors.New("listener closed")

func listenSwitch(network, address string) (*switchListener, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	s := &switchListener{network: network, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]struct{}{}}
	s.cond = sync.NewCond(&s.mu)
	return s, nil
}

// Accept waits for a connection, across down periods.
func (s *switchListener) Accept() (net.Conn, error) {
	for {
		s.mu.Lock()
		for s.ln == nil && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return nil, errListenerClosed
		}
		ln := s.ln
		s.mu.Unlock()
		c, err := ln.Accept()
		s.mu.Lock()
		switch {
		case err == nil && s.ln == ln:
			if s.wrap != nil {
				c = s.wrap(c)
			}
			tc := &trackedConn{Conn: c, owner: s}
			s.conns[tc] = struct{}{}
			s.mu.Unlock()
			return tc, nil
		case err == nil:
			_ = c.Close() // accepted just as the listener went down
		case s.ln == ln && !s.closed:
			s.mu.Unlock()
			return nil, err // a real accept error
		}
		s.mu.Unlock()
	}
}

// Down closes the socket and every accepted connection; a second Down is
// a no-op.
func (s *switchListener) Down() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil || s.closed {
		return nil
	}
	err := s.ln.Close()
	s.ln = nil
	for c := range s.conns {
		_ = c.(*trackedConn).cut()
	}
	clear(s.conns)
	return err
}

// Up listens on the same address again; it is a no-op when up.
func (s *switchListener) Up() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errListenerClosed
	}
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen(s.network, s.addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.cond.Broadcast()
	return nil
}

// IsUp says whether the listener accepts connections.
func (s *switchListener) IsUp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln != nil
}

// Close closes the listener for good (accepted connections stay open,
// as with a net.Listener).
func (s *switchListener) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cond.Broadcast()
	if s.ln == nil {
		return nil
	}
	err := s.ln.Close()
	s.ln = nil
	return err
}

// Addr is the listening address, the same while down.
func (s *switchListener) Addr() net.Addr {
	a, err := net.ResolveTCPAddr("tcp", s.addr)
	if err != nil {
		return &net.TCPAddr{}
	}
	return a
}

// trackedConn forgets itself in its listener when closed.
type trackedConn struct {
	net.Conn
	owner *switchListener
}

func (c *trackedConn) Close() error {
	c.owner.mu.Lock()
	delete(c.owner.conns, c)
	c.owner.mu.Unlock()
	return c.Conn.Close()
}

// cut closes the socket for Down; a wrapped connection that keeps state
// past the socket (joinHoldConn) decides what its server sees.
func (c *trackedConn) cut() error {
	if h, ok := c.Conn.(interface{ cut() error }); ok {
		return h.cut()
	}
	return c.Conn.Close()
}

// proxy forwards every connection l accepts to target (FerretDB's own
// listener), so that taking l down cuts the clients off from FerretDB
// while it keeps running.
func proxy(l net.Listener, target string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			pipe := func(dst, src net.Conn) {
				_, _ = io.Copy(dst, src)
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				done <- struct{}{}
			}
			go pipe(up, c)
			go pipe(c, up)
			<-done // one side ended: end both
		}()
	}
}
