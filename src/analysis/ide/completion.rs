//! Completion of entity IDs, kinds, property keys and front matter keys.

use super::{clamp_offset, TextEdit};
use crate::analysis::workspace::resolution;
use crate::analysis::{EntityKind, EntityRef, FileData, FileId, Resolution, Workspace};
use crate::syntax::{may_precede_mention, Block, Span};
use std::collections::BTreeMap;

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
    /// `colon`: the line already has the `:` after the word.
    PropertyKey {
        word: Span,
        colon: bool,
    },
    FrontMatterKey {
        word: Span,
        colon: bool,
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
    let colon = text[wend..line_end].trim_start().starts_with(':');

    if in_front_matter(text, line_start) && !before.contains(':') {
        let s = before.trim_start();
        return (s.chars().all(is_id_char) && line_start + before.len() - s.len() == wstart)
            .then_some(Context::FrontMatterKey { word, colon });
    }

    if let Some(p) = prefix.strip_suffix('@') {
        let prev = p.chars().next_back();
        // An attribute block follows a closing quotation mark; `]{@` is a span mention.
        let after_mark = p.strip_suffix('{').and_then(|b| b.chars().next_back());
        let speaker = p.ends_with("via=")
            || after_mark.is_some_and(|c| matches!(c, '"' | '”' | '“' | '»' | '\'' | '’'));
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
            return Some(Context::PropertyKey { word, colon });
        }
    }
    None
}

/// Whether the line starting at `line_start` lies between the opening `---` of the file and a
/// closing `---` line (the parse may have cut the front matter short at a half-typed line).
fn in_front_matter(text: &str, line_start: usize) -> bool {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let skip = text.len() - body.len();
    let mut lines = body.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return false;
    }
    let mut at = skip + body.split_inclusive('\n').next().map_or(0, str::len);
    if line_start < at {
        return false;
    }
    for l in lines {
        if l.trim_end() == "---" {
            return line_start < at;
        }
        at += l.len();
    }
    false
}

/// Whether `offset` is in a definition block or on an indented line right after one (a
/// property being typed).
fn in_definition(data: &FileData, offset: usize) -> bool {
    data.parse().blocks.iter().any(|b| match b {
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

/// How many of the first bytes of `data`'s text the [`completion`] list at `offset` depends on
/// (besides which IDs the file references and the workspace's index of IDs), so that a server
/// can keep the list while edits further down leave those bytes as they were: through the first blank line from the position's
/// line on. Its context is read from its line and the text before it; whether it is in a
/// definition, from the definition's lines, which end at a blank line; and a reference whose
/// ID is the word at the position reaches no further than its own end.
pub fn completion_depends_on(data: &FileData, offset: usize) -> usize {
    let text = &data.text;
    let offset = clamp_offset(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut end = text.len() + 1;
    let mut at = line_start;
    while let Some(i) = text[at..].find('\n') {
        let next = at + i + 1;
        if at > offset && text[at..next].trim().is_empty() {
            end = next;
            break;
        }
        at = next;
    }
    // The line of the position may itself be the blank one.
    if let Some(i) = text[line_start..].find('\n') {
        if text[line_start..line_start + i].trim().is_empty() {
            end = end.min(line_start + i + 1);
        }
    }
    let word_refs = data
        .references
        .iter()
        .filter(|r| r.span.start <= offset && offset <= r.span.end)
        .map(|r| r.full_span().end.max(r.span.end) + 1);
    word_refs.fold(end, usize::max)
}

/// Completions at `offset` in `file`:
///
/// - after `@` in prose, in a property value, after `{@` / `[…]{@` / `via=@`: every ID defined
///   in the workspace, with its display name, kind and role as detail, ranked by mentions in
///   this file, then by how many other files reference it (read from the workspace index, so a
///   request costs O(entities + this file), not O(workspace)); in an attribute block, kinds that
///   can speak come first;
/// - after `@ID: ` on a definition line: the entity kinds;
/// - at the start of an indented property line of a definition: known property keys and the
///   keys used elsewhere in the workspace;
/// - in the front matter, before the colon: the known front matter keys.
///
/// Filtering by what was typed is left to the client: `filter_text` and `sort_text` are given,
/// and `edit` replaces the whole word around the cursor. Nothing elsewhere (an `@` in an e-mail
/// address, plain prose).
pub fn completion(ws: &Workspace, file: FileId, offset: usize) -> Vec<CompletionItem> {
    completion_limited(ws, file, offset, usize::MAX).0
}

/// [`completion`] for a server: when there are more than `limit` items, only those whose ID or
/// names contain what was typed before the cursor (case-insensitively), and of those the best
/// `limit`, in rank order; the flag says whether items were left out. IDs are ranked before
/// their items are built, so a request costs little more than `limit` items.
pub fn completion_limited(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    limit: usize,
) -> (Vec<CompletionItem>, bool) {
    let Some(data) = ws.file(file) else {
        return (Vec::new(), false);
    };
    let offset = clamp_offset(&data.text, offset);
    let items = match context(data, offset) {
        Some(Context::Id { word, speaker }) => {
            let typed = &data.text[word.start.min(offset)..offset];
            return ids(ws, file, data, word, speaker, typed, limit);
        }
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
        Some(Context::PropertyKey { word, colon }) => property_keys(ws, word, colon),
        Some(Context::FrontMatterKey { word, colon }) => FRONT_MATTER_KEYS
            .iter()
            .enumerate()
            .map(|(i, (k, d))| CompletionItem {
                label: (*k).into(),
                kind: CompletionKind::FrontMatterKey,
                detail: Some((*d).into()),
                documentation: None,
                filter_text: (*k).into(),
                sort_text: format!("{i:02}"),
                edit: TextEdit::new(word, key_text(k, colon)),
            })
            .collect(),
        None => Vec::new(),
    };
    let incomplete = items.len() > limit;
    (items.into_iter().take(limit).collect(), incomplete)
}

fn ids(
    ws: &Workspace,
    file: FileId,
    data: &FileData,
    word: Span,
    speaker: bool,
    typed: &str,
    limit: usize,
) -> (Vec<CompletionItem>, bool) {
    // The file's references by ID: mentions count for the rank (the word being typed is not a
    // use), and any reference makes this file one of the ID's users.
    let mut refs: Vec<(&str, bool)> = data
        .references
        .iter()
        .map(|r| (r.id.as_str(), r.is_mention() && r.span != word))
        .collect();
    refs.sort_unstable();
    // Rank every ID from cached per-ID data (sorted by ID, so the file's references are met in
    // one merge), and build items (strings) only for those sent.
    let summaries = ws.id_summaries();
    let counts = ws.user_counts();
    // Too many: keep those whose ID or names contain what was typed before the cursor.
    let typed = typed.to_lowercase();
    let filter = summaries.len() > limit && !typed.is_empty();
    // Lower sorts first: speakers (in attribute blocks), then mentions in this file, then the
    // number of other files that reference the ID, then the ID (the summary's index); packed
    // in one integer, which is what the selection below compares 2,000 times.
    let rank = |not_speaks: bool, here: usize, there: usize, i: usize| -> u128 {
        let inv = |n: usize| u128::from(u32::MAX - n.min(u32::MAX as usize) as u32);
        (u128::from(not_speaks) << 96) | (inv(here) << 64) | (inv(there) << 32) | i as u128
    };
    let mut ranked: Vec<(u128, bool, usize, usize, usize)> = Vec::new();
    let mut at = 0;
    for (i, s) in summaries.iter().enumerate() {
        while refs.get(at).is_some_and(|r| r.0 < s.id.as_str()) {
            at += 1;
        }
        let mut here = 0;
        let mut user = false;
        while let Some(r) = refs.get(at).filter(|r| r.0 == s.id) {
            user = true;
            here += usize::from(r.1);
            at += 1;
        }
        if filter && !s.filter_lower.contains(&typed) {
            continue;
        }
        let kind = match s.defs.iter().find(|d| d.file == file) {
            Some(d) => match ws.entity(*d) {
                Some(e) => e.kind,
                None => continue,
            },
            None => match &s.kind {
                Some(k) => *k,
                None if s.defs.is_empty() => continue,
                None => None,
            },
        };
        let there = counts.get(i).map_or(0, |&n| n as usize - usize::from(user));
        let speaks = !speaker || kind.is_some_and(EntityKind::can_speak);
        ranked.push((rank(!speaks, here, there, i), !speaks, here, there, i));
    }
    let incomplete = ranked.len() > limit;
    if incomplete {
        ranked.select_nth_unstable_by_key(limit, |r| r.0);
        ranked.truncate(limit);
    }
    ranked.sort_unstable_by_key(|r| r.0);
    let items = ranked
        .into_iter()
        .filter_map(|(_, not_speaks, here, there, i)| {
            let s = &summaries[i];
            let id = s.id.as_str();
            let (kind, detail, doc) = match resolution(file, &s.defs) {
                Resolution::Local(d) | Resolution::Workspace(d) => {
                    let e = ws.entity(d)?;
                    let (detail, doc) = match &s.single {
                        // The one definition: its strings are cached.
                        Some((detail, doc)) if s.defs == [d] => (detail.clone(), doc.clone()),
                        _ => entity_detail(ws, d)?,
                    };
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
                Resolution::Undefined => return None,
            };
            Some(CompletionItem {
                label: id.to_string(),
                kind: CompletionKind::Entity(kind),
                detail: Some(detail),
                documentation: doc,
                filter_text: s.filter_text.clone(),
                sort_text: sort_text(not_speaks, here, there, id),
                edit: TextEdit::new(word, id),
            })
        })
        .collect();
    (items, incomplete)
}

/// `{0|1}{999999 - here:06}{999999 - there:06}{id}` (without `format!`: built for every item).
fn sort_text(not_speaks: bool, here: usize, there: usize, id: &str) -> String {
    let mut out = String::with_capacity(13 + id.len());
    out.push(if not_speaks { '1' } else { '0' });
    for n in [here, there] {
        let v = 999_999 - n.min(999_999);
        for d in [100_000, 10_000, 1_000, 100, 10, 1] {
            out.push(char::from(b'0' + (v / d % 10) as u8));
        }
    }
    out.push_str(id);
    out
}

/// An entity's one-line detail (display name, kind, role) and where it is defined.
pub(crate) fn entity_detail(ws: &Workspace, d: EntityRef) -> Option<(String, String)> {
    let e = ws.entity(d)?;
    let mut detail = format!(
        "{} · {}",
        e.display_name(),
        e.kind.map_or("?", |k| k.as_str())
    );
    if let Some(role) = e.property("role") {
        detail.push_str(" · ");
        detail.push_str(role);
    }
    Some((detail, format!("Defined in `{}`", ws.key(d.file))))
}

/// `key: `, or just `key` when the colon is already there.
fn key_text(key: &str, colon: bool) -> String {
    if colon {
        key.to_string()
    } else {
        format!("{key}: ")
    }
}

fn property_keys(ws: &Workspace, word: Span, colon: bool) -> Vec<CompletionItem> {
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
            edit: TextEdit::new(word, key_text(&k, colon)),
        })
        .collect();
    out.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    /// The replaced word, then one line per item in rank order: label, kind, detail, new text.
    fn check(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let items = completion(&f.ws, file, offset);
        let Some(first) = items.first() else {
            return "none".into();
        };
        let mut out = format!("replace {}\n", f.show(file, first.edit.span));
        for i in &items {
            assert_eq!(i.edit.span, first.edit.span, "one word is replaced");
            let kind = match i.kind {
                CompletionKind::Entity(k) => k.map_or("entity ?", |k| k.as_str()),
                CompletionKind::EntityKind => "kind",
                CompletionKind::PropertyKey => "key",
                CompletionKind::FrontMatterKey => "front matter",
            };
            out.push_str(&format!(
                "{} [{kind}] {} => {:?}\n",
                i.label,
                i.detail.as_deref().unwrap_or(""),
                i.edit.new_text
            ));
        }
        out
    }

    // Other files referencing each ID: kyiv 3, mfa 2, lavrov 1 (the registry's `head:`).
    const WS: &str = "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n  role: Minister of Foreign Affairs\n  aka: Лавров\n@kyiv: place \"Kyiv\"\n@mfa: org \"MFA\"\n  head: @lavrov\n//- /other.nmk\n@kyiv @kyiv @kyiv\n//- /more.nmk\n@kyiv @mfa\n//- /third.nmk\n@kyiv @mfa\n";

    /// The text from the cursor to where the list stops depending on it (`…+1` past the end:
    /// text added at the end would count).
    fn depends(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let text = f.text(file);
        let end = completion_depends_on(f.ws.file(file).unwrap(), offset);
        match end.checked_sub(text.len() + 1) {
            Some(0) => format!("{:?}+1", &text[offset..]),
            Some(_) => panic!("{end} is past the end and one"),
            None => format!("{:?}", &text[offset..end]),
        }
    }

    #[test]
    fn a_list_depends_on_the_text_through_its_paragraph() {
        // Prose: through the first blank line after the cursor's line.
        assert_eq!(
            depends("Then @$0 said\nmore words\n\nNext paragraph\n"),
            r#"" said\nmore words\n\n""#
        );
        // On a blank line: that line is the end.
        assert_eq!(depends("One.\n$0\nTwo.\n"), r#""\n""#);
        // No blank line after it: the whole text, and text appended later.
        assert_eq!(depends("Then @la$0"), r#"""+1"#);
        // A definition's lines end at a blank line too.
        assert_eq!(
            depends("@x: person \"X\"\n  head: @$0\n  role: y\n\n@y: org \"Y\"\n"),
            r#""\n  role: y\n\n""#
        );
    }

    #[test]
    fn an_offset_inside_a_character_is_floored() {
        let f = Fixture::new("«Привет» @$0\n\nrest\n");
        let (file, offset) = f.cursor();
        let data = f.ws.file(file).unwrap();
        // Byte 1 is inside `«`: the same answer as at its start, not a panic.
        assert_eq!(
            completion_depends_on(data, 1),
            completion_depends_on(data, 0)
        );
        assert_eq!(completion_depends_on(data, offset), offset + 2);
    }

    #[test]
    fn ids_after_at_ranked_by_use_in_file_then_workspace() {
        insta::assert_snapshot!(check(&format!("{WS}//- /a.nmk\n@mfa met @lavrov — then @$0\n")), @r#"
            replace /a.nmk 27..27 ""
            mfa [org] MFA · org => "mfa"
            lavrov [person] Sergey Lavrov · person · Minister of Foreign Affairs => "lavrov"
            kyiv [place] Kyiv · place => "kyiv"
            "#);
    }

    #[test]
    fn limited_lists_keep_the_best_ranked_matches_of_what_was_typed() {
        let labels = |items: &[CompletionItem]| -> Vec<String> {
            items.iter().map(|i| i.label.clone()).collect()
        };
        let f = Fixture::new(&format!("{WS}//- /a.nmk\n@mfa met @lavrov — then @$0\n"));
        let (file, offset) = f.cursor();
        let full = completion(&f.ws, file, offset);
        let (top, incomplete) = completion_limited(&f.ws, file, offset, 2);
        assert!(incomplete);
        assert_eq!(labels(&top), labels(&full[..2]));
        assert_eq!(top, full[..2].to_vec(), "the same items as the full list");
        assert_eq!(completion_limited(&f.ws, file, offset, 3), (full, false));
        // Over the limit, only IDs or names containing the typed text (any case) stay.
        for (typed, want) in [("KY", "kyiv"), ("sergey", "lavrov"), ("fA", "mfa")] {
            let f = Fixture::new(&format!("{WS}//- /a.nmk\nThen @{typed}$0\n"));
            let (file, offset) = f.cursor();
            let (items, incomplete) = completion_limited(&f.ws, file, offset, 1);
            assert_eq!(
                (labels(&items), incomplete),
                (vec![want.to_string()], false),
                "{typed}"
            );
        }
    }

    #[test]
    fn partial_id_is_replaced_whole() {
        let out = check(&format!("{WS}//- /a.nmk\nThen «@la$0vr» said.\n"));
        assert!(out.starts_with("replace /a.nmk 8..12 \"lavr\"\n"), "{out}");
    }

    #[test]
    fn speakers_first_in_attribute_blocks() {
        // kyiv is used most, but a place cannot speak.
        insta::assert_snapshot!(check(&format!("{WS}//- /a.nmk\n“Да, мы готовы,”{{@$0}}\n")), @r#"
            replace /a.nmk 32..32 ""
            mfa [org] MFA · org => "mfa"
            lavrov [person] Sergey Lavrov · person · Minister of Foreign Affairs => "lavrov"
            kyiv [place] Kyiv · place => "kyiv"
            "#);
        let via = check(&format!(
            "{WS}//- /a.nmk\n“Да, мы готовы,”{{@lavrov via=@m$0}}\n"
        ));
        // Prose mentions rank; the attribute block's own speaker is no mention.
        assert!(via.starts_with("replace /a.nmk 44..45 \"m\"\nmfa"), "{via}");
        let span = check(&format!("{WS}//- /a.nmk\n[Лавров]{{@$0}} 😀\n"));
        assert!(
            span.starts_with("replace /a.nmk 16..16 \"\"\nkyiv"),
            "{span}"
        );
    }

    #[test]
    fn ids_in_property_values() {
        let out = check(&format!(
            "{WS}//- /a.nmk\n@x: person \"X\"\n  member-of: @$0\n"
        ));
        assert!(out.contains("mfa [org] MFA · org"), "{out}");
    }

    #[test]
    fn no_ids_in_email_addresses_or_plain_prose() {
        assert_eq!(check(&format!("{WS}//- /a.nmk\nreporter@$0\n")), "none");
        assert_eq!(check(&format!("{WS}//- /a.nmk\nplain te$0xt\n")), "none");
    }

    #[test]
    fn ambiguous_ids_say_so() {
        let out = check(
            "//- /one.nmk\n@x: person \"X\"\n//- /two.nmk\n@x: person \"X\"\n//- /a.nmk\n@$0\n",
        );
        assert!(
            out.contains("x [entity ?] ambiguous: defined in /one.nmk, /two.nmk"),
            "{out}"
        );
    }

    #[test]
    fn kinds_after_the_colon_of_a_definition() {
        insta::assert_snapshot!(check("@x: pe$0\n"), @r#"
            replace /main.nmk 4..6 "pe"
            person [kind] a person => "person"
            org [kind] an organisation => "org"
            place [kind] a place => "place"
            agreement [kind] an agreement, treaty or format => "agreement"
            event [kind] an event => "event"
            work [kind] a document, report, law or publication => "work"
            other [kind] anything else => "other"
            "#);
        assert_eq!(check("@x:$0\n"), "none");
        assert!(check("@x:  $0\n").starts_with("replace /main.nmk 5..5"));
        assert_eq!(check("@x: person \"X$0\"\n"), "none");
    }

    #[test]
    fn property_keys_known_and_used_in_the_workspace() {
        insta::assert_snapshot!(check("//- /r.nmk\n@y: person \"Y\"\n  party: A\n//- /a.nmk\n@x: person \"X\"\n  party: B\n  ro$0\n"), @r#"
            replace /a.nmk 28..30 "ro"
            party [key] used 2 times in the workspace => "party: "
            aka [key] aliases, separated by `;` => "aka: "
            born [key] date of birth, ISO 8601 (`1950-03-21`) => "born: "
            country [key] `@id` of a country => "country: "
            date [key] date, ISO 8601 (`2016`, `2016-12`, `2016-12-15`) => "date: "
            located-in [key] `@id` of a place => "located-in: "
            member-of [key] `@id` of an organisation => "member-of: "
            note [key] free text => "note: "
            parties [key] `@id`s of the parties => "parties: "
            role [key] what the entity is or does (a title, a function) => "role: "
            signed [key] date of signature, ISO 8601 => "signed: "
            status [key] free text => "status: "
            url [key] a web address => "url: "
            wikidata [key] Wikidata item, `Q` followed by digits => "wikidata: "
            "#);
        // With a colon already there, only the key is replaced.
        let out = check("@x: person \"X\"\n  ro$0le: B\n");
        assert!(
            out.contains("role [key] what the entity is or does (a title, a function) => \"role\""),
            "{out}"
        );
        // Not on the value side, not in prose.
        assert_eq!(check("@x: person \"X\"\n  role: Mi$0\n"), "none");
        assert_eq!(check("Text\n  ro$0\n"), "none");
    }

    #[test]
    fn front_matter_keys() {
        let out = check("---\nti$0\n---\nText\n");
        assert!(
            out.starts_with(
                "replace /main.nmk 4..6 \"ti\"\ntitle [front matter] the headline => \"title: \""
            ),
            "{out}"
        );
        assert_eq!(check("---\ntitle: A$0\n---\n"), "none");
    }
}
