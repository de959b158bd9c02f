package httpapi

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// parserMethods are the request methods that uvicorn's HTTP parser, llhttp, accepts. The
// Python service never sees a request with any other method: the parser refuses it first.
var parserMethods = map[string]bool{
	"DELETE": true, "GET": true, "HEAD": true, "POST": true, "PUT": true, "CONNECT": true,
	"OPTIONS": true, "TRACE": true, "COPY": true, "LOCK": true, "MKCOL": true, "MOVE": true,
	"PROPFIND": true, "PROPPATCH": true, "SEARCH": true, "UNLOCK": true, "BIND": true,
	"REBIND": true, "UNBIND": true, "ACL": true, "REPORT": true, "MKACTIVITY": true,
	"CHECKOUT": true, "MERGE": true, "M-SEARCH": true, "NOTIFY": true, "SUBSCRIBE": true,
	"UNSUBSCRIBE": true, "PATCH": true, "PURGE": true, "MKCALENDAR": true, "LINK": true,
	"UNLINK": true, "SOURCE": true, "QUERY": true,
}

// invalidRequest is the body of uvicorn's answer to a request its parser refuses.
const invalidRequest = "Invalid HTTP request received."

// mirrorUvicornParser returns a handler that treats requests as uvicorn's parser (llhttp,
// through httptools) does before they reach next, where net/http is more lenient, so that
// both services answer the same bytes with the same status:
//
//   - a method outside parserMethods ("get", "FOO") is refused;
//   - a request target with a byte outside ASCII is refused;
//   - a fragment (#...) in the request target is dropped, as httptools drops it, where
//     net/http would keep it in the path: DELETE /users/1#x deletes user 1 on both.
func mirrorUvicornParser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !parserMethods[r.Method] || !isASCII(r.RequestURI) {
			refuseLikeUvicorn(w)
			return
		}

		if target, _, found := strings.Cut(r.RequestURI, "#"); found {
			u, err := url.ParseRequestURI(target)
			if err != nil {
				refuseLikeUvicorn(w)
				return
			}
			r.URL, r.RequestURI = u, target
		}

		next.ServeHTTP(w, r)
	})
}

// refuseLikeUvicorn writes uvicorn's answer to a request its parser refuses, byte for byte.
func refuseLikeUvicorn(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(invalidRequest)))
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusBadRequest)

	// A failed write means that the client has gone; there is no one left to tell.
	_, _ = io.WriteString(w, invalidRequest)
}

// isASCII reports whether s has no byte outside 7-bit ASCII.
func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}

	return true
}

// handleNoRoute answers a request whose path no route matches.
func (a *api) handleNoRoute(c *gin.Context) {
	a.writeProblem(c, http.StatusNotFound, detailNoRoute)
}

// handleNoMethod answers a request whose path has routes, none of them for the request's
// method: 204 for OPTIONS, 405 for any other method, both with an Allow header.
func (a *api) handleNoMethod(c *gin.Context) {
	// Gin has set Allow to the methods of the routes that match the path, leaving out
	// OPTIONS, for which no route is registered, and in the order the routes were added.
	header := c.Writer.Header()
	routed := header.Get("Allow")
	header.Del("Allow")

	header.Set("Allow", allowHeader(routed))

	if c.Request.Method == http.MethodOptions {
		c.Status(http.StatusNoContent)
		c.Writer.WriteHeaderNow()
		return
	}

	a.writeProblem(c, http.StatusMethodNotAllowed, detailMethodNotAllowed)
}

// allowHeader returns the contract's Allow header for a path whose routes accept the methods
// in routed, a list as Gin writes it: every existing path also answers OPTIONS, and the
// methods are sorted alphabetically.
func allowHeader(routed string) string {
	methods := append(strings.Split(routed, ", "), http.MethodOptions)
	slices.Sort(methods)

	return strings.Join(slices.Compact(methods), ", ")
}
