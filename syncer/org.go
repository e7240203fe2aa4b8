package syncer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// pullOrg reads DingTalk's whole org chart: the department tree (listsub, breadth first), each
// department's details (department/get: its order and source identifier) and its members
// (v2/user/list, cursor paging). Contacts calls are free but limited per path, so the walk
// feeds workers that get details and list members while it goes on: the three paths run side
// by side, each at its own limit. Nothing is returned unless the whole chart was read: a
// partial chart would mark the rest of the company removed.
func (s *Syncer) pullOrg(ctx context.Context) (kaoqin.OrgSnapshot, error) {
	now := s.now()
	snap := kaoqin.OrgSnapshot{Day: kaoqin.DateOf(now, s.loc), At: now.UnixMilli()}
	root, _, err := s.client.Departments.Get(ctx, kaoqin.RootDeptID, "")
	if err != nil {
		return snap, fmt.Errorf("read the root department: %w", err)
	}

	var (
		mu       sync.Mutex
		depts    = map[int64]kaoqin.Department{}
		emps     = map[string]kaoqin.Employee{}
		listedIn = map[string][]int64{} // the departments that list each person
	)
	g, gctx := errgroup.WithContext(ctx)
	found := make(chan dingtalk.Department, 4*s.conc)
	g.Go(func() error {
		defer close(found)
		found <- *root
		for d, err := range s.client.Departments.Walk(gctx, kaoqin.RootDeptID, "") {
			if err != nil {
				return fmt.Errorf("read the department tree: %w", err)
			}
			select {
			case found <- d:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for range s.conc {
		g.Go(func() error {
			for d := range found {
				dept, members, err := s.readDepartment(gctx, d, int64(d.ID) == kaoqin.RootDeptID)
				if isGone(err) {
					s.log.Info("syncer: a department went away during the sync; leaving it out", "dept", int64(d.ID))
					continue
				}
				if err != nil {
					return err
				}
				mu.Lock()
				depts[dept.ID] = dept
				for _, e := range members {
					emps[e.UserID] = e
					listedIn[e.UserID] = append(listedIn[e.UserID], dept.ID)
				}
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return snap, err
	}

	for _, id := range slices.Sorted(maps.Keys(depts)) {
		d := depts[id]
		if id == kaoqin.RootDeptID {
			d.ParentID = 0
		}
		snap.Departments = append(snap.Departments, d)
	}
	for _, id := range slices.Sorted(maps.Keys(emps)) {
		e := emps[id]
		// dept_id_list says where the person belongs; the listings say so too. Keep the
		// departments this sync saw, so that no membership points at a department outside the
		// app's contact scope.
		ids := slices.DeleteFunc(append(e.DeptIDs, listedIn[id]...), func(d int64) bool {
			_, ok := depts[d]
			return !ok
		})
		slices.Sort(ids)
		e.DeptIDs = slices.Compact(ids)
		snap.Employees = append(snap.Employees, e)
	}
	return snap, nil
}

// readDepartment returns one department's details and members.
func (s *Syncer) readDepartment(ctx context.Context, d dingtalk.Department, haveDetails bool) (kaoqin.Department, []kaoqin.Employee, error) {
	id := int64(d.ID)
	if !haveDetails {
		full, _, err := s.client.Departments.Get(ctx, id, "")
		if err != nil {
			return kaoqin.Department{}, nil, fmt.Errorf("read department %d: %w", id, err)
		}
		d = *full
	}
	var members []kaoqin.Employee
	for u, err := range s.client.Users.All(ctx, id, nil) {
		if err != nil {
			return kaoqin.Department{}, nil, err
		}
		if u.UserID != "" {
			members = append(members, Employee(u))
		}
	}
	slices.SortFunc(members, func(a, b kaoqin.Employee) int { return cmp.Compare(a.UserID, b.UserID) })
	return Department(d), members, nil
}

// isGone reports DingTalk's "department not found" (60003): a department removed between the
// walk and the call.
func isGone(err error) bool {
	var e *dingtalk.APIError
	return errors.As(err, &e) && (e.Code == 60003 || e.SubCode == "60003")
}
