//! Export: the plain article text with all markup removed, and standoff annotations into it
//! (offsets in Unicode scalar values).

use super::analyze::FileAnalysis;
use super::file::{line_col, RefRole};
use super::workspace::{FileId, Workspace};
use crate::syntax::{surface_text, Block, InlineKind, Span};
use serde::Serialize;
use std::collections::BTreeMap;

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
    pub kind: Option<String>,
    pub name: String,
    pub aliases: Vec<String>,
    pub properties: BTreeMap<String, String>,
    /// The file that defines it (this one, or a registry file).
    pub defined_in: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportMention {
    pub entity: String,
    pub start: usize,
    pub end: usize,
    /// The mention's text, as it stands in `text[start..end]`.
    pub surface: String,
    /// 1-based line and column (in Unicode scalar values) in the source file.
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExportQuote {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub speaker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    pub attribution: &'static str,
    pub cue: Option<String>,
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

/// Builds the plain text and maps source byte offsets to plain-text char offsets.
struct PlainText {
    text: String,
    chars: usize,
    /// (source offset, plain char offset) at the start of each emitted piece, in order.
    marks: Vec<(usize, usize, Span)>,
}

impl PlainText {
    fn push(&mut self, source: Span, s: &str) {
        self.marks.push((source.start, self.chars, source));
        self.text.push_str(s);
        self.chars += s.chars().count();
    }

    /// Plain char offset of a source byte offset (inside or at the edge of an emitted piece).
    fn map(&self, source_text: &str, offset: usize) -> usize {
        let i = self.marks.partition_point(|(s, _, _)| *s <= offset);
        if i == 0 {
            return 0;
        }
        let (start, plain, span) = self.marks[i - 1];
        if offset >= span.end {
            // Past this piece: the start of the next one, or the end.
            return self.marks.get(i).map_or(self.chars, |m| m.1);
        }
        plain + source_text[start..offset].chars().count()
    }
}

pub fn export_document(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
) -> Option<ExportDocument> {
    let data = ws.file(file)?;
    let src = &data.text;
    let mut plain = PlainText {
        text: String::new(),
        chars: 0,
        marks: Vec::new(),
    };
    // Plain text of each mention, keyed by the reference's ID span start.
    let mut mention_plain: BTreeMap<usize, (usize, usize, String)> = BTreeMap::new();
    let mut first = true;
    for block in &data.parse.blocks {
        let Some(inlines) = block.inlines() else {
            continue;
        };
        if !matches!(block, Block::Heading(_) | Block::Paragraph(_)) {
            continue;
        }
        if !first {
            plain.push(Span::new(block.span().start, block.span().start), "\n\n");
        }
        first = false;
        for inline in inlines {
            let raw = inline.span.slice(src);
            match &inline.kind {
                InlineKind::Text | InlineKind::Mark(_) => plain.push(inline.span, raw),
                InlineKind::Escape => plain.push(inline.span, &raw[1..]),
                InlineKind::Newline => plain.push(inline.span, "\n"),
                InlineKind::Attr(_) => {}
                InlineKind::SpanMention { surface, target } => {
                    let s = surface_text(surface.slice(src));
                    let start = plain.chars;
                    plain.push(inline.span, &s);
                    if let Some(t) = target {
                        mention_plain.insert(t.span.start, (start, plain.chars, s.into_owned()));
                    }
                }
                InlineKind::BareMention(t) => {
                    let name = ws
                        .resolve_entity(file, &t.id)
                        .map_or(t.id.clone(), |(_, e)| e.display_name().to_string());
                    let start = plain.chars;
                    plain.push(inline.span, &name);
                    mention_plain.insert(t.span.start, (start, plain.chars, name));
                }
            }
        }
    }

    let mut entities = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut add_entity = |id: &str| {
        if !seen.insert(id.to_string()) {
            return;
        }
        if let Some((er, e)) = ws.resolve_entity(file, id) {
            entities.push(ExportEntity {
                id: e.id.clone(),
                kind: e
                    .kind
                    .map(|k| k.as_str().to_string())
                    .or_else(|| e.kind_text.as_ref().map(|k| k.0.clone())),
                name: e.display_name().to_string(),
                aliases: e.aliases.clone(),
                properties: e
                    .properties
                    .iter()
                    .filter(|p| p.key != "aka")
                    .map(|p| (p.key.clone(), p.value.clone()))
                    .collect(),
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
        let (l, c) = line_col(src, offset);
        (l + 1, c + 1)
    };
    let mut mentions = Vec::new();
    for r in &data.references {
        let full = match r.role {
            RefRole::SpanMention { full, .. } | RefRole::BareMention { full } => full,
            _ => continue,
        };
        if let Some((start, end, surface)) = mention_plain.get(&r.span.start) {
            let (line, column) = one_based(full.start);
            mentions.push(ExportMention {
                entity: r.id.clone(),
                start: *start,
                end: *end,
                surface: surface.clone(),
                line,
                column,
            });
        }
    }

    let mut quotes = Vec::new();
    for (q, a) in data.parse.quotes.iter().zip(&analysis.attributions) {
        let start = plain.map(src, q.content.start);
        let end = plain.map(src, q.content.end).max(start);
        let text: String = plain.text.chars().skip(start).take(end - start).collect();
        let (line, column) = one_based(q.open.start);
        quotes.push(ExportQuote {
            text,
            start,
            end,
            speaker: a.speaker.clone(),
            via: a.via.clone(),
            attribution: a.kind.as_str(),
            cue: a.cue.clone(),
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
        .parse
        .front_matter
        .iter()
        .flat_map(|fm| &fm.entries)
        .map(|e| (e.key.text.clone(), e.value.text.clone()))
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
