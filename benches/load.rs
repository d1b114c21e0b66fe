//! Load harness for `newsmark lsp` (the release binary, over stdio): 50 requests kept in flight
//! while a 5 KB document is edited 20 times a second, for 60 seconds. Not a test: it prints
//! figures (latency percentiles per request kind, edit-to-diagnostics, failures, RSS over time).
//!
//! ```text
//! cargo bench --bench load                  # 60 s
//! cargo bench --bench load -- --secs 10     # shorter
//! NEWSMARK_BIN=path/to/newsmark cargo bench --bench load   # another build of the server
//! ```
//!
//! A reader thread timestamps every message as it arrives, so latencies do not include the
//! harness's own work. Requests go to the edited document and to other open documents.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const IN_FLIGHT: usize = 50;
const EDITS_PER_SEC: u32 = 20;

fn frame(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn rss_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn pct(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// An article of about 5 KB mentioning entities of the registry.
fn article(n: usize, entities: usize) -> String {
    let mut s = format!("# Story {n}\n\n");
    let mut i = 0;
    while s.len() < 5000 {
        let a = (n * 7 + i) % entities;
        let b = (n * 13 + i * 3) % entities;
        s.push_str(&format!(
            "[Minister {a}]{{@e{a}}} met @e{b} on Monday. “We discussed the agreement at length today,” said @e{a}. \
             According to @e{b}, talks will go on.\n\n"
        ));
        i += 1;
    }
    s
}

#[derive(Default)]
struct State {
    sent: HashMap<i64, (Instant, &'static str)>,
    lat: HashMap<&'static str, Vec<f64>>,
    failures: HashMap<String, usize>,
    edits: HashMap<i64, Instant>,
    diag_lat: Vec<f64>,
}

impl State {
    fn handle(&mut self, now: Instant, m: Value, uri0: &str, send: &mut dyn FnMut(&Value)) {
        if let (Some(id), Some(_)) = (m.get("id"), m.get("method")) {
            send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            return;
        }
        if m["method"] == "textDocument/publishDiagnostics" {
            if m["params"]["uri"] == uri0 {
                if let Some(t) = m["params"]["version"]
                    .as_i64()
                    .and_then(|v| self.edits.remove(&v))
                {
                    self.diag_lat.push((now - t).as_secs_f64() * 1000.0);
                }
            }
            return;
        }
        if let Some((t, kind)) = m["id"].as_i64().and_then(|id| self.sent.remove(&id)) {
            match m.get("error") {
                Some(e) => {
                    *self
                        .failures
                        .entry(format!("{kind}: {}", e["message"]))
                        .or_default() += 1
                }
                None => self
                    .lat
                    .entry(kind)
                    .or_default()
                    .push((now - t).as_secs_f64() * 1000.0),
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: u64 = args
        .iter()
        .position(|a| a == "--secs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(60);
    let entities = 200;
    let dir = tempfile::tempdir().unwrap();
    let mut registry = String::new();
    for e in 0..entities {
        registry.push_str(&format!("@e{e}: person \"Minister {e}\"\n  aka: M{e}\n\n"));
    }
    std::fs::write(dir.path().join("registry.nmk"), &registry).unwrap();
    for n in 0..300 {
        std::fs::write(dir.path().join(format!("a{n}.nmk")), article(n, entities)).unwrap();
    }

    // NEWSMARK_BIN runs another build of the server (e.g. a release binary built elsewhere).
    let bin =
        std::env::var("NEWSMARK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_newsmark").into());
    let mut child = Command::new(bin)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start newsmark lsp");
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<(Instant, Value)>();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        loop {
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length:") {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut buf = vec![0; len];
            r.read_exact(&mut buf).unwrap();
            let v: Value = serde_json::from_slice(&buf).unwrap();
            if tx.send((Instant::now(), v)).is_err() {
                return;
            }
        }
    });
    let mut send = |v: &Value| {
        stdin.write_all(&frame(v)).unwrap();
        stdin.flush().unwrap();
    };
    let root = format!("file://{}", dir.path().display());
    send(
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "capabilities": {"window": {"workDoneProgress": true}},
        "rootUri": root, "workspaceFolders": [{"uri": root, "name": "ws"}]}}),
    );
    // Wait for initialize and for indexing to end.
    let mut indexed = false;
    let mut initialized = false;
    while !indexed {
        let (_, m) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server answers");
        if m["id"] == 0 && m.get("method").is_none() && !initialized {
            initialized = true;
            send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        }
        if let (Some(id), Some(_)) = (m.get("id"), m.get("method")) {
            send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
        if m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end" {
            indexed = true;
        }
    }
    // Open the edited document and four others.
    let uri = |n: usize| format!("{root}/a{n}.nmk");
    let texts: Vec<String> = (0..5).map(|n| article(n, entities)).collect();
    for (n, t) in texts.iter().enumerate() {
        send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri(n), "languageId": "newsmark", "version": 1, "text": t}}}),
        );
    }
    // Positions of mentions (on the first lines, which the edits at the end never move).
    let positions: Vec<(usize, u32, u32)> = (0..5)
        .flat_map(|n| {
            let t = &texts[n];
            t.lines()
                .enumerate()
                .take(12)
                .filter_map(move |(l, line)| line.find("@e").map(|c| (n, l as u32, c as u32 + 2)))
        })
        .collect();
    let end_line = texts[0].lines().count() as u32;

    let kinds = [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
        "textDocument/references",
    ];
    let mut st = State::default();
    let uri0 = uri(0);
    let mut rss: Vec<(f64, f64)> = Vec::new();
    let mut next_id = 1i64;
    let mut version = 1i64;
    let mut typed = String::new();
    let start = Instant::now();
    let mut next_edit = start;
    let mut next_sample = start;
    let mut k = 0usize;
    while start.elapsed() < Duration::from_secs(secs) {
        let now = Instant::now();
        if now >= next_edit {
            // Type at the end of the edited document: a character, or delete one.
            version += 1;
            let change = if typed.len() < 40 {
                typed.push('x');
                json!({"range": {"start": {"line": end_line, "character": typed.len() - 1},
                    "end": {"line": end_line, "character": typed.len() - 1}}, "text": "x"})
            } else {
                typed.clear();
                json!({"range": {"start": {"line": end_line, "character": 0},
                    "end": {"line": end_line, "character": 40}}, "text": ""})
            };
            send(
                &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri(0), "version": version}, "contentChanges": [change]}}),
            );
            st.edits.insert(version, Instant::now());
            next_edit += Duration::from_secs(1) / EDITS_PER_SEC;
        }
        if now >= next_sample {
            rss.push((start.elapsed().as_secs_f64(), rss_mib(pid, "VmRSS:")));
            next_sample += Duration::from_secs(1);
        }
        while st.sent.len() < IN_FLIGHT {
            let (n, line, col) = positions[k % positions.len()];
            let kind = kinds[k % kinds.len()];
            k += 1;
            let mut params = json!({"textDocument": {"uri": uri(n)}, "position": {"line": line, "character": col}});
            if kind == "textDocument/references" {
                params["context"] = json!({"includeDeclaration": true});
            }
            send(&json!({"jsonrpc": "2.0", "id": next_id, "method": kind, "params": params}));
            st.sent.insert(next_id, (Instant::now(), kind));
            next_id += 1;
        }
        let wait = next_edit
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(5));
        if let Ok((t, m)) = rx.recv_timeout(wait) {
            st.handle(t, m, &uri0, &mut send);
            while let Ok((t, m)) = rx.try_recv() {
                st.handle(t, m, &uri0, &mut send);
            }
        }
    }
    // Drain what is in flight.
    let drain = Instant::now();
    while !st.sent.is_empty() && drain.elapsed() < Duration::from_secs(10) {
        if let Ok((t, m)) = rx.recv_timeout(Duration::from_millis(100)) {
            st.handle(t, m, &uri0, &mut send);
        }
    }
    let lost = st.sent.len();
    // Edit-to-diagnostics without typing: one edit, wait for its diagnostics, ten times.
    let mut quiet_lat = Vec::new();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(300));
        while rx.try_recv().is_ok() {}
        version += 1;
        send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri(0), "version": version}, "contentChanges": [
            {"range": {"start": {"line": end_line, "character": 0}, "end": {"line": end_line, "character": 0}}, "text": "y"}]}}),
        );
        let t = Instant::now();
        loop {
            let (at, m) = rx
                .recv_timeout(Duration::from_secs(10))
                .expect("diagnostics");
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri(0)
                && m["params"]["version"] == version
            {
                quiet_lat.push((at - t).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    let peak = rss_mib(pid, "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();

    println!("load: {secs} s, {IN_FLIGHT} requests in flight, {EDITS_PER_SEC} edits/s on a {} byte document, 300 files in the workspace", texts[0].len());
    let total: usize = st.lat.values().map(Vec::len).sum();
    println!(
        "  requests answered: {total} ({:.0}/s); failed: {}; unanswered: {lost}",
        total as f64 / secs as f64,
        st.failures.values().sum::<usize>()
    );
    for (f, n) in &st.failures {
        println!("    {n} × {f}");
    }
    for kind in kinds {
        let v = st.lat.get(kind).cloned().unwrap_or_default();
        println!(
            "  {kind:32} n={:6} p50={:7.2} ms p99={:7.2} ms max={:7.2} ms",
            v.len(),
            pct(&v, 0.5),
            pct(&v, 0.99),
            pct(&v, 1.0)
        );
    }
    println!(
        "  edit→diagnostics while typing (published versions; others coalesced): n={} of {} edits, p50={:.2} ms p99={:.2} ms",
        st.diag_lat.len(),
        version - 1 - 10,
        pct(&st.diag_lat, 0.5),
        pct(&st.diag_lat, 0.99)
    );
    println!(
        "  edit→diagnostics, single edits: p50={:.2} ms p99={:.2} ms max={:.2} ms",
        pct(&quiet_lat, 0.5),
        pct(&quiet_lat, 0.99),
        pct(&quiet_lat, 1.0)
    );
    let warm: Vec<f64> = rss
        .iter()
        .filter(|(t, _)| *t >= 10.0 && *t < 20.0)
        .map(|r| r.1)
        .collect();
    let last: Vec<f64> = rss.iter().rev().take(10).map(|r| r.1).collect();
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "  RSS: after warm-up (10-20 s) {:.1} MiB, last 10 s {:.1} MiB, peak {:.1} MiB; samples: {:?}",
        avg(&warm),
        avg(&last),
        peak,
        rss.iter().map(|r| r.1.round() as i64).collect::<Vec<_>>()
    );
}
