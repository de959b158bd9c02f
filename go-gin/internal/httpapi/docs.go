package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// The API's one OpenAPI document and its Swagger UI page: copies of the repository's
// openapi.yaml, made by `make openapi`, kept here so that the service still serves them when it
// is copied out of the monorepo. Gin has no generator; the document is written by hand.
var (
	//go:embed openapi.json
	openapiDocument []byte

	//go:embed docs.html
	docsPage []byte
)

// handleOpenAPI answers with the OpenAPI document, the same bytes the FastAPI service sends.
func (a *api) handleOpenAPI(c *gin.Context) {
	writeBody(c, http.StatusOK, mediaTypeJSON, openapiDocument)
}

// handleDocs answers with Swagger UI, which loads the document from /openapi.json.
func (a *api) handleDocs(c *gin.Context) {
	writeBody(c, http.StatusOK, "text/html; charset=utf-8", docsPage)
}
