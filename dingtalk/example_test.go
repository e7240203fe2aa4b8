package dingtalk_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// fakeDingTalk answers like DingTalk for the example: a token, one department, one page of
// punch results.
func fakeDingTalk() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/gettoken", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","access_token":"example-token","expires_in":7200}`)
	})
	mux.HandleFunc("/topapi/v2/department/listsub", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","result":[{"dept_id":2,"name":"研发部","parent_id":1}],"request_id":"r"}`)
	})
	mux.HandleFunc("/attendance/list", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[
			{"id":1,"userId":"zhangsan","workDate":1709481600000,"checkType":"OnDuty","timeResult":"Late",
			 "baseCheckTime":1709514000000,"userCheckTime":1709514420000}]}`)
	})
	return httptest.NewServer(mux)
}

func Example() {
	srv := fakeDingTalk() // in production: leave WithBaseURL out
	defer srv.Close()
	ctx := context.Background()

	var metered int
	c, err := dingtalk.NewClient("appKey", "appSecret",
		dingtalk.WithBaseURL(srv.URL),
		dingtalk.WithCallHook(func(ci dingtalk.CallInfo) {
			if ci.Metered && !ci.Throttled {
				metered++
			}
		}))
	if err != nil {
		log.Fatal(err)
	}

	for d, err := range c.Departments.Walk(ctx, dingtalk.RootDepartmentID, "") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("department", d.ID, d.Name)
	}

	from, to := dingtalk.MustParseDate("2024-03-04"), dingtalk.MustParseDate("2024-03-10")
	for r, err := range c.Attendance.Results(ctx, []string{"zhangsan"}, from, to) {
		if err != nil {
			log.Fatal(err)
		}
		late := (r.UserCheckTime - r.BaseCheckTime) / 60000
		fmt.Println(r.UserID, r.CheckType, r.TimeResult, late, "minutes")
	}
	fmt.Println("metered calls:", metered)
	// Output:
	// department 2 研发部
	// zhangsan OnDuty Late 7 minutes
	// metered calls: 1
}

func ExampleIsQuotaExhausted() {
	err := error(&dingtalk.APIError{Path: "/attendance/list", Code: 90020, Message: "您的企业本月api调用量已超过限制"})
	if dingtalk.IsQuotaExhausted(err) {
		fmt.Println("stop pulling attendance until next month")
	}
	// Output: stop pulling attendance until next month
}

func ExamplePlanChunks() {
	users := make([]string, 120)
	for i := range users {
		users[i] = fmt.Sprintf("u%03d", i)
	}
	from, to := dingtalk.MustParseDate("2026-10-26"), dingtalk.MustParseDate("2026-11-25")
	chunks := dingtalk.PlanChunks(users, from, to, dingtalk.MaxResultUsers, dingtalk.MaxResultDays)
	fmt.Println(len(chunks), "calls at least; the first:", len(chunks[0].UserIDs), "users,", chunks[0].DateRange)
	// Output: 15 calls at least; the first: 50 users, 2026-10-26..2026-11-01
}
