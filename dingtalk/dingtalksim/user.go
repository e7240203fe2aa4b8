package dingtalksim

import (
	"cmp"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The user half of contacts: topapi/user/* and topapi/v2/user/*. Not metered.

type userBase struct {
	UserID           string  `json:"userid"`
	UnionID          string  `json:"unionid"`
	Name             string  `json:"name"`
	Avatar           string  `json:"avatar"`
	StateCode        string  `json:"state_code"`
	Mobile           string  `json:"mobile"`
	HideMobile       bool    `json:"hide_mobile"`
	Telephone        string  `json:"telephone"`
	JobNumber        string  `json:"job_number"`
	Title            string  `json:"title"`
	Email            string  `json:"email"`
	OrgEmail         string  `json:"org_email"`
	WorkPlace        string  `json:"work_place"`
	Remark           string  `json:"remark"`
	DeptIDList       []int64 `json:"dept_id_list"`
	Extension        string  `json:"extension"`
	HiredDate        int64   `json:"hired_date,omitempty"`
	Active           bool    `json:"active"`
	Admin            bool    `json:"admin"`
	Boss             bool    `json:"boss"`
	ExclusiveAccount bool    `json:"exclusive_account"`
}

func base(u *user) userBase {
	return userBase{
		UserID: u.userid, UnionID: u.unionid, Name: u.name, StateCode: "86", Mobile: u.mobile, HideMobile: u.hideMobile,
		Telephone: u.telephone, JobNumber: u.jobNumber, Title: u.title, Email: u.email, OrgEmail: u.orgEmail,
		WorkPlace: u.workPlace, Remark: u.remark, DeptIDList: slices.Clone(u.depts), Extension: u.extension,
		HiredDate: u.hired, Active: true, Admin: u.admin, Boss: u.boss,
	}
}

func (o *org) leads(u *user, deptID int64) bool {
	d := o.depts[deptID]
	return d != nil && slices.Contains(d.managers, u.userid)
}

// page is the cursor/size paging of the user lists, shared by listsimple and v2/user/list.
type page struct {
	members []*user
	cursor  int64
	more    bool
	deptID  int64
}

func (s *Server) userPage(c *call) (*page, *apiError) {
	p := c.p
	id, _ := p.int("dept_id", true)
	cursor, _ := p.int("cursor", true)
	size, _ := p.int("size", true)
	order := p.str("order_field", false)
	p.boolean("contain_access_limit")
	p.str("language", false)
	if p.err != nil {
		return nil, p.err
	}
	if size < 1 || size > 100 {
		return nil, errf(40069, "不合法的分页大小: size 取值范围为1-100")
	}
	if cursor < 0 {
		return nil, errf(40068, "不合法的分页偏移量")
	}
	if s.org.depts[id] == nil {
		return nil, errf(60003, "部门不存在")
	}
	ms := s.org.members[id]
	switch order {
	case "", "custom":
	case "entry_asc", "entry_desc", "modify_asc", "modify_desc":
		ms = slices.Clone(ms)
		slices.SortStableFunc(ms, func(a, b *user) int {
			var r int
			if order[0] == 'e' {
				r = cmp.Compare(a.hired, b.hired)
			} else {
				r = cmp.Compare(a.modified, b.modified)
			}
			if strings.HasSuffix(order, "_desc") {
				r = -r
			}
			return cmp.Or(r, cmp.Compare(a.seq, b.seq))
		})
	default:
		return nil, errInvalid("order_field")
	}
	rows, more := pageOf(ms, cursor, size)
	return &page{members: rows, cursor: cursor + int64(len(rows)), more: more, deptID: id}, nil
}

type userListResult[T any] struct {
	HasMore    bool   `json:"has_more"`
	NextCursor *int64 `json:"next_cursor,omitempty"` // only while has_more
	List       []T    `json:"list"`
}

func listResult[T any](pg *page, rows []T) userListResult[T] {
	r := userListResult[T]{HasMore: pg.more, List: nonNil(rows)}
	if pg.more {
		r.NextCursor = &pg.cursor
	}
	return r
}

func (s *Server) userListSimple(c *call) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pg, e := s.userPage(c)
	if e != nil {
		return nil, e
	}
	type simple struct {
		UserID string `json:"userid"`
		Name   string `json:"name"`
	}
	var rows []simple
	for _, u := range pg.members {
		rows = append(rows, simple{u.userid, u.name})
	}
	return listResult(pg, rows), nil
}

type listUser struct {
	userBase
	DeptOrder int64 `json:"dept_order"`
	Leader    bool  `json:"leader"`
}

func (s *Server) userList(c *call) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pg, e := s.userPage(c)
	if e != nil {
		return nil, e
	}
	var rows []listUser
	for _, u := range pg.members {
		rows = append(rows, listUser{base(u), s.org.deptOrder(u, pg.deptID), s.org.leads(u, pg.deptID)})
	}
	return listResult(pg, rows), nil
}

func (s *Server) userListID(c *call) (any, *apiError) {
	id, _ := c.p.int("dept_id", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.org.depts[id] == nil {
		return nil, errf(60003, "部门不存在")
	}
	ids := []string{}
	for _, u := range s.org.members[id] {
		ids = append(ids, u.userid)
	}
	return struct {
		UseridList []string `json:"userid_list"`
	}{ids}, nil
}

func (s *Server) userGet(c *call) (any, *apiError) {
	userid := c.p.str("userid", true)
	c.p.str("language", false)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.org.current(userid)
	if u == nil {
		return nil, errf(33012, "无效的USERID")
	}
	type deptOrder struct {
		DeptID int64 `json:"dept_id"`
		Order  int64 `json:"order"`
	}
	type leaderIn struct {
		DeptID int64 `json:"dept_id"`
		Leader bool  `json:"leader"`
	}
	out := struct {
		userBase
		ManagerUserid string      `json:"manager_userid,omitempty"`
		RealAuthed    bool        `json:"real_authed"`
		Senior        bool        `json:"senior"`
		DeptOrderList []deptOrder `json:"dept_order_list"`
		LeaderInDept  []leaderIn  `json:"leader_in_dept"`
		RoleList      []struct{}  `json:"role_list"`
	}{userBase: base(u), ManagerUserid: u.manager, RealAuthed: true, Senior: u.senior,
		DeptOrderList: []deptOrder{}, LeaderInDept: []leaderIn{}, RoleList: []struct{}{}}
	for _, id := range u.depts {
		out.DeptOrderList = append(out.DeptOrderList, deptOrder{id, s.org.deptOrder(u, id)})
		out.LeaderInDept = append(out.LeaderInDept, leaderIn{id, s.org.leads(u, id)})
	}
	return out, nil
}

func (s *Server) userGetByMobile(c *call) (any, *apiError) {
	mobile := c.p.str("mobile", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	if !mobilePattern.MatchString(mobile) {
		return nil, errf(40104, "无效的手机号码")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.org.byMobile[mobile]
	if u == nil {
		return nil, errf(60121, "找不到该用户")
	}
	return struct {
		UserID string `json:"userid"`
	}{u.userid}, nil
}

// userFields reads the optional profile fields of create and update into u, which holds
// the person as they are (update) or nothing yet (create). It returns the departments that
// dept_order_list names.
func userFields(p *params, u *user) (ordered []int64) {
	limits := []struct {
		name string
		dst  *string
		max  int
	}{
		{"telephone", &u.telephone, 50}, {"job_number", &u.jobNumber, 50}, {"title", &u.title, 200},
		{"email", &u.email, 50}, {"org_email", &u.orgEmail, 100}, {"work_place", &u.workPlace, 100},
		{"remark", &u.remark, 2000},
	}
	for _, f := range limits {
		if !p.has(f.name) {
			continue
		}
		v := p.str(f.name, false)
		if utf8.RuneCountInString(v) > f.max {
			p.fail(errParam("%s 最长%d个字符", f.name, f.max))
		}
		*f.dst = v
	}
	if u.orgEmail != "" && !emailPattern.MatchString(u.orgEmail) {
		p.fail(errf(60105, "邮箱不合法: org_email"))
	}
	if p.has("extension") {
		u.extension = extension(p, u.extension)
	}
	if v, ok := p.int("hired_date", false); ok {
		if v < 0 {
			p.fail(errInvalid("hired_date"))
		}
		u.hired = v
	}
	if v, ok := p.boolean("hide_mobile"); ok {
		u.hideMobile = v
	}
	if v, ok := p.boolean("senior_mode"); ok {
		u.senior = v
	}
	if p.has("manager_userid") {
		u.manager = p.str("manager_userid", false)
	}
	if p.has("dept_order_list") {
		var list []struct {
			DeptID *int64 `json:"dept_id"`
			Order  *int64 `json:"order"`
		}
		raw, _ := p.raw("dept_order_list")
		if json.Unmarshal(raw, &list) != nil {
			p.fail(errInvalid("dept_order_list"))
			return nil
		}
		orders := maps.Clone(u.orders)
		if orders == nil {
			orders = map[int64]int64{}
		}
		for _, e := range list {
			if e.DeptID == nil || e.Order == nil {
				p.fail(errInvalid("dept_order_list"))
				return nil
			}
			orders[*e.DeptID] = *e.Order
			ordered = append(ordered, *e.DeptID)
		}
		u.orders = orders
	}
	return ordered
}

// emailPattern is what the simulator takes for an email: something@something, no blanks.
var emailPattern = regexp.MustCompile(`^[^@\s,;]+@[^@\s,;]+$`)

// extension reads the custom attributes (extension, 扩展属性): a JSON object of strings, sent
// as a string or as an object, at most 2,000 characters (60122 不合法的extattr otherwise).
// ext_attrs_update_mode 1 adds the attributes to those of old; 0, the default, replaces them.
func extension(p *params, old string) string {
	raw, _ := p.raw("extension")
	text := string(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = s
	}
	if text == "" {
		text = "{}"
	}
	var attrs map[string]string
	if json.Unmarshal([]byte(text), &attrs) != nil || attrs == nil || utf8.RuneCountInString(text) > 2000 {
		p.fail(errf(60122, "不合法的extattr"))
		return old
	}
	for k := range attrs {
		if k == "" {
			p.fail(errf(60122, "不合法的extattr"))
			return old
		}
	}
	mode, ok := p.int("ext_attrs_update_mode", false)
	switch {
	case !ok || mode == 0:
	case mode == 1:
		var was map[string]string
		json.Unmarshal([]byte(old), &was)
		for k, v := range was {
			if _, set := attrs[k]; !set {
				attrs[k] = v
			}
		}
	default:
		p.fail(errInvalid("ext_attrs_update_mode"))
	}
	if len(attrs) == 0 {
		return ""
	}
	b, _ := json.Marshal(attrs)
	return string(b)
}

func (s *Server) userCreate(c *call) (any, *apiError) {
	p := c.p
	u := &user{name: p.str("name", true), mobile: p.str("mobile", true), userid: p.str("userid", false)}
	u.depts = p.commaInts("dept_id_list", true)
	userFields(p, u)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.org.createUser(s.co, u, c.today); e != nil {
		return nil, e
	}
	return struct {
		UserID  string `json:"userid"`
		UnionID string `json:"unionId"`
	}{u.userid, u.unionid}, nil
}

func (s *Server) userUpdate(c *call) (any, *apiError) {
	p := c.p
	userid := p.str("userid", true)
	if p.err != nil {
		return nil, p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.org.current(userid)
	if u == nil {
		return nil, errf(60121, "找不到该用户")
	}
	next := *u
	if p.has("name") {
		next.name = p.str("name", false)
		if n := utf8.RuneCountInString(next.name); n == 0 || n > 80 {
			p.fail(errf(60112, "成员姓名不合法"))
		}
	}
	if p.has("mobile") && p.str("mobile", false) != u.mobile {
		p.fail(errf(41054, "不允许修改手机号码"))
	}
	if p.has("dept_id_list") {
		next.depts = p.commaInts("dept_id_list", true)
		if p.err == nil {
			p.fail(s.org.checkDepts(next.depts))
		}
	}
	ordered := userFields(p, &next)
	// An empty manager_userid is ignored unless force_update_fields names it, as the docs
	// say; then it clears the manager.
	if p.has("manager_userid") && next.manager == "" {
		next.manager = u.manager
		for f := range strings.SplitSeq(p.str("force_update_fields", false), ",") {
			if strings.TrimSpace(f) == "manager_userid" {
				next.manager = ""
			}
		}
	}
	if p.err == nil && next.email != u.email {
		p.fail(s.org.checkEmail(next.email, u))
	}
	if p.err == nil && next.telephone != u.telephone {
		p.fail(s.org.checkTelephone(next.telephone, u))
	}
	if p.err == nil && next.manager != u.manager {
		p.fail(s.org.checkManager(u, next.manager))
	}
	if p.err == nil && ordered != nil {
		// Orders of departments the person leaves go with them.
		for id := range next.orders {
			if !slices.Contains(next.depts, id) && !slices.Contains(ordered, id) {
				delete(next.orders, id)
			}
		}
		p.fail(checkOrders(next.orders, next.depts))
	}
	if p.err != nil {
		return nil, p.err
	}
	depts := next.depts
	next.depts = u.depts
	*u = next
	if !slices.Equal(depts, u.depts) {
		s.org.setDepts(u, depts)
	}
	s.org.touch(u)
	return struct{}{}, nil
}

func (s *Server) userDelete(c *call) (any, *apiError) {
	userid := c.p.str("userid", true)
	if c.p.err != nil {
		return nil, c.p.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.org.current(userid)
	if u == nil {
		return nil, errf(60121, "找不到该用户")
	}
	s.org.removeUser(u, c.today)
	return struct{}{}, nil
}
