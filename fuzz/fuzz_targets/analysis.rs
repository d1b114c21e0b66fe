//! Parse + analyse + export + every IDE feature at arbitrary offsets, over two files of a
//! workspace. Beyond "no panic", it checks what callers rely on: every span lies inside its
//! file on char boundaries, edits are sorted and disjoint, export offsets lie inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsmark::analysis::export::export_document;
use newsmark::analysis::ide::{self, SourceChange};
use newsmark::analysis::{FileId, Workspace};
use newsmark::config::Config;
use newsmark::syntax::Span;
use std::sync::Arc;

fn in_file(ws: &Workspace, file: FileId, span: Span) -> bool {
    let t = &ws.file(file).unwrap().text;
    span.start <= span.end
        && span.end <= t.len()
        && t.is_char_boundary(span.start)
        && t.is_char_boundary(span.end)
}

fn check_edits(ws: &Workspace, change: &SourceChange) {
    for (f, edits) in change {
        for e in edits {
            assert!(in_file(ws, *f, e.span), "edit {e:?} outside its file");
        }
        for w in edits.windows(2) {
            assert!(w[0].span.end <= w[1].span.start, "overlapping edits {w:?}");
        }
    }
}

/// Offsets to probe: all of them in small texts; in larger ones an even sample, the edges and
/// offsets derived from the input (so that the fuzzer can steer them).
fn offsets(len: usize, seed: &[u8]) -> Vec<usize> {
    if len <= 96 {
        return (0..=len + 1).collect();
    }
    let step = len / 48;
    (0..=len + 1)
        .step_by(step)
        .chain([len, len + 1])
        .chain(seed.chunks(2).take(32).map(|c| {
            (usize::from(c[0]) << 8 | usize::from(*c.get(1).unwrap_or(&0))) % (len + 2)
        }))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    // Two files split at the first 0xFF byte (never valid UTF-8, so never in real text).
    let (a, b) = match rest.iter().position(|&x| x == 0xff) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let mut config = Config::default();
    if flags & 1 == 1 {
        config = Config::from_toml("[attribution]\nquote-style = \"single\"\n").unwrap();
    }
    let mut ws = Workspace::new(config);
    let fa = ws
        .set_file("/ws/a.nmk", String::from_utf8_lossy(a).into_owned())
        .file
        .unwrap();
    let fb = ws
        .set_file("/ws/b.nmk", String::from_utf8_lossy(b).into_owned())
        .file
        .unwrap();
    if flags & 2 == 2 {
        // Exercise removal and re-insertion of the other file.
        ws.remove_file("/ws/b.nmk");
        ws.set_file("/ws/b.nmk", String::from_utf8_lossy(b).into_owned());
    }
    let fb = ws.file_id("/ws/b.nmk").unwrap_or(fb);
    let analysis = ws.analyze(fa);
    let other = ws.analyze(fb);
    let len = ws.file(fa).unwrap().text.len();
    for d in analysis.diagnostics.iter().chain(&other.diagnostics) {
        assert!(!d.message.is_empty());
    }
    for d in &analysis.diagnostics {
        assert!(in_file(&ws, fa, d.span), "diagnostic {d:?} outside the file");
    }
    assert_eq!(
        analysis.attributions.len(),
        ws.file(fa).unwrap().parse().quotes.len()
    );
    for a in &analysis.attributions {
        for s in a.cue_span.iter().chain(&a.speaker_span) {
            assert!(in_file(&ws, fa, *s), "attribution span {s:?} outside the file");
        }
    }
    if let Some(doc) = export_document(&ws, fa, &analysis) {
        let chars = doc.text.chars().count();
        for m in &doc.mentions {
            assert!(m.start <= m.end && m.end <= chars, "mention {m:?} outside text");
        }
        for q in &doc.quotes {
            assert!(q.start <= q.end && q.end <= chars, "quote {q:?} outside text");
        }
        serde_json::to_string(&doc).unwrap();
    }

    let others = |f| Some(Arc::new(ws.analyze(f)));
    for offset in offsets(len, b) {
        if let Some(h) = ide::hover(&ws, fa, &analysis, offset, &others) {
            assert!(in_file(&ws, fa, h.range));
        }
        for t in ide::goto_definition(&ws, fa, offset) {
            assert!(in_file(&ws, t.file, t.focus) && in_file(&ws, t.file, t.full));
        }
        for l in ide::references(&ws, fa, offset, true) {
            assert!(in_file(&ws, l.file, l.span));
        }
        for h in ide::document_highlight(&ws, fa, offset) {
            assert!(in_file(&ws, fa, h.span));
        }
        if let Ok(Some(p)) = ide::prepare_rename(&ws, fa, offset) {
            assert!(in_file(&ws, fa, p.span));
        }
        if let Ok(change) = ide::rename(&ws, fa, offset, "renamed") {
            check_edits(&ws, &change);
        }
        for c in ide::completion(&ws, fa, offset) {
            assert!(in_file(&ws, fa, c.edit.span));
        }
        let o = offset.min(len);
        for a in ide::code_actions(&ws, fa, &analysis, Span::new(o, o)) {
            check_edits(&ws, &a.edits);
        }
    }
    for a in ide::code_actions(&ws, fa, &analysis, Span::new(0, len)) {
        check_edits(&ws, &a.edits);
    }
    for s in ide::document_symbols(&ws, fa, &analysis) {
        assert!(in_file(&ws, fa, s.span) && in_file(&ws, fa, s.selection_span));
    }
    for s in ide::workspace_symbols(&ws, "a", 50) {
        assert!(in_file(&ws, s.file, s.span));
    }
    let tokens = ide::semantic_tokens(&ws, fa, &analysis, None);
    for t in &tokens {
        assert!(in_file(&ws, fa, t.span) && !t.span.is_empty());
    }
    for w in tokens.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "overlapping tokens {w:?}");
    }
    let half = Span::new(len / 4, len / 2);
    let _ = ide::semantic_tokens(&ws, fa, &analysis, Some(half));
    for h in ide::inlay_hints(&ws, fa, &analysis, None) {
        assert!(in_file(&ws, fa, Span::new(h.offset, h.offset)));
    }
    for r in ide::folding_ranges(&ws, fa) {
        assert!(in_file(&ws, fa, r.span));
    }
});
