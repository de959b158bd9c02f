#!/usr/bin/env bash
# Builds the PostgreSQL image the tests and compose files use, without any container registry.
#
# No registry is reachable from CI, so `postgres:17` cannot be pulled. What is reachable is Debian's
# package mirror, so the image is a Debian root filesystem made by debootstrap and turned into an
# image by `docker import`. Debian trixie ships PostgreSQL 17, the major version of the official
# `postgres:17` image that developers use locally, so both run the same server.
#
# Usage: build.sh            (as root; needs debootstrap and a running Docker daemon)
# Environment:
#   PG_LOCAL_IMAGE   tag to build (default fastapi-vs-gin/postgres:17)
#   PG_CACHE_DIR     where the root filesystem is kept between runs (default /var/cache/fastapi-vs-gin/postgres)
#   DEBIAN_MIRROR    Debian mirror for debootstrap (default http://deb.debian.org/debian)
#
# Caching: the image carries a label with a hash of this script and of the entrypoint. When the
# tagged image exists with the current hash, nothing is done. Otherwise the root filesystem is taken
# from PG_CACHE_DIR when a copy made by this same script is there (only re-importing, a few seconds),
# and made with debootstrap when it is not (about a minute). So editing the entrypoint, or a
# `docker system prune`, costs an import, not a debootstrap.
set -euo pipefail

readonly DEBIAN_SUITE=trixie
readonly PG_MAJOR=17
readonly IMAGE="${PG_LOCAL_IMAGE:-fastapi-vs-gin/postgres:${PG_MAJOR}}"
readonly CACHE_DIR="${PG_CACHE_DIR:-/var/cache/fastapi-vs-gin/postgres}"
readonly MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
readonly SELF="$HERE/build.sh"
readonly ENTRYPOINT_SRC="$HERE/docker-entrypoint.sh"
readonly HASH_LABEL=org.fastapi-vs-gin.postgres.recipe

# `locales` to give the server en_US.UTF-8, the official image's locale (and so the same collation);
# `dumb-init` to turn `docker stop`'s SIGTERM into the SIGINT that PostgreSQL reads as "fast
# shutdown" (see import_image).
readonly PACKAGES="postgresql-${PG_MAJOR},locales,dumb-init"

log() { printf '[postgres-image] %s\n' "$*" >&2; }

# The root filesystem depends only on this script; the image also depends on the entrypoint.
rootfs_key() { sha256sum <"$SELF" | cut -c1-16; }
image_key() { cat "$SELF" "$ENTRYPOINT_SRC" | sha256sum | cut -c1-16; }

image_is_current() {
  local have
  have="$(docker image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$IMAGE" 2>/dev/null)" || return 1
  [[ "$have" == "$(image_key)" ]]
}

# debootstrap mounts /proc and /sys inside the target. If it dies half way they stay mounted, and
# removing the directory would then walk into the host's /proc and /sys.
remove_tree() {
  local dir="$1"
  [[ -e "$dir" ]] || return 0
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while IFS= read -r mnt; do umount -l "$mnt" || true; done
  rm -rf --one-file-system "$dir"
}

# Everything below is removed because the server never reads it: it halves the image, and a
# smaller image imports faster on every CI run that has to rebuild it.
trim_rootfs() {
  local root="$1"
  # Documentation, manual pages, message translations and locale sources (en_US is compiled by now).
  rm -rf "$root"/usr/share/{doc,man,info,lintian,linda,i18n}/* "$root"/usr/share/locale/*
  # Package lists and downloaded .debs: nothing is ever installed into the running image.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old
  # LLVM is only for JIT-compiling queries (about 180 MB with its Z3 dependency and the bitcode).
  # Without llvmjit.so the server simply does not JIT, as with distributions that ship JIT as a
  # separate package; for a test database JIT mostly adds latency anyway.
  rm -rf "$root"/usr/lib/*-linux-gnu/libLLVM* "$root"/usr/lib/*-linux-gnu/libz3.so* \
    "$root/usr/lib/postgresql/$PG_MAJOR/lib/bitcode" "$root/usr/lib/postgresql/$PG_MAJOR/lib/llvmjit"*
  # The package creates a cluster "17/main" for systemd; the entrypoint makes its own in PGDATA.
  rm -rf "$root/var/lib/postgresql/$PG_MAJOR" "$root/etc/postgresql/$PG_MAJOR"
  rm -f "$root"/var/log/*.log "$root"/var/log/apt/*
}

make_rootfs() {
  local dest="$1" tmp="$1.tmp.$$"
  remove_tree "$tmp"
  trap 'remove_tree "'"$tmp"'"' EXIT
  log "debootstrap $DEBIAN_SUITE with $PACKAGES (about a minute)"
  debootstrap --variant=minbase --include="$PACKAGES" "$DEBIAN_SUITE" "$tmp" "$MIRROR" >"$tmp.log" 2>&1 ||
    { tail -n 30 "$tmp.log" >&2; log "debootstrap failed, full log: $tmp.log"; exit 1; }
  # Same locale as the official image; -A makes the "en_US.utf8" spelling resolve too.
  chroot "$tmp" localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
  # The data directory and socket directory must belong to the postgres user, whose uid is only
  # known inside the root filesystem, hence chroot. The modes are the official image's: 1777 and
  # 3777 let `docker run --user` with any uid work; the entrypoint tightens PGDATA to 700.
  chroot "$tmp" sh -c "mkdir -p /var/lib/postgresql/data /var/run/postgresql &&
    chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql &&
    chmod 1777 /var/lib/postgresql/data && chmod 3777 /var/run/postgresql"
  trim_rootfs "$tmp"
  mv "$tmp" "$dest"
  rm -f "$tmp.log"
  trap - EXIT
}

# docker import cannot set STOPSIGNAL (Docker 20.10 refuses it as a --change), so the official
# image's STOPSIGNAL SIGINT is done by dumb-init rewriting SIGTERM (15) to SIGINT (2). Without it,
# SIGTERM asks PostgreSQL for a "smart" shutdown, which waits for every client to disconnect, and
# `docker stop` would then hang for 10 s with a service still connected.
# There is no VOLUME: each container keeps its data in its own layer, so removing a test container
# leaves no anonymous volume behind.
import_image() {
  local rootfs="$1" pg_bin="/usr/lib/postgresql/$PG_MAJOR/bin"
  local stage
  stage="$(mktemp -d)"
  install -D -m 0755 "$ENTRYPOINT_SRC" "$stage/usr/local/bin/docker-entrypoint.sh"
  log "importing $rootfs as $IMAGE"
  # The entrypoint is added at import time so that changing it does not need a new debootstrap.
  tar --numeric-owner -C "$rootfs" -c . -C "$stage" ./usr/local/bin/docker-entrypoint.sh |
    docker import \
      -c "ENV PATH=$pg_bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      -c 'ENV PGDATA=/var/lib/postgresql/data' \
      -c 'ENV LANG=en_US.utf8' \
      -c "ENV PG_MAJOR=$PG_MAJOR" \
      -c "LABEL $HASH_LABEL=$(image_key)" \
      -c 'ENTRYPOINT ["/usr/bin/dumb-init", "--single-child", "--rewrite", "15:2", "--", "/usr/local/bin/docker-entrypoint.sh"]' \
      -c 'CMD ["postgres"]' \
      -c 'EXPOSE 5432' \
      -c 'USER root' \
      -c 'WORKDIR /' \
      - "$IMAGE" >/dev/null
  rm -rf "$stage"
}

main() {
  if image_is_current; then
    log "$IMAGE is up to date (recipe $(image_key))"
    return 0
  fi
  local rootfs
  rootfs="$CACHE_DIR/rootfs-$(rootfs_key)"
  mkdir -p "$CACHE_DIR"
  # Two builds at once (CI and a developer's `make`) would debootstrap into the same place.
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  if image_is_current; then
    log "$IMAGE was built meanwhile"
    return 0
  fi
  if [[ -d "$rootfs" ]]; then
    log "reusing cached root filesystem $rootfs"
  else
    make_rootfs "$rootfs"
    # Root filesystems made by older versions of this script will never be used again.
    find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -name 'rootfs-*' ! -path "$rootfs" -print0 |
      while IFS= read -r -d '' old; do remove_tree "$old"; done
  fi
  import_image "$rootfs"
  log "built $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

main "$@"
