//! Language server benchmark over stdio with the release binary, on synthetic workspaces.
//!
//! ```text
//! cargo bench --bench lsp                       # 1,000 and 10,000 articles
//! cargo bench --bench lsp -- --articles 10000   # one size
//! cargo bench --bench lsp -- --generate DIR --articles 1000   # only write a workspace
//! ```
//!
//! Measures the time to the `initialize` result, the time until the workspace is indexed
//! (`$/progress` end), p50/p99 of hover, definition, references and completion, the time from
//! an edit to its diagnostics on a 5 KB and a 1 MB document, and the server's peak RSS.

#[path = "../tests/support/mod.rs"]
mod support;
mod synth;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{file_uri, position_of, Client, VSCODE};

const ENTITIES: usize = 2000;

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn peak_rss_mb(pid: u32) -> f64 {
    status_mb(pid, "VmHWM:")
}

/// A memory figure of `/proc/PID/status` in MB (`VmHWM:` peak, `VmRSS:` current).
fn status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Time `n` requests built by `params(i)`; returns (p50, p99) in ms.
fn time_requests(
    c: &mut Client,
    method: &str,
    n: usize,
    params: impl Fn(usize) -> Value,
) -> (f64, f64) {
    let mut t = Vec::with_capacity(n);
    for i in 0..n {
        let p = params(i);
        let start = Instant::now();
        let r = c.request(method, p);
        t.push(ms(start.elapsed()));
        assert!(r.is_ok(), "{method} failed: {r:?}");
    }
    (pct(&mut t, 0.5), pct(&mut t, 0.99))
}

/// Offsets of `@` of every mention in `text` (span and bare).
fn mention_offsets(text: &str) -> Vec<usize> {
    text.match_indices("@e").map(|(i, _)| i + 1).collect()
}

/// Edit the open document `n` times (insert a character in prose, then remove it), each time
/// waiting for the diagnostics of that version; returns (p50, p99) in ms.
fn edit_to_diagnostics(c: &mut Client, uri: &str, text: &mut String, n: usize) -> (f64, f64) {
    let mut version = 1;
    let mut t = Vec::with_capacity(n);
    let anchor = text.find("Officials met").unwrap_or(text.len() / 2);
    for i in 0..n {
        version += 1;
        let (range, new) = if i % 2 == 0 {
            let p = position_of(text, anchor, false);
            text.insert(anchor, 'x');
            (json!({"start": p, "end": p}), "x")
        } else {
            let a = position_of(text, anchor, false);
            let b = position_of(text, anchor + 1, false);
            text.remove(anchor);
            (json!({"start": a, "end": b}), "")
        };
        let start = Instant::now();
        c.change(uri, version, json!([{"range": range, "text": new}]));
        c.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == version
        });
        t.push(ms(start.elapsed()));
    }
    (pct(&mut t, 0.5), pct(&mut t, 0.99))
}

fn run(articles: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    synth::write_workspace(dir.path(), articles, ENTITIES).expect("write workspace");
    let bytes: u64 = walk_size(dir.path());
    println!(
        "\n## {articles} articles, {ENTITIES} entities ({:.1} MB; generated in {:.0} ms)",
        bytes as f64 / 1e6,
        ms(t.elapsed())
    );

    let spawned = Instant::now();
    let mut c = Client::spawn();
    let pid = c.pid();
    let fx = support::fixture(VSCODE);
    let root = file_uri(dir.path());
    let init = c.call(
        "initialize",
        json!({"processId": null, "capabilities": fx["capabilities"], "rootUri": root,
               "workspaceFolders": [{"uri": root, "name": "bench"}]}),
    );
    let t_init = spawned.elapsed();
    assert!(!init["capabilities"].is_null());
    let initialized = Instant::now();
    c.notify("initialized", json!({}));
    loop {
        let p = c.wait_for("$/progress", |_| true);
        if p["value"]["kind"] == "end" {
            break;
        }
    }
    let t_index = initialized.elapsed();
    println!("| time to `initialize` result | {:.1} ms |", ms(t_init));
    println!(
        "| time to workspace indexed (progress end) | {:.0} ms |",
        ms(t_index)
    );

    // A 5 KB article, open in the editor.
    let uri = file_uri(&dir.path().join("articles/000/a00001.nmk"));
    let mut text = synth::article(1, ENTITIES, 5000);
    c.open(&uri, &text);
    c.diagnostics(&uri, 1);
    let mentions = mention_offsets(&text);
    let at = |i: usize| {
        let off = mentions[i % mentions.len()] + 1;
        json!({"textDocument": {"uri": uri}, "position": position_of(&text, off, false)})
    };
    let n = 300;
    let (h50, h99) = time_requests(&mut c, "textDocument/hover", n, at);
    let (d50, d99) = time_requests(&mut c, "textDocument/definition", n, at);
    let (r50, r99) = time_requests(&mut c, "textDocument/references", n, |i| {
        let mut p = at(i);
        p["context"] = json!({"includeDeclaration": true});
        p
    });
    let (c50, c99) = time_requests(&mut c, "textDocument/completion", n, at);
    println!("| hover p50 / p99 | {h50:.2} / {h99:.2} ms |");
    println!("| definition p50 / p99 | {d50:.2} / {d99:.2} ms |");
    println!("| references p50 / p99 | {r50:.2} / {r99:.2} ms |");
    println!("| completion p50 / p99 | {c50:.2} / {c99:.2} ms |");
    let (e50, e99) = edit_to_diagnostics(&mut c, &uri, &mut text, 200);
    println!("| edit → diagnostics, 5 KB, p50 / p99 | {e50:.2} / {e99:.2} ms |");
    println!(
        "| RSS before the 1 MB document (peak so far) | {:.0} MB ({:.0} MB) |",
        status_mb(pid, "VmRSS:"),
        peak_rss_mb(pid)
    );

    // A 1 MB document.
    let big_uri = file_uri(&dir.path().join("articles/000/big.nmk"));
    let mut big = synth::article(99_999, ENTITIES, 1_000_000);
    c.open(&big_uri, &big);
    c.diagnostics(&big_uri, 1);
    let (b50, b99) = edit_to_diagnostics(&mut c, &big_uri, &mut big, 60);
    println!("| edit → diagnostics, 1 MB, p50 / p99 | {b50:.1} / {b99:.1} ms |");
    println!("| peak RSS | {:.0} MB |", peak_rss_mb(pid));
    let status = c.shutdown_and_exit();
    assert!(status.success());
}

/// The library calls behind the requests, in-process on the same synthetic workspace (no
/// protocol, no disk): parse and index time, the model's memory (RSS growth), and p50/p99 of
/// `ide::completion_limited`, `ide::references` (with the positions a server computes) and
/// an edit of the open article. For profiling (`perf`, `callgrind`) without the client.
fn library(articles: usize) {
    use newsmark::analysis::{ide, FileData, Workspace};
    use newsmark::lsp::pos::{Encoding, LineIndex};
    use std::sync::Arc;
    let rss = || {
        let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        s.lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    let mut texts: Vec<(String, String)> = Vec::new();
    for (n, from) in (0..ENTITIES).step_by(100).enumerate() {
        texts.push((
            format!("/ws/registry/entities-{n:03}.nmk"),
            synth::registry(from, (from + 100).min(ENTITIES)),
        ));
    }
    for i in 0..articles {
        texts.push((
            format!("/ws/articles/{:03}/a{i:05}.nmk", i / 500),
            synth::article(i as u64, ENTITIES, 3000),
        ));
    }
    let rss0 = rss();
    let mut ws = Workspace::new(Default::default());
    let opts = ws.parse_options();
    let t = Instant::now();
    let parsed: Vec<(String, Arc<FileData>)> = texts
        .into_iter()
        .map(|(k, t)| (k, Arc::new(FileData::indexed(t, &opts))))
        .collect();
    let t_parse = t.elapsed();
    let t = Instant::now();
    for (k, d) in parsed {
        ws.insert_quiet(&k, d);
    }
    let t_insert = t.elapsed();
    println!(
        "| parse (1 thread) / insert | {:.0} / {:.0} ms |",
        ms(t_parse),
        ms(t_insert)
    );
    println!("| model RSS growth | {:.0} MB |", rss() - rss0);
    if std::env::var_os("LSP_BENCH_SIZES").is_some() {
        use newsmark::analysis::Reference;
        let (mut refs, mut cap, mut text, mut ents) = (0, 0, 0, 0);
        for (_, f) in ws.files() {
            refs += f.references.len();
            cap += f.references.capacity();
            text += f.text.capacity();
            ents += f.entities.len();
        }
        println!(
            "sizes: FileData {} B, Reference {} B; {refs} references (capacity {cap}), {ents} entities, text {:.1} MB",
            std::mem::size_of::<FileData>(),
            std::mem::size_of::<Reference>(),
            text as f64 / 1e6
        );
    }

    let key = "/ws/articles/000/a00001.nmk";
    let mut text = synth::article(1, ENTITIES, 5000);
    let file = ws.set_file(key, text.clone()).file.unwrap();
    let mentions = mention_offsets(&text);
    let n = 300;
    let time = |f: &mut dyn FnMut(usize)| -> (f64, f64) {
        let mut t = Vec::with_capacity(n);
        for i in 0..n {
            let start = Instant::now();
            f(i);
            t.push(ms(start.elapsed()));
        }
        (pct(&mut t, 0.5), pct(&mut t, 0.99))
    };
    let mut count = 0;
    let (c50, c99) = time(&mut |i| {
        let off = mentions[i % mentions.len()] + 1;
        count += ide::completion_limited(&ws, file, off, 100).0.len();
    });
    println!(
        "| completion_limited p50 / p99 | {c50:.3} / {c99:.3} ms ({} items) |",
        count / n
    );
    // Hover as the server calls it: other files' analyses from a cache (empty here: the
    // server's is empty too until files are opened or analysed).
    let analysis = ws.analyze(file);
    let mut chars = 0;
    let (h50, h99) = time(&mut |i| {
        let off = mentions[i % mentions.len()] + 1;
        let h = ide::hover(&ws, file, &analysis, off, &|_| None);
        chars += h.map_or(0, |h| h.markdown.len());
    });
    println!(
        "| hover p50 / p99 | {h50:.3} / {h99:.3} ms ({} bytes of markdown) |",
        chars / n
    );
    let mut count = 0;
    let (r50, r99) = time(&mut |i| {
        let off = mentions[i % mentions.len()] + 1;
        let locs = ide::references(&ws, file, off, true);
        // What the server adds: a line index per file, positions.
        let mut lines = std::collections::HashMap::new();
        for l in &locs {
            let data = ws.file(l.file).unwrap();
            let li = lines
                .entry(l.file)
                .or_insert_with(|| LineIndex::new(&data.text));
            std::hint::black_box(li.range(&data.text, l.span.start, l.span.end, Encoding::Utf16));
        }
        count += locs.len();
    });
    println!(
        "| references + positions p50 / p99 | {r50:.3} / {r99:.3} ms ({} locations) |",
        count / n
    );
    let anchor = text.find("Officials met").unwrap_or(text.len() / 2);
    let mut deps = 0;
    let (e50, e99) = time(&mut |i| {
        if i % 2 == 0 {
            text.insert(anchor, 'x');
        } else {
            text.remove(anchor);
        }
        let change = ws.set_file(key, text.clone());
        deps += ws.affected(&change).len();
    });
    println!(
        "| edit: parse + insert + dependents p50 / p99 | {e50:.3} / {e99:.3} ms ({} dependents) |",
        deps / n
    );
    // The 1 MB document: what its parse and analysis take.
    let big = synth::article(99_999, ENTITIES, 1_000_000);
    let (r0, t) = (rss(), Instant::now());
    let file = ws.set_file("/ws/articles/000/big.nmk", big).file.unwrap();
    let (r1, t1) = (rss(), t.elapsed());
    let a = ws.analyze(file);
    println!(
        "| 1 MB document: parse + insert / analyze | {:.0} ms, +{:.0} MB / {:.0} ms, +{:.0} MB ({} diagnostics) |",
        ms(t1),
        r1 - r0,
        ms(t.elapsed() - t1),
        rss() - r1,
        a.diagnostics.len()
    );
}

fn walk_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                total += e.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = match value("--articles").and_then(|v| v.parse().ok()) {
        Some(n) => vec![n],
        None => vec![1000, 10_000],
    };
    if args.iter().any(|a| a == "--library") {
        println!("| measure | value |\n| --- | --- |");
        for n in sizes {
            println!("\n## library, {n} articles, {ENTITIES} entities");
            library(n);
        }
        return;
    }
    if let Some(dir) = value("--generate") {
        for n in &sizes {
            let d = std::path::Path::new(&dir).join(format!("ws-{n}"));
            synth::write_workspace(&d, *n, ENTITIES).expect("write workspace");
            println!("wrote {}", d.display());
        }
        return;
    }
    println!("| measure | value |\n| --- | --- |");
    for n in sizes {
        run(n);
    }
}
