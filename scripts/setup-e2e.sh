#!/bin/sh
# Prepares the end-to-end test machine: Debian packages, a seeded ripgrep cache and code-server
# 4.100.3 in .e2e/ (ignored by git). Idempotent: every step is skipped when already done, so
# CI and developers can call it before each `npm run test:e2e`.
# code-server 4.100.3 is the newest that runs on Node 20; test/e2e/README.md explains the recipe.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CODE_SERVER_VERSION=4.100.3
E2E="$ROOT/.e2e"

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v rg >/dev/null 2>&1 || missing="$missing ripgrep"
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing="$missing libkrb5-dev"
if [ -n "$missing" ]; then
  echo "setup-e2e: installing$missing"
  $SUDO apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
fi

installed=""
if [ -f "$E2E/code-server/node_modules/code-server/package.json" ]; then
  installed=$(node -p "require('$E2E/code-server/node_modules/code-server/package.json').version")
fi
if [ "$installed" != "$CODE_SERVER_VERSION" ]; then
  sh "$ROOT/scripts/e2e/seed-ripgrep-cache.sh"
  mkdir -p "$E2E/code-server"
  cd "$E2E/code-server"
  [ -f package.json ] || echo '{ "name": "nas-e2e-code-server", "private": true }' > package.json
  # yes: node-pty's build runs `npx node-gyp`; nodedir: use this Node's headers instead of
  # downloading them; unsafe-perm: code-server's install script insists on it as root.
  # npm 11 skips dependencies' install scripts unless allowed, but code-server's postinstall
  # (its nested npm installs, node-pty's native build, ripgrep) is what makes it run; the
  # variable reaches those nested installs too, and older npm versions ignore it.
  npm_config_dangerously_allow_all_scripts=true \
  npm_config_yes=true npm_config_nodedir=/usr npm install --no-audit --no-fund --unsafe-perm \
    --save-exact "code-server@$CODE_SERVER_VERSION"
  cd "$ROOT"
fi

# playwright-core drives Chromium; it is a devDependency, so `npm ci` normally brings it.
if [ ! -d "$ROOT/node_modules/playwright-core" ]; then
  echo "setup-e2e: playwright-core missing; run npm ci first" >&2
  exit 1
fi
echo "setup-e2e: code-server $CODE_SERVER_VERSION ready in $E2E/code-server"
