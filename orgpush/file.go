package orgpush

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// File is an HR org chart: the departments and people DingTalk should have. Load reads and
// validates one.
type File struct {
	Name        string // the file's path, for messages
	Departments []Department
	People      []Person
}

// Department is a department of the HR file.
type Department struct {
	Line     int    // line of the row (CSV) or of the object's "{" (JSON)
	ID       string // the HR system's id; stored in DingTalk as source_identifier
	Name     string
	ParentID string // HR id of the parent; "" for a department directly under DingTalk's root
	Order    *int64 // nil: DingTalk's order is left as it is
}

// Person is a person of the HR file. Empty Email, JobNumber and Title leave DingTalk's value
// as it is: DingTalk's update API has no documented way to clear them.
type Person struct {
	Line      int
	UserID    string
	Name      string
	Mobile    string // normalised: 11 digits for mainland China, else +CC-NUMBER
	Email     string
	JobNumber string
	Title     string
	DeptIDs   []string // HR department ids; none means DingTalk's root department
}

// Problem is one thing wrong with the file, at a line (0 when it concerns the whole file).
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return p.Msg
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
}

// InvalidFileError is returned by Load and Parse when the file has problems. Nothing is sent
// to DingTalk for such a file.
type InvalidFileError struct {
	File     string
	Problems []Problem
}

func (e *InvalidFileError) Error() string {
	n := len(e.Problems)
	s := "s"
	if n == 1 {
		s = ""
	}
	return fmt.Sprintf("%s has %d problem%s (first: %s); nothing was sent to DingTalk", e.File, n, s, e.Problems[0])
}

// maxFileSize bounds what Load reads: 100,000 people take about 20 MB.
const maxFileSize = 256 << 20

// Load reads an HR org file, CSV or JSON (by its extension, .csv or .json, else by its first
// character), and validates it whole. Problems come back as an *InvalidFileError listing every
// one with its line.
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
// tell CSV from JSON.
func Parse(name string, data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel's UTF-8 byte order mark
	f := &File{Name: name}
	var problems []Problem
	if line, ok := invalidUTF8(data); !ok {
		problems = append(problems, Problem{line, "the file is not UTF-8 text; save it as \"CSV UTF-8\" (Excel) or UTF-8 JSON"})
		return nil, &InvalidFileError{name, problems}
	}
	var fatal bool
	switch format(name, data) {
	case "json":
		problems, fatal = readJSON(data, f)
	default:
		problems, fatal = readCSV(data, f)
	}
	// Rows that could be read are checked even when others could not, so that one run
	// lists every problem.
	if !fatal {
		problems = append(problems, validate(f)...)
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, &InvalidFileError{name, problems}
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

// invalidUTF8 returns the line of the first byte that is not UTF-8.
func invalidUTF8(data []byte) (int, bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 {
			return line, false
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line, false
}

// IsInvalidFile reports whether err says the file has problems, and returns them.
func IsInvalidFile(err error) (*InvalidFileError, bool) {
	var e *InvalidFileError
	ok := errors.As(err, &e)
	return e, ok
}
