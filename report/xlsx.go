package report

import (
	"archive/zip"
	"fmt"
	"io"
	"time"

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
func WriteXLSX(w io.Writer, r Report, lang Lang) error {
	f := excelize.NewFile()
	defer f.Close()
	// excelize's Write builds the whole zip in a buffer before copying it to w: memory would
	// grow with the rows. Its zip writer is replaceable, so the zip goes straight to w instead
	// and the buffer stays empty. (The buffer is also where excelize patches the headers of
	// zip64 entries, which only sheets over 4 GB need: far beyond Excel's 1,048,576 rows.)
	ew := &errWriter{w: w}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(ew) })
	st, err := newXLSXStyles(f)
	if err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	for i, s := range r.sheets() {
		name := lang.pick(s.zh, s.en)
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err == nil {
			err = writeXLSXSheet(f, name, s, lang, st)
		}
		if err != nil {
			return fmt.Errorf("write xlsx sheet %s: %w", s.key, err)
		}
	}
	// The first sheet is the active one already. (SetActiveSheet would parse every streamed
	// sheet back into memory.)
	if err := f.Write(io.Discard); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if ew.err != nil {
		return fmt.Errorf("write xlsx: %w", ew.err)
	}
	return nil
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
// measured before any is written (excelize wants the widths first).
const widthSample = 1000

func writeXLSXSheet(f *excelize.File, name string, s sheet, lang Lang, st xlsxStyles) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	cells := make([]any, len(s.cols))
	n := 1
	write := func(row []any) error {
		n++
		for i, v := range row {
			cells[i] = xlsxValue(v, s.cols[i].kind, st)
		}
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, cells)
	}
	var held [][]any
	started := false
	start := func() error {
		started = true
		// excelize puts each new column first, and writes them as they are in stream mode:
		// set the last column first so that they come out in order, as Excel requires.
		widths := columnWidths(s, lang, held)
		for i := len(widths) - 1; i >= 0; i-- {
			if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return err
		}
		header := make([]any, len(s.cols))
		for i, h := range s.header(lang) {
			header[i] = excelize.Cell{StyleID: st.header, Value: h}
		}
		if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: st.header}); err != nil {
			return err
		}
		for _, row := range held {
			if err := write(row); err != nil {
				return err
			}
		}
		held = nil
		return nil
	}
	for row, err := range s.cells(lang) {
		switch {
		case err != nil:
			return err
		case started:
			err = write(row)
		default:
			if held = append(held, row); len(held) == widthSample {
				err = start()
			}
		}
		if err != nil {
			return err
		}
	}
	if !started {
		if err := start(); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxValue turns a sheet value into a cell: numbers stay numbers, dates and times become
// date cells showing their wall clock.
func xlsxValue(v any, k kind, st xlsxStyles) any {
	switch x := v.(type) {
	case indented:
		return x.name
	case float64:
		if k == kCoord {
			return excelize.Cell{StyleID: st.coord, Value: x}
		}
		return excelize.Cell{StyleID: st.float, Value: x}
	case time.Time:
		// excelize writes the wall clock of the time's zone; a date cell has no zone.
		if k == kDate {
			return excelize.Cell{StyleID: st.date, Value: x}
		}
		return excelize.Cell{StyleID: st.time, Value: x}
	}
	return v
}

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
