// Package reconcile compares kaoqin's period report with DingTalk's own (智能报表) for some
// people over some closed days, and explains every difference.
//
// Payroll is paid on these numbers: when kaoqin says 3 late days and DingTalk's monthly report
// says 4, HR must see why. A reconciliation reads DingTalk's report one person at a time
// (getcolumnval for the columns that match kaoqin's period fields, getleavetimebynames for
// leave), day by day, and compares each day with kaoqin's counts of that day. Where they
// differ it asks DingTalk for the day's check results and leave as they are now
// (attendance/list, getleavestatus) and compares them with what kaoqin stored, which tells the
// likely cause:
//
//   - approval_after_pull: a leave approved (or revoked) after kaoqin pulled the day;
//   - edited_after_pull: a result changed after kaoqin pulled the day, by an administrator
//     (sourceType BOSS), an approval (APPROVE), or DingTalk itself;
//   - left: the person has left, and DingTalk's report serves nothing for people who left;
//   - rule: DingTalk's results are what kaoqin holds, yet its report counts otherwise: a rule
//     DingTalk applies and kaoqin does not (such as a 旷工迟到 counted as a day of 旷工);
//   - unverified: the month's budget did not allow the check.
//
// Every call is metered and one person a call, so a reconciliation is priced first (Plan)
// and refused when it would take the month past its budget, leaving the nightly syncs their
// reserve: --sample N compares N people chosen evenly across the scope. Each run is recorded
// in the store with what it found.
//
// Data flows one way: DingTalk's report comes through package syncer (ReportReader, which
// keeps the budget and the ledger), kaoqin's numbers from package report (LoadEmployeeDays);
// this package only compares and explains.
package reconcile
