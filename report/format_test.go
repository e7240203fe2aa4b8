package report

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"iter"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin"
)

func fixturePeriod(t *testing.T) *Period {
	return mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange))
}

func fixtureDaily(t *testing.T) *Daily {
	return mustDaily(t, company(), "2026-11-18", opts(afterRange))
}

func TestWriteCSV(t *testing.T) {
	r := fixturePeriod(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r, Chinese); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("CSV does not start with the UTF-8 BOM: % x", buf.Bytes()[:3])
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	if header[0] != "姓名" || header[4] != "应出勤天数" || header[5] != "出勤天数" || header[6] != "迟到次数" {
		t.Errorf("header %v", header)
	}
	if len(recs) != 1+len(r.Employees) {
		t.Fatalf("%d records, want a header and %d employees", len(recs), len(r.Employees))
	}
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, header)
		return -1
	}
	for i, e := range r.Employees {
		rec := recs[i+1]
		if rec[col("姓名")] != e.Name || rec[col("UserId")] != e.UserID ||
			rec[col("迟到时长(分钟)")] != strconv.Itoa(e.LateMinutes) ||
			rec[col("请假时长(天)")] != strconv.FormatFloat(e.LeaveDurationDays, 'f', -1, 64) ||
			rec[col("离职日期")] != e.LeftOn {
			t.Errorf("record %v does not round-trip %+v", rec, e)
		}
	}
	// The same columns in English, and the other sheet on request.
	buf.Reset()
	if err := WriteCSVSheet(&buf, r, "departments", English); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), bom))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][:6], "|"); got != "Department ID|Department|Path|Parent ID|Headcount|Scheduled days" {
		t.Errorf("English header %s", got)
	}
	if recs[1][1] != "Company" || recs[2][1] != "示例公司" || recs[3][2] != "示例公司/研发部" {
		t.Errorf("rows: %v / %v / %v", recs[1], recs[2], recs[3])
	}
	if err := WriteCSVSheet(&buf, r, "nope", English); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("unknown sheet: %v", err)
	}
}

func TestWriteXLSX(t *testing.T) {
	for _, test := range []struct {
		name   string
		r      Report
		sheets []string
		// a cell of the second row of the first sheet that must be a number, and one that
		// must be a date, by header
		number, date string
	}{
		{"daily", fixtureDaily(t), []string{"部门汇总", "打卡明细"}, "人数", ""},
		{"period", fixturePeriod(t), []string{"员工汇总", "部门汇总"}, "应出勤天数", "入职日期"},
	} {
		t.Run(test.name, func(t *testing.T) {
			f, file := writeXLSX(t, test.r, Chinese)
			if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(test.sheets, ",") {
				t.Fatalf("sheets %v, want %v", got, test.sheets)
			}
			for _, sheet := range test.sheets {
				checkXLSXSheet(t, f, sheet)
			}
			checkColsInOrder(t, file)
			first := test.sheets[0]
			rows, err := f.GetRows(first)
			if err != nil {
				t.Fatal(err)
			}
			col := func(name string) int {
				for i, h := range rows[0] {
					if h == name {
						return i + 1
					}
				}
				t.Fatalf("no column %s in %v", name, rows[0])
				return 0
			}
			cell, _ := excelize.CoordinatesToCellName(col(test.number), 2)
			if typ, _ := f.GetCellType(first, cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s (%s) is of type %v, want a number", cell, test.number, typ)
			}
			if v, _ := f.GetCellValue(first, cell, excelize.Options{RawCellValue: true}); v != rows[1][col(test.number)-1] {
				t.Errorf("%s: raw %q, shown %q", cell, v, rows[1][col(test.number)-1])
			}
			if test.date != "" {
				checkDateCell(t, f, first, col(test.date), "2024-03-01") // 张三's hiring date
			}
		})
	}
	// The daily check sheet: the date and the times are date cells.
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, fixtureDaily(t), English); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Checks")
	if got := strings.Join(rows[0][:4], "|"); got != "Date|Name|Job number|UserID" {
		t.Errorf("Checks header %s", got)
	}
	checkDateCell(t, f, "Checks", 1, "2026-11-18")
	scheduled := slices.Index(rows[0], "Scheduled time") + 1
	checkDateCell(t, f, "Checks", scheduled, "2026-11-18 09:00:00") // u01's check-in, in Shanghai time
}

// checkXLSXSheet checks a sheet's header: bold, frozen, and columns sized.
func checkXLSXSheet(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("%s: panes %+v, want the first row frozen", sheet, panes)
	}
	styleID, err := f.GetCellStyle(sheet, "B1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil {
		t.Fatal(err)
	}
	if style.Font == nil || !style.Font.Bold {
		t.Errorf("%s: header is not bold", sheet)
	}
	// Column B is as wide as its widest value or header, in terminal cells, plus a margin.
	rows, _ := f.GetRows(sheet)
	want := 0
	for _, row := range rows {
		if len(row) > 1 {
			want = max(want, displayWidth(row[1]))
		}
	}
	w, err := f.GetColWidth(sheet, "B")
	if err != nil {
		t.Fatal(err)
	}
	if w != float64(max(want+2, minColWidth)) {
		t.Errorf("%s: column B width %v, want %d", sheet, w, max(want+2, minColWidth))
	}
}

// checkColsInOrder checks that every sheet lists its column widths by column, as Excel
// requires (it offers to repair the file otherwise).
func checkColsInOrder(t *testing.T, xlsx []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	colMin := regexp.MustCompile(`<col min="(\d+)"`)
	for _, zf := range z.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		prev := 0
		for _, m := range colMin.FindAllSubmatch(body, -1) {
			n, _ := strconv.Atoi(string(m[1]))
			if n <= prev {
				t.Errorf("%s: <col min=%d> after <col min=%d>", zf.Name, n, prev)
			}
			prev = n
		}
		if prev == 0 {
			t.Errorf("%s has no column widths", zf.Name)
		}
	}
}

// checkDateCell checks that the cell at column col, row 2 is a number shown with a date
// format as want.
func checkDateCell(t *testing.T, f *excelize.File, sheet string, col int, want string) {
	t.Helper()
	cell, _ := excelize.CoordinatesToCellName(col, 2)
	raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		t.Errorf("%s!%s: raw value %q, want an Excel date serial", sheet, cell, raw)
	}
	if shown, _ := f.GetCellValue(sheet, cell); shown != want {
		t.Errorf("%s!%s shows %q, want %q", sheet, cell, shown, want)
	}
	styleID, _ := f.GetCellStyle(sheet, cell)
	style, _ := f.GetStyle(styleID)
	if style == nil || style.CustomNumFmt == nil || !strings.HasPrefix(*style.CustomNumFmt, "yyyy-mm-dd") {
		t.Errorf("%s!%s has no date format: %+v", sheet, cell, style)
	}
}

func TestWriteTable_Alignment(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, fixturePeriod(t), Chinese); err != nil {
		t.Fatal(err)
	}
	// The employees block: 张三 (Chinese) and Bob Smith (ASCII) start their UserId column in
	// the same terminal cell.
	start := func(prefix, userid string) int {
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, prefix) {
				i := strings.Index(line, userid)
				return displayWidth(line[:i])
			}
		}
		t.Fatalf("no line starts with %s:\n%s", prefix, buf.String())
		return 0
	}
	if a, b := start("张三", "u01"), start("Bob Smith", "u09"); a != b || a == 0 {
		t.Errorf("UserId column starts at cell %d for 张三 and %d for Bob Smith", a, b)
	}
	// Department names indented by depth, in tree order.
	if !strings.Contains(buf.String(), "\n    后端组 ") || !strings.Contains(buf.String(), "\n  研发部 ") {
		t.Errorf("departments not indented by depth:\n%s", buf.String())
	}
}

func TestDisplayWidth(t *testing.T) {
	for _, test := range []struct {
		s string
		w int
	}{
		{"", 0},
		{"Bob Smith", 9},
		{"张三", 4},
		{"后端组、销售部", 14},
		{"（全角）", 8},
		{"ＡＢ", 4},      // fullwidth Latin
		{"e\u0301", 1}, // e + combining acute
		{"Zoë", 3},
	} {
		if got := displayWidth(test.s); got != test.w {
			t.Errorf("displayWidth(%q) = %d, want %d", test.s, got, test.w)
		}
	}
	if got := pad("张三", 6, false); got != "张三  " {
		t.Errorf("pad left-aligned: %q", got)
	}
	if got := pad("42", 5, true); got != "   42" {
		t.Errorf("pad right-aligned: %q", got)
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"table", "json", "csv", "xlsx"} {
		if f, err := ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%s) = %v, %v", s, f, err)
		}
	}
	if _, err := ParseFormat("pdf"); kaoqin.ErrorCode(err) != kaoqin.EINVALID || !strings.Contains(err.Error(), "xlsx") {
		t.Errorf("ParseFormat(pdf): %v", err)
	}
	if l, _ := ParseLang(""); l != Chinese {
		t.Errorf("default language %s, want zh", l)
	}
	if l, _ := ParseLang("en"); l != English {
		t.Errorf("en: %s", l)
	}
	if _, err := ParseLang("fr"); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("ParseLang(fr): %v", err)
	}
}

// Write dispatches to every format.
func TestWrite(t *testing.T) {
	r := fixtureDaily(t)
	for _, f := range []Format{FormatTable, FormatJSON, FormatCSV, FormatXLSX} {
		var buf bytes.Buffer
		if err := Write(&buf, r, f, Chinese); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var want bytes.Buffer
		switch f {
		case FormatTable:
			_ = WriteTable(&want, r, Chinese)
		case FormatJSON:
			_ = WriteJSON(&want, r)
		case FormatCSV:
			_ = WriteCSV(&want, r, Chinese)
		case FormatXLSX:
			if !bytes.HasPrefix(buf.Bytes(), []byte("PK")) {
				t.Error("xlsx is not a zip file")
			}
			continue
		}
		if !bytes.Equal(buf.Bytes(), want.Bytes()) {
			t.Errorf("Write %s differs from its writer", f)
		}
	}
	if err := Write(&bytes.Buffer{}, r, "pdf", Chinese); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("Write pdf: %v", err)
	}
}

// The count columns of the sheets are the JSON fields, in the order their values are written.
func TestCountColumnsFollowFields(t *testing.T) {
	for i, f := range dailyFields {
		if dailyCountColumns[i].key != f.name {
			t.Errorf("daily column %d is %s, value %s", i, dailyCountColumns[i].key, f.name)
		}
	}
	for i, f := range periodFields {
		if periodCountColumns[i].key != f.name {
			t.Errorf("period column %d is %s, value %s", i, periodCountColumns[i].key, f.name)
		}
	}
	if len(dailyCountColumns) != len(dailyFields) || len(periodCountColumns) != len(periodFields) {
		t.Error("a count has no column, or a column no count")
	}
	// Every JSON field of the counts has a column.
	for _, v := range []any{Counts{}, PeriodCounts{}} {
		b, _ := json.Marshal(v)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		for k := range m {
			if !slices.ContainsFunc(slices.Concat(dailyCountColumns, periodCountColumns), func(c column) bool { return c.key == k }) {
				t.Errorf("JSON field %s has no column", k)
			}
		}
	}
}

func TestWriteCSV_DefusesFormulas(t *testing.T) {
	in := company()
	in.Employees[0].Name = `=HYPERLINK("http://evil.example","点我")`
	in.Departments[1].Name = "+研发部"
	r := mustPeriod(t, in, "2026-11-09", "2026-11-23", opts(afterRange))
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r, Chinese); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), bom))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names, depts []string
	for _, rec := range recs[1:] {
		names, depts = append(names, rec[0]), append(depts, rec[3])
	}
	if !slices.Contains(names, `'=HYPERLINK("http://evil.example","点我")`) {
		t.Errorf("a formula-looking name reached the CSV as a formula: %q", names)
	}
	for _, d := range depts {
		if strings.HasPrefix(d, "+") {
			t.Errorf("department %q starts a formula", d)
		}
	}
	// Numbers stay numbers: no quote in front of a count.
	if strings.Contains(buf.String(), ",'0") || strings.Contains(buf.String(), ",'1") {
		t.Error("a number cell was quoted")
	}
}

// TestWrite_CleansControlCharacters is issue 15's item 8: CSV exports passed NUL and U+202E
// (which shows "张三\u202egnp.exe" as "张三exe.png") from DingTalk names through unchanged. Every
// file format drops control, bidi and other invisible format characters from text.
func TestWrite_CleansControlCharacters(t *testing.T) {
	in := company()
	in.Employees[0].Name = "张\x00三\u202egnp.exe"
	in.Employees[1].Name = "李四\r\n=1+1\t\u2066x\u2069\u200f\x1b[31m\x7f\u0085"
	in.Departments[1].Name = "研发\u202d部\ufeff"
	r := mustPeriod(t, in, "2026-11-09", "2026-11-23", opts(afterRange))
	bad := regexp.MustCompile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
	for _, f := range []Format{FormatCSV, FormatTable} {
		var buf bytes.Buffer
		if err := Write(&buf, r, f, Chinese); err != nil {
			t.Fatal(err)
		}
		text := strings.TrimPrefix(buf.String(), bom)
		if m := bad.FindString(text); m != "" {
			t.Errorf("%s keeps %q", f, m)
		}
		for _, want := range []string{"张三gnp.exe", "研发部"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", f, want)
			}
		}
	}
	x, _ := writeXLSX(t, r, Chinese)
	rows, err := x.GetRows("员工汇总")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, row := range rows[1:] {
		names = append(names, row[0])
		for _, cell := range row {
			if m := bad.FindString(cell); m != "" {
				t.Errorf("XLSX keeps %q in %q", m, cell)
			}
		}
	}
	if !slices.Contains(names, "张三gnp.exe") || !slices.Contains(names, "李四  =1+1 x[31m ") {
		t.Errorf("XLSX names %q", names)
	}
}

// writeXLSX writes r as XLSX in lang and opens it as Excel would; it returns the file's bytes
// too.
func writeXLSX(t *testing.T, r Report, lang Lang) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, FormatXLSX, lang); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// sheetsOnly is a Report of the given sheets, for the XLSX writer alone.
type sheetsOnly []sheet

func (s sheetsOnly) sheets() []sheet                 { return s }
func (sheetsOnly) writeTable(io.Writer, Lang) error  { return nil }
func (sheetsOnly) writeJSON(io.Writer, string) error { return nil }

// TestWriteXLSX_Values writes each kind of value kaoqin's sheets hold, and the text an XML
// file must escape, and reads them back as Excel would show them.
func TestWriteXLSX_Values(t *testing.T) {
	sh := time.FixedZone("Asia/Shanghai", 8*3600)
	long := strings.Repeat("长", maxCellChars+5)
	s := sheet{key: "values", zh: "值", en: "Values", cols: []column{
		{key: "text", en: "Text"}, {key: "int", en: "Int", kind: kInt}, {key: "float", en: "Float", kind: kFloat},
		{key: "coord", en: "Coord", kind: kCoord}, {key: "date", en: "Date", kind: kDate}, {key: "time", en: "Time", kind: kTime},
	}, rows: infallible(func(Lang) iter.Seq[[]any] {
		return slices.Values([][]any{
			{`<a & "b">`, 7, 2.5, 31.230416, time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 18, 9, 5, 30, 0, sh)},
			{" 前后有空格 ", int64(-3), nil, 121.473701, nil, nil},
			{"", nil, math.Inf(1), nil, nil, nil},
			{long, nil, nil, nil, nil, nil},
		})
	})}
	f, _ := writeXLSX(t, sheetsOnly{s}, English)
	rows, err := f.GetRows("Values")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Text", "Int", "Float", "Coord", "Date", "Time"},
		{`<a & "b">`, "7", "2.50", "31.230416", "2026-11-18", "2026-11-18 09:05:30"},
		{" 前后有空格 ", "-3", "", "121.473701"},
		{"", "", "+Inf"},
		{strings.Repeat("长", maxCellChars)},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset,
		"C2": excelize.CellTypeUnset, "E2": excelize.CellTypeUnset, "A4": excelize.CellTypeInlineString} {
		if got, _ := f.GetCellType("Values", cell); got != want {
			t.Errorf("%s is of type %v, want %v", cell, got, want)
		}
	}
	// A number cell holds the number, not its text.
	if raw, _ := f.GetCellValue("Values", "F2", excelize.Options{RawCellValue: true}); raw != "46344.37881944444" {
		t.Errorf("F2 raw %q, want the Excel serial of 2026-11-18 09:05:30", raw)
	}
}
