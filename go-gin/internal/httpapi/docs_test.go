package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNewHandler_documents checks that the OpenAPI document and its Swagger UI page are served
// as embedded, for GET and (headers only) for HEAD.
func TestNewHandler_documents(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		target      string
		contentType string
		body        []byte
	}{
		{"/openapi.json", mediaTypeJSON, openapiDocument},
		{"/docs", "text/html; charset=utf-8", docsPage},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			want := response{200, tt.contentType, "", string(tt.body)}
			check(t, request{method: "GET", target: tt.target},
				serve(t, h, request{method: "GET", target: tt.target}), want)

			want.body = ""
			check(t, request{method: "HEAD", target: tt.target},
				serve(t, h, request{method: "HEAD", target: tt.target}), want)
		})
	}
}

// TestOpenAPIDocument checks that the embedded copy is an OpenAPI 3.1 document that lists
// every route NewHandler registers.
func TestOpenAPIDocument(t *testing.T) {
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openapiDocument, &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}

	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	for _, path := range []string{"/users", "/users/{id}", "/healthz", "/readyz", "/openapi.json", "/docs"} {
		if _, ok := doc.Paths[path]; !ok {
			t.Errorf("openapi.json has no path %s", path)
		}
	}
}
