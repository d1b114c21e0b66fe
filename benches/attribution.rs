//! Attribution inference on 1 MB documents: the example article's prose repeated, and one
//! pathological paragraph (no sentence ends, thousands of quotations, verbs and pronouns).

use criterion::{criterion_group, criterion_main, Criterion};
use newsmark::analysis::attribution::attribute;
use newsmark::analysis::FileData;
use newsmark::config::AttributionConfig;
use newsmark::syntax::ParseOptions;
use std::hint::black_box;

const EXAMPLE: &str = include_str!("../examples/lavrov-tokyo.nmk");
const MB: usize = 1 << 20;

/// The example's definitions once, then its prose until the document reaches 1 MB.
fn news_document() -> String {
    let split = EXAMPLE.find("\n# ").unwrap_or(0);
    let (defs, prose) = EXAMPLE.split_at(split);
    let mut doc = defs.to_string();
    while doc.len() < MB {
        doc.push_str(prose);
        doc.push('\n');
    }
    doc
}

/// One paragraph with no full stop: every sentence-level scan sees the whole megabyte.
fn pathological_document() -> String {
    let mut doc = String::from("@x: person \"Mr X\"\n@o: org \"Org\"\n\n");
    let pieces = [
        "\"one two three four,\" he said, ",
        "and [X]{@x}, who says \"five six seven eight\", told [Org]{@o} ",
        "according to it, \"nine ten eleven twelve\" - ",
        "the spokesman for [Org]{@o} ( said ) , ",
        "they said that \"thirteen fourteen\" ; ",
    ];
    let mut i = 0;
    while doc.len() < MB {
        doc.push_str(pieces[i % pieces.len()]);
        i += 1;
    }
    doc.push('\n');
    doc
}

fn bench(c: &mut Criterion) {
    let config = AttributionConfig::default();
    for (name, text) in [
        ("news 1MB", news_document()),
        ("pathological 1MB", pathological_document()),
    ] {
        let file = FileData::new(text, &ParseOptions::default());
        let lookup = |id: &str| file.entity(id).map(|(_, e)| e);
        c.bench_function(&format!("attribute {name}"), |b| {
            b.iter(|| black_box(attribute(&file, &lookup, &config)))
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
