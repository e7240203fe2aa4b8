package dingtalk

import (
	"context"
	"strings"
)

// WorkflowService reads approvals (审批). An attendance_approve_status_change event names only
// the approval's process instance; its originator is the person whose leave changed.
type WorkflowService service

// ProcessInstance is one approval, as topapi/processinstance/get returns it (the fields
// kaoqin reads).
type ProcessInstance struct {
	Title            string      `json:"title"`
	CreateTime       string      `json:"create_time"`
	FinishTime       string      `json:"finish_time"`
	OriginatorUserID string      `json:"originator_userid"`
	OriginatorDeptID FlexString  `json:"originator_dept_id"`
	Status           string      `json:"status"` // NEW, RUNNING, TERMINATED, COMPLETED, CANCELED
	Result           string      `json:"result"` // agree, refuse
	BusinessID       string      `json:"business_id"`
	FormValues       []FormValue `json:"form_component_values"`
}

// FormValue is one field of an approval's form.
type FormValue struct {
	Name  string     `json:"name"`
	Value FlexString `json:"value"`
}

// GetProcessInstance returns an approval. Workflow calls are not metered (the billing page
// meters attendance and work notifications).
//
// DingTalk doc: obtains-the-details-of-a-single-approval-instance
//
//	POST /topapi/processinstance/get
func (s *WorkflowService) GetProcessInstance(ctx context.Context, id string) (*ProcessInstance, *Response, error) {
	const path = "/topapi/processinstance/get"
	if strings.TrimSpace(id) == "" {
		return nil, nil, invalidf(path, "process_instance_id is required")
	}
	body := struct {
		ID string `json:"process_instance_id"`
	}{id}
	var out struct {
		ProcessInstance *ProcessInstance `json:"process_instance"`
	}
	resp, err := s.client.post(ctx, path, body, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.ProcessInstance == nil {
		return nil, resp, missing(path, resp, "process_instance")
	}
	return out.ProcessInstance, resp, nil
}
