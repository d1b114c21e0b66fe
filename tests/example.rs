//! The brief's example article checks clean and every quotation gets the speaker and kind of
//! `shared/examples/lavrov-tokyo.expected.json`.

use newsmark::analysis::attribution::quote_text;
use newsmark::analysis::Severity;
use newsmark::cli::load_workspace;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Expected {
    quotes: Vec<ExpectedQuote>,
}

#[derive(Deserialize)]
struct ExpectedQuote {
    starts: String,
    speaker: Option<String>,
    attribution: String,
}

#[test]
fn lavrov_tokyo_matches_expected_attributions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected_path = root.join("../shared/examples/lavrov-tokyo.expected.json");
    let expected_text = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "{}: cannot read the expected attributions ({e}); the tests need shared/ next to the repository",
            expected_path.display()
        )
    });
    let expected: Expected = serde_json::from_str(&expected_text)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));

    let article = root.join("examples/lavrov-tokyo.nmk");
    let loaded = load_workspace(std::slice::from_ref(&article), None).expect("workspace loads");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let ws = &loaded.workspace;
    let (id, data) = ws.files().next().expect("one file");
    let analysis = ws.analyze(id);

    let loud: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| matches!(d.severity, Severity::Error | Severity::Warning))
        .map(|d| {
            let (l, c) = data.line_col(d.span.start);
            format!("{}:{}: {}: {}", l + 1, c + 1, d.code.as_str(), d.message)
        })
        .collect();
    assert!(loud.is_empty(), "errors or warnings:\n{}", loud.join("\n"));

    let quotes = &data.parse.quotes;
    let top: Vec<usize> = (0..quotes.len()).filter(|&i| !quotes[i].nested).collect();
    assert_eq!(
        top.len(),
        expected.quotes.len(),
        "quotation count differs from the expected file"
    );
    let mut wrong = Vec::new();
    for (qi, e) in top.iter().zip(&expected.quotes) {
        let text = quote_text(data, &quotes[*qi]);
        assert!(
            text.starts_with(&e.starts),
            "quotation order: expected one starting “{}”, found “{text}”",
            e.starts
        );
        let a = &analysis.attributions[*qi];
        if a.speaker != e.speaker || a.kind.as_str() != e.attribution {
            wrong.push(format!(
                "“{}”: expected {:?} ({}), got {:?} ({}, cue {:?})",
                e.starts,
                e.speaker,
                e.attribution,
                a.speaker,
                a.kind.as_str(),
                a.cue
            ));
        }
        // Inferred attributions say why, and where.
        if a.kind.as_str() == "inferred" {
            assert!(
                a.cue.is_some() && a.cue_span.is_some(),
                "“{}”: {a:?}",
                e.starts
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
