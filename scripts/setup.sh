#!/usr/bin/env bash
# Idempotent setup: a virtualenv in .venv with pinned requirements, and
# (for tests) Debian's chromium. Re-running is cheap: pip is skipped while
# the requirements files are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
want_dev=${1:-}
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
reqs=requirements.txt
[ "$want_dev" = "--dev" ] && reqs=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$reqs" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$reqs"
  touch "$stamp"
fi

if [ "$want_dev" = "--dev" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: Debian's chromium is missing; browser tests will be skipped (sudo apt-get install chromium)" >&2
  fi
fi
