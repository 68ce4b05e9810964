#!/usr/bin/env bash
# What the widget's browser tests (tests/e2e) need beyond the Python test extra; idempotent, so CI
# can call it on every run:
#   - Debian's chromium at /usr/bin/chromium (Playwright drives it; `playwright install` cannot
#     download browsers here);
#   - axe-core, unless tests/e2e/vendor/axe.min.js is vendored: then npm installs it into
#     tests/e2e/node_modules/ (gitignored);
#   - the playwright Python package, if the virtualenv lacks it.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION="4.14.1"
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

if [ ! -x /usr/bin/chromium ]; then
  echo "install-browser-deps: installing chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # fonts-noto-cjk: Korean glyphs in screenshots and in the layout the tests measure
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi

if [ ! -f tests/e2e/vendor/axe.min.js ] && [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then
  echo "install-browser-deps: installing axe-core@${AXE_VERSION} with npm" >&2
  npm install --silent --no-audit --no-fund --no-save --prefix tests/e2e "axe-core@${AXE_VERSION}"
fi

if ! "$PYTHON" -c "import playwright" 2>/dev/null; then
  echo "install-browser-deps: installing playwright" >&2
  "$PYTHON" -m pip install --quiet "playwright>=1.45"
fi

echo "install-browser-deps: chromium, axe-core and playwright are ready" >&2
