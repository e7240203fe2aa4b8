package dingtalksim

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// org is the current org chart: the state that writes through the API and the test helpers
// change. Attendance of past days does not depend on it beyond who exists when.
type org struct {
	depts    map[int64]*dept
	users    map[string]*user // current and removed: DingTalk keeps serving a removed person's past
	byMobile map[string]*user // current users only
	members  map[int64][]*user
	nextSeq  int64
	deptSeq  uint64
	modSeq   int64
	// Caches rebuilt on demand. Readers holding the server's read lock may build sorted
	// concurrently, so sortMu guards it; writers hold the write lock and just drop them.
	sortMu sync.Mutex
	sorted []*user  // every user by userid; nil when stale
	snap   []person // persons of sorted; nil when stale
}

type dept struct {
	id, parent  int64
	name        string
	order       int64
	sourceID    string
	hide        bool
	createGroup bool // the department has its group chat (it is never dissolved through the API)
	autoAddUser bool
	outer       bool // outer_dept: its members see only part of the contacts
	outerSelf   bool // outer_dept_only_self
	managers    []string
	code        string
	level       int // 0 root, 1 division, ...
}

type user struct {
	seq        int64 // serial behind the person's ids; never reused
	key        uint64
	userid     string
	unionid    string
	name       string
	mobile     string
	telephone  string
	jobNumber  string
	title      string
	email      string
	orgEmail   string
	workPlace  string
	remark     string
	extension  string // a JSON object of strings, as DingTalk returns it
	depts      []int64
	orders     map[int64]int64 // order in a department, where set by create or update (dept_order_list)
	hired      int64           // ms
	hideMobile bool
	senior     bool   // senior_mode (高管模式)
	manager    string // manager_userid (直属主管); "" for none
	admin      bool
	boss       bool
	group      *group
	since      civil // first day with attendance; 0: always
	until      civil // last day with attendance; 0: still here
	removed    bool
	modified   int64
}

// person is what a day's attendance depends on, copied out of the org under its lock.
type person struct {
	userid string
	key    uint64
	seq    int64
	group  *group
	since  civil
	until  civil
}

func (u *user) person() person {
	return person{userid: u.userid, key: u.key, seq: u.seq, group: u.group, since: u.since, until: u.until}
}

func (p person) activeOn(d civil) bool {
	return (p.since == 0 || d >= p.since) && (p.until == 0 || d <= p.until)
}

func newOrg() *org {
	return &org{depts: map[int64]*dept{}, users: map[string]*user{}, byMobile: map[string]*user{}, members: map[int64][]*user{}}
}

// children returns the direct sub-departments of id, by order then id.
func (o *org) children(id int64) []*dept {
	var out []*dept
	for _, d := range o.depts {
		if d.parent == id && d.id != id {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *dept) int { return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(a.id, b.id)) })
	return out
}

// subtree returns id and all its descendants.
func (o *org) subtree(id int64) []int64 {
	kids := map[int64][]int64{}
	for _, d := range o.depts {
		if d.id != d.parent {
			kids[d.parent] = append(kids[d.parent], d.id)
		}
	}
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out
}

// isUnder reports whether id is anc or one of its descendants.
func (o *org) isUnder(id, anc int64) bool {
	for seen := 0; seen <= len(o.depts); seen++ {
		if id == anc {
			return true
		}
		d := o.depts[id]
		if d == nil || d.id == 1 {
			return false
		}
		id = d.parent
	}
	return false
}

// division returns the index of the first-level division above department id, or -1.
func (o *org) division(id int64) int {
	for range len(o.depts) + 1 {
		d := o.depts[id]
		if d == nil || d.level == 0 {
			return -1
		}
		if d.level == 1 {
			for i, dv := range divisions {
				if dv.name == d.name {
					return i
				}
			}
			return -1
		}
		id = d.parent
	}
	return -1
}

func (o *org) addMember(u *user, deptID int64) {
	if !slices.Contains(u.depts, deptID) {
		u.depts = append(u.depts, deptID)
	}
	if !slices.Contains(o.members[deptID], u) {
		o.members[deptID] = append(o.members[deptID], u)
	}
}

func (o *org) dropMember(u *user, deptID int64) {
	o.members[deptID] = slices.DeleteFunc(o.members[deptID], func(m *user) bool { return m == u })
	if d := o.depts[deptID]; d != nil {
		d.managers = slices.DeleteFunc(d.managers, func(id string) bool { return id == u.userid })
	}
	u.depts = slices.DeleteFunc(u.depts, func(id int64) bool { return id == deptID })
	delete(u.orders, deptID)
}

// deptOrder returns u's order in department id: the one set by create or update, else one
// from u's place in the department's listing (people generated with the company, and those
// created without dept_order_list).
func (o *org) deptOrder(u *user, id int64) int64 {
	if v, ok := u.orders[id]; ok {
		return v
	}
	return int64(slices.Index(o.members[id], u)+1) * 1000
}

// setDepts moves u to exactly the given departments, keeping its place where it stays.
func (o *org) setDepts(u *user, ids []int64) {
	for _, old := range slices.Clone(u.depts) {
		if !slices.Contains(ids, old) {
			o.dropMember(u, old)
		}
	}
	for _, id := range ids {
		o.addMember(u, id)
	}
	u.depts = slices.Clone(ids)
}

func (o *org) touch(u *user) {
	o.modSeq++
	u.modified = o.modSeq
	o.sorted, o.snap = nil, nil
}

// current returns the user if they are in the org now.
func (o *org) current(userid string) *user {
	if u := o.users[userid]; u != nil && !u.removed {
		return u
	}
	return nil
}

// allSorted returns every user, current and removed, by userid.
func (o *org) allSorted() []*user {
	o.sortMu.Lock()
	defer o.sortMu.Unlock()
	if o.sorted == nil {
		o.sorted = make([]*user, 0, len(o.users))
		for _, u := range o.users {
			o.sorted = append(o.sorted, u)
		}
		slices.SortFunc(o.sorted, func(a, b *user) int { return strings.Compare(a.userid, b.userid) })
	}
	return o.sorted
}

// Department write rules (reference 3.1).

func checkDeptName(name string) *apiError {
	if n := utf8.RuneCountInString(name); n < 1 || n > 64 {
		return errf(60001, "部门名称长度不符合限制")
	}
	if strings.ContainsAny(name, "-,，") {
		return errf(60009, "部门名称含有非法字符")
	}
	return nil
}

func (o *org) nameTaken(parent int64, name string, except int64) bool {
	for _, d := range o.depts {
		if d.parent == parent && d.name == name && d.id != except && d.id != 1 {
			return true
		}
	}
	return false
}

// newDeptID draws a large DingTalk-like department id.
func (o *org) newDeptID(seed uint64) int64 {
	for {
		o.deptSeq++
		id := 100_000_000 + int64(hash(seed, saltDept, o.deptSeq)%900_000_000)
		if o.depts[id] == nil {
			return id
		}
	}
}

func (o *org) createDept(seed uint64, d *dept) (int64, *apiError) {
	if e := checkDeptName(d.name); e != nil {
		return 0, e
	}
	parent := o.depts[d.parent]
	if parent == nil {
		return 0, errf(60004, "父部门不存在")
	}
	if o.nameTaken(d.parent, d.name, 0) {
		return 0, errf(60021, "父部门下该部门名称已存在")
	}
	d.id = o.newDeptID(seed)
	d.level = parent.level + 1
	o.depts[d.id] = d
	return d.id, nil
}

// deptChange is an update: nil fields stay as they are.
type deptChange struct {
	parent      *int64
	name        *string
	order       *int64
	sourceID    *string
	hide        *bool
	createGroup *bool
	autoAddUser *bool
	outer       *bool
	outerSelf   *bool
	managers    *[]string
	code        *string
}

func (o *org) updateDept(id int64, c deptChange) *apiError {
	if id == 1 {
		return errf(60018, "根部门不允许修改")
	}
	d := o.depts[id]
	if d == nil {
		return errf(60003, "部门不存在")
	}
	parent, name := d.parent, d.name
	if c.parent != nil {
		parent = *c.parent
		if o.depts[parent] == nil {
			return errf(60004, "父部门不存在")
		}
		if o.isUnder(parent, id) {
			return errf(60010, "部门存在循环关系")
		}
	}
	if c.name != nil {
		name = *c.name
		if e := checkDeptName(name); e != nil {
			return e
		}
	}
	if o.nameTaken(parent, name, id) {
		return errf(60021, "父部门下该部门名称已存在")
	}
	if c.managers != nil {
		for _, uid := range *c.managers {
			u := o.current(uid)
			if u == nil || !slices.Contains(u.depts, id) {
				return errf(40031, "不合法的员工列表: %s 不是该部门成员", uid)
			}
		}
	}
	if c.code != nil && utf8.RuneCountInString(*c.code) > 30 {
		return errInvalid("code")
	}
	if c.parent != nil && parent != d.parent {
		d.parent = parent
		o.relevel()
	}
	d.name = name
	set(&d.order, c.order)
	set(&d.sourceID, c.sourceID)
	set(&d.hide, c.hide)
	if c.createGroup != nil && *c.createGroup {
		// true creates the department's group chat; false does not dissolve one that
		// exists (UNVERIFIED: the docs say only "不传值，则保持不变").
		d.createGroup = true
	}
	set(&d.autoAddUser, c.autoAddUser)
	set(&d.outer, c.outer)
	set(&d.outerSelf, c.outerSelf)
	set(&d.managers, c.managers)
	set(&d.code, c.code)
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// relevel recomputes department levels after a move.
func (o *org) relevel() {
	for _, d := range o.depts {
		level := 0
		for id := d.id; id != 1 && level <= len(o.depts); level++ {
			id = o.depts[id].parent
		}
		d.level = level
	}
}

// deleteDept removes a department and its empty sub-departments; a subtree that still has
// members is refused.
func (o *org) deleteDept(id int64) *apiError {
	if id == 1 {
		return errf(60007, "不允许删除根部门")
	}
	if o.depts[id] == nil {
		return errf(60003, "部门不存在")
	}
	sub := o.subtree(id)
	for _, d := range sub {
		if len(o.members[d]) > 0 {
			return errf(60005, "不允许删除有成员的部门")
		}
	}
	for _, d := range sub {
		delete(o.depts, d)
		delete(o.members, d)
	}
	return nil
}

// User write rules (reference 3.2).

var mobilePattern = regexp.MustCompile(`^(1[3-9]\d{9}|\+\d{1,4}-\d{4,15})$`)
var useridPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

func (o *org) checkDepts(ids []int64) *apiError {
	if len(ids) == 0 {
		return errMissing("dept_id_list")
	}
	if len(ids) > 100 {
		return errParam("dept_id_list 最多100个部门")
	}
	for _, id := range ids {
		if o.depts[id] == nil {
			return errf(60003, "部门不存在: %d", id)
		}
	}
	return nil
}

func (o *org) checkEmail(email string, except *user) *apiError {
	if email == "" {
		return nil
	}
	if len(email) > 50 || !strings.Contains(email, "@") {
		return errf(60105, "邮箱不合法")
	}
	for _, u := range o.users {
		if !u.removed && u != except && strings.EqualFold(u.email, email) {
			return errf(60106, "邮箱已存在")
		}
	}
	return nil
}

// checkTelephone refuses an office telephone (分机号) that another person has: DingTalk
// documents it unique in the org (errcode UNVERIFIED: 400002).
func (o *org) checkTelephone(tel string, except *user) *apiError {
	if tel == "" {
		return nil
	}
	for _, u := range o.users {
		if !u.removed && u != except && u.telephone == tel {
			return errParam("分机号已存在")
		}
	}
	return nil
}

// checkManager refuses a manager (直属主管) who is not in the org, the person themself, or
// someone who reports to them, directly or not: 60128 无效的主管id (whether DingTalk refuses a
// cycle is UNVERIFIED; the simulator does, the safe reading).
func (o *org) checkManager(u *user, manager string) *apiError {
	if manager == "" {
		return nil
	}
	if manager == u.userid || o.current(manager) == nil {
		return errf(60128, "无效的主管id: %s", manager)
	}
	for id, n := manager, 0; id != "" && n <= len(o.users); n++ {
		if id == u.userid {
			return errf(60128, "无效的主管id: %s 是 %s 的下属", manager, u.userid)
		}
		m := o.current(id)
		if m == nil {
			break
		}
		id = m.manager
	}
	return nil
}

// checkOrders refuses an order (dept_order_list) for a department the person is not in
// (40035, UNVERIFIED) and a negative one (40011 不合法的排序order).
func checkOrders(orders map[int64]int64, depts []int64) *apiError {
	for id, v := range orders {
		if !slices.Contains(depts, id) {
			return errf(40035, "不合法的参数 dept_order_list: 不在部门 %d 中", id)
		}
		if v < 0 {
			return errf(40011, "不合法的排序order")
		}
	}
	return nil
}

// setManagers gives the people generated with the company a manager: their department's
// head, or for a head the head of the nearest department above with one (the boss has none).
func (o *org) setManagers() {
	for _, u := range o.allSorted() {
		for id := u.depts[0]; id != 0; {
			d := o.depts[id]
			if d == nil {
				break
			}
			if len(d.managers) > 0 && d.managers[0] != u.userid {
				// Someone who heads two departments could close a loop: skip such a manager.
				if o.checkManager(u, d.managers[0]) == nil {
					u.manager = d.managers[0]
				}
				break
			}
			if d.id == 1 {
				break
			}
			id = d.parent
		}
	}
}

// createUser adds u to the org; its attendance starts the day after today.
func (o *org) createUser(co *company, u *user, today civil) *apiError {
	switch n := utf8.RuneCountInString(u.name); {
	case n == 0:
		return errMissing("name")
	case n > 80:
		return errf(60112, "成员姓名不合法")
	}
	if u.mobile == "" {
		return errMissing("mobile")
	}
	if !mobilePattern.MatchString(u.mobile) {
		return errf(60103, "手机号码不合法")
	}
	if o.byMobile[u.mobile] != nil {
		return errf(60104, "手机号码在公司中已存在")
	}
	if e := o.checkDepts(u.depts); e != nil {
		return e
	}
	if u.userid == "" {
		for i := uint64(0); ; i++ {
			id := fmt.Sprintf("%016d", hash(co.seed, saltUser, uint64(o.nextSeq+1), i)%10_000_000_000_000_000)
			if o.users[id] == nil {
				u.userid = id
				break
			}
		}
	} else if !useridPattern.MatchString(u.userid) {
		return errInvalid("userid")
	} else if o.current(u.userid) != nil {
		return errf(60102, "UserID在公司中已存在")
	}
	if e := o.checkEmail(u.email, nil); e != nil {
		return e
	}
	if e := o.checkTelephone(u.telephone, nil); e != nil {
		return e
	}
	if e := o.checkManager(u, u.manager); e != nil {
		return e
	}
	if e := checkOrders(u.orders, u.depts); e != nil {
		return e
	}
	o.nextSeq++
	u.seq = o.nextSeq
	u.key = hashString(u.userid)
	u.unionid = unionID(co.seed, u.seq)
	if u.group == nil {
		u.group = co.groupOf(o, u.depts[0])
	}
	if u.since == 0 && today != 0 {
		u.since = today + 1
	}
	ids := u.depts
	u.depts = nil
	for _, id := range ids {
		o.addMember(u, id)
	}

	o.users[u.userid] = u
	o.byMobile[u.mobile] = u
	o.touch(u)
	return nil
}

// removeUser takes u out of the org; its attendance ends today.
func (o *org) removeUser(u *user, today civil) {
	for _, id := range slices.Clone(u.depts) {
		o.dropMember(u, id)
	}
	delete(o.byMobile, u.mobile)
	// Those who reported to u have no manager any more (UNVERIFIED: DingTalk documents
	// nothing; dropping the link is the reading that leaves no dangling userid).
	for _, r := range o.users {
		if r.manager == u.userid && !r.removed {
			r.manager = ""
			o.touch(r)
		}
	}
	u.removed = true
	if u.since != 0 && u.since > today {
		u.until = u.since - 1 // never attended
	} else {
		u.until = today
	}
	o.touch(u)
}

func unionID(seed uint64, seq int64) string {
	return "iPiS" + hex16(hash(seed, saltUser, uint64(seq), 7))[:12] + "iE"
}
