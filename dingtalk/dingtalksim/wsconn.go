package dingtalksim

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The server side of RFC 6455, as far as DingTalk's Stream gateway needs it: the handshake,
// text frames (fragmented or not) from a client that masks them, pings, pongs and close. It is
// written here, on the standard library, so that the simulator shares no WebSocket code with
// the client it tests.

const (
	wsContinuation = 0x0
	wsText         = 0x1
	wsBinary       = 0x2
	wsClose        = 0x8
	wsPing         = 0x9
	wsPong         = 0xA
	wsMaxMessage   = 1 << 20
	wsGUID         = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
)

// wsConn is one accepted WebSocket connection. Reads belong to one goroutine; writes may come
// from several.
type wsConn struct {
	nc   net.Conn
	br   *bufio.Reader
	wmu  sync.Mutex
	once sync.Once
}

// wsAccept completes the handshake of r, or answers 400 and returns an error.
func wsAccept(w http.ResponseWriter, r *http.Request) (*wsConn, error) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if r.Method != http.MethodGet || !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" || key == "" {
		http.Error(w, "a WebSocket handshake is expected here", http.StatusBadRequest)
		return nil, errors.New("not a WebSocket handshake")
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot take over the connection", http.StatusInternalServerError)
		return nil, errors.New("the response writer cannot hijack")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	nc.SetDeadline(time.Time{})
	if _, err := nc.Write([]byte(resp)); err != nil {
		nc.Close()
		return nil, err
	}
	return &wsConn{nc: nc, br: brw.Reader}, nil
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// readMessage returns the next text or binary message, answering pings and close frames on
// the way. It returns io.EOF when the peer closed.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	started := false
	for {
		fin, op, payload, err := c.readFrame()
		if err != nil {
			return nil, err
		}
		switch op {
		case wsPing:
			if err := c.writeFrame(wsPong, payload); err != nil {
				return nil, err
			}
		case wsPong:
		case wsClose:
			code := []byte{}
			if len(payload) >= 2 {
				code = payload[:2]
			}
			c.writeFrame(wsClose, code)
			c.close()
			return nil, io.EOF
		case wsText, wsBinary:
			if started {
				return nil, c.fail(1002, "a new message before the last one ended")
			}
			msg, started = append(msg[:0], payload...), true
		case wsContinuation:
			if !started {
				return nil, c.fail(1002, "a continuation without a message")
			}
			msg = append(msg, payload...)
		default:
			return nil, c.fail(1002, "unknown opcode")
		}
		if len(msg) > wsMaxMessage {
			return nil, c.fail(1009, "message too big")
		}
		if started && fin && (op == wsText || op == wsBinary || op == wsContinuation) {
			return msg, nil
		}
	}
}

func (c *wsConn) readFrame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(c.br, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	if h[0]&0x70 != 0 {
		return false, 0, nil, c.fail(1002, "reserved bits set (no extension was negotiated)")
	}
	if h[1]&0x80 == 0 {
		return false, 0, nil, c.fail(1002, "client frames must be masked")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(c.br, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(c.br, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if op >= wsClose && (n > 125 || !fin) {
		return false, 0, nil, c.fail(1002, "bad control frame")
	}
	if n > wsMaxMessage {
		return false, 0, nil, c.fail(1009, "frame too big")
	}
	var mask [4]byte
	if _, err = io.ReadFull(c.br, mask[:]); err != nil {
		return
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(c.br, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return fin, op, payload, nil
}

// writeText sends one text message.
func (c *wsConn) writeText(b []byte) error { return c.writeFrame(wsText, b) }

func (c *wsConn) writeFrame(op byte, payload []byte) error {
	hdr := make([]byte, 0, 10)
	hdr = append(hdr, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, byte(n))
	case n <= 0xFFFF:
		hdr = append(hdr, 126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr = append(hdr, 127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(append(hdr, payload...)); err != nil {
		return err
	}
	return nil
}

// fail closes the connection with a close code, as the protocol asks of a peer that broke it.
func (c *wsConn) fail(code uint16, reason string) error {
	c.closeWith(code, reason)
	return fmt.Errorf("websocket: %s", reason)
}

// closeWith sends a close frame and closes the connection.
func (c *wsConn) closeWith(code uint16, reason string) {
	b := binary.BigEndian.AppendUint16(nil, code)
	c.writeFrame(wsClose, append(b, reason...))
	c.close()
}

// close drops the TCP connection at once (no close frame): a dead network, as clients must
// survive it.
func (c *wsConn) close() {
	c.once.Do(func() { c.nc.Close() })
}
