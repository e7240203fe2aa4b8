package dingtalksim

import (
	"net"
	"net/http"
	"time"
)

// handler answers one API call: the payload to wrap in the path's envelope, or a failure.
type handler func(*Server, *call) (any, *apiError)

type route struct {
	style   style
	method  string
	auth    bool // needs an app access_token
	metered bool // counts against the monthly quota
	handle  handler
	// raw paths (the robot webhook) write their own answer.
	raw func(*Server, http.ResponseWriter, *http.Request, *PathCounters)
}

// call is one API call on its way through the gateway.
type call struct {
	r     *http.Request
	path  string
	app   string    // AppKey owning the token
	p     *params   // the JSON body of a POST
	now   time.Time // the company clock when the call arrived
	today civil
}

// serveAPI runs a call through what DingTalk's gateway does, in its order: latency, IP ban,
// injected faults, routing, method, token, QPS, quota, body, and finally the API itself.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	rt := s.paths[path]
	st := legacy
	if rt != nil {
		st = rt.style
	}
	rec := PathCounters{Calls: 1}
	defer func() { s.ctrs.add(path, rec) }()

	if s.cfg.Latency > 0 && s.cfg.Sleep(r.Context(), s.cfg.Latency) != nil {
		rec.Errors++
		return
	}
	if banned, asJSON := s.lim.ipCheck(clientIP(r), s.cfg.Clock()); banned {
		rec.Faulted++
		rec.Errors++
		s.writeBan(w, asJSON)
		return
	}
	if f, ok := s.takeFault(path); ok && s.inject(w, r, st, path, f, &rec) {
		return
	}
	fail := func(e *apiError) {
		rec.Errors++
		if e.throttled {
			rec.Throttled++
		}
		s.writeErr(w, st, e)
	}
	if rt == nil {
		fail(errUnknownPath)
		return
	}
	if r.Method != rt.method {
		if rt.method == http.MethodGet {
			fail(errNeedGET)
		} else {
			fail(errNeedPOST)
		}
		return
	}
	if rt.raw != nil {
		rt.raw(s, w, r, &rec)
		return
	}
	c := &call{r: r, path: path}
	if rt.auth {
		svcNow := s.cfg.Clock()
		tok := r.URL.Query().Get("access_token")
		if tok == "" {
			fail(errTokenMissing)
			return
		}
		app, ok := s.lim.appFor(tok, svcNow)
		if !ok {
			fail(errTokenInvalid)
			return
		}
		if !s.lim.allow(app, path, svcNow) {
			fail(s.errThrottled(path, svcNow))
			return
		}
		c.app = app
	}
	c.now = s.Now()
	c.today = civilOf(c.now)
	if rt.metered {
		ok, used := s.lim.meter(c.now)
		if !ok {
			fail(s.errQuota(used))
			return
		}
		rec.Metered++
	}
	if rt.method == http.MethodPost {
		p, e := readParams(r)
		if e != nil {
			fail(e)
			return
		}
		c.p = p
	}
	res, e := rt.handle(s, c)
	if e != nil {
		fail(e)
		return
	}
	s.writeOK(w, st, res)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// routes lists every path served. Attendance paths and work notifications are metered;
// token, contacts and the robot are not.
func routes() map[string]*route {
	top := func(h handler) *route {
		return &route{style: topapi, method: http.MethodPost, auth: true, handle: h}
	}
	metered := func(r *route) *route { r.metered = true; return r }
	return map[string]*route{
		"/gettoken": {style: legacy, method: http.MethodGet, handle: (*Server).getToken},

		"/topapi/v2/department/listsub":   top((*Server).deptListSub),
		"/topapi/v2/department/listsubid": top((*Server).deptListSubID),
		"/topapi/v2/department/get":       top((*Server).deptGet),
		"/topapi/v2/department/create":    top((*Server).deptCreate),
		"/topapi/v2/department/update":    top((*Server).deptUpdate),
		"/topapi/v2/department/delete":    top((*Server).deptDelete),
		"/topapi/user/listsimple":         top((*Server).userListSimple),
		"/topapi/v2/user/list":            top((*Server).userList),
		"/topapi/user/listid":             top((*Server).userListID),
		"/topapi/v2/user/get":             top((*Server).userGet),
		"/topapi/v2/user/getbymobile":     top((*Server).userGetByMobile),
		"/topapi/v2/user/create":          top((*Server).userCreate),
		"/topapi/v2/user/update":          top((*Server).userUpdate),
		"/topapi/v2/user/delete":          top((*Server).userDelete),

		"/attendance/list":                               metered(&route{style: legacy, method: http.MethodPost, auth: true, handle: (*Server).attendanceList}),
		"/attendance/listRecord":                         metered(&route{style: legacy, method: http.MethodPost, auth: true, handle: (*Server).attendanceListRecord}),
		"/topapi/attendance/listschedule":                metered(top((*Server).listSchedule)),
		"/topapi/attendance/schedule/listbyusers":        metered(top((*Server).scheduleListByUsers)),
		"/topapi/attendance/getsimplegroups":             metered(top((*Server).getSimpleGroups)),
		"/topapi/attendance/getusergroup":                metered(top((*Server).getUserGroup)),
		"/topapi/attendance/getleaveapproveduration":     metered(top((*Server).leaveApproveDuration)),
		"/topapi/attendance/getleavestatus":              metered(top((*Server).leaveStatus)),
		"/topapi/attendance/getupdatedata":               metered(top((*Server).getUpdateData)),
		"/topapi/attendance/isopensmartreport":           metered(top((*Server).isOpenSmartReport)),
		"/topapi/attendance/getattcolumns":               metered(top((*Server).getAttColumns)),
		"/topapi/attendance/getcolumnval":                metered(top((*Server).getColumnVal)),
		"/topapi/attendance/getleavetimebynames":         metered(top((*Server).getLeaveTimeByNames)),
		"/topapi/attendance/vacation/type/list":          metered(top((*Server).vacationTypeList)),
		"/topapi/message/corpconversation/asyncsend_v2":  metered(&route{style: topapiFlat, method: http.MethodPost, auth: true, handle: (*Server).asyncSend}),
		"/topapi/message/corpconversation/getsendresult": metered(&route{style: topapiFlat, method: http.MethodPost, auth: true, handle: (*Server).getSendResult}),

		"/topapi/processinstance/get": {style: topapiFlat, method: http.MethodPost, auth: true, handle: (*Server).processInstance},

		"/robot/send": {style: legacy, method: http.MethodPost, raw: (*Server).robotSend},
	}
}

// Paths lists the API paths the simulator serves.
func Paths() []string {
	var out []string
	for p := range routes() {
		out = append(out, p)
	}
	return out
}

type tokenReply struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// getToken is GET /gettoken?appkey=&appsecret=. Within a token's life the same token comes
// back, its life extended.
func (s *Server) getToken(c *call) (any, *apiError) {
	q := c.r.URL.Query()
	key, secret := q.Get("appkey"), q.Get("appsecret")
	if key == "" || secret == "" {
		return nil, errf(40035, "缺少参数 corpid or appkey")
	}
	if !s.lim.credentialsOK(key, secret) {
		return nil, errf(40096, "不合法的appKey或appSecret")
	}
	now := s.cfg.Clock()
	if !s.lim.allow(key, c.path, now) {
		return nil, s.errThrottled(c.path, now)
	}
	v, ttl := s.lim.issue(key, now)
	return tokenReply{AccessToken: v, ExpiresIn: int(ttl / time.Second)}, nil
}
