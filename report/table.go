package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// WriteTable writes r as aligned text for a terminal: the department summary in tree order,
// then what needs attention.
func WriteTable(w io.Writer, r Report, lang Lang) error {
	bw := bufio.NewWriter(w)
	if err := r.writeTable(bw, lang); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// textTable is a block of aligned columns. Widths count East Asian wide characters as two
// cells, so a Chinese name and an ASCII name line up.
type textTable struct {
	header []string
	right  []bool // right-aligned (numbers)
	rows   [][]string
}

// sheetTable renders the table columns of s.
func sheetTable(s sheet, lang Lang) *textTable {
	t := &textTable{}
	var keep []int
	for i, c := range s.cols {
		if c.noTable {
			continue
		}
		keep = append(keep, i)
		t.header = append(t.header, lang.pick(c.zh, c.en))
		t.right = append(t.right, c.kind == kInt || c.kind == kFloat)
	}
	for row := range s.rows(lang) {
		cells := make([]string, len(keep))
		for k, i := range keep {
			if in, ok := row[i].(indented); ok {
				cells[k] = strings.Repeat("  ", in.depth) + in.name
			} else {
				cells[k] = cellText(row[i], s.cols[i].kind)
			}
		}
		t.rows = append(t.rows, cells)
	}
	return t
}

func (t *textTable) write(w io.Writer) error {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = displayWidth(h)
	}
	for _, row := range t.rows {
		for i, c := range row {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	line := func(cells []string) error {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad(c, widths[i], t.right[i]))
		}
		_, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		return err
	}
	if err := line(t.header); err != nil {
		return err
	}
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("-", n)
	}
	if err := line(rule); err != nil {
		return err
	}
	for _, row := range t.rows {
		if err := line(row); err != nil {
			return err
		}
	}
	return nil
}

func (d *Daily) writeTable(w io.Writer, lang Lang) error {
	state := lang.pick("当天未结束", "day still open")
	if d.Final {
		state = lang.pick("已结束", "final")
	}
	fmt.Fprintf(w, "%s %s (%s)  %s %s  %s %s  %s\n\n",
		lang.pick("考勤日报", "Daily report"), d.Date, d.Timezone,
		lang.pick("生成于", "generated"), clock(d.GeneratedAt),
		lang.pick("同步于", "synced"), clock(d.SyncedAt), state)
	if err := sheetTable(d.sheets()[0], lang).write(w); err != nil {
		return err
	}

	notIn := &textTable{header: []string{lang.pick("姓名", "Name"), "UserId", lang.pick("部门", "Departments")},
		right: make([]bool, 3)}
	odd := &textTable{header: []string{lang.pick("姓名", "Name"), "UserId", lang.pick("部门", "Departments"),
		lang.pick("状态", "Status"), lang.pick("打卡", "Checks")}, right: make([]bool, 5)}
	for i, e := range d.Employees {
		depts := d.org.names(e.DepartmentIDs, lang)
		if d.rows[i].flags.has(fNotCheckedIn) {
			notIn.rows = append(notIn.rows, []string{e.Name, e.UserID, depts})
		}
		switch e.Status {
		case StatusAbsent, StatusMissing, StatusLate, StatusEarly:
			odd.rows = append(odd.rows, []string{e.Name, e.UserID, depts, lang.say(statusLabels, e.Status),
				checksSummary(e.Checks, lang)})
		}
	}
	for _, b := range []struct {
		title string
		t     *textTable
	}{
		{lang.pick("未打卡", "Not checked in"), notIn},
		{lang.pick("异常", "Exceptions"), odd},
	} {
		if len(b.t.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n", b.title, len(b.t.rows))
		if err := b.t.write(w); err != nil {
			return err
		}
	}
	return nil
}

// checksSummary writes an employee's checks on one line: "上班 09:00→09:07 迟到; 下班 18:00→-- 未打卡".
func checksSummary(cs []Check, lang Lang) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		punched := "--"
		if c.UserCheckTime != nil {
			punched = c.UserCheckTime.Format("15:04")
		}
		result := lang.say(timeResultLabels, c.TimeResult)
		if c.Pending {
			result = lang.pick(pendingLabel.zh, pendingLabel.en)
		}
		parts[i] = fmt.Sprintf("%s %s→%s %s", lang.say(checkTypeLabels, c.CheckType),
			c.BaseCheckTime.Format("15:04"), punched, result)
		if c.LocationResult == kaoqin.LocationOutside {
			parts[i] += " " + lang.say(locationResultLabels, c.LocationResult)
		}
	}
	return strings.Join(parts, "; ")
}

func (r *Period) writeTable(w io.Writer, lang Lang) error {
	state := lang.pick("含未结束的日期", "includes days still open")
	if r.Final {
		state = lang.pick("已结束", "final")
	}
	fmt.Fprintf(w, "%s %s..%s (%s)  %s %s  %s\n\n",
		lang.pick("考勤汇总", "Period report"), r.From, r.To, r.Timezone,
		lang.pick("生成于", "generated"), clock(r.GeneratedAt), state)
	sheets := r.sheets()
	if err := sheetTable(sheets[1], lang).write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return sheetTable(sheets[0], lang).write(w)
}

func clock(t Time) string {
	if t.IsZero() {
		return "--"
	}
	return t.Format(time.DateTime)
}
