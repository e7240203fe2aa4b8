package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// bom starts every CSV file: without it Excel reads UTF-8 as the local code page and shows
// Chinese names as mojibake.
const bom = "\uFEFF"

// WriteCSV writes the main sheet of r as CSV: the departments of a daily report, the
// employees of a period report. The columns are those of the XLSX sheet.
func WriteCSV(w io.Writer, r Report, lang Lang) error {
	return writeCSV(w, r.sheets()[0], lang)
}

// WriteCSVSheet writes the sheet key of r (see Sheets) as CSV.
func WriteCSVSheet(w io.Writer, r Report, key string, lang Lang) error {
	s, err := findSheet(r, key)
	if err != nil {
		return err
	}
	return writeCSV(w, s, lang)
}

func writeCSV(w io.Writer, s sheet, lang Lang) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(s.header(lang)); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	rec := make([]string, len(s.cols))
	for row, err := range s.cells(lang) {
		if err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		for i, v := range row {
			rec[i] = cellText(v, s.cols[i].kind)
			if _, text := v.(string); text || isIndented(v) {
				rec[i] = defuseFormula(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func isIndented(v any) bool { _, ok := v.(indented); return ok }

// defuseFormula keeps Excel from running text as a formula: a name typed into DingTalk as
// "=HYPERLINK(...)" must reach payroll as text (OWASP's CSV injection advice: prefix a
// quote). Numbers and dates are not text and are never touched.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
