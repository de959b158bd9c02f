#!/usr/bin/env bash
# Builds the local stand-in for python:3.11-slim, the base image of python-fastapi/Dockerfile.
#
# The service is tested on CPython 3.11. Debian bookworm ships Python 3.11 (trixie has moved on to
# 3.13), so the stand-in is a bookworm root filesystem with python3 and python3-venv: the venv
# module is what the Dockerfile uses to install uv, and the official image has it built in.
# What differs from the official image, and why the Dockerfile does not mind:
#   - Python is /usr/bin/python3, not /usr/local/bin/python3, and there is no `python` command:
#     the Dockerfile only calls `python3` until it has made its own virtual environment.
#   - There is no global pip (Debian leaves it to python3-pip): the Dockerfile installs uv into a
#     virtual environment of its own either way.
# See ../lib.sh for the caching, the CA bundle and the import.
#
# Usage: build.sh            (as root; needs debootstrap and a running Docker daemon)
# Environment:
#   PYTHON_LOCAL_IMAGE   tag to build (default fastapi-vs-gin/python:3.11-slim)
#   PYTHON_CACHE_DIR     where the root filesystem is kept (default /var/cache/fastapi-vs-gin/python)
#   DEBIAN_MIRROR        Debian mirror for debootstrap (default http://deb.debian.org/debian)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$HERE/../lib.sh"

readonly IMAGE="${PYTHON_LOCAL_IMAGE:-fastapi-vs-gin/python:3.11-slim}"
readonly CACHE_DIR="${PYTHON_CACHE_DIR:-/var/cache/fastapi-vs-gin/python}"
readonly LOG_PREFIX=python-image
readonly DEBIAN_SUITE=bookworm
readonly PACKAGES=python3,python3-venv,ca-certificates

main() {
  local rootfs_key hash
  rootfs_key="$(rootfs_hash "$HERE/build.sh")"
  hash="$(image_hash "$rootfs_key")"
  if image_has_recipe "$IMAGE" "$hash"; then
    log "$IMAGE is up to date (recipe $hash)"
    return
  fi

  with_cache_lock
  if image_has_recipe "$IMAGE" "$hash"; then
    log "$IMAGE was built meanwhile"
    return
  fi
  local rootfs
  rootfs="$(cached_rootfs "$DEBIAN_SUITE" "$PACKAGES" "$rootfs_key")"
  # The official image's environment, less what only its own build used (GPG_KEY, PYTHON_SHA256).
  # SSL_CERT_FILE and PIP_CERT point uv and pip at the bundle that has the host's CA in it: uv
  # otherwise trusts only the roots compiled into it, and pip those of its vendored certifi.
  import_rootfs "$rootfs" "$hash" \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    -c 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    -c 'CMD ["python3"]'
}

main "$@"
