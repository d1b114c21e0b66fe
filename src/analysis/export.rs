//! Export: the plain article text with all markup removed, and standoff annotations into it
//! (offsets in Unicode scalar values).
//!
//! Invariants (tested): every mention's `text[start..end]` is its `surface`, and every
//! quotation's `text[start..end]` is its `text`, counting in chars.

use super::analyze::FileAnalysis;
use super::file::RefRole;
use super::workspace::{FileId, Workspace};
use crate::syntax::{surface_text, Block, InlineKind, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Clone, Debug, Serialize)]
pub struct ExportDocument {
    pub path: String,
    pub meta: BTreeMap<String, String>,
    pub text: String,
    pub entities: Vec<ExportEntity>,
    pub mentions: Vec<ExportMention>,
    pub quotes: Vec<ExportQuote>,
    pub diagnostics: Vec<ExportDiagnostic>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportEntity {
    pub id: String,
    /// The kind as written (`person`, `org`, …; an unknown kind is kept as written).
    pub kind: Option<String>,
    pub name: String,
    pub aliases: Vec<String>,
    /// Properties other than `aka`; a key given twice has its values joined with `; `.
    pub properties: BTreeMap<String, String>,
    /// The file that defines it (this one, or a registry file).
    pub defined_in: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportMention {
    /// The ID as written; it may be undefined (see `diagnostics`).
    pub entity: String,
    pub start: usize,
    pub end: usize,
    /// The mention's text, as it stands in `text[start..end]`: the surface text of a span
    /// mention, the entity's display name for a bare `@id`.
    pub surface: String,
    /// 1-based line and column (in Unicode scalar values) in the source file.
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportQuote {
    /// The quoted words, `text[start..end]`, without the quotation marks.
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub speaker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub attribution: &'static str,
    pub cue: Option<String>,
    /// Index into `mentions` of the mention that names the speaker: the one the attribution
    /// points at, else the speaker's mention nearest to the quotation; `null` when the text never
    /// mentions the speaker.
    pub speaker_mention: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_mention: Option<usize>,
    /// 1-based line and column of the opening mark in the source.
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportDiagnostic {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// One emitted piece of plain text and the source it stands for.
#[derive(Clone, Copy, Debug)]
struct Piece {
    source: Span,
    /// Char and byte offset of the piece in the plain text.
    chars: usize,
    bytes: usize,
    /// The piece is the source text unchanged, so offsets inside it map one to one.
    verbatim: bool,
}

/// Builds the plain text and maps source byte offsets to plain-text offsets.
#[derive(Default)]
struct PlainText {
    text: String,
    chars: usize,
    /// In source order.
    pieces: Vec<Piece>,
}

/// A plain-text position: (chars, bytes).
type Pos = (usize, usize);

impl PlainText {
    fn push(&mut self, source: Span, s: &str, verbatim: bool) -> (Pos, Pos) {
        let start = (self.chars, self.text.len());
        self.pieces.push(Piece {
            source,
            chars: self.chars,
            bytes: self.text.len(),
            verbatim,
        });
        self.text.push_str(s);
        self.chars += s.chars().count();
        (start, (self.chars, self.text.len()))
    }

    /// The plain position of a source byte offset. Offsets in removed markup map to the start
    /// of the next piece; offsets inside a rewritten piece (an escape, a bare mention) to its
    /// start.
    fn map(&self, source_text: &str, offset: usize) -> Pos {
        let i = self.pieces.partition_point(|p| p.source.start <= offset);
        if i == 0 {
            return self.pieces.first().map_or((0, 0), |p| (p.chars, p.bytes));
        }
        let p = self.pieces[i - 1];
        let at_empty_piece = p.source.is_empty() && offset == p.source.start;
        if offset >= p.source.end && !at_empty_piece {
            return self
                .pieces
                .get(i)
                .map_or((self.chars, self.text.len()), |n| (n.chars, n.bytes));
        }
        if !p.verbatim {
            return (p.chars, p.bytes);
        }
        let inside = &source_text[p.source.start..offset];
        (p.chars + inside.chars().count(), p.bytes + inside.len())
    }
}

pub fn export_document(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
) -> Option<ExportDocument> {
    let data = ws.file(file)?;
    let src = &data.text;
    let mut plain = PlainText::default();
    // Plain position and text of each mention, keyed by the start of its ID in the source.
    let mut mention_plain: HashMap<usize, (usize, usize, String)> = HashMap::new();
    let mut first = true;
    for block in &data.parse().blocks {
        if !matches!(block, Block::Heading(_) | Block::Paragraph(_)) {
            continue;
        }
        let Some(inlines) = block.inlines() else {
            continue;
        };
        if !first {
            let at = block.span().start;
            plain.push(Span::new(at, at), "\n\n", false);
        }
        first = false;
        for inline in inlines {
            let raw = inline.span.slice(src);
            match &inline.kind {
                // A misplaced attribute block (reported as a syntax error) is markup too.
                InlineKind::Text if is_attribute_block(raw) => {}
                InlineKind::Text | InlineKind::Mark(_) => {
                    plain.push(inline.span, raw, true);
                }
                InlineKind::Escape => {
                    plain.push(inline.span, &raw[1..], false);
                }
                InlineKind::Newline => {
                    plain.push(inline.span, "\n", raw == "\n");
                }
                InlineKind::Attr(_) => {}
                InlineKind::SpanMention(m) => {
                    let s = surface_text(m.surface(inline.span).slice(src));
                    let ((start, _), (end, _)) = plain.push(inline.span, &s, false);
                    if let Some(t) = m.target {
                        mention_plain.insert(t.span().start, (start, end, s.into_owned()));
                    }
                }
                InlineKind::BareMention(t) => {
                    let id = t.id(src);
                    let name = ws
                        .resolve_entity(file, id)
                        .map_or(id, |(_, e)| e.display_name());
                    let ((start, _), (end, _)) = plain.push(inline.span, name, false);
                    mention_plain.insert(t.span().start, (start, end, name.to_string()));
                }
            }
        }
    }

    let mut entities = Vec::new();
    let mut seen = BTreeSet::new();
    let mut add_entity = |id: &str| {
        if !seen.insert(id.to_string()) {
            return;
        }
        if let Some((er, e)) = ws.resolve_entity(file, id) {
            let mut properties: BTreeMap<String, String> = BTreeMap::new();
            for p in e.properties.iter().filter(|p| p.key != "aka") {
                properties
                    .entry(p.key.clone())
                    .and_modify(|v| {
                        v.push_str("; ");
                        v.push_str(&p.value);
                    })
                    .or_insert_with(|| p.value.clone());
            }
            entities.push(ExportEntity {
                id: e.id.clone(),
                kind: e
                    .kind
                    .map(|k| k.as_str().to_string())
                    .or_else(|| e.kind_text.as_ref().map(|k| k.0.clone())),
                name: e.display_name().to_string(),
                aliases: e.aliases.clone(),
                properties,
                defined_in: ws.key(er.file).to_string(),
            });
        }
    };
    for e in &data.entities {
        add_entity(&e.id);
    }
    for r in &data.references {
        add_entity(&r.id);
    }

    let one_based = |offset: usize| {
        let (l, c) = data.line_col(offset);
        (l + 1, c + 1)
    };
    let mut mentions = Vec::new();
    // Source span of each mention, parallel to `mentions` (both in text order).
    let mut mention_source: Vec<Span> = Vec::new();
    for r in &data.references {
        let full = match r.role {
            RefRole::SpanMention { full, .. } | RefRole::BareMention { full } => full,
            _ => continue,
        };
        if let Some((start, end, surface)) = mention_plain.remove(&r.span.start) {
            let (line, column) = one_based(full.start);
            mentions.push(ExportMention {
                entity: r.id.to_string(),
                start,
                end,
                surface,
                line,
                column,
            });
            mention_source.push(full);
        }
    }
    let finder = MentionFinder::new(&mentions);

    let mut quotes = Vec::new();
    for (q, a) in data.parse().quotes.iter().zip(&analysis.attributions) {
        let (start, start_byte) = plain.map(src, q.content.start);
        let (end, end_byte) = plain.map(src, q.content.end);
        let (end, end_byte) = if end < start {
            (start, start_byte)
        } else {
            (end, end_byte)
        };
        let text = plain.text[start_byte..end_byte].to_string();
        let (line, column) = one_based(q.open.start);
        let pointed = a
            .speaker_span
            .and_then(|s| mention_at(&mention_source, s))
            .filter(|&i| Some(&mentions[i].entity) == a.speaker.as_ref());
        let speaker_mention = pointed.or_else(|| finder.nearest(a.speaker.as_deref()?, start, end));
        let via_mention = a.via.as_deref().and_then(|v| finder.nearest(v, start, end));
        quotes.push(ExportQuote {
            text,
            start,
            end,
            speaker: a.speaker.clone(),
            via: a.via.clone(),
            attribution: a.kind.as_str(),
            cue: a.cue.clone(),
            speaker_mention,
            via_mention,
            line,
            column,
        });
    }

    let diagnostics = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = one_based(d.span.start);
            let (end_line, end_column) = one_based(d.span.end);
            ExportDiagnostic {
                code: d.code.as_str(),
                severity: d.severity.as_str(),
                message: d.message.clone(),
                line,
                column,
                end_line,
                end_column,
            }
        })
        .collect();

    let meta = data
        .parse()
        .front_matter
        .iter()
        .flat_map(|fm| &fm.entries)
        .map(|e| (e.key.text.to_string(), e.value.text.to_string()))
        .collect();

    Some(ExportDocument {
        path: ws.key(file).to_string(),
        meta,
        text: plain.text,
        entities,
        mentions,
        quotes,
        diagnostics,
    })
}

/// `{@id…}` or `{-}`: the lexer keeps one that follows no quotation mark as a text token.
fn is_attribute_block(raw: &str) -> bool {
    raw.strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .map(str::trim)
        .is_some_and(|inner| inner == "-" || inner.starts_with('@'))
}

/// The mention whose source span overlaps `span` (mentions sorted by source position).
fn mention_at(sources: &[Span], span: Span) -> Option<usize> {
    let i = sources.partition_point(|s| s.end <= span.start);
    sources
        .get(i)
        .filter(|s| s.start < span.end.max(span.start + 1))
        .map(|_| i)
}

/// Each entity's mentions as `(start, end, index)` in text order, to find the one nearest a
/// quotation without scanning every mention for every quotation.
struct MentionFinder {
    by_entity: HashMap<String, Vec<(usize, usize, usize)>>,
}

impl MentionFinder {
    fn new(mentions: &[ExportMention]) -> MentionFinder {
        let mut by_entity: HashMap<String, Vec<(usize, usize, usize)>> = HashMap::new();
        for (i, m) in mentions.iter().enumerate() {
            by_entity
                .entry(m.entity.clone())
                .or_default()
                .push((m.start, m.end, i));
        }
        MentionFinder { by_entity }
    }

    /// The mention of `id` nearest to the quotation `start..end`: the closer of the last one
    /// before it and the first one after it (the one before on a tie); one inside the quotation
    /// only when there is no other.
    fn nearest(&self, id: &str, start: usize, end: usize) -> Option<usize> {
        let list = self.by_entity.get(id)?;
        let i = list.partition_point(|m| m.0 < start);
        let j = list.partition_point(|m| m.0 < end.max(start));
        let before = i.checked_sub(1).map(|k| list[k]).filter(|m| m.1 <= start);
        let after = list.get(j).copied();
        match (before, after) {
            (Some(b), Some(a)) if a.0 - end.max(start) < start - b.1 => Some(a.2),
            (Some(b), _) => Some(b.2),
            (None, Some(a)) => Some(a.2),
            (None, None) => list.get(i.min(list.len() - 1)).map(|m| m.2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn export(files: &[(&str, &str)], which: &str) -> ExportDocument {
        let mut ws = Workspace::new(Config::default());
        for (k, t) in files {
            ws.set_file(k, t.to_string());
        }
        let id = ws.file_id(which).unwrap();
        export_document(&ws, id, &ws.analyze(id)).unwrap()
    }

    fn slice(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    fn assert_offsets(doc: &ExportDocument) {
        for m in &doc.mentions {
            assert_eq!(slice(&doc.text, m.start, m.end), m.surface, "{m:?}");
        }
        for q in &doc.quotes {
            assert_eq!(slice(&doc.text, q.start, q.end), q.text, "{q:?}");
        }
    }

    #[test]
    fn markup_is_removed_and_offsets_slice_the_text() {
        let src = "\u{feff}---\ntitle: Talks\n---\n%% a note\n# Talks in «Tokyo»\n\n@l: person \"Sergey Lavrov\"\n  wikidata: Q7747\n\n“Это \\[важно\\],” said [Сергей Лавров]{@l} to @j.\n“Second paragraph\r\n\r\n“continues here.”{@l via=@j}\n\n@j: org \"Jiji Press\"\n";
        let doc = export(&[("a.nmk", src)], "a.nmk");
        assert_eq!(
            doc.text,
            "Talks in «Tokyo»\n\n“Это [важно],” said Сергей Лавров to Jiji Press.\n“Second paragraph\n\n“continues here.”"
        );
        assert_eq!(doc.meta["title"], "Talks");
        assert_offsets(&doc);
        let surfaces: Vec<_> = doc.mentions.iter().map(|m| m.surface.as_str()).collect();
        assert_eq!(surfaces, ["Сергей Лавров", "Jiji Press"]);
        // The span mention is on source line 10, after `“Это \[важно\],” said ` (22 chars).
        assert_eq!((doc.mentions[0].line, doc.mentions[0].column), (10, 23));
        let texts: Vec<_> = doc.quotes.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Tokyo",
                "Это [важно],",
                "Second paragraph\n\n“continues here."
            ]
        );
        let q = &doc.quotes[2];
        assert_eq!(q.speaker.as_deref(), Some("l"));
        assert_eq!(q.attribution, "explicit");
        // Explicit `{@l}` names no prose mention: the nearest mention of `l` is taken.
        assert_eq!(q.speaker_mention, Some(0));
        assert_eq!(q.via_mention, Some(1));
        assert_eq!(doc.entities[0].properties["wikidata"], "Q7747");
    }

    #[test]
    fn registry_definitions_resolve_bare_mentions() {
        let doc = export(
            &[
                (
                    "registry.nmk",
                    "@p: person \"Vladimir Putin\"\n  aka: Putin\n",
                ),
                (
                    "a.nmk",
                    "\"We will talk to everyone,\" said @p, and @nobody agreed.\n",
                ),
            ],
            "a.nmk",
        );
        assert_eq!(
            doc.text,
            "\"We will talk to everyone,\" said Vladimir Putin, and nobody agreed."
        );
        assert_offsets(&doc);
        assert_eq!(doc.entities.len(), 1);
        assert_eq!(doc.entities[0].defined_in, "registry.nmk");
        assert_eq!(doc.entities[0].aliases, ["Putin"]);
        assert!(doc.diagnostics.iter().any(|d| d.code == "undefined-entity"));
    }

    #[test]
    fn unclosed_and_empty_quotes_stay_in_bounds() {
        let doc = export(
            &[("a.nmk", "He said \"\" and \"never closed\n\nNext \"{-}\n")],
            "a.nmk",
        );
        assert_offsets(&doc);
        assert!(
            doc.quotes.iter().any(|q| q.text == "never closed"),
            "{:?}",
            doc.quotes
        );
        assert!(doc.quotes.iter().any(|q| q.text.is_empty()));
    }

    #[test]
    fn misplaced_attribute_blocks_are_not_text() {
        let doc = export(
            &[(
                "a.nmk",
                "@x: person \"X\"\n\nHe met @x.{@x} Then {not markup} left. {-}\n",
            )],
            "a.nmk",
        );
        assert_eq!(doc.text, "He met X. Then {not markup} left. ");
        assert!(doc.diagnostics.iter().any(|d| d.code == "syntax"));
        assert_offsets(&doc);
    }

    #[test]
    fn nearest_mention_prefers_outside_the_quote() {
        let ms: Vec<ExportMention> = [(0, 2), (10, 12), (30, 32), (50, 52)]
            .iter()
            .map(|&(s, e)| ExportMention {
                entity: "a".into(),
                start: s,
                end: e,
                surface: "xx".into(),
                line: 1,
                column: 1,
            })
            .collect();
        let f = MentionFinder::new(&ms);
        assert_eq!(f.nearest("a", 14, 20), Some(1)); // 2 before vs 10 after
        assert_eq!(f.nearest("a", 20, 28), Some(2)); // 8 before vs 2 after
        assert_eq!(f.nearest("a", 25, 55), Some(1)); // 30 and 50 are inside
        assert_eq!(f.nearest("b", 25, 55), None);
        let one = &ms[2..3];
        let f = MentionFinder::new(one);
        assert_eq!(f.nearest("a", 25, 55), Some(0)); // only inside
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever the markup, offsets stay in bounds and slice exactly.
        #[test]
        fn offsets_slice_the_text_for_any_markup(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "@a", "@b.", " ", "\n", "\n\n", "\r\n", "[x]{@a}", "[é \\] ü]{@b}", "[", "]", "{",
                "}", "{@a}", "{-}", "\"", "“", "”", "«", "»", "„", "'", "’", "\\", "\\@", "word",
                "Жук", "# ", "%% c\n", "@a: person \"A\"\n", "  aka: Alpha\n", "---\n", "\u{feff}",
                " said @b", "😀",
            ]),
            0..40,
        )) {
            let src: String = parts.concat();
            let doc = export(&[("reg.nmk", "@b: org \"Bee Org\"\n"), ("a.nmk", &src)], "a.nmk");
            let chars = doc.text.chars().count();
            for m in &doc.mentions {
                proptest::prop_assert!(m.start <= m.end && m.end <= chars);
            }
            for q in &doc.quotes {
                proptest::prop_assert!(q.start <= q.end && q.end <= chars);
            }
            assert_offsets(&doc);
        }
    }
}
