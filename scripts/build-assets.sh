#!/usr/bin/env bash
# Build the vendored front-end assets the pages and the browser tests load:
#   static/vendor/bootstrap-italia/{css,js,fonts,svg}   Bootstrap Italia 2.x
#   static/vendor/axe-core/axe.min.js                    axe-core, injected by the accessibility tests
#
# static/vendor/ is generated (gitignored): run this after cloning and after changing
# package.json / package-lock.json. It is idempotent and quick when nothing changed:
# npm runs only when node_modules is missing or older than the lock file, and files
# are copied only when they differ.
#
# Bootstrap Italia 2.x keeps no @font-face in its CSS: the bundle's loadFonts() writes
# them at run time, pointing at window.__PUBLIC_PATH__ (base.html sets it to
# static/vendor/bootstrap-italia/fonts). So the fonts folder only has to sit there,
# with the dist's own sub-folders (Titillium_Web/, Lora/, Roboto_Mono/) unchanged.
#
# Usage: scripts/build-assets.sh [--force]   (--force reinstalls node_modules first)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

NODE_MODULES="$ROOT/node_modules"
LOCK="$ROOT/package-lock.json"
BI_DIST="$NODE_MODULES/bootstrap-italia/dist"
AXE="$NODE_MODULES/axe-core/axe.min.js"
VENDOR="$ROOT/static/vendor"

log() { printf 'build-assets: %s\n' "$*" >&2; }

need() {
  command -v "$1" >/dev/null 2>&1 || {
    log "'$1' not found: install Node.js 18+ with npm (Debian: apt-get install nodejs npm)"
    exit 1
  }
}

install_packages() {
  need npm
  # --no-audit/--no-fund: no extra registry round-trips, nothing printed we do not act on.
  if [[ -f "$LOCK" ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  else
    log "npm install (no package-lock.json yet: it will be written)"
    npm install --no-audit --no-fund --loglevel=error
  fi
  # npm ci recreates node_modules with the lock's mtime or older contents: mark it fresh.
  touch "$NODE_MODULES"
}

node_modules_stale() {
  [[ ! -d "$NODE_MODULES" ]] && return 0
  [[ ! -f "$BI_DIST/css/bootstrap-italia.min.css" || ! -f "$AXE" ]] && return 0
  [[ -f "$LOCK" && "$LOCK" -nt "$NODE_MODULES" ]] && return 0
  [[ "$ROOT/package.json" -nt "$NODE_MODULES" ]] && return 0
  return 1
}

# copy SRC DEST: only when missing or different, so repeated runs touch nothing.
copy_file() {
  local src="$1" dest="$2"
  if [[ ! -f "$dest" ]] || ! cmp -s "$src" "$dest"; then
    mkdir -p "$(dirname "$dest")"
    cp "$src" "$dest"
    COPIED=$((COPIED + 1))
  fi
}

# copy_tree SRC_DIR DEST_DIR: mirror a folder (files removed upstream are removed here too).
copy_tree() {
  local src="$1" dest="$2" rel
  while IFS= read -r -d '' rel; do
    copy_file "$src/$rel" "$dest/$rel"
  done < <(cd "$src" && find . -type f -printf '%P\0')
  if [[ -d "$dest" ]]; then
    while IFS= read -r -d '' rel; do
      if [[ ! -e "$src/$rel" ]]; then
        rm -f "$dest/$rel"
        COPIED=$((COPIED + 1))
      fi
    done < <(cd "$dest" && find . -type f -printf '%P\0')
  fi
}

if [[ "${1:-}" == "--force" ]]; then
  rm -rf "$NODE_MODULES"
fi
if node_modules_stale; then
  install_packages
fi

for required in "$BI_DIST/css/bootstrap-italia.min.css" "$BI_DIST/js/bootstrap-italia.bundle.min.js" \
                "$BI_DIST/svg/sprites.svg" "$BI_DIST/fonts" "$AXE"; do
  if [[ ! -e "$required" ]]; then
    log "missing $required: has the package layout changed? Try: $0 --force"
    exit 1
  fi
done

COPIED=0
BI_OUT="$VENDOR/bootstrap-italia"
copy_file "$BI_DIST/css/bootstrap-italia.min.css" "$BI_OUT/css/bootstrap-italia.min.css"
copy_file "$BI_DIST/js/bootstrap-italia.bundle.min.js" "$BI_OUT/js/bootstrap-italia.bundle.min.js"
copy_file "$BI_DIST/svg/sprites.svg" "$BI_OUT/svg/sprites.svg"
copy_tree "$BI_DIST/fonts" "$BI_OUT/fonts"
copy_file "$NODE_MODULES/bootstrap-italia/LICENSE" "$BI_OUT/LICENSE"
copy_file "$AXE" "$VENDOR/axe-core/axe.min.js"
copy_file "$NODE_MODULES/axe-core/LICENSE" "$VENDOR/axe-core/LICENSE"

bi_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$NODE_MODULES/bootstrap-italia/package.json" | head -n1)"
axe_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$NODE_MODULES/axe-core/package.json" | head -n1)"
log "static/vendor up to date (bootstrap-italia $bi_version, axe-core $axe_version; $COPIED file(s) changed)"
