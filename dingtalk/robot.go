package dingtalk

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// RobotMessagesPerMinute is DingTalk's limit for one custom group robot; beyond it the robot
// is throttled for 10 minutes. Robot spaces its messages to stay under it: 3.15 s apart, so
// that arrival jitter of up to 3 s cannot put a 21st message into one minute.
const RobotMessagesPerMinute = 20

// robotPath is the path robot calls are reported under (CallInfo, errors).
const robotPath = "/robot/send"

// Robot posts messages to a DingTalk group through a custom robot's webhook. It uses the
// robot's own webhook token, not the app's token, and signs every call when the robot has a
// secret (加签). Its calls are not metered against the API quota (they count against the
// webhook quota). A Robot is safe for concurrent use.
type Robot struct {
	webhook *url.URL
	secret  string
	caller  *caller
}

// NewRobot returns a robot for a webhook URL
// ("https://oapi.dingtalk.com/robot/send?access_token=..."). secret is the robot's signing
// secret ("SEC..."), or "" for a robot secured by keywords or an IP list instead. Of the
// options, WithHTTPClient, WithClock, WithSleep, WithLogger, WithCallHook and WithRetry apply.
func NewRobot(webhookURL, secret string, opts ...Option) (*Robot, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Query().Get("access_token") == "" {
		return nil, fmt.Errorf("dingtalk: NewRobot: webhook URL %q: want http(s)://host/robot/send?access_token=...", redactURL(webhookURL))
	}
	red := newRedactor(secret, u.Query().Get("access_token"))
	lims := newLimiters(RobotMessagesPerMinute / 60.0)
	return &Robot{webhook: u, secret: secret, caller: newCaller(cfg, red, lims)}, nil
}

// RobotMessage is a group robot message. Set MsgType and the one matching field. MsgUUID makes
// retries safe (DingTalk delivers one message per UUID); Send fills it when it is empty.
type RobotMessage struct {
	MsgType    string           `json:"msgtype"` // text, markdown, link, actionCard
	Text       *Text            `json:"text,omitempty"`
	Markdown   *Markdown        `json:"markdown,omitempty"`
	Link       *Link            `json:"link,omitempty"`
	ActionCard *RobotActionCard `json:"actionCard,omitempty"`
	At         *At              `json:"at,omitempty"`
	MsgUUID    string           `json:"msgUuid,omitempty"`
}

// At says whom a robot message mentions (at most 50). A text message must also name them in
// its content ("@138xxxx") for DingTalk to highlight them.
type At struct {
	AtMobiles []string `json:"atMobiles,omitempty"`
	AtUserIDs []string `json:"atUserIds,omitempty"`
	IsAtAll   bool     `json:"isAtAll,omitempty"`
}

// RobotActionCard is a card with one button (SingleTitle, SingleURL) or several (Btns).
type RobotActionCard struct {
	Title          string        `json:"title"`
	Text           string        `json:"text"`
	SingleTitle    string        `json:"singleTitle,omitempty"`
	SingleURL      string        `json:"singleURL,omitempty"`
	BtnOrientation string        `json:"btnOrientation,omitempty"` // "0" vertical, "1" horizontal
	Btns           []RobotButton `json:"btns,omitempty"`
}

// RobotButton is one button of a RobotActionCard.
type RobotButton struct {
	Title     string `json:"title"`
	ActionURL string `json:"actionURL"`
}

// RobotSign returns the signature of a robot call made at timestampMs (Unix ms):
// base64(HMAC-SHA256(key=secret, message=timestamp+"\n"+secret)). The caller URL-encodes it.
func RobotSign(secret string, timestampMs int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMs, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Send posts a message to the group. Throttled and transient failures are retried with the
// same body (and so the same msgUuid), each attempt freshly signed; a robot throttled for 10
// minutes is not retried: the error says so.
//
// DingTalk doc: custom-robots-send-group-messages
//
//	POST /robot/send?access_token=...&timestamp=...&sign=...
func (r *Robot) Send(ctx context.Context, msg *RobotMessage) error {
	if msg == nil || msg.MsgType == "" {
		return invalidf(robotPath, "a message needs a msgtype")
	}
	m := *msg
	if m.MsgUUID == "" {
		m.MsgUUID = newUUID()
	}
	body, err := json.Marshal(m)
	if err != nil {
		return invalidf(robotPath, "encode message: %v", err)
	}
	try := func(attempt int) (*Response, error) {
		u := *r.webhook
		q := u.Query()
		if r.secret != "" {
			// DingTalk rejects a timestamp more than an hour off, so every attempt signs anew.
			ts := r.caller.now().UnixMilli()
			q.Set("timestamp", strconv.FormatInt(ts, 10))
			q.Set("sign", RobotSign(r.secret, ts))
		}
		u.RawQuery = q.Encode()
		hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("dingtalk: %s: %w", robotPath, r.caller.red.redactErr(err))
		}
		hreq.Header.Set("Content-Type", "application/json")
		return r.caller.send(ctx, robotPath, hreq, attempt, nil)
	}
	_, err = r.caller.run(ctx, robotPath, try, nil)
	return err
}

func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.Join(errors.New("dingtalk: no randomness"), err)) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b[:])
}
