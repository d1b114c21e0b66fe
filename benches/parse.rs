//! Parse and analysis throughput, with pulldown-cmark parsing the same bytes as the reference.
//!
//! `cargo bench --bench parse`, then `python3 benches/ratios.py` for the ratios that
//! `docs/benchmarks.md` records.
//!
//! For profiling, `NEWSMARK_PROFILE=<workload>[:<iterations>]` runs one workload without
//! criterion (`check-1mb`, `parse-1mb`, `check-100kb`, `parse-100kb`, `check-articles`,
//! `pulldown-1mb`), e.g. under `perf record` or `valgrind --tool=callgrind`.

#[path = "../tests/support/gen.rs"]
mod gen;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use newsmark::analysis::Workspace;
use newsmark::config::Config;
use newsmark::syntax::{parse, ParseOptions};
use std::hint::black_box;
use std::time::Duration;

/// Parse only: text to blocks, inline tokens and paired quotations.
fn newsmark_parse(text: &str) -> usize {
    let p = parse(text, &ParseOptions::default());
    p.blocks.len() + p.quotes.len()
}

/// What a check does for one file: a workspace with the file, then its analysis.
fn newsmark_check(text: &str) -> usize {
    let mut ws = Workspace::new(Config::default());
    ws.set_file("doc.nmk", text.to_string());
    let id = ws.file_id("doc.nmk").expect("just added");
    ws.analyze(id).diagnostics.len()
}

/// The same for a workspace of many files: index them all, then analyse each.
fn newsmark_check_all(texts: &[String]) -> usize {
    let mut ws = Workspace::new(Config::default());
    for (i, t) in texts.iter().enumerate() {
        ws.set_file(&format!("doc{i}.nmk"), t.clone());
    }
    let ids: Vec<_> = ws.files().map(|(id, _)| id).collect();
    ids.into_iter()
        .map(|id| ws.analyze(id).diagnostics.len())
        .sum()
}

fn pulldown(text: &str) -> usize {
    pulldown_cmark::Parser::new(text).count()
}

fn documents(c: &mut Criterion) {
    let mut group = c.benchmark_group("document");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(8));
    for (label, size) in [("100KB", 100 * 1024), ("1MB", 1024 * 1024)] {
        let text = gen::document(42, size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("newsmark-parse", label), &text, |b, t| {
            b.iter(|| newsmark_parse(black_box(t)))
        });
        group.bench_with_input(BenchmarkId::new("newsmark-check", label), &text, |b, t| {
            b.iter(|| newsmark_check(black_box(t)))
        });
        group.bench_with_input(BenchmarkId::new("pulldown-cmark", label), &text, |b, t| {
            b.iter(|| pulldown(black_box(t)))
        });
    }
    group.finish();
}

fn articles(c: &mut Criterion) {
    let texts = gen::articles(40);
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("articles");
    group.sample_size(30);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("newsmark-parse", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| newsmark_parse(black_box(t)))
                .sum::<usize>()
        })
    });
    group.bench_function("newsmark-check", |b| {
        b.iter(|| newsmark_check_all(black_box(&texts)))
    });
    group.bench_function("pulldown-cmark", |b| {
        b.iter(|| texts.iter().map(|t| pulldown(black_box(t))).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, documents, articles);

fn profile(spec: &str) {
    let (name, n) = spec.split_once(':').unwrap_or((spec, "1"));
    let n: usize = n.parse().expect("iterations");
    let big = || gen::document(42, 1024 * 1024);
    let small = || gen::document(42, 100 * 1024);
    let mut sink = 0;
    match name {
        "check-1mb" | "parse-1mb" | "pulldown-1mb" | "check-100kb" | "parse-100kb" => {
            let text = if name.ends_with("1mb") {
                big()
            } else {
                small()
            };
            for _ in 0..n {
                sink += match name {
                    "pulldown-1mb" => pulldown(&text),
                    n if n.starts_with("parse") => newsmark_parse(&text),
                    _ => newsmark_check(&text),
                };
            }
        }
        "check-articles" => {
            let texts = gen::articles(40);
            for _ in 0..n {
                sink += newsmark_check_all(&texts);
            }
        }
        other => panic!("unknown workload `{other}`"),
    }
    println!("{name}: {sink}");
}

fn main() {
    if let Ok(spec) = std::env::var("NEWSMARK_PROFILE") {
        profile(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
