package dingtalk_test

import "strings"

// referenceParams are the request fields the reference (dingtalk-api.md) documents for each
// path. The simulator reads what it knows and ignores the rest, as DingTalk does, so a key the
// client misspells would pass unnoticed there: every key the client sends must be one of these.
var referenceParams = map[string]string{
	"/attendance/list":                               "workDateFrom workDateTo userIdList offset limit isI18n",
	"/attendance/listRecord":                         "userIds checkDateFrom checkDateTo isI18n",
	"/topapi/attendance/getleavestatus":              "userid_list start_time end_time offset size",
	"/topapi/attendance/schedule/listbyusers":        "op_user_id userids from_date_time to_date_time",
	"/topapi/attendance/listschedule":                "workDate offset size",
	"/topapi/attendance/getsimplegroups":             "offset size",
	"/topapi/attendance/getusergroup":                "userid",
	"/topapi/attendance/getleaveapproveduration":     "userid from_date to_date",
	"/topapi/attendance/getupdatedata":               "userid work_date",
	"/topapi/attendance/isopensmartreport":           "",
	"/topapi/attendance/getattcolumns":               "",
	"/topapi/attendance/getcolumnval":                "userid column_id_list from_date to_date",
	"/topapi/attendance/getleavetimebynames":         "userid leave_names from_date to_date",
	"/topapi/attendance/vacation/type/list":          "op_userid vacation_source",
	"/topapi/user/listsimple":                        "dept_id cursor size order_field contain_access_limit language",
	"/topapi/v2/user/list":                           "dept_id cursor size order_field contain_access_limit language",
	"/topapi/user/listid":                            "dept_id",
	"/topapi/v2/user/get":                            "userid language",
	"/topapi/v2/user/getbymobile":                    "mobile",
	"/topapi/v2/user/create":                         "name mobile dept_id_list userid hide_mobile telephone job_number title email org_email work_place remark dept_order_list dept_title_list extension senior_mode hired_date manager_userid login_email",
	"/topapi/v2/user/update":                         "userid name hide_mobile telephone job_number title email org_email work_place remark dept_id_list dept_order_list dept_title_list extension senior_mode hired_date manager_userid login_email ext_attrs_update_mode force_update_fields language",
	"/topapi/v2/user/delete":                         "userid",
	"/topapi/v2/department/listsub":                  "dept_id language",
	"/topapi/v2/department/listsubid":                "dept_id",
	"/topapi/v2/department/get":                      "dept_id language",
	"/topapi/v2/department/create":                   "name parent_id order source_identifier hide_dept dept_permits user_permits outer_dept outer_dept_only_self outer_permit_users outer_permit_depts create_dept_group auto_approve_apply",
	"/topapi/v2/department/update":                   "dept_id parent_id name order source_identifier hide_dept dept_permits user_permits outer_dept outer_dept_only_self outer_permit_users outer_permit_depts create_dept_group auto_add_user dept_manager_userid_list group_contain_sub_dept group_contain_outer_dept group_contain_hidden_dept org_dept_owner force_update_fields code language",
	"/topapi/v2/department/delete":                   "dept_id",
	"/topapi/message/corpconversation/asyncsend_v2":  "agent_id userid_list dept_id_list to_all_user msg",
	"/topapi/message/corpconversation/getsendresult": "agent_id task_id",
	"/robot/send":                                    "msgtype text link markdown actionCard feedCard at msgUuid",
}

// checkRequestKeys fails the test if the client sent a key the reference does not document for
// the path, or called a path the reference does not have.
func (env *simEnv) checkRequestKeys() {
	env.mu.Lock()
	defer env.mu.Unlock()
	for path, keys := range env.sent {
		if strings.HasPrefix(path, "/_sim/") {
			continue
		}
		doc, ok := referenceParams[path]
		if !ok {
			env.t.Errorf("the client posted to %s, which the test's table of the reference lacks", path)
			continue
		}
		known := map[string]bool{}
		for _, k := range strings.Fields(doc) {
			known[k] = true
		}
		for k := range keys {
			if !known[k] {
				env.t.Errorf("%s: the client sends %q, which the reference does not document", path, k)
			}
		}
	}
}
