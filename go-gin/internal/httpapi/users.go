package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"fastapi-vs-gin/go-gin/internal/users"
)

// timestampLayout renders a time as the contract wants it: UTC, exactly six fractional
// digits, which is PostgreSQL's own precision, and a Z.
const timestampLayout = "2006-01-02T15:04:05.000000Z"

// userResponse is the JSON form of a user, with its members in the contract's order.
type userResponse struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func newUserResponse(u users.User) userResponse {
	return userResponse{
		ID:        u.ID,
		Name:      u.Name,
		Email:     u.Email,
		CreatedAt: u.CreatedAt.UTC().Format(timestampLayout),
		UpdatedAt: u.UpdatedAt.UTC().Format(timestampLayout),
	}
}

// handleCreateUser creates a user from the JSON body and answers 201 with the user and its
// Location. It answers 415, 413, 400 or 422 for a body that is not acceptable, 409 if the
// e-mail address is taken and 503 if the database cannot be reached.
func (a *api) handleCreateUser(c *gin.Context) {
	body, ok := a.readJSONBody(c)
	if !ok {
		return
	}

	in, violations := users.ParseNewUser(body)
	if len(violations) > 0 {
		a.writeValidationProblem(c, violations)
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), dbTimeout)
	defer cancel()

	u, err := a.store.Create(ctx, in)
	if err != nil {
		a.writeError(c, err)
		return
	}

	c.Header("Location", "/users/"+strconv.FormatInt(u.ID, 10))
	a.writeJSON(c, http.StatusCreated, mediaTypeJSON, newUserResponse(u))
}

// handleGetUser answers 200 with the user named by the path. It answers 404 if the id is
// not one that can name a user or no user has it, and 503 if the database cannot be
// reached.
func (a *api) handleGetUser(c *gin.Context) {
	id, ok := parseUserID(c.Param("id"))
	if !ok {
		a.handleNoRoute(c)
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), dbTimeout)
	defer cancel()

	u, err := a.store.Get(ctx, id)
	if err != nil {
		a.writeError(c, err)
		return
	}

	a.writeJSON(c, http.StatusOK, mediaTypeJSON, newUserResponse(u))
}

// parseUserID returns the user id that s spells, or false if s is not the canonical decimal
// form of a positive 64-bit integer: no sign, no leading zero, no space, nothing but digits.
// strconv.ParseInt alone would take "+1" and "01".
func parseUserID(s string) (int64, bool) {
	if s == "" || s[0] == '0' {
		return 0, false
	}

	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}

	// The digits are right; what can still fail is the range.
	id, err := strconv.ParseInt(s, 10, 64)

	return id, err == nil
}
