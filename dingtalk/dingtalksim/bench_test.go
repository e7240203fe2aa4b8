package dingtalksim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// BenchmarkPullMonth pulls a month of results and punch records of 1,000 people over
// loopback HTTP, the way a careful client does: 50 people and 7 days a call, every page.
// ns/op is one whole pull; calls/s is the rate of API calls.
func BenchmarkPullMonth(b *testing.B) {
	s := New(Config{Seed: 1, Employees: 1000, QPS: -1, IPLimit: -1, MonthlyQuota: -1, Now: time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)})
	ts := httptest.NewServer(s)
	defer ts.Close()
	tok := benchToken(b, ts.URL)
	ids := s.Truth().UserIDs()
	calls := 0
	b.ResetTimer()
	for b.Loop() {
		for i := 0; i < len(ids); i += 50 {
			chunk := quote(ids[i:min(i+50, len(ids))])
			for d := 1; d <= 30; d += 7 {
				from, to := fmt.Sprintf("2026-11-%02d", d), fmt.Sprintf("2026-11-%02d", min(d+6, 30))
				for offset := 0; ; offset += 50 {
					body := benchPost(b, ts.URL+"/attendance/list?access_token="+tok,
						`{"workDateFrom":"`+from+` 00:00:00","workDateTo":"`+to+` 00:00:00","userIdList":`+chunk+`,"offset":`+fmt.Sprint(offset)+`,"limit":50}`)
					calls++
					if !strings.Contains(body, `"hasMore":true`) {
						break
					}
				}
				benchPost(b, ts.URL+"/attendance/listRecord?access_token="+tok,
					`{"checkDateFrom":"`+from+` 00:00:00","checkDateTo":"`+to+` 23:59:59","userIds":`+chunk+`}`)
				calls++
			}
		}
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}

// BenchmarkOrgListing lists every user of a 100,000-person company in 2,000 departments
// with topapi/v2/user/list, 100 a page.
func BenchmarkOrgListing(b *testing.B) {
	s := New(Config{Seed: 1, Employees: 100_000, QPS: -1, IPLimit: -1, Now: wednesday})
	ts := httptest.NewServer(s)
	defer ts.Close()
	tok := benchToken(b, ts.URL)
	depts := s.Truth().Departments()
	calls := 0
	b.ResetTimer()
	for b.Loop() {
		for _, d := range depts {
			for cursor := 0; ; cursor += 100 {
				body := benchPost(b, ts.URL+"/topapi/v2/user/list?access_token="+tok, fmt.Sprintf(`{"dept_id":%d,"cursor":%d,"size":100}`, d.ID, cursor))
				calls++
				if !strings.Contains(body, `"has_more":true`) {
					break
				}
			}
		}
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}

func benchToken(b *testing.B, base string) string {
	resp, err := http.Get(base + "/gettoken?appkey=" + DefaultAppKey + "&appsecret=" + url.QueryEscape(DefaultAppSecret))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strings.Split(strings.Split(string(body), `"access_token":"`)[1], `"`)[0]
}

var benchBuf bytes.Buffer

// benchPost returns the answer's first kilobyte: enough to see errcode and hasMore.
func benchPost(b *testing.B, u, body string) string {
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	benchBuf.Reset()
	if _, err := benchBuf.ReadFrom(resp.Body); err != nil {
		b.Fatal(err)
	}
	out := benchBuf.Bytes()[:min(benchBuf.Len(), 1024)]
	if !bytes.HasPrefix(out, []byte(`{"errcode":0,`)) {
		b.Fatalf("%s: %s", body, out)
	}
	return string(out)
}

func BenchmarkPlanDay(b *testing.B) {
	s := New(Config{Seed: 1, Employees: 1000, Now: wednesday})
	ps := s.snapshot()
	d := civilOf(wednesday)
	i := 0
	for b.Loop() {
		p := ps[i%len(ps)]
		s.co.results(s.co.plan(p, d-civil(i%30)), 1<<62)
		i++
	}
}
