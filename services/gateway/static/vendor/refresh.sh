#!/usr/bin/env bash
# Refresh the vendored front-end files from the npm registry (`make vendor`); commit them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent htmx.org@2 swagger-ui-dist@5 >/dev/null
tar xzf htmx.org-*.tgz && cp package/dist/htmx.min.js "$here/" && cp package/LICENSE "$here/htmx.LICENSE"
rm -rf package
tar xzf swagger-ui-dist-*.tgz
cp package/swagger-ui-bundle.js package/swagger-ui.css "$here/"
cp package/LICENSE "$here/swagger-ui.LICENSE"
echo "vendored: $(ls "$here")"
