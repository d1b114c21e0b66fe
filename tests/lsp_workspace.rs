//! Multi-file workspaces: background indexing with progress, watched-file changes (reported by
//! the client or seen by the server's own watcher), definitions changing under open dependents,
//! open buffers winning over the disk, and configuration from newsmark.toml and the editor.

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use support::{file_uri, workspace, Client, NEOVIM, VSCODE};

const REGISTRY: &str =
    "@lavrov: person \"Сергей Лавров\"\n  aka: Lavrov\n\n@mfa: org \"МИД России\"\n";
const ARTICLE: &str =
    "# Токио — 😀\n\n[Лавров]{@lavrov} прибыл. “Мы готовы к диалогу,”{@lavrov} — said @mfa.\n";

fn uri(dir: &Path, name: &str) -> String {
    file_uri(&dir.join(name))
}

/// Wait until indexing has ended (`$/progress` end), returning every progress value seen.
fn wait_indexed(c: &mut Client) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let p = c.wait_for("$/progress", |_| true);
        let done = p["value"]["kind"] == "end";
        seen.push(p["value"].clone());
        if done {
            return seen;
        }
    }
}

fn codes(d: &[Value]) -> Vec<String> {
    d.iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect()
}

fn watched(c: &mut Client, changes: &[(&str, u8)]) {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(u, t)| json!({"uri": u, "type": t}))
        .collect();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": changes}),
    );
}

/// The first diagnostics published for `uri` (version 1) that satisfy `done`; fails on timeout.
fn diagnostics_until(c: &mut Client, uri: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let p = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"] == 1 && p["diagnostics"].as_array().is_some_and(|d| done(d))
    });
    p["diagnostics"].as_array().cloned().unwrap_or_default()
}

#[test]
fn indexes_with_progress_and_registers_watchers() {
    let mut files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("articles/a{i:02}.nmk"),
                format!("Story {i} about @lavrov.\n"),
            )
        })
        .collect();
    files.push(("registry.nmk".into(), REGISTRY.into()));
    files.push((
        ".hidden/skip.nmk".into(),
        "@skip: person \"Hidden\"\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = workspace(&refs);
    let mut c = Client::start(VSCODE, Some(dir.path()), None);
    let reg = c.wait_for("client/registerCapability", |_| true);
    let r = &reg["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/*.nmk", "**/newsmark.toml"]);
    c.wait_for("window/workDoneProgress/create", |_| true);
    let progress = wait_indexed(&mut c);
    assert_eq!(progress[0]["kind"], "begin");
    let reports: Vec<&Value> = progress.iter().filter(|p| p["kind"] == "report").collect();
    assert!(!reports.is_empty());
    assert_eq!(reports.last().unwrap()["message"], "41/41 files");
    assert_eq!(progress.last().unwrap()["message"], "Indexed 41 files");
    // Every article is in the index: references from the registry reach all 40.
    let reg_uri = uri(dir.path(), "registry.nmk");
    c.open(&reg_uri, REGISTRY);
    let refs = c.call(
        "textDocument/references",
        json!({"textDocument": {"uri": reg_uri}, "position": {"line": 0, "character": 2}, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 40);
    assert!(refs
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["uri"].as_str().unwrap().contains("/articles/a")));
    // The hidden folder is skipped.
    let syms = c.call("workspace/symbol", json!({"query": "skip"}));
    assert_eq!(syms, json!([]));
}

#[test]
fn definition_changes_republish_dependents_and_buffers_win() {
    let dir = workspace(&[("registry.nmk", REGISTRY), ("article.nmk", ARTICLE)]);
    let (reg_uri, art_uri) = (
        uri(dir.path(), "registry.nmk"),
        uri(dir.path(), "article.nmk"),
    );
    let mut c = Client::start(VSCODE, Some(dir.path()), None);
    wait_indexed(&mut c);
    c.open(&art_uri, ARTICLE);
    let d = c.diagnostics(&art_uri, 1);
    assert!(d.is_empty(), "{d:?}");
    // The registry loses @mfa on disk: the open article is re-checked.
    std::fs::write(
        dir.path().join("registry.nmk"),
        "@lavrov: person \"Сергей Лавров\"\n",
    )
    .unwrap();
    watched(&mut c, &[(&reg_uri, 2)]);
    // Wait for the re-check itself: an earlier publish of the same version may still be queued.
    let d = diagnostics_until(&mut c, &art_uri, |d| !d.is_empty());
    assert_eq!(codes(&d), ["undefined-entity"], "{d:?}");
    // A new file defines it: created.
    std::fs::write(dir.path().join("orgs.nmk"), "@mfa: org \"Министерство\"\n").unwrap();
    watched(&mut c, &[(&uri(dir.path(), "orgs.nmk"), 1)]);
    let d = diagnostics_until(&mut c, &art_uri, |d| d.is_empty());
    assert!(d.is_empty(), "{d:?}");
    let on_mfa = support::pos_in(ARTICLE, "@mfa", 0, 1, false);
    let hover = |c: &mut Client| {
        c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": art_uri}, "position": on_mfa}),
        )["contents"]["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(hover(&mut c).contains("Министерство"), "{}", hover(&mut c));
    // Open the file in the editor with other text: the buffer wins over the disk.
    let orgs_uri = uri(dir.path(), "orgs.nmk");
    c.open(&orgs_uri, "@mfa: org \"Из буфера 😀\"\n");
    assert!(hover(&mut c).contains("Из буфера 😀"));
    std::fs::write(dir.path().join("orgs.nmk"), "@mfa: org \"С диска\"\n").unwrap();
    watched(&mut c, &[(&orgs_uri, 2)]);
    // Deleting the file on disk does not remove the open buffer either.
    std::fs::remove_file(dir.path().join("orgs.nmk")).unwrap();
    watched(&mut c, &[(&orgs_uri, 3)]);
    assert!(hover(&mut c).contains("Из буфера 😀"));
    // Closed, the disk decides again: the file is gone, @mfa is undefined.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": orgs_uri}}),
    );
    let d = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == art_uri && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    assert_eq!(d["diagnostics"][0]["code"], "undefined-entity");
    assert_eq!(d["version"], 1);
}

#[test]
fn duplicate_definitions_carry_related_information() {
    let dir = workspace(&[
        ("one.nmk", "@mfa: org \"Один\"\n"),
        ("two.nmk", "Intro.\n\n@mfa: org \"Два 😀\"\n"),
    ]);
    let art = uri(dir.path(), "article.nmk");
    let mut c = Client::start(NEOVIM, Some(dir.path()), None);
    wait_indexed(&mut c);
    c.open(&art, "Said — 😀 @mfa.\n");
    let d = c.diagnostics(&art, 1);
    assert_eq!(codes(&d), ["duplicate-definition"]);
    let rel = d[0]["relatedInformation"].as_array().unwrap();
    assert_eq!(rel.len(), 2);
    assert_eq!(rel[0]["location"]["uri"], uri(dir.path(), "one.nmk"));
    assert_eq!(rel[1]["location"]["uri"], uri(dir.path(), "two.nmk"));
    assert_eq!(
        rel[1]["location"]["range"]["start"],
        json!({"line": 2, "character": 1})
    );
    // UTF-8 positions: the emoji and the em dash count in bytes.
    assert_eq!(
        d[0]["range"]["start"],
        json!({"line": 0, "character": "Said — 😀 @".len()})
    );
}

#[test]
fn server_watches_files_itself_when_the_client_cannot() {
    // Neovim on Linux has no dynamic watcher registration: the server uses its own watcher.
    let dir = workspace(&[("article.nmk", ARTICLE)]);
    let art = uri(dir.path(), "article.nmk");
    let mut c = Client::start(NEOVIM, Some(dir.path()), None);
    wait_indexed(&mut c);
    assert!(!c
        .log
        .iter()
        .any(|m| m["method"] == "client/registerCapability"));
    c.open(&art, ARTICLE);
    let d = c.diagnostics(&art, 1);
    assert_eq!(
        codes(&d),
        ["undefined-entity", "undefined-entity", "undefined-entity"]
    );
    std::fs::write(dir.path().join("registry.nmk"), REGISTRY).unwrap();
    let d = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == art && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    assert_eq!(d["version"], 1);
}

#[test]
fn configuration_from_toml_init_options_and_settings() {
    let dir = workspace(&[
        (
            "newsmark.toml",
            "[severity]\nundefined-entity = \"warning\"\n",
        ),
        ("article.nmk", "Hello @ghost.\n"),
    ]);
    let art = uri(dir.path(), "article.nmk");
    let toml_uri = uri(dir.path(), "newsmark.toml");
    let mut c = Client::start(
        VSCODE,
        Some(dir.path()),
        Some(json!({"newsmark": {"attribution": {"min-quote-words": 2}}})),
    );
    wait_indexed(&mut c);
    c.open(&art, "Hello @ghost.\n");
    // The severity of the first diagnostic, once the server publishes `expected`.
    let sev = |c: &mut Client, expected: i64| {
        let p = c.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == art && p["diagnostics"][0]["severity"] == expected
        });
        p["diagnostics"][0]["severity"].as_i64()
    };
    assert_eq!(sev(&mut c, 2), Some(2), "newsmark.toml makes it a warning");
    // A bad newsmark.toml: a message naming file, line and key; the last good config stays.
    std::fs::write(
        dir.path().join("newsmark.toml"),
        "[severity]\nundefined-entity = \"warning\"\nno-such-rule = \"off\"\n",
    )
    .unwrap();
    watched(&mut c, &[(&toml_uri, 2)]);
    let m = c.wait_for("window/showMessage", |_| true);
    let msg = m["message"].as_str().unwrap();
    assert!(
        msg.contains("newsmark.toml:3:") && msg.contains("no-such-rule"),
        "{msg}"
    );
    assert_eq!(m["type"], 1);
    // Editor settings, wrapped in a `newsmark` section, override the file.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"newsmark": {"severity": {"undefined-entity": "info"}}}}),
    );
    assert_eq!(sev(&mut c, 3), Some(3));
    // Bad settings: a message, and nothing changes.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"severity": {"undefined-entity": "loud"}}}),
    );
    let m = c.wait_for("window/showMessage", |_| true);
    assert!(m["message"].as_str().unwrap().contains("loud"), "{m}");
    assert!(c
        .try_wait_for(
            "textDocument/publishDiagnostics",
            Duration::from_millis(300),
            |p| p["uri"] == art
        )
        .is_none());
    // Settings object given directly, turning the rule off.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"severity": {"undefined-entity": "off"}}}),
    );
    let p = c.next_diagnostics(&art);
    assert_eq!(p["diagnostics"], json!([]));
}
