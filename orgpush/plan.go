package orgpush

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/tabfile"
)

// Options are the choices of the operator.
type Options struct {
	// DeleteMissing removes the people and departments DingTalk has and the file does not.
	// Without it they are kept and listed.
	DeleteMissing bool
	// AllowRecreate lets a person whose mobile number changed be deleted and created again
	// (DingTalk cannot change a mobile), which loses their DingTalk history.
	AllowRecreate bool
	// Clear names the people's fields (of Clearable) that an empty cell clears in DingTalk;
	// otherwise an empty cell leaves DingTalk's value as it is.
	Clear []string
	// Location is the company's time zone, in which hire dates are days (nil: Asia/Shanghai).
	Location *time.Location
}

// Clearable lists the fields Options.Clear can name: the text fields of a person and their
// manager. A yes-or-no field is set with false, a hire date or an order cannot be taken
// away (DingTalk's update has no way to).
var Clearable = []string{"email", "job_number", "title", "telephone", "work_place", "remark", "org_email", "extattr", "manager"}

// CheckClear returns an error naming a field that Options.Clear cannot hold.
func CheckClear(fields []string) error {
	for _, f := range fields {
		if !slices.Contains(Clearable, f) {
			return fmt.Errorf("--clear %s: the fields an empty cell can clear are %s", f, strings.Join(Clearable, ", "))
		}
	}
	return nil
}

func (o Options) clears(field string) bool { return slices.Contains(o.Clear, field) }

func (o Options) location() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Op is what a step does.
type Op string

// The operations of a plan; the journal records them by these names.
const (
	OpCreateDept Op = "create_department"
	OpUpdateDept Op = "update_department" // move, rename, order, source_identifier, visibility, group
	OpDeleteDept Op = "delete_department"
	OpCreateUser Op = "create_user"
	OpUpdateUser Op = "update_user"
	OpDeleteUser Op = "delete_user"
)

// Step is one write to DingTalk. Steps run in the order of N; steps of one wave (people
// changes) may run side by side.
type Step struct {
	N     int
	Op    Op
	Text  string // what it does, in words; mobiles masked
	Dept  *DeptChange
	User  *UserChange
	After []int // steps that must have succeeded first; otherwise this one is skipped

	Recreate  bool // a half of deleting and creating again a person whose mobile changed
	Temporary bool // a temporary rename that frees a name another step needs
	Moved     bool // a department step that changes the parent, or a person step that changes departments
	Renamed   bool // a department step that changes the name
	Manager   bool // a person step that sets only their manager, once the manager exists

	wave  int
	after []*Step
}

// DeptChange is what a department step sends. Nil fields are left as they are.
type DeptChange struct {
	ID       int64  // DingTalk id; 0 for a create, whose id DingTalk gives
	HRID     string // "" for a department that is not in the file
	Parent   *Ref
	Name     *string
	Order    *int64
	SourceID *string

	HideDept        *bool
	OuterDept       *bool
	CreateDeptGroup *bool
}

// Ref is a department that may not exist yet: by DingTalk id, or by the HR id of a
// department an earlier step creates.
type Ref struct {
	ID   int64
	HRID string
}

// UserChange is what a person step sends. Nil fields are left as they are.
type UserChange struct {
	UserID    string
	Name      *string
	Mobile    string // create only
	Email     *string
	JobNumber *string
	Title     *string
	Depts     *[]Ref

	Telephone  *string
	WorkPlace  *string
	Remark     *string
	OrgEmail   *string
	HideMobile *bool
	Senior     *bool
	Extension  *string // the whole set of custom attributes, a JSON object; "{}" removes them all
	HiredDate  *int64  // unix ms
	Manager    *string // userid; "" takes the manager away
	Orders     []OrderRef
	// Clears names the fields this step empties: DingTalk's update is not documented to
	// clear a text field with "", so the step reads the person back to see that it did.
	Clears []string
}

// OrderRef is a person's order in a department that may not exist yet.
type OrderRef struct {
	Dept  Ref
	Order int64
}

// Note is a line of the plan that is not a step: something not applied, kept, or worth
// knowing. Flag, when set, is the option that would change it.
type Note struct {
	Text string
	Flag string
}

// Plan is what a push will do, in order, and what it will not.
type Plan struct {
	File    string
	Options Options
	// KeptShown caps how many Kept notes Write prints (0: all of them).
	KeptShown int
	Steps     []*Step
	// NotApplied lists changes the file asks for that the push will not make. Those with a
	// Flag need an option; the others need the operator (they count as failures).
	NotApplied []Note
	// Kept lists what DingTalk has and the file does not, left in place.
	Kept []Note
	// Notes says how people and departments were matched where it is not by their own id.
	Notes []Note

	DingTalkDepts, DingTalkPeople int // what DingTalk had when planned

	Encoding string // the file's, when it is not UTF-8 ("GB18030")
	Sheet    string // the sheet read, for an .xlsx file

	hr map[string]int64 // HR id -> DingTalk id of departments that exist already
}

// Blocked counts the changes not applied for a reason no option changes.
func (p *Plan) Blocked() int {
	n := 0
	for _, note := range p.NotApplied {
		if note.Flag == "" {
			n++
		}
	}
	return n
}

// planner holds the work of NewPlan.
type planner struct {
	f    *File
	org  *Org
	opts Options
	plan *Plan

	depts   []*deptState // in file order
	byHR    map[string]*deptState
	claimed map[int64]*deptState // DingTalk id -> file department matched to it
	kids    map[int64][]*OrgDept // DingTalk's tree now

	people  []*personState
	byUser  map[string]*personState // file userid -> file person
	claimU  map[string]*personState // DingTalk userid -> file person matched to it
	missing []*OrgUser              // DingTalk people not in the file, by userid
	pd      *peopleDecision

	waves     int
	created   map[string]*Step   // HR id -> the step creating that department
	deptSteps map[int64][]*Step  // DingTalk department id -> the steps moving or renaming it
	userSteps map[string][]*Step // DingTalk userid -> the steps removing or moving them
	createdU  map[*personState]*Step
}

// deptState is a department of the file and what it is matched to.
type deptState struct {
	*Department
	dt    *OrgDept // nil: to be created
	key   int64    // its key in the model: dt.ID, or a negative number for a new one
	depth int      // 0 for a department under the root
	path  string   // names from the file
}

// NewPlan compares the file with DingTalk's org and returns the steps that make DingTalk
// follow the file. It calls nothing.
func NewPlan(f *File, org *Org, opts Options) (*Plan, error) {
	if opts.DeleteMissing && len(f.People) == 0 && len(org.Users) > 0 {
		return nil, fmt.Errorf("%s lists no people: with --delete-missing the push would remove all %d people from DingTalk; refusing (check the file)", f.Name, len(org.Users))
	}
	if err := CheckClear(opts.Clear); err != nil {
		return nil, err
	}
	p := newPlanner(f, org, opts)
	p.matchDepts()
	p.matchPeople()
	if need := p.detailsNeeded(); len(need) > 0 {
		return nil, fmt.Errorf("orgpush: the plan needs what v2/user/get tells of %d people (%s...), which Read does not read: read the org with ReadFor", len(need), need[0])
	}
	p.pd = p.decidePeople()
	if problems := p.checkManagers(); len(problems) > 0 {
		return nil, &InvalidFileError{File: f.Name, Problems: problems, Sheet: f.Sheet != ""}
	}
	del := p.decideDeptRemovals()
	m := p.scheduleDepts(del)
	p.peopleSteps(p.pd)
	p.managerSteps()
	p.removeDepts(del, m, p.pd)
	for i, s := range p.plan.Steps {
		s.N = i + 1
	}
	for _, s := range p.plan.Steps {
		for _, a := range s.after {
			if a != nil && !slices.Contains(s.After, a.N) {
				s.After = append(s.After, a.N)
			}
		}
		slices.Sort(s.After)
	}
	return p.plan, nil
}

func newPlanner(f *File, org *Org, opts Options) *planner {
	opts.Clear = slices.Clone(opts.Clear)
	slices.Sort(opts.Clear)
	opts.Location = opts.location()
	return &planner{f: f, org: org, opts: opts, created: map[string]*Step{}, createdU: map[*personState]*Step{},
		deptSteps: map[int64][]*Step{}, userSteps: map[string][]*Step{},
		plan: &Plan{File: f.Name, Options: opts, DingTalkDepts: len(org.Depts), DingTalkPeople: len(org.Users), hr: map[string]int64{},
			Sheet: f.Sheet, Encoding: cmpOr(f.Encoding, tabfile.UTF8)}}
}

// add appends a step to the plan and returns it.
func (p *planner) add(s *Step) *Step {
	p.plan.Steps = append(p.plan.Steps, s)
	return s
}

// nextWave returns the number of a new wave: steps of one wave may run side by side, waves
// run one after the other.
func (p *planner) nextWave() int {
	p.waves++
	return p.waves
}

// matchDepts matches each file department to a DingTalk one: by source_identifier (set by
// kaoqin when it created or adopted the department), then by the path of names.
func (p *planner) matchDepts() {
	p.byHR = map[string]*deptState{}
	p.claimed = map[int64]*deptState{}
	p.kids = map[int64][]*OrgDept{}
	bySID := map[string][]*OrgDept{}
	for _, d := range sortedDepts(p.org) {
		p.kids[d.ParentID] = append(p.kids[d.ParentID], d)
		if d.SourceID != "" {
			bySID[d.SourceID] = append(bySID[d.SourceID], d)
		}
	}
	for i := range p.f.Departments {
		ds := &deptState{Department: &p.f.Departments[i], key: -int64(i) - 2}
		p.depts = append(p.depts, ds)
		p.byHR[ds.ID] = ds
	}
	for _, ds := range p.depts {
		ds.depth, ds.path = p.fileDepth(ds)
	}
	for _, ds := range p.depts {
		for _, d := range bySID[ds.ID] {
			if p.claimed[d.ID] == nil {
				p.claim(ds, d)
				break
			}
		}
	}
	// By path, parents first, among the DingTalk departments nobody claimed by id.
	for _, ds := range p.byDepth() {
		if ds.dt != nil {
			continue
		}
		parent := int64(dingtalk.RootDepartmentID)
		if ds.ParentID != "" {
			pd := p.byHR[ds.ParentID]
			if pd.dt == nil {
				continue // its parent is new, so it is new too
			}
			parent = pd.dt.ID
		}
		for _, d := range p.kids[parent] {
			if d.Name == ds.Name && p.claimed[d.ID] == nil {
				p.claim(ds, d)
				note := fmt.Sprintf("department %s [%s] is DingTalk's %s (id %d), matched by its path; its HR id is set as source_identifier", ds.path, ds.ID, p.org.path(d.ID), d.ID)
				if d.SourceID != "" {
					note += fmt.Sprintf(" in place of %q", d.SourceID)
				}
				p.plan.Notes = append(p.plan.Notes, Note{Text: note})
				break
			}
		}
	}
}

func (p *planner) claim(ds *deptState, d *OrgDept) {
	ds.dt, ds.key = d, d.ID
	p.claimed[d.ID] = ds
	p.plan.hr[ds.ID] = d.ID
}

// fileDepth returns the depth and the path of names of a file department (validate has
// ruled out cycles).
func (p *planner) fileDepth(ds *deptState) (int, string) {
	names := []string{ds.Name}
	depth := 0
	for d := ds; d.ParentID != ""; depth++ {
		d = p.byHR[d.ParentID]
		names = append(names, d.Name)
	}
	slices.Reverse(names)
	return depth, joinPath(names)
}

// byDepth returns the file departments parents first, in file order within a level.
func (p *planner) byDepth() []*deptState {
	out := slices.Clone(p.depts)
	slices.SortStableFunc(out, func(a, b *deptState) int { return cmp.Compare(a.depth, b.depth) })
	return out
}

func sortedDepts(org *Org) []*OrgDept {
	out := make([]*OrgDept, 0, len(org.Depts))
	for _, d := range org.Depts {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *OrgDept) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func sortedUsers(org *Org) []*OrgUser {
	out := make([]*OrgUser, 0, len(org.Users))
	for _, u := range org.Users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *OrgUser) int { return strings.Compare(a.UserID, b.UserID) })
	return out
}

// ref returns how steps name the department with this model key.
func (p *planner) ref(key int64) Ref {
	if key > 0 {
		return Ref{ID: key}
	}
	return Ref{HRID: p.depts[-key-2].ID}
}

func joinPath(names []string) string { return strings.Join(names, "/") }

func ptr[T any](v T) *T { return &v }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
