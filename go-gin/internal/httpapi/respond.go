package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json"

	"fastapi-vs-gin/go-gin/internal/users"
)

// The media types of the contract. They carry no charset parameter: JSON is always UTF-8.
const (
	mediaTypeJSON    = "application/json"
	mediaTypeProblem = "application/problem+json"
)

// The fixed details of the contract's problems. A detail never includes the text of an
// internal error.
const (
	detailInvalidJSON      = "The request body is not valid JSON."
	detailNoRoute          = "No route matches this path."
	detailUserNotFound     = "User %s does not exist."
	detailMethodNotAllowed = "This method is not allowed on this resource."
	detailEmailTaken       = "A user with this e-mail already exists."
	detailTooLarge         = "The request body is larger than 1048576 bytes."
	detailUnsupportedType  = "The request body must be application/json."
	detailInvalid          = "The request did not validate."
	detailUnexpected       = "An unexpected error occurred."
	detailUnavailable      = "The database is unavailable."
)

// problem is an RFC 9457 problem details object. The fields are in the order in which the
// contract wants the members, and the JSON encoder keeps it.
type problem struct {
	Type   string      `json:"type"`
	Title  string      `json:"title"`
	Status int         `json:"status"`
	Detail string      `json:"detail"`
	Errors []violation `json:"errors,omitempty"`
}

// violation is one entry of the errors list of a 422 problem.
type violation struct {
	Loc     []string `json:"loc"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
}

// writeError answers with the problem that err stands for. It is the one place where the
// errors of the domain become HTTP statuses.
func (a *api) writeError(c *gin.Context, err error) {
	switch {
	case errors.Is(err, users.ErrNotFound):
		// The id was validated as digits without leading zeros, so the path spells it
		// exactly as the database does.
		a.writeProblem(c, http.StatusNotFound, fmt.Sprintf(detailUserNotFound, c.Param("id")))
	case errors.Is(err, users.ErrEmailTaken):
		a.writeProblem(c, http.StatusConflict, detailEmailTaken)
	case errors.Is(err, users.ErrUnavailable):
		a.writeProblem(c, http.StatusServiceUnavailable, detailUnavailable)
	default:
		a.writeUnexpected(c, err)
	}
}

// writeUnexpected logs err, which is a bug, and answers 500 without saying what went wrong.
func (a *api) writeUnexpected(c *gin.Context, err error) {
	a.logger.ErrorContext(c.Request.Context(), "unexpected error",
		"method", c.Request.Method, "path", c.Request.URL.Path, "error", err)

	// Once the status line is out, the client has been promised something else, and the
	// log is all that can be told.
	if c.Writer.Written() {
		return
	}

	a.writeProblem(c, http.StatusInternalServerError, detailUnexpected)
}

// writeValidationProblem answers 422 with the violations of a request body, located in the
// body.
func (a *api) writeValidationProblem(c *gin.Context, violations []users.Violation) {
	located := make([]violation, 0, len(violations))
	for _, v := range violations {
		loc := append([]string{"body"}, v.Path...)
		located = append(located, violation{Loc: loc, Code: v.Code, Message: v.Message})
	}

	a.writeViolations(c, located)
}

// writeViolations answers 422 with violations, which the caller has sorted by location.
func (a *api) writeViolations(c *gin.Context, violations []violation) {
	p := newProblem(http.StatusUnprocessableEntity, detailInvalid)
	p.Errors = violations

	a.writeJSON(c, p.Status, mediaTypeProblem, p)
}

func (a *api) writeProblem(c *gin.Context, status int, detail string) {
	a.writeJSON(c, status, mediaTypeProblem, newProblem(status, detail))
}

func newProblem(status int, detail string) problem {
	return problem{Type: "about:blank", Title: title(status), Status: status, Detail: detail}
}

// title returns the reason phrase of status. RFC 9110 renamed two of them, and net/http
// still has the old names.
func title(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "Content Too Large"
	case http.StatusUnprocessableEntity:
		return "Unprocessable Content"
	}

	return http.StatusText(status)
}

// writeJSON answers with v encoded as compact JSON.
//
// The encoder is the encoding/json/v2 prototype, whose output is the contract's: it escapes
// only what JSON requires, where encoding/json also escapes <, >, & and U+2028/U+2029.
func (a *api) writeJSON(c *gin.Context, status int, mediaType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only invalid UTF-8 makes Marshal fail here, and every string we send comes from
		// checked JSON or from PostgreSQL. The 500 problem itself always encodes.
		a.writeUnexpected(c, fmt.Errorf("encode response: %w", err))
		return
	}

	writeBody(c, status, mediaType, body)
}

// writeBody answers with body, or for HEAD with its headers alone. Content-Length is set
// explicitly because net/http counts only what is written, and a HEAD response writes
// nothing.
func writeBody(c *gin.Context, status int, mediaType string, body []byte) {
	h := c.Writer.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Length", strconv.Itoa(len(body)))

	// Gin defers the status line until the first write, so it is sent now, or a HEAD
	// response would never be marked as written and Gin would add a body of its own.
	c.Status(status)
	c.Writer.WriteHeaderNow()

	if c.Request.Method != http.MethodHead {
		// A failed write means that the client has gone; there is no one left to tell.
		_, _ = c.Writer.Write(body)
	}
}
