//! Hostile clients and files against the real `newsmark lsp` binary over stdio: malformed
//! frames, protocol misuse, out-of-range positions, huge documents, unreadable and binary files,
//! symlinks and floods of files. Each case checks for a clear error (a response or a log
//! message), no crash, no hang (every wait has a timeout), a bounded peak memory, and that the
//! server still answers a hover afterwards.

mod support;

use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{file_uri, workspace, Client, NEOVIM, VSCODE};

const PROBE_URI: &str = "file:///hostile/probe.nmk";
const PROBE: &str = "@ann: person \"Ann Lee\"\n\nHello @ann, again.\n";

/// The server still works: a fresh document's hover names its entity.
fn assert_alive(c: &mut Client) {
    assert!(c.is_running(), "the server exited");
    c.open(PROBE_URI, PROBE);
    let pos = c.pos(PROBE, "@ann,", 2);
    let hover = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": PROBE_URI}, "position": pos}),
    );
    assert!(
        hover["contents"].to_string().contains("Ann Lee"),
        "hover after the abuse: {hover}"
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": PROBE_URI}}),
    );
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn assert_peak_below(c: &Client, mib: u64) {
    let peak = c.peak_rss_mib();
    assert!(peak < mib, "peak RSS {peak} MiB, expected below {mib} MiB");
}

fn hover_at(c: &mut Client, uri: &str, pos: Value) -> Result<Value, Value> {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos}),
    )
}

fn symbols(c: &mut Client, query: &str) -> Vec<String> {
    let r = c.call("workspace/symbol", json!({"query": query}));
    r.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Poll until `pred` holds (the server indexes in the background), or fail after `limit`.
fn eventually(limit: Duration, what: &str, mut pred: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !pred() {
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn malformed_frames_get_error_responses_and_the_server_goes_on() {
    let mut c = Client::start(VSCODE, None, None);
    // Not JSON.
    c.send_raw(&frame(br#"{"jsonrpc": "2.0", "id": 1, "method": "#));
    // No Content-Length.
    c.send_raw(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    // A Content-Length that is not a number.
    c.send_raw(b"Content-Length: lots\r\n\r\n");
    // Not UTF-8.
    c.send_raw(&frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}"));
    // JSON, but not JSON-RPC.
    c.send_raw(&frame(br#"[1, 2, 3]"#));
    let errors = c.wait_null_id_errors(5);
    assert_eq!(errors.len(), 5, "{errors:?}");
    for e in &errors {
        let code = e["code"].as_i64().unwrap();
        assert!(code == -32700 || code == -32600, "{e}");
        assert!(e["message"].as_str().unwrap().contains("malformed"), "{e}");
    }
    // A broken request with a readable id is answered under that id.
    c.send_raw(&frame(br#"{"jsonrpc":"1.0","id":4242,"method":"textDocument/hover"}"#));
    let err = c.response(4242).unwrap_err();
    assert_eq!(err["code"], -32600, "{err}");
    assert_alive(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn wrong_content_lengths_resynchronise() {
    let mut c = Client::start(VSCODE, None, None);
    let note = br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#;
    // Too short: the body is cut, the rest is garbage before the next header.
    c.send_raw(&format!("Content-Length: {}\r\n\r\n", note.len() - 12).into_bytes());
    c.send_raw(note);
    // Too long: the next message's first bytes are taken as this one's body.
    c.send_raw(&format!("Content-Length: {}\r\n\r\n", note.len() + 10).into_bytes());
    c.send_raw(note);
    c.send_raw(&frame(note));
    let errors = c.wait_null_id_errors(3);
    assert!(errors.iter().all(|e| e["code"] == -32700), "{errors:?}");
    assert_alive(&mut c);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn an_oversized_content_length_is_skipped_not_buffered() {
    let mut c = Client::start(VSCODE, None, None);
    // Announce 300 MiB (over the 256 MiB limit) and send it in pieces: the server skips it.
    let len = 300usize << 20;
    c.send_raw(&format!("Content-Length: {len}\r\n\r\n").into_bytes());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..300 {
        c.send_raw(&chunk);
    }
    let errors = c.wait_null_id_errors(1);
    assert!(
        errors[0]["message"].as_str().unwrap().contains("limit"),
        "{errors:?}"
    );
    assert_alive(&mut c);
    assert_peak_below(&c, 200);
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn unknown_methods_are_refused_and_ignored() {
    let mut c = Client::start(VSCODE, None, None);
    let err = c.request("newsmark/noSuchThing", json!({})).unwrap_err();
    assert_eq!(err["code"], -32601, "method not found: {err}");
    c.notify("newsmark/noSuchNotification", json!({"x": 1}));
    c.notify("$/somethingOptional", json!({}));
    // Known methods with parameters of the wrong shape.
    let err = c
        .request("textDocument/hover", json!({"textDocument": 5}))
        .unwrap_err();
    assert_eq!(err["code"], -32602, "invalid params: {err}");
    c.notify("textDocument/didOpen", json!({"textDocument": "nope"}));
    c.notify("textDocument/didChange", json!([1, 2]));
    assert_alive(&mut c);
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut c = Client::spawn();
    let err = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": PROBE_URI}, "position": {"line": 0, "character": 0}}),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32002, "server not initialized: {err}");
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": "file:///early.nmk",
        "languageId": "newsmark", "version": 1, "text": "early"}}));
    let err = c.request("shutdown", Value::Null).unwrap_err();
    assert_eq!(err["code"], -32002, "{err}");
    let fx = support::fixture(VSCODE);
    c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": fx["capabilities"]}),
    );
    // A second initialize is an error, not a reset.
    let err = c
        .request("initialize", json!({"capabilities": {}}))
        .unwrap_err();
    assert_eq!(err["code"], -32600, "{err}");
    c.notify("initialized", json!({}));
    assert_alive(&mut c);
}

#[test]
fn positions_out_of_range_are_clamped_or_refused() {
    let mut c = Client::start(VSCODE, None, None);
    let uri = "file:///hostile/range.nmk";
    let text = "@a: person \"A\"\n\n“Quote with four words,” said @a. 😀\n";
    c.open(uri, text);
    let far = json!({"line": u32::MAX, "character": u32::MAX});
    let past_line = json!({"line": 0, "character": 100000});
    // Inside the emoji's surrogate pair.
    let mid = {
        let mut p = c.pos(text, "😀", 0);
        p["character"] = json!(p["character"].as_u64().unwrap() + 1);
        p
    };
    let doc = json!({"uri": uri});
    for pos in [&far, &past_line, &mid] {
        let range = json!({"start": {"line": 0, "character": 0}, "end": pos});
        let backwards = json!({"start": pos, "end": {"line": 0, "character": 0}});
        for (method, params) in [
            ("textDocument/hover", json!({"textDocument": doc, "position": pos})),
            ("textDocument/definition", json!({"textDocument": doc, "position": pos})),
            ("textDocument/references", json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}})),
            ("textDocument/documentHighlight", json!({"textDocument": doc, "position": pos})),
            ("textDocument/prepareRename", json!({"textDocument": doc, "position": pos})),
            ("textDocument/rename", json!({"textDocument": doc, "position": pos, "newName": "b"})),
            ("textDocument/completion", json!({"textDocument": doc, "position": pos})),
            ("textDocument/codeAction", json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}})),
            ("textDocument/codeAction", json!({"textDocument": doc, "range": backwards, "context": {"diagnostics": []}})),
            ("textDocument/semanticTokens/range", json!({"textDocument": doc, "range": backwards})),
            ("textDocument/inlayHint", json!({"textDocument": doc, "range": range})),
        ] {
            // An answer either way; an error must be a proper JSON-RPC error.
            if let Err(e) = c.request(method, params) {
                assert!(e["code"].is_i64() && e["message"].is_string(), "{method}: {e}");
            }
        }
    }
    // Negative numbers are not positions: invalid params.
    let err = hover_at(&mut c, uri, json!({"line": -1, "character": 0})).unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
    // Edits out of range are clamped to the document: past the end appends; a reversed range
    // (from inside the emoji back to past the end of line 0) is ordered, and the middle of a
    // surrogate pair stays before the character.
    c.change(uri, 2, json!([{"range": {"start": far, "end": far}, "text": "!"}]));
    c.change(uri, 3, json!([{"range": {"start": mid, "end": past_line}, "text": "?"}]));
    let got = c.call("newsmark/documentText", json!({"textDocument": {"uri": uri}}));
    assert_eq!(got["text"], "@a: person \"A\"?😀\n!");
    assert_alive(&mut c);
}

#[test]
fn edits_to_unopened_documents_and_duplicate_opens() {
    let mut c = Client::start(VSCODE, None, None);
    let uri = "file:///hostile/never-opened.nmk";
    c.change(uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]));
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert_eq!(
        hover_at(&mut c, uri, json!({"line": 0, "character": 0})).unwrap(),
        Value::Null
    );
    let err = c
        .request("newsmark/documentText", json!({"textDocument": {"uri": uri}}))
        .unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("not open"), "{err}");
    // A second didOpen of an open document replaces it.
    let dup = "file:///hostile/dup.nmk";
    c.open(dup, "first text\n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": dup, "languageId": "newsmark", "version": 7, "text": "@z: person \"Zed\"\n"}}),
    );
    let got = c.call("newsmark/documentText", json!({"textDocument": {"uri": dup}}));
    assert_eq!(got["text"], "@z: person \"Zed\"\n");
    assert_eq!(got["version"], 7);
    let diags = c.diagnostics(dup, 7);
    assert!(
        diags.iter().any(|d| d["code"] == "unused-entity"),
        "diagnostics of the second text: {diags:?}"
    );
    // Invalid URIs.
    let err = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "not a uri"}, "position": {"line": 0, "character": 0}}),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
    assert_alive(&mut c);
}
