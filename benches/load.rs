//! Load harness for `newsmark lsp` (the release binary, over stdio): 50 requests kept in flight
//! while a 5 KB document is edited 20 times a second, for 60 seconds. Not a test: it prints
//! figures (latency percentiles per request kind, edit-to-diagnostics, failures, RSS over time).
//!
//! ```text
//! cargo bench --bench load                  # 60 s
//! cargo bench --bench load -- --secs 10     # shorter
//! cargo bench --bench load -- --only hover  # one kind of request (CPU per answer by kind)
//! NEWSMARK_BIN=path/to/newsmark cargo bench --bench load   # another build of the server
//! ```
//!
//! A lean client: the thread that reads the server's output times each answer as soon as it is
//! read and sends the next request at once (answers' results are checked to be JSON but not
//! built), so the harness adds little CPU and no queueing of its own. Latency is from just
//! before a request is written to just after its whole answer is read, with 50 always in
//! flight. Requests go to the edited document and to other open documents.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
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

/// User + system CPU seconds of a process (`self` or a pid) so far.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = stat.rsplit_once(')').map_or("", |r| r.1);
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0);
    // SAFETY: sysconf only reads a system constant.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
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

/// The fields of a server message this harness looks at; a response's `result` is skipped
/// without being built (it is still read and checked to be JSON).
#[derive(serde::Deserialize)]
struct Msg {
    id: Option<Value>,
    method: Option<String>,
    error: Option<RpcError>,
    #[serde(default)]
    params: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    result: Option<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct RpcError {
    message: String,
}

/// Reads framed messages from the server.
struct Reader<R> {
    r: BufReader<R>,
    line: String,
    body: Vec<u8>,
    /// Messages read so far (one in [`FULL_PARSE_EVERY`] is parsed whole).
    count: u64,
}

/// One answer in this many is parsed whole as JSON; the others are recognised by their first
/// and last bytes when they are plain results (see [`quick_answer`]), to keep the harness's
/// CPU low.
const FULL_PARSE_EVERY: u64 = 16;

/// The id of `{"jsonrpc":"2.0","result":…,"id":N}` (how the server frames the answers of its
/// fast path); `None` for anything else, which is then parsed whole.
fn quick_answer(body: &[u8]) -> Option<i64> {
    let rest = body.strip_prefix(br#"{"jsonrpc":"2.0","result":"#)?;
    let rest = rest.strip_suffix(b"}")?;
    let digits = rest.len() - rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (head, id) = rest.split_at(digits);
    if id.is_empty() || !head.ends_with(br#","id":"#) {
        return None;
    }
    std::str::from_utf8(id).ok()?.parse().ok()
}

impl<R: Read> Reader<R> {
    /// The next message and the moment it was fully read; `None` at the end of the output.
    fn next(&mut self) -> Option<(Instant, Msg)> {
        let mut len = 0;
        loop {
            self.line.clear();
            if self.r.read_line(&mut self.line).ok()? == 0 {
                return None;
            }
            let line = self.line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse().unwrap();
            }
        }
        self.body.resize(len, 0);
        self.r.read_exact(&mut self.body).ok()?;
        let at = Instant::now();
        self.count += 1;
        if self.count % FULL_PARSE_EVERY != 0 {
            if let Some(id) = quick_answer(&self.body) {
                let msg = Msg {
                    id: Some(Value::from(id)),
                    method: None,
                    error: None,
                    params: None,
                    result: None,
                };
                return Some((at, msg));
            }
        }
        Some((
            at,
            serde_json::from_slice(&self.body).expect("a JSON-RPC message"),
        ))
    }

    /// Whether the next message is already read from the pipe (reading it will not block).
    fn buffered(&self) -> bool {
        !self.r.buffer().is_empty()
    }
}

/// The request stream: ids, send times and kinds of the requests in flight, and the answers.
#[derive(Default)]
struct Load {
    sent: HashMap<i64, (Instant, &'static str, usize)>,
    lat: HashMap<&'static str, Vec<f64>>,
    failures: HashMap<String, usize>,
    next_id: i64,
    k: usize,
    /// Requests issued but not yet written (see `run_load`).
    queued: usize,
    /// With `LOAD_TRACE`: per answer, when its request was written, its latency (ms), its
    /// kind and document.
    trace: Option<Vec<(Instant, f64, &'static str, usize)>>,
}

fn frame_str(body: &str) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

type Stdin = Arc<Mutex<std::process::ChildStdin>>;

fn send(stdin: &Stdin, bytes: &[u8]) {
    let mut w = stdin.lock().unwrap();
    w.write_all(bytes).unwrap();
    w.flush().unwrap();
}

/// Keeps [`IN_FLIGHT`] requests in flight from the thread that reads the answers: each answer
/// read sends the next request at once, so the harness adds no queueing of its own. Publishes
/// diagnostics to `diags` as `(arrival, uri, version)`.
fn run_load<R: Read>(
    mut reader: Reader<R>,
    stdin: Stdin,
    requests: Vec<(&'static str, String, usize)>,
    load: Arc<Mutex<Load>>,
    stop: Arc<AtomicBool>,
    diags: mpsc::Sender<(Instant, String, Option<i64>)>,
) {
    // Requests to send: written together when no answer is left to read without blocking
    // (one write for the requests that answers read in one go call for). Their latency starts
    // just before that write.
    let mut batch: Vec<u8> = Vec::new();
    let mut batch_ids: Vec<(i64, &'static str, usize)> = Vec::new();
    let issue = |l: &mut Load, batch: &mut Vec<u8>, ids: &mut Vec<(i64, &'static str, usize)>| {
        let (kind, params, doc) = &requests[l.k % requests.len()];
        l.k += 1;
        l.next_id += 1;
        let id = l.next_id;
        let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{kind}","params":{params}}}"#);
        batch.extend_from_slice(&frame_str(&body));
        ids.push((id, kind, *doc));
        l.queued += 1;
    };
    let flush = |l: &mut Load, batch: &mut Vec<u8>, ids: &mut Vec<(i64, &'static str, usize)>| {
        if batch.is_empty() {
            return;
        }
        let mut w = stdin.lock().unwrap();
        let now = Instant::now();
        for (id, kind, doc) in ids.drain(..) {
            l.sent.insert(id, (now, kind, doc));
        }
        l.queued = 0;
        w.write_all(batch).unwrap();
        w.flush().unwrap();
        batch.clear();
    };
    {
        let mut l = load.lock().unwrap();
        while l.sent.len() + l.queued < IN_FLIGHT {
            issue(&mut l, &mut batch, &mut batch_ids);
        }
        flush(&mut l, &mut batch, &mut batch_ids);
    }
    while let Some((at, m)) = reader.next() {
        if !reader.buffered() {
            // About to wait for the server: send what the answers read so far call for.
            flush(&mut load.lock().unwrap(), &mut batch, &mut batch_ids);
        }
        if let (Some(id), Some(_)) = (&m.id, &m.method) {
            // A request from the server (progress, configuration): answer it.
            let body = json!({"jsonrpc": "2.0", "id": id, "result": null}).to_string();
            send(&stdin, &frame_str(&body));
            continue;
        }
        if m.method.as_deref() == Some("textDocument/publishDiagnostics") {
            let p = m.params.unwrap_or_default();
            let uri = p["uri"].as_str().unwrap_or_default().to_string();
            let _ = diags.send((at, uri, p["version"].as_i64()));
            continue;
        }
        let Some(id) = m.id.as_ref().and_then(Value::as_i64) else {
            continue;
        };
        let mut l = load.lock().unwrap();
        let Some((t, kind, doc)) = l.sent.remove(&id) else {
            continue;
        };
        match m.error {
            Some(e) => {
                *l.failures
                    .entry(format!("{kind}: {}", e.message))
                    .or_default() += 1
            }
            None => {
                let ms = (at - t).as_secs_f64() * 1000.0;
                l.lat.entry(kind).or_default().push(ms);
                if let Some(tr) = &mut l.trace {
                    tr.push((t, ms, kind, doc));
                }
            }
        }
        if !stop.load(Ordering::SeqCst) {
            issue(&mut l, &mut batch, &mut batch_ids);
        }
        if !reader.buffered() {
            flush(&mut l, &mut batch, &mut batch_ids);
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
    let stdin: Stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
    let mut reader = Reader {
        r: BufReader::with_capacity(1 << 16, child.stdout.take().unwrap()),
        line: String::new(),
        body: Vec::new(),
        count: 0,
    };
    let send_v = |v: &Value| send(&stdin, &frame(v));
    let root = format!("file://{}", dir.path().display());
    send_v(
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "capabilities": {"window": {"workDoneProgress": true}},
        "rootUri": root, "workspaceFolders": [{"uri": root, "name": "ws"}]}}),
    );
    // Wait for initialize and for indexing to end.
    let mut initialized = false;
    loop {
        let (_, m) = reader.next().expect("server answers");
        if m.id == Some(json!(0)) && m.method.is_none() && !initialized {
            initialized = true;
            send_v(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        }
        if let (Some(id), Some(_)) = (&m.id, &m.method) {
            send_v(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
        if m.method.as_deref() == Some("$/progress")
            && m.params
                .as_ref()
                .is_some_and(|p| p["value"]["kind"] == "end")
        {
            break;
        }
    }
    // Open the edited document and four others.
    let uri = |n: usize| format!("{root}/a{n}.nmk");
    let texts: Vec<String> = (0..5).map(|n| article(n, entities)).collect();
    for (n, t) in texts.iter().enumerate() {
        send_v(
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
    // `--only hover` (or definition, completion, references) sends one kind, to measure the
    // server's CPU per answer of that kind.
    let only: Option<&str> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let sent_kinds: Vec<&'static str> = kinds
        .iter()
        .copied()
        .filter(|k| only.is_none_or(|o| k.ends_with(o)))
        .collect();
    assert!(
        !sent_kinds.is_empty(),
        "--only: hover, definition, completion or references"
    );
    // The requests in the order they are sent: kinds in turn over the positions.
    let requests: Vec<(&'static str, String, usize)> = (0..positions.len() * sent_kinds.len())
        .map(|k| {
            let (n, line, col) = positions[k % positions.len()];
            let kind = sent_kinds[k % sent_kinds.len()];
            let mut params = json!({"textDocument": {"uri": uri(n)}, "position": {"line": line, "character": col}});
            if kind == "textDocument/references" {
                params["context"] = json!({"includeDeclaration": true});
            }
            (kind, params.to_string(), n)
        })
        .collect();
    let uri0 = uri(0);
    // LOAD_TRACE=path writes every answer (send time, latency, kind, document) and every edit
    // to `path`, to see which answers are slow.
    let trace_path = std::env::var("LOAD_TRACE").ok();
    let load = Arc::new(Mutex::new(Load {
        trace: trace_path.as_ref().map(|_| Vec::new()),
        ..Load::default()
    }));
    let stop = Arc::new(AtomicBool::new(false));
    let (dtx, drx) = mpsc::channel();
    let driver = {
        let (stdin, load, stop) = (stdin.clone(), load.clone(), stop.clone());
        std::thread::spawn(move || run_load(reader, stdin, requests, load, stop, dtx))
    };
    let mut edits: HashMap<i64, Instant> = HashMap::new();
    let mut diag_lat = Vec::new();
    let mut on_diag = |(at, u, v): (Instant, String, Option<i64>),
                       edits: &mut HashMap<i64, Instant>| {
        if u == uri0 {
            if let Some(t) = v.and_then(|v| edits.remove(&v)) {
                diag_lat.push((at - t).as_secs_f64() * 1000.0);
            }
        }
    };
    let mut rss: Vec<(f64, f64)> = Vec::new();
    let mut version = 1i64;
    let mut typed = 0u32;
    let mut edit_times: Vec<Instant> = Vec::new();
    let cpu0 = (cpu_secs(&pid.to_string()), cpu_secs("self"));
    let start = Instant::now();
    let mut next_edit = start;
    let mut next_sample = start;
    while start.elapsed() < Duration::from_secs(secs) {
        let now = Instant::now();
        if now >= next_edit {
            // Type at the end of the edited document: a character, or delete 40.
            version += 1;
            let change = if typed < 40 {
                typed += 1;
                json!({"range": {"start": {"line": end_line, "character": typed - 1},
                    "end": {"line": end_line, "character": typed - 1}}, "text": "x"})
            } else {
                typed = 0;
                json!({"range": {"start": {"line": end_line, "character": 0},
                    "end": {"line": end_line, "character": 40}}, "text": ""})
            };
            let bytes = frame(
                &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri(0), "version": version}, "contentChanges": [change]}}),
            );
            edits.insert(version, Instant::now());
            edit_times.push(Instant::now());
            send(&stdin, &bytes);
            next_edit += Duration::from_secs(1) / EDITS_PER_SEC;
        }
        if now >= next_sample {
            rss.push((start.elapsed().as_secs_f64(), rss_mib(pid, "VmRSS:")));
            next_sample += Duration::from_secs(1);
        }
        let wait = next_edit
            .min(next_sample)
            .saturating_duration_since(Instant::now());
        if let Ok(d) = drx.recv_timeout(wait) {
            on_diag(d, &mut edits);
        }
    }
    let (server_cpu, harness_cpu) = (
        cpu_secs(&pid.to_string()) - cpu0.0,
        cpu_secs("self") - cpu0.1,
    );
    // Drain what is in flight.
    stop.store(true, Ordering::SeqCst);
    let drain = Instant::now();
    while load
        .lock()
        .map(|l| !l.sent.is_empty() || l.queued > 0)
        .unwrap()
        && drain.elapsed() < Duration::from_secs(10)
    {
        if let Ok(d) = drx.recv_timeout(Duration::from_millis(20)) {
            on_diag(d, &mut edits);
        }
    }
    let typed_edits = version - 1;
    // Edit-to-diagnostics without typing: one edit, wait for its diagnostics, ten times.
    let mut quiet_lat = Vec::new();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(300));
        while drx.try_recv().is_ok() {}
        version += 1;
        let bytes = frame(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri(0), "version": version}, "contentChanges": [
            {"range": {"start": {"line": end_line, "character": 0}, "end": {"line": end_line, "character": 0}}, "text": "y"}]}}),
        );
        let t = Instant::now();
        send(&stdin, &bytes);
        loop {
            let (at, u, v) = drx
                .recv_timeout(Duration::from_secs(10))
                .expect("diagnostics");
            if u == uri0 && v == Some(version) {
                quiet_lat.push((at - t).as_secs_f64() * 1000.0);
                break;
            }
        }
    }
    let peak = rss_mib(pid, "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();
    let _ = driver.join();
    let st = load.lock().unwrap();
    let lost = st.sent.len();
    if let (Some(path), Some(tr)) = (&trace_path, &st.trace) {
        use std::fmt::Write as _;
        let mut s = String::new();
        let us = |t: Instant| (t - start).as_secs_f64() * 1e6;
        for t in &edit_times {
            let _ = writeln!(s, "edit {:.1}", us(*t));
        }
        for (t, ms, kind, doc) in tr {
            let _ = writeln!(s, "answer {:.1} {ms:.4} {kind} {doc}", us(*t));
        }
        std::fs::write(path, s).unwrap();
    }

    println!("load: {secs} s, {IN_FLIGHT} requests in flight, {EDITS_PER_SEC} edits/s on a {} byte document, 300 files in the workspace", texts[0].len());
    let total: usize = st.lat.values().map(Vec::len).sum();
    println!(
        "  requests answered: {total} ({:.0}/s); failed: {}; unanswered: {lost}",
        total as f64 / secs as f64,
        st.failures.values().sum::<usize>()
    );
    let answers = (total + st.failures.values().sum::<usize>()).max(1) as f64;
    println!(
        "  CPU during the run: server {server_cpu:.1} s ({:.0} us per answer), harness {harness_cpu:.1} s ({:.0} us per answer)",
        server_cpu * 1e6 / answers,
        harness_cpu * 1e6 / answers
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
        "  edit→diagnostics while typing (published versions; others coalesced): n={} of {typed_edits} edits, p50={:.2} ms p99={:.2} ms",
        diag_lat.len(),
        pct(&diag_lat, 0.5),
        pct(&diag_lat, 0.99)
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
