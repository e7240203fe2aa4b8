package report

import (
	"encoding/json"

	"github.com/kaoqin/kaoqin"
)

// A department line's parent_id in JSON: the company's root has parent 0, as DingTalk says; the
// top of a scoped report (a manager's department, or a --dept) has a parent the reader may not
// see, so it has none: null. In Go both are ParentID 0; only the JSON tells them apart.
func parentJSON(id, parent int64) *int64 {
	if parent == 0 && id != kaoqin.RootDeptID {
		return nil
	}
	return &parent
}

// MarshalJSON writes the line with parent_id null at the top of a scope.
func (d DailyDepartment) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID           int64    `json:"id"`
		Name         string   `json:"name"`
		ParentID     *int64   `json:"parent_id"`
		Counts       Counts   `json:"counts"`
		NotCheckedIn []Person `json:"not_checked_in"`
	}{d.ID, d.Name, parentJSON(d.ID, d.ParentID), d.Counts, d.NotCheckedIn})
}

// MarshalJSON writes the line with parent_id null at the top of a scope.
func (d PeriodDepartment) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		ParentID *int64 `json:"parent_id"`
		PeriodTotal
	}{d.ID, d.Name, parentJSON(d.ID, d.ParentID), d.PeriodTotal})
}
