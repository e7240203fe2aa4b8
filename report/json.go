package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes r as the JSON of spec/reports.md, indented, Chinese as is.
func WriteJSON(w io.Writer, r Report) error { return writeJSON(w, r, "  ") }

// WriteCompactJSON writes r as WriteJSON does, without the indentation: for the API.
func WriteCompactJSON(w io.Writer, r Report) error { return writeJSON(w, r, "") }

func writeJSON(w io.Writer, r Report, indent string) error {
	bw := bufio.NewWriter(w)
	if err := r.writeJSON(bw, indent); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func (d *Daily) writeJSON(w io.Writer, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

func (r *Period) writeJSON(w io.Writer, indent string) error { return writePeriodJSON(w, r, indent) }
func (s *PeriodStream) writeJSON(w io.Writer, indent string) error {
	return writePeriodJSON(w, s, indent)
}

// writePeriodJSON writes a period report as encoding/json writes a Period, each employee's
// line as it comes: a stream's lines are never all in memory.
func writePeriodJSON(w io.Writer, r periodLines, indent string) error {
	h := r.header()
	o := &jsonObject{w: w, indent: indent}
	o.field("kind", h.Kind)
	o.field("from", h.From)
	o.field("to", h.To)
	o.field("timezone", h.Timezone)
	o.field("generated_at", h.GeneratedAt)
	o.field("final", h.Final)
	if len(h.Scope) > 0 {
		o.field("scope", h.Scope)
	}
	if len(h.LeaveTypes) > 0 {
		o.field("leave_types", h.LeaveTypes)
	}
	o.key("employees")
	o.write("[")
	n := 0
	p, err := r.walk(func(e *PeriodEmployee) error {
		if n > 0 {
			o.write(",")
		}
		n++
		o.newline(2)
		o.value(e, 2)
		return o.err
	})
	if err != nil {
		return err
	}
	if n > 0 {
		o.newline(1)
	}
	o.write("]")
	o.field("company", p.Company)
	o.field("departments", p.Departments)
	o.newline(0)
	o.write("}\n")
	return o.err
}

// jsonObject writes a JSON object a field at a time, indented as encoding/json indents.
type jsonObject struct {
	w      io.Writer
	indent string
	fields int
	buf    bytes.Buffer
	err    error
}

func (o *jsonObject) write(s string) {
	if o.err == nil {
		_, o.err = io.WriteString(o.w, s)
	}
}

func (o *jsonObject) newline(depth int) {
	if o.indent != "" {
		o.write("\n" + strings.Repeat(o.indent, depth))
	}
}

// key starts the next field.
func (o *jsonObject) key(k string) {
	if o.fields == 0 {
		o.write("{")
	} else {
		o.write(",")
	}
	o.fields++
	o.newline(1)
	o.write(`"` + k + `":`)
	if o.indent != "" {
		o.write(" ")
	}
}

func (o *jsonObject) field(k string, v any) {
	o.key(k)
	o.value(v, 1)
}

// value writes v as a value at depth.
func (o *jsonObject) value(v any, depth int) {
	if o.err != nil {
		return
	}
	o.buf.Reset()
	enc := json.NewEncoder(&o.buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(strings.Repeat(o.indent, depth), o.indent)
	if o.err = enc.Encode(v); o.err == nil {
		_, o.err = o.w.Write(bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))
	}
}
