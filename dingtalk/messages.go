package dingtalk

import (
	"context"
	"encoding/json"
	"strings"
)

// MessagesService sends work notifications (工作通知): messages from the app to users in
// DingTalk. They are metered. Beyond DingTalk's limits a send still succeeds but nobody gets
// the message: ≤5000 recipients a call, the same content to the same user once a day, ≤500
// messages a user a day.
type MessagesService service

// Limits of asyncsend_v2.
const (
	MaxNotifyUsers = 100  // userid_list entries per call
	MaxNotifyDepts = 20   // dept_id_list entries per call
	MaxNotifyBytes = 2048 // bytes of the msg object
)

// Message is the msg of a work notification. Set MsgType and the one matching field; the
// constructors TextMessage and MarkdownMessage do both.
type Message struct {
	MsgType    string      `json:"msgtype"` // text, markdown, link, action_card
	Text       *Text       `json:"text,omitempty"`
	Markdown   *Markdown   `json:"markdown,omitempty"`
	Link       *Link       `json:"link,omitempty"`
	ActionCard *ActionCard `json:"action_card,omitempty"`
}

// Text is a plain-text message.
type Text struct {
	Content string `json:"content"`
}

// Markdown is a message in DingTalk's subset of Markdown; Title shows in the chat list.
type Markdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Link is a link card.
type Link struct {
	MessageURL string `json:"messageUrl"`
	PicURL     string `json:"picUrl"`
	Title      string `json:"title"`
	Text       string `json:"text"`
}

// ActionCard is a card with one button (SingleTitle, SingleURL).
type ActionCard struct {
	Title       string `json:"title"`
	Markdown    string `json:"markdown"`
	SingleTitle string `json:"single_title,omitempty"`
	SingleURL   string `json:"single_url,omitempty"`
}

// TextMessage returns a plain-text work notification.
func TextMessage(content string) Message {
	return Message{MsgType: "text", Text: &Text{Content: content}}
}

// MarkdownMessage returns a Markdown work notification.
func MarkdownMessage(title, text string) Message {
	return Message{MsgType: "markdown", Markdown: &Markdown{Title: title, Text: text}}
}

// WorkNotification is a work notification to send: from the app AgentID, to UserIDs, DeptIDs
// (sub-departments included) or everyone.
type WorkNotification struct {
	AgentID   int64
	UserIDs   []string // ≤100
	DeptIDs   []int64  // ≤20
	ToAllUser bool
	Msg       Message
}

// Send sends a work notification and returns DingTalk's task id: sending is asynchronous,
// SendResult tells who got it.
//
// DingTalk doc: asynchronous-sending-of-enterprise-session-messages
//
//	POST /topapi/message/corpconversation/asyncsend_v2
func (s *MessagesService) Send(ctx context.Context, n *WorkNotification) (int64, *Response, error) {
	const path = "/topapi/message/corpconversation/asyncsend_v2"
	if n == nil || n.AgentID == 0 {
		return 0, nil, invalidf(path, "agent_id is required")
	}
	if len(n.UserIDs) == 0 && len(n.DeptIDs) == 0 && !n.ToAllUser {
		return 0, nil, invalidf(path, "no recipients: set UserIDs, DeptIDs or ToAllUser")
	}
	if len(n.UserIDs) > MaxNotifyUsers || len(n.DeptIDs) > MaxNotifyDepts {
		return 0, nil, invalidf(path, "%d users and %d departments: at most %d and %d per call", len(n.UserIDs), len(n.DeptIDs), MaxNotifyUsers, MaxNotifyDepts)
	}
	msg, err := json.Marshal(n.Msg)
	if err != nil {
		return 0, nil, invalidf(path, "encode msg: %v", err)
	}
	if n.Msg.MsgType == "" || len(msg) > MaxNotifyBytes {
		return 0, nil, invalidf(path, "msg has no msgtype or is %d bytes (at most %d)", len(msg), MaxNotifyBytes)
	}
	body := struct {
		AgentID    int64           `json:"agent_id"`
		UserIDList string          `json:"userid_list,omitempty"`
		DeptIDList string          `json:"dept_id_list,omitempty"`
		ToAllUser  bool            `json:"to_all_user,omitempty"`
		Msg        json.RawMessage `json:"msg"`
	}{n.AgentID, strings.Join(n.UserIDs, ","), joinInts(n.DeptIDs), n.ToAllUser, msg}
	var out struct {
		TaskID *FlexInt `json:"task_id"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return 0, resp, err
	}
	if out.TaskID == nil {
		return 0, resp, missing(path, resp, "task_id")
	}
	return int64(*out.TaskID), resp, nil
}

// SendResult is who got a work notification, and who did not and why.
type SendResult struct {
	InvalidUserIDs   []string    `json:"invalid_user_id_list"`
	ForbiddenUserIDs []string    `json:"forbidden_user_id_list"` // over a sending limit
	FailedUserIDs    []string    `json:"failed_user_id_list"`
	ReadUserIDs      []string    `json:"read_user_id_list"`
	UnreadUserIDs    []string    `json:"unread_user_id_list"`
	InvalidDeptIDs   []FlexInt   `json:"invalid_dept_id_list"`
	ForbiddenList    []Forbidden `json:"forbidden_list,omitempty"`
}

// Forbidden says which limit stopped a notification to a user.
type Forbidden struct {
	Code   FlexString `json:"code"`
	Count  FlexInt    `json:"count"`
	UserID string     `json:"userid"`
}

// SendResult returns the outcome of a work notification sent by Send.
//
// DingTalk doc: gets-the-result-of-sending-messages-asynchronously-to-the-enterprise
//
//	POST /topapi/message/corpconversation/getsendresult
func (s *MessagesService) SendResult(ctx context.Context, agentID, taskID int64) (*SendResult, *Response, error) {
	const path = "/topapi/message/corpconversation/getsendresult"
	if agentID == 0 || taskID == 0 {
		return nil, nil, invalidf(path, "agent_id and task_id are required")
	}
	body := struct {
		AgentID int64 `json:"agent_id"`
		TaskID  int64 `json:"task_id"`
	}{agentID, taskID}
	var out struct {
		SendResult *SendResult `json:"send_result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.SendResult == nil {
		return nil, resp, missing(path, resp, "send_result")
	}
	return out.SendResult, resp, nil
}
