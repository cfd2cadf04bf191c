#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install Attune's dependencies (plus the test extras with --test).
# Re-running is cheap: nothing is reinstalled unless pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local candidates=(python3.13 python3.12)
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root)
        for v in "$root"/versions/3.13.* "$root"/versions/3.12.*; do
            [ -x "$v/bin/python3" ] && candidates+=("$v/bin/python3")
        done
    fi
    candidates+=(python3)
    for py in "${candidates[@]}"; do
        # pyenv shims exist on PATH but fail when another version is selected: actually run each one.
        if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
            echo "$py"; return 0
        fi
    done
    return 1
}

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

if [ ! -x .venv/bin/python ]; then
    if ! py=$(find_python); then
        echo "Attune needs Python 3.12 or newer (Django 6 requires it), and none was found." >&2
        echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12'." >&2
        exit 1
    fi
    echo "Creating .venv with $("$py" --version)"
    "$py" -m venv .venv
fi

stamp=".venv/.installed${extras}"
want=$(sha256sum pyproject.toml | cut -c1-64)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    # Quiet unless something fails: pip's notes and warnings go to a log shown only then.
    echo "Installing Attune's dependencies into .venv…"
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install ".${extras}"; } \
        >"$log" 2>&1; then
        cat "$log" >&2
        echo "Installing the dependencies failed (pip's output above)." >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
