// Package orgpush makes DingTalk's org chart follow a company's HR system, in an order
// DingTalk's rules accept, resumable after any interruption. It is kaoqin org push; this text
// is also the command's section of the README.
//
// # The file
//
// One file, CSV or JSON (by extension, else by the first character), holds departments (the
// HR system's id, name, parent id, optional order) and people (userid, name, mobile, optional
// email, job number, title, and HR department ids). An empty parent puts a department under
// DingTalk's root (id 1); a person without departments goes in the root.
//
// CSV ("CSV UTF-8" from a spreadsheet): one header row; the kind column says what a row is
// (department/dept/部门 or person/user/人员/员工); columns in any order, unused ones may be left
// out; several dept_ids separated by ";".
//
//	kind,id,name,parent_id,order,userid,mobile,email,job_number,title,dept_ids
//	department,D1,研发中心,,10,,,,,,
//	department,D11,平台组,D1,,,,,,,
//	department,D2,销售部,,20,,,,,,
//	person,,张三,,,zhangsan,13800000001,zhangsan@example.com,A001,工程师,D11
//	person,,李四,,,lisi,13800000002,,A002,,D11;D2
//	person,,王总,,,wangzong,13800000003,,A003,总经理,
//
// JSON, the same content (ids may also be numbers):
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
// Mobiles: 11 digits in mainland China (spaces and +86 are removed), +CC-NUMBER elsewhere. An
// empty email, job number, title or order leaves DingTalk's value as it is (DingTalk's update
// has no documented way to clear them). The whole file is checked before anything is sent:
// duplicate ids, userids, mobiles, emails; unknown parents and departments; cycles; names
// DingTalk refuses (1-64 characters, no "-", "," or "，", unique within a parent); malformed
// mobiles, userids, emails; length limits. Every problem is reported with its line (for
// JSON, the line of the object's "{"), and nothing is sent if there is one.
//
// # The command
//
//	kaoqin org push --file FILE [--dry-run] [--delete-missing] [--allow-recreate] [--journal J]
//
// It reads DingTalk's org (free contacts calls; tree walk, department details and people
// lists run side by side, each API path under the client's QPS limit), matches it with the
// file, and prints the plan, grouped by kind with counts; --dry-run stops there. Departments
// match by the HR id kaoqin keeps in DingTalk's source_identifier, then by path of names.
// People match by userid, then by mobile and name together (a number alone is not enough:
// carriers give old numbers to new subscribers); one matched by mobile keeps DingTalk's
// userid, which cannot change, and the plan says so.
//
// Steps run in this order: departments created (parents first), moved and renamed; people
// removed; people moved and updated; people created; departments removed, deepest first.
// Moves are ordered so that no department ever goes under its own sub-department (DingTalk
// refuses, 60010): this always works without a temporary move. When two departments of one
// parent trade names, or a name is held by a department removed at the end, the holder is
// renamed temporarily ("销售部（kaoqin 123）") and the plan says so. People leave before others
// arrive, so a mobile or email is free before someone takes it.
//
// Without --delete-missing, what DingTalk has and the file does not is kept and listed (a
// department with the people who would go with it). With it, it is removed, except DingTalk's
// administrators and the boss (and their departments) and the root. A person whose mobile
// changed is deleted and created again only with --allow-recreate, as they lose their
// DingTalk history; otherwise the plan says "mobile changed from 138****0001 to 139****0002
// (needs --allow-recreate, loses DingTalk history)" and applies their other changes.
//
// Each step goes through the client's limiter and retries and is journaled (JSON lines;
// FILE.journal.jsonl next to the input, or --journal) when it starts and ends. Progress is a
// line per step; the summary counts what changed and lists each failure with DingTalk's
// errcode and message; a step needing a failed one is skipped. Mobiles are masked in all
// output and in the journal.
//
// Interrupted (Ctrl-C, crash, kill)? Run the same command: the plan is the difference from
// DingTalk now, a create whose answer was lost is found by its HR id or userid instead of
// made twice, a delete-and-create cut in between resumes at the create, and the output tells
// what the interrupted pushes did.
//
// Exit status 0 when every step succeeded, also when changes wait for --allow-recreate or
// --delete-missing (listed in plan and summary); 1 when a step failed or was skipped, a change
// cannot be applied whatever the options, or the file has problems; 2 for a bad command line.
//
// It does not manage department managers, visibility, groups or people's order in a
// department; clear fields; change userids; remove administrators; or see departments outside
// the app's contacts scope (they would be created again: give the app the whole org).
//
// # Use from Go
//
//	f, err := orgpush.Load("org.csv")    // *InvalidFileError lists the problems
//	org, err := orgpush.Read(ctx, client) // DingTalk's org now
//	plan, err := orgpush.NewPlan(f, org, orgpush.Options{DeleteMissing: true})
//	plan.Write(os.Stdout)
//	j, err := orgpush.OpenJournal("org.csv.journal.jsonl")
//	res, err := (&orgpush.Runner{Client: client, Journal: j, Progress: os.Stdout}).Apply(ctx, plan)
//	orgpush.WriteSummary(os.Stdout, plan, res, nil)
package orgpush
