package orgpush

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// The calls each step makes. Creates and deletes are made safe to repeat: the answer to a
// write can be lost after DingTalk did it (a timeout the client retries, a push killed at
// that moment), so a create that DingTalk refuses looks for what it was to create, and a
// delete that finds nothing is done.

// resolve returns the DingTalk id of a department ref.
func (st *run) resolve(r Ref) (int64, error) {
	if r.ID != 0 {
		return r.ID, nil
	}
	if id := st.lookup(r.HRID); id != 0 {
		return id, nil
	}
	return 0, fmt.Errorf("department [%s] does not exist in DingTalk (its create did not succeed)", r.HRID)
}

func (st *run) call(ctx context.Context, s *Step, o *Outcome) error {
	c := st.r.Client
	switch s.Op {
	case OpCreateDept:
		return st.createDept(ctx, s.Dept, o)
	case OpUpdateDept:
		d := s.Dept
		u := &dingtalk.DepartmentUpdate{ID: d.ID, Name: d.Name, Order: d.Order, SourceIdentifier: d.SourceID,
			HideDept: d.HideDept, OuterDept: d.OuterDept, CreateDeptGroup: d.CreateDeptGroup}
		if d.Parent != nil {
			id, err := st.resolve(*d.Parent)
			if err != nil {
				return err
			}
			u.ParentID = &id
		}
		_, err := c.Departments.Update(ctx, u)
		return err
	case OpDeleteDept:
		_, err := c.Departments.Delete(ctx, s.Dept.ID)
		if apiCode(err) == 60003 {
			return nil // gone already: an earlier answer was lost, or DingTalk took it with its parent
		}
		return err
	case OpCreateUser:
		return st.createUser(ctx, s.User, o)
	case OpUpdateUser:
		v := s.User
		u := &dingtalk.UserUpdate{UserID: v.UserID, Name: v.Name, Email: v.Email, JobNumber: v.JobNumber, Title: v.Title,
			Telephone: v.Telephone, WorkPlace: v.WorkPlace, Remark: v.Remark, OrgEmail: v.OrgEmail, HideMobile: v.HideMobile,
			SeniorMode: v.Senior, Extension: v.Extension, HiredDate: v.HiredDate, ManagerUserID: v.Manager}
		if v.Depts != nil {
			ids, err := st.resolveAll(*v.Depts)
			if err != nil {
				return err
			}
			u.DeptIDs = &ids
		}
		if v.Orders != nil {
			orders, err := st.resolveOrders(v.Orders)
			if err != nil {
				return err
			}
			u.DeptOrders = &orders
		}
		if _, err := c.Users.Update(ctx, u); err != nil {
			return err
		}
		return st.checkCleared(ctx, v)
	case OpDeleteUser:
		_, err := c.Users.Delete(ctx, s.User.UserID)
		if code := apiCode(err); code == 60121 || code == 33012 {
			return nil // gone already
		}
		return err
	}
	return fmt.Errorf("unknown step %q", s.Op)
}

func (st *run) resolveAll(refs []Ref) ([]int64, error) {
	var ids []int64
	for _, r := range refs {
		id, err := st.resolve(r)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// createDept creates a department. When DingTalk refuses, it looks whether the department is
// there already with this HR id, which happens when the answer to an earlier create was lost
// (a retry after a timeout, or a push killed at that moment): then that one is the result.
func (st *run) createDept(ctx context.Context, d *DeptChange, o *Outcome) error {
	parent, err := st.resolve(*d.Parent)
	if err != nil {
		return err
	}
	id, _, err := st.r.Client.Departments.Create(ctx, &dingtalk.NewDepartment{Name: *d.Name, ParentID: parent, Order: deref(d.Order),
		SourceIdentifier: deref(d.SourceID), HideDept: deref(d.HideDept), OuterDept: deref(d.OuterDept), CreateDeptGroup: deref(d.CreateDeptGroup)})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		found, ferr := st.findDept(ctx, parent, *d.Name, d.HRID)
		if ferr != nil || found == 0 {
			return err
		}
		id, o.Adopted = found, true
	}
	st.mu.Lock()
	st.hr[d.HRID] = id
	st.mu.Unlock()
	return nil
}

func (st *run) findDept(ctx context.Context, parent int64, name, hr string) (int64, error) {
	c := st.r.Client
	kids, _, err := c.Departments.ListSub(ctx, parent, "")
	if err != nil {
		return 0, err
	}
	for _, k := range kids {
		if k.Name != name {
			continue
		}
		full, _, err := c.Departments.Get(ctx, int64(k.ID), "")
		if err != nil {
			return 0, err
		}
		if full.SourceIdentifier == hr {
			return int64(k.ID), nil
		}
	}
	return 0, nil
}

// createUser creates a person; when DingTalk refuses, it looks whether the person is there
// already with this userid and mobile (an earlier answer was lost).
func (st *run) createUser(ctx context.Context, v *UserChange, o *Outcome) error {
	ids, err := st.resolveAll(*v.Depts)
	if err != nil {
		return err
	}
	orders, err := st.resolveOrders(v.Orders)
	if err != nil {
		return err
	}
	nu := &dingtalk.NewUser{UserID: v.UserID, Name: deref(v.Name), Mobile: v.Mobile, DeptIDs: ids,
		Email: deref(v.Email), JobNumber: deref(v.JobNumber), Title: deref(v.Title), Telephone: deref(v.Telephone),
		WorkPlace: deref(v.WorkPlace), Remark: deref(v.Remark), OrgEmail: deref(v.OrgEmail), HideMobile: deref(v.HideMobile),
		SeniorMode: deref(v.Senior), Extension: deref(v.Extension), HiredDate: deref(v.HiredDate), ManagerUserID: deref(v.Manager),
		DeptOrders: orders}
	_, _, err = st.r.Client.Users.Create(ctx, nu)
	if err != nil && ctx.Err() == nil {
		if u, _, gerr := st.r.Client.Users.Get(ctx, v.UserID, ""); gerr == nil && sameMobile(u.Mobile, v.Mobile) {
			o.Adopted = true
			return nil
		}
	}
	return err
}

func (st *run) resolveOrders(list []OrderRef) ([]dingtalk.DeptOrderEntry, error) {
	var out []dingtalk.DeptOrderEntry
	for _, o := range list {
		id, err := st.resolve(o.Dept)
		if err != nil {
			return nil, err
		}
		out = append(out, dingtalk.DeptOrderEntry{DeptID: id, Order: o.Order})
	}
	return out, nil
}

// checkCleared reads a person back after an update that empties fields: DingTalk documents
// clearing only the manager (force_update_fields), and an update that keeps a field it was
// sent empty would otherwise pass for done, and be planned again at every push.
func (st *run) checkCleared(ctx context.Context, v *UserChange) error {
	if len(v.Clears) == 0 {
		return nil
	}
	u, _, err := st.r.Client.Users.Get(ctx, v.UserID, "")
	if err != nil {
		return fmt.Errorf("read %s back to see the fields cleared: %w", v.UserID, err)
	}
	values := map[string]string{"email": u.Email, "job_number": u.JobNumber, "title": u.Title, "telephone": u.Telephone,
		"work_place": u.WorkPlace, "remark": u.Remark, "org_email": u.OrgEmail, "manager": u.ManagerUserID}
	if len(parseExtension(u.Extension)) > 0 {
		values["extattr"] = "set"
	}
	var kept []string
	for _, f := range v.Clears {
		if values[f] != "" {
			kept = append(kept, f)
		}
	}
	if len(kept) > 0 {
		return fmt.Errorf("DingTalk accepted the update but kept %s: clear %s in DingTalk's admin console",
			strings.Join(kept, ", "), map[bool]string{true: "it", false: "them"}[len(kept) == 1])
	}
	return nil
}

func apiCode(err error) int {
	var ae *dingtalk.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
