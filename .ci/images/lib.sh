# shellcheck shell=bash
# Shared by the builders of the stand-in base images (python/build.sh, golang/build.sh).
#
# No registry is reachable from CI, so python:3.11-slim and golang:1.26 cannot be pulled. Each
# builder makes the nearest thing from what is reachable: a Debian root filesystem made by
# debootstrap, kept in a cache directory, and turned into an image by `docker import`, as
# postgres/build.sh does. The Dockerfiles take their base images as build arguments, so CI passes
# these stand-ins and everybody else gets the official images.
#
# Two things every stand-in gets at import time, from the host:
#   - The host's CA bundle. CI reaches PyPI and the Go module proxy through an egress proxy that
#     re-signs TLS with its own CA, which only the host trusts. With Debian's bundle alone, pip, uv
#     and go inside `docker build` would refuse every download. Where there is no such proxy, the
#     host's bundle is Debian's anyway.
#   - A label with a hash of the recipe, so that a builder does nothing when the image is current.
#
# A builder sets IMAGE, CACHE_DIR and LOG_PREFIX, then calls the functions below.

readonly DEBIAN_MIRROR_URL="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
readonly RECIPE_LABEL=org.fastapi-vs-gin.recipe
LIB="$(realpath "${BASH_SOURCE[0]}")"
readonly LIB

log() { printf '[%s] %s\n' "$LOG_PREFIX" "$*" >&2; }

# rootfs_hash FILE...: a short hash of the given files and of this library: the recipe of a root
# filesystem, which only a change to its builder makes again.
rootfs_hash() { cat "$@" "$LIB" | sha256sum | cut -c1-16; }

# image_hash ROOTFS_HASH [WORD...]: a short hash of a root filesystem's recipe, of the words given
# (whatever else goes into the image, such as a version) and of the host's CA bundle.
image_hash() { { printf '%s\n' "$@" && cat "$HOST_CA_BUNDLE"; } | sha256sum | cut -c1-16; }

# image_has_recipe IMAGE HASH: whether IMAGE exists and was built from the recipe HASH.
image_has_recipe() {
  local have
  have="$(docker image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$1" 2>/dev/null)" || return 1
  [[ "$have" == "$2" ]]
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

# Documentation, manual pages, translations and package lists: nothing in a build reads them, and
# every megabyte left here is imported again whenever the recipe changes. The official slim images
# remove the same.
trim_rootfs() {
  local root="$1"
  rm -rf "$root"/usr/share/{doc,man,info,lintian,linda}/* "$root"/usr/share/locale/*
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old
  rm -f "$root"/var/log/*.log "$root"/var/log/apt/*
}

# cached_rootfs SUITE PACKAGES KEY: print the path of a root filesystem of Debian SUITE with
# PACKAGES (comma-separated), made by debootstrap unless the cache already holds one for KEY.
# Root filesystems of other keys are removed: their recipe has changed and they are never used again.
cached_rootfs() {
  local suite="$1" packages="$2" key="$3"
  local dest="$CACHE_DIR/rootfs-$key"
  if [[ -d "$dest" ]]; then
    log "reusing cached root filesystem $dest"
    printf '%s\n' "$dest"
    return
  fi

  local tmp="$dest.tmp.$$"
  remove_tree "$tmp"
  trap 'remove_tree "'"$tmp"'"' EXIT
  log "debootstrap $suite with $packages (about a minute)"
  debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$DEBIAN_MIRROR_URL" >"$tmp.log" 2>&1 ||
    { tail -n 30 "$tmp.log" >&2; log "debootstrap failed, full log: $tmp.log"; exit 1; }
  trim_rootfs "$tmp"
  mv "$tmp" "$dest"
  rm -f "$tmp.log"
  trap - EXIT

  find "$CACHE_DIR" -mindepth 1 -maxdepth 1 -name 'rootfs-*' ! -path "$dest" -print0 |
    while IFS= read -r -d '' old; do remove_tree "$old"; done
  printf '%s\n' "$dest"
}

# import_rootfs ROOTFS HASH [docker import options...]: import ROOTFS as IMAGE, labelled with HASH,
# with the host's CA bundle in place of Debian's and the files that the builder's optional
# `add_files DIR` function puts into DIR. The options set ENV, CMD, WORKDIR and so on.
#
# The image is made from a copy of ROOTFS, because `docker import` refuses an archive that names
# a file twice, so files cannot simply be appended after the root filesystem. The copy is made of
# hard links: it takes a second whatever the size, and leaves the cache untouched as long as files
# are replaced (removed, then written) and never written in place.
import_rootfs() {
  local rootfs="$1" hash="$2"
  shift 2
  local tree="$CACHE_DIR/import.$$"
  remove_tree "$tree"
  trap 'remove_tree "'"$tree"'"' EXIT
  cp -al "$rootfs" "$tree"

  rm -f "$tree/etc/ssl/certs/ca-certificates.crt"
  install -D -m 0644 "$HOST_CA_BUNDLE" "$tree/etc/ssl/certs/ca-certificates.crt"
  if declare -F add_files >/dev/null; then
    add_files "$tree"
  fi

  log "importing $rootfs as $IMAGE"
  tar --numeric-owner -C "$tree" -c . |
    docker import "$@" -c "LABEL $RECIPE_LABEL=$hash" - "$IMAGE" >/dev/null
  remove_tree "$tree"
  trap - EXIT
  log "built $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%d MB", $1 / 1e6 }'))"
}

# with_cache_lock: take the cache directory's lock for the rest of the script. Two builds at once
# (CI and a developer's `make`) would otherwise debootstrap into the same place.
with_cache_lock() {
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/.lock"
  flock 9
}
