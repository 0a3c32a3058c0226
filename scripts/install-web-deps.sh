#!/usr/bin/env bash
# Install what the public register and the badge need from Debian; idempotent.
#
#   bash scripts/install-web-deps.sh
#
# - chromium: the headless browser the tests in tests/web/ drive (Debian's build; no browser is
#   ever downloaded by the tests or by Playwright);
# - fonts-khmeros: Khmer fonts for the badge PNG and for the browser's screenshots
#   (the pages themselves ask the visitor's own system fonts first);
# - libfribidi0: loaded by Pillow's bundled Raqm layout engine, which shapes Khmer on the badge;
# - fontconfig: lets the badge find a Khmer font when none is at the usual paths.
# Needs root and Debian's package mirror when something is missing. Progress goes to stderr;
# the last line on stdout is the browser's path (for CETS_CHROMIUM).
set -euo pipefail
log() { echo "install-web-deps: $*" >&2; }

PACKAGES=(chromium fonts-khmeros libfribidi0 fontconfig)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then log "need root to apt-get install ${missing[*]}"; exit 1; fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fc-cache -f >/dev/null 2>&1 || true
else
  log "already installed: ${PACKAGES[*]}"
fi
command -v chromium
