//! Per-file facts that depend on the file's text alone: the parse, the entities it defines and
//! every `@ID` it references. The workspace index is built from these, so that an edit
//! re-parses one file and touches only the index entries of the IDs it changed.

use super::entity::Entity;
use super::line_index::LineIndex;
use crate::syntax::{self, AttrContent, Block, InlineKind, Parse, ParseOptions, Span, SpanMention};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// What an `@ID` occurrence is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefRole {
    /// `[surface]{@ID}`: `full` covers the brackets and braces.
    SpanMention { surface: Span, full: Span },
    /// `@ID` in prose: `full` covers the `@`.
    BareMention { full: Span },
    /// `@ID` in a property value of the entity at this index of [`FileData::entities`].
    Property { entity: usize, key: String },
    /// `{@ID}` after the quotation at this index of `Parse::quotes`.
    Speaker { quote: usize },
    /// `via=@ID` after the quotation at this index.
    Via { quote: usize },
}

/// One `@ID` occurrence; `span` covers the ID only (what a rename replaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Inline when short (most IDs): the workspace-wide scans compare thousands of IDs per
    /// request, and an ID behind a pointer is a cache miss each.
    pub id: crate::syntax::SmallText,
    pub span: Span,
    pub role: RefRole,
}

impl Reference {
    /// Prose mentions, as opposed to references in properties and attribute blocks.
    pub fn is_mention(&self) -> bool {
        matches!(
            self.role,
            RefRole::SpanMention { .. } | RefRole::BareMention { .. }
        )
    }

    /// The span a user sees as the reference: the whole `[surface]{@id}` or `@id`.
    pub fn full_span(&self) -> Span {
        match self.role {
            RefRole::SpanMention { full, .. } | RefRole::BareMention { full } => full,
            _ => Span::new(self.span.start - 1, self.span.end),
        }
    }
}

#[derive(Clone, Debug)]
pub struct FileData {
    pub text: String,
    /// The syntax tree; empty for a file built with [`FileData::indexed`] until first asked
    /// for (it is most of a file's memory, and the workspace index needs only `entities` and
    /// `references`).
    parse: OnceLock<Parse>,
    options: ParseOptions,
    pub entities: Vec<Entity>,
    /// In text order.
    pub references: Vec<Reference>,
    /// Built on first use: many files are never asked for a position.
    line_index: OnceLock<LineIndex>,
}

impl FileData {
    /// Parse `text` and keep the syntax tree (open documents, one-shot commands).
    pub fn new(text: String, options: &ParseOptions) -> FileData {
        let parse = syntax::parse(&text, options);
        let (entities, references) = extract(&text, &parse);
        FileData {
            text,
            parse: OnceLock::from(parse),
            options: options.clone(),
            entities,
            references,
            line_index: OnceLock::new(),
        }
    }

    /// Parse `text` for the workspace index: keep the entities and references, drop the syntax
    /// tree, which [`FileData::parse`] rebuilds on demand (files that are not open are rarely
    /// asked for more than their references).
    pub fn indexed(text: String, options: &ParseOptions) -> FileData {
        let parse = syntax::parse(&text, options);
        let (entities, references) = extract(&text, &parse);
        FileData {
            text,
            parse: OnceLock::new(),
            options: options.clone(),
            entities,
            references,
            line_index: OnceLock::new(),
        }
    }

    /// The syntax tree (parsed again if it was dropped).
    pub fn parse(&self) -> &Parse {
        self.parse
            .get_or_init(|| syntax::parse(&self.text, &self.options))
    }

    /// The front matter's value for `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.parse()
            .front_matter
            .as_ref()?
            .entries
            .iter()
            .find(|e| e.key.text == key)
            .map(|e| e.value.text.as_str())
    }

    /// The first definition of `id` in this file.
    pub fn entity(&self, id: &str) -> Option<(usize, &Entity)> {
        self.entities.iter().enumerate().find(|(_, e)| e.id == id)
    }

    pub fn defined_ids(&self) -> BTreeSet<&str> {
        self.entities.iter().map(|e| e.id.as_str()).collect()
    }

    pub fn referenced_ids(&self) -> BTreeSet<&str> {
        self.references.iter().map(|r| r.id.as_str()).collect()
    }

    /// 0-based line and column (in chars) of a byte offset, for messages and export.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_index().line_col(&self.text, offset)
    }

    /// The file's line index (O(log n) positions).
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// 0-based line and column (in Unicode scalar values) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut col = before[line_start..].chars().count();
    if line == 0 && text.starts_with('\u{feff}') {
        col = col.saturating_sub(1);
    }
    (line, col)
}

pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The entities and references (in text order) of a parsed file.
fn extract(text: &str, parse: &Parse) -> (Vec<Entity>, Vec<Reference>) {
    let mut entities = Vec::new();
    let mut references = Vec::new();
    for block in &parse.blocks {
        match block {
            Block::Definition(def) => {
                let entity = entities.len();
                entities.push(Entity::from_definition(def));
                for p in &def.properties {
                    for r in &p.refs {
                        references.push(Reference {
                            id: r.id.clone(),
                            span: r.span,
                            role: RefRole::Property {
                                entity,
                                key: p.key.text.as_str().to_owned(),
                            },
                        });
                    }
                }
            }
            // Their mentions below, from the parse's list of them.
            Block::Heading(_) | Block::Paragraph(_) | Block::Comment(_) => {}
        }
    }
    // Speaker and via references: few, put in text order on their own, together with the
    // property references (a stable sort: on a tie a property reference comes first).
    for (qi, q) in parse.quotes.iter().enumerate() {
        if let Some(AttrContent::Speaker { speaker, via }) = q.attr.as_ref().map(|a| &a.content) {
            references.push(Reference {
                id: speaker.id.clone(),
                span: speaker.span,
                role: RefRole::Speaker { quote: qi },
            });
            if let Some(v) = via {
                references.push(Reference {
                    id: v.id.clone(),
                    span: v.span,
                    role: RefRole::Via { quote: qi },
                });
            }
        }
    }
    references.sort_by_key(|r| r.span.start);
    let mentions = parse.mentions();
    // The mentions come in text order: merged with the short list as they are made, instead
    // of sorting the whole (file-sized) vector afterwards. Sized once: growing it copied the
    // references several times.
    let mut merged = Vec::with_capacity(references.len() + mentions.len());
    let mut others = references.into_iter().peekable();
    let mut last = 0;
    let mut in_order = true;
    for inline in mentions {
        let r = match &inline.kind {
            InlineKind::SpanMention(
                m @ SpanMention {
                    target: Some(t), ..
                },
            ) => Reference {
                id: t.id(text).into(),
                span: t.span(),
                role: RefRole::SpanMention {
                    surface: m.surface(inline.span),
                    full: inline.span,
                },
            },
            InlineKind::BareMention(t) => Reference {
                id: t.id(text).into(),
                span: t.span(),
                role: RefRole::BareMention { full: inline.span },
            },
            _ => continue,
        };
        let at = r.span.start;
        in_order &= at >= last;
        last = at;
        // What a stable sort of properties, then mentions, then speakers would give on a tie.
        while let Some(o) = others.next_if(|o| {
            o.span.start < at || (o.span.start == at && matches!(o.role, RefRole::Property { .. }))
        }) {
            merged.push(o);
        }
        merged.push(r);
    }
    merged.extend(others);
    let mut references = merged;
    if !in_order {
        references.sort_by_key(|r| r.span.start);
    }
    // Kept for every file of the workspace: no spare capacity (a third of the index's memory).
    references.shrink_to_fit();
    entities.shrink_to_fit();
    (entities, references)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_files_drop_the_tree_and_rebuild_the_same_one_on_demand() {
        let text = "---\nlang: en\n---\n@a: person \"Ann\"\n  member-of: @o\n\n[Ann]{@a} and @o.\n\"We are ready,\"{@a via=@o}\n";
        let opts = ParseOptions::default();
        let full = FileData::new(text.to_string(), &opts);
        let lean = FileData::indexed(text.to_string(), &opts);
        assert!(full.parse.get().is_some());
        assert!(lean.parse.get().is_none(), "no tree kept at index time");
        assert_eq!(
            format!("{:?}", lean.entities),
            format!("{:?}", full.entities)
        );
        assert_eq!(lean.references, full.references);
        assert_eq!(lean.references.len(), 5);
        // Asking for the tree parses again, once.
        assert_eq!(lean.meta("lang"), Some("en"));
        assert!(lean.parse.get().is_some());
        assert_eq!(format!("{:?}", lean.parse()), format!("{:?}", full.parse()));
    }
}
