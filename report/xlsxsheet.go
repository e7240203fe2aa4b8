package report

import (
	"bufio"
	"encoding/xml"
	"math"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// sheetXML writes one worksheet's XML (SpreadsheetML) as its rows come: the part of a workbook
// that grows with the report. excelize's stream writer keeps each sheet in memory until it
// passes 16 MB, and its buffer doubles to 32 MB on the way: the period export of 100,000
// people took 60% more memory than that of 10,000. This writer holds only the first
// widthSample rows, to fit the column widths to them; WriteXLSX puts its XML in place of the
// empty sheet excelize writes.
type sheetXML struct {
	w    *bufio.Writer
	st   xlsxStyles
	cols []string // column letters: A, B, ...
	row  int
	num  []byte // scratch: a number cell's value
}

// writeSheetXML writes sheet s in lang to w: the first row, bold and frozen, holds the
// headers; columns are as wide as their header and longest value in the first widthSample
// rows; the sheet is the selected one if active.
func writeSheetXML(w *bufio.Writer, s sheet, lang Lang, st xlsxStyles, active bool) error {
	x := &sheetXML{w: w, st: st, cols: make([]string, len(s.cols))}
	for i := range s.cols {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		x.cols[i] = name
	}
	var held [][]any
	started := false
	start := func() {
		started = true
		x.head(columnWidths(s, lang, held), active)
		x.startRow(` s="` + strconv.Itoa(st.header) + `" customFormat="1"`)
		for i, h := range s.header(lang) {
			x.text(i, h, st.header)
		}
		x.w.WriteString(`</row>`)
		for _, row := range held {
			x.data(s, row)
		}
		held = nil
	}
	for row, err := range s.cells(lang) {
		switch {
		case err != nil:
			return err
		case started:
			x.data(s, row)
		default:
			if held = append(held, row); len(held) == widthSample {
				start()
			}
		}
	}
	if !started {
		start()
	}
	x.w.WriteString(`</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	return x.w.Flush()
}

// head writes what comes before the rows: the frozen first row and the column widths.
func (x *sheetXML) head(widths []float64, active bool) {
	x.w.WriteString(xml.Header)
	x.w.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView`)
	if active {
		x.w.WriteString(` tabSelected="1"`)
	}
	x.w.WriteString(` workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i, w := range widths {
		n := strconv.Itoa(i + 1)
		x.w.WriteString(`<col min="` + n + `" max="` + n + `" width="` + strconv.FormatFloat(w, 'f', -1, 64) + `" customWidth="1"/>`)
	}
	x.w.WriteString(`</cols><sheetData>`)
}

func (x *sheetXML) startRow(attrs string) {
	x.row++
	x.w.WriteString(`<row r="`)
	x.writeInt(x.row)
	x.w.WriteString(`"` + attrs + `>`)
}

// data writes a row of values: numbers stay numbers, dates and times become date cells
// showing their wall clock, nil is an empty cell.
func (x *sheetXML) data(s sheet, row []any) {
	x.startRow("")
	for i, v := range row {
		switch v := v.(type) {
		case string:
			x.text(i, v, 0)
		case indented:
			x.text(i, v.name, 0)
		case int:
			x.number(i, strconv.AppendInt(x.num[:0], int64(v), 10), 0)
		case int64:
			x.number(i, strconv.AppendInt(x.num[:0], v, 10), 0)
		case float64:
			style := x.st.float
			if s.cols[i].kind == kCoord {
				style = x.st.coord
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				x.text(i, strconv.FormatFloat(v, 'g', -1, 64), style)
				continue
			}
			x.number(i, strconv.AppendFloat(x.num[:0], v, 'f', -1, 64), style)
		case time.Time:
			style := x.st.time
			if s.cols[i].kind == kDate {
				style = x.st.date
			}
			x.number(i, strconv.AppendFloat(x.num[:0], excelTime(v), 'f', -1, 64), style)
		}
	}
	x.w.WriteString(`</row>`)
}

// open writes the start of cell col of the current row, up to its value.
func (x *sheetXML) open(col, style int, typ string) {
	x.w.WriteString(`<c r="`)
	x.w.WriteString(x.cols[col])
	x.writeInt(x.row)
	x.w.WriteByte('"')
	if style != 0 {
		x.w.WriteString(` s="`)
		x.writeInt(style)
		x.w.WriteByte('"')
	}
	x.w.WriteString(typ)
	x.w.WriteByte('>')
}

// writeInt writes n in the writer's own buffer: a sheet has millions of cell references.
func (x *sheetXML) writeInt(n int) {
	x.w.Write(strconv.AppendInt(x.w.AvailableBuffer(), int64(n), 10))
}

// number writes a number cell whose text is v (built in x.num).
func (x *sheetXML) number(col int, v []byte, style int) {
	x.num = v[:0] // keeps what the buffer grew to
	x.open(col, style, "")
	x.w.WriteString(`<v>`)
	x.w.Write(v)
	x.w.WriteString(`</v></c>`)
}

// text writes a string cell, inline (as excelize's stream writer did): at most Excel's 32,767
// characters, escaped, its spaces kept at either end.
// An empty string is an empty string cell, not no cell, as excelize wrote it.
func (x *sheetXML) text(col int, v string, style int) {
	v = truncateCell(v)
	x.open(col, style, ` t="inlineStr"`)
	x.w.WriteString(`<is><t`)
	if v != "" && (v[0] == ' ' || v[len(v)-1] == ' ') {
		x.w.WriteString(` xml:space="preserve"`)
	}
	x.w.WriteByte('>')
	xml.EscapeText(x.w, []byte(v))
	x.w.WriteString(`</t></is></c>`)
}

// maxCellChars is how many UTF-16 units a cell holds in Excel.
const maxCellChars = 32767

// truncateCell cuts v to what a cell holds.
func truncateCell(v string) string {
	if len(v) <= maxCellChars {
		return v // a UTF-16 unit takes at least a byte of UTF-8
	}
	n := 0
	for i, r := range v {
		if n += utf16.RuneLen(r); n > maxCellChars {
			return v[:i]
		}
	}
	return v
}

// excelEpoch is day 0 of Excel's 1900 date system as it counts past February 1900 (it
// believes 1900 was a leap year).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelTime is t's wall clock as Excel's serial date: days since excelEpoch, the time of day as
// the fraction. (A date cell has no zone: it shows the wall clock of t's.)
func excelTime(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	const day = 24 * time.Hour
	d := wall.Sub(excelEpoch)
	rem := d % day
	return float64(d-rem)/float64(day) + float64(rem)/float64(day)
}
