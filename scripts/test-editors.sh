#!/usr/bin/env bash
# Runs every editor test and prints a summary; exits non-zero on any failure.
#
#   scripts/test-editors.sh [--no-setup] [SUITE...]
#
# Suites (default: all): vscode-typecheck vscode-unit vscode-grammar vscode-package nvim clients vscode-e2e
# Installs what is missing first with scripts/setup-editors.sh (skip with --no-setup). Tests the
# server binary at $NEWSMARK_BIN, default target/debug/newsmark (built with `cargo build` if missing).
# Works with CI=true and no stdin. Logs: editors/.cache/test-logs/.
set -uo pipefail
exec </dev/null

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ED="$ROOT/editors"
EXT="$ED/vscode"
LOGS="$ED/.cache/test-logs"
ALL_SUITES=(vscode-typecheck vscode-unit vscode-grammar vscode-package nvim clients vscode-e2e)

setup=1
suites=()
for a in "$@"; do
  case "$a" in
    --no-setup) setup=0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) suites+=("$a") ;;
  esac
done
[ ${#suites[@]} -eq 0 ] && suites=("${ALL_SUITES[@]}")
for s in "${suites[@]}"; do
  [[ " ${ALL_SUITES[*]} " == *" $s "* ]] || { echo "unknown suite '$s' (known: ${ALL_SUITES[*]})" >&2; exit 2; }
done
want() { [[ " ${suites[*]} " == *" $1 "* ]]; }

T0=$SECONDS
mkdir -p "$LOGS"
declare -a RESULTS=()
passed=0 failed=0

record() { # suite status seconds detail
  RESULTS+=("$(printf '%-17s %-4s %5ss  %s' "$1" "$2" "$3" "$4")")
  if [ "$2" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# run_suite NAME DETAIL-FUNCTION COMMAND...: runs COMMAND with its output in the log; shows the
# log on failure (and the tail on success when VERBOSE=1).
run_suite() {
  local name=$1 detail_fn=$2; shift 2
  local log="$LOGS/$name.log" t0=$SECONDS rc
  echo "== $name"
  "$@" >"$log" 2>&1
  rc=$?
  local detail; detail=$($detail_fn "$log" 2>/dev/null || true)
  if [ $rc -eq 0 ]; then
    record "$name" PASS $((SECONDS - t0)) "$detail"
    [ "${VERBOSE:-0}" = 1 ] && sed 's/^/   | /' "$log"
    echo "   PASS ($((SECONDS - t0)) s) $detail"
  else
    record "$name" FAIL $((SECONDS - t0)) "exit $rc, log: ${log#$ROOT/}"
    sed 's/^/   | /' "$log" | tail -n 80
    echo "   FAIL ($((SECONDS - t0)) s, exit $rc) full log: ${log#$ROOT/}"
  fi
  return 0
}

# ---------------------------------------------------------------- setup
if [ $setup = 1 ]; then
  parts=()
  want vscode-typecheck || want vscode-unit || want vscode-grammar || want vscode-package && parts+=(vscode)
  want vscode-e2e && parts+=(e2e)
  want nvim && parts+=(nvim)
  want clients && parts+=(clients)
  if [ ${#parts[@]} -gt 0 ]; then
    echo "== setup (${parts[*]})"
    if ! "$ROOT/scripts/setup-editors.sh" "${parts[@]}"; then
      echo "editors: 0 passed, ${#suites[@]} failed (setup failed)"
      exit 1
    fi
  fi
fi

# ---------------------------------------------------------------- server binary
BIN=${NEWSMARK_BIN:-$ROOT/target/debug/newsmark}
if want nvim || want clients || want vscode-e2e; then
  if [ ! -x "$BIN" ] && [ -z "${NEWSMARK_BIN:-}" ]; then
    echo "== cargo build (no $BIN yet)"
    (cd "$ROOT" && cargo build --quiet) || { echo "editors: 0 passed, ${#suites[@]} failed (cargo build failed)"; exit 1; }
  fi
  if ! version=$("$BIN" --version 2>&1); then
    echo "the server binary does not run: $BIN --version: $version" >&2
    echo "editors: 0 passed, ${#suites[@]} failed (no server binary)"
    exit 1
  fi
  echo "== server: $BIN ($version)"
  export NEWSMARK_BIN="$BIN"
fi

# ---------------------------------------------------------------- suites
d_none() { :; }
d_tsc() { tail -n 1 "$1"; }
d_grammar() { echo "$(grep -c 'run successfuly' "$1") assertion files"; }
d_unit() { sed -n 's/^# \(pass\|fail\) \([0-9]*\)/\1 \2/p' "$1" | paste -sd' '; }
d_package() { grep -o 'Packaged: .*' "$1" | sed 's#.*/##'; }
d_nvim() { tail -n 1 "$1"; }
d_clients() { tail -n 1 "$1"; }
d_e2e() { grep -o 'PASS code-server e2e.*' "$1"; }

check_vsix() {
  (cd "$EXT" && npm run -s package) || return 1
  local list; list=$(unzip -l "$EXT/newsmark.vsix") || return 1
  for f in extension/package.json extension/out/extension.js extension/syntaxes/newsmark.tmLanguage.json \
           extension/language-configuration.json extension/readme.md; do
    grep -qi " $f\$" <<<"$list" || { echo "vsix lacks $f"; echo "$list"; return 1; }
  done
  if grep -Eq ' extension/(node_modules|src|test)/' <<<"$list"; then echo "vsix has dev files:"; echo "$list"; return 1; fi
  echo "vsix contents OK ($(grep -c ' extension/' <<<"$list") files)"
}

want vscode-typecheck && run_suite vscode-typecheck d_tsc bash -c "cd '$EXT' && npx tsc --noEmit -p . && echo 'tsc --noEmit (strict): no errors'"
want vscode-unit && run_suite vscode-unit d_unit bash -c "cd '$EXT' && npm run -s test:unit"
want vscode-grammar && run_suite vscode-grammar d_grammar bash -c "cd '$EXT' && npm run -s test:grammar"
want vscode-package && run_suite vscode-package d_package check_vsix
want nvim && run_suite nvim d_nvim "$ED/nvim/tests/run.sh" "$ED/.venv-nvim/bin/nvim" "$BIN"
want clients && run_suite clients d_clients "$ED/clients/test-clients.sh" "$BIN"
if want vscode-e2e; then
  [ -f "$EXT/newsmark.vsix" ] || (cd "$EXT" && npm run -s package >/dev/null 2>&1)
  run_suite vscode-e2e d_e2e env NEWSMARK_BIN="$BIN" node "$EXT/test/e2e/code-server.test.js"
fi

# ---------------------------------------------------------------- summary
echo
echo "Editor test summary ($((SECONDS - T0)) s):"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "editors: $passed passed, $failed failed"
[ $failed -eq 0 ]
