#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it by executable_path;
# Playwright never downloads a browser of its own here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "chromium is missing: install Debian's 'chromium' package (needs root)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
