package dingtalk

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// attendancePage is a full /attendance/list page: 50 results.
func attendancePage() []byte {
	var b strings.Builder
	b.WriteString(`{"errcode":0,"errmsg":"ok","hasMore":true,"recordresult":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"recordId":%d,"userId":"user%02d","groupId":685935028,"planId":145583519353,"workDate":1709481600000,`+
			`"checkType":"OnDuty","timeResult":"Late","locationResult":"Normal","baseCheckTime":1709514000000,"userCheckTime":1709514420000,"sourceType":"USER"}`,
			100068640553+i, 42833709096+i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkDecodeAttendancePage measures classifying and decoding one 50-row page.
func BenchmarkDecodeAttendancePage(b *testing.B) {
	k := testCaller()
	page := attendancePage()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var out struct {
			HasMore      bool     `json:"hasMore"`
			RecordResult []Result `json:"recordresult"`
		}
		if err := k.decode("/attendance/list", 200, "application/json", page, &Response{}, &out); err != nil || len(out.RecordResult) != 50 {
			b.Fatal(err)
		}
	}
}

// BenchmarkClient_List measures one whole call (limiter off, cached token, loopback HTTP).
func BenchmarkClient_List(b *testing.B) {
	page := attendancePage()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/gettoken") {
			fmt.Fprint(w, `{"errcode":0,"access_token":"bench-token-123","expires_in":7200}`)
			return
		}
		w.Write(page)
	}))
	defer srv.Close()
	c, err := NewClient("k", "bench-secret", WithBaseURL(srv.URL), WithQPS(math.Inf(1)))
	if err != nil {
		b.Fatal(err)
	}
	opts := &ResultOptions{UserIDs: []string{"u1"}, From: MustParseDate("2024-03-04"), To: MustParseDate("2024-03-10")}
	b.ReportAllocs()
	for b.Loop() {
		if rows, _, err := c.Attendance.List(context.Background(), opts); err != nil || len(rows) != 50 {
			b.Fatal(err)
		}
	}
}
