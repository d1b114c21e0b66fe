//! Parse and analysis throughput, with pulldown-cmark parsing the same bytes as the reference.
//!
//! `cargo bench --bench parse`, then `python3 benches/ratios.py` for the ratios that
//! `docs/benchmarks.md` records.
//!
//! Times are the benchmark thread's CPU time (user + system, so page faults count), not wall
//! time: on a shared machine wall time also counts the time other processes hold the CPU,
//! which made the newsmark/pulldown-cmark ratio swing by ±40 % between runs.
//!
//! For profiling, `NEWSMARK_PROFILE=<workload>[:<iterations>]` runs one workload without
//! criterion (`check-1mb`, `parse-1mb`, `pulldown-1mb`, `check-100kb`, `parse-100kb`,
//! `check-articles`, `parse-articles`, `pulldown-articles`), e.g. under `perf record` or `valgrind --tool=callgrind`.
//!
//! `NEWSMARK_PAIRED=<rounds> cargo bench --bench parse` runs the workloads interleaved, round
//! after round, and prints the medians of the per-round ratios and growth: steadier than
//! criterion's separate runs on a noisy machine. It also times two floors that are not
//! newsmark code (finding the words; finding, lowercasing and looking up each word), the least
//! an analysis that reads every word could cost.

#[path = "../tests/support/gen.rs"]
mod gen;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput};
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

/// What a check does for one file: a workspace with the file, then its analysis. The text is
/// handed over as the CLI hands over what it read; the callers copy it before the clock starts,
/// since copying a megabyte is not parsing or analysing it (pulldown-cmark gets a `&str`).
fn newsmark_check(text: String) -> usize {
    let mut ws = Workspace::new(Config::default());
    ws.set_file("doc.nmk", text);
    let id = ws.file_id("doc.nmk").expect("just added");
    ws.analyze(id).diagnostics.len()
}

/// The same for a workspace of many files: index them all, then analyse each.
fn newsmark_check_all(texts: Vec<String>) -> usize {
    let mut ws = Workspace::new(Config::default());
    for (i, t) in texts.into_iter().enumerate() {
        ws.set_file(&format!("doc{i}.nmk"), t);
    }
    let ids: Vec<_> = ws.files().map(|(id, _)| id).collect();
    ids.into_iter()
        .map(|id| ws.analyze(id).diagnostics.len())
        .sum()
}

fn pulldown(text: &str) -> usize {
    pulldown_cmark::Parser::new(text).count()
}

/// Per-thread CPU time in nanoseconds.
struct CpuTime;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuTimeFormatter
    }
}

struct CpuTimeFormatter;

impl ValueFormatter for CpuTimeFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical_ns {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e-3, "µs"),
            t if t < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical_ns: f64,
        t: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per = match *t {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => n as f64,
            Throughput::Elements(n) => n as f64,
            Throughput::Bits(n) => n as f64 / 8.0,
        };
        let _ = typical_ns;
        // ns per iteration -> MiB per CPU second.
        values
            .iter_mut()
            .for_each(|v| *v = per / (1 << 20) as f64 / (*v / 1e9));
        "MiB/s (CPU)"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn documents(c: &mut Criterion<CpuTime>) {
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
            b.iter_batched(|| t.clone(), newsmark_check, BatchSize::PerIteration)
        });
        group.bench_with_input(BenchmarkId::new("pulldown-cmark", label), &text, |b, t| {
            b.iter(|| pulldown(black_box(t)))
        });
    }
    group.finish();
}

fn articles(c: &mut Criterion<CpuTime>) {
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
        b.iter_batched(
            || texts.clone(),
            newsmark_check_all,
            BatchSize::PerIteration,
        )
    });
    group.bench_function("pulldown-cmark", |b| {
        b.iter(|| texts.iter().map(|t| pulldown(black_box(t))).sum::<usize>())
    });
    group.finish();
}

/// The least any analysis that reads every word could cost: split the text into words,
/// lowercase each and look it up in a small table (what attribution must do at the very least
/// to find reporting verbs, pronouns and titles). Not newsmark code: a floor for the ratio.
fn word_floor(text: &str, table: &fnv::FnvHashSet<&'static str>) -> usize {
    let bytes = text.as_bytes();
    let mut buf = [0u8; 32];
    let (mut i, mut hits) = (0, 0);
    while i < bytes.len() {
        while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let word = &bytes[start..i];
        if !word.is_empty() && word.len() <= buf.len() {
            for (d, c) in buf.iter_mut().zip(word) {
                *d = c.to_ascii_lowercase();
            }
            // ASCII alphanumerics only, so always UTF-8.
            if std::str::from_utf8(&buf[..word.len()]).is_ok_and(|w| table.contains(w)) {
                hits += 1;
            }
        }
    }
    hits
}

/// Less still: only find where each word starts (no lowercasing, no lookup).
fn word_count_floor(text: &str) -> usize {
    let mut in_word = false;
    let mut words = 0;
    for &b in text.as_bytes() {
        let w = b.is_ascii_alphanumeric();
        words += usize::from(w && !in_word);
        in_word = w;
    }
    words
}

const FLOOR_WORDS: [&str; 24] = [
    "said",
    "says",
    "told",
    "added",
    "warned",
    "explained",
    "replied",
    "claimed",
    "stressed",
    "according",
    "he",
    "she",
    "they",
    "his",
    "her",
    "their",
    "the",
    "a",
    "an",
    "of",
    "to",
    "mr",
    "ms",
    "minister",
];

/// CPU time of one call, in nanoseconds.
fn cpu_ns<R>(f: impl FnOnce() -> R) -> u64 {
    let start = thread_cpu_ns();
    black_box(f());
    thread_cpu_ns().saturating_sub(start)
}

/// `NEWSMARK_PAIRED=<rounds>`: every workload once per round, interleaved, so that a slow
/// patch of the machine slows both sides of each ratio alike; the medians of the per-round
/// ratios are then far steadier than ratios of separate criterion runs.
fn paired(rounds: usize) {
    let big = gen::document(42, 1024 * 1024);
    let small = gen::document(42, 100 * 1024);
    let texts = gen::articles(40);
    let table: fnv::FnvHashSet<&'static str> = FLOOR_WORDS.into_iter().collect();
    // Enough repetitions of the small document to take about as long as one big one.
    let reps = (big.len() / small.len()).max(1);
    let scale = big.len() as f64 / (reps * small.len()) as f64;
    // Every workload gets its own copy of the text, made before the clock starts (the check
    // keeps its text; see `newsmark_check`).
    let by_ref = |f: fn(&str) -> usize| move |t: String| f(&t);
    let each = |f: fn(&str) -> usize| move |ts: Vec<String>| ts.iter().map(|t| f(t)).sum();
    type One<'a> = Box<dyn Fn(String) -> usize + 'a>;
    type All<'a> = Box<dyn Fn(Vec<String>) -> usize + 'a>;
    // Per workload: one document, and the 40 articles (in one workspace for the check).
    let works: [(&str, One<'_>, All<'_>); 5] = [
        (
            "pulldown-cmark",
            Box::new(by_ref(pulldown)),
            Box::new(each(pulldown)),
        ),
        (
            "newsmark-parse",
            Box::new(by_ref(newsmark_parse)),
            Box::new(each(newsmark_parse)),
        ),
        (
            "newsmark-check",
            Box::new(newsmark_check),
            Box::new(newsmark_check_all),
        ),
        (
            "floor: words",
            Box::new(by_ref(word_count_floor)),
            Box::new(each(word_count_floor)),
        ),
        (
            "floor: words + lookup",
            Box::new(|t: String| word_floor(&t, &table)),
            Box::new(|ts| ts.iter().map(|t| word_floor(t, &table)).sum()),
        ),
    ];
    // [work][input] -> per-round nanoseconds (input 0: 100 KB x reps, 1: 1 MB, 2: articles).
    let mut ns = vec![[Vec::new(), Vec::new(), Vec::new()]; works.len()];
    // The documents, then the articles, each in rounds of their own: with the articles' many
    // small allocations between two 1 MB checks, glibc gave the ~7 MB the check had freed
    // back to the kernel, and the next check faulted it all in again (1,500 page faults a
    // call), which measured the allocator rather than the check (growth 15-16x, not 11x).
    for phase in [&[0, 1][..], &[2]] {
        for round in 0..rounds + 2 {
            for k in 0..works.len() {
                // Rotate the order, so no workload always runs after the same one.
                let w = (k + round) % works.len();
                let (_, one, all) = &works[w];
                for &input in phase {
                    let t = match input {
                        0 => {
                            let copies = vec![small.clone(); reps];
                            cpu_ns(|| copies.into_iter().map(one).sum::<usize>())
                        }
                        1 => {
                            let copy = big.clone();
                            cpu_ns(|| one(copy))
                        }
                        _ => {
                            let copies = texts.clone();
                            cpu_ns(|| all(copies))
                        }
                    };
                    // The first two rounds warm caches and the allocator.
                    if round >= 2 {
                        ns[w][input].push(t as f64);
                    }
                }
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        (q(0.5), q(0.25), q(0.75))
    };
    let ratio = |input: usize, w: usize| {
        let per_round = ns[0][input].iter().zip(&ns[w][input]);
        let (m, lo, hi) = median(per_round.map(|(x, y)| x / y).collect());
        format!("{m:.2} [{lo:.2}–{hi:.2}]")
    };
    let ms = |input: usize, w: usize| format!("{:.3} ms", median(ns[w][input].clone()).0 / 1e6);
    println!(
        "{rounds} rounds; 100 KB = {} bytes x {reps}, 1 MB = {} bytes, 40 articles = {} bytes; \
         medians [quartiles] of per-round figures",
        small.len(),
        big.len(),
        texts.iter().map(String::len).sum::<usize>()
    );
    println!("| workload | 100 KB x {reps} | 1 MB | 40 articles | ratio vs pulldown-cmark, 100 KB | 1 MB | 40 articles | growth for 10x input (target <= 11x) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (w, (name, _, _)) in works.iter().enumerate() {
        // Per round: time at 1 MB over time at 100 KB x reps, scaled to exactly 10x the bytes.
        let growth = ns[w][1].iter().zip(&ns[w][0]);
        let (g, lo, hi) = median(growth.map(|(b, s)| b / s * 10.0 / scale).collect());
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {g:.2}x [{lo:.2}–{hi:.2}] |",
            ms(0, w),
            ms(1, w),
            ms(2, w),
            ratio(0, w),
            ratio(1, w),
            ratio(2, w),
        );
    }
}

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
                    _ => newsmark_check(text.clone()),
                };
            }
        }
        "check-articles" | "parse-articles" | "pulldown-articles" => {
            let texts = gen::articles(40);
            for _ in 0..n {
                sink += match name {
                    "check-articles" => newsmark_check_all(texts.clone()),
                    "parse-articles" => texts.iter().map(|t| newsmark_parse(t)).sum(),
                    _ => texts.iter().map(|t| pulldown(t)).sum(),
                };
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
    if let Ok(rounds) = std::env::var("NEWSMARK_PAIRED") {
        paired(rounds.parse().expect("NEWSMARK_PAIRED=<rounds>"));
        return;
    }
    let mut c = Criterion::default()
        .with_measurement(CpuTime)
        .configure_from_args();
    documents(&mut c);
    articles(&mut c);
    c.final_summary();
}
