package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes keeps the OpenAPI document and the route table in
// step: every route is documented and every documented operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "post", "put", "patch", "delete":
				documented = append(documented, strings.ToUpper(m)+" "+Prefix+p)
			}
		}
	}
	served := New(Config{}).Routes()
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("OpenAPI document and routes differ\ndocumented:\n  %s\nserved:\n  %s", strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	New(Config{}).Mount(mux)
	for _, path := range []string{"/api/v1/nope", "/api/v1/", "/api/v1/cases/../x"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusTemporaryRedirect {
			t.Errorf("%s: status %d", path, rec.Code)
			continue
		}
		if rec.Code == http.StatusNotFound {
			var b errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error.Code != "not_found" || b.Error.Message == "" {
				t.Errorf("%s: body %q is not the error shape", path, rec.Body.String())
			}
		}
	}
}

func TestDecodeJSONRefusesBadBodies(t *testing.T) {
	t.Parallel()
	type in struct {
		A string `json:"a"`
	}
	cases := []struct {
		name, body string
		status     int
	}{
		{"ok", `{"a":"x"}`, 200},
		{"unknown field", `{"b":1}`, 400},
		{"trailing", `{"a":"x"} {}`, 400},
		{"not json", `hello`, 400},
		{"wrong type", `{"a":5}`, 400},
		{"too big", `{"a":"` + strings.Repeat("x", 2000) + `"}`, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.MaxBytesHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var v in
				if decodeJSON(w, r, &v) {
					w.WriteHeader(200)
				}
			}), 1000)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/", strings.NewReader(tc.body)))
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.status, rec.Body.String())
			}
		})
	}
}
