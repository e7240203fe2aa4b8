package report

import (
	"io"

	"github.com/kaoqin/kaoqin"
)

// Format is an output format of the reports.
type Format string

const (
	FormatTable Format = "table" // aligned text for a terminal
	FormatJSON  Format = "json"  // the contract of spec/reports.md
	FormatCSV   Format = "csv"   // UTF-8 with a BOM, so that Excel reads Chinese text
	FormatXLSX  Format = "xlsx"  // a workbook: numbers as numbers, dates as dates
)

// ParseFormat reads --format.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatTable, FormatJSON, FormatCSV, FormatXLSX:
		return f, nil
	}
	return "", kaoqin.Errorf(kaoqin.EINVALID, "unknown format %q: want table, json, csv or xlsx", s)
}

// Report is a report the writers write: *Daily, *Period or *PeriodStream.
type Report interface {
	// sheets are the report's tables, the main one first: the XLSX sheets, the CSV files.
	sheets() []sheet
	writeTable(w io.Writer, lang Lang) error
	// writeJSON writes the JSON of spec/reports.md, indented by indent ("": compact).
	writeJSON(w io.Writer, indent string) error
}

// Write writes r to w in format f, with headers in lang. For CSV it writes the main sheet
// (the departments of a daily report, the employees of a period report); see WriteCSVSheet.
func Write(w io.Writer, r Report, f Format, lang Lang) error {
	switch f {
	case FormatTable:
		return WriteTable(w, r, lang)
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatCSV:
		return WriteCSV(w, r, lang)
	case FormatXLSX:
		return WriteXLSX(w, r, lang)
	}
	return kaoqin.Errorf(kaoqin.EINVALID, "unknown format %q: want table, json, csv or xlsx", f)
}

// Sheets returns the keys of r's sheets, the main one first: "departments" and "checks" for a
// daily report, "employees" and "departments" for a period report.
func Sheets(r Report) []string {
	var keys []string
	for _, s := range r.sheets() {
		keys = append(keys, s.key)
	}
	return keys
}

func findSheet(r Report, key string) (sheet, error) {
	for _, s := range r.sheets() {
		if s.key == key {
			return s, nil
		}
	}
	return sheet{}, kaoqin.Errorf(kaoqin.EINVALID, "unknown sheet %q: want one of %v", key, Sheets(r))
}
