//! Document symbols (the outline) and workspace symbols (entities by ID, name and alias).

use crate::analysis::{preview, EntityKind, FileAnalysis, FileId, Workspace};
use crate::syntax::{Block, Span};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A heading and everything up to the next heading of the same or a higher level.
    Section,
    /// An entity definition; `None` when its kind is missing or unknown.
    Entity(Option<EntityKind>),
    /// A quotation.
    Quotation,
    /// The front matter.
    FrontMatter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole construct.
    pub span: Span,
    /// What to select when the symbol is picked (the heading text, the ID, the opening mark);
    /// inside `span`.
    pub selection_span: Span,
    pub children: Vec<DocumentSymbol>,
}

/// The outline of `file`: the front matter, then sections by heading, nested by level; each
/// section holds the definitions (named `@id`, detailed by display name and kind) and the
/// quotations (named by speaker and first words) that stand in it, in text order. Content
/// before the first heading is at the top level. Nested quotations are left out. `analysis`
/// supplies the quotations' speakers.
pub fn document_symbols(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
) -> Vec<DocumentSymbol> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let text = &data.text;
    // Flat list of (heading level or None, symbol) in text order.
    let mut flat: Vec<(Option<u8>, DocumentSymbol)> = Vec::new();
    if let Some(fm) = &data.parse.front_matter {
        let title = data.meta("title").map(str::to_string);
        flat.push((
            None,
            DocumentSymbol {
                name: "front matter".into(),
                detail: title,
                kind: SymbolKind::FrontMatter,
                span: fm.span,
                selection_span: Span::new(fm.span.start, fm.span.start + 3.min(fm.span.len())),
                children: Vec::new(),
            },
        ));
    }
    let mut entity = 0;
    let blocks = &data.parse.blocks;
    for (bi, block) in blocks.iter().enumerate() {
        match block {
            Block::Heading(h) => {
                // A section runs to the end of its last block before the next heading of the
                // same or a higher level.
                let end = blocks[bi + 1..]
                    .iter()
                    .take_while(|n| !matches!(n, Block::Heading(o) if o.level <= h.level))
                    .map(|n| n.span().end)
                    .max()
                    .unwrap_or(h.span.end);
                let name = h.text.slice(text).trim();
                flat.push((
                    Some(h.level),
                    DocumentSymbol {
                        name: if name.is_empty() {
                            "(untitled section)".into()
                        } else {
                            name.to_string()
                        },
                        detail: None,
                        kind: SymbolKind::Section,
                        span: Span::new(h.span.start, end.max(h.span.end)),
                        selection_span: if h.text.is_empty() { h.span } else { h.text },
                        children: Vec::new(),
                    },
                ));
            }
            Block::Definition(_) => {
                let Some(e) = data.entities.get(entity) else {
                    continue;
                };
                entity += 1;
                let kind = e
                    .kind
                    .map(|k| k.as_str().to_string())
                    .or_else(|| e.kind_text.as_ref().map(|(t, _)| t.clone()))
                    .unwrap_or_default();
                flat.push((
                    None,
                    DocumentSymbol {
                        name: format!("@{}", e.id),
                        detail: Some(format!("{} · {kind}", e.display_name())),
                        kind: SymbolKind::Entity(e.kind),
                        span: e.span,
                        selection_span: e.id_span,
                        children: Vec::new(),
                    },
                ));
            }
            _ => {}
        }
    }
    for (qi, q) in data.parse.quotes.iter().enumerate() {
        if q.nested {
            continue;
        }
        let words = preview(q.content.slice(text));
        let speaker = analysis
            .attributions
            .get(qi)
            .and_then(|a| a.speaker.as_deref())
            .map(|s| match ws.resolve_entity(file, s) {
                Some((_, e)) => e.display_name().to_string(),
                None => format!("@{s}"),
            });
        let name = match &speaker {
            Some(s) => format!("{s}: “{words}”"),
            None => format!("“{words}”"),
        };
        flat.push((
            None,
            DocumentSymbol {
                name,
                detail: analysis
                    .attributions
                    .get(qi)
                    .map(|a| a.kind.as_str().to_string()),
                kind: SymbolKind::Quotation,
                span: q.span(),
                selection_span: q.open,
                children: Vec::new(),
            },
        ));
    }
    flat.sort_by_key(|(_, s)| s.span.start);
    nest(flat)
}

/// Turn the flat list into a tree: a heading holds what follows it until a heading of the same
/// or a higher level; its span grows to cover its content.
fn nest(flat: Vec<(Option<u8>, DocumentSymbol)>) -> Vec<DocumentSymbol> {
    let mut root: Vec<DocumentSymbol> = Vec::new();
    // Open sections: (level, symbol).
    let mut stack: Vec<(u8, DocumentSymbol)> = Vec::new();
    fn close(stack: &mut Vec<(u8, DocumentSymbol)>, root: &mut Vec<DocumentSymbol>) {
        if let Some((_, s)) = stack.pop() {
            match stack.last_mut() {
                Some((_, parent)) => {
                    parent.span = parent.span.cover(s.span);
                    parent.children.push(s);
                }
                None => root.push(s),
            }
        }
    }
    for (level, sym) in flat {
        match level {
            Some(l) => {
                while stack.last().is_some_and(|(top, _)| *top >= l) {
                    close(&mut stack, &mut root);
                }
                stack.push((l, sym));
            }
            None => match stack.last_mut() {
                Some((_, parent)) => {
                    parent.span = parent.span.cover(sym.span);
                    parent.children.push(sym);
                }
                None => root.push(sym),
            },
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut root);
    }
    root
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// `@id`.
    pub name: String,
    /// Display name and kind, and the alias that matched when it was one.
    pub detail: String,
    pub kind: SymbolKind,
    pub file: FileId,
    /// The whole definition.
    pub span: Span,
    /// The ID in the definition line.
    pub selection_span: Span,
}

/// Entities whose ID, display name or an alias fuzzily matches `query` (smart case, Unicode
/// normalised), best first: a match on the ID or name ranks above the same score on an alias,
/// ties go by ID then file. Every definition is listed (an ID defined in two files twice). An
/// empty query lists every entity by ID. At most `limit` results.
pub fn workspace_symbols(ws: &Workspace, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::new(
        query.trim_start_matches('@'),
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    );
    let mut buf = Vec::new();
    let mut hits: Vec<(u32, WorkspaceSymbol)> = Vec::new();
    for (file, data) in ws.files() {
        for e in &data.entities {
            if e.id.is_empty() {
                continue;
            }
            let mut best: Option<(u32, Option<&str>)> = None;
            let primary = std::iter::once(e.id.as_str()).chain(e.name.as_deref());
            for cand in primary {
                if let Some(s) = pattern.score(Utf32Str::new(cand, &mut buf), &mut matcher) {
                    // Boost primary names so that they beat an alias with the same score.
                    let s = s.saturating_mul(2);
                    if best.is_none_or(|(b, _)| s > b) {
                        best = Some((s, None));
                    }
                }
            }
            for alias in &e.aliases {
                if let Some(s) = pattern.score(Utf32Str::new(alias, &mut buf), &mut matcher) {
                    let s = s.saturating_mul(2).saturating_sub(1);
                    if best.is_none_or(|(b, _)| s > b) {
                        best = Some((s, Some(alias.as_str())));
                    }
                }
            }
            let Some((score, alias)) = best else { continue };
            let kind = e.kind.map_or("?", |k| k.as_str());
            let mut detail = format!("{} · {kind}", e.display_name());
            if let Some(a) = alias {
                detail = format!("{detail} (aka {a})");
            }
            hits.push((
                score,
                WorkspaceSymbol {
                    name: format!("@{}", e.id),
                    detail,
                    kind: SymbolKind::Entity(e.kind),
                    file,
                    span: e.span,
                    selection_span: e.id_span,
                },
            ));
        }
    }
    hits.sort_by(|(sa, a), (sb, b)| {
        sb.cmp(sa)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.file.cmp(&b.file))
    });
    hits.into_iter().take(limit).map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    fn outline(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (path, file) = f.files.last().unwrap().clone();
        let _ = path;
        let analysis = f.analysis(file);
        let syms = document_symbols(&f.ws, file, &analysis);
        let mut out = String::new();
        fn walk(f: &Fixture, file: FileId, s: &[DocumentSymbol], depth: usize, out: &mut String) {
            for d in s {
                assert!(
                    d.span.start <= d.selection_span.start && d.selection_span.end <= d.span.end,
                    "selection inside span: {d:?}"
                );
                out.push_str(&format!(
                    "{}{:?} {} [{}] {}..{} sel {:?}\n",
                    "  ".repeat(depth),
                    d.kind,
                    d.name,
                    d.detail.as_deref().unwrap_or(""),
                    d.span.start,
                    d.span.end,
                    d.selection_span.slice(f.text(file)),
                ));
                walk(f, file, &d.children, depth + 1, out);
            }
        }
        walk(&f, file, &syms, 0, &mut out);
        out
    }

    fn search(fixture: &str, query: &str, limit: usize) -> String {
        let f = Fixture::new(fixture);
        workspace_symbols(&f.ws, query, limit)
            .iter()
            .map(|s| format!("{} [{}] in {}\n", s.name, s.detail, f.ws.key(s.file)))
            .collect()
    }

    #[test]
    fn sections_nest_by_level_with_entities_and_quotations() {
        insta::assert_snapshot!(outline(
            "---\ntitle: Лавров в Токио\n---\nLede “with a short term” here.\n\n# Talks 😀\n\n@lavrov: person \"Sergey Lavrov\"\n  role: Minister\n\n“We are ready — готовы — to talk,”{@lavrov} he said.\n\n## Details\n\n“Nested ‘inner words here’ and more words,”{@lavrov}\n\n# Background\n\n@tass: org \"TASS\"\n@bad: robot \"Bad\"\n### Deep\nText.\n"
        ), @r#"
            FrontMatter front matter [Лавров в Токио] 0..41 sel "---"
            Quotation “with a short term” [none] 47..70 sel "“"
            Section Talks 😀 [] 78..282 sel "Talks 😀"
              Entity(Some(Person)) @lavrov [Sergey Lavrov · person] 92..140 sel "lavrov"
              Quotation Sergey Lavrov: “We are ready — готовы — to talk,” [explicit] 142..199 sel "“"
              Section Details [] 210..282 sel "Details"
                Quotation Sergey Lavrov: “Nested ‘inner words here’ and more words…” [explicit] 222..282 sel "“"
            Section Background [] 284..348 sel "Background"
              Entity(Some(Org)) @tass [TASS · org] 298..315 sel "tass"
              Entity(None) @bad [Bad · robot] 316..333 sel "bad"
              Section Deep [] 334..348 sel "Deep"
            "#);
    }

    #[test]
    fn empty_file_and_file_without_headings() {
        assert_eq!(outline(""), "");
        insta::assert_snapshot!(outline("@x: person \"X\"\n\n\"One two three four\"{@x}\n"), @r#"
            Entity(Some(Person)) @x [X · person] 0..14 sel "x"
            Quotation X: “One two three four” [explicit] 16..40 sel "\""
            "#);
    }

    const WS: &str = "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n  aka: Лавров; Russian top diplomat\n@putin: person \"Vladimir Putin\"\n@lav-fund: org \"Lavka Fund\"\n//- /a.nmk\n@lavrov: person \"Local Lavrov\"\n@mfa: org \"Ministry of Foreign Affairs\"\n";

    #[test]
    fn workspace_symbols_by_id_name_and_alias() {
        insta::assert_snapshot!(search(WS, "lav", 10), @r#"
            @lav-fund [Lavka Fund · org] in /registry.nmk
            @lavrov [Sergey Lavrov · person] in /registry.nmk
            @lavrov [Local Lavrov · person] in /a.nmk
            "#);
        insta::assert_snapshot!(search(WS, "лавр", 10), @r#"@lavrov [Sergey Lavrov · person (aka Лавров)] in /registry.nmk"#);
        insta::assert_snapshot!(search(WS, "diplomat", 10), @r#"@lavrov [Sergey Lavrov · person (aka Russian top diplomat)] in /registry.nmk"#);
        insta::assert_snapshot!(search(WS, "@mfa", 10), @r#"@mfa [Ministry of Foreign Affairs · org] in /a.nmk"#);
        insta::assert_snapshot!(search(WS, "mnstry", 10), @r#"@mfa [Ministry of Foreign Affairs · org] in /a.nmk"#);
        assert_eq!(search(WS, "zzz", 10), "");
    }

    #[test]
    fn workspace_symbols_cap_and_empty_query() {
        insta::assert_snapshot!(search(WS, "", 3), @r#"
            @lav-fund [Lavka Fund · org] in /registry.nmk
            @lavrov [Sergey Lavrov · person] in /registry.nmk
            @lavrov [Local Lavrov · person] in /a.nmk
            "#);
        assert_eq!(search(WS, "", 100).lines().count(), 5);
    }
}
