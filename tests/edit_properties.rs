//! Properties over random markup:
//! - incremental edits, as an editor sends them (UTF-16 positions), applied to the server's
//!   document store (in process, over `newsmark::lsp::serve`) and to a `Workspace`, give the
//!   same text and analysis as parsing the final text from scratch;
//! - rename then rename back restores every file byte for byte, and a rename edits only
//!   occurrences of the old ID;
//! - every code action's edits apply cleanly, never drop the text they replace (except an
//!   invalid attribute block that they repair), and leave every other byte and file unchanged.

mod support;

use newsmark::analysis::ide::{self, SourceChange};
use newsmark::analysis::{FileId, Workspace};
use newsmark::syntax::Span;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;
use support::in_process::InProcess;
use support::position_of;

const PIECES: &[&str] = &[
    "@a",
    "@b",
    "@cc",
    "[",
    "]",
    "{",
    "}",
    "{@a}",
    "{-}",
    "{@b via=@a}",
    "]{@a}",
    "\"",
    "“",
    "”",
    "«",
    "»",
    "'",
    "—",
    " ",
    "\n",
    "\r\n",
    "\n\n",
    ":",
    ".",
    ",",
    "# ",
    "%%",
    "\\",
    "said",
    "says",
    "Ann",
    "Bob Ray",
    "😀",
    "Лавров",
    "é",
    "@a: person \"Ann\"\n",
    "@b: org \"Bob Ray\"\n",
    "@cc: place \"Cc\"\n  aka: Ann; Sea\n",
    "  role: @b\n",
    "It was, ",
    "According to @b, ",
    "“Four words said here,” said @a. ",
    "\"Not quite closed ",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..30).prop_map(|v| v.concat())
}

/// Char boundaries of `t` that do not split a `\r\n`.
fn cut_points(t: &str) -> Vec<usize> {
    (0..=t.len())
        .filter(|&i| t.is_char_boundary(i) && !(i > 0 && t.as_bytes()[i - 1] == b'\r'))
        .collect()
}

/// An edit as fractions of the text, turned into byte offsets at cut points.
fn place(t: &str, a: f64, b: f64) -> (usize, usize) {
    let cuts = cut_points(t);
    let pick = |f: f64| cuts[((cuts.len() - 1) as f64 * f).round() as usize];
    let (x, y) = (pick(a), pick(b));
    (x.min(y), x.max(y))
}

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

/// Run a session against the in-process server (the first message is `initialize`, whose
/// answer is awaited as a client does); returns every message the server sent.
fn session(messages: Vec<Value>) -> Vec<Value> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async move {
        let mut server = InProcess::start();
        let within = Duration::from_secs(30);
        let mut out = Vec::new();
        server.send(&frame(&messages[0])).await;
        loop {
            let m = server.recv(within).await;
            let done = m["id"] == messages[0]["id"] && m.get("method").is_none();
            out.push(m);
            if done {
                break;
            }
        }
        // Everything up to `shutdown` and `exit` (the last two); their answers first, since a
        // shutdown cancels what is still pending.
        let (body, end) = messages[1..].split_at(messages.len() - 3);
        let mut waiting: Vec<Value> = body.iter().filter_map(|m| m.get("id").cloned()).collect();
        for m in body {
            server.send(&frame(m)).await;
        }
        while !waiting.is_empty() {
            let m = server.recv(within).await;
            if m.get("method").is_none() {
                waiting.retain(|id| *id != m["id"]);
            }
            out.push(m);
        }
        for m in end {
            server.send(&frame(m)).await;
        }
        out.extend(server.finish(within).await);
        out
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    out
}

fn response(out: &[Value], id: i64) -> &Value {
    out.iter()
        .find(|m| m["id"] == id && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no response {id}"))
}

/// Diagnostics as comparable tuples: code, message, range (UTF-16, computed by the test).
fn fresh_diagnostics(text: &str, key: &str) -> Vec<(String, String, Value, Value)> {
    let mut ws = Workspace::default();
    let f = ws.set_file(key, text.to_string()).file.unwrap();
    let mut v: Vec<_> = ws
        .analyze(f)
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.as_str().to_string(),
                d.message.clone(),
                position_of(text, d.span.start, false),
                position_of(text, d.span.end, false),
            )
        })
        .collect();
    v.sort_by_key(|d| format!("{d:?}"));
    v
}

fn apply(text: &str, edits: &[ide::TextEdit]) -> String {
    let mut out = text.to_string();
    for e in edits.iter().rev() {
        out.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    out
}

fn check_change(ws: &Workspace, change: &SourceChange) -> Result<(), TestCaseError> {
    for (f, edits) in change {
        let t = &ws.file(*f).unwrap().text;
        for e in edits {
            prop_assert!(e.span.start <= e.span.end && e.span.end <= t.len());
            prop_assert!(t.is_char_boundary(e.span.start) && t.is_char_boundary(e.span.end));
        }
        for w in edits.windows(2) {
            prop_assert!(w[0].span.end <= w[1].span.start, "overlap {:?}", w);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn incremental_edits_in_the_server_match_a_fresh_parse(
        start in text(),
        edits in prop::collection::vec((0.0..1.0f64, 0.0..1.0f64, prop::sample::select(PIECES)), 1..12),
    ) {
        let uri = "file:///prop/a.nmk";
        let mut model = start.clone();
        let mut msgs = vec![
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
            json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "newsmark", "version": 1, "text": start}}}),
        ];
        for (i, (a, b, piece)) in edits.iter().enumerate() {
            let (x, y) = place(&model, *a, *b);
            let range = json!({"start": position_of(&model, x, false), "end": position_of(&model, y, false)});
            model.replace_range(x..y, piece);
            msgs.push(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": i + 2},
                "contentChanges": [{"range": range, "text": piece}]}}));
        }
        msgs.push(json!({"jsonrpc": "2.0", "id": 2, "method": "newsmark/documentText", "params": {"textDocument": {"uri": uri}}}));
        msgs.push(json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}}));
        msgs.push(json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}));
        msgs.push(json!({"jsonrpc": "2.0", "method": "exit"}));
        let out = session(msgs);
        prop_assert_eq!(response(&out, 2)["result"]["text"].as_str(), Some(model.as_str()), "{}", response(&out, 2));
        prop_assert_eq!(&response(&out, 2)["result"]["version"], &json!(edits.len() + 1));
        let mut got: Vec<(String, String, Value, Value)> = response(&out, 3)["result"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["range"]["start"].clone(),
                d["range"]["end"].clone(),
            ))
            .collect();
        got.sort_by_key(|d| format!("{d:?}"));
        prop_assert_eq!(got, fresh_diagnostics(&model, "/prop/a.nmk"));
    }

    #[test]
    fn incremental_workspace_updates_match_a_fresh_workspace(
        a0 in text(),
        b0 in text(),
        edits in prop::collection::vec((any::<bool>(), 0.0..1.0f64, 0.0..1.0f64, prop::sample::select(PIECES)), 1..16),
    ) {
        let mut ws = Workspace::default();
        let (mut a, mut b) = (a0, b0);
        ws.set_file("/w/a.nmk", a.clone());
        ws.set_file("/w/b.nmk", b.clone());
        for (in_b, x, y, piece) in &edits {
            let t = if *in_b { &mut b } else { &mut a };
            let (x, y) = place(t, *x, *y);
            t.replace_range(x..y, piece);
            let key = if *in_b { "/w/b.nmk" } else { "/w/a.nmk" };
            ws.set_file(key, t.clone());
        }
        let mut fresh = Workspace::default();
        fresh.set_file("/w/a.nmk", a);
        fresh.set_file("/w/b.nmk", b);
        for key in ["/w/a.nmk", "/w/b.nmk"] {
            let (f1, f2) = (ws.file_id(key).unwrap(), fresh.file_id(key).unwrap());
            let (x, y) = (ws.analyze(f1), fresh.analyze(f2));
            prop_assert_eq!(&x.diagnostics, &y.diagnostics, "{}", key);
            prop_assert_eq!(&x.attributions, &y.attributions, "{}", key);
            prop_assert_eq!(&x.resolutions, &y.resolutions, "{}", key);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn rename_and_back_restores_every_byte(a in text(), b in text(), at in 0.0..1.0f64) {
        let mut ws = Workspace::default();
        let fa = ws.set_file("/r/a.nmk", a.clone()).file.unwrap();
        ws.set_file("/r/b.nmk", b.clone());
        let len = a.len();
        let offset = ((len as f64) * at) as usize;
        let Ok(Some(prep)) = ide::prepare_rename(&ws, fa, offset) else { return Ok(()) };
        let old = prep.placeholder.clone();
        let new = "zz_renamed";
        let Ok(change) = ide::rename(&ws, fa, offset, new) else { return Ok(()) };
        check_change(&ws, &change)?;
        // Only occurrences of the old ID change, into the new one.
        let mut renamed = Workspace::default();
        let before: Vec<(FileId, String)> = ws.files().map(|(f, d)| (f, d.text.clone())).collect();
        for (f, text) in &before {
            let edits = change.iter().find(|(g, _)| g == f).map_or(&[][..], |(_, e)| e.as_slice());
            for e in edits {
                prop_assert_eq!(e.span.slice(text), old.as_str());
                prop_assert_eq!(e.new_text.as_str(), new);
            }
            renamed.set_file(ws.key(*f), apply(text, edits));
        }
        // Rename back from any occurrence of the new ID.
        let (rf, roff) = renamed
            .files()
            .find_map(|(f, d)| d.references.iter().find(|r| r.id == new).map(|r| (f, r.span.start))
                .or_else(|| d.entities.iter().find(|e| e.id == new).map(|e| (f, e.id_span.start))))
            .expect("the new ID occurs");
        match ide::rename(&renamed, rf, roff, &old) {
            Ok(back) => {
                check_change(&renamed, &back)?;
                for (f, text) in &before {
                    let rf = renamed.file_id(ws.key(*f)).unwrap();
                    let edits = back.iter().find(|(g, _)| *g == rf).map_or(&[][..], |(_, e)| e.as_slice());
                    let restored = apply(&renamed.file(rf).unwrap().text, edits);
                    prop_assert_eq!(&restored, text, "file {}", ws.key(*f));
                }
            }
            // Refused only when the old ID is still in use elsewhere (a collision).
            Err(e) => prop_assert!(
                !renamed.definitions(&old).is_empty()
                    || renamed.files().any(|(_, d)| d.references.iter().any(|r| r.id == old)),
                "rename back refused: {e:?}"
            ),
        }
    }

    #[test]
    fn code_actions_apply_cleanly_and_keep_every_other_byte(
        a in text(),
        b in text(),
        at in 0.0..1.0f64,
        width in 0.0..0.5f64,
    ) {
        let mut ws = Workspace::default();
        let fa = ws.set_file("/c/a.nmk", a.clone()).file.unwrap();
        let fb = ws.set_file("/c/b.nmk", b.clone()).file.unwrap();
        let analysis = ws.analyze(fa);
        let start = newsmark::analysis::floor_char_boundary(&a, ((a.len() as f64) * at) as usize);
        let end = newsmark::analysis::floor_char_boundary(&a, (start + ((a.len() as f64) * width) as usize).min(a.len()));
        for action in ide::code_actions(&ws, fa, &analysis, Span::new(start, end)) {
            check_change(&ws, &action.edits)?;
            for (f, edits) in &action.edits {
                let text = &ws.file(*f).unwrap().text;
                let after = apply(text, edits);
                // Every byte outside the edits is unchanged, in order.
                let mut rebuilt = String::new();
                let mut pos = 0;
                for e in edits {
                    rebuilt.push_str(&text[pos..e.span.start]);
                    rebuilt.push_str(&e.new_text);
                    pos = e.span.end;
                    let old = e.span.slice(text);
                    // Nothing lost: the replaced text survives inside the new text, unless it
                    // is an invalid attribute block being repaired.
                    prop_assert!(
                        e.new_text.contains(old) || (old.starts_with('{') && old.ends_with('}')),
                        "{}: {:?} replaced by {:?}", action.title, old, e.new_text
                    );
                }
                rebuilt.push_str(&text[pos..]);
                prop_assert_eq!(after, rebuilt);
                prop_assert!(*f == fa || *f == fb);
            }
        }
    }
}
