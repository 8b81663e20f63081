package orm_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// faultProxy is a loopback TCP proxy between the driver and PostgreSQL
// that reads the backend's messages (type byte, length, payload) and,
// once armed, breaks the conversation right at a CommandComplete whose tag
// starts with a given word: the server has executed that statement (a
// COMMIT has committed) and the client sees what the fault makes of its
// reply. It serves one armed fault at a time, on whichever connection
// meets it first.
type faultProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	tag   string // the CommandComplete tag prefix that fires the fault
	act   faultAction
	fired chan struct{}
	conns []net.Conn
}

// faultAction is what the proxy does at the armed CommandComplete.
type faultAction int

const (
	fatalAfter   faultAction = iota + 1 // pass it, then FATAL 57P01 in place of the rest, and close
	closeAfter                          // pass it, then close
	fatalInstead                        // FATAL 57P01 in its place, and close
	dropReply                           // close without passing it: the reply is lost
)

// newFaultProxy starts a proxy to the server of conn (a URL) on a free
// loopback port; it stops with the test.
func newFaultProxy(t *testing.T, conn string) *faultProxy {
	t.Helper()
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		t.Skip("the fault proxy needs a postgres:// URL")
	}
	u, err := url.Parse(conn)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &faultProxy{ln: ln, target: u.Host}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// url returns conn with the proxy as its host, without TLS (the proxy
// reads the messages).
func (p *faultProxy) url(t *testing.T, conn string) string {
	t.Helper()
	u, err := url.Parse(conn)
	require.NoError(t, err)
	u.Host = p.ln.Addr().String()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String()
}

// arm sets the fault for the next CommandComplete whose tag starts with
// tag; the returned channel is closed once it fired.
func (p *faultProxy) arm(tag string, act faultAction) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tag, p.act, p.fired = tag, act, make(chan struct{})
	return p.fired
}

// take returns the armed action for a CommandComplete with tag and
// disarms the proxy, or 0.
func (p *faultProxy) take(tag string) faultAction {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.act == 0 || !strings.HasPrefix(tag, p.tag) {
		return 0
	}
	act := p.act
	p.act = 0
	close(p.fired)
	return act
}

func (p *faultProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *faultProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go func() {
			_, _ = io.Copy(server, client)
			server.Close()
		}()
		go p.relay(server, client)
	}
}

// relay passes the backend's messages to the client one by one until the
// armed fault fires or either side closes.
func (p *faultProxy) relay(server, client net.Conn) {
	defer client.Close()
	defer server.Close()
	r := bufio.NewReader(server)
	for {
		head := make([]byte, 5)
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		msg := make([]byte, 1+binary.BigEndian.Uint32(head[1:]))
		copy(msg, head)
		if _, err := io.ReadFull(r, msg[5:]); err != nil {
			return
		}
		var act faultAction
		if msg[0] == 'C' {
			act = p.take(strings.TrimRight(string(msg[5:]), "\x00"))
		}
		if act == fatalInstead || act == dropReply {
			msg = nil
		}
		if act == fatalInstead || act == fatalAfter {
			msg = append(msg, terminated()...)
		}
		if _, err := client.Write(msg); err != nil || act != 0 {
			return
		}
	}
}

// terminated is the ErrorResponse a backend sends when it is terminated
// (pg_terminate_backend, a fast shutdown): FATAL 57P01.
func terminated() []byte {
	var body []byte
	for _, f := range []struct {
		code byte
		val  string
	}{{'S', "FATAL"}, {'V', "FATAL"}, {'C', "57P01"}, {'M', "terminating connection due to administrator command"}} {
		body = append(append(append(body, f.code), f.val...), 0)
	}
	body = append(body, 0)
	msg := []byte{'E', 0, 0, 0, 0}
	binary.BigEndian.PutUint32(msg[1:], uint32(4+len(body)))
	return append(msg, body...)
}
