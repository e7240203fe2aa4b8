package web

import (
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/notify"
)

// TestGroupItems: one person's reminder to many is one row; each department's digest is a row
// of its own, shown without Markdown's marks.
func TestGroupItems(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	person := notify.Item{At: at, RuleID: 1, Channel: kaoqin.ChannelPerson, Status: kaoqin.ReminderDelivered, Text: "【上班提醒】请打卡"}
	a, b := person, person
	a.To, b.To = "u1", "u2"
	d1 := notify.Item{At: at, RuleID: 2, Channel: kaoqin.ChannelDigest, Status: kaoqin.ReminderDelivered, To: "m1",
		Text: "#### 【部门未到名单】未到 1 人\n\n**研发部**（1 人）\n\n- 张三\n\n> 打了卡的人会在下一次同步后离开名单。"}
	d2 := d1
	d2.To, d2.Text = "m2", "#### 【部门未到名单】未到 2 人"
	got := groupItems([]notify.Item{a, b, d1, d2})
	if len(got) != 3 || len(got[0].Items) != 2 || len(got[1].Items) != 1 || len(got[2].Items) != 1 {
		t.Fatalf("groups: %+v", got)
	}
	if want := "【部门未到名单】未到 1 人\n\n研发部（1 人）\n\n- 张三\n\n打了卡的人会在下一次同步后离开名单。"; got[1].Text != want {
		t.Errorf("readable digest:\n%q\nwant\n%q", got[1].Text, want)
	}
	if got[2].Text != "【部门未到名单】未到 2 人" {
		t.Errorf("second digest %q", got[2].Text)
	}
}
