# Sourced by scripts/setup.sh and bench/setup_anchors.sh: `find_python` prints the path of
# a Python >= 3.12 with venv (on PATH, under pyenv's versions/, or in /usr[/local]/bin).
find_python() {
    local cands=()
    for c in python3.13 python3.12 python3; do
        command -v "$c" >/dev/null 2>&1 && cands+=("$(command -v "$c")")
    done
    local roots=()
    command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
    roots+=("$HOME/.pyenv" "/root/.pyenv" "/opt/pyenv" "/usr/local/pyenv")
    for r in "${roots[@]}"; do
        for p in "$r"/versions/3.1[2-9]*/bin/python3; do
            [ -x "$p" ] && cands+=("$p")
        done
    done
    for p in /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
        [ -x "$p" ] && cands+=("$p")
    done
    for p in "${cands[@]}"; do
        if "$p" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
