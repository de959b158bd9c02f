package users

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // the pgx5:// scheme
	_ "github.com/golang-migrate/migrate/v4/source/file"     // the file:// scheme
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// migrations is the schema that both services share, applied here as `make migrate` does.
const migrations = "../../../db/migrations"

// newTestStore starts PostgreSQL in a container, applies the migrations and returns a Store
// on it. The image is POSTGRES_IMAGE, postgres:17 by default. The test is skipped if Docker
// cannot be reached.
func newTestStore(t *testing.T) *Store {
	t.Helper()

	testcontainers.SkipIfProviderIsNotHealthy(t)

	image := os.Getenv("POSTGRES_IMAGE")
	if image == "" {
		image = "postgres:17"
	}

	ctr, err := postgres.Run(t.Context(), image, postgres.BasicWaitStrategies())
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatalf("start %s: %v", image, err)
	}

	url, err := ctr.ConnectionString(t.Context(), "sslmode=disable")
	if err != nil {
		t.Fatalf("connection string: %v", err)
	}

	migrateUp(t, url)

	config, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}

	// Enough connections for the concurrent tests to run all their queries at once, rather
	// than a few at a time as the default of four would have them.
	config.MaxConns = 50

	pool, err := pgxpool.NewWithConfig(t.Context(), config)
	if err != nil {
		t.Fatalf("pgxpool.NewWithConfig: %v", err)
	}
	t.Cleanup(pool.Close)

	return NewStore(pool)
}

func migrateUp(t *testing.T, url string) {
	t.Helper()

	dir, err := filepath.Abs(migrations)
	if err != nil {
		t.Fatalf("find migrations: %v", err)
	}

	m, err := migrate.New("file://"+dir, "pgx5"+strings.TrimPrefix(url, "postgres"))
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	defer m.Close()

	if err := m.Up(); err != nil {
		t.Fatalf("migrate up: %v", err)
	}
}

func TestStore_Create(t *testing.T) {
	s := newTestStore(t)

	t.Run("returns the stored user", func(t *testing.T) {
		before := time.Now()
		got, err := s.Create(t.Context(), NewUser{Name: " Ada\tLovelace ", Email: "Ada@example.com"})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}

		if got.ID < 1 || got.Name != " Ada\tLovelace " || got.Email != "Ada@example.com" {
			t.Errorf("Create = %+v, want a positive id and the name and e-mail as given", got)
		}

		// The clocks of the container and the test may differ a little.
		if d := got.CreatedAt.Sub(before); d < -time.Minute || d > time.Minute {
			t.Errorf("CreatedAt = %v, want about %v", got.CreatedAt, before)
		}
		if !got.UpdatedAt.Equal(got.CreatedAt) {
			t.Errorf("UpdatedAt = %v, want CreatedAt %v", got.UpdatedAt, got.CreatedAt)
		}
	})

	// Validation must never pass what the schema's constraints refuse: that would be a 500.
	t.Run("whatever validation accepts is stored", func(t *testing.T) {
		bodies := []string{
			`{"name":"\u200b","email":"zwsp@example.com"}`,
			`{"name":"\u180e","email":"mvs@example.com"}`,
			`{"name":"\u00a0x\u00a0","email":"nbsp@example.com"}`,
			`{"name":"` + strings.Repeat("語", 100) + `","email":"long@example.com"}`,
			`{"name":"Role","email":"Postmaster@EXAMPLE.com"}`,
			`{"name":"Atext","email":"a!#$%&'*+-/=?^_` + "`" + `{|}~z@sub.example.co.uk"}`,
		}
		for _, body := range bodies {
			in, violations := ParseNewUser([]byte(body))
			if len(violations) > 0 {
				t.Fatalf("ParseNewUser(%s) violations = %v, want none", body, violations)
			}

			got, err := s.Create(t.Context(), in)
			if err != nil {
				t.Errorf("Create(%+v): %v", in, err)
				continue
			}
			if got.Name != in.Name || got.Email != in.Email {
				t.Errorf("Create(%+v) stored %+v", in, got)
			}
		}
	})

	t.Run("e-mail taken in another case", func(t *testing.T) {
		_, err := s.Create(t.Context(), NewUser{Name: "Grace", Email: "grace@example.com"})
		if err != nil {
			t.Fatalf("first Create: %v", err)
		}

		_, err = s.Create(t.Context(), NewUser{Name: "Impostor", Email: "GRACE@example.com"})
		if !errors.Is(err, ErrEmailTaken) {
			t.Errorf("second Create error = %v, want ErrEmailTaken", err)
		}
	})

	t.Run("ids increase", func(t *testing.T) {
		first, err1 := s.Create(t.Context(), NewUser{Name: "One", Email: "one@example.com"})
		second, err2 := s.Create(t.Context(), NewUser{Name: "Two", Email: "two@example.com"})
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("Create: %v", err)
		}

		if second.ID <= first.ID {
			t.Errorf("ids %d then %d, want increasing", first.ID, second.ID)
		}
	})

	t.Run("50 concurrent creates with one e-mail", func(t *testing.T) {
		const n = 50

		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				name := fmt.Sprintf("Racer %d", i)
				_, errs[i] = s.Create(t.Context(), NewUser{Name: name, Email: "race@example.com"})
			})
		}
		wg.Wait()

		var created, taken int
		for _, err := range errs {
			switch {
			case err == nil:
				created++
			case errors.Is(err, ErrEmailTaken):
				taken++
			default:
				t.Errorf("Create error = %v, want nil or ErrEmailTaken", err)
			}
		}

		if created != 1 || taken != n-1 {
			t.Errorf("%d created, %d ErrEmailTaken; want 1 and %d", created, taken, n-1)
		}
	})
}

func TestStore_Get(t *testing.T) {
	s := newTestStore(t)

	created, err := s.Create(t.Context(), NewUser{Name: "Émile 😀", Email: "emile@example.com"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	t.Run("existing user", func(t *testing.T) {
		got, err := s.Get(t.Context(), created.ID)
		if err != nil {
			t.Fatalf("Get(%d): %v", created.ID, err)
		}

		if got.ID != created.ID || got.Name != created.Name || got.Email != created.Email ||
			!got.CreatedAt.Equal(created.CreatedAt) || !got.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("Get(%d) = %+v, want %+v", created.ID, got, created)
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		_, err := s.Get(t.Context(), created.ID+1)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%d) error = %v, want ErrNotFound", created.ID+1, err)
		}
	})

	t.Run("ping", func(t *testing.T) {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// TestStore_unavailable checks that a database that cannot be reached is reported as
// ErrUnavailable by every method. It needs no database: the port has nothing listening.
func TestStore_unavailable(t *testing.T) {
	pool, err := pgxpool.New(t.Context(), "postgres://nobody@127.0.0.1:1/users?connect_timeout=1")
	if err != nil {
		t.Fatalf("pgxpool.New: %v", err)
	}
	t.Cleanup(pool.Close)
	s := NewStore(pool)

	calls := map[string]func(context.Context) error{
		"Get": func(ctx context.Context) error {
			_, err := s.Get(ctx, 1)
			return err
		},
		"Create": func(ctx context.Context) error {
			_, err := s.Create(ctx, NewUser{Name: "Ada", Email: "ada@example.com"})
			return err
		},
		"Ping": s.Ping,
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(t.Context()); !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s error = %v, want ErrUnavailable", name, err)
			}
		})
	}
}

func TestTranslate(t *testing.T) {
	other := errors.New("something else")
	tests := []struct {
		name string
		err  error
		want error // nil if the error is to come back as it went in
	}{
		{"no rows", pgx.ErrNoRows, ErrNotFound},
		{"email index", &pgconn.PgError{Code: "23505", ConstraintName: emailIndex}, ErrEmailTaken},
		{"another unique index", &pgconn.PgError{Code: "23505", ConstraintName: "users_pkey"}, nil},
		{"check constraint", &pgconn.PgError{Code: "23514", ConstraintName: "users_name_length"}, nil},
		{"connection failure", &pgconn.PgError{Code: "08006"}, ErrUnavailable},
		{"connection does not exist", &pgconn.PgError{Code: "08003"}, ErrUnavailable},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, ErrUnavailable},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, ErrUnavailable},
		{"starting up", &pgconn.PgError{Code: "57P03"}, ErrUnavailable},
		{"query canceled", &pgconn.PgError{Code: "57014"}, nil},
		{"network", &net.OpError{Op: "read", Err: errors.New("connection reset")}, ErrUnavailable},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), ErrUnavailable},
		{"other", other, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			if want == nil {
				want = tt.err
			}

			got := translate(tt.err)
			if !errors.Is(got, want) {
				t.Errorf("translate(%v) = %v, want %v", tt.err, got, want)
			}

			for _, sentinel := range []error{ErrNotFound, ErrEmailTaken, ErrUnavailable} {
				if !errors.Is(want, sentinel) && errors.Is(got, sentinel) {
					t.Errorf("translate(%v) = %v, which is also %v", tt.err, got, sentinel)
				}
			}
		})
	}
}
