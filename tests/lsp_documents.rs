//! Document synchronisation: incremental edits in wire order under load, clamping of positions
//! past a line's or the file's end, and diagnostics published with the version they describe.

mod support;

use serde_json::{json, Value};
use support::{position_of, Client, NEOVIM, VSCODE};

const URI: &str = "file:///tmp/newsmark-docs/stress.nmk";

const START: &str = "@lavrov: person \"Сергей Лавров\"\n\n“Мы готовы,” — said @lavrov 😀.\n";

/// A small deterministic generator (no external randomness: failures reproduce).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn char_offsets(text: &str) -> Vec<usize> {
    let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    v.push(text.len());
    v
}

fn document_text(c: &mut Client) -> Value {
    c.call(
        "newsmark/documentText",
        json!({"textDocument": {"uri": URI}}),
    )
}

/// Thousands of rapid incremental edits interleaved with hovers and completions, none awaited:
/// the server's text must end up equal to the client's, and every request must be answered
/// either with a result or with ContentModified.
fn stress(fixture: &str, edits: usize) {
    let mut c = Client::start(fixture, None, None);
    c.open(URI, START);
    let mut text = START.to_string();
    let mut rng = Lcg(0x5eed ^ edits as u64);
    let pool = [
        "“", "”", "—", "Д", "😀", "@lavrov ", "a", "\n", " ", "«", "»", "é",
    ];
    let mut pending = Vec::new();
    for v in 2..(edits as i64 + 2) {
        let offs = char_offsets(&text);
        let a = rng.next(offs.len());
        let b = (a + rng.next(4)).min(offs.len() - 1);
        let (sa, sb) = (offs[a], offs[b]);
        let insert = if rng.next(5) == 0 {
            ""
        } else {
            pool[rng.next(pool.len())]
        };
        let range =
            json!({"start": position_of(&text, sa, c.utf8), "end": position_of(&text, sb, c.utf8)});
        text.replace_range(sa..sb, insert);
        c.change(URI, v, json!([{"range": range, "text": insert}]));
        if v % 3 == 0 {
            let offs = char_offsets(&text);
            let p = position_of(&text, offs[rng.next(offs.len())], c.utf8);
            let method = if v % 2 == 0 {
                "textDocument/hover"
            } else {
                "textDocument/completion"
            };
            pending.push(
                c.request_async(method, json!({"textDocument": {"uri": URI}, "position": p})),
            );
        }
    }
    let last = edits as i64 + 1;
    let mut answered = 0;
    for id in pending {
        match c.response(id) {
            Ok(_) => answered += 1,
            Err(e) => assert_eq!(e["code"], -32801, "only ContentModified is allowed: {e}"),
        }
    }
    let got = document_text(&mut c);
    assert_eq!(got["version"], last);
    assert_eq!(
        got["bufferText"].as_str().unwrap(),
        text,
        "buffer differs from the client's text"
    );
    assert_eq!(
        got["text"].as_str().unwrap(),
        text,
        "analysed text differs from the client's text"
    );
    // The last request sees the final text and is answered.
    let end = position_of(&text, text.len(), c.utf8);
    c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": end}),
    );
    let _ = answered;
    if !c.pull {
        // Push diagnostics: versions never go backwards and the final version arrives.
        let d = c.wait_for("textDocument/publishDiagnostics", |p| p["version"] == last);
        assert_eq!(d["uri"], URI);
        let versions: Vec<i64> = c
            .log
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .filter_map(|m| m["params"]["version"].as_i64())
            .collect();
        assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    }
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn rapid_edits_stay_in_wire_order_utf16() {
    stress(VSCODE, 3000);
}

#[test]
fn rapid_edits_stay_in_wire_order_utf8() {
    stress(NEOVIM, 3000);
}

/// The server's reading thread queues position requests itself, without the router, when
/// nothing it passed on is still on its way there: an edit and a request sent together, in one
/// write, must still be applied in that order (the request sees the edit).
#[test]
fn a_request_sent_together_with_an_edit_sees_the_edit() {
    for fx in [VSCODE, NEOVIM] {
        let mut c = Client::start(fx, None, None);
        let text = |v: i64| format!("@p{v}: person \"Name {v}\"\n\n@p{v} said it.\n");
        c.open(URI, &text(1));
        let pos = json!({"line": 2, "character": 2});
        for v in 2..=60 {
            let (hover, refs) = (c.next_request_id(), c.next_request_id());
            let at = json!({"textDocument": {"uri": URI}, "position": pos});
            let mut with_context = at.clone();
            with_context["context"] = json!({"includeDeclaration": true});
            c.send_together(&[
                json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": URI, "version": v},
                    "contentChanges": [{"text": text(v)}]}}),
                json!({"jsonrpc": "2.0", "id": hover, "method": "textDocument/hover", "params": at}),
                json!({"jsonrpc": "2.0", "id": refs, "method": "textDocument/references",
                    "params": with_context}),
            ]);
            let card = c.response(hover).expect("hover answered");
            let card = card["contents"]["value"].as_str().unwrap_or_default();
            assert!(card.contains(&format!("Name {v}")), "version {v}: {card}");
            let refs = c.response(refs).expect("references answered");
            assert_eq!(
                refs.as_array().map(Vec::len),
                Some(2),
                "version {v}: {refs}"
            );
        }
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn positions_past_line_and_file_end_are_clamped() {
    for fx in [VSCODE, NEOVIM] {
        let mut c = Client::start(fx, None, None);
        c.open(URI, "Да 😀\nsecond\n");
        let p = |l: u32, ch: u32| json!({"line": l, "character": ch});
        c.change(
            URI,
            2,
            json!([{"range": {"start": p(0, 500), "end": p(0, 900)}, "text": "!"}]),
        );
        c.change(
            URI,
            3,
            json!([{"range": {"start": p(50, 0), "end": p(60, 3)}, "text": "END"}]),
        );
        // Inside the emoji's surrogate pair (UTF-16) or its bytes (UTF-8): before the emoji.
        let inside = if c.utf8 { 7 } else { 4 };
        c.change(
            URI,
            4,
            json!([{"range": {"start": p(0, inside), "end": p(0, inside)}, "text": "·"}]),
        );
        let got = document_text(&mut c);
        assert_eq!(got["text"], "Да ·😀!\nsecond\nEND");
        // Requests past the end answer without failing.
        for m in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/documentHighlight",
        ] {
            c.call(
                m,
                json!({"textDocument": {"uri": URI}, "position": p(99, 99)}),
            );
            c.call(
                m,
                json!({"textDocument": {"uri": URI}, "position": p(0, 99)}),
            );
        }
        assert_eq!(c.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn diagnostics_follow_versions_and_close_clears_them() {
    let mut c = Client::start(VSCODE, None, None);
    c.open(URI, "Hello @ghost.\n");
    let d = c.diagnostics(URI, 1);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["code"], "undefined-entity");
    let p = |l: u32, ch: u32| json!({"line": l, "character": ch});
    // Define the entity: version 2 is clean.
    c.change(URI, 2, json!([{"range": {"start": p(1, 0), "end": p(1, 0)}, "text": "\n@ghost: person \"Гость 😀\"\n"}]));
    let d = c.diagnostics(URI, 2);
    assert!(d.is_empty(), "{d:?}");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let cleared = c.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == URI && p["version"].is_null()
    });
    assert_eq!(cleared["diagnostics"], json!([]));
    // The server forgot the document.
    let e = c.request(
        "newsmark/documentText",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(e.is_err());
}
