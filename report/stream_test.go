package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kaoqin/kaoqin"
)

// openStream opens the period report of the fixture's two weeks, read size employees at a time.
func openStream(t *testing.T, src SliceSource, size int, depts ...int64) *PeriodStream {
	t.Helper()
	s, err := OpenPeriod(context.Background(), src, "2026-11-09", "2026-11-23", opts(afterRange, depts...))
	if err != nil {
		t.Fatal(err)
	}
	s.size = size
	return s
}

// writeAll writes r in every format and sheet, in both languages.
func writeAll(t *testing.T, r Report) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, lang := range []Lang{Chinese, English} {
		for _, f := range []Format{FormatTable, FormatJSON, FormatCSV, FormatXLSX} {
			var b bytes.Buffer
			if err := Write(&b, r, f, lang); err != nil {
				t.Fatalf("%s %s: %v", f, lang, err)
			}
			out[fmt.Sprintf("%s %s", f, lang)] = b.Bytes()
		}
		var b bytes.Buffer
		if err := WriteCSVSheet(&b, r, "departments", lang); err != nil {
			t.Fatal(err)
		}
		out["departments.csv "+string(lang)] = b.Bytes()
	}
	var b bytes.Buffer
	if err := WriteCompactJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	out["compact json"] = b.Bytes()
	return out
}

// TestPeriodStream_SameAsPeriod: a report computed a slice of the company at a time is
// written exactly as the one computed whole, in every format, for the company and for a
// scope, whatever the size of the slices: the slices meet at transfers, leavers, people
// without a department and people without checks.
func TestPeriodStream_SameAsPeriod(t *testing.T) {
	for _, scope := range [][]int64{nil, {5}, {3, 6}} {
		want := writeAll(t, mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange, scope...)))
		for _, size := range []int{1, 2, 5, 1000} {
			t.Run(fmt.Sprintf("scope %v, slices of %d", scope, size), func(t *testing.T) {
				src := &fakeSource{in: company()}
				got := writeAll(t, openStream(t, src, size, scope...))
				for k := range want {
					if k == "xlsx zh" || k == "xlsx en" {
						// A zip records the time it was made: compare the cells.
						if a, b := xlsxCells(t, want[k]), xlsxCells(t, got[k]); a != b {
							t.Errorf("%s differs:\n%s\nwant\n%s", k, b, a)
						}
						continue
					}
					if !bytes.Equal(want[k], got[k]) {
						t.Errorf("%s differs:\n%s\nwant\n%s", k, got[k], want[k])
					}
				}
				// It did read a slice at a time: every read of checks names its slice, and
				// there are as many as slices of employees.
				emps := len(company().Employees)
				wantSlices := emps/size + 1
				if len(src.checkSlice) < wantSlices-1 && scope == nil {
					t.Errorf("%d reads of checks for %d employees in slices of %d", len(src.checkSlice), emps, size)
				}
				if size < emps && scope == nil && src.checkSlice[0][1] == "" {
					t.Errorf("the first read of checks was not bounded: %v", src.checkSlice[0])
				}
			})
		}
	}
}

// TestPeriodStream_EncodingJSON: the period JSON, written a line at a time, is what
// encoding/json writes for the Period: the same bytes, indented and compact.
func TestPeriodStream_EncodingJSON(t *testing.T) {
	for _, scope := range [][]int64{nil, {5}} {
		p := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange, scope...))
		for _, indent := range []string{"  ", ""} {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", indent)
			if err := enc.Encode(p); err != nil {
				t.Fatal(err)
			}
			if err := writeJSON(&got, p, indent); err != nil {
				t.Fatal(err)
			}
			if want.String() != got.String() {
				t.Errorf("indent %q, scope %v: got\n%s\nwant\n%s", indent, scope, got.String(), want.String())
			}
		}
	}
	// No employee at all: an empty list, not null.
	in := company()
	in.Checks, in.Memberships, in.Leaves = nil, nil, nil
	s := openStream(t, &fakeSource{in: in}, 2)
	var b bytes.Buffer
	if err := WriteCompactJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"employees":[],"company":{"headcount":0,`) {
		t.Errorf("empty report: %s", b.String())
	}
}

// TestPeriodStream_Walk: the lines come in userid order, the totals once they are all in.
func TestPeriodStream_Walk(t *testing.T) {
	s := openStream(t, &fakeSource{in: company()}, 3)
	var ids []string
	p, err := s.Walk(func(e *PeriodEmployee) error {
		ids = append(ids, e.UserID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange))
	var wantIDs []string
	for _, e := range want.Employees {
		wantIDs = append(wantIDs, e.UserID)
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("walked %v, want %v", ids, wantIDs)
	}
	if !reflect.DeepEqual(p.Company, want.Company) || len(p.Departments) != len(want.Departments) || p.Employees != nil {
		t.Errorf("totals %+v, want %+v (and no employee lines)", p.Company, want.Company)
	}
	// fn's error stops the walk and comes back.
	n := 0
	stop := fmt.Errorf("enough")
	if _, err := s.Walk(func(*PeriodEmployee) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("walk after fn failed: %v after %d lines", err, n)
	}
}

// TestPeriodStream_Errors: what cannot be reported fails at OpenPeriod, before anything is
// written; a store failing in the middle fails the writer, naming what it was reading.
func TestPeriodStream_Errors(t *testing.T) {
	ctx := context.Background()
	in := company()
	in.Coverage = in.Coverage[:3]
	src := &fakeSource{in: in}
	_, err := OpenPeriod(ctx, src, "2026-11-09", "2026-11-23", opts(afterRange))
	if kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED || !strings.Contains(err.Error(), "kaoqin sync --from 2026-11-12 --to 2026-11-23") {
		t.Errorf("error %v, want ENOTSYNCED saying what to run", err)
	}
	if _, err := OpenPeriod(ctx, &fakeSource{in: company()}, "2026-11-09", "2026-11-23", opts(afterRange, 404)); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("unknown department: %v", err)
	}
	if _, err := OpenPeriod(ctx, &fakeSource{in: company()}, "2026-11-23", "2026-11-09", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("range backwards: %v", err)
	}
	for _, method := range []string{"EmployeesAfter", "MembershipsOf", "Checks", "LeavesOf"} {
		src := &fakeSource{in: company(), fail: method}
		s := openStream(t, src, 2)
		for _, f := range []Format{FormatTable, FormatJSON, FormatCSV, FormatXLSX} {
			err := Write(&bytes.Buffer{}, s, f, Chinese)
			if err == nil || !strings.Contains(err.Error(), "disk on fire") {
				t.Errorf("%s failing, %s: %v", method, f, err)
			}
		}
	}
}

// xlsxCells dumps a workbook's sheets: names, column widths and every cell as text.
func xlsxCells(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "sheet %s:", name)
		for c := range len(rows[0]) {
			col, _ := excelize.ColumnNumberToName(c + 1)
			w, _ := f.GetColWidth(name, col)
			fmt.Fprintf(&out, " %g", w)
		}
		out.WriteString("\n")
		for _, r := range rows {
			fmt.Fprintf(&out, "%q\n", r)
		}
	}
	return out.String()
}
