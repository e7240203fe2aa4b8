// Package orgpush makes DingTalk's org chart follow a company's HR system, in an order
// DingTalk's rules accept, resumable after any interruption. It is kaoqin org push; this text
// is also the command's section of the README.
//
// # The file
//
// One file holds departments and people: CSV, an .xlsx workbook (its first sheet, the same
// columns; what HR systems export) or JSON, told apart by the extension, else by the first
// bytes. CSV may be UTF-8 or GB18030 (GBK), which is what Excel on Chinese Windows saves as
// "CSV": a file that is not UTF-8 but is GB18030 is read as such, and the plan says so in one
// line. An empty parent puts a department under DingTalk's root (id 1); a person without
// departments goes in the root.
//
// CSV and sheet: one header row; the kind column says what a row is (department/dept/部门 or
// person/user/人员/员工); columns in any order, unused ones may be left out; several dept_ids
// separated by ";".
//
//	kind,id,name,parent_id,order,hide_dept,userid,mobile,email,job_number,title,dept_ids,telephone,work_place,hired_date,manager,extattr,dept_order
//	department,D1,研发中心,,10,,,,,,,,,,,,,
//	department,D11,平台组,D1,,,,,,,,,,,,,,
//	department,D2,销售部,,20,是,,,,,,,,,,,,
//	person,,张三,,,,zhangsan,13800000001,zhangsan@example.com,A001,工程师,D11,010-86123456-2345,未来park A座,2021-03-08,wangzong,工位=A-301;岗位级别=P6,10
//	person,,李四,,,,lisi,13800000002,,A002,,D11;D2,,,2022/7/1,zhangsan,,D2=5
//	person,,王总,,,,wangzong,13800000003,,A003,总经理,,,,,,,
//
// JSON, the same content (ids may also be numbers):
//
//	{
//	  "departments": [
//	    {"id": "D1", "name": "研发中心", "order": 10},
//	    {"id": "D11", "name": "平台组", "parent_id": "D1"},
//	    {"id": "D2", "name": "销售部", "order": 20, "hide_dept": true}
//	  ],
//	  "people": [
//	    {"userid": "zhangsan", "name": "张三", "mobile": "13800000001", "email": "zhangsan@example.com",
//	     "job_number": "A001", "title": "工程师", "dept_ids": ["D11"], "telephone": "010-86123456-2345",
//	     "work_place": "未来park A座", "hired_date": "2021-03-08", "manager": "wangzong",
//	     "extattr": {"工位": "A-301", "岗位级别": "P6"}, "dept_order": 10},
//	    {"userid": "lisi", "name": "李四", "mobile": "13800000002", "job_number": "A002", "dept_ids": ["D11", "D2"],
//	     "hired_date": "2022-07-01", "manager": "zhangsan", "dept_order": {"D2": 5}},
//	    {"userid": "wangzong", "name": "王总", "mobile": "13800000003", "job_number": "A003", "title": "总经理", "dept_ids": []}
//	  ]
//	}
//
// The columns (JSON keys) of a department: id (the HR system's, kept in DingTalk's
// source_identifier), name, parent_id, order (smaller first), create_dept_group (DingTalk
// creates the department's group chat), hide_dept (hidden in the contacts; also deptHiding),
// outer_dept (its members see only part of the contacts; also outerDept). Of a person:
// userid, name, mobile, email, job_number, title, dept_ids, telephone (office telephone,
// unique in the org; also tel), work_place, remark, org_email (the organisation's mailbox,
// which DingTalk sets only where it is open), hide_mobile (the mobile hidden on the profile;
// also isHide), senior_mode (高管模式; also isSenior), extattr (custom attributes; also
// extension), hired_date, manager (the userid of their 直属主管, in the file or in DingTalk),
// dept_order (their order in their departments, larger first as DingTalk lists people; also
// orderInDepts). Yes-or-no cells take true/false, 是/否, yes/no, 1/0. Custom attributes are
// key=value;key=value in a cell (an object in JSON); a key with nothing after "=" (null in
// JSON) removes that attribute, and the attributes the file does not name stay as they are;
// each must first be added in DingTalk's admin console (内部通讯录设置 > 成员字段管理). Dates:
// 2021-03-08, 2021/3/8, 2021年3月8日 or a date cell of a sheet, a day in KAOQIN_TIMEZONE.
// dept_order is one number for all the person's departments or DEPT_ID=N;DEPT_ID=N for some.
//
// Mobiles: 11 digits in mainland China (spaces and +86 are removed), +CC-NUMBER elsewhere. An
// empty cell leaves DingTalk's value as it is; --clear FIELD (one of email, job_number, title,
// telephone, work_place, remark, org_email, extattr, manager) makes an empty cell of that
// column clear it instead, and the plan says so; a yes-or-no field is turned off with false.
// The whole file is checked before anything is sent: duplicate ids, userids, mobiles, emails,
// telephones; unknown parents and departments; cycles of departments and loops of managers;
// names DingTalk refuses (1-64 characters, no "-", "," or "，", unique within a parent);
// malformed mobiles, userids, emails, telephones, dates, orders, yes-or-no cells and custom
// attributes; DingTalk's length limits (name 80, job number 50, title 200, email 50,
// telephone 50, org email 100, work place 100, remark 2,000, custom attributes 2,000 as
// DingTalk stores them). Then, against DingTalk: every manager must be in the file or in
// DingTalk (and not removed by --delete-missing), and no loop of managers may form with
// DingTalk's. Every problem is reported with its line (for JSON, the line of the object's
// "{"; for a sheet, its row), and nothing is sent if there is one.
//
// # The command
//
//	kaoqin org push --file FILE [--dry-run] [--delete-missing] [--allow-recreate] [--clear FIELD,...] [--journal J]
//
// It reads DingTalk's org (free contacts calls; tree walk, department details and people
// lists run side by side, each API path under the client's QPS limit; then v2/user/get for
// the people whose manager or senior mode the file sets (everyone's with --clear manager),
// and up their chains of managers, as only that call tells them: about N/20 seconds for N such people at DingTalk's
// 20 calls a second), matches it with the file, and prints the plan, grouped by kind with
// counts, each changed field old → new (mobiles, telephones and emails masked, a remark by
// its length); --dry-run stops there. Departments match by the HR id kaoqin keeps in
// DingTalk's source_identifier, then by path of names. People match by userid, then by
// mobile and name together (a number alone is not enough: carriers give old numbers to new
// subscribers); one matched by mobile keeps DingTalk's userid, which cannot change, and the
// plan says so.
//
// Steps run in this order: departments created (parents first), moved, renamed and updated;
// people removed; people moved and updated; people created; managers set; departments
// removed, deepest first. Moves are ordered so that no department ever goes under its own
// sub-department (DingTalk refuses, 60010): this always works without a temporary move. When
// two departments of one parent trade names, or a name is held by a department removed at
// the end, the holder is renamed temporarily ("销售部（kaoqin 123）") and the plan says so.
// People leave before others arrive, so a mobile, email or telephone is free before someone
// takes it. A new person whose manager exists already gets the manager in their create;
// every other manager is set once the people it names exist, top of the chart first, so that
// no step waits for someone not yet created or closes a loop of managers. A department's
// group chat is created for create_dept_group true but never dissolved (false on a
// department that has one is noted, not applied).
//
// Without --delete-missing, what DingTalk has and the file does not is kept and listed (a
// department with the people who would go with it). With it, it is removed, except DingTalk's
// administrators and the boss (and their departments) and the root. A person whose mobile
// changed is deleted and created again only with --allow-recreate, as they lose their
// DingTalk history (they keep the values of the fields the file leaves empty); otherwise the
// plan says "mobile changed from 138****0001 to 139****0002 (needs --allow-recreate, loses
// DingTalk history)" and applies their other changes.
//
// Each step goes through the client's limiter and retries and is journaled (JSON lines;
// FILE.journal.jsonl next to the input, or --journal) when it starts and ends. Progress is a
// line per step; the summary counts what changed and lists each failure with DingTalk's
// errcode and message; a step needing a failed one is skipped. A step that clears a field
// reads the person back and fails if DingTalk kept it (its update is documented to clear
// only the manager). Mobiles, telephones and emails are masked in all output and in the
// journal.
//
// Interrupted (Ctrl-C, crash, kill)? Run the same command: the plan is the difference from
// DingTalk now, a create whose answer was lost is found by its HR id or userid instead of
// made twice, a delete-and-create cut in between resumes at the create, managers not set yet
// are set, and the output tells what the interrupted pushes did.
//
// Exit status 0 when every step succeeded, also when changes wait for --allow-recreate or
// --delete-missing (listed in plan and summary); 1 when a step failed or was skipped, a change
// cannot be applied whatever the options, or the file has problems; 2 for a bad command line.
//
// It does not manage department managers (dept_manager_userid_list), who may see a hidden
// department, people's titles per department, or auto_add_user; dissolve group chats; change
// userids; remove administrators; or see departments outside the app's contacts scope (they
// would be created again: give the app the whole org).
//
// # Use from Go
//
//	f, err := orgpush.Load("org.csv")                      // *InvalidFileError lists the problems
//	org, err := orgpush.ReadFor(ctx, client, f, opts)       // DingTalk's org now, as the plan needs it
//	plan, err := orgpush.NewPlan(f, org, opts)              // opts: orgpush.Options{DeleteMissing: true}
//	plan.Write(os.Stdout)
//	j, err := orgpush.OpenJournal("org.csv.journal.jsonl")
//	res, err := (&orgpush.Runner{Client: client, Journal: j, Progress: os.Stdout}).Apply(ctx, plan)
//	orgpush.WriteSummary(os.Stdout, plan, res, nil)
package orgpush
