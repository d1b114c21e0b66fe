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

/// `(label, sortText, textEdit range)` of every completion item, in order.
fn completion_items(c: &mut Client, uri: &str, pos: &Value) -> Vec<(String, String, Value)> {
    let r = c.call("textDocument/completion", at(uri, pos));
    let items = r["items"].as_array().or(r.as_array()).cloned();
    items
        .unwrap_or_default()
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap_or_default().to_string(),
                i["sortText"].as_str().unwrap_or_default().to_string(),
                i["textEdit"]["range"].clone(),
            )
        })
        .collect()
}

/// A completion list is kept while the document is edited below the position's paragraph
/// (typing further down), and must follow the edits that can change it: the file's mentions
/// (they rank the items) and the text of the position's line.
#[test]
fn kept_completion_lists_follow_edits_of_mentions_and_of_their_line() {
    let dir = workspace(&[("registry.nmk", REGISTRY)]);
    let mut c = Client::start(VSCODE, Some(dir.path()), None);
    loop {
        let p = c.wait_for("$/progress", |_| true);
        if p["value"]["kind"] == "end" {
            break;
        }
    }
    let doc = file_uri(&dir.path().join("doc.nmk"));
    // `bee` is mentioned below: more mentions of it change no file's set of IDs used.
    let text = "# Title\nToday @ann met @\n\nEnd @bee.\n";
    c.open(&doc, text);
    // After the second `@`: both IDs, mentioned once each (then by ID).
    let pos = json!({"line": 1, "character": 16});
    let labels =
        |v: &[(String, String, Value)]| -> Vec<String> { v.iter().map(|i| i.0.clone()).collect() };
    let first = completion_items(&mut c, &doc, &pos);
    assert_eq!(labels(&first), ["ann", "bee"]);
    let edit = |c: &mut Client, version: i64, line: u64, from: u64, to: u64, text: &str| {
        c.change(
            &doc,
            version,
            json!([{"range": {"start": {"line": line, "character": from},
                "end": {"line": line, "character": to}}, "text": text}]),
        );
    };

    // Typing below, without a mention: the same list (kept).
    edit(&mut c, 2, 3, 9, 9, " More text.");
    assert_eq!(completion_items(&mut c, &doc, &pos), first);
    // Mentions of `bee` below: it now ranks first, the positions stay.
    edit(&mut c, 3, 3, 0, 0, "@bee and @bee today. ");
    let ranked = completion_items(&mut c, &doc, &pos);
    assert_eq!(labels(&ranked), ["bee", "ann"]);
    assert_eq!(ranked[0].2, first[1].2);
    // Typing below again: still that list.
    edit(&mut c, 4, 4, 0, 0, "x");
    assert_eq!(completion_items(&mut c, &doc, &pos), ranked);
    // An edit of the position's line moves the `@`: no list there any more...
    edit(&mut c, 5, 1, 0, 5, "Yesterday");
    assert_eq!(completion_items(&mut c, &doc, &pos), []);
    // ...and one at its new place, whose edit range is there.
    let moved = json!({"line": 1, "character": 20});
    let there = completion_items(&mut c, &doc, &moved);
    assert_eq!(labels(&there), ["bee", "ann"]);
    assert_eq!(there[0].2["start"]["character"], 20);
    // Typing after it: the item replaces the word typed so far.
    edit(&mut c, 6, 1, 20, 20, "b");
    let typed = completion_items(&mut c, &doc, &json!({"line": 1, "character": 21}));
    assert_eq!(typed[0].2["end"]["character"], 21);
    c.shutdown_and_exit();
}
