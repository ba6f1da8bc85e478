#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, only where it is missing:
# nginx (the rendered server blocks are checked and served by a private nginx).
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test-deps: please install: ${missing[*]} (needs root and apt-get)" >&2
    exit 1
  fi
  echo "test-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts the system nginx; the tests use private instances only.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx >/dev/null 2>&1 || true; fi
fi
echo "test-deps: ready"
