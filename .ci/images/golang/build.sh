#!/usr/bin/env bash
# Builds the local stand-in for golang:1.26, the build stage of go-gin/Dockerfile and db/Dockerfile.
#
# Debian's golang package is older than the Go 1.26 that go.mod asks for, so the toolchain is the
# host's own: the one that `make test-all` builds and tests with, copied to /usr/local/go as in the
# official image, over a Debian bookworm root filesystem that gives the build its shell and CA
# certificates. The environment is the official image's (GOPATH=/go, GOTOOLCHAIN=local), so the
# Dockerfiles see no difference. See ../lib.sh for the caching, the CA bundle and the import.
#
# Usage: build.sh            (as root; needs debootstrap, Go 1.26 and a running Docker daemon)
# Environment:
#   GOLANG_LOCAL_IMAGE   tag to build (default fastapi-vs-gin/golang:1.26)
#   GOLANG_CACHE_DIR     where the root filesystem is kept (default /var/cache/fastapi-vs-gin/golang)
#   DEBIAN_MIRROR        Debian mirror for debootstrap (default http://deb.debian.org/debian)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$HERE/../lib.sh"

readonly GO_MINOR=1.26
readonly IMAGE="${GOLANG_LOCAL_IMAGE:-fastapi-vs-gin/golang:${GO_MINOR}}"
readonly CACHE_DIR="${GOLANG_CACHE_DIR:-/var/cache/fastapi-vs-gin/golang}"
readonly LOG_PREFIX=golang-image
readonly DEBIAN_SUITE=bookworm
readonly PACKAGES=ca-certificates

GOROOT_DIR=""
GO_VERSION=""

find_host_go() {
  if ! command -v go >/dev/null; then
    log "error: no go on PATH; the host needs Go $GO_MINOR (make test-all does too)"
    exit 1
  fi
  GOROOT_DIR="$(go env GOROOT)"
  GO_VERSION="$(go env GOVERSION)"
  # "go1.26" and "go1.26.8" are both 1.26; "go1.260" would not be.
  if [[ "$GO_VERSION" != "go$GO_MINOR" && "$GO_VERSION" != "go$GO_MINOR".* ]]; then
    log "error: the host's Go is $GO_VERSION; this image is Go $GO_MINOR"
    exit 1
  fi
}

# Called by import_rootfs with the tree that becomes the image.
add_files() {
  local tree="$1"
  mkdir -p "$tree/usr/local"
  cp -a "$GOROOT_DIR" "$tree/usr/local/go"
  # As in the official image: GOPATH is writable by whichever user a build runs as.
  install -d -m 1777 "$tree/go" "$tree/go/bin" "$tree/go/src"
}

main() {
  find_host_go
  local rootfs_key hash
  rootfs_key="$(rootfs_hash "$HERE/build.sh")"
  hash="$(image_hash "$rootfs_key" "$GO_VERSION")"
  if image_has_recipe "$IMAGE" "$hash"; then
    log "$IMAGE is up to date ($GO_VERSION, recipe $hash)"
    return
  fi

  with_cache_lock
  if image_has_recipe "$IMAGE" "$hash"; then
    log "$IMAGE was built meanwhile"
    return
  fi
  local rootfs
  rootfs="$(cached_rootfs "$DEBIAN_SUITE" "$PACKAGES" "$rootfs_key")"
  log "adding $GO_VERSION from $GOROOT_DIR"
  import_rootfs "$rootfs" "$hash" \
    -c "ENV GOLANG_VERSION=${GO_VERSION#go}" \
    -c 'ENV GOTOOLCHAIN=local' \
    -c 'ENV GOPATH=/go' \
    -c 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'WORKDIR /go'
}

main "$@"
