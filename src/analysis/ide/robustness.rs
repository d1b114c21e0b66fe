//! Every feature on arbitrary markup-heavy text at every offset: no panic, and every span it
//! returns lies inside its file on char boundaries.

use super::*;
use crate::analysis::{FileId, Workspace};
use proptest::prelude::*;
use std::sync::Arc;

const PIECES: &[&str] = &[
    "@",
    "@x",
    "@lavrov",
    "[",
    "]",
    "{",
    "}",
    "{@x}",
    "{-}",
    "{@x via=@y}",
    "]{@x}",
    "\"",
    "“",
    "”",
    "«",
    "»",
    "„",
    "'",
    "’",
    "—",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\n\n",
    ":",
    "-",
    ".",
    "# ",
    "%%",
    "\\",
    "---\n",
    "@x: person \"X\"\n",
    "  aka: X; Лавров\n",
    "  role: @y\n",
    "Лавров",
    "😀",
    "said",
    "X",
    "é",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

fn in_file(ws: &Workspace, file: FileId, span: crate::syntax::Span) -> bool {
    let t = &ws.file(file).unwrap().text;
    span.start <= span.end
        && span.end <= t.len()
        && t.is_char_boundary(span.start)
        && t.is_char_boundary(span.end)
}

fn edits_ok(ws: &Workspace, change: &SourceChange) -> bool {
    change.iter().all(|(f, edits)| {
        edits.iter().all(|e| in_file(ws, *f, e.span))
            && edits.windows(2).all(|w| w[0].span.end <= w[1].span.start)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn features_never_panic_and_spans_stay_on_char_boundaries(a in text(), b in text()) {
        let mut ws = Workspace::default();
        let fa = ws.set_file("/a.nmk", a).file.unwrap();
        ws.set_file("/b.nmk", b);
        let analysis = ws.analyze(fa);
        let others = |f| Some(Arc::new(ws.analyze(f)));
        let len = ws.file(fa).unwrap().text.len();
        for offset in 0..=len + 1 {
            if let Some(h) = hover(&ws, fa, &analysis, offset, &others) {
                prop_assert!(in_file(&ws, fa, h.range));
            }
            for t in goto_definition(&ws, fa, offset) {
                prop_assert!(in_file(&ws, t.file, t.focus) && in_file(&ws, t.file, t.full));
            }
            for l in references(&ws, fa, offset, true) {
                prop_assert!(in_file(&ws, l.file, l.span));
            }
            for h in document_highlight(&ws, fa, offset) {
                prop_assert!(in_file(&ws, fa, h.span));
            }
            if let Ok(Some(p)) = prepare_rename(&ws, fa, offset) {
                prop_assert!(in_file(&ws, fa, p.span));
                prop_assert_eq!(p.span.slice(&ws.file(fa).unwrap().text), p.placeholder.as_str());
            }
            if let Ok(change) = rename(&ws, fa, offset, "renamed") {
                prop_assert!(edits_ok(&ws, &change));
            }
            for c in completion(&ws, fa, offset) {
                prop_assert!(in_file(&ws, fa, c.edit.span));
            }
            let cursor = crate::syntax::Span::new(offset.min(len), offset.min(len));
            for a in code_actions(&ws, fa, &analysis, cursor) {
                prop_assert!(edits_ok(&ws, &a.edits));
            }
        }
        for a in code_actions(&ws, fa, &analysis, crate::syntax::Span::new(0, len)) {
            prop_assert!(edits_ok(&ws, &a.edits));
        }
        for s in document_symbols(&ws, fa, &analysis) {
            prop_assert!(in_file(&ws, fa, s.span) && in_file(&ws, fa, s.selection_span));
        }
        for s in workspace_symbols(&ws, "x", 50) {
            prop_assert!(in_file(&ws, s.file, s.span));
        }
        let tokens = semantic_tokens(&ws, fa, &analysis, None);
        for w in tokens.windows(2) {
            prop_assert!(w[0].span.end <= w[1].span.start);
        }
        for t in &tokens {
            prop_assert!(in_file(&ws, fa, t.span) && !t.span.is_empty());
        }
        for h in inlay_hints(&ws, fa, &analysis, None) {
            prop_assert!(in_file(&ws, fa, crate::syntax::Span::new(h.offset, h.offset)));
        }
        for r in folding_ranges(&ws, fa) {
            prop_assert!(in_file(&ws, fa, r.span));
        }
    }
}
