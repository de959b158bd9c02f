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

// pageResponse is the JSON form of a page of users. Next is the path of the following page,
// or nil, written as null, on the last one.
type pageResponse struct {
	Users []userResponse `json:"users"`
	Next  *string        `json:"next"`
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

// handleListUsers answers 200 with a page of users by increasing id and the path of the
// next page. It answers 422 if the query's limit or after is not acceptable, and 503 if the
// database cannot be reached.
func (a *api) handleListUsers(c *gin.Context) {
	p, violations := parsePage(c.Request.URL.RawQuery)
	if len(violations) > 0 {
		a.writeViolations(c, violations)
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), dbTimeout)
	defer cancel()

	// One user more than the page holds tells whether another page follows.
	found, err := a.store.List(ctx, p.after, p.limit+1)
	if err != nil {
		a.writeError(c, err)
		return
	}

	a.writeJSON(c, http.StatusOK, mediaTypeJSON, newPageResponse(p, found))
}

// newPageResponse returns page p of the listing, from found, the users that follow p.after,
// of which the store returned at most one more than p.limit.
func newPageResponse(p page, found []users.User) pageResponse {
	shown := found[:min(len(found), p.limit)]

	// Made, not nil, though the encoder writes an empty list either way.
	resp := pageResponse{Users: make([]userResponse, 0, len(shown))}
	for _, u := range shown {
		resp.Users = append(resp.Users, newUserResponse(u))
	}

	if len(found) > p.limit {
		next := p.nextPath(shown[len(shown)-1].ID)
		resp.Next = &next
	}

	return resp
}

// handleUpdateUser applies the JSON body to the user named by the path and answers 200 with
// the updated user. It answers 404 if the id cannot name a user; then 415, 413, 400 or 422
// for a body that is not acceptable; then 404 if no user has the id, 409 if the new e-mail
// address is another user's and 503 if the database cannot be reached.
func (a *api) handleUpdateUser(c *gin.Context) {
	id, ok := parseUserID(c.Param("id"))
	if !ok {
		a.handleNoRoute(c)
		return
	}

	body, ok := a.readJSONBody(c)
	if !ok {
		return
	}

	// The body is validated before the user is looked up, as the contract wants: a bad
	// body is 422 even for a user who does not exist.
	changes, violations := users.ParseChanges(body)
	if len(violations) > 0 {
		a.writeValidationProblem(c, violations)
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), dbTimeout)
	defer cancel()

	u, err := a.store.Update(ctx, id, changes)
	if err != nil {
		a.writeError(c, err)
		return
	}

	a.writeJSON(c, http.StatusOK, mediaTypeJSON, newUserResponse(u))
}

// handleDeleteUser deletes the user named by the path and answers 204 without a body. It
// answers 404 if the id cannot name a user or no user has it, and 503 if the database
// cannot be reached.
func (a *api) handleDeleteUser(c *gin.Context) {
	id, ok := parseUserID(c.Param("id"))
	if !ok {
		a.handleNoRoute(c)
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), dbTimeout)
	defer cancel()

	if err := a.store.Delete(ctx, id); err != nil {
		a.writeError(c, err)
		return
	}

	// Without a write, net/http sends neither a Content-Type nor a body with a 204.
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

// parseUserID returns the user id that s spells, or false if s is not the canonical decimal
// form of a positive 64-bit integer: no sign, no leading zero, no space, nothing but digits.
func parseUserID(s string) (int64, bool) {
	if s == "0" || !isCanonicalInteger(s) {
		return 0, false
	}

	// The digits are right; what can still fail is the range.
	id, err := strconv.ParseInt(s, 10, 64)

	return id, err == nil
}
