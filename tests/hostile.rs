//! Hostile clients and files against the real `newsmark lsp` binary over stdio: malformed
//! frames, protocol misuse, out-of-range positions, huge documents, unreadable and binary files,
//! symlinks and floods of files. Each case checks for a clear error (a response or a log
//! message), no crash, no hang (every wait has a timeout), a bounded peak memory, and that the
//! server still answers a hover afterwards.

mod support;

use serde_json::{json, Value};

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

/// Display names of the workspace symbols matching `query` (a symbol's detail is
/// `Name · kind`).
fn symbols(c: &mut Client, query: &str) -> Vec<String> {
    let r = c.call("workspace/symbol", json!({"query": query}));
    r.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["containerName"].as_str()?.split(" · ").next())
                .map(str::to_string)
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
    c.send_raw(&frame(
        br#"{"jsonrpc":"1.0","id":4242,"method":"textDocument/hover"}"#,
    ));
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
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///early.nmk",
        "languageId": "newsmark", "version": 1, "text": "early"}}),
    );
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
            (
                "textDocument/hover",
                json!({"textDocument": doc, "position": pos}),
            ),
            (
                "textDocument/definition",
                json!({"textDocument": doc, "position": pos}),
            ),
            (
                "textDocument/references",
                json!({"textDocument": doc, "position": pos, "context": {"includeDeclaration": true}}),
            ),
            (
                "textDocument/documentHighlight",
                json!({"textDocument": doc, "position": pos}),
            ),
            (
                "textDocument/prepareRename",
                json!({"textDocument": doc, "position": pos}),
            ),
            (
                "textDocument/rename",
                json!({"textDocument": doc, "position": pos, "newName": "b"}),
            ),
            (
                "textDocument/completion",
                json!({"textDocument": doc, "position": pos}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": doc, "range": backwards, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/semanticTokens/range",
                json!({"textDocument": doc, "range": backwards}),
            ),
            (
                "textDocument/inlayHint",
                json!({"textDocument": doc, "range": range}),
            ),
        ] {
            // An answer either way; an error must be a proper JSON-RPC error.
            if let Err(e) = c.request(method, params) {
                assert!(
                    e["code"].is_i64() && e["message"].is_string(),
                    "{method}: {e}"
                );
            }
        }
    }
    // Negative numbers are not positions: invalid params.
    let err = hover_at(&mut c, uri, json!({"line": -1, "character": 0})).unwrap_err();
    assert_eq!(err["code"], -32602, "{err}");
    // Edits out of range are clamped to the document: past the end appends; a reversed range
    // (from inside the emoji back to past the end of line 0) is ordered, and the middle of a
    // surrogate pair stays before the character.
    c.change(
        uri,
        2,
        json!([{"range": {"start": far, "end": far}, "text": "!"}]),
    );
    c.change(
        uri,
        3,
        json!([{"range": {"start": mid, "end": past_line}, "text": "?"}]),
    );
    let got = c.call(
        "newsmark/documentText",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(got["text"], "@a: person \"A\"?😀\n!");
    assert_alive(&mut c);
}

#[test]
fn edits_to_unopened_documents_and_duplicate_opens() {
    let mut c = Client::start(VSCODE, None, None);
    let uri = "file:///hostile/never-opened.nmk";
    c.change(uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(
        hover_at(&mut c, uri, json!({"line": 0, "character": 0})).unwrap(),
        Value::Null
    );
    let err = c
        .request(
            "newsmark/documentText",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("not open"),
        "{err}"
    );
    // A second didOpen of an open document replaces it.
    let dup = "file:///hostile/dup.nmk";
    c.open(dup, "first text\n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": dup, "languageId": "newsmark", "version": 7, "text": "@z: person \"Zed\"\n"}}),
    );
    let got = c.call(
        "newsmark/documentText",
        json!({"textDocument": {"uri": dup}}),
    );
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

/// Wait until indexing has ended (`$/progress` end).
fn wait_indexed(c: &mut Client) {
    while c.wait_for("$/progress", |_| true)["value"]["kind"] != "end" {}
}

/// The text of a `window/logMessage` or `window/showMessage` that contains `needle`.
fn message_with(c: &mut Client, method: &str, needle: &str) -> String {
    let limit = Duration::from_secs(120);
    let p = c
        .try_wait_for(method, limit, |p| {
            p["message"].as_str().is_some_and(|m| m.contains(needle))
        })
        .unwrap_or_else(|| panic!("no {method} with {needle:?} in {limit:?}"));
    p["message"].as_str().unwrap().to_string()
}

fn has_symbol(c: &mut Client, name: &str) -> bool {
    symbols(c, name).iter().any(|n| n == name)
}

#[test]
fn a_100_mb_document_is_held_but_not_analysed() {
    let mut c = Client::start(VSCODE, None, None);
    let uri = "file:///hostile/huge.nmk";
    let para = "@p: person \"Pat\"\n\n“Quoted words here, four at least,” said @p. Лавров 😀\n\n";
    let text = para.repeat(100_000_000 / para.len() + 1);
    assert!(text.len() > 100_000_000);
    c.open(uri, &text);
    drop(text);
    let msg = message_with(&mut c, "window/showMessage", "huge.nmk");
    assert!(
        msg.contains("not analysed") && msg.contains("limit"),
        "{msg}"
    );
    assert_eq!(
        hover_at(&mut c, uri, json!({"line": 2, "character": 40})).unwrap(),
        Value::Null
    );
    // Edits still apply; shrinking it below the limit brings analysis back.
    c.change(uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "% edit\n"}]));
    c.change(uri, 3, json!([{"text": para}]));
    let diags = c.diagnostics(uri, 3);
    assert!(diags.is_empty(), "{diags:?}");
    let hover = hover_at(&mut c, uri, json!({"line": 2, "character": 42})).unwrap();
    assert!(hover.to_string().contains("Pat"), "{hover}");
    assert_peak_below(&c, 2500);
    assert_alive(&mut c);
}

#[test]
fn a_10_mb_line_is_analysed_without_hanging() {
    let mut c = Client::start(VSCODE, None, None);
    let uri = "file:///hostile/long-line.nmk";
    let mut line = String::from("Intro by @ghost.");
    let filler = " Лавров и 😀 сказали что-то важное, очень важное, снова и снова.";
    while line.len() < 10_000_000 {
        for _ in 0..100 {
            line.push_str(filler);
        }
        line.push_str(" “A quotation in the long line,” said @ghost.");
    }
    let text = format!("{line}\n@ghost: person \"Ghost\"\n");
    c.open(uri, &text);
    // A hang guard, not a speed test (that is `benches/`): it takes about 3 s alone, and a
    // pass quadratic in the line's length would take hours, so a long limit keeps the test
    // steady on a loaded machine without letting a hang through.
    let diags = c.diagnostics_within(uri, 1, Duration::from_secs(120));
    assert!(
        diags.iter().all(|d| d["range"]["start"]["line"] == 0),
        "{:?}",
        &diags[..1]
    );
    // Positions near the end of the line, in UTF-16 units.
    let end_col = line.encode_utf16().count();
    let hover = hover_at(&mut c, uri, json!({"line": 0, "character": end_col - 3})).unwrap();
    assert!(hover.to_string().contains("Ghost"), "{hover}");
    let symbols = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(symbols.as_array().is_some_and(|s| !s.is_empty()));
    assert_peak_below(&c, 3000);
    assert_alive(&mut c);
}

#[test]
fn binary_non_utf8_and_oversized_files_are_reported_and_the_rest_served() {
    let dir = workspace(&[
        (
            "good.nmk",
            "@good: person \"Good Person\"\n\nHello @good.\n",
        ),
        (
            "nul.nmk",
            "@nul: person \"Nul\"\n\n\0\0\0 NUL bytes are text too.\n",
        ),
    ]);
    std::fs::write(dir.path().join("latin1.nmk"), b"caf\xe9 @good\n").unwrap();
    let binary: Vec<u8> = (0..65536u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.path().join("binary.nmk"), binary).unwrap();
    std::fs::write(dir.path().join("big.nmk"), vec![b'a'; 17 << 20]).unwrap();
    let mut c = Client::start(NEOVIM, Some(dir.path()), None);
    wait_indexed(&mut c);
    let msg = message_with(&mut c, "window/logMessage", "could not be read");
    assert!(msg.contains("latin1.nmk: not UTF-8"), "{msg}");
    assert!(msg.contains("binary.nmk: not UTF-8"), "{msg}");
    assert!(
        msg.contains("big.nmk: 17.8 MB, over the 16 MiB limit"),
        "{msg}"
    );
    assert!(
        !msg.contains("good.nmk") && !msg.contains("nul.nmk"),
        "{msg}"
    );
    assert!(has_symbol(&mut c, "Good Person"));
    assert!(has_symbol(&mut c, "Nul"));
    assert_peak_below(&c, 500);
    assert_alive(&mut c);
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|u| u.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn files_deleted_or_made_unreadable_while_indexing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        let text = format!("@e{i}: person \"Person Number{i}\"\n\nText about @e{i}.\n");
        std::fs::write(dir.path().join(format!("f{i}.nmk")), text).unwrap();
    }
    let mut c = Client::start(NEOVIM, Some(dir.path()), None);
    // While the server walks and reads: delete a third, lock another third.
    for i in 0..3000 {
        let p = dir.path().join(format!("f{i}.nmk"));
        match i % 3 {
            0 => std::fs::remove_file(p).unwrap(),
            1 => std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o000)).unwrap(),
            _ => {}
        }
    }
    wait_indexed(&mut c);
    if !is_root() {
        // (root reads a mode-000 file anyway.)
        let msg = message_with(&mut c, "window/logMessage", "could not be read");
        assert!(msg.contains("ermission denied"), "{msg}");
    }
    assert!(has_symbol(&mut c, "Person Number2"));
    assert!(has_symbol(&mut c, "Person Number2999"));
    // The watcher drops deleted files that indexing may have read before they went.
    eventually(Duration::from_secs(30), "deleted files dropped", || {
        !has_symbol(&mut c, "Person Number0") && !has_symbol(&mut c, "Person Number2997")
    });
    assert_peak_below(&c, 600);
    assert_alive(&mut c);
}

#[test]
fn symlinks_never_lead_out_of_the_workspace() {
    let outside = workspace(&[
        ("secret.nmk", "@secret: person \"Secret Outside\"\n"),
        ("leak.nmk", "@leak: person \"Leak Outside\"\n"),
    ]);
    let dir = workspace(&[("inside.nmk", "@in: person \"Inside Person\"\n\nHi @in.\n")]);
    let ws = dir.path();
    std::os::unix::fs::symlink(ws, ws.join("loop")).unwrap();
    std::fs::create_dir(ws.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", ws.join("sub/up")).unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.join("out")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("leak.nmk"), ws.join("leak.nmk")).unwrap();
    let mut c = Client::start(NEOVIM, Some(ws), None);
    wait_indexed(&mut c);
    assert!(has_symbol(&mut c, "Inside Person"));
    assert!(!has_symbol(&mut c, "Secret Outside"));
    assert!(!has_symbol(&mut c, "Leak Outside"));
    // Changes outside, seen through the links, stay outside; the client naming such a path too.
    std::fs::write(
        outside.path().join("new.nmk"),
        "@fresh: person \"Fresh Outside\"\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("secret.nmk"),
        "@secret: person \"Secret Changed\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": file_uri(&ws.join("out/secret.nmk")), "type": 2},
            {"uri": file_uri(&ws.join("leak.nmk")), "type": 2},
        ]}),
    );
    // A file created inside is picked up: the watcher works, so the outside ones were refused.
    std::fs::write(ws.join("late.nmk"), "@late: person \"Late Inside\"\n").unwrap();
    eventually(
        Duration::from_secs(20),
        "a new file inside is indexed",
        || has_symbol(&mut c, "Late Inside"),
    );
    std::thread::sleep(Duration::from_millis(500));
    for name in [
        "Secret Outside",
        "Secret Changed",
        "Leak Outside",
        "Fresh Outside",
    ] {
        assert!(!has_symbol(&mut c, name), "{name} was read through a link");
    }
    assert_alive(&mut c);
}

#[test]
fn ten_thousand_files_created_at_once() {
    let dir = workspace(&[("seed.nmk", "@seed: person \"Seed\"\n")]);
    let mut c = Client::start(NEOVIM, Some(dir.path()), None);
    wait_indexed(&mut c);
    let flood = dir.path().join("flood");
    std::fs::create_dir(&flood).unwrap();
    for i in 0..10_000 {
        let text = format!("@f{i}: person \"Flood Person{i}\"\n\nSaid @f{i}.\n");
        std::fs::write(flood.join(format!("f{i}.nmk")), text).unwrap();
    }
    eventually(Duration::from_secs(120), "all 10,000 files indexed", || {
        has_symbol(&mut c, "Flood Person0")
            && has_symbol(&mut c, "Flood Person5000")
            && has_symbol(&mut c, "Flood Person9999")
    });
    assert_peak_below(&c, 1000);
    assert_alive(&mut c);
}
