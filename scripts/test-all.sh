#!/usr/bin/env bash
# Runs every test of the project: the Rust suite (unit, fixture, snapshot, property, CLI and
# language-server end-to-end tests), then the editor tests (VS Code extension and grammar,
# Neovim plugin in real headless Neovim, VS Code in code-server). Installs what the editor tests
# need on first use (see scripts/setup-editors.sh). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --locked

# The fuzz targets are a workspace of their own (run with nightly, see docs/reliability.md);
# checking them on stable here keeps them compiling as the library changes.
echo "== fuzz targets compile"
cargo check --locked --manifest-path fuzz/Cargo.toml --bins

if [ "${NEWSMARK_SKIP_EDITORS:-}" = 1 ]; then
  echo "== editor tests skipped (NEWSMARK_SKIP_EDITORS=1)"
  exit 0
fi
if [ -x scripts/test-editors.sh ]; then
  echo "== editor tests"
  scripts/test-editors.sh
fi
