package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// logRequests logs every request that reaches Gin once it has been answered, at debug level:
// in production the access log belongs to the proxy in front, and here it is for debugging.
func (a *api) logRequests(c *gin.Context) {
	start := time.Now()

	c.Next()

	elapsed := time.Since(start)
	a.logger.LogAttrs(c.Request.Context(), slog.LevelDebug, "request completed",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
}

// recoverPanics turns a panic in a handler into a logged error and a 500 problem that says
// nothing of the cause. Gin's own recovery would answer with an empty body.
func (a *api) recoverPanics(c *gin.Context) {
	defer func() {
		recovered := recover()
		if recovered == nil {
			return
		}

		// http.ErrAbortHandler is how a handler asks net/http to drop the connection
		// without a word; it is not a bug.
		if err, ok := recovered.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(recovered)
		}

		c.Abort()
		a.writeUnexpected(c, fmt.Errorf("panic: %v", recovered))
	}()

	c.Next()
}
