package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// openAPIDoc is web/openapi.json, decoded.
type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	Parameters []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func loadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	data, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return &doc
}

// TestOpenAPI_Routes checks that every registered API route is in the document and every
// path of the document is a registered route, and that the server serves the document.
func TestOpenAPI_Routes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := loadOpenAPI(t)
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	registered := e.srv.APIRoutes()
	sort.Strings(documented)
	sort.Strings(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("openapi.json and the routes differ:\n documented %v\n registered %v", documented, registered)
	}
	for _, r := range registered {
		if !strings.HasPrefix(r, "GET /api/v1/") && !strings.HasPrefix(r, "POST /api/v1/") {
			t.Errorf("API route %q is not under /api/v1/", r)
		}
	}
	// Path parameters are documented as parameters.
	param := regexp.MustCompile(`\{(\w+)\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(op.Parameters, func(p struct {
					Name string `json:"name"`
					In   string `json:"in"`
				}) bool {
					return p.Name == m[1] && p.In == "path"
				}) {
					t.Errorf("%s %s: path parameter %s is not documented", method, path, m[1])
				}
			}
		}
	}

	c := e.as("hr")
	var served map[string]any
	c.getJSON("/api/v1/openapi.json", http.StatusOK, &served)
	if served["openapi"] != "3.1.0" {
		t.Errorf("served document says openapi %v", served["openapi"])
	}
	wantStatus(t, e.anon().get("/api/v1/openapi.json"), http.StatusUnauthorized)
}

// validate checks body (JSON) against the schema the document gives for the route's status:
// every documented required field is there with its type, and no field is undocumented.
func validate(t *testing.T, doc *openAPIDoc, method, path string, status int, body []byte) {
	t.Helper()
	op, ok := doc.Paths[path][strings.ToLower(method)]
	if !ok {
		t.Fatalf("%s %s is not in openapi.json", method, path)
	}
	r, ok := op.Responses[fmt.Sprint(status)]
	if !ok {
		t.Fatalf("%s %s: status %d is not documented", method, path, status)
	}
	media, ok := r.Content["application/json"]
	if !ok {
		t.Fatalf("%s %s %d: no JSON schema documented", method, path, status)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var errs []string
	checkSchema(doc, media.Schema, v, "$", &errs)
	if len(errs) > 5 {
		errs = append(errs[:5], fmt.Sprintf("... and %d more", len(errs)-5))
	}
	for _, e := range errs {
		t.Errorf("%s %s %d: %s", method, path, status, e)
	}
}

// checkSchema is a small JSON Schema checker for the subset openapi.json uses: $ref, type
// (one or several), const, enum, properties, required, items, allOf, oneOf and
// additionalProperties. Properties not documented are errors, so the document stays complete.
func checkSchema(doc *openAPIDoc, schema, v any, at string, errs *[]string) {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		checkSchema(doc, doc.Components.Schemas[name], v, at, errs)
		return
	}
	if all, ok := s["allOf"].([]any); ok {
		// Each part checks its own properties; together they must document every field.
		props := map[string]bool{}
		for _, part := range all {
			for k := range schemaProps(doc, part) {
				props[k] = true
			}
			checkSchemaLoose(doc, part, v, at, errs)
		}
		if m, ok := v.(map[string]any); ok {
			for k := range m {
				if !props[k] {
					*errs = append(*errs, fmt.Sprintf("%s.%s is not documented", at, k))
				}
			}
		}
		return
	}
	if one, ok := s["oneOf"].([]any); ok {
		for _, part := range one {
			var e []string
			checkSchema(doc, part, v, at, &e)
			if len(e) == 0 {
				return
			}
		}
		*errs = append(*errs, fmt.Sprintf("%s matches none of oneOf", at))
		return
	}
	checkSchemaLoose(doc, schema, v, at, errs)
	if m, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		if _, extra := s["additionalProperties"]; props != nil && !extra {
			for k := range m {
				if _, ok := props[k]; !ok {
					*errs = append(*errs, fmt.Sprintf("%s.%s is not documented", at, k))
				}
			}
		}
	}
}

func schemaProps(doc *openAPIDoc, schema any) map[string]any {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return schemaProps(doc, doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")])
	}
	out := map[string]any{}
	if all, ok := s["allOf"].([]any); ok {
		for _, p := range all {
			for k, v := range schemaProps(doc, p) {
				out[k] = v
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, v := range props {
			out[k] = v
		}
	}
	return out
}

// checkSchemaLoose checks v against schema without complaining about extra properties.
func checkSchemaLoose(doc *openAPIDoc, schema, v any, at string, errs *[]string) {
	s, _ := schema.(map[string]any)
	if _, ok := s["$ref"]; ok {
		var e []string
		checkSchema(doc, schema, v, at, &e)
		for _, x := range e {
			if !strings.HasSuffix(x, "is not documented") {
				*errs = append(*errs, x)
			}
		}
		return
	}
	if _, ok := s["allOf"]; ok {
		checkSchema(doc, schema, v, at, errs)
		return
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		*errs = append(*errs, fmt.Sprintf("%s = %v, want %v", at, v, c))
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) }) {
		*errs = append(*errs, fmt.Sprintf("%s = %v, not one of %v", at, v, enum))
	}
	if typ, ok := s["type"]; ok {
		var types []string
		switch tt := typ.(type) {
		case string:
			types = []string{tt}
		case []any:
			for _, x := range tt {
				types = append(types, x.(string))
			}
		}
		if !slices.Contains(types, jsonType(v)) && !(jsonType(v) == "integer" && slices.Contains(types, "number")) {
			*errs = append(*errs, fmt.Sprintf("%s is %s, want %v", at, jsonType(v), types))
			return
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := val[r.(string)]; !ok {
					*errs = append(*errs, fmt.Sprintf("%s.%s is missing", at, r))
				}
			}
		}
		for k, x := range val {
			if ps, ok := props[k]; ok {
				checkSchema(doc, ps, x, at+"."+k, errs)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				checkSchema(doc, ap, x, at+"."+k, errs)
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, x := range val {
				checkSchema(doc, items, x, fmt.Sprintf("%s[%d]", at, i), errs)
				if len(*errs) > 20 {
					return
				}
			}
		}
	}
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// TestCheckSchema makes sure the checker used on every API answer does catch mistakes.
func TestCheckSchema(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	schema := map[string]any{"$ref": "#/components/schemas/Counts"}
	good := map[string]any{}
	for _, f := range []string{"headcount", "scheduled", "checked_in", "not_checked_in", "late", "serious_late", "absenteeism_late",
		"early", "missing_on_duty", "missing_off_duty", "absent", "on_leave", "outside",
		"not_due_yet", "awaiting", "on_leave_checked_in", "on_leave_not_checked_in", "due_now", "overnight_on_duty"} {
		good[f] = float64(1)
	}
	var errs []string
	checkSchema(doc, schema, good, "$", &errs)
	if len(errs) != 0 {
		t.Fatalf("good counts refused: %v", errs)
	}
	for name, mutate := range map[string]func(m map[string]any){
		"missing":      func(m map[string]any) { delete(m, "late") },
		"wrong type":   func(m map[string]any) { m["late"] = "3" },
		"undocumented": func(m map[string]any) { m["tardy"] = float64(1) },
	} {
		bad := map[string]any{}
		for k, v := range good {
			bad[k] = v
		}
		mutate(bad)
		errs = nil
		checkSchema(doc, schema, bad, "$", &errs)
		if len(errs) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}
