package reconcile

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kaoqin/kaoqin/report"
)

// WriteJSON writes r as the JSON of `kaoqin reconcile --format json`, indented.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// WriteTable writes r for a terminal: what was compared, then each difference and its days.
func WriteTable(w io.Writer, r *Result, lang report.Lang) error {
	en := lang == report.English
	var b strings.Builder
	if en {
		fmt.Fprintf(&b, "reconciliation %d of %s..%s with DingTalk's report: %d people compared, %d agree, %d differences\n",
			r.ID, r.From, r.To, r.People, r.Agreeing, len(r.Differences))
	} else {
		fmt.Fprintf(&b, "与钉钉报表对账 #%d %s..%s：比对 %d 人，%d 人一致，%d 处差异\n", r.ID, r.From, r.To, r.People, r.Agreeing, len(r.Differences))
	}
	if len(r.Differences) > 0 {
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		if en {
			fmt.Fprintln(tw, "name\tuserid\tfield\tkaoqin\tDingTalk\tcause")
		} else {
			fmt.Fprintln(tw, "姓名\tUserId\t项目\tkaoqin\t钉钉\t原因")
		}
		for _, d := range r.Differences {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.UserID, report.FieldLabel(d.Field, lang), num(d.Kaoqin), num(d.DingTalk), CauseLabel(d.Cause, lang))
			for _, day := range d.Days {
				line := Explain(day, lang)
				if day.Fix != "" {
					line += pick(lang, [2]string{"；修正：", "; fix: "}) + day.Fix
				}
				fmt.Fprintf(tw, "\t\t  %s\t%s\t%s\t%s\n", day.Date, num(day.Kaoqin), num(day.DingTalk), line)
			}
			if len(d.Days) == 0 && d.Cause == CauseLeft {
				fmt.Fprintf(tw, "\t\t\t\t\t%s\n", Explain(DayDifference{Cause: CauseLeft}, lang))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, n := range r.NotCompared {
		fmt.Fprintf(&b, "%s%s\n", pick(lang, [2]string{"未比对：", "not compared: "}), NotComparedText(n, lang))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "%s %s\n", pick(lang, [2]string{"注：", "note:"}), n)
	}
	if en {
		fmt.Fprintf(&b, "calls: %d metered (%d planned, %d to explain the differences)\n", r.Calls.Metered, r.Calls.Planned, r.Calls.Verify)
	} else {
		fmt.Fprintf(&b, "调用：计量 %d 次（预计 %d 次，核实差异 %d 次）\n", r.Calls.Metered, r.Calls.Planned, r.Calls.Verify)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes one row per differing day (a person who left: one row per field), UTF-8
// with a BOM, for Excel.
func WriteCSV(w io.Writer, r *Result, lang report.Lang) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := []string{"姓名", "UserId", "项目", "字段", "kaoqin合计", "钉钉合计", "日期", "kaoqin", "钉钉", "原因", "说明", "修正"}
	if lang == report.English {
		header = []string{"Name", "UserID", "Field", "Key", "kaoqin total", "DingTalk total", "Date", "kaoqin", "DingTalk", "Cause", "Explanation", "Fix"}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, d := range r.Differences {
		head := []string{text(d.Name), d.UserID, report.FieldLabel(d.Field, lang), d.Field, num(d.Kaoqin), num(d.DingTalk)}
		if len(d.Days) == 0 {
			if err := cw.Write(append(head, "", "", "", d.Cause, Explain(DayDifference{Cause: d.Cause}, lang), "")); err != nil {
				return err
			}
		}
		for _, day := range d.Days {
			row := append(head[:6:6], day.Date, num(day.Kaoqin), num(day.DingTalk), day.Cause, Explain(day, lang), day.Fix)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// text keeps Excel from running a name as a formula.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
