// Package users is the domain of the service: what a user is, which requests to create or
// update one are acceptable, and how users are kept in PostgreSQL.
//
// The package knows nothing about HTTP. It reports failures with the sentinel errors below,
// and the HTTP layer decides once, in one place, which status each of them becomes.
package users

import (
	"errors"
	"time"
)

// User is a person known to the service, as stored in the users table.
type User struct {
	ID        int64
	Name      string
	Email     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewUser is a request to create a user that has passed validation: Name is exactly as the
// client sent it and Email is in its normalized, stored form.
type NewUser struct {
	Name  string
	Email string
}

// Changes is a request to update a user that has passed validation. A nil field is left as
// it is; Name is exactly as the client sent it and Email is in its normalized, stored form.
type Changes struct {
	Name  *string
	Email *string
}

var (
	// ErrNotFound means that no user has the requested id.
	ErrNotFound = errors.New("user not found")

	// ErrEmailTaken means that another user already has the e-mail address, compared
	// without regard to case.
	ErrEmailTaken = errors.New("e-mail address already taken")

	// ErrUnavailable means that the database could not be reached or did not answer in
	// time. The request may succeed if it is tried again later.
	ErrUnavailable = errors.New("database unavailable")
)
