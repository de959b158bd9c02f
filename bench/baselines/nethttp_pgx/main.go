// Command nethttp_pgx is a calibration baseline for the benchmark, not a product.
//
// It answers the two requests the benchmark sends, GET /users/{id} and POST /users, with the
// least code that net/http and pgx allow: the same SQL statements as the Gin service, the same
// pool settings and server timeouts, and none of the contract's checks (no I-JSON checks, no
// validation, no problem documents). The Gin service's throughput divided by this one's is the
// price of Gin and of the contract; it is measured, not guessed.
//
// It reads DATABASE_URL, PORT (8081) and DATABASE_POOL_SIZE (20, the service's default), and
// serves /readyz so that the harness can time its startup as it times the services'.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The statements and time limits of go-gin/internal/users/store.go and go-gin/cmd/server.
const (
	getUser    = "SELECT id, name, email, created_at, updated_at FROM users WHERE id = $1"
	createUser = "INSERT INTO users (name, email) VALUES ($1, $2) " +
		"RETURNING id, name, email, created_at, updated_at"

	connectTimeout = 5 * time.Second
	dbTimeout      = 5 * time.Second
	timeLayout     = "2006-01-02T15:04:05.000000Z"
)

// user is a row of the users table as the contract renders it.
type user struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type server struct {
	pool *pgxpool.Pool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()

	if err != nil {
		fmt.Fprintf(os.Stderr, "nethttp_pgx: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	config, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		return fmt.Errorf("invalid DATABASE_URL: %w", err)
	}

	config.MaxConns = envInt("DATABASE_POOL_SIZE", 20)
	config.ConnConfig.ConnectTimeout = connectTimeout

	pool, err := pgxpool.NewWithConfig(ctx, config)
	if err != nil {
		return fmt.Errorf("create database pool: %w", err)
	}
	defer pool.Close()

	s := &server{pool: pool}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", s.getUser)
	mux.HandleFunc("POST /users", s.createUser)
	mux.HandleFunc("GET /readyz", s.readyz)

	// The timeouts of the Gin service, so that both servers manage connections alike.
	srv := &http.Server{
		Addr:              ":" + strconv.Itoa(int(envInt("PORT", 8081))),
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()

	return srv.Shutdown(shutdownCtx)
}

func (s *server) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()

	u, err := scanUser(s.pool.QueryRow(ctx, getUser, id))
	if errors.Is(err, pgx.ErrNoRows) {
		http.NotFound(w, r)
		return
	}

	write(w, http.StatusOK, u, err)
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), dbTimeout)
	defer cancel()

	u, err := scanUser(s.pool.QueryRow(ctx, createUser, in.Name, in.Email))
	if err == nil {
		w.Header().Set("Location", "/users/"+strconv.FormatInt(u.ID, 10))
	}

	write(w, http.StatusCreated, u, err)
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()

	_, err := s.pool.Exec(ctx, "SELECT 1")
	write(w, http.StatusOK, map[string]string{"status": "ok"}, err)
}

func scanUser(row pgx.Row) (user, error) {
	var (
		u                    user
		createdAt, updatedAt time.Time
	)
	err := row.Scan(&u.ID, &u.Name, &u.Email, &createdAt, &updatedAt)
	u.CreatedAt = createdAt.UTC().Format(timeLayout)
	u.UpdatedAt = updatedAt.UTC().Format(timeLayout)

	return u, err
}

// write sends v as JSON with status, or a bare 503 if err says the database failed: the
// benchmark counts every status of 400 and above as an error, which is all it needs to know.
func write(w http.ResponseWriter, status int, v any, err error) {
	if err != nil {
		http.Error(w, "database error", http.StatusServiceUnavailable)
		return
	}

	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding error", http.StatusInternalServerError)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// envInt reads a positive whole number from the environment, at 32 bits because that is the
// type of pgxpool's MaxConns.
func envInt(name string, fallback int32) int32 {
	if n, err := strconv.ParseInt(os.Getenv(name), 10, 32); err == nil && n > 0 {
		return int32(n)
	}

	return fallback
}
