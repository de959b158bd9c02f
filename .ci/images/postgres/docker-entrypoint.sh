#!/usr/bin/env bash
# Entrypoint of the locally built PostgreSQL image (see build.sh).
#
# It re-implements the part of the official postgres image's docker-entrypoint.sh that this project
# relies on, so that testcontainers, docker compose and developers see the same behaviour with
# `postgres:17` and with this image:
#   - POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER (default
#     postgres), POSTGRES_DB (default: the user), POSTGRES_HOST_AUTH_METHOD (default scram-sha-256),
#     POSTGRES_INITDB_ARGS, and *.sql / *.sh files in /docker-entrypoint-initdb.d;
#   - `docker run IMAGE -c fsync=off` and `docker run IMAGE postgres -c fsync=off` start the server
#     with those options; any other command (bash, psql, ...) is run as given.
# Not re-implemented: *_FILE secrets, compressed init scripts, running as an arbitrary --user that
# is not in /etc/passwd.
set -Eeuo pipefail

log() { printf '[entrypoint] %s\n' "$*"; }

# Mirrors the official image: initdb leaves connections from inside the container on "trust", and
# the password is asked of everyone else, which is every client of a published port.
init_cluster() {
  : "${POSTGRES_USER:=postgres}"
  : "${POSTGRES_DB:=$POSTGRES_USER}"
  : "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
  if [[ -z "${POSTGRES_PASSWORD:-}" && "$POSTGRES_HOST_AUTH_METHOD" != trust ]]; then
    log 'error: POSTGRES_PASSWORD must be set (or POSTGRES_HOST_AUTH_METHOD=trust)' >&2
    exit 1
  fi

  # Word splitting is wanted: POSTGRES_INITDB_ARGS is a list of options, as in the official image.
  # shellcheck disable=SC2206
  local -a initdb_args=(--username="$POSTGRES_USER" --auth-local=trust --auth-host=trust ${POSTGRES_INITDB_ARGS:-})
  if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then
    # A process substitution keeps the password out of `ps` and off the disk. It must be written
    # on the initdb line itself: its file descriptor is closed as soon as its command ends.
    initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  else
    initdb "${initdb_args[@]}"
  fi

  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"

  # A temporary server on the Unix socket only: a client probing the TCP port (testcontainers,
  # a compose healthcheck) must not see the database before it exists and the server restarts.
  # The server's own options (e.g. -c fsync=off) apply to it too, as in the official image.
  local server_opts="-c listen_addresses=''"
  if (($# > 1)); then server_opts="$(printf '%q ' "${@:2}")$server_opts"; fi
  pg_ctl --pgdata="$PGDATA" --wait --options="$server_opts" start
  local -a psql_cmd=(psql --no-psqlrc --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password)
  if [[ "$POSTGRES_DB" != postgres ]]; then
    "${psql_cmd[@]}" --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        log "running $f"
        # shellcheck disable=SC1090  # sourced so that it sees this script's variables
        if [[ -x "$f" ]]; then "$f"; else . "$f"; fi
        ;;
      *.sql)
        log "running $f"
        "${psql_cmd[@]}" --dbname "$POSTGRES_DB" --file "$f"
        ;;
      *) [[ -e "$f" ]] && log "ignoring $f" ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
  log 'PostgreSQL init process complete; ready for start up.'
}

# `docker run IMAGE -c fsync=off` means `postgres -c fsync=off`.
if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi

if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi

if [[ "$(id -u)" == 0 ]]; then
  # PostgreSQL refuses to run as root. Root only prepares the directories (a volume mounted on
  # PGDATA arrives owned by root) and runs this script again as postgres.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  export HOME=/var/lib/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  init_cluster "$@"
fi
# exec: the server replaces this script, so dumb-init's signals reach it directly.
exec "$@"
