#!/usr/bin/env python3
"""Parses the Helix and kakoune-lsp TOML snippets of editors/README.md and checks them against the
keys those tools accept (Helix: book/src/languages.md; kakoune-lsp: kak-lsp.toml)."""
import subprocess, sys, tomllib, pathlib

here = pathlib.Path(__file__).resolve().parent
def block(name):
    return subprocess.run([sys.executable, str(here / "extract.py"), name], check=True, capture_output=True, text=True).stdout

problems = []
SERVER_CONFIG_KEYS = {"severity", "attribution"}
RULES = {"unattributed-quote", "undefined-entity", "duplicate-definition", "shadowed-definition", "unused-entity",
         "unclosed-quote", "unlinked-mention", "speaker-kind", "unknown-kind", "bad-property", "syntax"}
LEVELS = {"error", "warning", "info", "hint", "off"}
ATTR = {"reporting-verbs", "min-quote-words", "quote-style", "languages"}

def check_server_config(where, cfg):
    for k in cfg:
        if k not in SERVER_CONFIG_KEYS:
            problems.append(f"{where}: unknown server configuration key {k!r}")
    for code, level in cfg.get("severity", {}).items():
        if code not in RULES: problems.append(f"{where}: unknown rule {code!r}")
        if level not in LEVELS: problems.append(f"{where}: bad level {level!r}")
    for k in cfg.get("attribution", {}):
        if k not in ATTR: problems.append(f"{where}: unknown attribution key {k!r}")

# Helix
helix = tomllib.loads(block("helix"))
LANGUAGE_KEYS = {"name", "scope", "injection-regex", "file-types", "shebangs", "roots", "comment-token", "comment-tokens",
                 "block-comment-tokens", "indent", "grammar", "language-servers", "auto-format", "formatter",
                 "diagnostic-severity", "auto-pairs", "text-width", "soft-wrap", "rulers", "workspace-lsp-roots",
                 "persistent-diagnostic-sources", "path-completion", "word-completion", "language-id"}
SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}
langs = helix.get("language", [])
nm = [l for l in langs if l.get("name") == "newsmark"]
if len(nm) != 1: problems.append("helix: no single [[language]] newsmark")
else:
    l = nm[0]
    problems += [f"helix: unknown [[language]] key {k!r}" for k in l if k not in LANGUAGE_KEYS]
    if l.get("file-types") != ["nmk"]: problems.append("helix: file-types must be ['nmk']")
    if l.get("comment-token") != "%%": problems.append("helix: comment-token must be %%")
    if "newsmark" not in l.get("language-servers", []): problems.append("helix: language-servers lacks newsmark")
srv = helix.get("language-server", {}).get("newsmark")
if not srv: problems.append("helix: no [language-server.newsmark]")
else:
    problems += [f"helix: unknown language-server key {k!r}" for k in srv if k not in SERVER_KEYS]
    if srv.get("args") != ["lsp"]: problems.append("helix: args must be ['lsp']")
    check_server_config("helix config", srv.get("config", {}))

# kakoune-lsp
kak = tomllib.loads(block("kak-lsp"))
ks = kak.get("language_server", {}).get("newsmark")
if not ks: problems.append("kak-lsp: no [language_server.newsmark]")
else:
    KAK_KEYS = {"filetypes", "roots", "command", "args", "settings_section", "settings", "offset_encoding", "envs", "workaround_eslint"}
    problems += [f"kak-lsp: unknown key {k!r}" for k in ks if k not in KAK_KEYS]
    if ks.get("filetypes") != ["newsmark"]: problems.append("kak-lsp: filetypes")
    if ks.get("args") != ["lsp"]: problems.append("kak-lsp: args")
    section = ks.get("settings_section")
    check_server_config("kak-lsp settings", ks.get("settings", {}).get(section, {}))

if problems:
    print("\n".join(problems)); sys.exit(1)
print("helix languages.toml and kak-lsp.toml: parsed and checked")
