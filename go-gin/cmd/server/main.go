// Command server runs the users API.
//
// It is configured by environment variables (see Config) and stops gracefully on SIGINT or
// SIGTERM. "server healthcheck" asks a running server on this host whether it is alive and
// exits 0 if it is, 1 if not, so that a container image without a shell can check itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"fastapi-vs-gin/go-gin/internal/httpapi"
	"fastapi-vs-gin/go-gin/internal/users"
)

const (
	// connectTimeout bounds one attempt to open a database connection. Without it, a
	// database host that drops packets would hold each request for the kernel's TCP
	// timeout, minutes, instead of failing fast with a 503.
	connectTimeout = 5 * time.Second

	// startupPingTimeout bounds the check of the database at startup, which only decides
	// whether to warn: the server starts either way.
	startupPingTimeout = 2 * time.Second

	// shutdownTimeout is how long requests in flight get to finish after a stop signal.
	// A handler spends at most 5 s on the database, so 10 s is enough for any of them, and
	// it is as long as `docker stop` waits before it kills the process.
	shutdownTimeout = 10 * time.Second

	// timeLayout is the layout of the log's time key: UTC with microseconds, as the Python
	// service writes it.
	timeLayout = "2006-01-02T15:04:05.000000Z"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout)
	stop()

	if err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
}

// run runs the command named by args with the environment getenv, logging to stdout, until
// ctx is done or the server fails.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 {
		if args[1] != "healthcheck" {
			return fmt.Errorf("unknown command %q (the only one is healthcheck)", args[1])
		}

		return healthcheck(ctx, getenv)
	}

	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}

	logger := newLogger(stdout, cfg.LogLevel)

	pool, err := newPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()

	store := users.NewStore(pool)
	checkDatabase(ctx, store, logger)

	return serve(ctx, cfg.Port, httpapi.NewHandler(store, logger), logger)
}

// newLogger returns a logger that writes one JSON object per line to w, with the time in
// UTC at microsecond precision.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	replace := func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(timeLayout))
		}

		return a
	}

	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: replace}))
}

// newPool returns a pool of connections to the database. It does not connect: pgxpool opens
// connections when queries need them, which lets the server start while the database is
// down and recover by itself when it comes back.
func newPool(ctx context.Context, cfg Config) (*pgxpool.Pool, error) {
	poolConfig, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		// pgx leaves the password out of its parse errors.
		return nil, fmt.Errorf("invalid DATABASE_URL: %w", err)
	}

	poolConfig.MaxConns = cfg.PoolSize
	poolConfig.ConnConfig.ConnectTimeout = connectTimeout

	pool, err := pgxpool.NewWithConfig(ctx, poolConfig)
	if err != nil {
		return nil, fmt.Errorf("create database pool: %w", err)
	}

	return pool, nil
}

// checkDatabase pings the database once and warns if it does not answer. The server starts
// anyway, answering 503 until the database is back, but an operator who started it with a
// wrong DATABASE_URL learns of it at once rather than from the first failed request.
func checkDatabase(ctx context.Context, store *users.Store, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, startupPingTimeout)
	defer cancel()

	if err := store.Ping(ctx); err != nil {
		logger.WarnContext(ctx, "database unreachable", "error", err)
	}
}

// serve answers HTTP requests with handler on port until ctx is done, then shuts the server
// down gracefully.
func serve(ctx context.Context, port int, handler http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Addr:    ":" + strconv.Itoa(port),
		Handler: handler,

		// A client gets 5 s to send its headers and 30 s for the whole request, so a slow
		// client cannot hold a connection open by trickling bytes (Slowloris). Request
		// bodies are at most 1 MiB, which 30 s is ample for.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,

		// A handler spends at most 5 s on the database, so 30 s to write a response leaves
		// room for a slow reader without letting one hold a goroutine forever.
		WriteTimeout: 30 * time.Second,

		// Idle keep-alive connections are closed after two minutes, longer than the idle
		// timeouts of common proxies, so that the proxy, not the server, closes them first.
		IdleTimeout: 120 * time.Second,

		// net/http reports here what it cannot pin on a handler, such as a connection it
		// failed to accept, and it must come out as JSON like everything else.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}

	logger.InfoContext(ctx, "server starting", "port", port)

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	// The signal's context is done, and the shutdown needs one that is not.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()

	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}

	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}

	logger.InfoContext(ctx, "server stopped")

	return nil
}
