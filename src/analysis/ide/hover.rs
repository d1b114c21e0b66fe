//! Hover cards for entities and quotations.

use super::locate::{target_at, Target};
use super::navigation::{occurrences, Subject};
use super::AnalysisOf;
use crate::analysis::{
    preview, AttributionKind, Entity, EntityRef, FileAnalysis, FileId, RefRole, Resolution,
    Workspace,
};
use crate::syntax::Span;
use std::fmt::Write;

/// A hover card: `markdown` describes what stands at `range`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: Span,
    pub markdown: String,
}

/// The hover card at `offset` in `file`.
///
/// - On a reference (`[surface]{@id}`, `@id`, `@id` in a property, `{@id}` / `via=@id`) or a
///   definition's `@ID`: the entity's card: display name, kind and ID, its properties (role
///   first), aliases, a Wikidata link, how many prose mentions and attributed quotations it has
///   in this file and in the workspace, and where it is defined. The workspace quotation count
///   is exact when `analysis_of` gives the analysis of every file that mentions the entity;
///   for a file it gives none of, only the explicit `{@id}` attributions are counted (they
///   always stand in the analysis; inferred ones need the full inference) and the card says
///   "at least". Ambiguous IDs list every
///   candidate; undefined ones say so. `range` is the reference as written or the `@ID`.
/// - Inside a quotation (on no reference): the quotation's speaker (name and ID), `via`,
///   attribution kind and cue. `range` is the quotation with its marks and attribute block.
///
/// `analysis` is `file`'s analysis; `analysis_of` gives other files' analyses when they are
/// at hand (used to count the quotations attributed to the entity in the files that mention
/// it). A server passes only its cached analyses, so that a hover never analyses the ~75 files
/// that mention a typical entity of a 10,000-article workspace.
pub fn hover(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    offset: usize,
    analysis_of: &AnalysisOf<'_>,
) -> Option<Hover> {
    let data = ws.file(file)?;
    match target_at(data, offset)? {
        Target::Reference(i) => {
            let r = &data.references[i];
            let card = entity_card(ws, file, analysis, &r.id, analysis_of);
            Some(Hover {
                range: r.full_span(),
                markdown: card,
            })
        }
        Target::Definition(i) => {
            let e = &data.entities[i];
            if e.id.is_empty() {
                return None;
            }
            Some(Hover {
                range: Span::new(e.id_span.start.saturating_sub(1), e.id_span.end),
                markdown: entity_card(ws, file, analysis, &e.id, analysis_of),
            })
        }
        Target::Quote(qi) => {
            let q = &data.parse().quotes[qi];
            let a = analysis.attributions.get(qi)?;
            let mut md = String::new();
            let _ = writeln!(
                md,
                "**Quotation** “{}”\n",
                escape(&preview(q.content.slice(&data.text)))
            );
            match &a.speaker {
                Some(s) => {
                    let _ = writeln!(md, "Speaker: {}  ", who(ws, file, s));
                }
                None if a.kind == AttributionKind::NotAQuote => {
                    let _ = writeln!(md, "Not a quotation to attribute  ");
                }
                None => {
                    let _ = writeln!(md, "Speaker: *none found*  ");
                }
            }
            if let Some(v) = &a.via {
                let _ = writeln!(md, "Via: {}  ", who(ws, file, v));
            }
            let _ = write!(md, "Attribution: {}", a.kind.as_str());
            if let Some(cue) = &a.cue {
                let _ = write!(md, " · cue: `{}`", cue.replace('`', "'"));
            }
            md.push('\n');
            Some(Hover {
                range: q.span(),
                markdown: md,
            })
        }
    }
}

/// The entity whose card [`hover`] shows at `offset`, with the card's range; `None` where it
/// shows none (on a quotation, on nothing). With [`entity_card`], what `hover` gives there, in
/// two parts: a server may keep the card of an ID and reuse it for every mention.
pub fn hover_entity(ws: &Workspace, file: FileId, offset: usize) -> Option<(String, Span)> {
    let data = ws.file(file)?;
    match target_at(data, offset)? {
        Target::Reference(i) => {
            let r = &data.references[i];
            Some((r.id.to_string(), r.full_span()))
        }
        Target::Definition(i) => {
            let e = &data.entities[i];
            (!e.id.is_empty()).then(|| {
                (
                    e.id.clone(),
                    Span::new(e.id_span.start.saturating_sub(1), e.id_span.end),
                )
            })
        }
        Target::Quote(_) => None,
    }
}

/// `**Name** (`@id`)`, or just the ID when it does not resolve.
fn who(ws: &Workspace, file: FileId, id: &str) -> String {
    match ws.resolve_entity(file, id) {
        Some((_, e)) => format!("**{}** (`@{id}`)", escape(e.display_name())),
        None => format!("`@{id}` (not defined)"),
    }
}

/// The card of entity `id` as seen from `file` (see [`hover`]).
pub fn entity_card(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    id: &str,
    analysis_of: &AnalysisOf<'_>,
) -> String {
    entity_card_with(
        ws,
        file,
        analysis,
        id,
        &mention_counts(ws, file, id),
        analysis_of,
    )
}

/// What an entity card counts from the workspace's references alone (not from analyses),
/// which is most of its cost: a server may keep it per (file, ID) while the ID's definitions
/// and references stay as they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentionCounts {
    /// Prose mentions in the file asked from, and in the workspace.
    here: usize,
    all: usize,
    /// The file asked from mentions the ID.
    in_file: bool,
    /// The other files that mention it, each with its explicit `{@id}` speaker blocks.
    others: Vec<(FileId, usize)>,
}

/// The [`MentionCounts`] of `id`'s card as seen from `file`.
pub fn mention_counts(ws: &Workspace, file: FileId, id: &str) -> MentionCounts {
    let subject = Subject::of(ws.resolve(file, id));
    let occ = occurrences(ws, id, &subject, false, false);
    let is_mention = |o: &super::navigation::Occurrence| {
        let Some(data) = ws.file(o.file) else {
            return false;
        };
        o.reference
            .is_some_and(|i| data.references.get(i).is_some_and(|r| r.is_mention()))
    };
    let here = occ
        .iter()
        .filter(|o| o.file == file && is_mention(o))
        .count();
    let all = occ.iter().filter(|o| is_mention(o)).count();
    // Quotations: only files that mention the ID can attribute one to it.
    let mut files: Vec<FileId> = occ.iter().map(|o| o.file).collect();
    files.dedup();
    let others = files
        .iter()
        .filter(|f| **f != file)
        .map(|f| {
            // Explicit `{@id}` blocks (from the parsed file): what a file without an analysis
            // is known to attribute.
            let explicit = ws.file(*f).map_or(0, |d| {
                d.references
                    .iter()
                    .filter(|r| {
                        super::same_id(&r.id, id) && matches!(r.role, RefRole::Speaker { .. })
                    })
                    .count()
            });
            (*f, explicit)
        })
        .collect();
    MentionCounts {
        here,
        all,
        in_file: files.contains(&file),
        others,
    }
}

/// [`entity_card`] with its [`MentionCounts`] given (they must be `mention_counts(ws, file,
/// id)` for the workspace as it is).
pub fn entity_card_with(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    id: &str,
    counts: &MentionCounts,
    analysis_of: &AnalysisOf<'_>,
) -> String {
    let res = ws.resolve(file, id);
    let mut md = String::new();
    match &res {
        Resolution::Undefined => {
            let _ = writeln!(
                md,
                "`@{id}` is not defined anywhere in the workspace.\n\nDefine it with a line such as `@{id}: person \"Full Name\"`."
            );
        }
        Resolution::Ambiguous(defs) => {
            let _ = writeln!(
                md,
                "`@{id}` is **ambiguous**: it is defined in several files and not in this one.\n"
            );
            for d in defs {
                if let Some(e) = ws.entity(*d) {
                    let _ = writeln!(
                        md,
                        "- **{}** · {} — {}",
                        escape(e.display_name()),
                        kind_of(e),
                        location(ws, *d)
                    );
                }
            }
        }
        Resolution::Local(d) | Resolution::Workspace(d) => {
            if let Some(e) = ws.entity(*d) {
                describe(&mut md, ws, file, e);
            }
        }
    }
    let (here, all) = (counts.here, counts.all);
    let count_quotes = |a: &FileAnalysis| {
        a.attributions
            .iter()
            .filter(|q| q.speaker.as_deref() == Some(id))
            .count()
    };
    let quotes_here = if counts.in_file {
        count_quotes(analysis)
    } else {
        0
    };
    let mut quotes_all = quotes_here;
    let mut lower_bound = false;
    for (f, explicit) in &counts.others {
        match analysis_of(*f) {
            Some(a) => quotes_all += count_quotes(&a),
            None => {
                // Not analysed: explicit `{@id}` blocks only, a lower bound.
                lower_bound = true;
                quotes_all += explicit;
            }
        }
    }
    let at_least = if lower_bound { "at least " } else { "" };
    let _ = writeln!(
        md,
        "\nMentions: {here} in this file, {all} in the workspace · Quotations: {quotes_here} in this file, {at_least}{quotes_all} in the workspace"
    );
    if let Some(d) = res.entity() {
        let _ = writeln!(md, "\nDefined in {}", location(ws, d));
    }
    md
}

fn kind_of(e: &Entity) -> String {
    match (e.kind, &e.kind_text) {
        (Some(k), _) => k.as_str().to_string(),
        (None, Some((t, _))) => format!("{} (unknown kind)", escape(t)),
        (None, None) => "no kind".into(),
    }
}

/// "`path` (line N)"
fn location(ws: &Workspace, d: EntityRef) -> String {
    let line = ws
        .entity(d)
        .and_then(|e| ws.file(d.file).map(|f| f.line_col(e.id_span.start).0 + 1))
        .unwrap_or(0);
    format!("`{}` (line {line})", ws.key(d.file))
}

fn describe(md: &mut String, ws: &Workspace, file: FileId, e: &Entity) {
    let _ = writeln!(
        md,
        "**{}** · {} · `@{}`",
        escape(e.display_name()),
        kind_of(e),
        e.id
    );
    if !e.properties.is_empty() {
        md.push('\n');
    }
    let mut props: Vec<_> = e
        .properties
        .iter()
        .filter(|p| p.key != "aka" && p.key != "wikidata")
        .collect();
    // Role first: it is what a reader wants to know about a person.
    props.sort_by_key(|p| p.key != "role");
    for p in props {
        let _ = writeln!(
            md,
            "- **{}:** {}",
            escape(&p.key),
            property_value(ws, file, &p.value)
        );
    }
    if !e.aliases.is_empty() {
        let aliases: Vec<String> = e.aliases.iter().map(|a| escape(a)).collect();
        let _ = writeln!(md, "- **also known as:** {}", aliases.join("; "));
    }
    if let Some(q) = e.property("wikidata") {
        let q = q.trim();
        if q.starts_with('Q') && q.len() > 1 && q[1..].bytes().all(|b| b.is_ascii_digit()) {
            let _ = writeln!(
                md,
                "- **wikidata:** [{q}](https://www.wikidata.org/wiki/{q})"
            );
        } else {
            let _ = writeln!(md, "- **wikidata:** {}", escape(q));
        }
    }
}

/// A property value with each `@id` followed by the name it resolves to.
fn property_value(ws: &Workspace, file: FileId, value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('@') {
        out.push_str(&escape(&rest[..at]));
        let after = &rest[at + 1..];
        let n = crate::syntax::scan_id(after);
        if n == 0 {
            out.push('@');
            rest = after;
            continue;
        }
        let id = &after[..n];
        match ws.resolve_entity(file, id) {
            Some((_, e)) => {
                let _ = write!(out, "`@{id}` ({})", escape(e.display_name()));
            }
            None => {
                let _ = write!(out, "`@{id}`");
            }
        }
        rest = &after[n..];
    }
    out.push_str(&escape(rest));
    out
}

/// Escape Markdown's inline specials so that names show as written.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    /// The hovered range and the card at `$0`, or `none`.
    fn check(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let analysis = f.analysis(file);
        let others = f.analysis_of();
        let out = match hover(&f.ws, file, &analysis, offset, &others) {
            Some(h) => format!("{}\n\n{}", f.show(file, h.range), h.markdown),
            None => "none".into(),
        };
        out
    }

    #[test]
    fn hover_entity_and_entity_card_give_what_hover_gives_at_every_offset() {
        let f = Fixture::new(&format!(
            "{REGISTRY}//- /a.nmk\n[Лавров]{{@lavrov}} — 😀 and @lavrov.\n“We are ready for talks,”{{@lavrov}} he said.\n@x: person \"X\"\n  member-of: @mfa-ru\n\n@: org\n//- /b.nmk\n@lavrov again @nobody.\n$0\n"
        ));
        let others = f.analysis_of();
        let mut cards = 0;
        for file in [f.file("/a.nmk"), f.file("/registry.nmk")] {
            let analysis = f.analysis(file);
            let len = f.ws.file(file).unwrap().text.len();
            for offset in 0..=len {
                let whole = hover(&f.ws, file, &analysis, offset, &others);
                match hover_entity(&f.ws, file, offset) {
                    Some((id, range)) => {
                        cards += 1;
                        let card = entity_card(&f.ws, file, &analysis, &id, &others);
                        assert_eq!(
                            whole,
                            Some(Hover {
                                range,
                                markdown: card
                            }),
                            "offset {offset}"
                        );
                    }
                    None => assert!(
                        whole.is_none() || whole.unwrap().markdown.starts_with("**Quotation**"),
                        "offset {offset}"
                    ),
                }
            }
        }
        assert!(cards > 50, "{cards}");
    }

    const REGISTRY: &str = "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n  role: Minister of Foreign Affairs of Russia\n  aka: Lavrov; Russian top diplomat\n  member-of: @mfa-ru\n  wikidata: Q305\n  born: 1950-03-21\n\n@mfa-ru: org \"Ministry of Foreign Affairs of Russia\"\n  aka: МИД России\n\n@mfa-ru said nothing.\n";

    #[test]
    fn span_mention_card_with_counts() {
        insta::assert_snapshot!(check(&format!(
            "{REGISTRY}//- /a.nmk\n[Лавров]{{@lav$0rov}} — 😀 and @lavrov.\n“We are ready for talks,”{{@lavrov}} he said.\n//- /b.nmk\n@lavrov again.\n\"Another quotation from him here\"{{@lavrov}}\n\"And a third one from him here\"{{@lavrov}}\n"
        )), @r#"
            /a.nmk 0..23 "[Лавров]{@lavrov}"

            **Sergey Lavrov** · person · `@lavrov`

            - **role:** Minister of Foreign Affairs of Russia
            - **member-of:** `@mfa-ru` (Ministry of Foreign Affairs of Russia)
            - **born:** 1950-03-21
            - **also known as:** Lavrov; Russian top diplomat
            - **wikidata:** [Q305](https://www.wikidata.org/wiki/Q305)

            Mentions: 2 in this file, 3 in the workspace · Quotations: 1 in this file, 3 in the workspace

            Defined in `/registry.nmk` (line 1)
            "#);
    }

    /// The counts line of the card at `$0` when other files' analyses are given or not.
    fn counts(fixture: &str, others_analysed: bool) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let analysis = f.analysis(file);
        let all = f.analysis_of();
        let none = |_| None;
        let others: &AnalysisOf<'_> = if others_analysed { &all } else { &none };
        let h = hover(&f.ws, file, &analysis, offset, others).expect("a card");
        let line = h.markdown.lines().find(|l| l.starts_with("Mentions:"));
        line.expect("a counts line").to_string()
    }

    #[test]
    fn unanalysed_files_count_explicit_attributions_as_a_lower_bound() {
        // b.nmk: one explicit attribution, one inferred from the cue `Lavrov said`.
        let fixture = format!(
            "{REGISTRY}//- /a.nmk\n@lav$0rov spoke.\n//- /b.nmk\n@lavrov again.\n\"Another quotation from him here\"{{@lavrov}}\n\n\"We will answer this in due time,\" @lavrov said.\n"
        );
        assert_eq!(
            counts(&fixture, true),
            "Mentions: 1 in this file, 3 in the workspace · Quotations: 0 in this file, 2 in the workspace"
        );
        assert_eq!(
            counts(&fixture, false),
            "Mentions: 1 in this file, 3 in the workspace · Quotations: 0 in this file, at least 1 in the workspace"
        );
    }

    #[test]
    fn bare_mention_property_reference_and_definition_have_the_same_card() {
        let text = format!("{REGISTRY}//- /a.nmk\nAnd @lavrov$0.\n");
        let bare = check(&text);
        let card = |s: &str| s.split_once("\n\n").unwrap().1.to_string();
        let prop = check(
            &text
                .replace(
                    "member-of: @mfa-ru",
                    "member-of: @mfa-ru\n  friend: @lavrov$0",
                )
                .replace("@lavrov$0.", "@lavrov."),
        );
        let def = check(
            &text
                .replace("@lavrov: person", "@lav$0rov: person")
                .replace("@lavrov$0.", "@lavrov."),
        );
        assert!(bare.starts_with("/a.nmk 4..11 \"@lavrov\""), "{bare}");
        assert!(prop.starts_with("/registry.nmk"), "{prop}");
        assert!(prop.contains("\"@lavrov\""), "{prop}");
        assert!(def.starts_with("/registry.nmk 0..7 \"@lavrov\""), "{def}");
        // Same card but for the counts, which are relative to the hovered file.
        let body = |s: &str| card(s).split("Mentions:").next().unwrap().to_string();
        assert_eq!(body(&bare), body(&def));
        let friend = "- **friend:** `@lavrov` (Sergey Lavrov)\n- **born:**";
        assert_eq!(body(&bare).replace("- **born:**", friend), body(&prop));
        assert!(card(&bare).contains("Mentions: 1 in this file, 1 in the workspace"));
        assert!(card(&def).contains("Mentions: 0 in this file, 1 in the workspace"));
    }

    #[test]
    fn attribute_block_speaker_and_via() {
        insta::assert_snapshot!(check(&format!(
            "{REGISTRY}//- /a.nmk\n@tass: org \"TASS\"\n  url: https://tass.com\n\n«Мы готовы к диалогу»{{@lavrov via=@ta$0ss}}\n"
        )), @r#"
            /a.nmk 95..100 "@tass"

            **TASS** · org · `@tass`

            - **url:** https://tass.com

            Mentions: 0 in this file, 0 in the workspace · Quotations: 0 in this file, 0 in the workspace

            Defined in `/a.nmk` (line 1)
            "#);
    }

    #[test]
    fn undefined_and_ambiguous() {
        insta::assert_snapshot!(check("Hello @nob$0ody.\n"), @r#"
            /main.nmk 6..13 "@nobody"

            `@nobody` is not defined anywhere in the workspace.

            Define it with a line such as `@nobody: person "Full Name"`.

            Mentions: 1 in this file, 1 in the workspace · Quotations: 0 in this file, 0 in the workspace
            "#);
        insta::assert_snapshot!(check(
            "//- /one.nmk\n@x: person \"X One\"\n//- /two.nmk\n\n@x: org \"X_Two\"\n//- /a.nmk\n[X]{@x$0}\n"
        ), @r#"
            /a.nmk 0..7 "[X]{@x}"

            `@x` is **ambiguous**: it is defined in several files and not in this one.

            - **X One** · person — `/one.nmk` (line 1)
            - **X\_Two** · org — `/two.nmk` (line 2)

            Mentions: 1 in this file, 1 in the workspace · Quotations: 0 in this file, 0 in the workspace
            "#);
    }

    #[test]
    fn local_definition_wins_and_unknown_kind_is_shown() {
        insta::assert_snapshot!(check(
            "//- /registry.nmk\n@x: person \"Registry X\"\n//- /a.nmk\n@x: robot \"Local *X*\"\n\n@x$0 beeped.\n"
        ), @r#"
            /a.nmk 23..25 "@x"

            **Local \*X\*** · robot (unknown kind) · `@x`

            Mentions: 1 in this file, 1 in the workspace · Quotations: 0 in this file, 0 in the workspace

            Defined in `/a.nmk` (line 1)
            "#);
    }

    #[test]
    fn quotation_with_explicit_speaker() {
        insta::assert_snapshot!(check(&format!(
            "{REGISTRY}//- /a.nmk\n“Russia is rea$0dy — готова — to talk 😀,”{{@lavrov via=@mfa-ru}} he said.\n"
        )), @r#"
            /a.nmk 0..77 "“Russia is ready — готова — to talk 😀,”{@lavrov via=@mfa-ru}"

            **Quotation** “Russia is ready — готова — to talk 😀,”

            Speaker: **Sergey Lavrov** (`@lavrov`)  
            Via: **Ministry of Foreign Affairs of Russia** (`@mfa-ru`)  
            Attribution: explicit · cue: `{@lavrov via=@mfa-ru}`
            "#);
    }

    #[test]
    fn quotation_marked_not_a_quote_and_unattributed() {
        insta::assert_snapshot!(check("The so-called “peace $0plan”{-} failed.\n"), @r#"
            /main.nmk 14..33 "“peace plan”{-}"

            **Quotation** “peace plan”

            Not a quotation to attribute  
            Attribution: not-a-quote · cue: `{-}`
            "#);
        insta::assert_snapshot!(check("“This long quotation has no$0 speaker at all.”\n"), @r#"
            /main.nmk 0..48 "“This long quotation has no speaker at all.”"

            **Quotation** “This long quotation has no speaker at al…”

            Speaker: *none found*  
            Attribution: none
            "#);
    }

    #[test]
    fn mention_inside_a_quotation_wins_over_the_quotation() {
        let out = check(&format!(
            "{REGISTRY}//- /a.nmk\n“We and @mfa-ru$0 agree on this,”{{@lavrov}} he said.\n"
        ));
        assert!(
            out.contains("**Ministry of Foreign Affairs of Russia** · org"),
            "{out}"
        );
    }

    #[test]
    fn nothing_on_plain_prose_or_front_matter() {
        assert_eq!(check("---\ntitle: T$0\n---\nText.\n"), "none");
        assert_eq!(check("Plain $0prose.\n"), "none");
        assert_eq!(check("%% comment @x$0\n"), "none");
    }
}
