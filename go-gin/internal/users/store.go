package users

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// userColumns are the columns of a User, in the order scanUser reads them.
const userColumns = "id, name, email, created_at, updated_at"

// emailIndex is the unique index on lower(email) in db/migrations.
const emailIndex = "users_email_lower_key"

// SQLSTATE codes that the store gives a meaning to. The full list is in appendix A of the
// PostgreSQL manual.
const (
	uniqueViolation = "23505"

	// Class 08 is "connection exception": the connection could not be made or was lost.
	connectionExceptionClass = "08"

	adminShutdown = "57P01" // the server is shutting down
	crashShutdown = "57P02" // the server is restarting after a crash
	cannotConnect = "57P03" // the server is starting up or in recovery
)

// Store keeps users in PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store that runs its queries on pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

// Get returns the user with the given id. It returns an error wrapping ErrNotFound if there
// is none, or ErrUnavailable if the database cannot be reached.
func (s *Store) Get(ctx context.Context, id int64) (User, error) {
	row := s.pool.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = $1", id)

	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, translate(err))
	}

	return u, nil
}

// Create stores a new user and returns it with the id and timestamps the database assigned.
// It returns an error wrapping ErrEmailTaken if another user has the same e-mail address in
// any case, or ErrUnavailable if the database cannot be reached.
func (s *Store) Create(ctx context.Context, in NewUser) (User, error) {
	row := s.pool.QueryRow(ctx,
		"INSERT INTO users (name, email) VALUES ($1, $2) RETURNING "+userColumns,
		in.Name, in.Email)

	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", translate(err))
	}

	return u, nil
}

// List returns at most limit users whose ids are greater than after, by increasing id. Ids
// only grow, so a user created while a client walks the pages lands after every page it has
// seen. List returns ErrUnavailable if the database cannot be reached.
func (s *Store) List(ctx context.Context, after int64, limit int) ([]User, error) {
	rows, err := s.pool.Query(ctx,
		"SELECT "+userColumns+" FROM users WHERE id > $1 ORDER BY id LIMIT $2", after, limit)
	if err != nil {
		return nil, fmt.Errorf("list users after %d: %w", after, translate(err))
	}

	// CollectRows closes rows and reports the error that ended them, if any.
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (User, error) {
		return scanUser(row)
	})
	if err != nil {
		return nil, fmt.Errorf("list users after %d: %w", after, translate(err))
	}

	return list, nil
}

// Update applies changes to the user with the given id, sets its updated_at to the time of
// the update and returns the user as stored. A nil field of changes keeps its value; empty
// changes advance updated_at alone. It returns an error wrapping ErrNotFound if no user has
// the id, ErrEmailTaken if another user has the new e-mail address in any case, or
// ErrUnavailable if the database cannot be reached.
func (s *Store) Update(ctx context.Context, id int64, changes Changes) (User, error) {
	// One statement for every combination of changes: a nil field travels as NULL, and
	// coalesce keeps the column as it is. No lookup comes before it that a concurrent delete
	// could make stale: no row back means no such user. The unique index does not count the
	// row's own old version, so a user may change the case of its own address.
	row := s.pool.QueryRow(ctx,
		"UPDATE users SET name = coalesce($2, name), email = coalesce($3, email), "+
			"updated_at = now() WHERE id = $1 RETURNING "+userColumns,
		id, changes.Name, changes.Email)

	u, err := scanUser(row)
	if err != nil {
		return User{}, fmt.Errorf("update user %d: %w", id, translate(err))
	}

	return u, nil
}

// Delete deletes the user with the given id. It returns an error wrapping ErrNotFound if
// there is none, or ErrUnavailable if the database cannot be reached.
func (s *Store) Delete(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM users WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("delete user %d: %w", id, translate(err))
	}

	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete user %d: %w", id, ErrNotFound)
	}

	return nil
}

// Ping reports whether the database answers a query. It returns an error wrapping
// ErrUnavailable if it cannot be reached.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("ping database: %w", translate(err))
	}

	return nil
}

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Name, &u.Email, &u.CreatedAt, &u.UpdatedAt)

	return u, err
}

// translate turns the errors of pgx that have a meaning in the domain into the package's
// sentinel errors, and returns every other error as it is.
func translate(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return ErrNotFound

	// Uniqueness is decided by the unique index alone. Looking for the address before
	// inserting would race: two requests could both find it free, and both insert. The
	// index lets exactly one of them win, and the loser's violation becomes a 409.
	case errors.As(err, &pgErr) && pgErr.Code == uniqueViolation &&
		pgErr.ConstraintName == emailIndex:
		return ErrEmailTaken

	case unreachable(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}

	return err
}

// unreachable reports whether err means that the database could not be reached or did not
// answer in time, as opposed to a query that the database answered with an error.
func unreachable(err error) bool {
	// The pool connects lazily, so a database that is down shows up as a failure to
	// connect when the pool tries to acquire a connection for a query.
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}

	// A connection that dies under a query fails with the network error, and a query that
	// outlives its deadline with a timeout.
	var netErr net.Error
	if errors.As(err, &netErr) || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}

	// The server itself may say that it is going away or not yet ready.
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case adminShutdown, crashShutdown, cannotConnect:
			return true
		}

		return strings.HasPrefix(pgErr.Code, connectionExceptionClass)
	}

	return false
}
