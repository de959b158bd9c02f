package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// healthcheckTimeout bounds the whole health check. Docker's own default for a check is
// 30 s; a live server answers /healthz in microseconds.
const healthcheckTimeout = 3 * time.Second

// healthcheck asks the server listening on PORT on this host whether it is alive, and
// returns an error unless it answers 200. It reads only PORT, which must be set as for the
// server, so that it can run in the server's container with the server's environment.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	port, err := parsePort(getenv("PORT"))
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", url, resp.Status)
	}

	return nil
}
