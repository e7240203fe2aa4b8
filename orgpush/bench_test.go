package orgpush

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// BenchmarkRead reads a 2,000-person org from a simulator that holds each path to 20 calls a
// second and answers after 20 ms, as DingTalk does, with the client at its default 20 QPS:
// Read's concurrent walk against the same calls made one at a time.
//
//	go test -run '^$' -bench 'BenchmarkRead$' -benchtime 1x ./orgpush/
func BenchmarkRead(b *testing.B) {
	sim := dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: 2000, Now: wednesday, Latency: 20 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	report := func(b *testing.B, start time.Time) {
		calls := sim.Counters().Total()
		b.ReportMetric(float64(calls.Calls)/float64(b.N), "calls/op")
		b.ReportMetric(float64(calls.Throttled)/float64(b.N), "throttled/op")
		b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/op")
	}
	b.Run("concurrent", func(b *testing.B) {
		sim.ResetCounters()
		start := time.Now()
		for b.Loop() {
			if _, err := Read(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		report(b, start)
	})
	b.Run("one-call-at-a-time", func(b *testing.B) {
		sim.ResetCounters()
		start := time.Now()
		for b.Loop() {
			n := 0
			for d, err := range c.Departments.Walk(ctx, dingtalk.RootDepartmentID, "") {
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := c.Departments.Get(ctx, int64(d.ID), ""); err != nil {
					b.Fatal(err)
				}
				for _, err := range c.Users.All(ctx, int64(d.ID), nil) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n == 0 {
				b.Fatal("nobody read")
			}
		}
		report(b, start)
	})
}

// BenchmarkReadFor reads a 500-person org, as BenchmarkRead does, for a file that gives every
// person their manager: on top of the lists, one v2/user/get a person, at 20 a second.
//
//	go test -run '^$' -bench BenchmarkReadFor -benchtime 1x ./orgpush/
func BenchmarkReadFor(b *testing.B) {
	sim := dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: 500, Now: wednesday, Latency: 20 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret, dingtalk.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	f := &File{Name: "managers.json"}
	for i, u := range sim.Truth().Users() {
		f.People = append(f.People, Person{Line: i + 1, UserID: u.UserID, Name: u.Name, Mobile: u.Mobile, Manager: u.Manager})
	}
	sim.ResetCounters()
	start := time.Now()
	for b.Loop() {
		org, err := ReadFor(context.Background(), c, f, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := NewPlan(f, org, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	calls := sim.Counters()
	b.ReportMetric(float64(calls.Total().Calls)/float64(b.N), "calls/op")
	b.ReportMetric(float64(calls["/topapi/v2/user/get"].Calls)/float64(b.N), "gets/op")
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/op")
}

// BenchmarkNewPlan plans a 100,000-person org of 2,000 departments against a file where a
// tenth of the people moved and got another manager, and a tenth of the departments were
// renamed.
//
//	go test -run '^$' -bench BenchmarkNewPlan -benchmem ./orgpush/
func BenchmarkNewPlan(b *testing.B) {
	const depts, people = 2000, 100_000
	org := &Org{Depts: map[int64]*OrgDept{}, Users: map[string]*OrgUser{}}
	f := &File{Name: "big.json"}
	for i := range depts {
		parent, hrParent := int64(1), ""
		if i >= 20 {
			parent, hrParent = int64(1000+i%20), fmt.Sprintf("D%d", i%20)
		}
		id := int64(1000 + i)
		name := fmt.Sprintf("部门%d", i)
		org.Depts[id] = &OrgDept{ID: id, ParentID: parent, Name: name, SourceID: fmt.Sprintf("D%d", i)}
		if i%10 == 9 {
			name += "新"
		}
		f.Departments = append(f.Departments, Department{Line: i + 2, ID: fmt.Sprintf("D%d", i), Name: name, ParentID: hrParent})
	}
	// Everyone reports to someone five times closer to the top (a chart seven deep), and a
	// tenth get another manager.
	for i := range people {
		uid, mobile := fmt.Sprintf("u%06d", i), fmt.Sprintf("138%08d", i)
		d := i % depts
		manager := ""
		if i > 0 {
			manager = fmt.Sprintf("u%06d", i/5)
		}
		org.Users[uid] = &OrgUser{UserID: uid, Name: "张三", Mobile: mobile, DeptIDs: []int64{int64(1000 + d)}, Detailed: true, Manager: manager}
		if i%10 == 9 {
			d = (d + 1) % depts
			manager = fmt.Sprintf("u%06d", i/5-1)
		}
		f.People = append(f.People, Person{Line: depts + i + 3, UserID: uid, Name: "张三", Mobile: mobile, DeptIDs: []string{fmt.Sprintf("D%d", d)}, Manager: manager})
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewPlan(f, org, Options{DeleteMissing: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Steps) != depts/10+2*people/10 {
			b.Fatalf("%d steps", len(p.Steps))
		}
	}
}
