package httpapi

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

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

// rejectUnknownMethods returns a handler that refuses, as uvicorn does, every request whose
// method is not in parserMethods, and passes the others to next.
//
// net/http accepts any method that is a token, so without this a request with method "get"
// or "FOO" would reach Gin and be answered 405 or 404, where the Python service answers 400
// and closes the connection. The answer below is uvicorn's, byte for byte.
func rejectUnknownMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !parserMethods[r.Method] {
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Content-Length", strconv.Itoa(len(invalidRequest)))
			h.Set("Connection", "close")
			w.WriteHeader(http.StatusBadRequest)

			// A failed write means that the client has gone; there is no one left to tell.
			_, _ = io.WriteString(w, invalidRequest)
			return
		}

		next.ServeHTTP(w, r)
	})
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
