package report

import (
	"bufio"
	"fmt"
	"io"
	"iter"
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

// writeSheetTable writes the table columns of s.
func writeSheetTable(w io.Writer, s sheet, lang Lang) error {
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
	return t.stream(w, func(yield func([]string, error) bool) {
		for row, err := range s.cells(lang) {
			if err != nil {
				yield(nil, err)
				return
			}
			cells := make([]string, len(keep))
			for k, i := range keep {
				if in, ok := row[i].(indented); ok {
					cells[k] = strings.Repeat("  ", in.depth) + in.name
				} else {
					cells[k] = cellText(row[i], s.cols[i].kind)
				}
			}
			if !yield(cells, nil) {
				return
			}
		}
	})
}

// write writes t with its rows.
func (t *textTable) write(w io.Writer) error {
	return t.stream(w, func(yield func([]string, error) bool) {
		for _, row := range t.rows {
			if !yield(row, nil) {
				return
			}
		}
	})
}

// stream writes t with rows. The columns are as wide as the header and the first widthSample
// rows need (held back until measured); a longer cell after them pushes the rest of its line.
func (t *textTable) stream(w io.Writer, rows iter.Seq2[[]string, error]) error {
	var widths []int
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
	var held [][]string
	start := func() error {
		widths = make([]int, len(t.header))
		for i, h := range t.header {
			widths[i] = displayWidth(h)
		}
		for _, row := range held {
			for i, c := range row {
				widths[i] = max(widths[i], displayWidth(c))
			}
		}
		rule := make([]string, len(widths))
		for i, n := range widths {
			rule[i] = strings.Repeat("-", n)
		}
		for _, row := range append([][]string{t.header, rule}, held...) {
			if err := line(row); err != nil {
				return err
			}
		}
		held = nil
		return nil
	}
	for row, err := range rows {
		switch {
		case err != nil:
			return err
		case widths != nil:
			err = line(row)
		default:
			if held = append(held, row); len(held) == widthSample {
				err = start()
			}
		}
		if err != nil {
			return err
		}
	}
	if widths == nil {
		return start()
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
	if err := writeSheetTable(w, d.sheets()[0], lang); err != nil {
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

func (r *Period) writeTable(w io.Writer, lang Lang) error       { return writePeriodTable(w, r, lang) }
func (s *PeriodStream) writeTable(w io.Writer, lang Lang) error { return writePeriodTable(w, s, lang) }

// writePeriodTable writes the department lines, then the employees (a stream is read twice).
func writePeriodTable(w io.Writer, r periodLines, lang Lang) error {
	h := r.header()
	state := lang.pick("含未结束的日期", "includes days still open")
	if h.Final {
		state = lang.pick("已结束", "final")
	}
	fmt.Fprintf(w, "%s %s..%s (%s)  %s %s  %s\n\n",
		lang.pick("考勤汇总", "Period report"), h.From, h.To, h.Timezone,
		lang.pick("生成于", "generated"), clock(h.GeneratedAt), state)
	sheets := periodSheets(r)
	if err := writeSheetTable(w, sheets[1], lang); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return writeSheetTable(w, sheets[0], lang)
}

func clock(t Time) string {
	if t.IsZero() {
		return "--"
	}
	return t.Format(time.DateTime)
}
