package orgpush

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// Org is DingTalk's org chart as Read found it: what a plan is the difference from.
type Org struct {
	Depts map[int64]*OrgDept  // every department but the root (id 1)
	Users map[string]*OrgUser // by userid
}

// OrgDept is a department in DingTalk.
type OrgDept struct {
	ID       int64
	ParentID int64
	Name     string
	SourceID string // source_identifier: the HR id kaoqin set when it created or adopted it
	Order    int64

	HideDept        bool
	OuterDept       bool
	CreateDeptGroup bool // it has its group chat
}

// OrgUser is a person in DingTalk.
type OrgUser struct {
	UserID    string
	Name      string
	Mobile    string // "" when the app may not read mobile numbers
	Email     string
	JobNumber string
	Title     string
	DeptIDs   []int64
	Admin     bool // an administrator of the org in DingTalk
	Boss      bool

	Telephone  string
	WorkPlace  string
	Remark     string
	OrgEmail   string
	HideMobile bool
	Extension  string          // custom attributes: a JSON object, as DingTalk returns it
	HiredDate  int64           // unix ms; 0 for none
	Orders     map[int64]int64 // order in each of their departments

	// What only v2/user/get tells, read for the people a plan needs it of (ReadFor).
	Detailed bool
	Manager  string // manager_userid
	Senior   bool
}

// readWorkers is how many calls of one kind (listsub, department get, user list) Read keeps
// in flight. The client's limiter spaces each path's calls; enough calls must be waiting on
// each path for the three limiters to run at once.
const readWorkers = 8

// Read walks DingTalk's department tree from the root and lists every department's details
// and people. The calls are free contacts calls, but each path is held to the client's QPS:
// the tree walk, the department details and the user lists run concurrently so that the three
// paths' limiters work side by side.
func Read(ctx context.Context, c *dingtalk.Client) (*Org, error) {
	org := &Org{Depts: map[int64]*OrgDept{}, Users: map[string]*OrgUser{}}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	subs, gets, lists := make(chan struct{}, readWorkers), make(chan struct{}, readWorkers), make(chan struct{}, readWorkers)
	gate := func(sem chan struct{}, f func() error) {
		g.Go(func() error {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			defer func() { <-sem }()
			return f()
		})
	}
	var visit func(id int64)
	visit = func(id int64) {
		gate(lists, func() error {
			for u, err := range c.Users.All(ctx, id, nil) {
				if err != nil {
					return fmt.Errorf("read DingTalk's people: %w", err)
				}
				mu.Lock()
				ou := org.Users[u.UserID]
				if ou == nil {
					ou = orgUser(u)
					org.Users[u.UserID] = ou
				}
				// Each department's list gives the person's order in that department.
				ou.Orders[id] = int64(u.DeptOrder)
				mu.Unlock()
			}
			return nil
		})
		gate(subs, func() error {
			children, _, err := c.Departments.ListSub(ctx, id, "")
			if err != nil {
				return fmt.Errorf("read DingTalk's departments under %d: %w", id, err)
			}
			for _, d := range children {
				did := int64(d.ID)
				mu.Lock()
				// Negative ids are the home-school tree (家校通讯录), not the org's.
				skip := did <= 0 || did == dingtalk.RootDepartmentID || org.Depts[did] != nil
				if !skip {
					org.Depts[did] = &OrgDept{ID: did, ParentID: id, Name: d.Name}
				}
				mu.Unlock()
				if skip {
					continue
				}
				gate(gets, func() error {
					full, _, err := c.Departments.Get(ctx, did, "")
					if err != nil {
						return fmt.Errorf("read DingTalk's department %d: %w", did, err)
					}
					mu.Lock()
					od := org.Depts[did]
					od.Name, od.SourceID, od.Order = full.Name, full.SourceIdentifier, int64(full.Order)
					od.HideDept, od.OuterDept, od.CreateDeptGroup = full.HideDept, full.OuterDept, full.CreateDeptGroup
					mu.Unlock()
					return nil
				})
				visit(did)
			}
			return nil
		})
	}
	visit(dingtalk.RootDepartmentID)
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return org, nil
}

func orgUser(u dingtalk.User) *OrgUser {
	ou := &OrgUser{UserID: u.UserID, Name: u.Name, Mobile: u.Mobile, Email: u.Email, JobNumber: u.JobNumber,
		Title: u.Title, Admin: u.Admin, Boss: u.Boss, Telephone: u.Telephone, WorkPlace: u.WorkPlace, Remark: u.Remark,
		OrgEmail: u.OrgEmail, HideMobile: u.HideMobile, Extension: u.Extension, HiredDate: int64(u.HiredDate),
		Orders: map[int64]int64{}}
	for _, id := range u.DeptIDList {
		ou.DeptIDs = append(ou.DeptIDs, int64(id))
	}
	slices.Sort(ou.DeptIDs)
	return ou
}

// ReadFor reads DingTalk's org as Read does, and then the details (manager, senior mode) of
// the people a plan of the file needs them of: those whose manager or senior mode the file
// sets or clears, and those up their chains of managers, to check that no loop forms. One
// v2/user/get a person, concurrently within the client's QPS (free contacts calls).
func ReadFor(ctx context.Context, c *dingtalk.Client, f *File, opts Options) (*Org, error) {
	org, err := Read(ctx, c)
	if err != nil {
		return nil, err
	}
	// Each round reads what the chains known so far lead to; a chain is as long as the
	// company is deep, so this ends after a few rounds.
	for {
		need := detailsNeeded(f, org, opts)
		if len(need) == 0 {
			return org, nil
		}
		if err := org.readDetails(ctx, c, need); err != nil {
			return nil, err
		}
	}
}

func (o *Org) readDetails(ctx context.Context, c *dingtalk.Client, userids []string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(readWorkers)
	var mu sync.Mutex
	for _, id := range userids {
		g.Go(func() error {
			u, _, err := c.Users.Get(ctx, id, "")
			if code := apiCode(err); code == 33012 || code == 60121 {
				return fmt.Errorf("read DingTalk's person %s: they left DingTalk while the org was read; run the push again", id)
			}
			if err != nil {
				return fmt.Errorf("read DingTalk's person %s: %w", id, err)
			}
			mu.Lock()
			defer mu.Unlock()
			ou := o.Users[id]
			ou.Detailed, ou.Manager, ou.Senior = true, u.ManagerUserID, u.Senior
			return nil
		})
	}
	return g.Wait()
}

// mobilesHidden reports whether DingTalk gave no mobile number at all: the app then lacks the
// contact permission for them, and mobiles can neither match people nor show a change.
func (o *Org) mobilesHidden() bool {
	if len(o.Users) == 0 {
		return false
	}
	for _, u := range o.Users {
		if u.Mobile != "" {
			return false
		}
	}
	return true
}

// path returns the names from below the root down to id, joined by "/".
func (o *Org) path(id int64) string {
	var names []string
	for i := 0; id != dingtalk.RootDepartmentID && i <= len(o.Depts); i++ {
		d := o.Depts[id]
		if d == nil {
			break
		}
		names = append(names, d.Name)
		id = d.ParentID
	}
	slices.Reverse(names)
	if len(names) == 0 {
		return "(root)"
	}
	return joinPath(names)
}
