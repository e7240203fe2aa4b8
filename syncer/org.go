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
// (v2/user/list, cursor paging). Contacts calls are free but limited per path, and each takes
// DingTalk's latency: several workers each take a department, read its details, members and
// sub-departments, and hand the sub-departments back for any worker to take, so that the three
// paths run side by side and none waits for the walk (2,000 departments one listsub at a time
// take 2,000 latencies). Nothing is returned unless the whole chart was read: a partial chart
// would mark the rest of the company removed.
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
	todo := make(chan dingtalk.Department)
	found := make(chan []dingtalk.Department)
	for range s.conc {
		g.Go(func() error {
			for d := range todo {
				dept, members, subs, err := s.readDepartment(gctx, d, int64(d.ID) == kaoqin.RootDeptID)
				if isGone(err) {
					s.log.Info("syncer: a department went away during the sync; leaving it out", "dept", int64(d.ID))
				} else if err != nil {
					return err
				} else {
					mu.Lock()
					depts[dept.ID] = dept
					for _, e := range members {
						emps[e.UserID] = e
						listedIn[e.UserID] = append(listedIn[e.UserID], dept.ID)
					}
					mu.Unlock()
				}
				select {
				case found <- subs:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	// Hand out the departments, breadth first, each once: a cycle in DingTalk's answers cannot
	// loop, and departments with a negative id (the "-1" of home-school contact trees) are
	// skipped.
	seen := map[int64]bool{kaoqin.RootDeptID: true}
	queue, busy := []dingtalk.Department{*root}, 0
	for (len(queue) > 0 || busy > 0) && gctx.Err() == nil {
		var send chan dingtalk.Department
		var next dingtalk.Department
		if len(queue) > 0 {
			send, next = todo, queue[0]
		}
		select {
		case send <- next:
			queue, busy = queue[1:], busy+1
		case subs := <-found:
			busy--
			for _, d := range subs {
				if id := int64(d.ID); id > 0 && !seen[id] {
					seen[id] = true
					queue = append(queue, d)
				}
			}
		case <-gctx.Done():
		}
	}
	close(todo)
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

// readDepartment returns one department's details, members and sub-departments.
func (s *Syncer) readDepartment(ctx context.Context, d dingtalk.Department, haveDetails bool) (kaoqin.Department, []kaoqin.Employee, []dingtalk.Department, error) {
	id := int64(d.ID)
	if !haveDetails {
		full, _, err := s.client.Departments.Get(ctx, id, "")
		if err != nil {
			return kaoqin.Department{}, nil, nil, fmt.Errorf("read department %d: %w", id, err)
		}
		d = *full
	}
	var members []kaoqin.Employee
	for u, err := range s.client.Users.All(ctx, id, nil) {
		if err != nil {
			return kaoqin.Department{}, nil, nil, err
		}
		if u.UserID != "" {
			members = append(members, Employee(u))
		}
	}
	slices.SortFunc(members, func(a, b kaoqin.Employee) int { return cmp.Compare(a.UserID, b.UserID) })
	subs, _, err := s.client.Departments.ListSub(ctx, id, "")
	if err != nil {
		return kaoqin.Department{}, nil, nil, fmt.Errorf("read the department tree: walk departments under %d: %w", id, err)
	}
	return Department(d), members, subs, nil
}

// isGone reports DingTalk's "department not found" (60003): a department removed between the
// walk and the call.
func isGone(err error) bool {
	var e *dingtalk.APIError
	return errors.As(err, &e) && (e.Code == 60003 || e.SubCode == "60003")
}
