//! The benchmark's generated documents are valid newsmark: checking them finds no markup or
//! reference errors, so the benchmark measures the normal path, not error recovery.

#[path = "support/gen.rs"]
mod gen;

use newsmark::analysis::{Code, Workspace};
use newsmark::config::Config;

#[test]
fn generated_documents_check_clean() {
    let mut docs = gen::articles(6);
    docs.push(gen::document(42, 60 * 1024));
    for (i, text) in docs.iter().enumerate() {
        let mut ws = Workspace::new(Config::default());
        ws.set_file("doc.nmk", text.clone());
        let id = ws.file_id("doc.nmk").unwrap();
        let data = ws.file(id).unwrap();
        let analysis = ws.analyze(id);
        let bad: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| {
                matches!(
                    d.code,
                    Code::Syntax
                        | Code::UndefinedEntity
                        | Code::UnclosedQuote
                        | Code::DuplicateDefinition
                        | Code::UnknownKind
                        | Code::BadProperty
                )
            })
            .map(|d| (data.line_col(d.span.start), d.code, d.message.clone()))
            .collect();
        assert!(bad.is_empty(), "document {i}: {bad:#?}");
        assert!(
            data.parse().quotes.len() >= 5,
            "document {i} has quotations"
        );
        assert!(
            data.references.iter().filter(|r| r.is_mention()).count() >= 10,
            "document {i} has mentions"
        );
        assert!(
            data.parse()
                .quotes
                .iter()
                .any(|q| !q.continuation_marks.is_empty()),
            "document {i} has a multi-paragraph quotation"
        );
    }
}

#[test]
fn generation_is_reproducible_and_sized() {
    assert_eq!(gen::document(7, 10_000), gen::document(7, 10_000));
    assert_ne!(gen::document(7, 10_000), gen::document(8, 10_000));
    let big = gen::document(1, 1 << 20);
    assert!(big.len() >= 1 << 20 && big.len() < (1 << 20) + 4096);
}

/// `GEN_DUMP=path cargo test --test generated dump` writes a sample document for inspection.
#[test]
fn dump() {
    if let Ok(path) = std::env::var("GEN_DUMP") {
        std::fs::write(path, gen::document(42, 12_000)).unwrap();
    }
}
