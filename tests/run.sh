#!/usr/bin/env bash
# Installs everything the tests need (Debian's Chromium and npm, the Python test and hub extras,
# axe-core, configurable-http-proxy), checks lint, format and types, and runs the whole test suite. Extra arguments go to pytest.
# Run it inside a virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v npm >/dev/null || missing+=(nodejs npm)
/usr/bin/python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python -m pip install -q -e ".[test,hub]"
# The hub tests run each learner's server as its own Unix account, so their Python must be one any
# account may run: a venv of Debian's python3 outside this checkout (this venv's interpreter and
# the checkout may sit in folders other accounts cannot enter), with clientcraft copied in.
hub_env=${CLIENTCRAFT_HUB_TEST_ENV:-/opt/clientcraft-hub-test-env}
if [ ! -x "$hub_env/bin/python" ]; then
    /usr/bin/python3 -m venv "$hub_env"
fi
"$hub_env/bin/python" -m pip install -q ".[hub]"
for folder in tests/browser deploy/jupyterhub; do
    npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error
done
# Lint, format and types first: quick, and a style slip should not wait for the slow tests.
python -m ruff check src tests benchmarks deploy
python -m ruff format --check src tests benchmarks deploy
python -m mypy
exec python -m pytest "$@"
