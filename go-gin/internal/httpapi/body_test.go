package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// validUser is a body that passes every check, so it reaches the unreachable database.
const validUser = `{"name":"Ada Lovelace","email":"ada@example.com"}`

func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

func TestHandleCreateUser_mediaType(t *testing.T) {
	h := newTestHandler(t)

	unsupported := response{415, mediaTypeProblem, "", problemUnsupportedType}
	tests := []struct {
		name        string
		contentType string
		want        response
	}{
		{"missing", "", unsupported},
		{"text/plain", "text/plain", unsupported},
		{"form", "application/x-www-form-urlencoded", unsupported},
		{"json suffix", "application/problem+json", unsupported},
		{"prefix only", "application/jsonx", unsupported},
		{"Unicode case folding", "application/jſon", unsupported},
		{"space inside", "application/ json", unsupported},
		{"plain", "application/json", unavailable()},
		{"with charset", "application/json; charset=utf-8", unavailable()},
		{"any charset", "application/json;charset=latin-1", unavailable()},
		{"upper case", "APPLICATION/JSON", unavailable()},
		{"spaces and tabs around", " \tApplication/Json\t ; x=y", unavailable()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: "POST", target: "/users", contentType: tt.contentType, body: validUser}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}

// failingReader fails the test if anything reads it.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("the body was read")
	return 0, io.EOF
}

func TestHandleCreateUser_size(t *testing.T) {
	h := newTestHandler(t)

	tooLarge := response{413, mediaTypeProblem, "", problemTooLarge}

	t.Run("declared length over the limit is refused unread", func(t *testing.T) {
		r := httptest.NewRequestWithContext(t.Context(), "POST", "/users", failingReader{t})
		r.Header.Set("Content-Type", "application/json")
		r.ContentLength = maxBodyBytes + 1

		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		check(t, request{method: "POST", target: "/users"}, w, tooLarge)
	})

	tests := []struct {
		name     string
		body     string
		declared bool // whether Content-Length is sent, or the body is sent chunked
		want     response
	}{
		{"1 MiB of JSON", paddedObject(maxBodyBytes), true, invalid(requiredBoth)},
		{"1 MiB of JSON, chunked", paddedObject(maxBodyBytes), false, invalid(requiredBoth)},
		{"1 byte over", paddedObject(maxBodyBytes + 1), true, tooLarge},
		{"1 byte over, chunked", paddedObject(maxBodyBytes + 1), false, tooLarge},
		{"too large wins over not JSON", strings.Repeat("x", maxBodyBytes+1), false, tooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if !tt.declared {
				body = io.MultiReader(body) // hides the length from NewRequest
			}

			r := httptest.NewRequestWithContext(t.Context(), "POST", "/users", body)
			r.Header.Set("Content-Type", "application/json")
			if !tt.declared {
				r.ContentLength = -1
			}

			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)

			check(t, request{method: "POST", target: "/users"}, w, tt.want)
		})
	}

	t.Run("media type wins over size", func(t *testing.T) {
		req := request{method: "POST", target: "/users", contentType: "text/plain",
			body: strings.Repeat(" ", maxBodyBytes+1)}
		check(t, req, serve(t, h, req), response{415, mediaTypeProblem, "", problemUnsupportedType})
	})
}

// paddedObject returns an empty JSON object followed by spaces, size bytes in all.
func paddedObject(size int) string {
	return "{}" + strings.Repeat(" ", size-2)
}

func TestHandleCreateUser_syntax(t *testing.T) {
	h := newTestHandler(t)

	notJSON := response{400, mediaTypeProblem, "", problemInvalidJSON}
	tests := []struct {
		name string
		body string
		want response
	}{
		{"empty", "", notJSON},
		{"whitespace", " \r\n\t", notJSON},
		{"byte order mark", "\ufeff" + validUser, notJSON},
		{"invalid UTF-8 in a string", `{"name":"Ada` + "\xff" + `","email":"ada@example.com"}`, notJSON},
		{"invalid UTF-8 in a name", `{"n` + "\xc3" + `":1}`, notJSON},
		{"encoded surrogate", `{"name":"` + "\xed\xa0\x80" + `","email":"ada@example.com"}`, notJSON},
		{"lone high surrogate", `{"name":"\ud800","email":"ada@example.com"}`, notJSON},
		{"lone low surrogate", `{"name":"\udc00","email":"ada@example.com"}`, notJSON},
		{"surrogates in the wrong order", `{"name":"\ude00\ud83d","email":"ada@example.com"}`, notJSON},
		{"lone surrogate in a member name", `{"\ud800":1}`, notJSON},
		{"duplicate names", `{"name":"Ada","name":"Ada","email":"ada@example.com"}`, notJSON},
		{"duplicate names by escape", `{"name":"Ada","n\u0061me":"Ada"}`, notJSON},
		{"duplicate names deep inside", `{"x":[{"a":1,"a":2}]}`, notJSON},
		{"NaN", `{"name":NaN}`, notJSON},
		{"Infinity", `{"name":-Infinity}`, notJSON},
		{"single quotes", `{'name':'Ada'}`, notJSON},
		{"trailing comma", `{"name":"Ada",}`, notJSON},
		{"comment", `{"name":"Ada"} // hi`, notJSON},
		{"control character in a string", "{\"name\":\"A\tda\"}", notJSON},
		{"trailing garbage", validUser + "x", notJSON},
		{"two values", validUser + validUser, notJSON},
		{"two values with space", "1 2", notJSON},
		{"not closed", `{"name":"Ada"`, notJSON},
		{"nested 33 deep", nested(33), notJSON},
		{"objects nested 33 deep", strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33), notJSON},
		{"deeper still", nested(100000), notJSON},
		{"syntax wins over validation", `{"name":1,"name":2}`, notJSON},

		{"nested 32 deep is JSON", nested(32), invalid(bodyNotObject)},
		{"objects nested 32 deep are JSON", strings.Repeat(`{"a":`, 32) + "1" + strings.Repeat("}", 32),
			invalid(`{"loc":["body","a"],"code":"unknown_field","message":"unknown field"},` +
				requiredBoth)},
		{"whitespace around", " \n" + validUser + "\r\n\t ", unavailable()},
		{"paired surrogates", `{"name":"\ud83d\ude00","email":"ada@example.com"}`, unavailable()},
		{"huge number", `{"name":1` + strings.Repeat("0", 5000) + `}`, invalid(
			`{"loc":["body","email"],"code":"required","message":"field required"},` +
				`{"loc":["body","name"],"code":"type","message":"must be a string"}`)},
		{"number beyond float64", `[1e400]`, invalid(bodyNotObject)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: "POST", target: "/users", contentType: "application/json", body: tt.body}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}

// The errors lists of some 422 problems.
const (
	bodyNotObject = `{"loc":["body"],"code":"type","message":"must be a JSON object"}`
	requiredBoth  = `{"loc":["body","email"],"code":"required","message":"field required"},` +
		`{"loc":["body","name"],"code":"required","message":"field required"}`
)

// invalid returns the 422 response whose errors list is errors.
func invalid(errors string) response {
	return response{
		status:      http.StatusUnprocessableEntity,
		contentType: mediaTypeProblem,
		body: `{"type":"about:blank","title":"Unprocessable Content","status":422,` +
			`"detail":"The request did not validate.","errors":[` + errors + `]}`,
	}
}

func TestHandleCreateUser_validation(t *testing.T) {
	h := newTestHandler(t)

	tests := []struct {
		name string
		body string
		want response
	}{
		// The example of CONTRACT.md, byte for byte.
		{"contract example", `{"name":"Ada","email":"ada@","nickname":"Ada"}`, response{
			status:      422,
			contentType: mediaTypeProblem,
			body: `{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":` +
				`"The request did not validate.","errors":[{"loc":["body","email"],` +
				`"code":"invalid_email","message":"must be a valid e-mail address"},{"loc":` +
				`["body","nickname"],"code":"unknown_field","message":"unknown field"}]}`,
		}},
		{"array", `[]`, invalid(bodyNotObject)},
		{"null", `null`, invalid(bodyNotObject)},
		{"empty object", `{}`, invalid(requiredBoth)},
		{"every rule at once", `{"name":"` + strings.Repeat("x", 101) + `","email":true,"<&>":1}`,
			invalid(`{"loc":["body","<&>"],"code":"unknown_field","message":"unknown field"},` +
				`{"loc":["body","email"],"code":"type","message":"must be a string"},` +
				`{"loc":["body","name"],"code":"too_long","message":"must be at most 100 characters"}`)},
		{"blank name", `{"name":"\u3000","email":"ada@example.com"}`,
			invalid(`{"loc":["body","name"],"code":"blank","message":"must not be blank"}`)},
		{"NUL in name", `{"name":"a\u0000","email":"ada@example.com"}`,
			invalid(`{"loc":["body","name"],"code":"forbidden_character",` +
				`"message":"must not contain U+0000"}`)},
		{"unknown member echoed without escaping", `{"name":"Ada","email":"a@example.com","é\u2028":1}`,
			invalid(`{"loc":["body","é` + "\u2028" + `"],"code":"unknown_field",` +
				`"message":"unknown field"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: "POST", target: "/users", contentType: "application/json", body: tt.body}
			check(t, req, serve(t, h, req), tt.want)
		})
	}
}
