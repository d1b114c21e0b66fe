#!/usr/bin/env bash
# Runs the headless Neovim tests. Usage: editors/nvim/tests/run.sh [NVIM] [NEWSMARK_BIN]
# Defaults: editors/.venv-nvim/bin/nvim and target/debug/newsmark. Prints "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
NVIM=${1:-$ROOT/editors/.venv-nvim/bin/nvim}
export NEWSMARK_BIN=${2:-${NEWSMARK_BIN:-$ROOT/target/debug/newsmark}}
export NEWSMARK_EXAMPLE=${NEWSMARK_EXAMPLE:-$ROOT/examples/lavrov-tokyo.nmk}
TIMEOUT=${NVIM_TEST_TIMEOUT:-90}
[ -x "$NVIM" ] || { echo "FAIL: no Neovim at $NVIM (run scripts/setup-editors.sh nvim)"; exit 1; }
[ -x "$NEWSMARK_BIN" ] || { echo "FAIL: no server binary at $NEWSMARK_BIN"; exit 1; }
cd "$ROOT"
# Fresh state and log folders so that nothing from the user's Neovim leaks in.
export XDG_STATE_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_CONFIG_HOME
XDG_STATE_HOME=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d) XDG_CACHE_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d)
trap 'rm -rf "$XDG_STATE_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME"' EXIT

passed=0 failed=0
run() { # name, env assignments..., test file
  local name=$1 file=${!#}; shift
  local envs=("${@:1:$#-1}")
  local t0=$SECONDS rc
  local errlog; errlog=$(mktemp)
  env "${envs[@]}" timeout "$TIMEOUT" "$NVIM" --headless -u NONE -i NONE -n \
    --cmd 'set rtp^=editors/nvim' -c "luafile editors/nvim/tests/$file" </dev/null 2>"$errlog"
  rc=$?
  # Neovim's own messages (e.g. "Running healthchecks...") go to stderr: show them only on failure.
  [ $rc -ne 0 ] && [ -s "$errlog" ] && sed 's/^/    nvim: /' "$errlog"
  rm -f "$errlog"
  if [ $rc -eq 0 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    [ $rc -eq 124 ] && echo "FAIL $name: timed out after ${TIMEOUT}s (nvim hung)"
    echo "  (rc=$rc) $NEWSMARK_BIN log: $(ls "$XDG_STATE_HOME"/nvim/lsp.log 2>/dev/null)"
    tail -20 "$XDG_STATE_HOME"/nvim/lsp.log 2>/dev/null | sed 's/^/    lsp.log: /'
  fi
  echo "  [$name: $((SECONDS - t0)) s]"
}
run syntax NEWSMARK_T=1 test_syntax.lua
run lsp NEWSMARK_T=1 test_lsp.lua
run setup-enable NEWSMARK_SETUP_MODE=enable test_setup.lua
run setup-start NEWSMARK_SETUP_MODE=start test_setup.lua
echo "nvim: $passed passed, $failed failed"
[ $failed -eq 0 ]
