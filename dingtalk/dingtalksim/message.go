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
	Forbidden []string        // skipped: the same content reached them earlier that day
	Invalid   []string        // unknown userids
	BadDepts  []int64         // unknown department ids
}

type messageLog struct {
	mu      sync.Mutex
	notes   []Notification
	robot   []RobotMessage
	taskSeq uint64
	seen    map[string]bool // userid + day + content: DingTalk delivers identical content once a day
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
	s.msgs.mu.Lock()
	defer s.msgs.mu.Unlock()
	if s.msgs.seen == nil {
		s.msgs.seen = map[string]bool{}
	}
	for _, id := range recipients {
		key := id + "|" + day + "|" + content
		if s.msgs.seen[key] {
			n.Forbidden = append(n.Forbidden, id)
			continue
		}
		s.msgs.seen[key] = true
		n.Delivered = append(n.Delivered, id)
	}
	s.msgs.taskSeq++
	n.TaskID = 256_000_000_000 + int64(hash(s.seed, saltTask, s.msgs.taskSeq)%1_000_000_000)*100 + int64(s.msgs.taskSeq%100)
	s.msgs.notes = append(s.msgs.notes, n)
	return struct {
		TaskID int64 `json:"task_id"`
	}{n.TaskID}, nil
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
	for _, id := range n.Forbidden {
		fl = append(fl, forbidden{Code: "143105", Count: 1, UserID: id})
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
