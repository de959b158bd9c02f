// Package httpapi serves the users API over HTTP with Gin.
//
// Every response follows CONTRACT.md at the root of the repository, byte for byte, because a
// FastAPI service answers the same requests and one contract suite checks both. Where Gin's
// defaults differ from the contract, NewHandler changes them, and the comments say why.
package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"fastapi-vs-gin/go-gin/internal/users"
)

const (
	// dbTimeout bounds the database work of one request. A request that waits longer than
	// this is better answered with a 503 than left hanging until the client gives up.
	dbTimeout = 5 * time.Second

	// readyTimeout bounds the readiness probe, which an orchestrator calls often and which
	// must answer before the orchestrator's own timeout does.
	readyTimeout = 2 * time.Second
)

// api holds what the handlers share.
type api struct {
	store  *users.Store
	logger *slog.Logger
}

// NewHandler returns the handler of the users API, which keeps its users in store and logs
// to logger.
func NewHandler(store *users.Store, logger *slog.Logger) http.Handler {
	a := &api{store: store, logger: logger}

	// Release mode stops Gin from printing its route table and warnings to stdout, which
	// must carry nothing but the JSON log.
	gin.SetMode(gin.ReleaseMode)

	// gin.New, unlike gin.Default, installs no middleware: the two below replace Gin's
	// text logger and its recovery, which answers 500 with an empty body.
	r := gin.New()
	r.Use(a.logRequests, a.recoverPanics)

	// The contract has no redirects: /users/ is not /users. With HandleMethodNotAllowed,
	// Gin tells a path that exists with another method (405) from one that does not (404).
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.HandleMethodNotAllowed = true

	// Gin routes HEAD like any other method, so every GET route is registered for HEAD too;
	// writeBody leaves the body out.
	r.GET("/users", a.handleListUsers)
	r.HEAD("/users", a.handleListUsers)
	r.POST("/users", a.handleCreateUser)
	r.GET("/users/:id", a.handleGetUser)
	r.HEAD("/users/:id", a.handleGetUser)
	r.PATCH("/users/:id", a.handleUpdateUser)
	r.DELETE("/users/:id", a.handleDeleteUser)
	r.GET("/healthz", a.handleHealthz)
	r.HEAD("/healthz", a.handleHealthz)
	r.GET("/readyz", a.handleReadyz)
	r.HEAD("/readyz", a.handleReadyz)
	r.GET("/openapi.json", a.handleOpenAPI)
	r.HEAD("/openapi.json", a.handleOpenAPI)
	r.GET("/docs", a.handleDocs)
	r.HEAD("/docs", a.handleDocs)

	r.NoRoute(a.handleNoRoute)
	r.NoMethod(a.handleNoMethod)

	return mirrorUvicornParser(r)
}
