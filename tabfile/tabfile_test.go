package tabfile

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// gbCSV is a CSV file as Excel on Chinese Windows saves it: GB18030 bytes, written out by
// hand ("人员" is C8CB D4B1, "张三" D5C5 C8FD, "部门" B2BF C3C5, "研发中心" D1D0 B7A2 D6D0 D0C4),
// and a character outside the BMP in GB18030's four-byte form (U+20000 is 95 32 82 36).
var gbCSV = []byte("kind,name,remark\r\n" +
	"\xc8\xcb\xd4\xb1,\xd5\xc5\xc8\xfd,\"\x95\x32\x82\x36\"\r\n" +
	"\r\n" +
	"\xb2\xbf\xc3\xc5,\xd1\xd0\xb7\xa2\xd6\xd0\xd0\xc4,\r\n")

func TestReadCSV_GB18030(t *testing.T) {
	tab, err := ReadCSV(gbCSV)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"kind", "name", "remark"}, {"人员", "张三", "\U00020000"}, {"部门", "研发中心", ""}}
	if tab.Encoding != GB18030 || !equalRows(tab.Rows, want) || !slices.Equal(tab.Lines, []int{1, 2, 4}) {
		t.Errorf("read %s %q at lines %v", tab.Encoding, tab.Rows, tab.Lines)
	}
	if tab.XLSX() || tab.Where(4) != "line 4" {
		t.Errorf("a CSV table says %q", tab.Where(4))
	}
}

func TestReadCSV_UTF8WithBOM(t *testing.T) {
	tab, err := ReadCSV([]byte("\xef\xbb\xbfkind,name\n人员,张三\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != UTF8 || !equalRows(tab.Rows, [][]string{{"kind", "name"}, {"人员", "张三"}}) {
		t.Errorf("read %s %q", tab.Encoding, tab.Rows)
	}
}

// A file that is UTF-8 is read as UTF-8, even where its bytes would also be GB18030.
func TestText_UTF8First(t *testing.T) {
	text, enc, err := Text([]byte("张三"))
	if err != nil || enc != UTF8 || string(text) != "张三" {
		t.Errorf("Text = %q, %s, %v", text, enc, err)
	}
}

func TestText_NeitherUTF8NorGB18030(t *testing.T) {
	// Line 3 holds 0xFF, which no GB18030 sequence starts with.
	_, _, err := Text([]byte("kind,name\n\xc8\xcb\xd4\xb1,\xd5\xc5\xc8\xfd\nperson,\xff\n"))
	var e *Error
	if !errors.As(err, &e) || e.Line != 3 {
		t.Fatalf("err %v, want an *Error at line 3", err)
	}
	if _, err := ReadCSV([]byte("a,b\n\"x\n")); !errors.As(err, &e) || e.Line == 0 {
		t.Errorf("an unclosed quote: %v", err)
	}
}

// TestReadXLSX reads a workbook written by excelize as an HR system's export would be: a
// header, numbers typed as numbers (a mobile), a date cell, a blank row, a second sheet that
// is not read.
func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "员工"); err != nil {
		t.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"kind", "name", "mobile", "hired_date"},
		{"人员", "张三", 13800000001, 44263},
		nil,
		{"人员", "李四", "13800000002", "2021/3/9"},
	}
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("员工", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellStyle("员工", "D2", "D2", dateStyle); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("说明", "A1", "not read")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if !IsXLSX("export", buf.Bytes()) || !IsXLSX("org.XLSX", nil) || IsXLSX("org.csv", buf.Bytes()) || !IsXLSX("old.xls", nil) {
		t.Error("IsXLSX")
	}

	tab, err := ReadXLSX(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"kind", "name", "mobile", "hired_date"}, {"人员", "张三", "13800000001", "44263"}, {}, {"人员", "李四", "13800000002", "2021/3/9"}}
	if tab.Sheet != "员工" || !equalRows(tab.Rows, want) || !slices.Equal(tab.Lines, []int{1, 2, 3, 4}) {
		t.Errorf("read sheet %q: %q at %v", tab.Sheet, tab.Rows, tab.Lines)
	}
	if tab.Where(2) != "row 2" {
		t.Errorf("Where(2) = %q", tab.Where(2))
	}
	for cell, want := range map[string]string{"44263": "2021-03-08", "2021/3/9": "2021-03-09", "44263.75": "2021-03-08"} {
		if got, ok := tab.ParseDate(cell); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %s", cell, got, ok, want)
		}
	}
	csvTab := &Table{}
	if _, ok := csvTab.ParseDate("44263"); ok {
		t.Error("a serial number is a date in a CSV file")
	}

	if _, err := ReadXLSX([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls")); err == nil || !bytes.Contains([]byte(err.Error()), []byte(".xls")) {
		t.Errorf("an .xls workbook: %v", err)
	}
	if _, err := ReadXLSX([]byte("PK\x03\x04 not a zip")); err == nil {
		t.Error("a broken workbook read")
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2026-03-08": "2026-03-08", "2026-3-8": "2026-03-08", "2026/3/8": "2026-03-08", "2026.03.08": "2026-03-08",
		"2026年3月8日": "2026-03-08", "20260308": "2026-03-08", "2026-03-08 00:00:00": "2026-03-08", "2026-03-08T09:00:00+08:00": "2026-03-08",
		" 2026-03-08 ": "2026-03-08",
	} {
		if got, ok := ParseDate(in); !ok || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2026-02-30", "08/03/2026", "1899-12-31", "2101-01-01", "明天", "44263"} {
		if got, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) = %q, want refused", bad, got)
		}
	}
}

func equalRows(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}
