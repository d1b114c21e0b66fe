//! Quick fixes and refactors: attribute a quotation, mark it as not a quotation, define an
//! undefined entity, link unlinked mentions.

use super::{group_edits, SourceChange, TextEdit};
use crate::analysis::{
    AttributionKind, Diagnostic, FileAnalysis, FileData, FileId, FixData, RefRole, Workspace,
};
use crate::syntax::{unescape, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Fixes a diagnostic (LSP `quickfix`).
    QuickFix,
    /// Rewrites without changing meaning, such as making an inferred attribution explicit
    /// (LSP `refactor.rewrite`).
    RefactorRewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: ActionKind,
    /// The diagnostics of the file's analysis that this action fixes.
    pub diagnostics: Vec<Diagnostic>,
    pub edits: SourceChange,
    /// The obvious fix among several (the nearest speaker, say).
    pub is_preferred: bool,
}

/// Code actions for `range` in `file` (a cursor is an empty range).
///
/// For each diagnostic of `analysis` that touches `range` and carries a fix:
/// - unattributed quotation: attribute it to each candidate speaker (nearest first; inserts
///   `{@id}` right after the closing mark, or replaces an invalid attribute block) and mark it
///   as not a quotation (`{-}`);
/// - undefined entity: insert a definition skeleton `@id: person "Name"` (the name taken from
///   the mention's surface text when there is one) after the file's last definition, or at the
///   top after the front matter;
/// - unlinked mention: link it (`Lavrov` → `[Lavrov]{@lavrov}`), and when the file has several,
///   link every unlinked mention of that entity in the file.
///
/// For each quotation touching `range` whose speaker is inferred (or a continuation): make the
/// attribution explicit by inserting `{@id}` after the closing mark. Actions with the same title
/// are merged. Unclosed quotations get no attribute block (it would have nowhere to stand).
pub fn code_actions(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    range: Span,
) -> Vec<CodeAction> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let touches = |s: Span| s.start <= range.end && range.start <= s.end;
    let mut out: Vec<CodeAction> = Vec::new();
    let mut add = |a: CodeAction| {
        if let Some(same) = out.iter_mut().find(|o| o.title == a.title) {
            for d in a.diagnostics {
                if !same.diagnostics.contains(&d) {
                    same.diagnostics.push(d);
                }
            }
        } else {
            out.push(a);
        }
    };
    for d in analysis.diagnostics.iter().filter(|d| touches(d.span)) {
        match &d.fix {
            Some(FixData::AttributeQuote { quote, candidates }) => {
                let Some(place) = attr_place(data, *quote) else {
                    continue;
                };
                for (n, id) in candidates.iter().enumerate() {
                    let name = ws
                        .resolve_entity(file, id)
                        .map_or(id.as_str(), |(_, e)| e.display_name());
                    add(CodeAction {
                        title: format!("Attribute the quotation to {name} (`@{id}`)"),
                        kind: ActionKind::QuickFix,
                        diagnostics: vec![d.clone()],
                        edits: group_edits([(file, TextEdit::new(place, format!("{{@{id}}}")))]),
                        is_preferred: n == 0,
                    });
                }
                add(CodeAction {
                    title: "Mark as not a quotation (`{-}`)".into(),
                    kind: ActionKind::QuickFix,
                    diagnostics: vec![d.clone()],
                    edits: group_edits([(file, TextEdit::new(place, "{-}"))]),
                    is_preferred: false,
                });
            }
            Some(FixData::DefineEntity { id }) => {
                let name = surface_name(data, d.span).unwrap_or_else(|| id.clone());
                let kind = "person";
                let header = format!("@{id}: {kind} \"{}\"", name.replace('"', "\\\""));
                add(CodeAction {
                    title: format!("Define `@{id}`"),
                    kind: ActionKind::QuickFix,
                    diagnostics: vec![d.clone()],
                    edits: group_edits([(file, definition_edit(data, &header))]),
                    is_preferred: true,
                });
            }
            Some(FixData::LinkMention { id }) => {
                let name = d.span.slice(&data.text);
                add(CodeAction {
                    title: format!("Link “{name}” to `@{id}`"),
                    kind: ActionKind::QuickFix,
                    diagnostics: vec![d.clone()],
                    edits: group_edits([(file, link_edit(data, d.span, id))]),
                    is_preferred: true,
                });
                let all: Vec<&Diagnostic> = analysis
                    .diagnostics
                    .iter()
                    .filter(|o| matches!(&o.fix, Some(FixData::LinkMention { id: i }) if i == id))
                    .collect();
                if all.len() > 1 {
                    add(CodeAction {
                        title: format!(
                            "Link every unlinked mention of `@{id}` in this file ({})",
                            all.len()
                        ),
                        kind: ActionKind::QuickFix,
                        diagnostics: all.iter().map(|d| (*d).clone()).collect(),
                        edits: group_edits(all.iter().map(|o| (file, link_edit(data, o.span, id)))),
                        is_preferred: false,
                    });
                }
            }
            None => {}
        }
    }
    for (qi, q) in data.parse.quotes.iter().enumerate() {
        if !touches(q.span()) {
            continue;
        }
        let Some(a) = analysis.attributions.get(qi) else {
            continue;
        };
        if !matches!(
            a.kind,
            AttributionKind::Inferred | AttributionKind::Continuation
        ) {
            continue;
        }
        let (Some(id), Some(place)) = (&a.speaker, attr_place(data, qi)) else {
            continue;
        };
        let name = ws
            .resolve_entity(file, id)
            .map_or(id.as_str(), |(_, e)| e.display_name());
        let text = match &a.via {
            Some(v) => format!("{{@{id} via=@{v}}}"),
            None => format!("{{@{id}}}"),
        };
        add(CodeAction {
            title: format!("Make the attribution to {name} explicit (`{text}`)"),
            kind: ActionKind::RefactorRewrite,
            diagnostics: Vec::new(),
            edits: group_edits([(file, TextEdit::new(place, text))]),
            is_preferred: false,
        });
    }
    out
}

/// Where an attribute block goes: right after the closing mark, or over an existing (invalid)
/// block. `None` for an unclosed quotation.
fn attr_place(data: &FileData, quote: usize) -> Option<Span> {
    let q = data.parse.quotes.get(quote)?;
    match (&q.attr, q.close) {
        (Some(a), _) => Some(a.span),
        (None, Some(c)) => Some(Span::new(c.end, c.end)),
        (None, None) => None,
    }
}

/// The surface text of a span mention whose ID is at `id_span`.
fn surface_name(data: &FileData, id_span: Span) -> Option<String> {
    let r = data.references.iter().find(|r| r.span == id_span)?;
    match r.role {
        RefRole::SpanMention { surface, .. } => {
            let s = unescape(surface.slice(&data.text));
            let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

/// Insert a definition after the file's last definition, else at the top (after the front
/// matter and a BOM).
fn definition_edit(data: &FileData, header: &str) -> TextEdit {
    if let Some(last) = data.entities.iter().map(|e| e.span).max_by_key(|s| s.end) {
        return TextEdit::insert(last.end, format!("\n\n{header}"));
    }
    let text = &data.text;
    let top = match &data.parse.front_matter {
        Some(fm) => text[fm.span.end..]
            .find('\n')
            .map_or(text.len(), |i| fm.span.end + i + 1),
        None if text.starts_with('\u{feff}') => 3,
        None => 0,
    };
    if top == text.len() && !text.is_empty() && !text.ends_with('\n') {
        return TextEdit::insert(top, format!("\n\n{header}\n"));
    }
    TextEdit::insert(top, format!("{header}\n\n"))
}

/// `name` → `[name]{@id}`, escaping what would end the surface text.
fn link_edit(data: &FileData, span: Span, id: &str) -> TextEdit {
    let surface = span
        .slice(&data.text)
        .replace('\\', "\\\\")
        .replace(']', "\\]");
    TextEdit::new(span, format!("[{surface}]{{@{id}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;
    use crate::analysis::Code;

    /// Every action at the cursor (or the marked range): title, kind, fixed codes, and the file
    /// after its edits.
    fn check_with(fixture: &str, tweak: impl FnOnce(&mut FileAnalysis)) -> String {
        let f = Fixture::new(fixture);
        let (file, range) = match (f.cursor, f.ranges.first()) {
            (Some((file, o)), _) => (file, Span::new(o, o)),
            (None, Some((file, r))) => (*file, *r),
            _ => panic!("fixture needs $0 or a marked range"),
        };
        let mut analysis = f.analysis(file);
        tweak(&mut analysis);
        let mut out = String::new();
        for a in code_actions(&f.ws, file, &analysis, range) {
            let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
            out.push_str(&format!(
                "== {} ({:?}{}) fixes {:?}\n{}",
                a.title,
                a.kind,
                if a.is_preferred { ", preferred" } else { "" },
                codes,
                f.apply(&a.edits)
            ));
        }
        out
    }

    fn check(fixture: &str) -> String {
        check_with(fixture, |_| {})
    }

    #[test]
    fn attribute_an_unattributed_quotation() {
        insta::assert_snapshot!(check(
            "@lavrov: person \"Sergey Lavrov\"\n@kyiv: place \"Kyiv\"\n@mfa: org \"MFA\"\n\n@mfa and @kyiv.\n\n“Мы готовы к диалогу — всегда, 😀$0”\n\n@lavrov arrived.\n"
        ), @r#"
            == Attribute the quotation to MFA (`@mfa`) (QuickFix, preferred) fixes ["unattributed-quote"]
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
            @kyiv: place "Kyiv"
            @mfa: org "MFA"

            @mfa and @kyiv.

            “Мы готовы к диалогу — всегда, 😀”{@mfa}

            @lavrov arrived.
            == Attribute the quotation to Sergey Lavrov (`@lavrov`) (QuickFix) fixes ["unattributed-quote"]
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
            @kyiv: place "Kyiv"
            @mfa: org "MFA"

            @mfa and @kyiv.

            “Мы готовы к диалогу — всегда, 😀”{@lavrov}

            @lavrov arrived.
            == Mark as not a quotation (`{-}`) (QuickFix) fixes ["unattributed-quote"]
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
            @kyiv: place "Kyiv"
            @mfa: org "MFA"

            @mfa and @kyiv.

            “Мы готовы к диалогу — всегда, 😀”{-}

            @lavrov arrived.
            "#);
    }

    #[test]
    fn invalid_attribute_block_is_replaced() {
        let out = check("@x: person \"X\"\n\n@x arrived. “Four words$0 in here”{bad}\n");
        assert!(out.contains("“Four words in here”{@x}"), "{out}");
        assert!(out.contains("“Four words in here”{-}"), "{out}");
    }

    #[test]
    fn no_attribute_block_for_an_unclosed_quotation() {
        let out = check("@x: person \"X\"\n\n@x arrived. “Four words in here and more$0\n");
        assert!(!out.contains("Attribute"), "{out}");
    }

    #[test]
    fn define_an_undefined_entity_after_the_last_definition() {
        insta::assert_snapshot!(check(
            "---\ntitle: T\n---\n@a: person \"A\"\n  role: R\n\nText [Сергей \"Серж\" Лавров]{@lav$0rov} here.\n"
        ), @r#"
            == Define `@lavrov` (QuickFix, preferred) fixes ["undefined-entity"]
            //- /main.nmk
            ---
            title: T
            ---
            @a: person "A"
              role: R

            @lavrov: person "Сергей \"Серж\" Лавров"

            Text [Сергей "Серж" Лавров]{@lavrov} here.
            "#);
    }

    #[test]
    fn define_at_the_top_after_front_matter_or_bom() {
        insta::assert_snapshot!(check("---\ntitle: T\n---\nText @ghost$0 here.\n"), @r#"
            == Define `@ghost` (QuickFix, preferred) fixes ["undefined-entity"]
            //- /main.nmk
            ---
            title: T
            ---
            @ghost: person "ghost"

            Text @ghost here.
            "#);
        insta::assert_snapshot!(check("\u{feff}Text @ghost$0 here.\n"), @r#"
            == Define `@ghost` (QuickFix, preferred) fixes ["undefined-entity"]
            //- /main.nmk
            ﻿@ghost: person "ghost"

            Text @ghost here.
            "#);
        insta::assert_snapshot!(check("Text @ghost$0"), @r#"
            == Define `@ghost` (QuickFix, preferred) fixes ["undefined-entity"]
            //- /main.nmk
            @ghost: person "ghost"

            Text @ghost
            "#);
    }

    #[test]
    fn link_one_and_every_unlinked_mention() {
        insta::assert_snapshot!(check(
            "@lavrov: person \"Sergey Lavrov\"\n  aka: Lavrov; Лавров\n\n[Lavrov]{@lavrov} met press. Лав$0ров smiled; Lavrov left — Sergey Lavrov.\n"
        ), @r#"
            == Link “Лавров” to `@lavrov` (QuickFix, preferred) fixes ["unlinked-mention"]
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
              aka: Lavrov; Лавров

            [Lavrov]{@lavrov} met press. [Лавров]{@lavrov} smiled; Lavrov left — Sergey Lavrov.
            == Link every unlinked mention of `@lavrov` in this file (3) (QuickFix) fixes ["unlinked-mention", "unlinked-mention", "unlinked-mention"]
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
              aka: Lavrov; Лавров

            [Lavrov]{@lavrov} met press. [Лавров]{@lavrov} smiled; [Lavrov]{@lavrov} left — [Sergey Lavrov]{@lavrov}.
            "#);
    }

    #[test]
    fn actions_only_for_diagnostics_in_range() {
        let fixture = "@lavrov: person \"Sergey Lavrov\"\n  aka: Lavrov\n\nThen @lavrov first$0. Later Lavrov.\n";
        assert_eq!(check(fixture), "");
        let on = check(
            &fixture
                .replace("first$0", "first")
                .replace("Later Lavrov", "Later Lavrov$0"),
        );
        assert!(on.starts_with("== Link “Lavrov” to `@lavrov`"), "{on}");
    }

    #[test]
    fn make_an_inferred_attribution_explicit() {
        let fixture = "@lavrov: person \"Sergey Lavrov\"\n@tass: org \"TASS\"\n\n“We are ready for talks$0,” @lavrov said.\n";
        let set = |kind, via: Option<&str>| {
            let via = via.map(String::from);
            move |a: &mut FileAnalysis| {
                let q = &mut a.attributions[0];
                q.speaker = Some("lavrov".into());
                q.via = via;
                q.kind = kind;
                q.cue = Some("said".into());
                a.diagnostics.retain(|d| d.code != Code::UnattributedQuote);
            }
        };
        insta::assert_snapshot!(check_with(fixture, set(AttributionKind::Inferred, None)), @r#"
            == Make the attribution to Sergey Lavrov explicit (`{@lavrov}`) (RefactorRewrite) fixes []
            //- /main.nmk
            @lavrov: person "Sergey Lavrov"
            @tass: org "TASS"

            “We are ready for talks,”{@lavrov} @lavrov said.
            "#);
        let via = check_with(fixture, set(AttributionKind::Continuation, Some("tass")));
        assert!(
            via.contains("talks,”{@lavrov via=@tass} @lavrov said."),
            "{via}"
        );
        assert_eq!(
            check_with(fixture, set(AttributionKind::Explicit, None)),
            ""
        );
    }
}
