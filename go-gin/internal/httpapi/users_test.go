package httpapi

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"fastapi-vs-gin/go-gin/internal/users"
)

func TestHandleListUsers_query(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		name  string
		query string
		want  response
	}{
		{"no query", "", unavailable()},
		{"both", "?limit=100&after=9223372036854775807", unavailable()},
		{"escaped digits", "?limit=%35", unavailable()},
		{"empty pieces", "?&limit=5&&", unavailable()},
		{"unknown parameters", "?limit=5&limit2=1&sort=name&x", unavailable()},

		{"limit 0", "?limit=0", invalid(
			`{"loc":["query","limit"],"code":"out_of_range","message":"must be between 1 and 100"}`)},
		{"after too large", "?after=9223372036854775808", invalid(
			`{"loc":["query","after"],"code":"out_of_range",` +
				`"message":"must be at most 9223372036854775807"}`)},
		{"limit with ;", "?limit=5;after=1", invalid(
			`{"loc":["query","limit"],"code":"type","message":"must be an integer"}`)},
		{"limit repeated", "?limit=5&lim%69t=5", invalid(
			`{"loc":["query","limit"],"code":"repeated","message":"must be given at most once"}`)},
		{"both wrong, sorted", "?limit=101&after=01", invalid(
			`{"loc":["query","after"],"code":"type","message":"must be an integer"},` +
				`{"loc":["query","limit"],"code":"out_of_range","message":"must be between 1 and 100"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: "GET", target: "/users" + tt.query}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}

func TestNewPageResponse(t *testing.T) {
	at := time.Date(2026, 12, 3, 15, 56, 28, 120000000, time.UTC)
	user := func(id int64) users.User {
		return users.User{ID: id, Name: "Ada", Email: "ada@example.com", CreatedAt: at, UpdatedAt: at}
	}
	rendered := func(id string) string {
		return `{"id":` + id + `,"name":"Ada","email":"ada@example.com",` +
			`"created_at":"2026-12-03T15:56:28.120000Z","updated_at":"2026-12-03T15:56:28.120000Z"}`
	}

	tests := []struct {
		name  string
		page  page
		found []users.User
		want  string
	}{
		{"no users", page{limit: 20}, nil, `{"users":[],"next":null}`},
		{"fewer than the limit", page{limit: 3}, []users.User{user(4), user(9)},
			`{"users":[` + rendered("4") + `,` + rendered("9") + `],"next":null}`},
		{"exactly the limit", page{limit: 2}, []users.User{user(4), user(9)},
			`{"users":[` + rendered("4") + `,` + rendered("9") + `],"next":null}`},
		{"one more than the limit", page{limit: 2, after: 3}, []users.User{user(4), user(9), user(12)},
			`{"users":[` + rendered("4") + `,` + rendered("9") + `],"next":"/users?limit=2&after=9"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &api{logger: slog.New(slog.DiscardHandler)}
			c, w := newTestContext(t)

			a.writeJSON(c, http.StatusOK, mediaTypeJSON, newPageResponse(tt.page, tt.found))

			if got := w.Body.String(); got != tt.want {
				t.Errorf("body =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestHandleUpdateUser(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		name        string
		target      string
		contentType string
		body        string
		want        response
	}{
		{"valid body reaches the database", "/users/1", "application/json",
			`{"name":"Ada","email":"Ada@Example.com"}`, unavailable()},
		{"empty object is valid", "/users/9223372036854775807", "application/json", `{}`,
			unavailable()},
		{"percent-encoded id", "/users/%31", "application/json", `{}`, unavailable()},

		{"not JSON media type", "/users/1", "text/plain", `{}`,
			response{415, mediaTypeProblem, "", problemUnsupportedType}},
		{"too large", "/users/1", "application/json", paddedObject(maxBodyBytes + 1),
			response{413, mediaTypeProblem, "", problemTooLarge}},
		{"empty body", "/users/1", "application/json", "",
			response{400, mediaTypeProblem, "", problemInvalidJSON}},
		{"duplicate names", "/users/1", "application/json", `{"name":"x","name":"y"}`,
			response{400, mediaTypeProblem, "", problemInvalidJSON}},

		{"null name", "/users/1", "application/json", `{"name":null}`,
			invalid(`{"loc":["body","name"],"code":"type","message":"must be a string"}`)},
		{"array", "/users/1", "application/json", `[]`, invalid(bodyNotObject)},
		{"unknown members, sorted", "/users/1", "application/json",
			`{"name":1,"created_at":"x","id":2}`, invalid(
				`{"loc":["body","created_at"],"code":"unknown_field","message":"unknown field"},` +
					`{"loc":["body","id"],"code":"unknown_field","message":"unknown field"},` +
					`{"loc":["body","name"],"code":"type","message":"must be a string"}`)},
		{"validated before the user is looked up", "/users/9223372036854775807", "application/json",
			`{"name":""}`, invalid(
				`{"loc":["body","name"],"code":"too_short","message":"must be at least 1 character"}`)},

		{"id that names no user wins over the body", "/users/0", "text/plain", "x", notFound()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: "PATCH", target: tt.target, contentType: tt.contentType, body: tt.body}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}

func TestHandleDeleteUser(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		target string
		want   response
	}{
		{"/users/1", unavailable()},
		{"/users/9223372036854775807", unavailable()},
		{"/users/9223372036854775808", notFound()},
		{"/users/01", notFound()},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.target, "/users/"), func(t *testing.T) {
			req := request{method: "DELETE", target: tt.target}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}
