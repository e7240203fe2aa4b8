package dingtalksim

import (
	"fmt"
)

// Error is a DingTalk failure returned by the org helpers: the errcode the API would answer.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("dingtalk errcode %d: %s", e.Code, e.Msg) }

func asError(e *apiError) error {
	if e == nil {
		return nil
	}
	return &Error{Code: e.code, Msg: e.msg}
}

// NewUser describes a person to add. Empty Name, Mobile and UserID are generated.
type NewUser struct {
	UserID    string
	Name      string
	Mobile    string
	Title     string
	JobNumber string
	Email     string
	DeptIDs   []int64
}

// AddUser adds a person, as topapi/v2/user/create would. They have attendance from the day
// after today on the company clock (an attendance group change takes effect the next day).
func (s *Server) AddUser(nu NewUser) (User, error) {
	today := s.today()
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := uint64(s.org.nextSeq + 1)
	if nu.Name == "" {
		r := newRNG(hash(s.seed, saltUser, seq, 99))
		nu.Name = surnames[r.intn(len(surnames))] + givenChars[r.intn(len(givenChars))] + givenChars[r.intn(len(givenChars))]
	}
	if nu.Mobile == "" {
		for i := uint64(0); ; i++ {
			m := fmt.Sprintf("199%08d", hash(s.seed, saltUser, seq, 100+i)%100_000_000)
			if s.org.byMobile[m] == nil {
				nu.Mobile = m
				break
			}
		}
	}
	if nu.JobNumber == "" {
		nu.JobNumber = fmt.Sprintf("%06d", seq)
	}
	u := &user{userid: nu.UserID, name: nu.Name, mobile: nu.Mobile, title: nu.Title, jobNumber: nu.JobNumber,
		email: nu.Email, depts: nu.DeptIDs, workPlace: officeAddress, hired: s.co.dayStart(today + 1)}
	if e := s.org.createUser(s.co, u, today); e != nil {
		return User{}, asError(e)
	}
	return exportUser(u), nil
}

// RemoveUser deletes a person, as topapi/v2/user/delete would. Their past attendance stays
// served; they have none after today.
func (s *Server) RemoveUser(userID string) error {
	today := s.today()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.org.current(userID)
	if u == nil {
		return &Error{Code: 60121, Msg: "找不到该用户"}
	}
	s.org.removeUser(u, today)
	return nil
}

// Transfer moves a person to exactly these departments. Their attendance group and past
// attendance do not change.
func (s *Server) Transfer(userID string, deptIDs ...int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.org.current(userID)
	if u == nil {
		return &Error{Code: 60121, Msg: "找不到该用户"}
	}
	if e := s.org.checkDepts(deptIDs); e != nil {
		return asError(e)
	}
	s.org.setDepts(u, deptIDs)
	s.org.touch(u)
	return nil
}

// AddDepartment creates a department under parentID, as topapi/v2/department/create would.
func (s *Server) AddDepartment(parentID int64, name string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, e := s.org.createDept(s.seed, &dept{parent: parentID, name: name, createGroup: true})
	return id, asError(e)
}

// RemoveDepartment deletes a department and its empty sub-departments, as
// topapi/v2/department/delete would.
func (s *Server) RemoveDepartment(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return asError(s.org.deleteDept(id))
}
