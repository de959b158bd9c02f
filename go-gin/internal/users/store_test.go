package users

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
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

func TestStore_List(t *testing.T) {
	s := newTestStore(t)

	t.Run("no users", func(t *testing.T) {
		got, err := s.List(t.Context(), 0, 10)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		if len(got) != 0 {
			t.Errorf("List(0, 10) = %v, want no users", got)
		}
	})

	created := createUsers(t, s, "page", 7)

	t.Run("pages cover every user once, by id", func(t *testing.T) {
		for _, limit := range []int{1, 2, 3, 7, 8, 100} {
			var seen []User
			after := int64(0)
			for range len(created) + 1 {
				got, err := s.List(t.Context(), after, limit)
				if err != nil {
					t.Fatalf("List(%d, %d): %v", after, limit, err)
				}
				if len(got) > limit {
					t.Fatalf("List(%d, %d) returned %d users", after, limit, len(got))
				}
				if len(got) == 0 {
					break
				}

				seen = append(seen, got...)
				after = got[len(got)-1].ID
			}

			if got, want := ids(seen), ids(created); !slices.Equal(got, want) {
				t.Errorf("pages of %d: ids %v, want %v", limit, got, want)
			}
		}
	})

	t.Run("returns the stored users", func(t *testing.T) {
		got, err := s.List(t.Context(), created[2].ID-1, 1)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		if len(got) != 1 || !equalUser(got[0], created[2]) {
			t.Errorf("List(%d, 1) = %+v, want [%+v]", created[2].ID-1, got, created[2])
		}
	})

	t.Run("after an id that no user has", func(t *testing.T) {
		if err := s.Delete(t.Context(), created[3].ID); err != nil {
			t.Fatalf("Delete: %v", err)
		}

		got, err := s.List(t.Context(), created[3].ID, 2)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		if want := ids(created[4:6]); !slices.Equal(ids(got), want) {
			t.Errorf("List(%d, 2) ids = %v, want %v", created[3].ID, ids(got), want)
		}
	})

	t.Run("a user created between pages comes last", func(t *testing.T) {
		first, err := s.List(t.Context(), 0, 2)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		late := createUsers(t, s, "late", 1)[0]

		rest, err := s.List(t.Context(), first[len(first)-1].ID, 100)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		if len(rest) == 0 || rest[len(rest)-1].ID != late.ID {
			t.Errorf("second page ids = %v, want %d last", ids(rest), late.ID)
		}
	})

	t.Run("after the largest id", func(t *testing.T) {
		got, err := s.List(t.Context(), math.MaxInt64, 100)
		if err != nil {
			t.Fatalf("List: %v", err)
		}

		if len(got) != 0 {
			t.Errorf("List(MaxInt64, 100) = %v, want no users", got)
		}
	})
}

func TestStore_Update(t *testing.T) {
	s := newTestStore(t)

	tests := []struct {
		name    string
		changes Changes
	}{
		{"name", Changes{Name: ptr("Ada Lovelace")}},
		{"email", Changes{Email: ptr("Lovelace@example.com")}},
		{"both", Changes{Name: ptr("Countess"), Email: ptr("countess@example.com")}},
		{"nothing", Changes{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := NewUser{Name: "Ada", Email: fmt.Sprintf("ada.%d@example.com", i)}
			before, err := s.Create(t.Context(), in)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}

			got, err := s.Update(t.Context(), before.ID, tt.changes)
			if err != nil {
				t.Fatalf("Update(%d, %+v): %v", before.ID, tt.changes, err)
			}

			want := before
			if tt.changes.Name != nil {
				want.Name = *tt.changes.Name
			}
			if tt.changes.Email != nil {
				want.Email = *tt.changes.Email
			}
			if got.ID != want.ID || got.Name != want.Name || got.Email != want.Email {
				t.Errorf("Update(%d, %+v) = %+v, want %+v", before.ID, tt.changes, got, want)
			}
			if !got.CreatedAt.Equal(before.CreatedAt) {
				t.Errorf("CreatedAt = %v, want %v unchanged", got.CreatedAt, before.CreatedAt)
			}
			if !got.UpdatedAt.After(before.UpdatedAt) {
				t.Errorf("UpdatedAt = %v, want after %v", got.UpdatedAt, before.UpdatedAt)
			}

			stored, err := s.Get(t.Context(), before.ID)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if !equalUser(stored, got) {
				t.Errorf("Get after Update = %+v, want %+v", stored, got)
			}
		})
	}

	t.Run("own e-mail in another case", func(t *testing.T) {
		u, err := s.Create(t.Context(), NewUser{Name: "Grace", Email: "grace@example.com"})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}

		got, err := s.Update(t.Context(), u.ID, Changes{Email: ptr("GRACE@example.com")})
		if err != nil {
			t.Fatalf("Update: %v, want no conflict with the user's own address", err)
		}
		if got.Email != "GRACE@example.com" {
			t.Errorf("Email = %q, want %q", got.Email, "GRACE@example.com")
		}
	})

	t.Run("e-mail of another user in another case", func(t *testing.T) {
		pair := createUsers(t, s, "taken", 2)

		// The stored form of an address has a lowercase domain, which the schema checks.
		local, domain, _ := strings.Cut(pair[0].Email, "@")
		email := strings.ToUpper(local) + "@" + domain
		_, err := s.Update(t.Context(), pair[1].ID, Changes{Email: &email})
		if !errors.Is(err, ErrEmailTaken) {
			t.Errorf("Update error = %v, want ErrEmailTaken", err)
		}

		stored, err := s.Get(t.Context(), pair[1].ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !equalUser(stored, pair[1]) {
			t.Errorf("after a conflict, Get = %+v, want %+v unchanged", stored, pair[1])
		}
	})

	t.Run("unknown id", func(t *testing.T) {
		_, err := s.Update(t.Context(), math.MaxInt64, Changes{Name: ptr("Nobody")})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Update(MaxInt64) error = %v, want ErrNotFound", err)
		}

		_, err = s.Update(t.Context(), math.MaxInt64, Changes{})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Update(MaxInt64, no changes) error = %v, want ErrNotFound", err)
		}
	})
}

func TestStore_Delete(t *testing.T) {
	s := newTestStore(t)

	u, err := s.Create(t.Context(), NewUser{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}

	if err := s.Delete(t.Context(), u.ID); err != nil {
		t.Fatalf("Delete(%d): %v", u.ID, err)
	}

	if _, err := s.Get(t.Context(), u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(t.Context(), u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete error = %v, want ErrNotFound", err)
	}

	// The address is free again, in any case.
	if _, err := s.Create(t.Context(), NewUser{Name: "Ada", Email: "ADA@example.com"}); err != nil {
		t.Errorf("Create with the deleted user's address: %v", err)
	}
}

// createUsers creates n users whose addresses start with prefix and returns them in the
// order of creation, which is the order of their ids.
func createUsers(t *testing.T, s *Store, prefix string, n int) []User {
	t.Helper()

	created := make([]User, 0, n)
	for i := range n {
		in := NewUser{Name: fmt.Sprintf("User %d", i), Email: fmt.Sprintf("%s.%d@example.com", prefix, i)}
		u, err := s.Create(t.Context(), in)
		if err != nil {
			t.Fatalf("Create(%+v): %v", in, err)
		}
		created = append(created, u)
	}

	return created
}

func ids(list []User) []int64 {
	out := make([]int64, 0, len(list))
	for _, u := range list {
		out = append(out, u.ID)
	}

	return out
}

func equalUser(a, b User) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Email == b.Email &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
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
		"List": func(ctx context.Context) error {
			_, err := s.List(ctx, 0, 20)
			return err
		},
		"Update": func(ctx context.Context) error {
			_, err := s.Update(ctx, 1, Changes{})
			return err
		},
		"Delete": func(ctx context.Context) error {
			return s.Delete(ctx, 1)
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
