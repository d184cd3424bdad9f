#!/usr/bin/env bash
# Installs everything the tests need (Debian's Chromium and npm, the Python test and hub extras,
# axe-core, configurable-http-proxy) and runs the whole test suite. Extra arguments go to pytest.
# Run it inside a virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python -m pip install -q -e ".[test,hub]"
for folder in tests/browser deploy/jupyterhub; do
    npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
done
exec python -m pytest "$@"
