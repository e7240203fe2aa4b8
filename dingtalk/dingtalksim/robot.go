package dingtalksim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// RobotMessage is a message a custom group robot (自定义机器人) accepted.
type RobotMessage struct {
	Robot     string // the robot's access token
	MsgType   string
	Title     string // markdown, link and actionCard titles
	Text      string // text.content, or the markdown/link/actionCard text
	AtMobiles []string
	AtUserIDs []string
	IsAtAll   bool
	MsgUUID   string // msgUuid: DingTalk posts one message per UUID
	Body      json.RawMessage
	At        time.Time // company clock
}

type robotState struct {
	mu      sync.Mutex
	secrets map[string]string      // access token -> sign secret ("" = no signing)
	sent    map[string][]time.Time // accepted sends in the last minute, service clock
	until   map[string]time.Time   // throttled until
	uuids   map[string]bool        // token + "|" + msgUuid of the messages posted
}

func (r *robotState) init(robots map[string]string) {
	r.secrets, r.sent, r.until, r.uuids = map[string]string{}, map[string][]time.Time{}, map[string]time.Time{}, map[string]bool{}
	for k, v := range robots {
		r.secrets[k] = v
	}
}

// AddRobot registers a custom robot; an empty secret means it does not check signatures.
func (s *Server) AddRobot(token, secret string) {
	s.robots.mu.Lock()
	defer s.robots.mu.Unlock()
	s.robots.secrets[token] = secret
}

// RobotSign computes the sign query parameter of a robot call at timestamp ms:
// base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), before URL encoding.
func RobotSign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

const signHelp = "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"

// robotSend is POST /robot/send?access_token=&timestamp=&sign=: the signature within an
// hour of the server's time, at most 20 messages a minute per robot, then 10 minutes of
// refusals. Not metered, not under the app's QPS limit.
func (s *Server) robotSend(w http.ResponseWriter, r *http.Request, rec *PathCounters) {
	fail := func(e *apiError) {
		rec.Errors++
		if e.throttled {
			rec.Throttled++
		}
		s.writeErr(w, legacy, e)
	}
	q := r.URL.Query()
	tok := q.Get("access_token")
	if tok == "" {
		fail(errf(400101, "access_token不存在"))
		return
	}
	s.robots.mu.Lock()
	secret, ok := s.robots.secrets[tok]
	s.robots.mu.Unlock()
	if !ok {
		fail(errf(300005, "token is not exist"))
		return
	}
	now := s.cfg.Clock()
	if secret != "" {
		ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		if err != nil || now.Sub(time.UnixMilli(ts)).Abs() > time.Hour {
			fail(errf(310000, "invalid timestamp"))
			return
		}
		if !hmac.Equal([]byte(q.Get("sign")), []byte(RobotSign(secret, ts))) {
			fail(errf(310000, signHelp))
			return
		}
	}
	p, e := readParams(r)
	if e != nil {
		fail(e)
		return
	}
	m, e := robotMessage(p)
	if e != nil {
		fail(e)
		return
	}
	if !s.robots.take(tok, now) {
		fail(&apiError{code: 410100, msg: "发送速度太快而限流", throttled: true})
		return
	}
	if m.MsgUUID != "" && !s.robots.firstUUID(tok, m.MsgUUID) {
		// A retry of a message already posted: answered like the first, posted once.
		s.writeOK(w, legacy, struct{}{})
		return
	}
	m.Robot, m.At = tok, s.Now()
	s.msgs.mu.Lock()
	s.msgs.robot = append(s.msgs.robot, m)
	s.msgs.mu.Unlock()
	s.countRobotPush()
	s.writeOK(w, legacy, struct{}{})
}

// countRobotPush counts a posted robot message against the month's Webhook & Stream pushes,
// as DingTalk's billing page says robot messages count. UNVERIFIED: what a robot answers once
// the month's pushes are spent; the simulator still posts, and the events stop.
func (s *Server) countRobotPush() {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	s.events.quota[monthKey(s.Now())]++
}

// firstUUID records msgUuid uuid of robot tok and reports whether it is new. UNVERIFIED: how
// long DingTalk remembers a msgUuid; the simulator remembers it for its whole life, and a
// repeated one still counts toward the 20 a minute (the strict reading).
func (rs *robotState) firstUUID(tok, uuid string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	k := tok + "|" + uuid
	if rs.uuids[k] {
		return false
	}
	rs.uuids[k] = true
	return true
}

// take admits one message of robot tok at now, or reports it throttled.
func (rs *robotState) take(tok string, now time.Time) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if now.Before(rs.until[tok]) {
		return false
	}
	sent := slices.DeleteFunc(rs.sent[tok], func(t time.Time) bool { return now.Sub(t) >= time.Minute })
	if len(sent) >= 20 {
		rs.until[tok] = now.Add(10 * time.Minute)
		rs.sent[tok] = nil
		return false
	}
	rs.sent[tok] = append(sent, now)
	return true
}

func robotMessage(p *params) (RobotMessage, *apiError) {
	m := RobotMessage{MsgType: p.str("msgtype", true), MsgUUID: p.str("msgUuid", false)}
	if p.err != nil {
		return m, p.err
	}
	body, _ := json.Marshal(p.m)
	m.Body = body
	var part struct {
		Content string `json:"content"`
		Title   string `json:"title"`
		Text    string `json:"text"`
		URL     string `json:"messageUrl"`
		Links   []any  `json:"links"`
	}
	raw, ok := p.raw(m.MsgType)
	if ok && json.Unmarshal(raw, &part) != nil {
		return m, errInvalid(m.MsgType)
	}
	switch m.MsgType {
	case "text":
		m.Text = part.Content
		ok = ok && part.Content != ""
	case "markdown", "actionCard":
		m.Title, m.Text = part.Title, part.Text
		ok = ok && part.Title != "" && part.Text != ""
	case "link":
		m.Title, m.Text = part.Title, part.Text
		ok = ok && part.Title != "" && part.Text != "" && part.URL != ""
	case "feedCard":
		ok = ok && len(part.Links) > 0
	default:
		return m, errf(40008, "不合法的消息类型")
	}
	if !ok {
		return m, errMissing(m.MsgType)
	}
	if raw, ok := p.raw("at"); ok {
		var at struct {
			IsAtAll   bool     `json:"isAtAll"`
			AtMobiles []string `json:"atMobiles"`
			AtUserIDs []string `json:"atUserIds"`
		}
		if json.Unmarshal(raw, &at) != nil {
			return m, errInvalid("at")
		}
		m.IsAtAll, m.AtMobiles, m.AtUserIDs = at.IsAtAll, at.AtMobiles, at.AtUserIDs
	}
	return m, nil
}
