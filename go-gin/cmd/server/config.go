package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Config is the configuration of the server, read from the environment once at startup.
type Config struct {
	// DatabaseURL is the PostgreSQL connection string (DATABASE_URL), required.
	DatabaseURL string

	// Port is the TCP port to listen on (PORT), 8080 unless set.
	Port int

	// LogLevel is the least severe level that is logged (LOG_LEVEL): debug, info, warn or
	// error in any case, info unless set.
	LogLevel slog.Level

	// PoolSize is the most connections the database pool opens (DATABASE_POOL_SIZE),
	// defaultPoolSize unless set.
	PoolSize int32
}

// loadConfig reads the configuration from getenv. A variable that is empty counts as unset.
// The error names every variable that is wrong, not only the first.
func loadConfig(getenv func(string) string) (Config, error) {
	cfg := Config{DatabaseURL: getenv("DATABASE_URL")}

	var errs []error
	if cfg.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is required"))
	}

	var err error
	if cfg.Port, err = parsePort(getenv("PORT")); err != nil {
		errs = append(errs, err)
	}

	if cfg.LogLevel, err = parseLogLevel(getenv("LOG_LEVEL")); err != nil {
		errs = append(errs, err)
	}

	if cfg.PoolSize, err = parsePoolSize(getenv("DATABASE_POOL_SIZE")); err != nil {
		errs = append(errs, err)
	}

	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("invalid configuration: %w", err)
	}

	return cfg, nil
}

func parsePort(s string) (int, error) {
	if s == "" {
		return 8080, nil
	}

	port, err := strconv.Atoi(s)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("PORT must be a number from 1 to 65535, not %q", s)
	}

	return port, nil
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}

	return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", s)
}

// defaultPoolSize is the pool size that did best in `make bench` on two cores: INSERTs gain
// 20% over a pool of 10 (more commits share each WAL flush), reads gain nothing, and 40
// connections do worse at both (see the service's README).
const defaultPoolSize = 20

func parsePoolSize(s string) (int32, error) {
	if s == "" {
		return defaultPoolSize, nil
	}

	// Parsed at 32 bits because that is the type of pgxpool's MaxConns.
	size, err := strconv.ParseInt(s, 10, 32)
	if err != nil || size < 1 {
		return 0, fmt.Errorf("DATABASE_POOL_SIZE must be a whole number of at least 1, not %q", s)
	}

	return int32(size), nil
}
