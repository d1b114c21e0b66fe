//! Batch checking and export as `newsmark check` / `export` run them: a folder of 2,000 small
//! articles sharing a registry (read, parse, analyse, positions), and the export of one 4 MB
//! article with thousands of quotations and mentions. Guards against work that grows with the
//! square of the number of files, quotations or diagnostics.

use criterion::{criterion_group, criterion_main, Criterion};
use newsmark::analysis::export::export_document;
use newsmark::cli::{load_workspace, reports};
use std::hint::black_box;
use std::path::PathBuf;

/// `n` articles in folders of 500, and a registry of 300 entities they mention.
fn folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let kinds = ["person", "org", "place", "agreement"];
    let mut registry = String::new();
    for i in 0..300 {
        registry.push_str(&format!(
            "@e{i}: {} \"Name{i} Surname{i}\"\n  aka: Alias{i}\n\n",
            kinds[i % 4]
        ));
    }
    std::fs::write(dir.path().join("registry.nmk"), registry).unwrap();
    for i in 0..n {
        let sub = dir.path().join(format!("d{:03}", i / 500));
        std::fs::create_dir_all(&sub).unwrap();
        let mut text = format!("---\ntitle: Article {i}\n---\n\n# Headline {i}\n\n");
        for p in 0..4 {
            let (a, b) = ((i * 7 + p) % 300, (i * 13 + p * 3) % 300);
            text.push_str(&format!(
                "[Name{a} Surname{a}]{{@e{a}}} met @e{b} on Monday. \"We discussed many things at length today,\"{{@e{a}}} the statement read, and Alias{b} said \"this will be fine for everyone involved\" later.\n\n"
            ));
        }
        if i % 10 == 0 {
            text.push_str(&format!(
                "A mention of @undefined{i} and an \"unclosed quote.\n"
            ));
        }
        std::fs::write(sub.join(format!("a{i:05}.nmk")), text).unwrap();
    }
    dir
}

fn big_article() -> String {
    let mut doc = String::from("@x: person \"Mr X\"\n@o: org \"Org\"\n\n");
    let mut i = 0;
    while doc.len() < 4 << 20 {
        doc.push_str(&format!(
            "[X]{{@x}} met @o. \"Quotation number {i} has words,\" said @x. „Another one {i} here“{{@o}}.\n\n"
        ));
        i += 1;
    }
    doc
}

fn bench(c: &mut Criterion) {
    let dir = folder(2000);
    let paths = [PathBuf::from(dir.path())];
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.bench_function("check 2,001 files", |b| {
        b.iter(|| {
            let loaded = load_workspace(&paths, None).unwrap();
            black_box(reports(&loaded.workspace).len())
        })
    });
    let mut ws = newsmark::analysis::Workspace::new(Default::default());
    let id = ws.set_file("big.nmk", big_article()).file.unwrap();
    let analysis = ws.analyze(id);
    group.bench_function("export a 4 MB article", |b| {
        b.iter(|| black_box(export_document(&ws, id, &analysis)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
