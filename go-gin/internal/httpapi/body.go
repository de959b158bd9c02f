package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"
)

const (
	// maxBodyBytes is the largest request body, 1 MiB. A user is a few hundred bytes.
	maxBodyBytes = 1 << 20

	// maxDepth is the deepest nesting of arrays and objects in a request body, counting
	// the outermost as 1. No valid request nests deeper than 1; the contract's bound keeps
	// hostile nesting cheap to refuse.
	maxDepth = 32
)

// readJSONBody reads the body of a request that must carry JSON, running the contract's
// checks in the contract's order: media type (415), size (413), then syntax (400). It returns
// the body if every check passes; otherwise it has answered with the problem, and it returns
// false.
func (a *api) readJSONBody(c *gin.Context) ([]byte, bool) {
	if !isJSONMediaType(c.GetHeader("Content-Type")) {
		a.writeProblem(c, http.StatusUnsupportedMediaType, detailUnsupportedType)
		return nil, false
	}

	// A declared length over the limit is refused before a byte of the body is read.
	if c.Request.ContentLength > maxBodyBytes {
		a.writeProblem(c, http.StatusRequestEntityTooLarge, detailTooLarge)
		return nil, false
	}

	// A chunked body has no declared length, so the reader enforces the limit as well.
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		a.writeProblem(c, http.StatusRequestEntityTooLarge, detailTooLarge)
		return nil, false
	}

	// Any other read error is a body cut short or badly framed: not JSON either.
	if err != nil || !isIJSON(body) {
		a.writeProblem(c, http.StatusBadRequest, detailInvalidJSON)
		return nil, false
	}

	return body, true
}

// isJSONMediaType reports whether the Content-Type header value names application/json. Only
// the media type counts, compared without regard to ASCII case: parameters such as charset
// are ignored.
func isJSONMediaType(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.Trim(mediaType, " \t")

	// Not strings.EqualFold, which folds Unicode too: it would take "application/jſon",
	// with a long s, for "application/json", and the Python service would not.
	return asciiLower(mediaType) == mediaTypeJSON
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}

	return string(b)
}

// isIJSON reports whether body is exactly one JSON text that is also an I-JSON message
// (RFC 7493), nested at most maxDepth deep.
//
// The jsontext decoder does the I-JSON checks by default: it refuses invalid UTF-8, a byte
// order mark, escaped lone surrogates, duplicate member names and anything that is not JSON
// syntax, such as NaN. Only the depth is counted here, token by token, so that a deep body
// is refused without being decoded whole.
func isIJSON(body []byte) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := dec.ReadToken(); err != nil {
			return false
		}

		if dec.StackDepth() > maxDepth {
			return false
		}

		// Back at depth 0, the one top-level value is complete.
		if dec.StackDepth() == 0 {
			break
		}
	}

	// The decoder would read a second value as the next in a stream; the contract calls
	// it trailing garbage. Only whitespace may follow.
	_, err := dec.ReadToken()

	return errors.Is(err, io.EOF)
}
