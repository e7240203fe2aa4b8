package dingtalk

import (
	"context"
	"strings"
)

// UsersService calls the user APIs of the contacts (通讯录). Contacts calls are not metered.
type UsersService service

// MaxUserPage is the largest page of the user lists (listsimple, v2/user/list).
const MaxUserPage = 100

// SimpleUser is one entry of topapi/user/listsimple.
type SimpleUser struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
}

// User is a user as topapi/v2/user/list and topapi/v2/user/get return them; the list leaves
// out the fields from ManagerUserID on. Mobile and email come only with the matching contact
// permissions.
type User struct {
	UserID           string    `json:"userid"`
	UnionID          string    `json:"unionid"`
	Name             string    `json:"name"`
	Avatar           string    `json:"avatar,omitempty"`
	StateCode        string    `json:"state_code,omitempty"`
	Mobile           string    `json:"mobile,omitempty"`
	HideMobile       bool      `json:"hide_mobile,omitempty"`
	Telephone        string    `json:"telephone,omitempty"`
	JobNumber        string    `json:"job_number,omitempty"`
	Title            string    `json:"title,omitempty"`
	Email            string    `json:"email,omitempty"`
	OrgEmail         string    `json:"org_email,omitempty"`
	WorkPlace        string    `json:"work_place,omitempty"`
	Remark           string    `json:"remark,omitempty"`
	DeptIDList       []FlexInt `json:"dept_id_list"`
	DeptOrder        FlexInt   `json:"dept_order,omitempty"`
	Extension        string    `json:"extension,omitempty"`  // a JSON object, as a string
	HiredDate        FlexInt   `json:"hired_date,omitempty"` // Unix ms
	Active           bool      `json:"active"`
	Admin            bool      `json:"admin,omitempty"`
	Boss             bool      `json:"boss,omitempty"`
	Leader           bool      `json:"leader,omitempty"`
	ExclusiveAccount bool      `json:"exclusive_account,omitempty"`

	ManagerUserID string         `json:"manager_userid,omitempty"`
	RealAuthed    bool           `json:"real_authed,omitempty"`
	Senior        bool           `json:"senior,omitempty"`
	DeptOrderList []DeptOrder    `json:"dept_order_list,omitempty"`
	LeaderInDept  []LeaderInDept `json:"leader_in_dept,omitempty"`
	RoleList      []Role         `json:"role_list,omitempty"`
}

// DeptOrder is a user's sort order in one department.
type DeptOrder struct {
	DeptID FlexInt `json:"dept_id"`
	Order  FlexInt `json:"order"`
}

// LeaderInDept says whether a user leads one of their departments.
type LeaderInDept struct {
	DeptID FlexInt `json:"dept_id"`
	Leader bool    `json:"leader"`
}

// Role is one of a user's roles.
type Role struct {
	ID        FlexInt `json:"id"`
	Name      string  `json:"name"`
	GroupName string  `json:"group_name"`
}

// ListUsersOptions are the paging and ordering options of the user lists.
type ListUsersOptions struct {
	Cursor             int64  // 0 for the first page, then Response.NextCursor
	Size               int    // 1-100; 0 means 100
	OrderField         string // entry_asc, entry_desc, modify_asc, modify_desc or custom
	ContainAccessLimit bool
	Language           Language
}

// listUsersBody is the body of both user lists; cursor and size are required, even when 0.
type listUsersBody struct {
	DeptID             int64    `json:"dept_id"`
	Cursor             int64    `json:"cursor"`
	Size               int      `json:"size"`
	OrderField         string   `json:"order_field,omitempty"`
	ContainAccessLimit bool     `json:"contain_access_limit,omitempty"`
	Language           Language `json:"language,omitempty"`
}

func newListUsersBody(path string, deptID int64, opts *ListUsersOptions) (listUsersBody, error) {
	var o ListUsersOptions
	if opts != nil {
		o = *opts
	}
	if o.Size == 0 {
		o.Size = MaxUserPage
	}
	if o.Size < 1 || o.Size > MaxUserPage || o.Cursor < 0 {
		return listUsersBody{}, invalidf(path, "size %d, cursor %d: want 1 <= size <= %d and cursor >= 0", o.Size, o.Cursor, MaxUserPage)
	}
	return listUsersBody{deptID, o.Cursor, o.Size, o.OrderField, o.ContainAccessLimit, o.Language}, nil
}

// userPage is the result of both user lists.
type userPage[T any] struct {
	Result *struct {
		HasMore    bool    `json:"has_more"`
		NextCursor FlexInt `json:"next_cursor"`
		List       []T     `json:"list"`
	} `json:"result"`
}

func listUsers[T any](ctx context.Context, c *Client, path string, deptID int64, opts *ListUsersOptions) ([]T, *Response, error) {
	body, err := newListUsersBody(path, deptID, opts)
	if err != nil {
		return nil, nil, err
	}
	var out userPage[T]
	resp, err := c.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	resp.HasMore, resp.NextCursor = out.Result.HasMore, int64(out.Result.NextCursor)
	return out.Result.List, resp, nil
}

// ListSimple returns one page of a department's users (not its sub-departments'), with ids
// and names only. Response.HasMore and NextCursor say where the next page starts; AllSimple
// walks every page.
//
// DingTalk doc: queries-the-simple-information-of-a-department-user
//
//	POST /topapi/user/listsimple
func (s *UsersService) ListSimple(ctx context.Context, deptID int64, opts *ListUsersOptions) ([]SimpleUser, *Response, error) {
	return listUsers[SimpleUser](ctx, s.client, "/topapi/user/listsimple", deptID, opts)
}

// List returns one page of a department's users with their details. All walks every page.
//
// DingTalk doc: queries-the-complete-information-of-a-department-user
//
//	POST /topapi/v2/user/list
func (s *UsersService) List(ctx context.Context, deptID int64, opts *ListUsersOptions) ([]User, *Response, error) {
	return listUsers[User](ctx, s.client, "/topapi/v2/user/list", deptID, opts)
}

// ListIDs returns the userids of a department's users (no paging; not limited by the app's
// contact scope).
//
// DingTalk doc: query-the-list-of-department-userids
//
//	POST /topapi/user/listid
func (s *UsersService) ListIDs(ctx context.Context, deptID int64) ([]string, *Response, error) {
	const path = "/topapi/user/listid"
	body := struct {
		DeptID int64 `json:"dept_id"`
	}{deptID}
	var out struct {
		Result *struct {
			UserIDList []string `json:"userid_list"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil {
		return nil, resp, missing(path, resp, "result")
	}
	return out.Result.UserIDList, resp, nil
}

// Get returns one user's details.
//
// DingTalk doc: query-user-details
//
//	POST /topapi/v2/user/get
func (s *UsersService) Get(ctx context.Context, userID string, lang Language) (*User, *Response, error) {
	const path = "/topapi/v2/user/get"
	body := struct {
		UserID   string   `json:"userid"`
		Language Language `json:"language,omitempty"`
	}{userID, lang}
	var out struct {
		Result *User `json:"result"`
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

// GetByMobile returns the userid of the active user with this mobile number.
//
// DingTalk doc: query-users-by-phone-number
//
//	POST /topapi/v2/user/getbymobile
func (s *UsersService) GetByMobile(ctx context.Context, mobile string) (string, *Response, error) {
	const path = "/topapi/v2/user/getbymobile"
	body := struct {
		Mobile string `json:"mobile"`
	}{mobile}
	var out struct {
		Result *struct {
			UserID string `json:"userid"`
		} `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return "", resp, err
	}
	if out.Result == nil || out.Result.UserID == "" {
		return "", resp, missing(path, resp, "result.userid")
	}
	return out.Result.UserID, resp, nil
}

// DeptTitle is a user's title in one department.
type DeptTitle struct {
	DeptID int64  `json:"dept_id"`
	Title  string `json:"title"`
}

// DeptOrderEntry is a user's sort order in one department, as Create and Update send it.
type DeptOrderEntry struct {
	DeptID int64 `json:"dept_id"`
	Order  int64 `json:"order"`
}

// NewUser is what Create sends. Name, Mobile and DeptIDs are required; the rest is left out
// when zero.
type NewUser struct {
	UserID        string // 1-64 characters, immutable; DingTalk makes one up when empty
	Name          string // ≤80 characters
	Mobile        string // unique in the org; "+xx-xxxx" for numbers outside China
	DeptIDs       []int64
	HideMobile    bool
	Telephone     string
	JobNumber     string
	Title         string
	Email         string
	OrgEmail      string
	WorkPlace     string
	Remark        string
	DeptOrders    []DeptOrderEntry
	DeptTitles    []DeptTitle
	Extension     string // a JSON object, as a string
	SeniorMode    bool
	HiredDate     int64 // Unix ms
	ManagerUserID string
	LoginEmail    string
}

// CreatedUser is what Create returns.
type CreatedUser struct {
	UserID  string `json:"userid"`
	UnionID string `json:"unionId"` // spelled so here (reference 3.2), unlike the user lists' "unionid"
}

// Create creates a user.
//
// DingTalk doc: user-information-creation
//
//	POST /topapi/v2/user/create
func (s *UsersService) Create(ctx context.Context, u *NewUser) (*CreatedUser, *Response, error) {
	const path = "/topapi/v2/user/create"
	if u == nil || u.Name == "" || u.Mobile == "" || len(u.DeptIDs) == 0 {
		return nil, nil, invalidf(path, "a user needs a name, a mobile number and at least one department")
	}
	body := struct {
		UserID        string           `json:"userid,omitempty"`
		Name          string           `json:"name"`
		Mobile        string           `json:"mobile"`
		DeptIDList    string           `json:"dept_id_list"`
		HideMobile    bool             `json:"hide_mobile,omitempty"`
		Telephone     string           `json:"telephone,omitempty"`
		JobNumber     string           `json:"job_number,omitempty"`
		Title         string           `json:"title,omitempty"`
		Email         string           `json:"email,omitempty"`
		OrgEmail      string           `json:"org_email,omitempty"`
		WorkPlace     string           `json:"work_place,omitempty"`
		Remark        string           `json:"remark,omitempty"`
		DeptOrderList []DeptOrderEntry `json:"dept_order_list,omitempty"`
		DeptTitleList []DeptTitle      `json:"dept_title_list,omitempty"`
		Extension     string           `json:"extension,omitempty"`
		SeniorMode    bool             `json:"senior_mode,omitempty"`
		HiredDate     int64            `json:"hired_date,omitempty"`
		ManagerUserID string           `json:"manager_userid,omitempty"`
		LoginEmail    string           `json:"login_email,omitempty"`
	}{
		u.UserID, u.Name, u.Mobile, joinInts(u.DeptIDs), u.HideMobile, u.Telephone, u.JobNumber, u.Title,
		u.Email, u.OrgEmail, u.WorkPlace, u.Remark, u.DeptOrders, u.DeptTitles, u.Extension, u.SeniorMode,
		u.HiredDate, u.ManagerUserID, u.LoginEmail,
	}
	var out struct {
		Result *CreatedUser `json:"result"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Result == nil || out.Result.UserID == "" {
		return nil, resp, missing(path, resp, "result.userid")
	}
	return out.Result, resp, nil
}

// UserUpdate is what Update sends: UserID, and every field that is not nil. DingTalk leaves
// the fields left out unchanged; the mobile number cannot be changed (41054).
type UserUpdate struct {
	UserID        string
	Name          *string
	HideMobile    *bool
	Telephone     *string
	JobNumber     *string
	Title         *string
	Email         *string
	OrgEmail      *string
	WorkPlace     *string
	Remark        *string
	DeptIDs       *[]int64
	DeptOrders    *[]DeptOrderEntry
	DeptTitles    *[]DeptTitle
	Extension     *string
	SeniorMode    *bool
	HiredDate     *int64
	ManagerUserID *string // an empty string clears the manager
	Language      Language
}

// Update changes a user.
//
// DingTalk doc: user-information-update
//
//	POST /topapi/v2/user/update
func (s *UsersService) Update(ctx context.Context, u *UserUpdate) (*Response, error) {
	const path = "/topapi/v2/user/update"
	if u == nil || u.UserID == "" {
		return nil, invalidf(path, "an update needs the user's userid")
	}
	body := struct {
		UserID            string            `json:"userid"`
		Name              *string           `json:"name,omitempty"`
		HideMobile        *bool             `json:"hide_mobile,omitempty"`
		Telephone         *string           `json:"telephone,omitempty"`
		JobNumber         *string           `json:"job_number,omitempty"`
		Title             *string           `json:"title,omitempty"`
		Email             *string           `json:"email,omitempty"`
		OrgEmail          *string           `json:"org_email,omitempty"`
		WorkPlace         *string           `json:"work_place,omitempty"`
		Remark            *string           `json:"remark,omitempty"`
		DeptIDList        *string           `json:"dept_id_list,omitempty"`
		DeptOrderList     *[]DeptOrderEntry `json:"dept_order_list,omitempty"`
		DeptTitleList     *[]DeptTitle      `json:"dept_title_list,omitempty"`
		Extension         *string           `json:"extension,omitempty"`
		SeniorMode        *bool             `json:"senior_mode,omitempty"`
		HiredDate         *int64            `json:"hired_date,omitempty"`
		ManagerUserID     *string           `json:"manager_userid,omitempty"`
		ForceUpdateFields string            `json:"force_update_fields,omitempty"`
		Language          Language          `json:"language,omitempty"`
	}{
		UserID: u.UserID, Name: u.Name, HideMobile: u.HideMobile, Telephone: u.Telephone, JobNumber: u.JobNumber,
		Title: u.Title, Email: u.Email, OrgEmail: u.OrgEmail, WorkPlace: u.WorkPlace, Remark: u.Remark,
		DeptOrderList: u.DeptOrders, DeptTitleList: u.DeptTitles, Extension: u.Extension, SeniorMode: u.SeniorMode,
		HiredDate: u.HiredDate, ManagerUserID: u.ManagerUserID, Language: u.Language,
	}
	if u.DeptIDs != nil {
		v := joinInts(*u.DeptIDs)
		body.DeptIDList = &v
	}
	if u.ManagerUserID != nil && *u.ManagerUserID == "" {
		// DingTalk ignores an empty manager unless told to clear the field.
		body.ForceUpdateFields = "manager_userid"
	}
	return s.client.post(ctx, path, body, nil)
}

// Delete deletes a user; DingTalk also removes them from attendance groups and the HR roster.
//
// DingTalk doc: delete-a-user
//
//	POST /topapi/v2/user/delete
func (s *UsersService) Delete(ctx context.Context, userID string) (*Response, error) {
	const path = "/topapi/v2/user/delete"
	if strings.TrimSpace(userID) == "" {
		return nil, invalidf(path, "no userid")
	}
	body := struct {
		UserID string `json:"userid"`
	}{userID}
	return s.client.post(ctx, path, body, nil)
}
