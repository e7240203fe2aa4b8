package dingtalksim

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Result is one row of attendance/list (打卡结果): one scheduled check of one person.
type Result struct {
	ID             int64  `json:"id"`
	RecordID       int64  `json:"recordId,omitempty"` // the punch record behind a signed result
	UserID         string `json:"userId"`
	CorpID         string `json:"corpId"`
	GroupID        int64  `json:"groupId"`
	PlanID         int64  `json:"planId"`
	WorkDate       int64  `json:"workDate"` // midnight of the work day, unix ms
	CheckType      string `json:"checkType"`
	TimeResult     string `json:"timeResult"`
	LocationResult string `json:"locationResult"`
	BaseCheckTime  int64  `json:"baseCheckTime"`
	UserCheckTime  int64  `json:"userCheckTime"` // equals BaseCheckTime when NotSigned
	SourceType     string `json:"sourceType"`
	ApproveID      int64  `json:"approveId,omitempty"`
	ProcInstID     string `json:"procInstId,omitempty"`
}

// Record is one punch of attendance/listRecord (打卡记录).
type Record struct {
	ID                int64   `json:"id"`
	UserID            string  `json:"userId"`
	CorpID            string  `json:"corpId"`
	GroupID           int64   `json:"groupId"`
	PlanID            int64   `json:"planId"`
	ClassID           int64   `json:"classId"`
	WorkDate          int64   `json:"workDate"`
	CheckType         string  `json:"checkType"`
	TimeResult        string  `json:"timeResult"`
	LocationResult    string  `json:"locationResult"`
	SourceType        string  `json:"sourceType"`
	BaseCheckTime     int64   `json:"baseCheckTime"`
	PlanCheckTime     int64   `json:"planCheckTime"`
	UserCheckTime     int64   `json:"userCheckTime"`
	IsLegal           string  `json:"isLegal"` // "Y" only when timeResult and locationResult are Normal (DingTalk's rule)
	InvalidRecordType string  `json:"invalidRecordType,omitempty"`
	InvalidRecordMsg  string  `json:"invalidRecordMsg,omitempty"`
	LocationMethod    string  `json:"locationMethod"`
	UserAddress       string  `json:"userAddress"`
	UserLatitude      float64 `json:"userLatitude"`
	UserLongitude     float64 `json:"userLongitude"`
	UserAccuracy      float64 `json:"userAccuracy"`
	UserSsid          string  `json:"userSsid,omitempty"`
	UserMacAddr       string  `json:"userMacAddr,omitempty"`
	DeviceID          string  `json:"deviceId,omitempty"`
	DeviceSN          string  `json:"deviceSN,omitempty"`
	BaseAddress       string  `json:"baseAddress"`
	BaseLatitude      float64 `json:"baseLatitude"`
	BaseLongitude     float64 `json:"baseLongitude"`
	BaseAccuracy      float64 `json:"baseAccuracy"`
	BaseSsid          string  `json:"baseSsid,omitempty"`
	BaseMacAddr       string  `json:"baseMacAddr,omitempty"`
	OutsideRemark     string  `json:"outsideRemark,omitempty"`
	ApproveID         int64   `json:"approveId,omitempty"`
	ProcInstID        string  `json:"procInstId,omitempty"`
	GmtCreate         int64   `json:"gmtCreate"`
	GmtModified       int64   `json:"gmtModified"`
}

// results is the day's attendance/list rows as seen at company time now (unix ms): every
// scheduled check from the start of the day, NotSigned until its punch has happened.
func (co *company) results(dp *dayPlan, now int64) []Result {
	if len(dp.checks) == 0 || now < dp.start {
		return nil
	}
	g := dp.p.group
	out := make([]Result, 0, len(dp.checks))
	for _, c := range dp.checks {
		r := Result{
			ID: resultID(dp.p.seq, dp.date, c.slot), UserID: dp.p.userid, CorpID: co.corpID,
			GroupID: g.id, PlanID: c.planID, WorkDate: dp.start, CheckType: c.checkType,
			TimeResult: "NotSigned", LocationResult: "NotSigned", BaseCheckTime: c.base,
			UserCheckTime: c.base, SourceType: "SYSTEM",
		}
		if c.leave != nil {
			r.ApproveID, r.ProcInstID = c.leave.ApproveID, c.leave.ProcInstID
		} else if c.punch >= 0 && dp.punches[c.punch].at <= now {
			pu := dp.punches[c.punch]
			r.RecordID, r.TimeResult, r.LocationResult = pu.id, pu.timeResult, pu.locationResult
			r.UserCheckTime, r.SourceType = pu.at, pu.sourceType
			if pu.approval != nil {
				r.ApproveID, r.ProcInstID = pu.approval.id, pu.approval.procInstID
			}
		}
		out = append(out, r)
	}
	return out
}

// records is the day's punch records that have happened by company time now.
func (co *company) records(dp *dayPlan, now int64) []Record {
	var out []Record
	g := dp.p.group
	phone := co.phoneID(dp.p.seq)
	if dp.shared {
		phone = co.phoneID(dp.p.seq + 1)
	}
	for _, pu := range dp.punches {
		if pu.at > now {
			break
		}
		c := dp.checks[pu.check]
		created := pu.at + int64(hash(co.seed, saltDevice, uint64(pu.id))%3000)
		rec := Record{
			ID: pu.id, UserID: dp.p.userid, CorpID: co.corpID, GroupID: g.id, PlanID: c.planID,
			ClassID: dp.cls.classID, WorkDate: dp.start, CheckType: c.checkType, TimeResult: pu.timeResult,
			LocationResult: pu.locationResult, SourceType: pu.sourceType, BaseCheckTime: c.base,
			PlanCheckTime: c.base, UserCheckTime: pu.at, IsLegal: "N", LocationMethod: pu.locationMethod,
			BaseAddress: officeAddress, BaseLatitude: officeLat,
			BaseLongitude: officeLng, BaseAccuracy: 100, GmtCreate: created, GmtModified: created,
		}
		if pu.timeResult == "Normal" && pu.locationResult == "Normal" && !pu.invalid {
			rec.IsLegal = "Y"
		}
		if pu.approval != nil {
			rec.ApproveID, rec.ProcInstID = pu.approval.id, pu.approval.procInstID
		}
		jitter := float64(int64(hash(co.seed, saltDevice, uint64(pu.id), 2)%2000)-1000) / 1e6
		switch pu.sourceType {
		case "USER":
			rec.DeviceID = phone
			rec.UserAddress, rec.UserLatitude, rec.UserLongitude, rec.UserAccuracy = officeAddress, officeLat+jitter, officeLng-jitter, 30
		case "ATM", "DING_ATM":
			rec.DeviceSN = co.machineSN(pu.sourceType)
		case "BEACON":
			rec.UserAddress = officeAddress
		case "BOSS":
			rec.GmtModified = created + 6*3600_000 // edited later in the day
		}
		switch {
		case pu.spot >= 0:
			sp := outsideSpots[pu.spot]
			rec.UserAddress, rec.UserLatitude, rec.UserLongitude, rec.UserAccuracy = sp.addr, sp.lat+jitter, sp.lng+jitter, 65
			rec.OutsideRemark = sp.remark
		case pu.far:
			// About 3 km north-east with a weak fix: in range by its accuracy, far by its place.
			rec.UserAddress, rec.UserLatitude, rec.UserLongitude, rec.UserAccuracy = farAddress, officeLat+0.021+jitter, officeLng+0.019, 1200
		case pu.locationMethod == "WIFI":
			rec.UserSsid, rec.UserMacAddr, rec.BaseSsid, rec.BaseMacAddr = officeSSID, officeMAC, officeSSID, officeMAC
		}
		if pu.invalid {
			rec.InvalidRecordType, rec.InvalidRecordMsg = pu.invalidType, invalidMessages[pu.invalidType]
		}
		out = append(out, rec)
	}
	return out
}

// invalidMessages are the reasons DingTalk gives for the punches it refuses (UNVERIFIED wording).
var invalidMessages = map[string]string{
	"Security": "检测到虚拟定位软件，打卡无效",
	"Other":    "设备异常，本次打卡无效",
}

// phoneID is the DingTalk device id of the phone of the person with serial seq.
func (co *company) phoneID(seq int64) string {
	return hex16(hash(co.seed, saltDevice, uint64(seq))) + hex16(hash(co.seed, saltDevice, uint64(seq), 1))
}

// machineSN is the serial number of the office's attendance machine (ATM) or DingTalk device.
func (co *company) machineSN(sourceType string) string {
	if sourceType == "DING_ATM" {
		return "DT" + hex16(hash(co.seed, saltDevice, 2))[:10]
	}
	return "AX" + hex16(hash(co.seed, saltDevice, 1))[:10]
}

// servable reports whether DingTalk still serves attendance of day d: not older than 180
// days before today.
func servable(d, today civil) bool { return d >= today-180 }

// people copies the persons behind userids (current or removed), in order; unknown ids are
// skipped, as DingTalk answers nothing for them.
func (s *Server) people(userids []string) []person {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]person, 0, len(userids))
	for _, id := range userids {
		if u := s.org.users[id]; u != nil {
			out = append(out, u.person())
		}
	}
	return out
}

// attendanceList is POST /attendance/list: check results of up to 50 people over a span of
// at most 7 calendar days (workDateTo - workDateFrom <= 6 days), 50 rows a page.
func (s *Server) attendanceList(c *call) (any, *apiError) {
	p := c.p
	from, _ := p.timeStr("workDateFrom", true, s.cfg.Location)
	to, _ := p.timeStr("workDateTo", true, s.cfg.Location)
	ids := p.strings("userIdList", true)
	offset, _ := p.int("offset", true)
	limit, _ := p.int("limit", true)
	p.boolean("isI18n")
	if p.err != nil {
		return nil, p.err
	}
	d0, d1 := civilOf(from), civilOf(to)
	switch {
	case len(ids) > 50:
		return nil, errf(40035, "不合法的参数 userIdList: 最多50个")
	case offset < 0:
		return nil, errf(40035, "不合法的参数 offset")
	case limit < 1 || limit > 50:
		return nil, errf(40035, "不合法的参数 limit: 最大50")
	case d1 < d0:
		return nil, errf(40035, "不合法的参数 workDateFrom晚于workDateTo")
	case d1-d0 > 6:
		return nil, errf(41041, "时间跨度太大")
	}
	now := c.now.UnixMilli()
	people := s.people(dedupe(ids))
	key := resultsKey(people, d0, d1, c.today, now)
	rows, ok := s.pages.get(key)
	if !ok {
		rows = make([]Result, 0, len(people)*int(d1-d0+1)*2)
		for _, pp := range people {
			for d := d0; d <= d1 && d <= c.today; d++ {
				if servable(d, c.today) {
					rows = append(rows, s.co.results(s.co.plan(pp, d), now)...)
				}
			}
		}
		s.pages.put(key, rows)
	}
	rows = s.amendResults(rows, now)
	page, more := pageOf(rows, offset, limit)
	return encodeResults(more, page), nil
}

// attendanceListRecord is POST /attendance/listRecord: every punch of up to 50 people between
// two instants at most 7x24 h apart; no paging.
func (s *Server) attendanceListRecord(c *call) (any, *apiError) {
	p := c.p
	ids := p.strings("userIds", true)
	from, _ := p.timeStr("checkDateFrom", true, s.cfg.Location)
	to, _ := p.timeStr("checkDateTo", true, s.cfg.Location)
	p.boolean("isI18n")
	if p.err != nil {
		return nil, p.err
	}
	switch {
	case len(ids) > 50:
		return nil, errf(40035, "不合法的参数 userIds: 最多50个")
	case to.Before(from):
		return nil, errf(40035, "不合法的参数 checkDateFrom晚于checkDateTo")
	case to.Sub(from) > 7*24*time.Hour:
		return nil, errf(41041, "时间跨度太大")
	}
	now := c.now.UnixMilli()
	lo, hi := from.UnixMilli(), to.UnixMilli()
	people := s.people(dedupe(ids))
	// Encoded as they are drawn: up to 50 people x 8 days of punches, near a megabyte.
	b := make([]byte, 0, 32+len(people)*int(civilOf(to)-civilOf(from)+1)*2400)
	b = append(b, `{"recordresult":[`...)
	first := true
	for _, pp := range people {
		// From the work date before: a night shift's morning punches belong to the day it began.
		for d := civilOf(from) - 1; d <= civilOf(to) && d <= c.today; d++ {
			if !servable(d, c.today) {
				continue
			}
			for _, r := range s.co.records(s.co.plan(pp, d), now) {
				if r.UserCheckTime >= lo && r.UserCheckTime <= hi {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = r.appendJSON(b)
				}
			}
		}
	}
	return rawObject(append(b, "]}"...)), nil
}

// pageCache keeps the rows of recent attendance/list questions, so that paging through one
// answer (offset 0, 50, 100, ...) draws the days once. Answers are pure functions of the key.
type pageCache struct {
	mu   sync.Mutex
	keys []string
	rows map[string][]Result
}

const pageCacheSize = 64

func (c *pageCache) get(key string) ([]Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rows, ok := c.rows[key]
	return rows, ok
}

func (c *pageCache) put(key string, rows []Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[string][]Result{}
	}
	if _, ok := c.rows[key]; ok {
		return
	}
	if len(c.keys) == pageCacheSize {
		delete(c.rows, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.keys = append(c.keys, key)
	c.rows[key] = rows
}

// resultsKey names a question to attendance/list: the people as they are (a removed or
// re-created person is another key), the days and, when today or yesterday is among them, the
// instant (yesterday's night shift may still be at work).
func resultsKey(people []person, d0, d1, today civil, now int64) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(d0)) + "," + strconv.Itoa(int(d1)))
	if d1 >= today-1 {
		b.WriteString("@" + strconv.FormatInt(now, 10))
	}
	for _, p := range people {
		b.WriteString("|" + p.userid + "," + strconv.FormatInt(p.seq, 10) + "," + strconv.Itoa(int(p.since)) + "," + strconv.Itoa(int(p.until)))
	}
	return b.String()
}
