package dingtalk

import (
	"context"
	"strconv"
	"strings"
)

// DepartmentsService calls the department APIs of the contacts (通讯录). Contacts calls are
// not metered. The root department's id is 1.
type DepartmentsService service

// RootDepartmentID is the id of the org's root department.
const RootDepartmentID = 1

// Department is a department as topapi/v2/department/listsub and get return it; listsub fills
// only ID, Name, ParentID, CreateDeptGroup and AutoAddUser.
type Department struct {
	ID               FlexInt     `json:"dept_id"`
	Name             string      `json:"name"`
	ParentID         FlexInt     `json:"parent_id"`
	CreateDeptGroup  bool        `json:"create_dept_group"`
	AutoAddUser      bool        `json:"auto_add_user"`
	SourceIdentifier string      `json:"source_identifier,omitempty"`
	Order            FlexInt     `json:"order,omitempty"`
	Code             string      `json:"code,omitempty"`
	ManagerUserIDs   FlexStrings `json:"dept_manager_userid_list,omitempty"`
	MemberCount      FlexInt     `json:"member_count,omitempty"`
	HideDept         bool        `json:"hide_dept,omitempty"`
	DeptPermits      []FlexInt   `json:"dept_permits,omitempty"`
	UserPermits      FlexStrings `json:"user_permits,omitempty"`
	OuterDept        bool        `json:"outer_dept,omitempty"`
	OuterPermitDepts []FlexInt   `json:"outer_permit_depts,omitempty"`
	OuterPermitUsers FlexStrings `json:"outer_permit_users,omitempty"`
	OrgDeptOwner     string      `json:"org_dept_owner,omitempty"`
	DeptGroupChatID  string      `json:"dept_group_chat_id,omitempty"`
	GroupContainSub  bool        `json:"group_contain_sub_dept,omitempty"`
	AutoApproveApply bool        `json:"auto_approve_apply,omitempty"`
}

// Language selects the language of names in contacts answers: "zh_CN" (DingTalk's default)
// or "en_US". The zero value sends nothing.
type Language string

// Languages DingTalk accepts.
const (
	LanguageChinese Language = "zh_CN"
	LanguageEnglish Language = "en_US"
)

// ListSub returns the direct children of a department (no paging: all of them, but only one
// level; Walk gives the whole tree).
//
// DingTalk doc: user-management-acquires-the-list-departments
//
//	POST /topapi/v2/department/listsub
func (s *DepartmentsService) ListSub(ctx context.Context, deptID int64, lang Language) ([]Department, *Response, error) {
	const path = "/topapi/v2/department/listsub"
	body := struct {
		DeptID   int64    `json:"dept_id"`
		Language Language `json:"language,omitempty"`
	}{deptID, lang}
	var out struct {
		Result *[]Department `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return *out.Result, resp, nil
}

// ListSubIDs returns the ids of the direct children of a department. It is not limited by the
// app's contact scope.
//
// DingTalk doc: obtain-the-list-of-sub-department-ids
//
//	POST /topapi/v2/department/listsubid
func (s *DepartmentsService) ListSubIDs(ctx context.Context, deptID int64) ([]int64, *Response, error) {
	const path = "/topapi/v2/department/listsubid"
	body := struct {
		DeptID int64 `json:"dept_id"`
	}{deptID}
	var out struct {
		Result *struct {
			DeptIDList []FlexInt `json:"dept_id_list"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	ids := make([]int64, len(out.Result.DeptIDList))
	for i, id := range out.Result.DeptIDList {
		ids[i] = int64(id)
	}
	return ids, resp, nil
}

// Get returns one department's details.
//
// DingTalk doc: query-department-details0-v2
//
//	POST /topapi/v2/department/get
func (s *DepartmentsService) Get(ctx context.Context, deptID int64, lang Language) (*Department, *Response, error) {
	const path = "/topapi/v2/department/get"
	body := struct {
		DeptID   int64    `json:"dept_id"`
		Language Language `json:"language,omitempty"`
	}{deptID, lang}
	var out struct {
		Result *Department `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return out.Result, resp, nil
}

// NewDepartment is what Create sends. Name and ParentID are required; the rest is optional
// and left out when zero.
type NewDepartment struct {
	Name              string // 1-64 characters, no "-", "," or "，"
	ParentID          int64
	Order             int64
	SourceIdentifier  string
	HideDept          bool
	DeptPermits       []int64  // departments that can see a hidden department (≤50)
	UserPermits       []string // users who can see a hidden department (≤50)
	OuterDept         bool
	OuterDeptOnlySelf bool
	OuterPermitUsers  []string
	OuterPermitDepts  []int64
	CreateDeptGroup   bool
	AutoApproveApply  bool
}

// Create creates a department and returns its id.
//
// DingTalk doc: address-book-creation-department-established-department
//
//	POST /topapi/v2/department/create
func (s *DepartmentsService) Create(ctx context.Context, d *NewDepartment) (int64, *Response, error) {
	const path = "/topapi/v2/department/create"
	if d == nil || d.Name == "" || d.ParentID == 0 {
		return 0, nil, invalidf(path, "a department needs a name and a parent_id")
	}
	body := struct {
		Name              string `json:"name"`
		ParentID          int64  `json:"parent_id"`
		Order             int64  `json:"order,omitempty"`
		SourceIdentifier  string `json:"source_identifier,omitempty"`
		HideDept          bool   `json:"hide_dept,omitempty"`
		DeptPermits       string `json:"dept_permits,omitempty"`
		UserPermits       string `json:"user_permits,omitempty"`
		OuterDept         bool   `json:"outer_dept,omitempty"`
		OuterDeptOnlySelf bool   `json:"outer_dept_only_self,omitempty"`
		OuterPermitUsers  string `json:"outer_permit_users,omitempty"`
		OuterPermitDepts  string `json:"outer_permit_depts,omitempty"`
		CreateDeptGroup   bool   `json:"create_dept_group,omitempty"`
		AutoApproveApply  bool   `json:"auto_approve_apply,omitempty"`
	}{
		d.Name, d.ParentID, d.Order, d.SourceIdentifier, d.HideDept, joinInts(d.DeptPermits),
		strings.Join(d.UserPermits, ","), d.OuterDept, d.OuterDeptOnlySelf,
		strings.Join(d.OuterPermitUsers, ","), joinInts(d.OuterPermitDepts), d.CreateDeptGroup, d.AutoApproveApply,
	}
	var out struct {
		Result *struct {
			DeptID FlexInt `json:"dept_id"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return 0, resp, err
	}
	if out.Result == nil || out.Result.DeptID == 0 {
		return 0, resp, missing(path, resp, "result.dept_id")
	}
	return int64(out.Result.DeptID), resp, nil
}

// DepartmentUpdate is what Update sends: ID, and every field that is not nil. DingTalk leaves
// the fields left out unchanged. Setting ManagerUserIDs to an empty list clears the managers.
type DepartmentUpdate struct {
	ID               int64
	ParentID         *int64
	Name             *string
	Order            *int64
	SourceIdentifier *string
	Code             *string // ≤30 characters; settable only here
	HideDept         *bool
	OuterDept        *bool // its members see only part of the contacts
	CreateDeptGroup  *bool // true creates the department's group chat
	AutoAddUser      *bool
	ManagerUserIDs   *[]string // managers must be members of the department
	DeptPermits      *[]int64
	UserPermits      *[]string
	OrgDeptOwner     *string
	Language         Language
}

// Update changes a department.
//
// DingTalk doc: address-book-update-department
//
//	POST /topapi/v2/department/update
func (s *DepartmentsService) Update(ctx context.Context, u *DepartmentUpdate) (*Response, error) {
	const path = "/topapi/v2/department/update"
	if u == nil || u.ID == 0 {
		return nil, invalidf(path, "an update needs the department's id")
	}
	body := struct {
		DeptID            int64    `json:"dept_id"`
		ParentID          *int64   `json:"parent_id,omitempty"`
		Name              *string  `json:"name,omitempty"`
		Order             *int64   `json:"order,omitempty"`
		SourceIdentifier  *string  `json:"source_identifier,omitempty"`
		Code              *string  `json:"code,omitempty"`
		HideDept          *bool    `json:"hide_dept,omitempty"`
		OuterDept         *bool    `json:"outer_dept,omitempty"`
		CreateDeptGroup   *bool    `json:"create_dept_group,omitempty"`
		AutoAddUser       *bool    `json:"auto_add_user,omitempty"`
		ManagerUserIDs    *string  `json:"dept_manager_userid_list,omitempty"`
		DeptPermits       *string  `json:"dept_permits,omitempty"`
		UserPermits       *string  `json:"user_permits,omitempty"`
		OrgDeptOwner      *string  `json:"org_dept_owner,omitempty"`
		ForceUpdateFields string   `json:"force_update_fields,omitempty"`
		Language          Language `json:"language,omitempty"`
	}{
		DeptID: u.ID, ParentID: u.ParentID, Name: u.Name, Order: u.Order, SourceIdentifier: u.SourceIdentifier,
		Code: u.Code, HideDept: u.HideDept, OuterDept: u.OuterDept, CreateDeptGroup: u.CreateDeptGroup, AutoAddUser: u.AutoAddUser,
		OrgDeptOwner: u.OrgDeptOwner, Language: u.Language,
	}
	if u.ManagerUserIDs != nil {
		v := strings.Join(*u.ManagerUserIDs, ",")
		body.ManagerUserIDs = &v
		if v == "" {
			// DingTalk ignores an empty list unless told to clear the field.
			body.ForceUpdateFields = "dept_manager_userid_list"
		}
	}
	if u.DeptPermits != nil {
		v := joinInts(*u.DeptPermits)
		body.DeptPermits = &v
	}
	if u.UserPermits != nil {
		v := strings.Join(*u.UserPermits, ",")
		body.UserPermits = &v
	}
	return s.client.post(ctx, path, body, nil)
}

// Delete deletes a department. DingTalk refuses while it or a sub-department has members, and
// for the root.
//
// DingTalk doc: address-book-deletion-department
//
//	POST /topapi/v2/department/delete
func (s *DepartmentsService) Delete(ctx context.Context, deptID int64) (*Response, error) {
	const path = "/topapi/v2/department/delete"
	body := struct {
		DeptID int64 `json:"dept_id"`
	}{deptID}
	return s.client.post(ctx, path, body, nil)
}

func joinInts(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
