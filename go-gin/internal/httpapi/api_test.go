package httpapi

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"fastapi-vs-gin/go-gin/internal/users"
)

// unreachableDatabase names a port on which nothing listens, so that every connection
// attempt is refused at once.
const unreachableDatabase = "postgres://nobody@127.0.0.1:1/users?connect_timeout=1"

// newTestHandler returns the API's handler with a real Store whose database is unreachable.
// pgxpool connects lazily, so routing and the body checks run without a database, and every
// request that needs one answers 503.
func newTestHandler(t *testing.T) http.Handler {
	t.Helper()

	pool, err := pgxpool.New(t.Context(), unreachableDatabase)
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)

	return NewHandler(users.NewStore(pool), slog.New(slog.DiscardHandler))
}

// request describes a request to send to the handler.
type request struct {
	method      string
	target      string
	contentType string // no Content-Type header if empty
	body        string
}

// serve sends req to h and returns the recorded response.
func serve(t *testing.T, h http.Handler, req request) *httptest.ResponseRecorder {
	t.Helper()

	r := httptest.NewRequestWithContext(t.Context(), req.method, req.target,
		strings.NewReader(req.body))
	if req.contentType != "" {
		r.Header.Set("Content-Type", req.contentType)
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	return w
}

// response is what a test expects of a response. An empty allow or contentType means that
// the header must be absent.
type response struct {
	status      int
	contentType string
	allow       string
	body        string
}

// check reports every way in which got differs from want.
func check(t *testing.T, req request, got *httptest.ResponseRecorder, want response) {
	t.Helper()

	if got.Code != want.status {
		t.Errorf("%s %s: status = %d, want %d", req.method, req.target, got.Code, want.status)
	}

	headers := []struct{ name, want string }{
		{"Content-Type", want.contentType},
		{"Allow", want.allow},
	}
	for _, h := range headers {
		if got := got.Header().Get(h.name); got != h.want {
			t.Errorf("%s %s: %s = %q, want %q", req.method, req.target, h.name, got, h.want)
		}
	}

	if got := got.Body.String(); got != want.body {
		t.Errorf("%s %s: body =\n%s\nwant\n%s", req.method, req.target, got, want.body)
	}
}

// The contract's problems, byte for byte.
const (
	problemNoRoute = `{"type":"about:blank","title":"Not Found","status":404,` +
		`"detail":"No route matches this path."}`
	problemMethodNotAllowed = `{"type":"about:blank","title":"Method Not Allowed",` +
		`"status":405,"detail":"This method is not allowed on this resource."}`
	problemUnavailable = `{"type":"about:blank","title":"Service Unavailable","status":503,` +
		`"detail":"The database is unavailable."}`
	problemInvalidJSON = `{"type":"about:blank","title":"Bad Request","status":400,` +
		`"detail":"The request body is not valid JSON."}`
	problemTooLarge = `{"type":"about:blank","title":"Content Too Large","status":413,` +
		`"detail":"The request body is larger than 1048576 bytes."}`
	problemUnsupportedType = `{"type":"about:blank","title":"Unsupported Media Type",` +
		`"status":415,"detail":"The request body must be application/json."}`
)

// The contract's Allow headers, for the collection, for one user and for the probes.
const (
	allowUsers  = "GET, HEAD, OPTIONS, POST"
	allowUser   = "DELETE, GET, HEAD, OPTIONS, PATCH"
	allowProbes = "GET, HEAD, OPTIONS"
)

func notFound() response {
	return response{http.StatusNotFound, mediaTypeProblem, "", problemNoRoute}
}

func unavailable() response {
	return response{http.StatusServiceUnavailable, mediaTypeProblem, "", problemUnavailable}
}

func TestNewHandler_routing(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		name string
		req  request
		want response
	}{
		{"healthz", request{method: "GET", target: "/healthz"},
			response{200, mediaTypeJSON, "", `{"status":"ok"}`}},
		{"healthz ignores the query", request{method: "GET", target: "/healthz?verbose=1"},
			response{200, mediaTypeJSON, "", `{"status":"ok"}`}},
		{"readyz without database", request{method: "GET", target: "/readyz"}, unavailable()},
		{"user without database", request{method: "GET", target: "/users/1"}, unavailable()},
		{"largest id", request{method: "GET", target: "/users/9223372036854775807"},
			unavailable()},
		{"percent-encoded id", request{method: "GET", target: "/users/%31"}, unavailable()},

		{"unknown path", request{method: "GET", target: "/nope"}, notFound()},
		{"root", request{method: "GET", target: "/"}, notFound()},
		{"users with trailing slash", request{method: "POST", target: "/users/"}, notFound()},
		{"user with trailing slash", request{method: "GET", target: "/users/1/"}, notFound()},
		{"healthz with trailing slash", request{method: "GET", target: "/healthz/"}, notFound()},
		{"double slash", request{method: "POST", target: "//users"}, notFound()},
		{"wrong case", request{method: "GET", target: "/HEALTHZ"}, notFound()},
		{"unknown path with OPTIONS", request{method: "OPTIONS", target: "/nope"}, notFound()},

		{"list without database", request{method: "GET", target: "/users"}, unavailable()},
		{"delete without database", request{method: "DELETE", target: "/users/1"}, unavailable()},
		{"update without database", request{method: "PATCH", target: "/users/1",
			contentType: "application/json", body: "{}"}, unavailable()},

		{"PUT users", request{method: "PUT", target: "/users"},
			response{405, mediaTypeProblem, allowUsers, problemMethodNotAllowed}},
		{"DELETE users", request{method: "DELETE", target: "/users"},
			response{405, mediaTypeProblem, allowUsers, problemMethodNotAllowed}},
		{"PATCH users", request{method: "PATCH", target: "/users"},
			response{405, mediaTypeProblem, allowUsers, problemMethodNotAllowed}},
		{"POST user", request{method: "POST", target: "/users/1"},
			response{405, mediaTypeProblem, allowUser, problemMethodNotAllowed}},
		{"PUT user", request{method: "PUT", target: "/users/1"},
			response{405, mediaTypeProblem, allowUser, problemMethodNotAllowed}},
		{"POST healthz", request{method: "POST", target: "/healthz"},
			response{405, mediaTypeProblem, allowProbes, problemMethodNotAllowed}},
		{"PUT readyz", request{method: "PUT", target: "/readyz"},
			response{405, mediaTypeProblem, allowProbes, problemMethodNotAllowed}},
		{"M-SEARCH, a method uvicorn knows", request{method: "M-SEARCH", target: "/healthz"},
			response{405, mediaTypeProblem, allowProbes, problemMethodNotAllowed}},

		{"OPTIONS users", request{method: "OPTIONS", target: "/users"},
			response{204, "", allowUsers, ""}},
		{"OPTIONS user", request{method: "OPTIONS", target: "/users/42"},
			response{204, "", allowUser, ""}},
		{"OPTIONS healthz", request{method: "OPTIONS", target: "/healthz"},
			response{204, "", allowProbes, ""}},
		{"OPTIONS readyz", request{method: "OPTIONS", target: "/readyz"},
			response{204, "", allowProbes, ""}},

		{"HEAD healthz", request{method: "HEAD", target: "/healthz"},
			response{200, mediaTypeJSON, "", ""}},
		{"HEAD user", request{method: "HEAD", target: "/users/1"},
			response{503, mediaTypeProblem, "", ""}},
		{"HEAD unknown path", request{method: "HEAD", target: "/nope"},
			response{404, mediaTypeProblem, "", ""}},
		{"HEAD users", request{method: "HEAD", target: "/users"},
			response{503, mediaTypeProblem, "", ""}},
		{"HEAD users with a bad query", request{method: "HEAD", target: "/users?limit=0"},
			response{422, mediaTypeProblem, "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, tt.req, serve(t, h, tt.req), tt.want)
		})
	}
}

// TestNewHandler_badIDs checks that an id that cannot name a user is not found, while the
// path's shape still decides the method: Gin, like Starlette, routes before the id is read.
func TestNewHandler_badIDs(t *testing.T) {
	h := newTestHandler(t)

	ids := []string{
		"0", "-1", "01", "+1", "1e3", "1.0", "abc", "%201", "1%20", "0x1", "%D9%A3",
		"9223372036854775808", "99999999999999999999",
	}
	for _, id := range ids {
		for _, method := range []string{"GET", "HEAD", "PATCH", "DELETE", "PUT", "OPTIONS"} {
			t.Run(method+" "+id, func(t *testing.T) {
				var want response
				switch method {
				case "GET", "DELETE":
					want = notFound()
				case "PATCH":
					// The id is read before the body, which is not even JSON here: a URL
					// that names no user is not found, whatever comes with it.
					want = notFound()
				case "HEAD":
					want = notFound()
					want.body = ""
				case "PUT":
					want = response{405, mediaTypeProblem, allowUser, problemMethodNotAllowed}
				case "OPTIONS":
					want = response{204, "", allowUser, ""}
				}

				req := request{method: method, target: "/users/" + id, body: "not JSON"}
				check(t, req, serve(t, h, req), want)
			})
		}
	}
}

// TestNewHandler_head checks that HEAD answers with the headers GET would send.
func TestNewHandler_head(t *testing.T) {
	h := newTestHandler(t)

	targets := []string{
		"/healthz", "/readyz", "/users/1", "/users/abc", "/nope", "/users", "/users?limit=0",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			get := serve(t, h, request{method: "GET", target: target})
			head := serve(t, h, request{method: "HEAD", target: target})

			if head.Code != get.Code {
				t.Errorf("HEAD status = %d, GET status = %d", head.Code, get.Code)
			}

			for _, name := range []string{"Content-Type", "Content-Length", "Location"} {
				if got, want := head.Header().Get(name), get.Header().Get(name); got != want {
					t.Errorf("HEAD %s = %q, GET %s = %q", name, got, name, want)
				}
			}

			if got, want := get.Header().Get("Content-Length"), get.Body.Len(); got != strconv.Itoa(want) {
				t.Errorf("GET Content-Length = %q, body has %d bytes", got, want)
			}

			if head.Body.Len() != 0 {
				t.Errorf("HEAD body = %q, want none", head.Body)
			}
		})
	}
}

// TestNewHandler_refusedLikeUvicorn checks that requests which uvicorn's parser refuses
// (unknown methods, bytes outside ASCII in the target) are refused in the same way, over a
// real connection, since the connection must close.
func TestNewHandler_refusedLikeUvicorn(t *testing.T) {
	srv := httptest.NewServer(newTestHandler(t))
	t.Cleanup(srv.Close)

	lines := []string{
		"get /healthz", "Get /healthz", "FOO /healthz", "PRI2 /healthz", "BREW /healthz",
		"GET /users/\xd9\xa3", "GET /healthz?x=\xc3\xa9",
	}
	for _, line := range lines {
		t.Run(line, func(t *testing.T) {
			var dialer net.Dialer
			conn, err := dialer.DialContext(t.Context(), "tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer conn.Close()

			// The deadline turns a connection that stays open into a failed read below.
			if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
				t.Fatalf("set deadline: %v", err)
			}

			raw := line + " HTTP/1.1\r\nHost: test\r\n\r\n"
			if _, err := io.WriteString(conn, raw); err != nil {
				t.Fatalf("write request: %v", err)
			}

			reader := bufio.NewReader(conn)
			resp, err := http.ReadResponse(reader, nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			defer resp.Body.Close()

			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}

			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if got, want := resp.Header.Get("Content-Type"), "text/plain; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if got, want := string(body), "Invalid HTTP request received."; got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
			if !resp.Close {
				t.Errorf("response does not announce Connection: close")
			}
			if n, err := reader.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("after the response: read %d bytes, error %v; want the connection closed", n, err)
			}
		})
	}
}

// TestNewHandler_wire checks headers that only a real server adds or leaves out.
func TestNewHandler_wire(t *testing.T) {
	srv := httptest.NewServer(newTestHandler(t))
	t.Cleanup(srv.Close)

	for _, method := range []string{"GET", "HEAD"} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+"/healthz", http.NoBody)
			if err != nil {
				t.Fatalf("new request: %v", err)
			}

			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("%s /healthz: %v", method, err)
			}
			defer resp.Body.Close()

			if got := resp.Header.Get("Server"); got != "" {
				t.Errorf("Server = %q, want no Server header", got)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("Access-Control-Allow-Origin = %q, want no CORS header", got)
			}
			if got, want := resp.ContentLength, int64(len(`{"status":"ok"}`)); got != want {
				t.Errorf("Content-Length = %d, want %d", got, want)
			}
		})
	}
}

// TestNewHandler_fragment checks that a fragment in the request target is dropped, as
// uvicorn's parser drops it, instead of becoming part of the path.
func TestNewHandler_fragment(t *testing.T) {
	srv := httptest.NewServer(newTestHandler(t))
	t.Cleanup(srv.Close)

	var dialer net.Dialer
	conn, err := dialer.DialContext(t.Context(), "tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()

	if _, err := io.WriteString(conn, "GET /healthz#x?y HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		t.Fatalf("write request: %v", err)
	}

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz#x?y: status = %d, want 200", resp.StatusCode)
	}
}
