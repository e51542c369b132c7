#!/bin/sh
# code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose postinstall downloads a ripgrep
# release archive; these machines reach only the npm registry and Debian's packages. The
# postinstall looks in a cache folder first, so we put Debian's rg there, packed under the
# archive name it expects. Needs `apt-get install ripgrep`.
set -eu
RIPGREP_PACKAGE_VERSION=1.15.11
ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
RG=$(command -v rg) || { echo "seed-ripgrep-cache: install Debian's ripgrep first (apt-get install ripgrep)" >&2; exit 1; }
CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
cp "$RG" "$WORK/rg"
tar czf "$CACHE/$ARCHIVE" -C "$WORK" rg
echo "seed-ripgrep-cache: $CACHE/$ARCHIVE"
