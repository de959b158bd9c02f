package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
)

// statusResponse is the body of the health and readiness probes.
type statusResponse struct {
	Status string `json:"status"`
}

// handleHealthz answers 200 while the process can serve HTTP at all. It does not touch the
// database: a liveness probe that failed with the database would have the orchestrator
// restart healthy processes for a fault that restarts cannot fix.
func (a *api) handleHealthz(c *gin.Context) {
	a.writeJSON(c, http.StatusOK, mediaTypeJSON, statusResponse{Status: "ok"})
}

// handleReadyz answers 200 if the database answers a query within readyTimeout, and 503
// otherwise, so that an orchestrator sends traffic only to instances that can serve it.
func (a *api) handleReadyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()

	if err := a.store.Ping(ctx); err != nil {
		a.writeProblem(c, http.StatusServiceUnavailable, detailUnavailable)
		return
	}

	a.writeJSON(c, http.StatusOK, mediaTypeJSON, statusResponse{Status: "ok"})
}
