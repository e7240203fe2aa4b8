package report

import (
	"fmt"
	"io"
	"iter"

	"github.com/kaoqin/kaoqin"
)

// punchColumns are those of spec/punches.md's JSON, in its order, with the extra fields last.
var punchColumns = []column{
	{key: "id", zh: "打卡记录ID", en: "Punch ID", kind: kInt, noTable: true},
	{key: "userid", zh: "UserId", en: "UserID"},
	{key: "name", zh: "姓名", en: "Name"},
	{key: "work_date", zh: "考勤日期", en: "Work date", kind: kDate},
	{key: "check_type", zh: "打卡类型", en: "Check type"},
	{key: "user_check_time", zh: "打卡时间", en: "Punch time", kind: kTime},
	{key: "base_check_time", zh: "应打卡时间", en: "Scheduled time", kind: kTime},
	{key: "time_result", zh: "时间结果", en: "Time result"},
	{key: "location_result", zh: "位置结果", en: "Location result"},
	{key: "source_type", zh: "来源", en: "Source type", noTable: true},
	{key: "location_method", zh: "定位方式", en: "Location method", noTable: true},
	{key: "method", zh: "打卡方式", en: "Method"},
	{key: "valid", zh: "有效", en: "Valid"},
	{key: "invalid_record_type", zh: "无效类型", en: "Invalid type", noTable: true},
	{key: "invalid_record_msg", zh: "无效原因", en: "Why invalid"},
	{key: "address", zh: "地址", en: "Address"},
	{key: "latitude", zh: "纬度", en: "Latitude", kind: kCoord, noTable: true},
	{key: "longitude", zh: "经度", en: "Longitude", kind: kCoord, noTable: true},
	{key: "accuracy", zh: "定位精度(米)", en: "Accuracy (m)", kind: kFloat, noTable: true},
	{key: "device_id", zh: "设备ID", en: "Device ID", noTable: true},
	{key: "device_sn", zh: "考勤机序列号", en: "Device SN", noTable: true},
	{key: "ssid", zh: "Wi-Fi名称", en: "Wi-Fi SSID", noTable: true},
	{key: "mac", zh: "Wi-Fi MAC", en: "Wi-Fi MAC", noTable: true},
	{key: "outside_remark", zh: "外勤备注", en: "Outside remark"},
	{key: "plan_id", zh: "排班ID", en: "Plan ID", kind: kInt, noTable: true},
	{key: "group_id", zh: "考勤组ID", en: "Group ID", kind: kInt, noTable: true},
	{key: "approve_id", zh: "审批单ID", en: "Approval ID", kind: kInt, noTable: true},
	{key: "proc_inst_id", zh: "审批实例ID", en: "Approval instance", noTable: true},
	{key: "base_address", zh: "打卡范围地址", en: "Base address", noTable: true},
	{key: "distance_m", zh: "距打卡范围(米)", en: "Distance from base (m)", kind: kInt},
}

// punchValues are a row's cells, enumerations in lang.
func punchValues(r *PunchRow, lang Lang) []any {
	s := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	said := func(labels map[string]label, p *string) any {
		if p == nil {
			return nil
		}
		return lang.say(labels, *p)
	}
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	n := func(p *int64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var dist any
	if r.Distance != nil {
		dist = int64(*r.Distance)
	}
	return []any{r.ID, r.UserID, r.Name, dateValue(r.WorkDate), said(checkTypeLabels, r.CheckType),
		timeValue(r.UserCheckTime), timeValue(r.BaseCheckTime), said(timeResultLabels, r.TimeResult),
		said(locationResultLabels, r.LocationResult), s(r.SourceType), s(r.LocationMethod), said(methodLabels, r.Method),
		lang.yesNo(r.Valid), s(r.InvalidRecordType), s(r.InvalidRecordMsg), s(r.Address), f(r.Latitude), f(r.Longitude),
		f(r.Accuracy), s(r.DeviceID), s(r.DeviceSN), s(r.SSID), s(r.MAC), s(r.OutsideRemark), n(r.PlanID), n(r.GroupID),
		n(r.ApproveID), s(r.ProcInstID), s(r.BaseAddress), dist}
}

func (p *Punches) sheets() []sheet {
	return []sheet{{key: "punches", zh: "打卡记录", en: "Punches", cols: punchColumns, rows: p.rows}}
}

func (p *Punches) rows(lang Lang) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		stop := fmt.Errorf("stop")
		err := p.Walk(func(x kaoqin.Punch) error {
			r := p.row(x)
			if !yield(punchValues(&r, lang), nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield(nil, err)
		}
	}
}

func (p *Punches) writeTable(w io.Writer, lang Lang) error {
	if _, err := fmt.Fprintf(w, "%s %s..%s (%s)\n\n", lang.pick("打卡记录", "Punches"), p.From, p.To, p.Timezone); err != nil {
		return err
	}
	return writeSheetTable(w, p.sheets()[0], lang)
}
