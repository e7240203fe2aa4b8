package orgpush

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// TestRead reads a generated company and compares every department and person with the
// simulator's own view.
func TestRead(t *testing.T) {
	s := newSim(t, 300)
	hand, err := s.AddDepartment(1, "外包")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Departments.Update(context.Background(), departmentSID(hand, "HR-9")); err != nil {
		t.Fatal(err)
	}
	org, err := Read(context.Background(), s.client)
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Truth()
	depts := tr.Departments()
	if len(org.Depts) != len(depts)-1 {
		t.Errorf("read %d departments, the simulator has %d besides the root", len(org.Depts), len(depts)-1)
	}
	for _, d := range depts[1:] {
		got := org.Depts[d.ID]
		if got == nil || got.Name != d.Name || got.ParentID != d.ParentID || got.SourceID != d.SourceIdentifier || got.Order != d.Order {
			t.Errorf("department %d: read %+v, want %+v", d.ID, got, d)
		}
	}
	if org.Depts[hand].SourceID != "HR-9" {
		t.Errorf("source_identifier not read: %+v", org.Depts[hand])
	}
	users := tr.Users()
	if len(org.Users) != len(users) {
		t.Errorf("read %d people, the simulator has %d", len(org.Users), len(users))
	}
	for _, u := range users {
		got := org.Users[u.UserID]
		want := slices.Sorted(slices.Values(u.DeptIDs))
		if got == nil || got.Name != u.Name || got.Mobile != u.Mobile || got.Title != u.Title || got.JobNumber != u.JobNumber ||
			got.Admin != u.Admin || got.Boss != u.Boss || !slices.Equal(got.DeptIDs, want) {
			t.Errorf("person %s: read %+v, want %+v", u.UserID, got, u)
		}
	}
}

// TestRead_SkipsHomeSchool reads an org whose root lists the home-school department -1.
func TestRead_SkipsHomeSchool(t *testing.T) {
	sim := dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: 30, QPS: -1, IPLimit: -1, Now: wednesday, NegativeDept: true})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	org, err := Read(context.Background(), newClient(t, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if org.Depts[-1] != nil || len(org.Depts) != len(sim.Truth().Departments())-1 {
		t.Errorf("read %d departments, -1 among them: %v", len(org.Depts), org.Depts[-1] != nil)
	}
}
