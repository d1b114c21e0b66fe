//! Completion of entity IDs, kinds, property keys and front matter keys.

use super::{clamp_offset, TextEdit};
use crate::analysis::{EntityKind, FileData, FileId, Resolution, Workspace};
use crate::syntax::{may_precede_mention, Block, Span};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// An entity ID; the kind as it resolves from the file (`None`: unknown or ambiguous).
    Entity(Option<EntityKind>),
    /// An entity kind after `@ID: `.
    EntityKind,
    /// A property key in a definition.
    PropertyKey,
    /// A front matter key.
    FrontMatterKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (an ID without `@`, a kind, a key).
    pub label: String,
    pub kind: CompletionKind,
    /// One line: for entities the display name, kind and role.
    pub detail: Option<String>,
    /// Markdown, for entities where they are defined.
    pub documentation: Option<String>,
    /// The text clients match what was typed against.
    pub filter_text: String,
    /// Clients order items by this, ascending.
    pub sort_text: String,
    /// Replaces the word being completed (on the cursor's line, containing the cursor).
    pub edit: TextEdit,
}

/// Known property keys with a short description.
const PROPERTY_KEYS: &[(&str, &str)] = &[
    ("role", "what the entity is or does (a title, a function)"),
    ("aka", "aliases, separated by `;`"),
    ("member-of", "`@id` of an organisation"),
    ("wikidata", "Wikidata item, `Q` followed by digits"),
    ("url", "a web address"),
    ("born", "date of birth, ISO 8601 (`1950-03-21`)"),
    ("signed", "date of signature, ISO 8601"),
    ("date", "date, ISO 8601 (`2016`, `2016-12`, `2016-12-15`)"),
    ("parties", "`@id`s of the parties"),
    ("country", "`@id` of a country"),
    ("located-in", "`@id` of a place"),
    ("status", "free text"),
    ("note", "free text"),
];

const FRONT_MATTER_KEYS: &[(&str, &str)] = &[
    ("title", "the headline"),
    ("source", "the publisher or agency"),
    ("date", "publication date, ISO 8601"),
    ("dateline", "where the story was filed"),
    ("lang", "language, BCP 47 (`en`, `ru`)"),
    ("url", "the article's address"),
    ("author", "the byline"),
];

/// What the cursor is completing.
#[derive(Debug, PartialEq, Eq)]
enum Context {
    /// After `@`; `speaker` in an attribute block (`{@`, `via=@`).
    Id {
        word: Span,
        speaker: bool,
    },
    Kind {
        word: Span,
    },
    PropertyKey {
        word: Span,
    },
    FrontMatterKey {
        word: Span,
    },
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn context(data: &FileData, offset: usize) -> Option<Context> {
    let text = &data.text;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| offset + i);
    let before = &text[line_start..offset];
    let after = &text[offset..line_end];
    // The ID-like word around the cursor.
    let wstart = offset - before.len() + before.trim_end_matches(is_id_char).len();
    let wend = offset + (after.len() - after.trim_start_matches(is_id_char).len());
    let word = Span::new(wstart, wend);
    let prefix = &text[line_start..wstart];

    if let Some(fm) = &data.parse.front_matter {
        if fm.span.contains(offset) && line_start > fm.span.start && !before.contains(':') {
            let s = before.trim_start();
            return (s.chars().all(is_id_char) && line_start + before.len() - s.len() == wstart)
                .then_some(Context::FrontMatterKey { word });
        }
    }

    if let Some(p) = prefix.strip_suffix('@') {
        let prev = p.chars().next_back();
        let speaker = p.ends_with('{') || p.ends_with("via=");
        // `reporter@example.com` is no mention; a property value or attribute block is fine.
        if speaker || may_precede_mention(prev) || in_definition(data, offset) {
            return Some(Context::Id { word, speaker });
        }
        return None;
    }

    // `@ID: ki|` at column 0: the kind.
    if before.starts_with('@') {
        if let Some(colon) = before.find(':') {
            let between = &before[colon + 1..];
            let between_t = between.trim_start();
            if !before[1..colon].contains(char::is_whitespace)
                && !between.is_empty()
                && between_t.chars().all(|c| c.is_ascii_alphabetic())
                && between.len() > between_t.len()
            {
                return Some(Context::Kind { word });
            }
        }
        return None;
    }

    // An indented line of a definition, before its colon: the key.
    let indented = before.starts_with("  ") || before.starts_with('\t');
    if indented && !before.contains(':') && in_definition(data, offset) {
        let s = before.trim_start();
        if s.chars().all(is_id_char) && !s.contains('.') {
            return Some(Context::PropertyKey { word });
        }
    }
    None
}

/// Whether `offset` is in a definition block or on an indented line right after one (a
/// property being typed).
fn in_definition(data: &FileData, offset: usize) -> bool {
    data.parse.blocks.iter().any(|b| match b {
        Block::Definition(d) => {
            let line_end = data.text[d.span.end..]
                .find('\n')
                .map_or(data.text.len(), |i| d.span.end + i + 1);
            // The line after the block counts while it is being typed (still indented).
            let next_end = data.text[line_end..]
                .find('\n')
                .map_or(data.text.len(), |i| line_end + i);
            let next = &data.text[line_end..next_end];
            let indented_next = next.starts_with("  ") || next.starts_with('\t');
            d.span.start < offset && (offset <= d.span.end || (indented_next && offset <= next_end))
        }
        _ => false,
    })
}

/// Completions at `offset` in `file`:
///
/// - after `@` in prose, in a property value, after `{@` / `[…]{@` / `via=@`: every ID defined
///   in the workspace, with its display name, kind and role as detail, ranked by mentions in
///   this file then in the workspace (in an attribute block, kinds that can speak first);
/// - after `@ID: ` on a definition line: the entity kinds;
/// - at the start of an indented property line of a definition: known property keys and the
///   keys used elsewhere in the workspace;
/// - in the front matter, before the colon: the known front matter keys.
///
/// Filtering by what was typed is left to the client: `filter_text` and `sort_text` are given,
/// and `edit` replaces the whole word around the cursor. Nothing elsewhere (an `@` in an e-mail
/// address, plain prose).
pub fn completion(ws: &Workspace, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let offset = clamp_offset(&data.text, offset);
    match context(data, offset) {
        Some(Context::Id { word, speaker }) => ids(ws, file, data, word, speaker),
        Some(Context::Kind { word }) => EntityKind::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| CompletionItem {
                label: k.as_str().into(),
                kind: CompletionKind::EntityKind,
                detail: Some(k.description().into()),
                documentation: None,
                filter_text: k.as_str().into(),
                sort_text: format!("{i}"),
                edit: TextEdit::new(word, k.as_str()),
            })
            .collect(),
        Some(Context::PropertyKey { word }) => property_keys(ws, word),
        Some(Context::FrontMatterKey { word }) => FRONT_MATTER_KEYS
            .iter()
            .enumerate()
            .map(|(i, (k, d))| CompletionItem {
                label: (*k).into(),
                kind: CompletionKind::FrontMatterKey,
                detail: Some((*d).into()),
                documentation: None,
                filter_text: (*k).into(),
                sort_text: format!("{i:02}"),
                edit: TextEdit::new(word, format!("{k}: ")),
            })
            .collect(),
        None => Vec::new(),
    }
}

fn ids(
    ws: &Workspace,
    file: FileId,
    data: &FileData,
    word: Span,
    speaker: bool,
) -> Vec<CompletionItem> {
    let mut in_file: HashMap<&str, usize> = HashMap::new();
    for r in data.references.iter().filter(|r| r.is_mention()) {
        // The word being typed is not a use.
        if r.span != word {
            *in_file.entry(r.id.as_str()).or_default() += 1;
        }
    }
    let mut in_ws: HashMap<String, usize> = HashMap::new();
    for (_, f) in ws.files() {
        for r in f.references.iter().filter(|r| r.is_mention()) {
            *in_ws.entry(r.id.clone()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    let mut all: Vec<&str> = ws.all_definitions().map(|(id, _)| id).collect();
    all.sort_unstable();
    for id in all {
        let (kind, detail, doc) = match ws.resolve(file, id) {
            Resolution::Local(d) | Resolution::Workspace(d) => {
                let Some(e) = ws.entity(d) else { continue };
                let mut detail = format!(
                    "{} · {}",
                    e.display_name(),
                    e.kind.map_or("?", |k| k.as_str())
                );
                if let Some(role) = e.property("role") {
                    detail.push_str(" · ");
                    detail.push_str(role);
                }
                let doc = format!("Defined in `{}`", ws.key(d.file));
                (e.kind, detail, Some(doc))
            }
            Resolution::Ambiguous(defs) => {
                let files: Vec<&str> = defs.iter().map(|d| ws.key(d.file)).collect();
                (
                    None,
                    format!("ambiguous: defined in {}", files.join(", ")),
                    None,
                )
            }
            Resolution::Undefined => continue,
        };
        let names: Vec<&str> = ws
            .definitions(id)
            .iter()
            .filter_map(|d| ws.entity(*d))
            .flat_map(|e| e.names())
            .collect();
        let here = in_file.get(id).copied().unwrap_or(0);
        let there = in_ws.get(id).copied().unwrap_or(0);
        let speaks = !speaker || kind.is_some_and(EntityKind::can_speak);
        out.push(CompletionItem {
            label: id.to_string(),
            kind: CompletionKind::Entity(kind),
            detail: Some(detail),
            documentation: doc,
            filter_text: std::iter::once(id)
                .chain(names)
                .collect::<Vec<_>>()
                .join(" "),
            // Lower sorts first: speakers (in attribute blocks), then use in this file, then in
            // the workspace, then the ID.
            sort_text: format!(
                "{}{:06}{:06}{id}",
                u8::from(!speaks),
                999_999 - here.min(999_999),
                999_999 - there.min(999_999)
            ),
            edit: TextEdit::new(word, id),
        });
    }
    out.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    out
}

fn property_keys(ws: &Workspace, word: Span) -> Vec<CompletionItem> {
    let mut keys: BTreeMap<String, (usize, Option<&str>)> = BTreeMap::new();
    for (k, d) in PROPERTY_KEYS {
        keys.insert((*k).to_string(), (0, Some(d)));
    }
    for (_, f) in ws.files() {
        for e in &f.entities {
            for p in &e.properties {
                keys.entry(p.key.clone()).or_insert((0, None)).0 += 1;
            }
        }
    }
    let mut out: Vec<CompletionItem> = keys
        .into_iter()
        .map(|(k, (uses, desc))| CompletionItem {
            label: k.clone(),
            kind: CompletionKind::PropertyKey,
            detail: Some(match desc {
                Some(d) => d.to_string(),
                None => format!("used {uses} times in the workspace"),
            }),
            documentation: None,
            filter_text: k.clone(),
            sort_text: format!("{:06}{k}", 999_999 - uses.min(999_999)),
            edit: TextEdit::new(word, format!("{k}: ")),
        })
        .collect();
    out.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    out
}
