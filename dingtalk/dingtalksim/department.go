package dingtalksim

// The department half of contacts (通讯录): topapi/v2/department/*. Not metered.

type deptBrief struct {
	DeptID          int64  `json:"dept_id"`
	Name            string `json:"name"`
	ParentID        int64  `json:"parent_id"`
	CreateDeptGroup bool   `json:"create_dept_group"`
	AutoAddUser     bool   `json:"auto_add_user"`
}

// homeSchool is the home-school (家校) department some orgs expose under the root with id -1.
var homeSchool = deptBrief{DeptID: -1, Name: "家校通讯录", ParentID: 1}

func (s *Server) deptListSub(c *call) (any, *apiError) {
	id, ok := c.p.int("dept_id", false)
	if !ok {
		id = 1
	}
	c.p.str("language", false)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.org.depts[id] == nil {
		return nil, errf(60003, "部门不存在")
	}
	rows := []deptBrief{}
	if id == 1 && s.cfg.NegativeDept {
		rows = append(rows, homeSchool)
	}
	for _, d := range s.org.children(id) {
		rows = append(rows, deptBrief{d.id, d.name, d.parent, d.createGroup, d.autoAddUser})
	}
	return rows, nil
}

func (s *Server) deptListSubID(c *call) (any, *apiError) {
	id, _ := c.p.int("dept_id", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.org.depts[id] == nil {
		return nil, errf(60003, "部门不存在")
	}
	ids := []int64{}
	if id == 1 && s.cfg.NegativeDept {
		ids = append(ids, -1)
	}
	for _, d := range s.org.children(id) {
		ids = append(ids, d.id)
	}
	return struct {
		DeptIDList []int64 `json:"dept_id_list"`
	}{ids}, nil
}

type deptDetail struct {
	DeptID                int64    `json:"dept_id"`
	Name                  string   `json:"name"`
	ParentID              int64    `json:"parent_id,omitempty"` // the root has none
	SourceIdentifier      string   `json:"source_identifier,omitempty"`
	Order                 int64    `json:"order"`
	DeptManagerUseridList []string `json:"dept_manager_userid_list"`
	MemberCount           int      `json:"member_count"` // direct members
	HideDept              bool     `json:"hide_dept"`
	CreateDeptGroup       bool     `json:"create_dept_group"`
	DeptGroupChatID       string   `json:"dept_group_chat_id,omitempty"`
	AutoAddUser           bool     `json:"auto_add_user"`
	OuterDept             bool     `json:"outer_dept"`
	// The docs: the permit lists come only with hide_dept (dept_permits, user_permits) or
	// outer_dept (outer_permit_*) set.
	DeptPermits      *[]int64  `json:"dept_permits,omitempty"`
	UserPermits      *[]string `json:"user_permits,omitempty"`
	OuterPermitDepts *[]int64  `json:"outer_permit_depts,omitempty"`
	OuterPermitUsers *[]string `json:"outer_permit_users,omitempty"`
	Code             string    `json:"code,omitempty"`
}

func (s *Server) deptGet(c *call) (any, *apiError) {
	id, _ := c.p.int("dept_id", true)
	c.p.str("language", false)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.org.depts[id]
	if d == nil {
		return nil, errf(60003, "部门不存在")
	}
	out := deptDetail{
		DeptID: d.id, Name: d.name, ParentID: d.parent, SourceIdentifier: d.sourceID, Order: d.order,
		DeptManagerUseridList: nonNil(append([]string(nil), d.managers...)), MemberCount: len(s.org.members[id]),
		HideDept: d.hide, CreateDeptGroup: d.createGroup, AutoAddUser: d.autoAddUser, OuterDept: d.outer,
		Code: d.code,
	}
	if d.createGroup {
		out.DeptGroupChatID = "chat" + hex16(uint64(d.id))[:12]
	}
	if d.hide {
		out.DeptPermits, out.UserPermits = &[]int64{}, &[]string{}
	}
	if d.outer {
		out.OuterPermitDepts, out.OuterPermitUsers = &[]int64{}, &[]string{}
	}
	return out, nil
}

func (s *Server) deptCreate(c *call) (any, *apiError) {
	p := c.p
	d := &dept{name: p.str("name", true)}
	d.parent, _ = p.int("parent_id", true)
	d.order, _ = p.int("order", false)
	d.sourceID = p.str("source_identifier", false)
	d.hide, _ = p.boolean("hide_dept")
	d.createGroup, _ = p.boolean("create_dept_group")
	p.boolean("auto_approve_apply")
	d.outer, _ = p.boolean("outer_dept")
	d.outerSelf, _ = p.boolean("outer_dept_only_self")
	for _, f := range []string{"dept_permits", "user_permits", "outer_permit_users", "outer_permit_depts"} {
		if len(p.commaList(f, false)) > 50 {
			p.fail(errf(600109, "可见范围列表不合法: %s 最多50个", f))
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, e := s.org.createDept(s.seed, d)
	if e != nil {
		return nil, e
	}
	return struct {
		DeptID int64 `json:"dept_id"`
	}{id}, nil
}

func (s *Server) deptUpdate(c *call) (any, *apiError) {
	p := c.p
	id, _ := p.int("dept_id", true)
	var ch deptChange
	if v, ok := p.int("parent_id", false); ok {
		ch.parent = &v
	}
	if p.has("name") {
		v := p.str("name", false)
		ch.name = &v
	}
	if v, ok := p.int("order", false); ok {
		ch.order = &v
	}
	if p.has("source_identifier") {
		v := p.str("source_identifier", false)
		ch.sourceID = &v
	}
	if v, ok := p.boolean("hide_dept"); ok {
		ch.hide = &v
	}
	if v, ok := p.boolean("create_dept_group"); ok {
		ch.createGroup = &v
	}
	if v, ok := p.boolean("auto_add_user"); ok {
		ch.autoAddUser = &v
	}
	if v, ok := p.boolean("outer_dept"); ok {
		ch.outer = &v
	}
	if v, ok := p.boolean("outer_dept_only_self"); ok {
		ch.outerSelf = &v
	}
	if p.has("dept_manager_userid_list") {
		v := p.commaList("dept_manager_userid_list", false)
		ch.managers = &v
	}
	if p.has("code") {
		v := p.str("code", false)
		ch.code = &v
	}
	p.str("language", false)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.org.updateDept(id, ch); e != nil {
		return nil, e
	}
	return struct{}{}, nil
}

func (s *Server) deptDelete(c *call) (any, *apiError) {
	id, _ := c.p.int("dept_id", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.org.deleteDept(id); e != nil {
		return nil, e
	}
	return struct{}{}, nil
}
