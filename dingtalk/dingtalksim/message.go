package dingtalksim

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Notification is a work notification (工作通知) sent through asyncsend_v2.
type Notification struct {
	TaskID    int64
	AgentID   int64
	UserIDs   []string        // userid_list as sent
	DeptIDs   []int64         // dept_id_list as sent
	ToAllUser bool            // to_all_user
	MsgType   string          // msg.msgtype
	Msg       json.RawMessage // msg as sent
	At        time.Time       // company clock
	Delivered []string        // who received it
	// Forbidden are the people DingTalk accepted the call for but did not deliver to, each
	// for the reason of the same index in ForbiddenCodes: CodeDuplicate (the same content
	// reached them earlier that day) or CodeDailyCap (they had their 500 messages of the day).
	Forbidden      []string
	ForbiddenCodes []string
	Invalid        []string // unknown userids
	BadDepts       []int64  // unknown department ids
}

// The codes getsendresult gives in forbidden_list for a message DingTalk accepted and dropped.
const (
	CodeDailyCap  = "143105" // the person had MaxMessagesPerDay messages from the app that day
	CodeDuplicate = "143106" // the same content reached the person earlier that day
)

// MaxMessagesPerDay is how many work notifications one person receives from one app in a day
// (reference 10.4: 500 for an internal app); DingTalk drops the rest, silently.
const MaxMessagesPerDay = 500

// InboxMessage is a work notification as the person's DingTalk shows it.
type InboxMessage struct {
	TaskID  int64
	MsgType string
	Title   string          // markdown, link, oa and action_card titles
	Text    string          // text.content, or the markdown/link/action_card text
	Msg     json.RawMessage // msg as sent
	At      time.Time       // company clock
}

type messageLog struct {
	mu      sync.Mutex
	notes   []Notification
	robot   []RobotMessage
	taskSeq uint64
	seen    map[string]bool           // userid + day + content: DingTalk delivers identical content once a day
	perDay  map[string]int            // userid + day: messages delivered that day
	inbox   map[string][]InboxMessage // userid -> what they received, oldest first
}

// Notifications returns the work notifications sent so far, oldest first.
func (s *Server) Notifications() []Notification {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	return slices.Clone(s.msgs.notes)
}

// RobotMessages returns the messages custom robots accepted so far, oldest first.
func (s *Server) RobotMessages() []RobotMessage {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	return slices.Clone(s.msgs.robot)
}

// Inbox returns the work notifications userid received, oldest first: what their DingTalk
// shows, after DingTalk's limits dropped what they drop.
func (s *Server) Inbox(userid string) []InboxMessage {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	return slices.Clone(s.msgs.inbox[userid])
}

// Inboxes returns every person's inbox that holds a message, by userid.
func (s *Server) Inboxes() map[string][]InboxMessage {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	out := make(map[string][]InboxMessage, len(s.msgs.inbox))
	for id, m := range s.msgs.inbox {
		out[id] = slices.Clone(m)
	}
	return out
}

// RobotInbox returns what robot token posted to its group, oldest first.
func (s *Server) RobotInbox(token string) []RobotMessage {
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	var out []RobotMessage
	for _, m := range s.msgs.robot {
		if m.Robot == token {
			out = append(out, m)
		}
	}
	return out
}

var msgTypes = []string{"text", "image", "voice", "file", "link", "oa", "markdown", "action_card"}

// asyncSend is topapi/message/corpconversation/asyncsend_v2. Like DingTalk it accepts
// unknown recipients and over-limit duplicates, and reports them in getsendresult.
func (s *Server) asyncSend(c *call) (any, *apiError) {
	p := c.p
	agent, _ := p.int("agent_id", true)
	users := p.commaList("userid_list", false)
	depts := p.commaInts("dept_id_list", false)
	all, _ := p.boolean("to_all_user")
	raw, hasMsg := p.raw("msg")
	if p.err != nil {
		return nil, p.err
	}
	if !hasMsg {
		return nil, errMissing("msg")
	}
	switch {
	case agent != s.cfg.AgentID:
		return nil, errParam("agent_id 不属于当前应用")
	case len(users) == 0 && len(depts) == 0 && !all:
		return nil, errMissing("userid_list")
	case len(users) > 100 || len(depts) > 20:
		return nil, errf(41029, "超过最大接收人数: userid_list 最多100个, dept_id_list 最多20个")
	case len(raw) > 2048:
		return nil, errParam("msg 不能超过2048字节")
	}
	var msg map[string]json.RawMessage
	var typ string
	if json.Unmarshal(raw, &msg) != nil || json.Unmarshal(msg["msgtype"], &typ) != nil {
		return nil, errInvalid("msg")
	}
	if !slices.Contains(msgTypes, typ) {
		return nil, errf(40008, "不合法的消息类型")
	}
	if _, ok := msg[typ]; !ok {
		return nil, errMissing("msg." + typ)
	}

	n := Notification{AgentID: agent, UserIDs: users, DeptIDs: depts, ToAllUser: all, MsgType: typ, Msg: slices.Clone(raw), At: c.now}
	var recipients []string
	s.mu.RLock()
	seen := map[string]bool{}
	addUser := func(u *user) {
		if !seen[u.userid] {
			seen[u.userid] = true
			recipients = append(recipients, u.userid)
		}
	}
	for _, id := range users {
		if u := s.org.current(id); u != nil {
			addUser(u)
		} else {
			n.Invalid = append(n.Invalid, id)
		}
	}
	for _, id := range depts {
		if s.org.depts[id] == nil {
			n.BadDepts = append(n.BadDepts, id)
			continue
		}
		for _, d := range s.org.subtree(id) {
			for _, u := range s.org.members[d] {
				addUser(u)
			}
		}
	}
	if all {
		for _, u := range s.org.allSorted() {
			if !u.removed {
				addUser(u)
			}
		}
	}
	s.mu.RUnlock()

	content := strconv.FormatUint(hashString(string(raw)), 16)
	day := c.today.String()
	title, text := notificationText(typ, msg[typ])
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	if s.msgs.seen == nil {
		s.msgs.seen, s.msgs.perDay, s.msgs.inbox = map[string]bool{}, map[string]int{}, map[string][]InboxMessage{}
	}
	s.msgs.taskSeq++
	n.TaskID = 256_000_000_000 + int64(hash(s.seed, saltTask, s.msgs.taskSeq)%1_000_000_000)*100 + int64(s.msgs.taskSeq%100)
	for _, id := range recipients {
		// UNVERIFIED which limit DingTalk names when both apply: a duplicate is named first,
		// and only delivered messages count toward the day's 500.
		key, dayKey := id+"|"+day+"|"+content, id+"|"+day
		switch {
		case s.msgs.seen[key]:
			n.Forbidden, n.ForbiddenCodes = append(n.Forbidden, id), append(n.ForbiddenCodes, CodeDuplicate)
		case s.msgs.perDay[dayKey] >= MaxMessagesPerDay:
			n.Forbidden, n.ForbiddenCodes = append(n.Forbidden, id), append(n.ForbiddenCodes, CodeDailyCap)
		default:
			s.msgs.seen[key] = true
			s.msgs.perDay[dayKey]++
			n.Delivered = append(n.Delivered, id)
			s.msgs.inbox[id] = append(s.msgs.inbox[id], InboxMessage{TaskID: n.TaskID, MsgType: typ, Title: title, Text: text, Msg: n.Msg, At: c.now})
		}
	}
	s.msgs.notes = append(s.msgs.notes, n)
	return struct {
		TaskID int64 `json:"task_id"`
	}{n.TaskID}, nil
}

// notificationText is what a person reads of a message: its title and text, by msgtype.
func notificationText(typ string, body json.RawMessage) (title, text string) {
	var part struct {
		Content  string `json:"content"`
		Title    string `json:"title"`
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
		Head     struct {
			Text string `json:"text"`
		} `json:"head"`
		Body struct {
			Title   string `json:"title"`
			Content string `json:"content"`
		} `json:"body"`
	}
	json.Unmarshal(body, &part)
	switch typ {
	case "text":
		return "", part.Content
	case "action_card":
		return part.Title, part.Markdown
	case "oa":
		return part.Body.Title, part.Body.Content
	}
	return part.Title, part.Text
}

type forbidden struct {
	Code   string `json:"code"`
	Count  int    `json:"count"`
	UserID string `json:"userid"`
}

// getSendResult is topapi/message/corpconversation/getsendresult.
func (s *Server) getSendResult(c *call) (any, *apiError) {
	p := c.p
	agent, _ := p.int("agent_id", true)
	task, _ := p.int("task_id", true)
	if p.err != nil {
		return nil, p.err
	}
	if agent != s.cfg.AgentID {
		return nil, errParam("agent_id 不属于当前应用")
	}
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	i := slices.IndexFunc(s.msgs.notes, func(n Notification) bool { return n.TaskID == task })
	if i < 0 {
		return nil, errParam("task_id 不存在")
	}
	n := s.msgs.notes[i]
	var fl []forbidden
	for i, id := range n.Forbidden {
		fl = append(fl, forbidden{Code: n.ForbiddenCodes[i], Count: 1, UserID: id})
	}
	type result struct {
		InvalidUserIDList   []string    `json:"invalid_user_id_list"`
		ForbiddenUserIDList []string    `json:"forbidden_user_id_list"`
		FailedUserIDList    []string    `json:"failed_user_id_list"`
		ReadUserIDList      []string    `json:"read_user_id_list"`
		UnreadUserIDList    []string    `json:"unread_user_id_list"`
		InvalidDeptIDList   []int64     `json:"invalid_dept_id_list"`
		ForbiddenList       []forbidden `json:"forbidden_list"`
	}
	return struct {
		SendResult result `json:"send_result"`
	}{result{nonNil(n.Invalid), nonNil(n.Forbidden), []string{}, []string{}, nonNil(n.Delivered), nonNil(n.BadDepts), nonNil(fl)}}, nil
}

// inboxState is GET /_sim/inbox: every inbox, or one person's (?userid=) or one robot's
// group (?robot=TOKEN).
func (s *Server) inboxState(userid, robot string) map[string]any {
	switch {
	case userid != "":
		return map[string]any{"userid": userid, "messages": nonNil(s.Inbox(userid))}
	case robot != "":
		return map[string]any{"robot": robot, "messages": nonNil(s.RobotInbox(robot))}
	}
	return map[string]any{"people": s.Inboxes(), "robot": nonNil(s.RobotMessages())}
}
