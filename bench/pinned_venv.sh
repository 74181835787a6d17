# Sourced by the benchmark setup scripts: one Python 3.11 virtualenv per reference tool, holding
# exactly the versions pinned in a requirements file. Set VENV, REQ and NAME, then:
#   pinned_venv_ok && exit 0      # exists, Python 3.11, stamp and every pin match: nothing to do
#   pinned_venv_create            # create (or repair in place); then install, then pinned_venv_done
# PYTHON=/path/to/python3.11 chooses the interpreter.
export PIP_DISABLE_PIP_VERSION_CHECK=1
STAMP="$VENV/.requirements.sha256"
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"

is_py311() { [ -x "$1" ] && [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.11" ]; }

# every pinned distribution installed at exactly its pinned version?
pins_ok() {
    "$VENV/bin/python" - "$REQ" "$NAME" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
bad = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        bad.append(f"{name}: want {want}, have {have}")
if bad:
    print(f"{sys.argv[2]} venv out of date:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

pinned_venv_ok() {
    if is_py311 "$VENV/bin/python" && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ] && pins_ok; then
        echo "$NAME venv up to date: $VENV"
        return 0
    fi
    return 1
}

pinned_venv_create() {
    if ! is_py311 "$VENV/bin/python"; then
        local py="${PYTHON:-}" cand
        if [ -z "$py" ]; then
            for cand in python3.11 /usr/bin/python3.11 /usr/local/bin/python3.11; do
                if command -v "$cand" >/dev/null 2>&1 && is_py311 "$(command -v "$cand")"; then
                    py="$(command -v "$cand")"
                    break
                fi
            done
        fi
        if [ -z "$py" ] || ! is_py311 "$py"; then
            echo "$NAME setup: no Python 3.11 found (set PYTHON=/path/to/python3.11)" >&2
            exit 1
        fi
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    rm -f "$STAMP"
}

pinned_venv_done() {
    pins_ok
    echo "$WANT" >"$STAMP"
    echo "$NAME venv ready: $VENV"
}
