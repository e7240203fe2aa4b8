package report

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Column widths, in Excel's units (about one Latin character).
const (
	minColWidth = 6
	maxColWidth = 60
)

// WriteXLSX writes r as a workbook, one sheet per sheet of the report (see Sheets). Numbers
// are number cells, dates and times are date cells with a date format, the bold header row is
// frozen and columns are as wide as their longest value (in the first 1,000 rows). Rows are
// streamed: memory does not grow with them.
func WriteXLSX(w io.Writer, r Report, lang Lang) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write xlsx: %w", err)
		}
	}()
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	// excelize makes the workbook around the sheets (its parts, styles and sheet names); each
	// sheet's XML is written apart, to a temporary file, as the report's rows come
	// (writeSheetXML), and copied into the zip in place of the empty sheet excelize writes.
	parts := map[string]*os.File{}
	defer func() {
		for _, tmp := range parts {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	for i, s := range r.sheets() {
		name := lang.pick(s.zh, s.en)
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", s.key, err)
		}
		part, err := sheetPart(f, name)
		if err != nil {
			return err
		}
		tmp, err := os.CreateTemp("", "kaoqin-sheet-*.xml")
		if err != nil {
			return err
		}
		parts[part] = tmp
		if err := writeSheetXML(bufio.NewWriter(tmp), s, lang, st, i == 0); err != nil {
			return fmt.Errorf("sheet %s: %w", s.key, err)
		}
	}
	// excelize's Write builds the whole zip in a buffer before copying it to w: memory would
	// grow with the rows. Its zip writer is replaceable, so the zip goes straight to w instead
	// and the buffer stays empty. (The buffer is also where excelize patches the headers of
	// zip64 entries, which only sheets over 4 GB need: far beyond Excel's 1,048,576 rows.)
	ew := &errWriter{w: w}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return sheetZip{zip.NewWriter(ew), parts} })
	if err := f.Write(io.Discard); err != nil {
		return err
	}
	return ew.err
}

// sheetPart is the zip path of the sheet name: excelize names a sheet's part after its id.
func sheetPart(f *excelize.File, name string) (string, error) {
	for id, n := range f.GetSheetMap() {
		if n == name {
			return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
		}
	}
	return "", fmt.Errorf("no sheet %s in the workbook", name)
}

// sheetZip is the zip writer WriteXLSX gives excelize: every part goes to the zip as excelize
// writes it, but the sheets in parts, which are copied from their file instead.
type sheetZip struct {
	*zip.Writer
	parts map[string]*os.File
}

func (z sheetZip) Create(name string) (io.Writer, error) {
	w, err := z.Writer.Create(name)
	tmp, ok := z.parts[name]
	if err != nil || !ok {
		return w, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, tmp); err != nil {
		return nil, err
	}
	return io.Discard, nil
}

// errWriter keeps the first error of w: excelize does not check every write it makes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

type xlsxStyles struct {
	header, date, time, float, coord int
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	dateFmt, timeFmt, floatFmt, coordFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "0.00", "0.000000"
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&st.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
			Border:    []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}},
			Alignment: &excelize.Alignment{Vertical: "center"},
		}},
		{&st.date, &excelize.Style{CustomNumFmt: &dateFmt}},
		{&st.time, &excelize.Style{CustomNumFmt: &timeFmt}},
		{&st.float, &excelize.Style{CustomNumFmt: &floatFmt}},
		{&st.coord, &excelize.Style{CustomNumFmt: &coordFmt}},
	} {
		if *s.id, err = f.NewStyle(s.style); err != nil {
			return st, err
		}
	}
	return st, nil
}

// widthSample is how many rows the column widths of a sheet are fitted to: a report written
// as it is computed cannot be read twice for free, so the first rows are held back and
// measured before any is written (a sheet's XML gives the widths before the rows).
const widthSample = 1000

// columnWidths fits each column to its header and its longest value in rows.
func columnWidths(s sheet, lang Lang, rows [][]any) []float64 {
	cells := make([]int, len(s.cols))
	for i, h := range s.header(lang) {
		cells[i] = displayWidth(h)
	}
	for _, row := range rows {
		for i, v := range row {
			var n int
			switch s.cols[i].kind {
			case kDate:
				n = len(dateText)
			case kTime:
				n = len(timeText)
			default:
				n = displayWidth(cellText(v, s.cols[i].kind))
			}
			cells[i] = max(cells[i], n)
		}
	}
	widths := make([]float64, len(cells))
	for i, n := range cells {
		widths[i] = float64(min(max(n+2, minColWidth), maxColWidth))
	}
	return widths
}
