// Package tabfile reads the tables people keep in spreadsheets and hand to kaoqin: CSV saved
// by Excel or WPS, in UTF-8 or, as Excel on Chinese Windows saves "CSV", in GB18030 (GBK),
// and the .xlsx an HR system exports (its first sheet). Every reader of such a file (the org
// push file today) goes through it, so that each takes the same files and says the same
// things about them.
package tabfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encodings a text file is read in.
const (
	UTF8    = "UTF-8"
	GB18030 = "GB18030"
)

// Table is the rows of a file, each with where it is in the file.
type Table struct {
	Rows  [][]string
	Lines []int // the line (CSV) or the sheet's row number (XLSX) of each row

	Encoding string // CSV: UTF8 or GB18030
	Sheet    string // XLSX: the name of the sheet read
	date1904 bool   // XLSX: serial dates count from 1904
}

// XLSX reports whether the table came from an .xlsx workbook: its Lines are row numbers.
func (t *Table) XLSX() bool { return t.Sheet != "" }

// Where names a position of the table as a person looking at the file would: "line 4" in a
// CSV file, "row 4" in a sheet.
func (t *Table) Where(line int) string {
	if t.XLSX() {
		return fmt.Sprintf("row %d", line)
	}
	return fmt.Sprintf("line %d", line)
}

// Error is a file that cannot be read as a table, at a line (0 for the whole file).
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Text returns data as UTF-8 text and the encoding it was in: UTF-8 data as it is (without
// the byte order mark Excel writes), and data that is not UTF-8 but is GB18030 (what Excel on
// Chinese Windows saves as "CSV"), decoded. Anything else is an *Error at the line of the
// first byte that is neither.
func Text(data []byte) ([]byte, string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return data, UTF8, nil
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	// The decoder writes U+FFFD for each byte sequence GB18030 does not have.
	if err == nil && !bytes.ContainsRune(text, utf8.RuneError) {
		return text, GB18030, nil
	}
	line := 1
	if err == nil {
		line += bytes.Count(text[:bytes.IndexRune(text, utf8.RuneError)], []byte("\n"))
	}
	return nil, "", &Error{line, "the file is neither UTF-8 nor GB18030 (GBK) text; save it as \"CSV UTF-8\" from Excel"}
}

// ReadCSV reads CSV in UTF-8 or GB18030: every record with the line it starts on, cells with
// leading blanks removed, blank lines skipped. A malformed file is an *Error at its line.
func ReadCSV(data []byte) (*Table, error) {
	text, enc, err := Text(data)
	if err != nil {
		return nil, err
	}
	t := &Table{Encoding: enc}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return t, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &Error{pe.Line, fmt.Sprintf("not valid CSV: %v", pe.Err)}
			}
			return nil, &Error{0, fmt.Sprintf("not valid CSV: %v", err)}
		}
		line, _ := r.FieldPos(0)
		t.Rows = append(t.Rows, rec)
		t.Lines = append(t.Lines, line)
	}
}

// IsXLSX reports whether a file is a workbook, for ReadXLSX: by its extension, else by the
// ZIP signature every .xlsx starts with (or that of an old .xls, which ReadXLSX explains it
// cannot read).
func IsXLSX(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xls":
		return true
	case ".csv", ".json", ".txt":
		return false
	}
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte(oleMagic))
}

// oleMagic starts an old binary .xls workbook (and an encrypted .xlsx).
const oleMagic = "\xd0\xcf\x11\xe0"

// ReadXLSX reads the first sheet of an .xlsx workbook: its cells as stored (a number as its
// digits whatever its display format, a date as Excel's serial number, which ParseDate
// takes), each row with its row number. Rows of blank cells are kept, as blank rows.
func ReadXLSX(data []byte) (*Table, error) {
	if bytes.HasPrefix(data, []byte(oleMagic)) {
		return nil, &Error{0, "this is an old .xls workbook (or an encrypted one): save it as .xlsx or as \"CSV UTF-8\""}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, &Error{0, fmt.Sprintf("not a readable .xlsx workbook (%v): save it again as .xlsx or as \"CSV UTF-8\"", err)}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &Error{0, "the workbook has no sheet"}
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &Error{0, fmt.Sprintf("read sheet %q: %v", sheets[0], err)}
	}
	t := &Table{Sheet: sheets[0]}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	for i, row := range rows {
		t.Rows = append(t.Rows, row)
		t.Lines = append(t.Lines, i+1)
	}
	return t, nil
}

// dateLayouts are the ways a date is written in a spreadsheet cell or a CSV file exported
// from one, in China and in ISO form.
var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日", "20060102"}

// ParseDate reads a calendar date as people write it (2026-03-08, 2026/3/8, 2026.3.8,
// 2026年3月8日, 20260308, optionally followed by a time of day, which is ignored) and returns
// it as YYYY-MM-DD. ok is false for anything else, and for a year before 1900 or after 2100.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if date, _, ok := strings.Cut(s, " "); ok {
		s = date // "2026-03-08 00:00:00", as some exports write dates
	} else if date, _, ok := strings.Cut(s, "T"); ok && len(date) >= 8 {
		s = date
	}
	for _, layout := range dateLayouts {
		if d, err := time.Parse(layout, s); err == nil {
			if d.Year() < 1900 || d.Year() > 2100 {
				return "", false
			}
			return d.Format("2006-01-02"), true
		}
	}
	return "", false
}

// ParseDate reads a date cell: as the package's ParseDate, and in a sheet also Excel's serial
// number of a day (what a cell formatted as a date holds).
func (t *Table) ParseDate(s string) (string, bool) {
	if d, ok := ParseDate(s); ok {
		return d, true
	}
	if !t.XLSX() {
		return "", false
	}
	serial, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || serial < 1 || serial > 73051 { // 1900-01-01 .. 2099-12-31
		return "", false
	}
	d, err := excelize.ExcelDateToTime(serial, t.date1904)
	if err != nil {
		return "", false
	}
	return d.Format("2006-01-02"), true
}
