package dingtalk

import (
	"errors"
	"net/url"
	"strings"
	"sync"
)

const redacted = "REDACTED"

// secretParams are the query parameters that carry credentials: the app token of every oapi
// call, the app secret of /gettoken, the robot's webhook token and its signature.
var secretParams = []string{"access_token", "appsecret", "corpsecret", "sign"}

// redactor removes the app secret and every token the client has seen from text that may
// reach an error or a log line. DingTalk puts tokens in URLs, and Go's HTTP errors quote the
// URL, so without this a failed dial prints the token (or, for /gettoken, the secret).
type redactor struct {
	mu      sync.RWMutex
	secrets []string // newest last; a few old tokens are kept, an error may quote one
}

// minSecretLen keeps a test secret like "x" from turning every message into REDACTED soup;
// real secrets and tokens are dozens of characters long.
const minSecretLen = 6

const keepTokens = 8

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.add(s)
	}
	return r
}

func (r *redactor) add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	r.secrets = append(r.secrets, secret)
	// The first entry is the app secret and stays; old tokens go.
	if len(r.secrets) > keepTokens+1 {
		r.secrets = append(r.secrets[:1], r.secrets[2:]...)
	}
}

func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, redacted)
		}
		// URLs carry the secret query-escaped.
		if esc := url.QueryEscape(secret); esc != secret && strings.Contains(s, esc) {
			s = strings.ReplaceAll(s, esc, redacted)
		}
	}
	return s
}

// redactURL replaces the values of credential parameters in a URL, whatever they are.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	changed := false
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, redacted)
			changed = true
		}
	}
	if !changed {
		return raw
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// redactedError shows a cleaned message and keeps the original for errors.Is and errors.As
// (timeouts, context cancellation).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Timeout keeps net.Error's contract for errors that had it.
func (e *redactedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

// redactErr returns err with credentials removed from its text. A *url.Error gets its URL
// cleaned and stays a *url.Error.
func (r *redactor) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: r.redact(redactURL(ue.URL)), Err: r.redactErr(ue.Err)}
	}
	msg := err.Error()
	clean := r.redact(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}
