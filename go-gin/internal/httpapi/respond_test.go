package httpapi

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json"

	"fastapi-vs-gin/go-gin/internal/users"
)

// newTestContext returns a Gin context for a GET request, recording its response.
func newTestContext(t *testing.T) (*gin.Context, *httptest.ResponseRecorder) {
	t.Helper()

	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequestWithContext(t.Context(), "GET", "/users/42", nil)
	c.Params = gin.Params{{Key: "id", Value: "42"}}

	return c, w
}

func TestWriteJSON_user(t *testing.T) {
	a := &api{logger: slog.New(slog.DiscardHandler)}
	c, w := newTestContext(t)

	// A time in another zone, with nanoseconds that PostgreSQL would never send.
	paris := time.FixedZone("CET", 3600)
	created := time.Date(2026, 12, 3, 16, 56, 28, 120000999, paris)
	u := users.User{
		ID:        42,
		Name:      "<Ada> & \"Lovelace\" \\ é 😀 \u2028\u2029 \x00\x01\x1f\x7f \b\f\n\r\t",
		Email:     "ada@example.com",
		CreatedAt: created,
		UpdatedAt: created.Add(time.Second),
	}
	a.writeJSON(c, http.StatusOK, mediaTypeJSON, newUserResponse(u))

	// Python's json.dumps(ensure_ascii=False, separators=(",", ":")) writes these bytes.
	want := `{"id":42,"name":"<Ada> & \"Lovelace\" \\ é 😀 ` + "\u2028\u2029" +
		` \u0000\u0001\u001f` + "\x7f" + ` \b\f\n\r\t","email":"ada@example.com",` +
		`"created_at":"2026-12-03T15:56:28.120000Z","updated_at":"2026-12-03T15:56:29.120000Z"}`
	if got := w.Body.String(); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
	if got := w.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want %q", got, "application/json")
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantDetail string
		wantLogged bool
	}{
		{"not found", users.ErrNotFound, 404, "User 42 does not exist.", false},
		{"wrapped not found", wrap(users.ErrNotFound), 404, "User 42 does not exist.", false},
		{"email taken", wrap(users.ErrEmailTaken), 409, "A user with this e-mail already exists.", false},
		{"unavailable", wrap(users.ErrUnavailable), 503, "The database is unavailable.", false},
		{"anything else", errors.New("secret internals"), 500, "An unexpected error occurred.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			a := &api{logger: slog.New(slog.NewJSONHandler(&log, nil))}
			c, w := newTestContext(t)

			a.writeError(c, tt.err)

			var got problem
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("body %q is not JSON: %v", w.Body, err)
			}
			want := problem{"about:blank", title(tt.wantStatus), tt.wantStatus, tt.wantDetail, nil}
			if w.Code != tt.wantStatus || got.Status != want.Status || got.Detail != want.Detail ||
				got.Title != want.Title || got.Type != want.Type {
				t.Errorf("writeError(%v): status %d, body %+v; want status %d, body %+v",
					tt.err, w.Code, got, tt.wantStatus, want)
			}

			logged := strings.Contains(log.String(), `"msg":"unexpected error"`)
			if logged != tt.wantLogged {
				t.Errorf("writeError(%v) logged %q; want an unexpected error logged: %t",
					tt.err, log.String(), tt.wantLogged)
			}
		})
	}
}

func wrap(err error) error {
	return errors.Join(errors.New("context"), err)
}

func TestTitle(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{400, "Bad Request"},
		{404, "Not Found"},
		{405, "Method Not Allowed"},
		{409, "Conflict"},
		{413, "Content Too Large"},
		{415, "Unsupported Media Type"},
		{422, "Unprocessable Content"},
		{500, "Internal Server Error"},
		{503, "Service Unavailable"},
	}
	for _, tt := range tests {
		if got := title(tt.status); got != tt.want {
			t.Errorf("title(%d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestRecoverPanics(t *testing.T) {
	var log bytes.Buffer
	a := &api{logger: slog.New(slog.NewJSONHandler(&log, nil))}

	r := gin.New()
	r.Use(a.recoverPanics)
	r.GET("/panic", func(*gin.Context) { panic("secret internals") })
	r.GET("/late-panic", func(c *gin.Context) {
		c.Status(http.StatusOK)
		c.Writer.WriteHeaderNow()
		panic("secret internals")
	})

	t.Run("before the response", func(t *testing.T) {
		log.Reset()
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), "GET", "/panic", nil))

		want := `{"type":"about:blank","title":"Internal Server Error","status":500,` +
			`"detail":"An unexpected error occurred."}`
		check(t, request{method: "GET", target: "/panic"}, w,
			response{500, mediaTypeProblem, "", want})

		if got := log.String(); !strings.Contains(got, `"msg":"unexpected error"`) ||
			!strings.Contains(got, "secret internals") || !strings.Contains(got, `"path":"/panic"`) {
			t.Errorf("log = %q, want an unexpected error with the panic and the path", got)
		}
	})

	t.Run("after the status line", func(t *testing.T) {
		log.Reset()
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), "GET", "/late-panic", nil))

		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("got status %d, body %q; want the 200 already sent, and nothing more",
				w.Code, w.Body)
		}
		if got := log.String(); !strings.Contains(got, "secret internals") {
			t.Errorf("log = %q, want the panic logged", got)
		}
	})

	t.Run("abort handler", func(t *testing.T) {
		r := gin.New()
		r.Use(a.recoverPanics)
		r.GET("/abort", func(*gin.Context) { panic(http.ErrAbortHandler) })

		defer func() {
			got := recover()
			if err, _ := got.(error); !errors.Is(err, http.ErrAbortHandler) {
				t.Errorf("recovered %v, want http.ErrAbortHandler passed on", got)
			}
		}()
		req := httptest.NewRequestWithContext(t.Context(), "GET", "/abort", nil)
		r.ServeHTTP(httptest.NewRecorder(), req)
	})
}

func TestLogRequests(t *testing.T) {
	var log bytes.Buffer
	handler := slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})
	a := &api{logger: slog.New(handler)}

	r := gin.New()
	r.Use(a.logRequests)
	r.GET("/teapot", func(c *gin.Context) { c.Status(http.StatusTeapot) })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), "GET", "/teapot?x=1", nil))

	var entry struct {
		Level      string   `json:"level"`
		Msg        string   `json:"msg"`
		Method     string   `json:"method"`
		Path       string   `json:"path"`
		Status     int      `json:"status"`
		DurationMS *float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal(log.Bytes(), &entry, json.RejectUnknownMembers(false)); err != nil {
		t.Fatalf("log %q is not one JSON object: %v", log.String(), err)
	}

	if entry.Level != "DEBUG" || entry.Msg != "request completed" || entry.Method != http.MethodGet ||
		entry.Path != "/teapot" || entry.Status != http.StatusTeapot || entry.DurationMS == nil {
		t.Errorf("log = %s; want a DEBUG request completed with method GET, path /teapot, "+
			"status 418 and a duration_ms", log.String())
	}
}
