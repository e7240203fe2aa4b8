package orgpush

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// fullCSV is orgFull as a CSV file.
const fullCSV = "kind,id,name,parent_id,order,create_dept_group,hide_dept,outer_dept,userid,mobile,dept_ids,telephone,work_place,remark,org_email,hide_mobile,senior_mode,extattr,hired_date,manager,dept_order\n" +
	"部门,D1,研发中心,,10,是,,,,,,,,,,,,,,,\n" +
	"部门,D11,平台组,D1,,,是,是,,,,,,,,,,,,,\n" +
	"部门,D2,销售部,,,否,,,,,,,,,,,,,,,\n" +
	"人员,,张三,,,,,,u1,13800000001,D11,010-86123456-2345,未来park A座,试用期至六月,zhangsan@corp.example,是,否,工位=A-301;爱好=旅游,2021/3/8,u2,10\n" +
	"人员,,李四,,,,,,u2,13800000002,D1;D2,8802,,,,否,是,,2019-07-01,u3,D1=30\n" +
	"人员,,王总,,,,,,u3,13800000003,,,,,,,是,,2015-01-05,,\n"

// TestParse_GB18030 reads the CSV as Excel on Chinese Windows saves it, in GB18030: the same
// file as in UTF-8, and the plan says in one line how it was read.
func TestParse_GB18030(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(fullCSV))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(gb, []byte("\xd5\xc5\xc8\xfd")) { // 张三 in GB18030
		t.Fatal("the file is not GB18030")
	}
	f := mustParse(t, "full.csv", string(gb))
	u := mustParse(t, "full.csv", fullCSV)
	if f.Encoding != "GB18030" || u.Encoding != "UTF-8" {
		t.Errorf("encodings %q and %q", f.Encoding, u.Encoding)
	}
	if a, b := fileLines(f, false), fileLines(u, false); !slices.Equal(a, b) || f.People[0].Remark != "试用期至六月" || f.People[0].ExtAttrs[0].Key != "工位" {
		t.Errorf("GB18030 %q\nUTF-8 %q", a, b)
	}
	s := newEmptySim(t)
	text := planText(s.plan(t, f, Options{}))
	if !strings.Contains(text, "\n  The file is not UTF-8 but GB18030 (GBK), as Excel on Chinese Windows saves \"CSV\": read as GB18030.\n") {
		t.Errorf("the plan does not say how the file was read:\n%s", text)
	}
	if strings.Contains(planText(s.plan(t, u, Options{})), "GB18030") {
		t.Error("the plan of a UTF-8 file speaks of GB18030")
	}
	// A bad row of a GB18030 file is reported at its line, as in any CSV.
	bad, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(strings.Replace(fullCSV, "平台组", "平台-组", 1)))
	_, err = Parse("full.csv", bad)
	if e, ok := IsInvalidFile(err); !ok || len(e.Problems) != 1 || !strings.HasPrefix(e.Describe(e.Problems[0]), `line 3: department name "平台-组"`) {
		t.Errorf("a bad GB18030 file: %v", err)
	}
}

// fullXLSX writes fullCSV as an HR system's export: an .xlsx whose first sheet has the
// columns, mobiles and orders typed as numbers, hire dates as date cells, yes-or-no as
// booleans, and a second sheet that is not read.
func fullXLSX(t *testing.T, edit func(x *excelize.File)) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", "花名册"); err != nil {
		t.Fatal(err)
	}
	dateStyle, err := x.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, line := range strings.Split(strings.TrimSpace(fullCSV), "\n") {
		var row []any
		for _, cell := range strings.Split(line, ",") {
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	rows[4][9], rows[5][9], rows[6][9] = 13800000001, 13800000002, 13800000003 // mobiles as numbers
	rows[1][4] = 10
	rows[4][15], rows[4][16] = true, false
	rows[4][20] = 10
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("花名册", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	// Hire dates as Excel holds a date: a serial number shown as a date.
	for i, serial := range map[int]int{5: 44263, 6: 43647, 7: 42009} {
		cell, _ := excelize.CoordinatesToCellName(19, i)
		x.SetCellValue("花名册", cell, serial)
		x.SetCellStyle("花名册", cell, cell, dateStyle)
	}
	if edit != nil {
		edit(x)
	}
	if _, err := x.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	x.SetCellValue("说明", "A1", "kind,这张表不读")
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParse_XLSX reads the export's first sheet as the same file as the CSV and pushes it.
func TestParse_XLSX(t *testing.T) {
	data := fullXLSX(t, nil)
	f := mustParse(t, "花名册.xlsx", string(data))
	c := mustParse(t, "full.csv", fullCSV)
	if f.Sheet != "花名册" || f.Encoding != "" {
		t.Errorf("sheet %q, encoding %q", f.Sheet, f.Encoding)
	}
	if a, b := fileLines(f, false), fileLines(c, false); !slices.Equal(a, b) {
		t.Errorf("XLSX %q\nCSV %q", a, b)
	}
	if p := f.People[0]; p.HiredDate != "2021-03-08" || p.HideMobile == nil || !*p.HideMobile || p.Orders["D11"] != 10 {
		t.Errorf("first person %+v", p)
	}
	// Told apart by its bytes too, whatever its name.
	if g := mustParse(t, "export", string(data)); g.Sheet != "花名册" {
		t.Error("an .xlsx without its extension is not read as one")
	}
	s := newEmptySim(t)
	p, _ := s.push(t, f, Options{})
	if text := planText(p); !strings.Contains(text, "\n  Read the first sheet of the workbook, \"花名册\".\n") {
		t.Errorf("the plan does not say what was read:\n%s", text)
	}
	assertNothingPlanned(t, s, mustParse(t, "full.json", orgFull), Options{})

	// Problems are at the sheet's rows.
	bad := fullXLSX(t, func(x *excelize.File) {
		x.SetCellValue("花名册", "C3", "平台-组")
		x.SetCellValue("花名册", "S6", "明年")
	})
	_, err := Parse("花名册.xlsx", bad)
	e, ok := IsInvalidFile(err)
	if !ok || len(e.Problems) != 2 || e.Describe(e.Problems[0]) != `row 3: department name "平台-组" contains "-" or a comma, which DingTalk refuses` ||
		!strings.HasPrefix(e.Describe(e.Problems[1]), `row 6: hired_date "明年" of "u2" is not a date`) || !strings.Contains(err.Error(), "row 3") {
		t.Errorf("problems of a sheet: %v", err)
	}
}
