package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes r as the JSON of spec/reports.md, indented, Chinese as is.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
