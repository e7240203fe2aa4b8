package dingtalksim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// A test starts a company, calls DingTalk over HTTP and compares with the truth.
func Example() {
	loc := time.FixedZone("CST", 8*3600)
	sim := dingtalksim.New(dingtalksim.Config{Seed: 1, Employees: 200, Now: time.Date(2026, 11, 18, 10, 0, 0, 0, loc)})
	srv := httptest.NewServer(sim)
	defer srv.Close()

	resp, _ := http.Get(srv.URL + "/gettoken?appkey=" + dingtalksim.DefaultAppKey + "&appsecret=" + url.QueryEscape(dingtalksim.DefaultAppSecret))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := strings.Split(strings.Split(string(body), `"access_token":"`)[1], `"`)[0]

	ids := sim.Truth().UserIDs()[:2]
	resp, _ = http.Post(srv.URL+"/attendance/list?access_token="+token, "application/json",
		strings.NewReader(`{"workDateFrom":"2026-11-17 00:00:00","workDateTo":"2026-11-17 00:00:00","userIdList":["`+ids[0]+`","`+ids[1]+`"],"offset":0,"limit":50}`))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()

	rows := sim.Truth().Results(ids, "2026-11-17", "2026-11-17")
	fmt.Println(strings.HasPrefix(string(body), `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[`), len(rows))
	fmt.Println(sim.Counters()["/attendance/list"].Metered, sim.QuotaUsed())
	// Output:
	// true 4
	// 1 1
}
