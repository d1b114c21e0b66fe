//! The server keeps hover cards, reference lists and completion lists between requests (see
//! `src/lsp/memo.rs`). These tests ask the same questions before and after edits, watched-file
//! changes and changes in other files, and check that every answer describes the new state.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{file_uri, workspace, Client, VSCODE};

const REGISTRY: &str = "@ann: person \"Ann Smith\"\n  role: Minister\n\n@bee: org \"Bee Corp\"\n";
const DOC: &str = "# Story\n\nToday @ann met @bee.\n";
const OTHER: &str = "Later @ann spoke.\n";

fn at(uri: &str, pos: &Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos})
}

fn hover(c: &mut Client, uri: &str, pos: &Value) -> String {
    c.call("textDocument/hover", at(uri, pos))["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `(uri, line)` of every reference.
fn references(c: &mut Client, uri: &str, pos: &Value) -> Vec<(String, u64)> {
    let mut p = at(uri, pos);
    p["context"] = json!({"includeDeclaration": true});
    let mut v: Vec<(String, u64)> = c
        .call("textDocument/references", p)
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap().to_string(),
                l["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The detail of the completion item `label`.
fn completion_detail(c: &mut Client, uri: &str, pos: &Value, label: &str) -> Option<String> {
    let r = c.call("textDocument/completion", at(uri, pos));
    let items = r["items"].as_array().or(r.as_array()).cloned()?;
    items
        .iter()
        .find(|i| i["label"] == label)
        .map(|i| i["detail"].as_str().unwrap_or_default().to_string())
}

/// Ask until `done` holds (a watched-file change is applied in the background); fails after
/// 10 s, as a stale cache would never change its answer.
fn until<T: std::fmt::Debug>(mut ask: impl FnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let start = Instant::now();
    loop {
        let v = ask();
        if done(&v) {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still {v:?} after 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn kept_answers_follow_edits_and_file_changes() {
    let dir = workspace(&[
        ("registry.nmk", REGISTRY),
        ("doc.nmk", DOC),
        ("other.nmk", OTHER),
    ]);
    let mut c = Client::start(VSCODE, Some(dir.path()), None);
    loop {
        let p = c.wait_for("$/progress", |_| true);
        if p["value"]["kind"] == "end" {
            break;
        }
    }
    let (doc, other, reg) = (
        file_uri(&dir.path().join("doc.nmk")),
        file_uri(&dir.path().join("other.nmk")),
        file_uri(&dir.path().join("registry.nmk")),
    );
    c.open(&doc, DOC);
    let ann = c.pos(DOC, "@ann", 2);
    // After `@` at the end of a new line: completion of IDs.
    let end = json!({"line": 3, "character": 5});

    // Asked twice: the second answer comes from the cache and is the same.
    for _ in 0..2 {
        let card = hover(&mut c, &doc, &ann);
        assert!(card.contains("Ann Smith"), "{card}");
        assert!(
            card.contains("Mentions: 1 in this file, 2 in the workspace"),
            "{card}"
        );
        assert_eq!(
            references(&mut c, &doc, &ann),
            [(doc.clone(), 2), (other.clone(), 0), (reg.clone(), 0)]
        );
    }

    // An edit of the document: another mention (and the `@` being completed).
    c.change(
        &doc,
        2,
        json!([{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}},
            "text": "See @\nThen @ann again.\n"}]),
    );
    let text2 = format!("{DOC}See @\nThen @ann again.\n");
    let card = hover(&mut c, &doc, &ann);
    assert!(
        card.contains("Mentions: 2 in this file, 3 in the workspace"),
        "{card}"
    );
    assert_eq!(
        references(&mut c, &doc, &ann),
        [
            (doc.clone(), 2),
            (doc.clone(), 4),
            (other.clone(), 0),
            (reg.clone(), 0)
        ]
    );
    // The new mention is the same entity, with the same (kept) answers.
    let ann2 = support::pos_in(&text2, "@ann", 1, 2, false);
    assert_eq!(hover(&mut c, &doc, &ann2), card);
    let detail = |c: &mut Client| completion_detail(c, &doc, &end, "ann");
    assert_eq!(
        detail(&mut c).as_deref(),
        Some("Ann Smith · person · Minister")
    );
    assert_eq!(
        detail(&mut c).as_deref(),
        Some("Ann Smith · person · Minister")
    );

    // A change on disk of the registry (the definition) and of another file that mentions it.
    std::fs::write(
        dir.path().join("registry.nmk"),
        REGISTRY.replace("Ann Smith", "Ann Jones"),
    )
    .unwrap();
    std::fs::write(dir.path().join("other.nmk"), "Nobody here.\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": reg, "type": 2}, {"uri": other, "type": 2}]}),
    );
    let card = until(
        || hover(&mut c, &doc, &ann),
        |card| card.contains("Ann Jones") && card.contains("2 in the workspace"),
    );
    assert!(!card.contains("Ann Smith"), "{card}");
    until(
        || references(&mut c, &doc, &ann),
        |r| r.len() == 3 && !r.iter().any(|(u, _)| *u == other),
    );
    until(
        || detail(&mut c),
        |d| d.as_deref() == Some("Ann Jones · person · Minister"),
    );

    // An edit of another open document that mentions the entity.
    c.open(&other, "Nobody here.\n");
    c.change(
        &other,
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "text": "@ann "}]),
    );
    let card = hover(&mut c, &doc, &ann);
    assert!(
        card.contains("Mentions: 2 in this file, 3 in the workspace"),
        "{card}"
    );
    assert_eq!(
        references(&mut c, &doc, &ann),
        [
            (doc.clone(), 2),
            (doc.clone(), 4),
            (other.clone(), 0),
            (reg.clone(), 0)
        ]
    );

    // An edit above the mentions moves them: the kept list must not be served.
    c.change(
        &doc,
        3,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "text": "Intro.\n"}]),
    );
    let moved = json!({"line": ann["line"].as_u64().unwrap() + 1, "character": ann["character"]});
    assert_eq!(
        references(&mut c, &doc, &moved),
        [
            (doc.clone(), 3),
            (doc.clone(), 5),
            (other.clone(), 0),
            (reg.clone(), 0)
        ]
    );
    // Asked from the other file: the same entity, the same (moved) list.
    assert_eq!(
        references(&mut c, &other, &json!({"line": 0, "character": 2})),
        references(&mut c, &doc, &moved)
    );
    c.shutdown_and_exit();
}
