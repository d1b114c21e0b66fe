//! The server's message path, in process: `newsmark::lsp::serve` on in-memory pipes, fed an
//! arbitrary session (opens, incremental and full edits at any positions, closes, every
//! request at any position, arbitrary JSON bodies and header garbage). Checks: no panic, no
//! hang (a session must end within seconds), every output frame is JSON-RPC, and every request
//! sent (including the final `shutdown`) gets exactly one response.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use newsmark::lsp::framing::{Frame, FrameReader};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

#[derive(Arbitrary, Debug)]
struct Pos {
    line: u8,
    character: u8,
    /// Far out of range instead.
    huge: bool,
}

impl Pos {
    fn json(&self) -> Value {
        if self.huge {
            json!({"line": u32::MAX, "character": u32::MAX})
        } else {
            json!({"line": self.line % 16, "character": self.character})
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open { doc: u8, text: String },
    Change { doc: u8, start: Pos, end: Pos, text: String },
    Replace { doc: u8, text: String },
    Close { doc: u8 },
    Request { doc: u8, method: u8, start: Pos, end: Pos, name: String },
    /// A well-framed body that may be anything.
    Body(String),
    /// Header garbage: made self-contained (no `Content-Length`, ends with a blank line).
    Garbage(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct Session {
    utf8: bool,
    ops: Vec<Op>,
}

const METHODS: &[&str] = &[
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/documentHighlight",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "workspace/symbol",
    "textDocument/codeAction",
    "textDocument/semanticTokens/full",
    "textDocument/semanticTokens/range",
    "textDocument/inlayHint",
    "textDocument/foldingRange",
    "textDocument/diagnostic",
    "newsmark/documentText",
    "newsmark/noSuchMethod",
];

fn uri(doc: u8) -> String {
    format!("file:///fuzz/{}.nmk", doc % 4)
}

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

/// The bytes of the session and the ids of the requests in it.
fn script(s: &Session) -> (Vec<u8>, Vec<i64>) {
    let mut out = Vec::new();
    let mut ids = Vec::new();
    let mut next = 1i64;
    let mut version = 1;
    let mut request = |out: &mut Vec<u8>, method: &str, params: Value, ids: &mut Vec<i64>| {
        next += 1;
        ids.push(next);
        out.extend(frame(&json!({"jsonrpc": "2.0", "id": next, "method": method, "params": params})));
    };
    let caps = if s.utf8 {
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
    } else {
        json!({})
    };
    request(&mut out, "initialize", json!({"capabilities": caps}), &mut ids);
    out.extend(frame(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})));
    for op in &s.ops {
        version += 1;
        match op {
            Op::Open { doc, text } => out.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri(*doc), "languageId": "newsmark", "version": version, "text": text}}}))),
            Op::Change { doc, start, end, text } => out.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri(*doc), "version": version}, "contentChanges": [{"range": {"start": start.json(), "end": end.json()}, "text": text}]}}))),
            Op::Replace { doc, text } => out.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri(*doc), "version": version}, "contentChanges": [{"text": text}]}}))),
            Op::Close { doc } => out.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri(*doc)}}}))),
            Op::Request { doc, method, start, end, name } => {
                let method = METHODS[*method as usize % METHODS.len()];
                let range = json!({"start": start.json(), "end": end.json()});
                let params = json!({
                    "textDocument": {"uri": uri(*doc)},
                    "position": start.json(),
                    "range": range,
                    "newName": name,
                    "query": name,
                    "context": {"includeDeclaration": true, "diagnostics": []},
                });
                request(&mut out, method, params, &mut ids);
            }
            Op::Body(b) => {
                // Requests with ids could collide with ours, and `exit` would end the session.
                let v = serde_json::from_str::<Value>(b).unwrap_or_default();
                if v.get("id").is_some() || v.get("method").is_some_and(|m| m == "exit") {
                    continue;
                }
                out.extend(format!("Content-Length: {}\r\n\r\n", b.len()).into_bytes());
                out.extend(b.as_bytes());
            }
            Op::Garbage(g) => {
                let lower = g.to_ascii_lowercase();
                if lower.windows(14).any(|w| w == b"content-length") {
                    continue;
                }
                out.extend(g);
                out.extend(b"\r\n\r\n");
            }
        }
    }
    request(&mut out, "shutdown", Value::Null, &mut ids);
    out.extend(frame(&json!({"jsonrpc": "2.0", "method": "exit"})));
    (out, ids)
}

fuzz_target!(|s: Session| {
    let (input, ids) = script(&s);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let responses = rt.block_on(async move {
        let (mut client_w, server_r) = tokio::io::duplex(1 << 16);
        let (server_w, client_r) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(newsmark::lsp::serve(server_r, server_w));
        let writer = tokio::spawn(async move {
            let _ = client_w.write_all(&input).await;
            // Keep the pipe open until the server has exited, as a client does.
            std::future::pending::<()>().await;
        });
        let reader = tokio::spawn(async move {
            let mut frames = FrameReader::new(client_r);
            let mut responses: BTreeMap<i64, usize> = BTreeMap::new();
            while let Some(f) = frames.next().await {
                let Frame::Message(body) = f else {
                    panic!("server sent a malformed frame: {f:?}");
                };
                let v: Value = serde_json::from_slice(&body).expect("server sent JSON");
                assert_eq!(v["jsonrpc"], "2.0");
                if v.get("method").is_none() {
                    assert!(
                        v.get("result").is_some() != v.get("error").is_some(),
                        "response with one of result or error: {v}"
                    );
                    *responses.entry(v["id"].as_i64().unwrap_or(i64::MIN)).or_default() += 1;
                }
            }
            responses
        });
        let done = tokio::time::timeout(Duration::from_secs(20), server).await;
        writer.abort();
        assert!(done.is_ok(), "the server did not finish the session in 20 s");
        reader.await.unwrap()
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    for id in &ids {
        assert_eq!(responses.get(id), Some(&1), "one response to request {id}: {responses:?}");
    }
});
