package orgpush

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin/tabfile"
)

// File is an HR org chart: the departments and people DingTalk should have. Load reads and
// validates one.
type File struct {
	Name        string // the file's path, for messages
	Departments []Department
	People      []Person

	Encoding string // a text file's encoding: "UTF-8", or "GB18030" for Chinese Excel's "CSV"
	Sheet    string // an .xlsx workbook: the sheet read (its first)
}

// Department is a department of the HR file. A nil field leaves DingTalk's value as it is.
type Department struct {
	Line     int    // line of the row (CSV), row of the sheet (XLSX) or line of the object's "{" (JSON)
	ID       string // the HR system's id; stored in DingTalk as source_identifier
	Name     string
	ParentID string // HR id of the parent; "" for a department directly under DingTalk's root
	Order    *int64 // its place among its siblings, smaller first

	CreateDeptGroup *bool // DingTalk creates the department's group chat (createDeptGroup)
	HideDept        *bool // hidden in the contacts (deptHiding)
	OuterDept       *bool // its members see only part of the contacts (outerDept)
}

// Person is a person of the HR file. An empty text field or a nil one leaves DingTalk's value
// as it is, unless the push is told to clear that field (Options.Clear).
type Person struct {
	Line      int
	UserID    string
	Name      string
	Mobile    string // normalised: 11 digits for mainland China, else +CC-NUMBER
	Email     string
	JobNumber string
	Title     string
	DeptIDs   []string // HR department ids; none means DingTalk's root department

	Telephone  string // office telephone (分机号), unique in the org
	WorkPlace  string
	Remark     string
	OrgEmail   string // the organisation's mailbox of the person (企业邮箱)
	HideMobile *bool  // the mobile hidden on their profile (isHide)
	SeniorMode *bool  // senior mode (isSenior): the mobile hidden from everyone
	ExtAttrs   []Attr // custom attributes (extattr) to set; an empty Value removes one
	HiredDate  string // YYYY-MM-DD, a day in the company's time zone
	Manager    string // userid of their manager (直属主管), in the file or in DingTalk
	// Orders is their order (DingTalk lists larger first) in some of their departments, by
	// HR id ("" for DingTalk's root when they have no department). A department left out
	// keeps DingTalk's order.
	Orders map[string]int64
}

// Attr is one custom attribute of a person.
type Attr struct {
	Key, Value string
}

// Problem is one thing wrong with the file, at a line (0 when it concerns the whole file):
// for an .xlsx workbook, the row of its sheet.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return p.in(false) }

func (p Problem) in(sheet bool) string {
	switch {
	case p.Line == 0:
		return p.Msg
	case sheet:
		return fmt.Sprintf("row %d: %s", p.Line, p.Msg)
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
}

// InvalidFileError is returned by Load, Parse and NewPlan when the file has problems. Nothing
// is sent to DingTalk for such a file.
type InvalidFileError struct {
	File     string
	Problems []Problem
	Sheet    bool // the lines are the rows of an .xlsx sheet
}

func (e *InvalidFileError) Error() string {
	n := len(e.Problems)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("%s has %d problem%s (first: %s); nothing was sent to DingTalk", e.File, n, s, e.Describe(e.Problems[0]))
}

// Describe writes a problem as the file's reader sees it: "line 4: ..." ("row 4: ..." in a
// sheet).
func (e *InvalidFileError) Describe(p Problem) string { return p.in(e.Sheet) }

// maxFileSize bounds what Load reads: 100,000 people take about 20 MB.
const maxFileSize = 256 << 20

// Load reads an HR org file, CSV, an .xlsx workbook (its first sheet) or JSON, by its
// extension, else by its first bytes, and validates it whole. A text file may be UTF-8 or
// GB18030 (what Excel on Chinese Windows saves as "CSV"). Problems come back as an
// *InvalidFileError listing every one with its line.
func Load(path string) (*File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read org file: %w", err)
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("read org file %s: %d bytes is more than the %d this command reads", path, info.Size(), maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read org file: %w", err)
	}
	return Parse(path, data)
}

// Parse reads and validates an HR org file held in memory; name is used in messages and to
// tell the formats apart.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	fail := func(err error) (*File, error) {
		var te *tabfile.Error
		if errors.As(err, &te) {
			return nil, &InvalidFileError{File: name, Problems: []Problem{{te.Line, te.Msg}}, Sheet: f.Sheet != ""}
		}
		return nil, err
	}
	var problems []Problem
	var fatal bool
	if tabfile.IsXLSX(name, data) {
		t, err := tabfile.ReadXLSX(data)
		if err != nil {
			return fail(err)
		}
		f.Sheet = t.Sheet
		problems, fatal = readTable(t, f)
	} else {
		text, enc, err := tabfile.Text(data)
		if err != nil {
			return fail(err)
		}
		f.Encoding = enc
		if format(name, text) == "json" {
			problems, fatal = readJSON(text, f)
		} else {
			t, err := tabfile.ReadCSV(text)
			if err != nil {
				return fail(err)
			}
			problems, fatal = readTable(t, f)
		}
	}
	// Rows that could be read are checked even when others could not, so that one run
	// lists every problem.
	if !fatal {
		problems = append(problems, validate(f)...)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &InvalidFileError{File: name, Problems: problems, Sheet: f.Sheet != ""}
	}
	return f, nil
}

func format(name string, data []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return "json"
	case ".csv":
		return "csv"
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return "json"
	}
	return "csv"
}

// IsInvalidFile reports whether err says the file has problems, and returns them.
func IsInvalidFile(err error) (*InvalidFileError, bool) {
	var e *InvalidFileError
	ok := errors.As(err, &e)
	return e, ok
}
