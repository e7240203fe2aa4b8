// Package kaoqin holds the domain of kaoqin (考勤): the org chart, DingTalk's attendance checks,
// leave, and the books of a sync, as plain values. It imports only the standard library.
//
// Data flows one way: DingTalk -> dingtalk (client) -> syncer -> store -> report -> web/CLI.
// Only the syncer knows both DingTalk's wire types and these values.
//
// Conventions, used everywhere:
//   - instants are unix milliseconds (int64), 0 meaning "none";
//   - work dates are "YYYY-MM-DD" strings in the configured time zone (see date.go);
//   - ids are DingTalk's own: department ids (int64), userids (string), check and record ids (int64).
package kaoqin

// RootDeptID is the id of the company's root department in DingTalk.
const RootDeptID int64 = 1

// Department is a DingTalk department as kaoqin last saw it.
type Department struct {
	ID               int64  `json:"id"`
	ParentID         int64  `json:"parent_id"` // 0 for the root
	Name             string `json:"name"`
	Order            int64  `json:"order"`
	SourceIdentifier string `json:"source_identifier,omitempty"`
	// Managers are the department's leaders in DingTalk (dept_manager_userid_list): the people
	// its reminder digests go to.
	Managers []string `json:"managers,omitempty"`
	// RemovedAt is when a sync found the department gone from DingTalk (unix ms); 0 while it
	// exists. Removed departments are kept so that history keeps its names.
	RemovedAt int64 `json:"removed_at,omitempty"`
}

// Employee is a DingTalk user as kaoqin last saw them.
type Employee struct {
	UserID    string `json:"userid"`
	Name      string `json:"name"`
	JobNumber string `json:"job_number,omitempty"`
	Title     string `json:"title,omitempty"`
	HiredAt   int64  `json:"hired_at,omitempty"` // unix ms, from DingTalk's hired_date; 0 if unknown
	// Admin is true for a DingTalk administrator (admin or boss of the org): the plans API is
	// called on behalf of one.
	Admin bool `json:"admin,omitempty"`
	// DeptIDs are the departments the employee belongs to now (empty once they left).
	DeptIDs []int64 `json:"department_ids"`
	// LeftAt is when a sync found the employee gone from every department (unix ms); 0 while
	// they are employed. Departed employees are kept so that history keeps its names.
	LeftAt int64 `json:"left_at,omitempty"`
}

// Membership is one stretch of time during which an employee belonged to a department.
// Reports use the memberships that held on each day, so that a transfer does not rewrite the
// reports of the days before it.
type Membership struct {
	UserID string `json:"userid"`
	DeptID int64  `json:"dept_id"`
	// From is the first work date of the membership, inclusive; "" means it held since before
	// kaoqin first saw the employee (kaoqin cannot know DingTalk's history).
	From string `json:"from"`
	// To is the last work date of the membership, inclusive; "" means it still holds.
	To string `json:"to"`
}

// Holds reports whether the membership held on the work date day.
func (m Membership) Holds(day string) bool {
	return (m.From == "" || m.From <= day) && (m.To == "" || day <= m.To)
}

// Overlaps reports whether the membership held on any day of [from, to].
func (m Membership) Overlaps(from, to string) bool {
	return (m.From == "" || m.From <= to) && (m.To == "" || from <= m.To)
}

// OrgSnapshot is DingTalk's whole org chart as one sync saw it.
type OrgSnapshot struct {
	Day         string // work date of the sync, in the configured time zone
	At          int64  // when the snapshot was taken (unix ms)
	Departments []Department
	Employees   []Employee // with DeptIDs filled in
}

// OrgChange counts what saving a snapshot changed.
type OrgChange struct {
	DepartmentsAdded   int `json:"departments_added"`
	DepartmentsUpdated int `json:"departments_updated"`
	DepartmentsRemoved int `json:"departments_removed"`
	EmployeesAdded     int `json:"employees_added"`
	EmployeesUpdated   int `json:"employees_updated"`
	EmployeesLeft      int `json:"employees_left"`
	MembershipsOpened  int `json:"memberships_opened"`
	MembershipsClosed  int `json:"memberships_closed"`
}
