// Package dingtalksim is a simulated DingTalk (钉钉): an http.Handler that serves the legacy
// Open API paths of oapi.dingtalk.com with DingTalk's envelopes, limits and errcodes, backed
// by a generated company whose days unfold on a company clock. Every test of kaoqin and
// `kaoqin demo` run against it, so it is as strict as the real service: code that passes
// against it should pass against DingTalk. It imports only the standard library and writes
// its own JSON; it shares no types with the client in package dingtalk.
//
// # Use
//
//	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: 500, Now: someInstant})
//	srv := httptest.NewServer(sim) // point the client's base URL here
//	sim.SetNow(t); sim.Advance(time.Hour)          // the company clock
//	sim.FailNext("/attendance/list", dingtalksim.Fault{Kind: dingtalksim.FaultBusy}, 2)
//	sim.Truth().Results(userIDs, "2026-11-01", "2026-11-30") // what the API answers
//	sim.Counters()["/attendance/list"].Metered
//
// The app is Config.AppKey/AppSecret (DefaultAppKey/DefaultAppSecret); its agent_id is
// Config.AgentID. One custom robot exists: DefaultRobotToken signed with DefaultRobotSecret.
//
// # Paths
//
// GET /gettoken; contacts topapi/v2/department/{listsub,listsubid,get,create,update,delete},
// topapi/user/listsimple, topapi/v2/user/list, topapi/user/listid,
// topapi/v2/user/{get,getbymobile,create,update,delete}; attendance /attendance/list,
// /attendance/listRecord, topapi/attendance/{listschedule,schedule/listbyusers,
// getsimplegroups,getusergroup,getleaveapproveduration,getleavestatus,getupdatedata}; the smart
// report topapi/attendance/{isopensmartreport,getattcolumns,getcolumnval,getleavetimebynames,
// vacation/type/list}; work
// notifications topapi/message/corpconversation/{asyncsend_v2,getsendresult}; the custom
// robot /robot/send. Anything else answers {"errcode":22,"errmsg":"Invalid method[submsg=不合法ApiName]"}.
// The workflow API's topapi/processinstance/get answers for the leave approvals the
// simulator announced (see Events); it is not metered (UNVERIFIED).
//
// The new API host's POST /v1.0/gateway/connections/open and the Stream endpoint
// GET /connect are served on the same address (see Events).
//
// With Config.NegativeDept the root's listsub and listsubid also list the home-school
// department -1 (家校通讯录), as some orgs do; asking anything about -1 answers 60003.
//
// # Control
//
// The endpoints under /_sim/ are not DingTalk; they are not counted, metered or faulted:
//
//	GET    /_sim/counters  per-path counters, their total and the month's quota
//	DELETE /_sim/counters  reset the counters
//	GET    /_sim/clock     {"now":"2026-11-18T09:10:00+08:00","speed":60,"today":"2026-11-18"}
//	POST   /_sim/clock     {"now":"<RFC 3339>"} | {"advance":"30m"} | {"speed":60}
//	GET    /_sim/faults    {"kinds":["busy","bad_gateway"],"rate":0.1}
//	POST   /_sim/faults    {"rate":0.1,"kinds":[...]} and/or {"path":"/attendance/list","kind":"busy","n":3,"delay":"2s"}
//	DELETE /_sim/faults    drop queued faults, the rate and any IP ban
//	GET    /_sim/messages  work notifications and robot messages sent so far
//	GET    /_sim/inbox     every person's inbox and every robot message; ?userid=U one
//	                       person's, ?robot=TOKEN one robot's group
//
// # Envelopes
//
// Legacy paths (/gettoken, /attendance/*, /robot/send) answer errcode, errmsg and their data
// at the top level, Content-Type application/json. topapi paths answer
// {"errcode":0,"errmsg":"ok","result":...,"request_id":"..."} with Content-Type
// application/json;charset=UTF-8; asyncsend_v2 and getsendresult keep task_id and
// send_result at the top level. Gateway failures on topapi paths are errcode 88 with
// sub_code and sub_msg and errmsg "ding talk error[subcode=...,submsg=...]": a missing
// token (sub_code 40000 "access_token is blank"), an invalid or expired one (40014), and
// throttling (90018). The same failures on legacy paths are 41001, 40014 and 90018 at the
// top level. The HTTP status is 200 for all of them.
//
// # The gateway, in order
//
//  1. Config.Latency, honouring the request's context.
//  2. IP limit: more than Config.IPLimit (10,000) requests from one IP in a 20-second window of
//     the service clock bans every path for 5 minutes with an HTML page.
//  3. Injected faults (FailNext, SetFaultRate): counted Faulted, never metered.
//  4. Routing (22), method (43001 需要GET请求 / 43002 需要POST请求).
//  5. Token: missing, unknown or expired (see Envelopes). gettoken needs appkey and appsecret
//     in the query (40035 "缺少参数 corpid or appkey"); wrong ones answer 40096. A token lives
//     Config.TokenTTL on the service clock; asking again within its life returns the same
//     token and extends it.
//  6. QPS: Config.QPS calls per app per path in fixed 1-second windows of the service clock.
//     Throttled calls are counted Throttled and not metered.
//  7. Monthly quota: attendance paths and work notifications are metered, including calls
//     that then fail validation. When the company clock's calendar month has used
//     Config.MonthlyQuota calls, metered calls answer 90020 until the month changes.
//     Contacts, tokens and the robot are never metered.
//  8. Body: every POST must be a JSON object; a form body (or anything else) is 43009
//     "post参数需要json类型".
//  9. The API: required fields, limits, write rules, then the answer.
//
// # Parameter errors (codes the reference leaves open are marked UNVERIFIED)
//
// A required field that is missing, null or an empty string is 40035 "缺少参数 <name>", also
// when its value would be 0 (offset, limit, cursor, size). A value of the wrong JSON type (a
// number sent as a string) is 40035 "不合法的参数 <name>" (UNVERIFIED: DingTalk's Java side may
// coerce). Times must be "yyyy-MM-dd HH:mm:ss" where the docs say so; epoch ms where they say
// Number.
//
//   - attendance/list: more than 50 userIdList, limit outside 1-50, negative offset, from after
//     to: 40035 (UNVERIFIED). workDateTo - workDateFrom beyond 6 calendar days: 41041 "时间跨度太大"
//     (the strict reading of "7 days inclusive").
//   - attendance/listRecord: more than 50 userIds: 40035 (UNVERIFIED); checkDateTo -
//     checkDateFrom beyond 7x24 h: 41041.
//   - User lists: size outside 1-100: 40069; negative cursor: 40068; unknown order_field: 40035.
//   - getleavestatus: more than 100 users, more than 180 days, size outside 1-20, negative
//     offset: 400002 "无效的参数" (UNVERIFIED). listschedule size over 200, getsimplegroups size
//     over 10, listbyusers over 50 users or 7 days or outside ±180 days of today: 400002
//     (UNVERIFIED). listbyusers needs an existing op_user_id (60121, UNVERIFIED).
//   - asyncsend_v2: agent_id not the app's: 400002 (UNVERIFIED); more than 100 userid_list or 20
//     dept_id_list: 41029; unknown msgtype: 40008; msg over 2,048 bytes: 400002. Unknown
//     recipients and messages over DingTalk's limits are accepted and reported by getsendresult
//     (invalid_user_id_list, forbidden_user_id_list, forbidden_list); see Work notifications.
//   - getusergroup for an unknown or removed userid: 60121 (UNVERIFIED).
//
// # Write rules (reference 3.1, 3.2)
//
// Departments: name of 1-64 characters (60001), without "-", "," or "，" (60009); the parent
// must exist (60004); a name already used under the same parent is 60021 父部门下该部门名称已存在
// (the global error table's code for it); the root (id 1) cannot be updated (60018) or
// deleted (60007); a move under itself or a descendant is 60010; a department whose subtree
// still has members cannot be deleted (60005), an empty subtree goes with it; an unknown
// department is 60003. source_identifier, order, hide_dept, outer_dept (and
// outer_dept_only_self) and create_dept_group are stored by create and update and returned by
// department get; the permit lists come back only while their flag (hide_dept, outer_dept) is
// set, as the docs say. create_dept_group true gives the department its group chat
// (dept_group_chat_id); false does not dissolve one that exists (UNVERIFIED: the docs say only
// that a value left out changes nothing).
//
// Users: mobile unique (60104) and well-formed (60103), userid unique (60102), mobile not
// changeable by update (41054), unknown user 60121 (33012 for v2/user/get), email unique
// (60106) and well formed (60105), department ids must exist (60003). The other documented
// fields are stored by create and update and returned by v2/user/get and v2/user/list:
// telephone (≤50, unique in the org: 400002 "分机号已存在", errcode UNVERIFIED), job_number
// (≤50), title (≤200), org_email (≤100, an email: 60105; stored as if the org's mailbox were
// open, which the docs make a condition), work_place (≤100), remark (≤2000; these lengths
// count characters and answer 400002), hide_mobile, senior_mode (returned as senior by get
// only), hired_date (ms), extension (a JSON object of strings, sent as a string or an object,
// ≤2000 characters, else 60122 不合法的extattr; ext_attrs_update_mode 1 adds to the attributes
// there, 0 or none replaces them; any attribute name is taken, where DingTalk wants it added
// in the admin console first), manager_userid (returned by get only) and dept_order_list
// (returned as dept_order_list by get and dept_order by list). A manager must be a current
// person other than the person themself and not one of their reports, directly or not:
// 60128 无效的主管id (refusing a cycle is UNVERIFIED, the safe reading). An empty
// manager_userid is ignored unless force_update_fields names it, which clears it. An order
// for a department the person is not in is 40035 (UNVERIFIED), a negative one 40011. An order
// never set is the person's place in the department's listing times 1,000; leaving a
// department drops its order. Deleting a person clears the manager_userid of those who
// reported to them (UNVERIFIED). A deleted user leaves every department and list at once;
// their mobile is free again.
//
// # The company
//
// From (Seed, Employees): a root department (id 1) named after the company, first-level
// divisions with realistic names and nested departments up to four levels below the root,
// all with large DingTalk-like ids; 华东销售部 holds 120 or more people (when the company has
// at least 150) so that user paging matters; about 3% of people are in a second department;
// each department is led by its first member, who is the manager (manager_userid) of its other
// members and reports to the head of the nearest department above. People have Chinese names,
// unique mobiles and job numbers, titles and hired_date. A 100,000-person company has 2,000 departments.
//
// Plans: listbyusers and listschedule list every check of a workday, and one plan on a rest day
// (is_rest Y, shift_id 0 in listbyusers; class_id 0, left out, in listschedule: UNVERIFIED).
//
// Two attendance groups, both FIXED, judged with permit_late 0, serious_late 30 min and
// absenteeism_late 60 min: 标准工时考勤组 (09:00-18:00, lunch 12:00-13:00) for most people, and
// 客服两段班考勤组 (09:00-12:00 and 13:30-18:00, four checks a day) for 客户服务中心. A person's
// group is fixed when they join; transfers do not change it.
//
// Night shifts (Config.NightShift, night.go): 夜班考勤组 (FIXED, 22:00 to 06:00 the next morning,
// break 02:00-03:00, on the calendar's workdays) for the teams (…班, four levels below the root),
// and 两班倒考勤组 (TURN: 白班 08:00-20:00 and 夜班 20:00 to 08:00 the next morning, in a cycle of
// day, night, rest, rest whatever the calendar) for 热线服务部 and its departments. Both checks of
// a shift, its plans and its punches belong to the work date on which it begins (workDate is
// that midnight), as DingTalk files them; getsimplegroups and getusergroup give the next
// morning's times with across 1 (classes_list writes 次日06:00), a TURN group lists both classes
// and a work_day_list of zeros (UNVERIFIED). listRecord selects punches by their time, so the
// next calendar day's window holds the night's check-out. Outcomes, punches and leave are drawn
// as for day shifts: late arrivals, early leavers and missing check-outs at the same rates; a
// whole-day leave runs from 22:00 to 06:00, a half-day leave either side of the break.
//
// The calendar: Saturdays and Sundays rest, except that each month the first Monday on or
// after the 10th is a public holiday (rest) and the Saturday of that week is a make-up workday
// (调休上班). Every month has both.
//
// Outcomes are drawn per (person, workday) from a hash of (seed, userid, date): late 4%
// (1-29 min), serious late 1.5% (31-59 min), absenteeism-late 1% (61-150 min), early 3%,
// missing on-duty 2%, missing off-duty 2%, absent 1.5%, half-day leave 2%, the rest normal;
// whole-day leaves of 1-3 consecutive workdays start on about 1% of workdays. On days with
// punches, 3% have one punch outside the office (locationResult Outside), 5% a second OnDuty
// punch a few minutes after the first (an extra record matched to no check), 1.5% a punch
// DingTalk refused (isLegal N, invalidRecordType Security, or Other for a third of them, with an
// invalidRecordMsg whose wording is UNVERIFIED). Results and records agree: a signed result
// carries the recordId of its record, with the same userCheckTime, timeResult, locationResult,
// checkType, planId and sourceType. isLegal is Y only when timeResult and locationResult are
// both Normal (DingTalk's documented rule), so a Late punch is isLegal N; the refused punches
// are the ones with invalidRecordType.
//
// How people punch: phones on GPS (sourceType USER, locationMethod MAP, 45%) or Wi-Fi (USER,
// WIFI, with SSID and MAC, 20%), the office's attendance machine (ATM, 15%), a DingTalk device
// (DING_ATM, 10%) and a beacon (BEACON, 10%). Phone punches carry the phone's deviceId, machine
// punches the machine's deviceSN and no deviceId; DING_ATM and BEACON punches have an empty
// locationMethod (UNVERIFIED). Evidence not made by the person, drawn apart from the outcome:
// 0.8% of normal days are a business trip or an outing (出差/外出) whose approval makes every
// check (sourceType APPROVE, at the scheduled time, with its approveId and procInstId); of the
// days missing a check, 20% have it filled in by an administrator (BOSS) and a quarter of the
// rest by a make-up punch approval (补卡, APPROVE); 1% of normal days end with an automatic
// punch (AUTO_CHECK). Each of these has a record like any punch. Worth a look: people with
// serial ≡ 7 (mod 53) punch on the phone of the colleague with the next serial on 30% of their
// days (one deviceId, two people); 0.8% of days with phone punches have one about 3 km from the
// office with a 1,200 m accuracy, judged in range; people with serial ≡ 11 (mod 97) punch in
// at 08:58 and some seconds every normal day. 2% of workdays have an approved overtime in the
// evening, which only getupdatedata shows. getupdatedata lists trips, outings and overtime
// with their tag_name and biz_type (2, 2, 1), and make-up approvals with tag_name 补卡 and
// biz_type 0 (UNVERIFIED: DingTalk documents 请假/出差/外出/加班 only); its check_record_list
// carries check_type, location_method and location_result besides the documented fields.
//
// Leave: whole-day leaves are percent_day 100 a day; half-day leaves cover the morning (first
// check to the lunch break) or the afternoon (end of the break to the last check), as
// percent_day 50 or percent_hour (hours x 100). A check covered by a leave is answered
// timeResult NotSigned, sourceType SYSTEM, with the leave's approveId and procInstId
// (UNVERIFIED: DingTalk may mark it otherwise); the other half of a half-day is punched.
//
// A day is a pure function of the seed, the person and the date, drawn when asked: a
// 100,000-person company costs nothing until someone asks, and the same question always gets
// the same answer. Ids are stable and unique: results, records, plans and approvals each have
// their own range, derived from the person's serial and the date.
//
// # Time
//
// Two clocks. The service clock (Config.Clock, real time by default) runs token expiry, QPS
// windows, robot limits and bans. The company clock says what has happened: company now =
// Config.Now + Speed x (service time elapsed); SetNow, Advance and SetSpeed move it. Speed 0
// (the zero Config) stops it, which is what tests want; the command's default is 1.
//
// For days before yesterday every check is final; yesterday's are too once its night shifts
// are over (attendance/list answers what has happened by the company clock). Today,
// attendance/list has a row for every check from midnight on: a check whose punch has not
// happened yet is NotSigned, SYSTEM, userCheckTime = baseCheckTime, no recordId (UNVERIFIED
// whether DingTalk lists checks not yet due; kaoqin treats a NotSigned check whose base time is
// in the future as pending), and turns into the punched result once the company clock passes
// the punch. listRecord has
// only punches that happened. Later days have plans (listbyusers, listschedule) and leaves
// but no results or records. Results and records older than 180 days before today are not
// served (empty answers). Unknown userids give empty answers, not errors.
//
// Org changes are state: API writes and AddUser, RemoveUser, Transfer, AddDepartment change
// the org now, not past attendance. A person added has attendance from the next day (a group
// change takes effect the next day); a person removed keeps their past attendance, served by
// userid, and has none after the day they left. Re-creating a removed userid makes a new
// person whose history replaces the old one.
//
// # DingTalk's own report (smartreport.go)
//
// isopensmartreport says true unless SetSmartReport(false), after which the other report APIs
// answer 400002 (UNVERIFIED). getattcolumns lists 17 columns with ids stable per seed
// (应出勤天数 should_attendance_days, 出勤天数, 休息天数, 工作时长, 迟到次数/时长, 严重迟到次数/时长,
// 旷工迟到天数, 早退次数/时长, 上班缺卡次数, 下班缺卡次数, 旷工天数, 出差时长, 外出时长, 补卡次数
// making_up_lack_times; the other aliases are UNVERIFIED: match columns by name), then one
// column per leave type (年假, 事假, 病假, 调休, 婚假) without an id. getcolumnval answers one
// person's daily values ("1.0") of up to 20 column ids over at most 31 days (to - from <= 31 x
// 24 h); getleavetimebynames the same for up to 20 leave names (names the company lacks are
// left out, UNVERIFIED), not before 225 days ago. Over a limit, an unknown column id or from
// after to: 400002 (UNVERIFIED). A person who has left gets an empty answer (UNVERIFIED: DingTalk
// says only that it serves nothing for them). 应出勤天数 is 0 for days more than 15 days before
// today, as the docs say. vacation/type/list needs op_userid, an administrator (400002 otherwise,
// UNVERIFIED), and lists the five types with their units: 年假 and 婚假 day, 病假 halfDay, 事假 and
// 调休 hour.
//
// The report is computed from the results the endpoints give now, by the rules of
// spec/reports.md, with one rule DingTalk applies and kaoqin does not: a day with a 旷工迟到
// (Absenteeism) check-in is also a day of 旷工 (UNVERIFIED: an attendance-group setting in
// DingTalk). Leave is given in its type's unit: a day type 1.0 a whole day and 0.5 a half day,
// an hour type the hours of work it covers (UNVERIFIED).
//
// Changes after the fact (amend.go): EditResult plants an administrator's edit (from its
// instant on the company clock, the check answers the new timeResult with sourceType BOSS),
// ApproveLeave a whole-day leave approved after the day (getleavestatus lists it, every check
// of the day answers NotSigned with its approveId, the report counts it). Every endpoint and
// Truth answer them once their instant has passed; Truth().Amendments lists them.
//
// # Faults
//
// FaultBusy (errcode -1 系统繁忙), FaultBadGateway (HTTP 502 with an HTML body), FaultSlow (the
// answer after Fault.Delay; it is then served and metered as usual, as DingTalk would have
// processed it), FaultIPBan (an HTML page on every path for Fault.Delay, default 5 min) and
// FaultIPBanJSON ({"status":1111,"wait":5,...}), FaultThrottle (90018, counted Faulted, not
// Throttled). Ban pages come with HTTP 200 (UNVERIFIED), so a client must look at the body.
//
// # Events
//
// Config.Events makes the simulator DingTalk's Stream gateway and HTTP pusher.
// POST /v1.0/gateway/connections/open with {"clientId","clientSecret","subscriptions":
// [{"type":"EVENT","topic":"*"}]} answers {"endpoint":"ws://<host>/connect","ticket":...};
// the ticket opens one WebSocket within 90 s (TicketTTL). Errors follow the new API host:
// HTTP 401 InvalidAuthentication (bad credentials), 400 InvalidParameter or MissingParameter
// (body, subscriptions: the only EVENT topic is "*"), 401 InvalidTicket at /connect for an
// unknown, used or expired ticket (codes UNVERIFIED). The WebSocket is the simulator's own
// RFC 6455 server on the standard library.
//
// On a connection DingTalk sends SYSTEM ping every PingEvery (20 s; two unanswered close the
// connection), SYSTEM disconnect DisconnectAfter after it opened (2 h by default, UNVERIFIED;
// no events after it, the close DisconnectGrace, 10 s, later), and EVENT frames with the
// headers of DingTalk's samples (eventId, eventType, eventBornTime, eventCorpId,
// eventUnifiedAppId, messageId, topic "*") and the data as a JSON string. Each push goes to one
// random connection that subscribed EVENT; an event not acked {"status":"SUCCESS"} within
// AckTimeout (3 s) is pushed again, LATER a second later, and an acked one once more at
// DuplicateRate. With no connection open, events wait. Attendance events count against
// PushQuota (3,000 a month of the company clock), every push including redeliveries and
// duplicates (UNVERIFIED); once spent they are dropped. Contacts events are free.
//
// With EventsConfig.PushURL the events go by HTTP push instead, with DingTalk's crypto: the
// URL check (check_url, a reply within 1.5 s) first, then POST
// PushURL?signature=&timestamp=&nonce= {"encrypt"} with the event's fields at the top level
// beside EventType, EventTime, CorpId, BizId and eventId; only an encrypted, signed "success"
// counts as delivered. RunEvents pushes (and pumps while no connection is open).
//
// The events: every punch as attendance_check_record (at most one push a person a minute,
// later punches of the minute wait and join its dataList; refused punches too, UNVERIFIED;
// groupId and bizId are DingTalk's string ids), every leave as
// attendance_approve_status_change "finish" 30 minutes before it starts (the simulator's
// choice), org writes as user_add_org, user_modify_org, user_leave_org, org_dept_create,
// org_dept_modify and org_dept_remove, and anything EmitEvent makes (attend_bossCheck_change
// and attend_user_daily_summary_refresh come only from there). Control: GET /_sim/events
// (EventStats), POST /_sim/events {"type","data"}, POST /_sim/events/disconnect,
// POST /_sim/events/drop.
//
// # Robot
//
// /robot/send?access_token=&timestamp=&sign= checks sign = base64(HMAC-SHA256(secret,
// timestamp+"\n"+secret)) (see RobotSign) and a timestamp within an hour of the service clock
// (310000 "sign not match..." / "invalid timestamp"); unknown token 300005; at most 20
// messages a minute per robot, then 410100 for 10 minutes (UNVERIFIED: users also report
// 130101). Accepted messages are recorded (RobotMessages, RobotInbox). A message whose msgUuid
// the robot posted before is answered errcode 0 and not posted again (UNVERIFIED: how long
// DingTalk remembers a msgUuid; the simulator remembers it for its life, and the repeat still
// counts toward the 20 a minute). Each posted message counts one push against PushQuota, as the
// billing page says robot messages do (UNVERIFIED: what a robot answers once the month's pushes
// are spent; the simulator still posts).
//
// # Work notifications
//
// asyncsend_v2 delivers to each recipient at once, into their inbox (Inbox, Inboxes,
// GET /_sim/inbox), unless a limit of reference 10.4 drops it: the same content (the msg
// object, byte for byte) reached them earlier that company day (forbidden_list code 143106),
// or they had MaxMessagesPerDay (500) messages from the app that day (143105). UNVERIFIED: the
// order of the two checks (the duplicate is named first) and whether dropped messages count
// toward the 500 (they do not). getsendresult answers at once: delivered people are in
// unread_user_id_list (nobody reads), dropped ones in forbidden_user_id_list and
// forbidden_list. The 5,000 recipients a minute of an app are not enforced.
package dingtalksim
