// Package orgpush makes DingTalk's org chart follow a company's HR system: departments
// created, renamed, moved and removed, people added, moved, updated and removed, in an order
// that DingTalk's rules accept, resumable after any interruption.
//
// The command is kaoqin org push; this text is also its section of the README.
//
// # The file
//
// One file holds the departments and the people, as CSV or JSON (told by the extension, .csv
// or .json, else by the first character). Departments carry the HR system's own id, a name,
// the id of their parent (empty: directly under the company, DingTalk's root department 1)
// and an optional order. People carry their userid, name, mobile, optional email, job number
// and title, and the HR ids of their departments (several allowed; none: the root).
//
// CSV, as a spreadsheet saves it ("CSV UTF-8"): one header row, then one row per department
// or person; the kind column says which (department/dept/部门 or person/user/人员/员工).
// Columns may come in any order, and the ones a file does not use may be left out.
// Department rows fill id, name, parent_id, order; person rows fill userid, name, mobile,
// email, job_number, title, dept_ids, with several ids separated by ";".
//
//	kind,id,name,parent_id,order,userid,mobile,email,job_number,title,dept_ids
//	department,D1,研发中心,,10,,,,,,
//	department,D11,平台组,D1,,,,,,,
//	department,D2,销售部,,20,,,,,,
//	person,,张三,,,zhangsan,13800000001,zhangsan@example.com,A001,工程师,D11
//	person,,李四,,,lisi,13800000002,,A002,,D11;D2
//	person,,王总,,,wangzong,13800000003,,A003,总经理,
//
// JSON, the same content:
//
//	{
//	  "departments": [
//	    {"id": "D1", "name": "研发中心", "order": 10},
//	    {"id": "D11", "name": "平台组", "parent_id": "D1"},
//	    {"id": "D2", "name": "销售部", "order": 20}
//	  ],
//	  "people": [
//	    {"userid": "zhangsan", "name": "张三", "mobile": "13800000001", "email": "zhangsan@example.com",
//	     "job_number": "A001", "title": "工程师", "dept_ids": ["D11"]},
//	    {"userid": "lisi", "name": "李四", "mobile": "13800000002", "job_number": "A002", "dept_ids": ["D11", "D2"]},
//	    {"userid": "wangzong", "name": "王总", "mobile": "13800000003", "job_number": "A003", "title": "总经理", "dept_ids": []}
//	  ]
//	}
//
// Ids may be written as numbers in JSON. Mobiles are 11 digits for mainland China (spaces and
// a +86 prefix are removed) or +CC-NUMBER elsewhere. An empty email, job number or title
// leaves DingTalk's value as it is (DingTalk's update has no documented way to clear them);
// so does an empty order.
//
// The file is checked whole before anything is sent: duplicate ids, userids, mobiles and
// emails; unknown parents and departments; cycles of parents; names DingTalk refuses (1 to 64
// characters, no "-", "," or "，"; two departments of one name in one parent); malformed
// mobiles, userids (1 to 64 of A-Z a-z 0-9 _ . @ -) and emails; DingTalk's length limits.
// Every problem is reported with its line (for JSON, the line of the object's "{"), and
// nothing is sent if there is any.
//
// # The command
//
//	kaoqin org push --file FILE [--dry-run] [--delete-missing] [--allow-recreate] [--journal JOURNAL]
//
// It reads DingTalk's org chart (free contacts calls: the tree walk, each department's
// details and each department's people run side by side, each API path under the client's
// limit of calls a second), matches it with the file and prints the plan; --dry-run stops
// there. Departments are matched by the HR id that kaoqin stores in DingTalk's
// source_identifier when it creates or adopts a department, then by their path of names.
// People are matched by userid, then by mobile and name together: a number alone is not
// enough, because carriers give numbers of closed lines to new subscribers. A person matched
// by mobile keeps DingTalk's userid (a userid cannot change); the plan says so, and the file
// should then carry that userid.
//
// The plan runs in this order, each step numbered:
//
//  1. departments created (parents first), moved, renamed and re-ordered; moves are ordered so
//     that no department ever goes under its own sub-department (DingTalk refuses a cycle,
//     60010), which always works without a temporary move; when two departments of one
//     parent trade names, or a name is held by a department removed at the end, the holder is
//     renamed temporarily ("销售部（kaoqin 123）"), and the plan says so;
//  2. people removed (with --delete-missing), and people deleted to be created again;
//  3. people moved and updated;
//  4. people created, and created again;
//  5. departments removed (with --delete-missing), deepest first, each after the steps that
//     empty it.
//
// People leave before others arrive so that a mobile or an email is free before someone takes
// it; a person who takes over another's email is updated after them.
//
// Without --delete-missing, the people and departments DingTalk has and the file does not are
// kept and listed, a department with the people in it who would go too. With it they are
// removed, except DingTalk's administrators and the boss, who are never removed (nor the
// departments that hold them, nor the root department).
//
// DingTalk cannot change a mobile number. A person whose number changed is deleted and
// created again only with --allow-recreate, since they lose their DingTalk history
// (attendance, approvals, chats); without it the plan says "not applied: mobile changed from
// 138****0001 to 139****0002 (needs --allow-recreate, loses DingTalk history)" and applies
// their other changes.
//
// Each step is applied under the client's limiter and retries, and written to the journal
// (JSON lines; FILE.journal.jsonl next to the input unless --journal names another) when it
// starts and when it ends. Progress is one line per step; the summary counts what changed and
// lists every failure with DingTalk's errcode and message. A step that needs one that failed
// is skipped.
//
// A push that is interrupted (Ctrl-C, a crash, a kill) is resumed by running the same command:
// the plan is the difference from what DingTalk has now, so only what is left is planned. A
// create whose answer was lost is found again by its HR id or userid, never made twice; a
// delete and create interrupted in between resumes at the create. The resumed push tells what
// the interrupted ones did, from the journal.
//
// Exit status: 0 when every step succeeded, including when changes were left out for want of
// --allow-recreate or --delete-missing (they are listed in the plan and the summary); 1 when a
// step failed or was skipped, when a change cannot be applied whatever the options (a number
// held by an administrator, say), or when the file has problems; 2 for a bad command line.
// Mobile numbers are masked in everything printed and journaled.
//
// It does not: manage department managers, visibility, groups or the order of people within
// a department; clear an email, job number or title; change a userid; remove DingTalk's
// administrators; follow the file's departments that are outside the app's contacts scope
// (DingTalk does not show them, so they would be created again: give the app the whole org).
//
// # Use from Go
//
//	f, err := orgpush.Load("org.csv")             // *InvalidFileError lists the problems
//	org, err := orgpush.Read(ctx, client)          // DingTalk's org now
//	plan, err := orgpush.NewPlan(f, org, orgpush.Options{DeleteMissing: true})
//	plan.Write(os.Stdout)
//	j, err := orgpush.OpenJournal("org.csv.journal.jsonl")
//	res, err := (&orgpush.Runner{Client: client, Journal: j, Progress: os.Stdout}).Apply(ctx, plan)
//	orgpush.WriteSummary(os.Stdout, plan, res, nil)
package orgpush
