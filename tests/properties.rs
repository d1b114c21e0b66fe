//! Properties of the parser, the analysis and the export that must hold for any input.

use newsmark::analysis::export::export_document;
use newsmark::analysis::{FileData, RefRole, Workspace};
use newsmark::config::Config;
use newsmark::syntax::{
    is_valid_id, parse, AttrContent, Block, IdRef, IdSpan, InlineKind, Parse, ParseOptions,
    QuoteStyle, Span,
};
use proptest::prelude::*;

/// Pieces that exercise every construct and its edge cases when strung together.
const FRAGMENTS: &[&str] = &[
    "@",
    "@a",
    "@lavrov",
    "@mfa-ru",
    "@u.n.",
    "x@y",
    "\\@",
    "[",
    "]",
    "\\]",
    "\\[",
    "{",
    "}",
    "{@a}",
    "{@b via=@a}",
    "{-}",
    "{@}",
    "{foo}",
    "[Lavrov]{@lavrov}",
    "\"",
    "“",
    "”",
    "«",
    "»",
    "„",
    "'",
    "‘",
    "’",
    "don't",
    "Tories'",
    "'90s",
    "\\",
    "\\\"",
    "\n",
    "\r\n",
    "\n\n",
    "\r",
    "%%",
    "\n%% note\n",
    "# ",
    "\n## ",
    "---",
    "\n---\n",
    "  ",
    "\t",
    ":",
    " ",
    "word",
    "said",
    "é",
    "日本",
    "😀",
    "\u{feff}",
    "—",
    "–",
    "(",
    ")",
    ",",
    ".",
    "\n@a: person \"A\"\n",
    "\n  aka: A; B\n",
    "\n  member-of: @b\n",
    "\n@b: org \"B",
    "\n@c:",
    "\n  wikidata: 7\n",
];

fn markup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..120).prop_map(|v| v.concat())
}

/// Line-structured documents: front matter, definitions, headings, comments and prose lines.
fn document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        markup(),
        markup().prop_map(|s| format!("@id{}: person \"{s}\"", s.len() % 7)),
        markup().prop_map(|s| format!("  key: {s}")),
        markup().prop_map(|s| format!("# {s}")),
        markup().prop_map(|s| format!("%% {s}")),
        Just(String::new()),
    ];
    (
        any::<bool>(),
        prop::collection::vec(line, 0..25),
        any::<bool>(),
    )
        .prop_map(|(front, lines, crlf)| {
            let mut s = String::new();
            if front {
                s.push_str("---\ntitle: T\n");
            }
            let sep = if crlf { "\r\n" } else { "\n" };
            s.push_str(&lines.join(sep));
            s
        })
}

/// Any text at all, markup-heavy or not.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "\\PC{0,200}", markup(), document()]
}

fn options(british: bool) -> ParseOptions {
    ParseOptions {
        quote_style: if british {
            QuoteStyle::Single
        } else {
            QuoteStyle::Double
        },
    }
}

fn check_span(text: &str, span: Span, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(span.start <= span.end, "{what}: {span:?} is reversed");
    prop_assert!(span.end <= text.len(), "{what}: {span:?} is past the end");
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: {span:?} is not on char boundaries"
    );
    Ok(())
}

fn check_id(text: &str, id: &IdRef, what: &str) -> Result<(), TestCaseError> {
    check_span(text, id.span, what)?;
    prop_assert_eq!(id.span.slice(text), id.id.as_str(), "{}", what);
    Ok(())
}

/// A mention's ID is read from the text: its span must hold a valid ID.
fn check_id_span(text: &str, id: IdSpan, what: &str) -> Result<(), TestCaseError> {
    check_span(text, id.span(), what)?;
    prop_assert!(is_valid_id(id.id(text)), "{}: {:?}", what, id.id(text));
    Ok(())
}

/// Every span the parse holds lies inside the text, on char boundaries.
fn check_parse(text: &str, p: &Parse) -> Result<(), TestCaseError> {
    if let Some(fm) = &p.front_matter {
        check_span(text, fm.span, "front matter")?;
        for e in &fm.entries {
            check_span(text, e.key.span, "front matter key")?;
            check_span(text, e.value.span, "front matter value")?;
        }
    }
    let mut prev_start = 0;
    for b in &p.blocks {
        check_span(text, b.span(), "block")?;
        prop_assert!(b.span().start >= prev_start, "blocks out of order");
        prev_start = b.span().start;
        match b {
            Block::Heading(h) => check_span(text, h.text, "heading text")?,
            Block::Definition(d) => {
                check_span(text, d.id.span, "definition id")?;
                for w in d.kind.iter().chain(&d.name) {
                    check_span(text, w.span, "kind or name")?;
                }
                for prop in &d.properties {
                    check_span(text, prop.span, "property")?;
                    check_span(text, prop.key.span, "property key")?;
                    check_span(text, prop.value.span, "property value")?;
                    for r in &prop.refs {
                        check_id(text, r, "property reference")?;
                    }
                }
            }
            _ => {}
        }
        if let Some(inlines) = b.inlines() {
            // The tokens tile the prose exactly: no byte lost, none twice.
            let range = match b {
                Block::Heading(h) => h.text,
                _ => b.span(),
            };
            let mut at = range.start;
            for i in inlines {
                check_span(text, i.span, "inline")?;
                prop_assert_eq!(i.span.start, at, "inline tokens do not tile the block");
                at = i.span.end;
                match &i.kind {
                    InlineKind::SpanMention(m) => {
                        check_span(text, m.surface(i.span), "surface")?;
                        if let Some(t) = m.target {
                            check_id_span(text, t, "span mention target")?;
                        }
                    }
                    InlineKind::BareMention(t) => check_id_span(text, *t, "bare mention")?,
                    InlineKind::Attr(a) => check_span(text, a.span, "attribute block")?,
                    _ => {}
                }
            }
            prop_assert_eq!(at, range.end, "inline tokens stop short of the block end");
        }
    }
    for q in &p.quotes {
        check_span(text, q.open, "quote open")?;
        check_span(text, q.content, "quote content")?;
        check_span(text, q.span(), "quote")?;
        prop_assert_eq!(q.content.start, q.open.end);
        if let Some(c) = q.close {
            check_span(text, c, "quote close")?;
            prop_assert_eq!(q.content.end, c.start);
        }
        for m in &q.continuation_marks {
            check_span(text, *m, "continuation mark")?;
            prop_assert!(q.content.start <= m.start && m.end <= q.content.end);
        }
        if let Some(a) = &q.attr {
            check_span(text, a.span, "quote attribute block")?;
            if let AttrContent::Speaker { speaker, via } = &a.content {
                check_id(text, speaker, "speaker")?;
                if let Some(v) = via {
                    check_id(text, v, "via")?;
                }
            }
        }
        prop_assert!(q.blocks.0 <= q.blocks.1 && q.blocks.1 < p.blocks.len());
    }
    for e in &p.errors {
        check_span(text, e.span, "error")?;
        prop_assert!(!e.message.is_empty());
    }
    Ok(())
}

fn workspace(text: &str, british: bool) -> Workspace {
    let mut config = Config::default();
    if british {
        config.attribution.quote_style = QuoteStyle::Single;
    }
    let mut ws = Workspace::new(config);
    ws.set_file("doc.nmk", text.to_string());
    ws
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_never_panics_and_spans_are_sound(text in any_text(), british in any::<bool>()) {
        let p = parse(&text, &options(british));
        check_parse(&text, &p)?;
    }

    #[test]
    fn references_are_sound(text in any_text()) {
        let data = FileData::new(text.clone(), &ParseOptions::default());
        let mut prev = 0;
        for r in &data.references {
            check_span(&text, r.span, "reference")?;
            check_span(&text, r.full_span(), "reference full span")?;
            prop_assert_eq!(r.span.slice(&text), r.id.as_str());
            prop_assert!(r.span.start >= prev, "references out of order");
            prev = r.span.start;
            if let RefRole::SpanMention { surface, full } = r.role {
                check_span(&text, surface, "reference surface")?;
                prop_assert!(full.start <= surface.start && surface.end <= full.end);
            }
        }
    }

    #[test]
    fn parsing_is_deterministic(text in any_text(), british in any::<bool>()) {
        let a = parse(&text, &options(british));
        let b = parse(&text, &options(british));
        prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn analysis_never_panics_and_diagnostics_are_sound(text in any_text(), british in any::<bool>()) {
        let ws = workspace(&text, british);
        let file = ws.file_id("doc.nmk").unwrap();
        let analysis = ws.analyze(file);
        let data = ws.file(file).unwrap();
        prop_assert_eq!(analysis.resolutions.len(), data.references.len());
        prop_assert_eq!(analysis.attributions.len(), data.parse().quotes.len());
        for d in &analysis.diagnostics {
            check_span(&text, d.span, "diagnostic")?;
            prop_assert!(!d.message.is_empty());
        }
    }

    #[test]
    fn export_offsets_slice_the_exported_text(text in any_text(), british in any::<bool>()) {
        let ws = workspace(&text, british);
        let file = ws.file_id("doc.nmk").unwrap();
        let analysis = ws.analyze(file);
        let doc = export_document(&ws, file, &analysis).unwrap();
        let chars: Vec<char> = doc.text.chars().collect();
        let slice = |s: usize, e: usize| -> Option<String> {
            (s <= e && e <= chars.len()).then(|| chars[s..e].iter().collect())
        };
        for m in &doc.mentions {
            prop_assert_eq!(slice(m.start, m.end), Some(m.surface.clone()), "mention {:?}", m);
        }
        for q in &doc.quotes {
            prop_assert_eq!(slice(q.start, q.end), Some(q.text.clone()), "quote {:?}", q);
        }
        // Every mention and quotation of the file is exported.
        let mentions = ws.file(file).unwrap().references.iter().filter(|r| r.is_mention()).count();
        prop_assert_eq!(doc.mentions.len(), mentions);
        prop_assert_eq!(doc.quotes.len(), ws.file(file).unwrap().parse().quotes.len());
    }
}

/// Quotation text in the export is the quotation's source content with the markup removed.
#[test]
fn export_quote_text_is_the_plain_content() {
    let text = "@a: person \"Anna Smith\"\n\n\"We met [Anna]{@a} and @a \\[sic\\] at\r\n%% note\r\nnoon,\"{@a} she said.\n";
    let ws = workspace(text, false);
    let file = ws.file_id("doc.nmk").unwrap();
    let doc = export_document(&ws, file, &ws.analyze(file)).unwrap();
    assert_eq!(
        doc.text,
        "\"We met Anna and Anna Smith [sic] at\nnoon,\" she said."
    );
    assert_eq!(
        doc.quotes[0].text,
        "We met Anna and Anna Smith [sic] at\nnoon,"
    );
    let surfaces: Vec<_> = doc.mentions.iter().map(|m| m.surface.as_str()).collect();
    assert_eq!(surfaces, ["Anna", "Anna Smith"]);
}
