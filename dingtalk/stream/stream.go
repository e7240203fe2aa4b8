// Package stream is a client of DingTalk's Stream mode (Stream 模式): the app opens a
// WebSocket to DingTalk and receives its events over it, with no public URL. It speaks the
// protocol as DingTalk documents it (open-dingtalk/developerpedia, docs/learn/stream/protocol.md)
// on github.com/coder/websocket: DingTalk's own Go SDK is not used (its v0.9.1 panics with "send
// on closed channel").
//
//	c, err := stream.New(stream.Config{AppKey: key, AppSecret: secret, Handle: store})
//	err = c.Run(ctx) // until ctx is done, reconnecting as needed
//
// The protocol: POST {api host}/v1.0/gateway/connections/open with the app's credentials and
// its subscriptions returns an endpoint and a ticket, valid 90 s and good for one connection;
// the client connects to endpoint?ticket=. DingTalk sends frames {"specVersion","type",
// "headers","data"} where data is JSON in a string: SYSTEM ping (answered with its data),
// SYSTEM disconnect (DingTalk stops delivering and closes within about 10 s: it does so
// periodically, and the client opens a new connection at once), and EVENT frames, each acked
// with status SUCCESS or LATER (redeliver). DingTalk redelivers an event not acked within about
// 3 s, and delivers at least once: duplicates come even after an ack, so the handler must
// dedupe by event id.
//
// The client acks every event within AckWithin: SUCCESS when the handler returned nil, LATER
// when it failed or did not finish in time, or when MaxInFlight handlers are already running.
// It reconnects with a fresh ticket on disconnect, on a closed socket and on silence (no frame
// for KeepAlive, then no pong to its own ping), waiting 3 s, then doubling up to 60 s, with
// jitter. Neither the app secret nor a ticket appears in its logs or errors.
package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// DefaultAPIURL is DingTalk's new API host, where Stream connections are opened.
const DefaultAPIURL = "https://api.dingtalk.com"

// Defaults of Config.
const (
	DefaultMaxInFlight = 32
	DefaultAckWithin   = time.Second
	DefaultKeepAlive   = time.Minute
	DefaultMinBackoff  = 3 * time.Second
	DefaultMaxBackoff  = 60 * time.Second
	openPath           = "/v1.0/gateway/connections/open"
	maxFrame           = 4 << 20
)

// Handler stores one event. It returns nil once the event is safely stored (the client acks
// SUCCESS) or an error (LATER: DingTalk delivers it again). It is called from up to
// MaxInFlight goroutines at once and must honour ctx, whose deadline is the ack's.
type Handler func(ctx context.Context, e dingtalk.Event) error

// State is the connection's state, for a status page.
type State struct {
	Connected bool
	Since     time.Time // when it connected or went down
	Err       error     // why it is down; nil when connected or stopped
}

// Config is what a Client needs. AppKey, AppSecret and Handle are required.
type Config struct {
	AppKey, AppSecret string
	// APIURL is the new API host (KAOQIN_DINGTALK_API_URL); default DefaultAPIURL.
	APIURL string
	Handle Handler
	// HTTPClient opens connections and dials the WebSocket; default one with a 10 s timeout
	// for connections/open (the WebSocket itself has no timeout).
	HTTPClient  *http.Client
	Logger      *slog.Logger // default discards
	MaxInFlight int          // handlers running at once; default 32
	AckWithin   time.Duration
	KeepAlive   time.Duration // silence after which the client pings; default 1 minute
	MinBackoff  time.Duration // default 3 s
	MaxBackoff  time.Duration // default 60 s
	// OnState, if set, is called when the connection comes up or goes down. It must be quick.
	OnState func(State)
	// UA names the client to DingTalk; default "kaoqin-stream-go/1".
	UA string
}

// Client is a Stream client for one app.
type Client struct {
	cfg  Config
	hc   *http.Client
	log  *slog.Logger
	open *url.URL
	slot chan struct{}
}

// New checks cfg and returns a client; Run connects.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.AppKey) == "" || strings.TrimSpace(cfg.AppSecret) == "" {
		return nil, errors.New("stream: the AppKey and the AppSecret are both required")
	}
	if cfg.Handle == nil {
		return nil, errors.New("stream: Config.Handle is required")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("stream: API URL %q: want http(s)://host", cfg.APIURL)
	}
	u = u.JoinPath(openPath)
	u.RawQuery, u.Fragment = "", ""
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = DefaultAckWithin
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.UA == "" {
		cfg.UA = "kaoqin-stream-go/1"
	}
	c := &Client{cfg: cfg, hc: cfg.HTTPClient, log: cfg.Logger, open: u, slot: make(chan struct{}, cfg.MaxInFlight)}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 10 * time.Second}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// errDisconnect ends a connection DingTalk asked to leave: reconnect at once.
var errDisconnect = errors.New("DingTalk asked to disconnect")

// Run keeps a connection open until ctx is done, and returns nil then. Handlers still
// running when it returns finish with their own deadline.
func (c *Client) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		if backoff > 0 {
			wait := backoff + rand.N(backoff/5+1)
			c.log.Info("stream: reconnecting", "in", wait.Round(time.Millisecond))
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		began := time.Now()
		err := c.connectAndServe(ctx, &inflight)
		if ctx.Err() != nil {
			c.state(State{Since: time.Now()})
			return nil
		}
		switch {
		case errors.Is(err, errDisconnect):
			backoff = 0
			c.log.Info("stream: DingTalk ended the connection; opening a new one")
		case time.Since(began) > 2*c.cfg.MaxBackoff:
			backoff = c.cfg.MinBackoff // it was up a good while: start the backoff over
		default:
			backoff = min(max(2*backoff, c.cfg.MinBackoff), c.cfg.MaxBackoff)
		}
		if !errors.Is(err, errDisconnect) {
			c.log.Warn("stream: connection lost", "err", err)
		}
		c.state(State{Since: time.Now(), Err: err})
	}
}

func (c *Client) state(s State) {
	if c.cfg.OnState != nil {
		c.cfg.OnState(s)
	}
}

// ticket is what connections/open answers.
type ticket struct {
	Endpoint string `json:"endpoint"`
	Ticket   string `json:"ticket"`
}

// openConnection asks DingTalk for an endpoint and a single-use ticket.
func (c *Client) openConnection(ctx context.Context) (ticket, error) {
	body, _ := json.Marshal(map[string]any{
		"clientId":      c.cfg.AppKey,
		"clientSecret":  c.cfg.AppSecret,
		"subscriptions": []map[string]string{{"type": "EVENT", "topic": "*"}},
		"ua":            c.cfg.UA,
		"localIp":       localIP(),
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.open.String(), bytes.NewReader(body))
	if err != nil {
		return ticket{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return ticket{}, fmt.Errorf("open a Stream connection: %w", c.redact(err, ""))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return ticket{}, fmt.Errorf("open a Stream connection: read the answer: %w", c.redact(err, ""))
	}
	if resp.StatusCode/100 != 2 {
		// The new API's errors: HTTP 4xx/5xx with {"code","message","requestid"}.
		var e struct{ Code, Message, RequestID string }
		_ = json.Unmarshal(b, &e)
		msg := strings.TrimSpace(e.Code + " " + e.Message)
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || strings.Contains(e.Code, "Auth") {
			hint = " (check KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET, and that the app uses Stream mode)"
		}
		return ticket{}, fmt.Errorf("open a Stream connection: HTTP %d: %s%s", resp.StatusCode, c.redact(errors.New(msg), ""), hint)
	}
	var t ticket
	if err := json.Unmarshal(b, &t); err != nil || t.Endpoint == "" || t.Ticket == "" {
		return ticket{}, errors.New("open a Stream connection: the answer has no endpoint or ticket")
	}
	return t, nil
}

// connectAndServe opens one connection and serves it until it ends.
func (c *Client) connectAndServe(ctx context.Context, inflight *sync.WaitGroup) error {
	t, err := c.openConnection(ctx)
	if err != nil {
		return err
	}
	u, err := url.Parse(t.Endpoint)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") {
		return fmt.Errorf("connect to the Stream gateway: the endpoint %q is not a WebSocket URL", t.Endpoint)
	}
	q := u.Query()
	q.Set("ticket", t.Ticket)
	u.RawQuery = q.Encode()
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	conn, resp, err := websocket.Dial(dctx, u.String(), &websocket.DialOptions{HTTPClient: c.hc})
	cancel()
	if err != nil {
		status := ""
		if resp != nil {
			status = fmt.Sprintf(" (HTTP %d)", resp.StatusCode)
		}
		return fmt.Errorf("connect to the Stream gateway%s: %w", status, c.redact(err, t.Ticket))
	}
	conn.SetReadLimit(maxFrame)
	c.log.Info("stream: connected", "endpoint", u.Host)
	c.state(State{Connected: true, Since: time.Now()})
	return c.serve(ctx, conn, inflight)
}

// frame is one message from DingTalk.
type frame struct {
	SpecVersion string         `json:"specVersion"`
	Type        string         `json:"type"`
	Headers     map[string]any `json:"headers"`
	Header      map[string]any `json:"header"` // one of DingTalk's samples spells it so
	Data        string         `json:"data"`
}

func (f *frame) header(name string) string {
	v, ok := f.Headers[name]
	if !ok {
		v = f.Header[name]
	}
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// reply is an answer to a frame.
type reply struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

func (c *Client) serve(ctx context.Context, conn *websocket.Conn, inflight *sync.WaitGroup) error {
	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	frames := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			typ, b, err := conn.Read(connCtx)
			if err != nil {
				readErr <- err
				return
			}
			if typ != websocket.MessageText {
				continue
			}
			select {
			case frames <- b:
			case <-connCtx.Done():
				readErr <- connCtx.Err()
				return
			}
		}
	}()
	var mine sync.WaitGroup // this connection's handlers: a disconnect waits for their acks
	closeAfter := func(wait bool) {
		if !wait {
			conn.CloseNow()
			return
		}
		go func() {
			done := make(chan struct{})
			go func() { mine.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(c.cfg.AckWithin + 5*time.Second):
			}
			conn.Close(websocket.StatusNormalClosure, "reconnecting")
		}()
	}
	write := func(r reply) {
		b, _ := json.Marshal(r)
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := conn.Write(wctx, websocket.MessageText, b); err != nil {
			c.log.Debug("stream: write an answer", "err", err)
		}
	}
	idle := time.NewTimer(c.cfg.KeepAlive)
	defer idle.Stop()
	pingErr := make(chan error, 1)
	for {
		select {
		case <-ctx.Done():
			closeAfter(true)
			return ctx.Err()
		case err := <-readErr:
			closeAfter(false)
			return fmt.Errorf("the Stream connection closed: %w", err)
		case <-idle.C:
			// Silence: ping, while frames keep being read (the pong comes through the reader).
			go func() {
				pctx, pcancel := context.WithTimeout(connCtx, 10*time.Second)
				defer pcancel()
				if err := conn.Ping(pctx); err != nil && connCtx.Err() == nil {
					select {
					case pingErr <- err:
					default:
					}
				}
			}()
			idle.Reset(c.cfg.KeepAlive)
		case err := <-pingErr:
			closeAfter(false)
			return fmt.Errorf("the Stream connection went silent for %s and did not answer a ping: %w", c.cfg.KeepAlive, err)
		case b := <-frames:
			if !idle.Stop() {
				select {
				case <-idle.C:
				default:
				}
			}
			idle.Reset(c.cfg.KeepAlive)
			if err := c.dispatch(ctx, b, write, inflight, &mine); err != nil {
				closeAfter(true)
				return err
			}
		}
	}
}

// dispatch handles one frame; it returns errDisconnect for a SYSTEM disconnect.
func (c *Client) dispatch(ctx context.Context, b []byte, write func(reply), inflight, mine *sync.WaitGroup) error {
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		c.log.Warn("stream: a frame that is not JSON", "bytes", len(b))
		return nil
	}
	msgID := f.header("messageId")
	headers := map[string]string{"contentType": "application/json", "messageId": msgID}
	switch {
	case f.Type == "SYSTEM" && f.header("topic") == "ping":
		hs := map[string]string{}
		for k := range f.Headers {
			hs[k] = f.header(k)
		}
		hs["contentType"] = "application/json"
		write(reply{Code: 200, Headers: hs, Message: "OK", Data: f.Data})
	case f.Type == "SYSTEM" && f.header("topic") == "disconnect":
		return errDisconnect
	case f.Type == "SYSTEM":
		// CONNECTED, REGISTERED, KEEPALIVE...: nothing to do.
	case f.Type == "EVENT":
		e := dingtalk.Event{ID: f.header("eventId"), Type: f.header("eventType"), CorpID: f.header("eventCorpId"), Data: json.RawMessage(f.Data)}
		e.BornAt, _ = strconv.ParseInt(f.header("eventBornTime"), 10, 64)
		// Wait a little for a free handler (back pressure: the next frames wait in the
		// socket), then ask DingTalk to deliver it later rather than hold it unboundedly.
		select {
		case c.slot <- struct{}{}:
		default:
			t := time.NewTimer(c.cfg.AckWithin / 2)
			select {
			case c.slot <- struct{}{}:
				t.Stop()
			case <-t.C:
				c.log.Warn("stream: too many events in hand; asking DingTalk to deliver this one later", "event", e.ID, "max_in_flight", c.cfg.MaxInFlight)
				write(eventAck(headers, false))
				return nil
			case <-ctx.Done():
				t.Stop()
				return nil
			}
		}
		inflight.Add(1)
		mine.Add(1)
		go func() {
			defer inflight.Done()
			defer mine.Done()
			defer func() { <-c.slot }()
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.AckWithin)
			err := c.handle(hctx, e)
			cancel()
			if err != nil {
				c.log.Warn("stream: an event could not be stored; DingTalk will deliver it again", "event", e.ID, "type", e.Type, "err", err)
			}
			write(eventAck(headers, err == nil))
		}()
	default:
		// CALLBACK topics (robots, cards) are not subscribed: "topic not found".
		write(reply{Code: 404, Headers: headers, Message: "not found", Data: `{"response":null}`})
	}
	return nil
}

func (c *Client) handle(ctx context.Context, e dingtalk.Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the handler panicked: %v", p)
		}
	}()
	return c.cfg.Handle(ctx, e)
}

func eventAck(headers map[string]string, ok bool) reply {
	data := `{"status":"SUCCESS","message":"success"}`
	if !ok {
		data = `{"status":"LATER","message":"later"}`
	}
	return reply{Code: 200, Headers: headers, Message: "OK", Data: data}
}

// redact removes the secret and the ticket from an error's text: Go's network errors quote
// URLs, and the WebSocket's URL carries the ticket.
func (c *Client) redact(err error, tkt string) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	for _, secret := range []string{c.cfg.AppSecret, tkt, url.QueryEscape(tkt)} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	if s == err.Error() {
		return err
	}
	return errors.New(s)
}

// localIP is the first non-loopback IPv4 address, which DingTalk asks for to help diagnose
// connections; "" if there is none.
func localIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}
