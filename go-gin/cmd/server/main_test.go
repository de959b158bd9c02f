package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
)

// env returns a getenv that reads vars.
func env(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestLoadConfig(t *testing.T) {
	const db = "postgres://users@db/users"

	tests := []struct {
		name string
		vars map[string]string
		want Config
	}{
		{"defaults", map[string]string{"DATABASE_URL": db},
			Config{DatabaseURL: db, Port: 8080, LogLevel: slog.LevelInfo, PoolSize: 20}},
		{"everything set", map[string]string{
			"DATABASE_URL": db, "PORT": "65535", "LOG_LEVEL": "debug", "DATABASE_POOL_SIZE": "1",
		}, Config{DatabaseURL: db, Port: 65535, LogLevel: slog.LevelDebug, PoolSize: 1}},
		{"level in capitals", map[string]string{"DATABASE_URL": db, "LOG_LEVEL": "WARN"},
			Config{DatabaseURL: db, Port: 8080, LogLevel: slog.LevelWarn, PoolSize: 20}},
		{"level in mixed case", map[string]string{"DATABASE_URL": db, "LOG_LEVEL": "Error"},
			Config{DatabaseURL: db, Port: 8080, LogLevel: slog.LevelError, PoolSize: 20}},
		{"empty means unset", map[string]string{"DATABASE_URL": db, "PORT": "", "LOG_LEVEL": ""},
			Config{DatabaseURL: db, Port: 8080, LogLevel: slog.LevelInfo, PoolSize: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(env(tt.vars))
			if err != nil {
				t.Fatalf("loadConfig(%v): %v", tt.vars, err)
			}

			if got != tt.want {
				t.Errorf("loadConfig(%v) = %+v, want %+v", tt.vars, got, tt.want)
			}
		})
	}
}

func TestLoadConfig_errors(t *testing.T) {
	const db = "postgres://users@db/users"

	tests := []struct {
		name string
		vars map[string]string
		want []string // what the error must mention
	}{
		{"no database", map[string]string{}, []string{"DATABASE_URL is required"}},
		{"port 0", map[string]string{"DATABASE_URL": db, "PORT": "0"}, []string{"PORT", `"0"`}},
		{"port 65536", map[string]string{"DATABASE_URL": db, "PORT": "65536"}, []string{"PORT"}},
		{"port name", map[string]string{"DATABASE_URL": db, "PORT": "http"}, []string{"PORT"}},
		{"level", map[string]string{"DATABASE_URL": db, "LOG_LEVEL": "trace"}, []string{"LOG_LEVEL"}},
		{"pool 0", map[string]string{"DATABASE_URL": db, "DATABASE_POOL_SIZE": "0"},
			[]string{"DATABASE_POOL_SIZE"}},
		{"pool of 2^31", map[string]string{"DATABASE_URL": db, "DATABASE_POOL_SIZE": "2147483648"},
			[]string{"DATABASE_POOL_SIZE"}},
		{"everything wrong at once", map[string]string{"PORT": "-1", "LOG_LEVEL": "loud"},
			[]string{"DATABASE_URL", "PORT", "LOG_LEVEL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(env(tt.vars))
			if err == nil {
				t.Fatalf("loadConfig(%v) succeeded, want an error", tt.vars)
			}

			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("loadConfig(%v) error = %q, want it to mention %s", tt.vars, err, want)
				}
			}
		})
	}
}

func TestRun_healthcheck(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"alive", http.StatusOK, false},
		{"failing", http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" {
					w.WriteHeader(http.StatusNotFound)
					return
				}
				w.WriteHeader(tt.status)
			}))
			t.Cleanup(srv.Close)

			u, err := url.Parse(srv.URL)
			if err != nil {
				t.Fatalf("parse %s: %v", srv.URL, err)
			}

			// The check needs no DATABASE_URL: it reads PORT alone.
			getenv := env(map[string]string{"PORT": u.Port()})
			err = run(t.Context(), []string{"server", "healthcheck"}, getenv, &bytes.Buffer{})
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Errorf("healthcheck against %d: error = %v, want an error: %t", tt.status, err, tt.wantErr)
			}
		})
	}

	t.Run("nothing listening", func(t *testing.T) {
		getenv := env(map[string]string{"PORT": "1"})
		err := run(t.Context(), []string{"server", "healthcheck"}, getenv, &bytes.Buffer{})
		if err == nil {
			t.Error("healthcheck against a closed port succeeded, want an error")
		}
	})
}

func TestRun_badConfig(t *testing.T) {
	var stdout bytes.Buffer
	err := run(t.Context(), []string{"server"}, env(map[string]string{"PORT": "80"}), &stdout)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("run without DATABASE_URL: error = %v, want one about DATABASE_URL", err)
	}
}

func TestNewLogger(t *testing.T) {
	var out bytes.Buffer
	logger := newLogger(&out, slog.LevelInfo)

	logger.Debug("hidden")
	logger.Warn("database unreachable", "error", "refused")

	var entry struct {
		Time  string `json:"time"`
		Level string `json:"level"`
		Msg   string `json:"msg"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out.Bytes(), &entry); err != nil {
		t.Fatalf("log %q is not one JSON object: %v", out.String(), err)
	}

	if entry.Level != "WARN" || entry.Msg != "database unreachable" || entry.Error != "refused" {
		t.Errorf("log = %s, want a WARN database unreachable with the error", out.String())
	}

	stamp, err := time.Parse(timeLayout, entry.Time)
	if err != nil || len(entry.Time) != len("2026-12-03T15:56:28.120000Z") {
		t.Errorf("time = %q, want UTC with six fractional digits and a Z", entry.Time)
	}
	if d := time.Since(stamp); d < 0 || d > time.Minute {
		t.Errorf("time = %q, want about now", entry.Time)
	}
}
