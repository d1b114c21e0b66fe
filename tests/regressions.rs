//! Replays inputs that once broke the server or the analysis (`tests/regressions/`):
//! - `server/*.lsp`: raw LSP byte streams (an `initialize` frame, then anything, then
//!   `shutdown` with id 999 and `exit`), served in process; the session must end in time with
//!   an answer to `shutdown` and no internal error;
//! - `analysis/*.nmk`: files run through analysis, export and every IDE feature at a sample of
//!   offsets, within time; every span returned lies inside the file on char boundaries.
//!
//! New regressions are added by dropping a file in the folder.

mod support;

use newsmark::analysis::export::export_document;
use newsmark::analysis::ide;
use newsmark::analysis::Workspace;
use newsmark::syntax::Span;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::in_process::InProcess;

fn inputs(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no regression inputs in {}", dir.display());
    v
}

/// Serve `bytes`; the first frame is sent alone and answered before the rest, as a client
/// waits for `initialize`.
fn replay(bytes: Vec<u8>) -> Vec<Value> {
    let first_end = {
        let head = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let len: usize = std::str::from_utf8(&bytes[..head])
            .unwrap()
            .trim()
            .strip_prefix("Content-Length:")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        head + len
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async move {
        let mut server = InProcess::start();
        server.send(&bytes[..first_end]).await;
        let mut out = vec![server.recv(Duration::from_secs(120)).await];
        server.send(&bytes[first_end..]).await;
        out.extend(server.finish(Duration::from_secs(120)).await);
        out
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    out
}

#[test]
fn server_streams_that_once_broke_the_server() {
    for path in inputs("server", "lsp") {
        let out = replay(std::fs::read(&path).unwrap());
        let name = path.display();
        let shutdown = out
            .iter()
            .find(|m| m["id"] == 999 && m.get("method").is_none())
            .unwrap_or_else(|| panic!("{name}: shutdown not answered: {out:?}"));
        // Answered at all (a result, or `Canceled` when `exit` overtakes it): before the fix the
        // server heard nothing after the bad frame.
        assert!(
            shutdown.get("result").is_some() || shutdown["error"]["code"] == -32800,
            "{name}: {shutdown}"
        );
        for m in &out {
            assert_ne!(m["error"]["code"], -32603, "{name}: internal error {m}");
        }
        for m in out
            .iter()
            .filter(|m| m["id"].is_i64() && m.get("method").is_none())
        {
            assert!(
                m.get("result").is_some() || m.get("error").is_some(),
                "{name}: {m}"
            );
        }
    }
}

#[test]
fn analysis_inputs_that_once_broke_the_analysis() {
    for path in inputs("analysis", "nmk") {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut ws = Workspace::default();
        let f = ws.set_file(&path.display().to_string(), text).file.unwrap();
        let analysis = ws.analyze(f);
        let t = ws.file(f).unwrap().text.clone();
        let ok = |s: Span| {
            s.start <= s.end
                && s.end <= t.len()
                && t.is_char_boundary(s.start)
                && t.is_char_boundary(s.end)
        };
        for d in &analysis.diagnostics {
            assert!(ok(d.span), "{}: {d:?}", path.display());
        }
        let doc = export_document(&ws, f, &analysis).expect("exported");
        assert!(doc.quotes.iter().all(|q| q.end <= doc.text.chars().count()));
        let others = |g| Some(Arc::new(ws.analyze(g)));
        let step = (t.len() / 100).max(1);
        for offset in (0..=t.len() + 1).step_by(step) {
            if let Some(h) = ide::hover(&ws, f, &analysis, offset, &others) {
                assert!(ok(h.range));
            }
            for l in ide::references(&ws, f, offset, true) {
                assert!(ok(l.span));
            }
            for c in ide::completion(&ws, f, offset) {
                assert!(ok(c.edit.span));
            }
            let o = offset.min(t.len());
            for a in ide::code_actions(&ws, f, &analysis, Span::new(o, o)) {
                for (_, edits) in &a.edits {
                    assert!(edits.iter().all(|e| ok(e.span)));
                }
            }
        }
        assert!(ide::document_symbols(&ws, f, &analysis)
            .iter()
            .all(|s| ok(s.span)));
        assert!(ide::semantic_tokens(&ws, f, &analysis, None)
            .iter()
            .all(|s| ok(s.span)));
        assert!(ide::inlay_hints(&ws, f, &analysis, None)
            .iter()
            .all(|h| h.offset <= t.len()));
        assert!(ide::folding_ranges(&ws, f).iter().all(|r| ok(r.span)));
    }
}
