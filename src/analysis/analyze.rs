//! The semantic pass over one file in its workspace: resolution, attribution and every check.

use super::attribution::{self, Attribution, AttributionKind};
use super::diagnostic::{Code, Diagnostic, FixData, Related};
use super::entity::{Entity, EntityKind};
use super::file::{FileData, RefRole};
use super::names::NameMatcher;
use super::properties::check_property;
use super::workspace::{EntityRef, FileId, Resolution, Workspace};
use crate::syntax::{is_valid_id, Block, InlineKind, Span};
use fnv::FnvHashMap as FnvMap;

/// Everything known about one file once the workspace is taken into account.
#[derive(Clone, Debug, Default)]
pub struct FileAnalysis {
    /// Parallel to `FileData::references`.
    pub resolutions: Vec<Resolution>,
    /// Parallel to `Parse::quotes`.
    pub attributions: Vec<Attribution>,
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Workspace {
    /// Analyse one file against the workspace. Pure: the caller decides what to cache.
    pub fn analyze(&self, file: FileId) -> FileAnalysis {
        let Some(data) = self.file(file) else {
            return FileAnalysis::default();
        };
        // Each ID resolved once: a file mentions few entities many times.
        let mut memo: FnvMap<&str, Resolution> = FnvMap::default();
        // The IDs in the order of their first reference, for `unlinked-mention`'s cast (a
        // second hashing pass over every reference cost as much as this one).
        let mut referenced: Vec<&str> = Vec::new();
        let resolutions: Vec<Resolution> = data
            .references
            .iter()
            .map(|r| {
                memo.entry(r.id.as_str())
                    .or_insert_with(|| {
                        referenced.push(r.id.as_str());
                        self.resolve(file, &r.id)
                    })
                    .clone()
            })
            .collect();
        let entities: FnvMap<&str, Option<&Entity>> = memo
            .iter()
            .map(|(id, res)| (*id, res.entity().and_then(|r| self.entity(r))))
            .collect();
        let lookup = |id: &str| match entities.get(id) {
            Some(e) => *e,
            None => self.resolve_entity(file, id).map(|(_, e)| e),
        };
        let attributions = attribution::attribute(data, &lookup, &self.config().attribution);
        let mut checker = Checker {
            ws: self,
            file,
            data,
            out: Vec::new(),
        };
        checker.syntax();
        checker.definitions();
        checker.references(&resolutions);
        checker.quotes(&attributions, &resolutions, &lookup);
        checker.unlinked_mentions(&referenced, &entities);
        let mut diagnostics = checker.out;
        diagnostics.sort_by_key(|d| (d.span.start, d.code));
        FileAnalysis {
            resolutions,
            attributions,
            diagnostics,
        }
    }
}

struct Checker<'a> {
    ws: &'a Workspace,
    file: FileId,
    data: &'a FileData,
    out: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn push(&mut self, code: Code, span: Span, message: String) -> Option<&mut Diagnostic> {
        let severity = self.ws.config().severity(code)?;
        self.out.push(Diagnostic {
            code,
            severity,
            span,
            message,
            related: Vec::new(),
            fix: None,
        });
        self.out.last_mut()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.data.line_col(offset).0 + 1
    }

    fn syntax(&mut self) {
        for e in &self.data.parse().errors {
            self.push(Code::Syntax, e.span, e.message.clone());
        }
        for q in &self.data.parse().quotes {
            if q.close.is_none() {
                let msg = "quotation is never closed; it is cut off at the end of its paragraph (a quotation continues into the next paragraph only when that paragraph opens with a quotation mark)".to_string();
                self.push(Code::UnclosedQuote, q.open, msg);
            }
        }
        if let Some(fm) = &self.data.parse().front_matter {
            for entry in &fm.entries {
                if let Some(problem) = check_property(&entry.key.text, &entry.value.text) {
                    let msg = format!("front matter `{}`: {problem}", entry.key.text);
                    self.push(Code::BadProperty, entry.value.span, msg);
                }
            }
        }
    }

    fn definitions(&mut self) {
        let key = self.ws.key(self.file).to_string();
        // First definition of each ID in this file (a linear scan per entity is quadratic).
        let mut first_def: FnvMap<&str, usize> = FnvMap::default();
        for (i, e) in self.data.entities.iter().enumerate() {
            first_def.entry(e.id.as_str()).or_insert(i);
        }
        for (i, e) in self.data.entities.iter().enumerate() {
            if let (None, Some((text, span))) = (e.kind, &e.kind_text) {
                let kinds = EntityKind::ALL.map(EntityKind::as_str).join(", ");
                let hint = suggest_kind(text)
                    .map(|k| format!(" (did you mean `{}`?)", k.as_str()))
                    .unwrap_or_default();
                self.push(
                    Code::UnknownKind,
                    *span,
                    format!(
                        "unknown kind `{text}` for `@{}`{hint}; expected one of {kinds}",
                        e.id
                    ),
                );
            }
            for p in &e.properties {
                if let Some(problem) = check_property(&p.key, &p.value) {
                    let msg = format!("`{}` of `@{}`: {problem}", p.key, e.id);
                    self.push(Code::BadProperty, p.value_span, msg);
                }
            }
            // Defined twice in this file.
            if let Some(fe) = first_def
                .get(e.id.as_str())
                .filter(|&&f| f != i)
                .map(|&f| &self.data.entities[f])
            {
                let line = self.line_of(fe.id_span.start);
                let fspan = fe.id_span;
                if let Some(d) = self.push(
                    Code::DuplicateDefinition,
                    e.id_span,
                    format!("`@{}` is already defined in this file at line {line}", e.id),
                ) {
                    d.related.push(Related {
                        file: key.clone(),
                        span: fspan,
                        message: "first definition".into(),
                    });
                }
                continue;
            }
            // A definition with a malformed ID (already a syntax error) can be neither
            // mentioned nor hidden: further checks would only repeat that error.
            if !is_valid_id(&e.id) {
                continue;
            }
            let used_here = self.ws.users(&e.id).any(|f| f == self.file);
            let defs = self.ws.definitions(&e.id);
            // The local definition hides the others only where this file mentions the ID.
            if used_here && defs.iter().any(|r| r.file != self.file) {
                let elsewhere = by_key(
                    self.ws,
                    defs.iter().filter(|r| r.file != self.file).copied(),
                );
                let files = file_list(self.ws, &elsewhere);
                // Sized once: `collect` of a `filter_map` grew it from four.
                let mut related = Vec::with_capacity(elsewhere.len().min(MAX_LISTED));
                related.extend(elsewhere.iter().take(MAX_LISTED).filter_map(|r| {
                    Some(Related {
                        file: self.ws.key(r.file).to_string(),
                        span: self.ws.entity(*r)?.id_span,
                        message: "hidden definition".into(),
                    })
                }));
                if let Some(d) = self.push(
                    Code::ShadowedDefinition,
                    e.id_span,
                    [
                        "`@",
                        &e.id,
                        "` here hides the definition in ",
                        &files,
                        "; mentions in this file use this one",
                    ]
                    .concat(),
                ) {
                    d.related = related;
                }
            }
            // Used when this file references the ID (its mentions resolve here), or a file that
            // does not define it does (they resolve here, or are ambiguous between definitions,
            // which `duplicate-definition` reports at the mention).
            let used = used_here
                || self
                    .ws
                    .users(&e.id)
                    .any(|f| !defs.iter().any(|r| r.file == f));
            if !used {
                self.push(
                    Code::UnusedEntity,
                    e.id_span,
                    format!(
                        "`@{}` ({}) is never mentioned in the workspace",
                        e.id,
                        e.display_name()
                    ),
                );
            }
        }
    }

    fn references(&mut self, resolutions: &[Resolution]) {
        for (r, res) in self.data.references.iter().zip(resolutions) {
            match res {
                Resolution::Undefined => {
                    let what = match r.role {
                        RefRole::Property { .. } => "reference",
                        RefRole::Speaker { .. } | RefRole::Via { .. } => "attribution",
                        _ => "mention",
                    };
                    if let Some(d) = self.push(
                        Code::UndefinedEntity,
                        r.span,
                        format!(
                            "{what} of `@{}`, which is defined nowhere in the workspace",
                            r.id
                        ),
                    ) {
                        d.fix = Some(FixData::DefineEntity {
                            id: r.id.to_string(),
                        });
                    }
                }
                Resolution::Ambiguous(defs) => {
                    let defs = &by_key(self.ws, defs.iter().copied());
                    let files = file_list(self.ws, defs);
                    let related = defs
                        .iter()
                        .take(MAX_LISTED)
                        .filter_map(|d| {
                            Some(Related {
                                file: self.ws.key(d.file).to_string(),
                                span: self.ws.entity(*d)?.id_span,
                                message: "one of the definitions".into(),
                            })
                        })
                        .collect();
                    if let Some(d) = self.push(
                        Code::DuplicateDefinition,
                        r.span,
                        format!(
                            "`@{}` is defined in several files ({files}), so this mention is ambiguous; define it in this file or keep one definition",
                            r.id,
                        ),
                    ) {
                        d.related = related;
                    }
                }
                _ => {}
            }
        }
    }

    /// `lookup`: the entity an ID resolves to from this file (as `resolve_entity`, memoised).
    fn quotes(
        &mut self,
        attributions: &[Attribution],
        resolutions: &[Resolution],
        lookup: &attribution::Lookup<'_>,
    ) {
        let unattributed_on = self.ws.config().severity(Code::UnattributedQuote).is_some();
        let mut speakers: Option<Vec<(usize, &str)>> = None;
        for (qi, (q, a)) in self
            .data
            .parse()
            .quotes
            .iter()
            .zip(attributions)
            .enumerate()
        {
            match a.kind {
                AttributionKind::None if unattributed_on => {
                    let preview = preview(&attribution::quote_text(self.data, q));
                    let speakers =
                        speakers.get_or_insert_with(|| self.speaking_mentions(resolutions));
                    let candidates = nearest_ids(speakers, q.open.start);
                    if let Some(d) = self.push(
                        Code::UnattributedQuote,
                        Span::new(q.open.start, q.close.map_or(q.content.end, |c| c.end)),
                        match a.cue.as_deref() {
                            Some("continuation") => format!("quotation “{preview}” has no speaker: it continues the words of someone who is not a defined entity; add `{{@id}}` after it, or `{{-}}` if it is not a quotation"),
                            Some(cue) => format!("quotation “{preview}” has no speaker: the subject of “{cue}” is not a defined person, organisation, agreement or work; link it with `[…]{{@id}}` or add `{{@id}}` after the quotation; `{{-}}` marks it as not a quotation"),
                            None => format!("quotation “{preview}” has no speaker: add `{{@id}}` after it or a cue such as “X said”; `{{-}}` marks it as not a quotation"),
                        },
                    ) {
                        d.fix = Some(FixData::AttributeQuote { quote: qi, candidates });
                    }
                }
                AttributionKind::None => {}
                _ => {
                    let Some(speaker) = &a.speaker else { continue };
                    let Some(e) = lookup(speaker) else {
                        continue;
                    };
                    if let Some(kind @ (EntityKind::Place | EntityKind::Event)) = e.kind {
                        let preview = preview(&attribution::quote_text(self.data, q));
                        self.push(
                            Code::SpeakerKind,
                            q.attr.as_ref().map_or(q.open, |at| at.span),
                            format!(
                                "quotation “{preview}” is attributed to `@{speaker}`, which is {}; a speaker is a person, organisation, agreement or work",
                                kind.description()
                            ),
                        );
                    }
                }
            }
        }
    }

    /// Mentions of entities that can speak, in text order: the candidates offered for
    /// unattributed quotations.
    fn speaking_mentions(&self, resolutions: &[Resolution]) -> Vec<(usize, &'a str)> {
        let data: &'a FileData = self.data;
        data.references
            .iter()
            .zip(resolutions)
            .filter(|(r, res)| {
                r.is_mention()
                    && res
                        .entity()
                        .and_then(|e| self.ws.entity(e))
                        .is_some_and(|e| e.kind.is_some_and(EntityKind::can_speak))
            })
            .map(|(r, _)| (r.span.start, r.id.as_str()))
            .collect()
    }
    /// Names and aliases of the file's cast (entities it defines or mentions) that stand in prose
    /// outside any mention.
    ///
    /// `referenced`: the IDs the file references, each once, in the order of their first
    /// reference; `entities`: what each resolves to.
    fn unlinked_mentions(
        &mut self,
        referenced: &[&'a str],
        entities: &FnvMap<&str, Option<&'a Entity>>,
    ) {
        if self.ws.config().severity(Code::UnlinkedMention).is_none() {
            return;
        }
        let data: &'a FileData = self.data;
        // Sized for the whole cast (a name and an alias or so each), not grown by doubling.
        let cast = data.entities.len() + referenced.len();
        let mut names: Vec<(&'a str, usize)> = Vec::with_capacity(2 * cast);
        let mut owners: Vec<&'a str> = Vec::with_capacity(cast);
        let mut add = |id: &'a str, e: &'a super::entity::Entity| {
            let owner = owners.len();
            owners.push(id);
            for n in e.names() {
                // Two characters or more (decoding two, not counting them all).
                if n.chars().nth(1).is_some() && n.chars().any(char::is_uppercase) {
                    names.push((n, owner));
                }
            }
        };
        // The file's cast: what it defines, then what it mentions, each ID once.
        let mut done: FnvMap<&str, ()> = FnvMap::default();
        for e in &data.entities {
            if done.insert(&e.id, ()).is_none() {
                add(&e.id, e);
            }
        }
        for &id in referenced {
            if !done.contains_key(id) {
                if let Some(&Some(e)) = entities.get(id) {
                    add(id, e);
                }
            }
        }
        let matcher = NameMatcher::new(names);
        if matcher.is_empty() {
            return;
        }
        let text = &data.text;
        let found = unlinked_names(&matcher, data, &owners);
        // Often most of the file's diagnostics: room for them at once, not by doubling (each
        // doubling copied every diagnostic so far).
        self.out.reserve(found.len());
        for (span, id) in found {
            let name = span.slice(text);
            if let Some(d) = self.push(
                Code::UnlinkedMention,
                span,
                // `concat` sizes the message once; `format!` grew it several times.
                [
                    "“",
                    name,
                    "” names `@",
                    id,
                    "` but is not linked: write `[",
                    name,
                    "]{@",
                    id,
                    "}`",
                ]
                .concat(),
            ) {
                d.fix = Some(FixData::LinkMention { id: id.to_string() });
            }
        }
    }
}

/// Where the prose of `data` names one of `matcher`'s names, with the owner's ID. Kept out of
/// line so that the scan, with [`NameMatcher::find_in`] inlined into its loop, is compiled the
/// same whatever else the analysis does.
#[inline(never)]
fn unlinked_names<'a>(
    matcher: &NameMatcher<'_>,
    data: &FileData,
    owners: &[&'a str],
) -> Vec<(Span, &'a str)> {
    let text = &data.text;
    let mut found: Vec<(Span, &str)> = Vec::new();
    for block in &data.parse().blocks {
        if !matches!(block, Block::Paragraph(_) | Block::Heading(_)) {
            continue;
        }
        for inline in block.inlines().unwrap_or_default() {
            if inline.kind != InlineKind::Text {
                continue;
            }
            // The whole text, not the run's slice: the scan may read past the run's end.
            let Span { start, end } = inline.span;
            matcher.find_in(text, start, end, |start, end, owner| {
                found.push((Span::new(start, end), owners[owner]));
            });
        }
    }
    found
}

/// Definitions, the first `MAX_LISTED` of them (all that messages name) in file-key order and
/// the rest after them in no order: file IDs follow the order files were loaded (which a
/// parallel indexer does not fix), and messages must not depend on it.
fn by_key(ws: &Workspace, defs: impl Iterator<Item = EntityRef>) -> Vec<EntityRef> {
    // Sized once from the upper bound (a filtered slice): `collect` grew it from four.
    let mut v: Vec<EntityRef> = Vec::with_capacity(defs.size_hint().1.unwrap_or(0));
    v.extend(defs);
    let order = |a: &EntityRef, b: &EntityRef| {
        ws.key(a.file)
            .cmp(ws.key(b.file))
            .then(a.index.cmp(&b.index))
    };
    if v.len() > MAX_LISTED {
        v.select_nth_unstable_by(MAX_LISTED, order);
    }
    let listed = v.len().min(MAX_LISTED);
    v[..listed].sort_by(order);
    v
}

/// How many files a message or a list of related places names before it says "and N more":
/// an ID defined in thousands of files must not make every message thousands of paths long.
const MAX_LISTED: usize = 10;

fn file_list(ws: &Workspace, defs: &[EntityRef]) -> String {
    const IN_MESSAGE: usize = 3;
    // Written in place, sized once: a vector of the names, a formatted count and `join` cost
    // three allocations per message.
    let mut out = String::with_capacity(
        defs.iter()
            .take(IN_MESSAGE)
            .map(|d| ws.key(d.file).len() + 2)
            .sum::<usize>()
            + 16,
    );
    for (i, d) in defs.iter().take(IN_MESSAGE).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(ws.key(d.file));
    }
    let more = defs.len().saturating_sub(IN_MESSAGE);
    if more > 0 {
        use std::fmt::Write as _;
        // Into the string itself: `to_string` allocated the count apart.
        let _ = write!(out, ", {more} more");
    }
    out
}

/// Up to five distinct IDs mentioned nearest to `offset` (`mentions` in text order). The scan
/// stops after a bounded number of mentions: these are suggestions, and a file with a few
/// speakers mentioned many times must not make each quotation cost a pass over the file.
fn nearest_ids(mentions: &[(usize, &str)], offset: usize) -> Vec<String> {
    const WANTED: usize = 5;
    const MAX_STEPS: usize = 256;
    let mut left = mentions.partition_point(|(o, _)| *o < offset);
    let mut right = left;
    let mut out: Vec<&str> = Vec::new();
    for _ in 0..MAX_STEPS {
        if out.len() == WANTED {
            break;
        }
        let take_left = match (left > 0, right < mentions.len()) {
            (true, true) => offset - mentions[left - 1].0 <= mentions[right].0 - offset,
            (true, false) => true,
            (false, true) => false,
            (false, false) => break,
        };
        let id = if take_left {
            left -= 1;
            mentions[left].1
        } else {
            right += 1;
            mentions[right - 1].1
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out.into_iter().map(String::from).collect()
}

/// The kind a misspelt or synonymous kind most likely means.
fn suggest_kind(text: &str) -> Option<EntityKind> {
    let lower = text.to_lowercase();
    if let Some(k) = EntityKind::parse(&lower) {
        return Some(k);
    }
    Some(match lower.as_str() {
        "people" | "individual" | "per" => EntityKind::Person,
        "organisation" | "organization" | "organ" | "company" | "institution" | "party"
        | "ministry" | "agency" => EntityKind::Org,
        "location" | "loc" | "country" | "city" | "region" | "gpe" => EntityKind::Place,
        "treaty" | "deal" | "accord" | "format" => EntityKind::Agreement,
        "meeting" | "summit" | "conference" => EntityKind::Event,
        "document" | "report" | "law" | "publication" | "book" | "article" => EntityKind::Work,
        "misc" => EntityKind::Other,
        _ => return None,
    })
}

/// The first words of a quotation, for messages: white space collapsed, at most 40 characters
/// and an ellipsis when cut. Reads only as far as it needs.
pub fn preview(text: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        let sep = (chars > 0).then_some(' ');
        for c in sep.into_iter().chain(word.chars()) {
            if chars == MAX {
                let cut = out.trim_end().len();
                out.truncate(cut);
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ids_are_distinct_and_nearest_first() {
        let m = [
            (10, "a"),
            (20, "b"),
            (30, "a"),
            (100, "c"),
            (105, "d"),
            (300, "e"),
            (400, "f"),
        ];
        assert_eq!(nearest_ids(&m, 98), ["c", "d", "a", "b", "e"]);
        assert_eq!(nearest_ids(&m, 0), ["a", "b", "c", "d", "e"]);
        assert_eq!(nearest_ids(&m, 1000), ["f", "e", "d", "c", "a"]);
        assert!(nearest_ids(&[], 5).is_empty());
    }

    #[test]
    fn previews() {
        assert_eq!(preview("  short\n quote "), "short quote");
        let exactly = "a".repeat(40);
        assert_eq!(preview(&exactly), exactly);
        assert_eq!(
            preview("We plan to clarify Russia's principal position on setting up"),
            "We plan to clarify Russia's principal po…"
        );
        assert_eq!(
            preview(&format!("{} b", "a".repeat(39))),
            format!("{}…", "a".repeat(39))
        );
        assert_eq!(preview(""), "");
    }

    #[test]
    fn kind_suggestions() {
        assert_eq!(suggest_kind("Person"), Some(EntityKind::Person));
        assert_eq!(suggest_kind("organization"), Some(EntityKind::Org));
        assert_eq!(suggest_kind("treaty"), Some(EntityKind::Agreement));
        assert_eq!(suggest_kind("xyzzy"), None);
    }

    use crate::config::Config;

    #[test]
    fn many_definitions_elsewhere_are_summarised() {
        let mut ws = Workspace::new(Config::default());
        for i in 0..20 {
            ws.set_file(
                &format!("f{i:02}.nmk"),
                "@x: person \"X\"\n\n@x spoke.\n".into(),
            );
        }
        let user = ws.set_file("user.nmk", "Hello @x.\n".into()).file.unwrap();
        let a = ws.analyze(user);
        let d = a
            .diagnostics
            .iter()
            .find(|d| d.code == Code::DuplicateDefinition)
            .expect("ambiguous mention");
        assert!(
            d.message.contains("(f00.nmk, f01.nmk, f02.nmk, 17 more)"),
            "{}",
            d.message
        );
        assert_eq!(d.related.len(), MAX_LISTED);

        let f0 = ws.file_id("f00.nmk").unwrap();
        let a = ws.analyze(f0);
        let d = a
            .diagnostics
            .iter()
            .find(|d| d.code == Code::ShadowedDefinition)
            .expect("shadowed");
        assert!(
            d.message.contains("f01.nmk, f02.nmk, f03.nmk, 16 more"),
            "{}",
            d.message
        );
    }

    #[test]
    fn definitions_elsewhere_are_listed_by_file_name_not_load_order() {
        let mut ws = Workspace::new(Config::default());
        for name in ["c.nmk", "a.nmk", "b.nmk"] {
            ws.set_file(name, "@x: person \"X\"\n".into());
        }
        let user = ws.set_file("user.nmk", "@x\n".into()).file.unwrap();
        let a = ws.analyze(user);
        let d = &a.diagnostics[0];
        assert_eq!(d.code, Code::DuplicateDefinition);
        assert!(d.message.contains("(a.nmk, b.nmk, c.nmk)"), "{}", d.message);
        let files: Vec<_> = d.related.iter().map(|r| r.file.as_str()).collect();
        assert_eq!(files, ["a.nmk", "b.nmk", "c.nmk"]);
        let own = ws
            .set_file("own.nmk", "@x: person \"X\"\n@x\n".into())
            .file
            .unwrap();
        let a = ws.analyze(own);
        let d = a
            .diagnostics
            .iter()
            .find(|d| d.code == Code::ShadowedDefinition)
            .unwrap();
        assert!(d.message.contains("a.nmk, b.nmk, c.nmk"), "{}", d.message);
    }

    #[test]
    fn duplicate_in_one_file_points_at_the_first() {
        let mut ws = Workspace::new(Config::default());
        let f = ws
            .set_file("a.nmk", "@x: person \"X\"\n\n@y: person \"Y\"\n\n@x: person \"X2\"\n\n@x: org \"X3\"\n\n@x @y\n".into())
            .file
            .unwrap();
        let dups: Vec<_> = ws
            .analyze(f)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::DuplicateDefinition)
            .collect();
        assert_eq!(dups.len(), 2);
        for d in dups {
            assert!(d.message.contains("at line 1"), "{}", d.message);
            assert_eq!(d.related[0].span, Span::new(1, 2));
        }
    }
}
