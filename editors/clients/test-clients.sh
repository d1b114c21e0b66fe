#!/usr/bin/env bash
# Checks the other-client snippets of editors/README.md: Emacs/eglot end to end in emacs --batch
# (when emacs and eglot are installed), Helix and kakoune-lsp TOML, Kakoune hooks in kak.
# Usage: editors/clients/test-clients.sh [NEWSMARK_BIN]. Prints "clients: N passed, N failed, N skipped".
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export NEWSMARK_BIN=${1:-${NEWSMARK_BIN:-$ROOT/target/debug/newsmark}}
export NEWSMARK_EXAMPLE=${NEWSMARK_EXAMPLE:-$ROOT/examples/lavrov-tokyo.nmk}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0 skipped=0
result() { # name rc
  case $2 in
    0) passed=$((passed + 1)); echo "PASS $1" ;;
    77) skipped=$((skipped + 1)); echo "SKIP $1" ;;
    *) failed=$((failed + 1)); echo "FAIL $1" ;;
  esac
}

# Helix + kakoune-lsp TOML
python3 "$HERE/check_toml.py"; result "helix and kak-lsp TOML" $?

# Kakoune: the hooks source cleanly (kakoune-lsp's lsp-enable-window is stubbed).
if command -v kak >/dev/null; then
  python3 "$HERE/extract.py" kakoune > "$TMP/newsmark.kak"
  cat > "$TMP/check.kak" <<KAK
# kak -n loads no rc: declare what the standard rc (comment.kak) and kakoune-lsp would.
declare-option str comment_line '#'
define-command lsp-enable-window %{ set-option global ui_options test_lsp_enabled=yes }
try %{ source $TMP/newsmark.kak } catch %{ echo -to-file $TMP/kak.out "source failed: %val{error}"; quit! 1 }
edit $TMP/a.nmk
try %{
  evaluate-commands %sh{ [ "\$kak_opt_filetype" = newsmark ] || echo 'fail "filetype is \$kak_opt_filetype"' }
  evaluate-commands %sh{ [ "\$kak_opt_comment_line" = '%%' ] || echo 'fail "comment_line is \$kak_opt_comment_line"' }
  evaluate-commands %sh{ case "\$kak_opt_ui_options" in *test_lsp_enabled=yes*) ;; *) echo 'fail "lsp-enable-window not called"' ;; esac }
  echo -to-file $TMP/kak.out ok
} catch %{ echo -to-file $TMP/kak.out "%val{error}" }
quit!
KAK
  timeout 20 kak -n -ui dummy -e "source $TMP/check.kak" >/dev/null 2>&1
  out=$(cat "$TMP/kak.out" 2>/dev/null)
  [ "$out" = ok ] && rc=0 || { echo "  kak: ${out:-no output}"; rc=1; }
  result "kakoune hooks (kakoune $(dpkg-query -W -f='${Version}' kakoune 2>/dev/null || kak -version 2>/dev/null | head -1))" $rc
else
  echo "  kak not installed (apt-get install kakoune)"; result "kakoune hooks" 77
fi

# Emacs + eglot, end to end against the real server.
if command -v emacs >/dev/null && emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1; then
  python3 "$HERE/extract.py" emacs > "$TMP/newsmark-eglot.el"
  timeout 60 emacs --batch -l "$TMP/newsmark-eglot.el" -l "$HERE/eglot-test.el" 2>"$TMP/emacs.err"
  rc=$?
  [ $rc -ne 0 ] && sed 's/^/  emacs: /' "$TMP/emacs.err" | tail -20
  result "emacs eglot ($(emacs --version | head -1))" $rc
else
  echo "  emacs with eglot not installed (apt-get install emacs-nox elpa-eglot, or Emacs 29+)"; result "emacs eglot" 77
fi

echo "clients: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
