package dingtalksim

import "testing"

// TestUserEmailAndRecreateRules checks the write rules that an org push relies on besides
// those of TestUserWriteRules: emails are unique in the org (case aside) and well formed, and a
// deleted userid can be created again, with another mobile (how a person whose mobile changed
// is re-created).
func TestUserEmailAndRecreateRules(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	d := itoa(int(s.Truth().Departments()[2].ID))
	s.ok("/topapi/v2/user/create", `{"userid":"hr-1","name":"甲","mobile":"13911110001","dept_id_list":"`+d+`","email":"jia@example.com"}`, nil)
	s.ok("/topapi/v2/user/create", `{"userid":"hr-2","name":"乙","mobile":"13911110002","dept_id_list":"`+d+`"}`, nil)
	wantErr(t, s.post("/topapi/v2/user/create", `{"userid":"hr-3","name":"丙","mobile":"13911110003","dept_id_list":"`+d+`","email":"JIA@example.com"}`), 60106, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-2","email":"jia@example.com"}`), 60106, "")
	wantErr(t, s.post("/topapi/v2/user/update", `{"userid":"hr-2","email":"not-an-email"}`), 60105, "")
	// Once hr-1 gives the email up, hr-2 may take it.
	s.ok("/topapi/v2/user/update", `{"userid":"hr-1","email":"jia2@example.com"}`, nil)
	s.ok("/topapi/v2/user/update", `{"userid":"hr-2","email":"jia@example.com"}`, nil)
	if u, _ := s.Truth().User("hr-2"); u.Email != "jia@example.com" {
		t.Errorf("hr-2: %+v", u)
	}

	// Deleted, then created again under the same userid with a new mobile.
	s.ok("/topapi/v2/user/delete", `{"userid":"hr-1"}`, nil)
	s.ok("/topapi/v2/user/create", `{"userid":"hr-1","name":"甲","mobile":"13922220001","dept_id_list":"`+d+`","email":"jia2@example.com"}`, nil)
	if u, ok := s.Truth().User("hr-1"); !ok || u.Removed || u.Mobile != "13922220001" || u.Email != "jia2@example.com" {
		t.Errorf("hr-1 created again: %+v", u)
	}
	wantErr(t, s.post("/topapi/v2/user/getbymobile", `{"mobile":"13911110001"}`), 60121, "")
}
