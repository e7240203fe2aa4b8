package notify_test

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
)

func testValidator() notify.Validator {
	return notify.Validator{
		Org: notify.Org{
			Departments: []kaoqin.Department{{ID: 1, Name: "公司"}, {ID: 12, ParentID: 1, Name: "研发"}, {ID: 13, ParentID: 1, Name: "旧部门", RemovedAt: 5}},
			Employees:   []kaoqin.Employee{{UserID: "u1", Name: "张三"}, {UserID: "gone", Name: "李四", LeftAt: 9}},
		},
		RobotHosts: []string{"127.0.0.1:9007"},
		Rules:      []kaoqin.ReminderRule{{ID: 7, Name: "上班提醒"}},
	}
}

// TestValidate_BadRules: every bad rule is refused with one line saying what to fix.
func TestValidate_BadRules(t *testing.T) {
	t.Parallel()
	const robot = "https://oapi.dingtalk.com/robot/send?access_token=5f3a1c9e7b2d4a6f8e0c"
	person := kaoqin.ReminderRule{Name: "迟到提醒", Channel: kaoqin.ChannelPerson, After: 15}
	with := func(f func(r *kaoqin.ReminderRule)) kaoqin.ReminderRule {
		r := person
		f(&r)
		return r
	}
	for _, tc := range []struct {
		rule kaoqin.ReminderRule
		want string // in the message
	}{
		{with(func(r *kaoqin.ReminderRule) { r.DeptIDs = []int64{12, 99} }), "Department 99 is not in the org chart"},
		{with(func(r *kaoqin.ReminderRule) { r.DeptIDs = []int64{13} }), "Department 13 is not in the org chart"},
		{with(func(r *kaoqin.ReminderRule) { r.UserIDs = []string{"gone"} }), `No one with userid "gone" works here`},
		{with(func(r *kaoqin.ReminderRule) { r.At, r.After = "9:30", 0 }), `The time "9:30" does not parse: want HH:MM`},
		{with(func(r *kaoqin.ReminderRule) { r.At, r.After = "25:00", 0 }), `The time "25:00" does not parse`},
		{with(func(r *kaoqin.ReminderRule) { r.After = 1441 }), "The offset of 1441 minutes is over a day"},
		{with(func(r *kaoqin.ReminderRule) { r.After = -2000 }), "is over a day"},
		{with(func(r *kaoqin.ReminderRule) { r.At = "09:30" }), "a time (HH:MM) or an offset"},
		{with(func(r *kaoqin.ReminderRule) { r.Name = " " }), "Give the rule a name"},
		{with(func(r *kaoqin.ReminderRule) { r.Name = "上班提醒" }), `Another rule is called "上班提醒"`},
		{with(func(r *kaoqin.ReminderRule) { r.Channel = "sms" }), `Unknown channel "sms"`},
		{with(func(r *kaoqin.ReminderRule) { r.Cap = 11 }), "The cap of 11 messages a day is out of range"},
		{with(func(r *kaoqin.ReminderRule) { r.Cap = 3 }), "needs a repeat interval"},
		{with(func(r *kaoqin.ReminderRule) { r.Every = 30 }), "needs a cap above 1"},
		{with(func(r *kaoqin.ReminderRule) { r.Cap, r.Every = 2, 2 }), "Repeat every 2 minutes is out of range"},
		{with(func(r *kaoqin.ReminderRule) { r.Cap, r.Every = 10, 600 }), "falls more than a day out"},
		{with(func(r *kaoqin.ReminderRule) { r.QuietFrom = "22:00" }), "Quiet hours need both ends"},
		{with(func(r *kaoqin.ReminderRule) { r.QuietFrom, r.QuietTo = "22:00", "7:00" }), `The quiet hour "7:00" does not parse`},
		{with(func(r *kaoqin.ReminderRule) { r.RobotURL = robot }), "Only robot rules have a robot webhook"},
		{kaoqin.ReminderRule{Name: "名单", Channel: kaoqin.ChannelDigest, After: 10}, "A digest or robot rule needs a time"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00"}, "A robot rule needs the robot's webhook URL"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: "https://example.com/robot/send?access_token=x"}, "is not DingTalk's webhook"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: "http://oapi.dingtalk.com/robot/send?access_token=x"}, "is not DingTalk's webhook"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: "https://oapi.dingtalk.com/robot/send"}, "is not DingTalk's webhook"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: "https://oapi.dingtalk.com/message/send?access_token=x"}, "is not DingTalk's webhook"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: robot, RobotSecret: "abc"}, "starts with SEC"},
		{kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: robot, UserIDs: []string{"u1"}}, "not of single people"},
	} {
		r := tc.rule
		err := testValidator().Validate(&r)
		if kaoqin.ErrorCode(err) != kaoqin.EINVALID || !strings.Contains(kaoqin.ErrorMessage(err), tc.want) {
			t.Errorf("%+v: got %v, want EINVALID saying %q", tc.rule, err, tc.want)
			continue
		}
		if msg := kaoqin.ErrorMessage(err); strings.Contains(msg, "\n") || strings.Contains(msg, "5f3a1c9e7b2d4a6f8e0c") {
			t.Errorf("not one line, or shows the robot's token: %q", msg)
		}
	}
}

func TestValidate_GoodRules(t *testing.T) {
	t.Parallel()
	v := testValidator()
	r := kaoqin.ReminderRule{Name: " 迟到提醒 ", Channel: kaoqin.ChannelPerson, After: -10, Cap: 3, Every: 30,
		UserIDs: []string{"u1", " u1", ""}, DeptIDs: []int64{12, 12}, QuietFrom: "22:00", QuietTo: "07:00"}
	if err := v.Validate(&r); err != nil {
		t.Fatal(err)
	}
	if r.Name != "迟到提醒" || !slices.Equal(r.UserIDs, []string{"u1"}) || !slices.Equal(r.DeptIDs, []int64{12}) {
		t.Errorf("tidied: %+v", r)
	}
	one := kaoqin.ReminderRule{ID: 7, Name: "上班提醒", Channel: kaoqin.ChannelPerson}
	if err := v.Validate(&one); err != nil || one.Cap != 1 {
		t.Errorf("a rule keeps its own name: %v, cap %d", err, one.Cap)
	}
	for _, u := range []string{"https://oapi.dingtalk.com/robot/send?access_token=abc", "http://127.0.0.1:9007/robot/send?access_token=abc"} {
		robot := kaoqin.ReminderRule{Name: "播报", Channel: kaoqin.ChannelRobot, At: "10:00", RobotURL: u, RobotSecret: "SECxyz"}
		if err := v.Validate(&robot); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if got := notify.MaskURL("https://oapi.dingtalk.com/robot/send?access_token=5f3a1c9e7b2d4a6f8e0c1b3d&timestamp=1&sign=x"); got != "https://oapi.dingtalk.com/robot/send?access_token=5f3a…1b3d" {
		t.Errorf("masked: %s", got)
	}
}

// TestWords: every message of Error has both languages, the same values in each, and is used.
func TestWords(t *testing.T) {
	t.Parallel()
	verb := regexp.MustCompile(`%(\[\d+\])?(\.\d+)?[a-z]`)
	verbs := func(s string) []string {
		vs := verb.FindAllString(s, -1)
		for i, v := range vs {
			vs[i] = v[len(v)-1:]
		}
		slices.Sort(vs)
		return vs
	}
	var src strings.Builder
	for _, f := range []string{"rule.go", "board.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for k, w := range notify.Words {
		if w[0] == "" || w[1] == "" || !slices.Equal(verbs(w[0]), verbs(w[1])) {
			t.Errorf("%s: %q and %q", k, w[0], w[1])
		}
		if !strings.Contains(src.String(), `"`+k+`"`) {
			t.Errorf("%s is said nowhere", k)
		}
	}
	r := kaoqin.ReminderRule{Name: "名单", Channel: kaoqin.ChannelDigest, After: 10}
	err := testValidator().Validate(&r)
	var ne *notify.Error
	if !errors.As(err, &ne) || strings.Contains(ne.Say(true), "%!") || !strings.Contains(ne.Say(true), "固定时刻") || ne.Say(false) != kaoqin.ErrorMessage(err) {
		t.Errorf("said: %q / %q", ne.Say(true), ne.Say(false))
	}
}
