//! Go to definition, find references and document highlight.

use super::locate::{target_at, Target};
use crate::analysis::workspace::resolution;
use crate::analysis::{EntityRef, FileId, Resolution, Workspace};
use crate::syntax::Span;

/// A place to jump to. `focus` is what the editor selects (a definition's ID, a mention);
/// `full` is the whole construct around it (the definition with its properties, the mention).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NavTarget {
    pub file: FileId,
    pub focus: Span,
    pub full: Span,
}

/// A span in a file of the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HighlightKind {
    /// A reference: mention, property reference, attribute block.
    Read,
    /// A definition.
    Write,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Highlight {
    pub span: Span,
    pub kind: HighlightKind,
}

/// What an ID resolves to, compared across files: two references are "the same" when they
/// resolve to the same definition, to the same set of ambiguous definitions, or are both
/// undefined (an undefined ID is undefined everywhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    Entity(EntityRef),
    Ambiguous(Vec<EntityRef>),
    Undefined,
}

impl Subject {
    pub(crate) fn of(res: Resolution) -> Subject {
        match res {
            Resolution::Local(e) | Resolution::Workspace(e) => Subject::Entity(e),
            Resolution::Ambiguous(v) => Subject::Ambiguous(v),
            Resolution::Undefined => Subject::Undefined,
        }
    }
}

/// The ID under the cursor and what it resolves to from `file`.
pub(crate) fn subject_at(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Option<(String, Target, Subject)> {
    let (id, t) = id_and_target_at(ws, file, offset)?;
    let subject = Subject::of(ws.resolve(file, &id));
    Some((id, t, subject))
}

/// The non-empty entity ID of the mention or definition at `offset`, with that target.
fn id_and_target_at(ws: &Workspace, file: FileId, offset: usize) -> Option<(String, Target)> {
    let data = ws.file(file)?;
    let t = target_at(data, offset)?;
    let id = match t {
        Target::Reference(i) => data.references[i].id.to_string(),
        Target::Definition(i) => data.entities[i].id.clone(),
        Target::Quote(_) => return None,
    };
    (!id.is_empty()).then_some((id, t))
}

/// A reference found by [`occurrences`].
pub(crate) struct Occurrence {
    pub file: FileId,
    /// Index into the file's `references`, or `None` for a definition.
    pub reference: Option<usize>,
    /// The ID's own span (what a rename replaces).
    pub id_span: Span,
    /// What the user sees as the occurrence: the whole mention, `@id` in a property or
    /// attribute block, `@id` of a definition.
    pub full: Span,
}

/// Every reference in the workspace that resolves like `subject`, and (with `declarations`) the
/// definitions that make it up, in (file, offset) order.
///
/// With `ambiguous`, references that are ambiguous between several definitions including the
/// subject's are listed too (they may mean it).
pub(crate) fn occurrences(
    ws: &Workspace,
    id: &str,
    subject: &Subject,
    declarations: bool,
    ambiguous: bool,
) -> Vec<Occurrence> {
    let mut files: Vec<FileId> = ws.users(id).collect();
    files.extend(ws.definitions(id).iter().map(|d| d.file));
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    let defs = ws.definitions(id);
    for f in files {
        let Some(data) = ws.file(f) else { continue };
        let here = Subject::of(resolution(f, defs));
        let candidate = match (&here, subject) {
            (Subject::Ambiguous(v), Subject::Entity(e)) => ambiguous && v.contains(e),
            _ => false,
        };
        if here == *subject || candidate {
            for (i, r) in data.references.iter().enumerate() {
                if super::same_id(&r.id, id) {
                    out.push(Occurrence {
                        file: f,
                        reference: Some(i),
                        id_span: r.span,
                        full: r.full_span(),
                    });
                }
            }
        }
        if declarations {
            let defines = match subject {
                Subject::Entity(e) => e.file == f,
                Subject::Ambiguous(v) => v.iter().any(|e| e.file == f),
                Subject::Undefined => false,
            };
            if defines {
                for e in data.entities.iter().filter(|e| e.id == id) {
                    out.push(Occurrence {
                        file: f,
                        reference: None,
                        id_span: e.id_span,
                        full: at_id(e.id_span),
                    });
                }
            }
        }
    }
    out.sort_by_key(|o| (o.file, o.id_span.start));
    out
}

/// `@id` from the span of `id`.
fn at_id(id: Span) -> Span {
    Span::new(id.start.saturating_sub(1), id.end)
}

/// Go to definition at `offset` in `file`.
///
/// - On a reference (mention, bare mention, property reference, attribute block speaker or
///   `via`): its definition as resolved from this file (the file's own first, else the one
///   workspace definition); every candidate when the ID is ambiguous; nothing when undefined.
///   `focus` is the definition's ID (without `@`), `full` the definition with its properties.
/// - On a definition's `@ID`: every reference in the workspace that resolves to this entity
///   (so one can jump between mentions), and those ambiguous between it and other definitions;
///   `focus` and `full` both the reference as written (`[surface]{@id}`, `@id`).
/// - Anywhere else: nothing.
pub fn goto_definition(ws: &Workspace, file: FileId, offset: usize) -> Vec<NavTarget> {
    let Some((id, target, subject)) = subject_at(ws, file, offset) else {
        return Vec::new();
    };
    match target {
        Target::Definition(_) => occurrences(ws, &id, &subject, false, true)
            .into_iter()
            .map(|o| NavTarget {
                file: o.file,
                focus: o.full,
                full: o.full,
            })
            .collect(),
        _ => {
            let defs = match &subject {
                Subject::Entity(e) => vec![*e],
                Subject::Ambiguous(v) => v.clone(),
                Subject::Undefined => Vec::new(),
            };
            defs.into_iter()
                .filter_map(|d| {
                    let e = ws.entity(d)?;
                    Some(NavTarget {
                        file: d.file,
                        focus: e.id_span,
                        full: e.span,
                    })
                })
                .collect()
        }
    }
}

/// Find references of the ID at `offset` (on a reference or a definition's `@ID`) across the
/// workspace, resolving each file's references with the same rules as diagnostics: a file
/// that defines the ID itself refers to its own definition, so it is not among the references
/// of another file's definition (and the other way round). References of a definition include
/// those that are ambiguous between it and others (the ID is defined in several files and the
/// referencing file defines none). References of an undefined ID are every use of that ID; of an
/// ambiguous one, every use that is ambiguous between the same definitions. Spans cover the reference as written (`[surface]{@id}`, `@id`); with
/// `include_declaration`, the `@id` of the definition(s) too. Sorted by file and offset.
pub fn references(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    match id_at(ws, file, offset) {
        Some(id) => references_of(ws, file, &id, include_declaration),
        None => Vec::new(),
    }
}

/// The entity ID at `offset` whose [`references`] are looked up there.
pub fn id_at(ws: &Workspace, file: FileId, offset: usize) -> Option<String> {
    id_and_target_at(ws, file, offset).map(|(id, _)| id)
}

/// [`references`] of the ID `id` as `file` resolves it: the same from every mention of it in
/// `file` (a server may keep them per ID).
pub fn references_of(
    ws: &Workspace,
    file: FileId,
    id: &str,
    include_declaration: bool,
) -> Vec<Location> {
    if id.is_empty() {
        return Vec::new();
    }
    let subject = Subject::of(ws.resolve(file, id));
    occurrences(ws, id, &subject, include_declaration, true)
        .into_iter()
        .map(|o| Location {
            file: o.file,
            span: o.full,
        })
        .collect()
}

/// Highlight, within `file`, every occurrence of the entity at `offset`: references are
/// [`HighlightKind::Read`], the file's definitions of it [`HighlightKind::Write`]. Sorted.
pub fn document_highlight(ws: &Workspace, file: FileId, offset: usize) -> Vec<Highlight> {
    let Some((id, _, subject)) = subject_at(ws, file, offset) else {
        return Vec::new();
    };
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let mut out: Vec<Highlight> = data
        .references
        .iter()
        .filter(|r| super::same_id(&r.id, &id))
        .map(|r| Highlight {
            span: r.full_span(),
            kind: HighlightKind::Read,
        })
        .collect();
    // Definitions in this file are highlighted when they are what the cursor's ID means.
    let local = matches!(&subject, Subject::Entity(e) if e.file == file);
    if local {
        out.extend(
            data.entities
                .iter()
                .filter(|e| e.id == id)
                .map(|e| Highlight {
                    span: at_id(e.id_span),
                    kind: HighlightKind::Write,
                }),
        );
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    /// Go to definition at `$0` lands exactly on the `⟦marked⟧` focus spans.
    fn check_goto(fixture: &str) {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let mut got: Vec<NavTarget> = goto_definition(&f.ws, file, offset);
        got.sort();
        let got: Vec<String> = got.iter().map(|t| f.show(t.file, t.focus)).collect();
        assert_eq!(got, f.marked(), "goto at {offset}");
    }

    fn check_refs(fixture: &str, include_declaration: bool) {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        let got: Vec<String> = references(&f.ws, file, offset, include_declaration)
            .iter()
            .map(|l| f.show(l.file, l.span))
            .collect();
        assert_eq!(got, f.marked(), "references at {offset}");
    }

    fn highlights(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        document_highlight(&f.ws, file, offset)
            .iter()
            .map(|h| format!("{:?} {}\n", h.kind, f.show(file, h.span)))
            .collect()
    }

    const REGISTRY: &str =
        "//- /registry.nmk\n@⟦lavrov⟧: person \"Sergey Lavrov\"\n  role: Minister\n";

    #[test]
    fn span_mention_to_definition_in_another_file() {
        check_goto(&format!(
            "{REGISTRY}//- /a.nmk\n[Lavrov]{{@lav$0rov}} said.\n"
        ));
    }

    #[test]
    fn cursor_on_surface_text_of_span_mention() {
        check_goto(&format!(
            "{REGISTRY}//- /a.nmk\n[Lav$0rov]{{@lavrov}} said.\n"
        ));
    }

    #[test]
    fn cursor_at_every_edge_of_a_bare_mention() {
        for cursor in ["$0@lavrov", "@$0lavrov", "@lav$0rov", "@lavrov$0"] {
            check_goto(&format!("{REGISTRY}//- /a.nmk\nThen {cursor}. said no.\n"));
        }
    }

    #[test]
    fn cursor_at_every_edge_of_a_span_mention() {
        for m in [
            "$0[Лавров 😀]{@lavrov}",
            "[$0Лавров 😀]{@lavrov}",
            "[Лавров 😀]$0{@lavrov}",
            "[Лавров 😀]{@$0lavrov}",
            "[Лавров 😀]{@lavrov$0}",
            "[Лавров 😀]{@lavrov}$0",
        ] {
            check_goto(&format!("{REGISTRY}//- /a.nmk\n«{m}» — said.\n"));
        }
    }

    #[test]
    fn touching_mentions_prefer_the_one_that_contains_the_cursor() {
        check_goto("//- /a.nmk\n@⟦b⟧: person \"B\"\n@a: person \"A\"\n[A]{@a}$0[B]{@b}\n");
        check_goto("//- /a.nmk\n@⟦a⟧: person \"A\"\n@b: person \"B\"\n[A]{@a}$0, [B]{@b}\n");
    }

    #[test]
    fn cursor_just_outside_a_mention_finds_nothing() {
        let f = Fixture::new(&format!("{REGISTRY}//- /a.nmk\nThen  @lavrov said.\n"));
        let a = f.file("/a.nmk");
        assert!(goto_definition(&f.ws, a, 4).is_empty());
        // Right after the ID and its following space.
        assert!(goto_definition(&f.ws, a, 14).is_empty());
    }

    #[test]
    fn property_reference_and_attribute_block() {
        check_goto(
            "//- /a.nmk\n@⟦mfa⟧: org \"MFA\"\n@lavrov: person \"Sergey Lavrov\"\n  member-of: @m$0fa\n",
        );
        check_goto(&format!(
            "{REGISTRY}//- /a.nmk\n“Мы готовы к диалогу,”{{@lavr$0ov}} he said.\n"
        ));
        check_goto(
            "//- /a.nmk\n@lavrov: person \"L\"\n@⟦tass⟧: org \"TASS\"\n\"We are ready for talks now\"{@lavrov via=@t$0ass}\n",
        );
    }

    #[test]
    fn local_definition_shadows_the_registry() {
        check_goto(
            "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n//- /a.nmk\n@⟦lavrov⟧: person \"Lavrov (local)\"\n\n@lav$0rov spoke.\n",
        );
    }

    #[test]
    fn ambiguous_id_lists_every_candidate() {
        check_goto(
            "//- /one.nmk\n@⟦x⟧: person \"X one\"\n//- /two.nmk\n@⟦x⟧: person \"X two\"\n//- /a.nmk\nAnd @x$0 spoke.\n",
        );
    }

    #[test]
    fn undefined_id_has_no_definition() {
        check_goto("//- /a.nmk\nAnd @nobody$0 spoke.\n");
    }

    #[test]
    fn on_a_definition_lists_every_mention_in_the_workspace() {
        check_goto(
            "//- /registry.nmk\n@lav$0rov: person \"Sergey Lavrov\"\n//- /a.nmk\n⟦[Лавров]{@lavrov}⟧ — and ⟦@lavrov⟧ 😀 again.\n“Да,” said ⟦@lavrov⟧.\n//- /b.nmk\n@mfa: org \"MFA\"\n  head: ⟦@lavrov⟧\n\"Quoted words are here\"{⟦@lavrov⟧}\n",
        );
    }

    #[test]
    fn from_a_definition_ambiguous_mentions_are_candidates_but_shadowed_ones_are_not() {
        // /a.nmk defines neither, so its mention may mean either definition; /shadow.nmk's own
        // mention means its own.
        check_goto(
            "//- /registry.nmk\n@lav$0rov: person \"Sergey Lavrov\"\n//- /a.nmk\nand ⟦@lavrov⟧ again.\n//- /shadow.nmk\n@lavrov: person \"Another Lavrov\"\n@lavrov said.\n",
        );
    }

    #[test]
    fn from_the_at_sign_of_a_definition() {
        check_goto("//- /a.nmk\n$0@x: person \"X\"\n⟦@x⟧ did.\n");
        check_goto("//- /a.nmk\n@x$0: person \"X\"\n⟦@x⟧ did.\n");
    }

    #[test]
    fn quotation_and_prose_have_no_target() {
        check_goto("//- /a.nmk\n@x: person \"X\"\n\"Some wo$0rds here\" said @x.\n");
    }

    #[test]
    fn references_with_and_without_declaration() {
        let fixture = "//- /registry.nmk\n⟦@lavrov⟧: person \"Sergey Lavrov\"\n  aka: Lavrov\n//- /a.nmk\n⟦[Lavrov]{@lavrov}⟧ met ⟦@lav$0rov⟧.\n//- /b.nmk\n@x: org \"X\"\n  head: ⟦@lavrov⟧\n";
        check_refs(fixture, true);
        check_refs(&fixture.replace("⟦@lavrov⟧:", "@lavrov:"), false);
    }

    #[test]
    fn references_from_a_shadowing_file_stay_in_it() {
        check_refs(
            "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n//- /shadow.nmk\n⟦@lavrov⟧: person \"Local\"\n  aka: L\n⟦@lavrov⟧ said ⟦[it]{@lavrov$0}⟧.\n//- /other.nmk\n@lavrov: person \"Other\"\n@lavrov too.\n",
            true,
        );
    }

    #[test]
    fn references_of_an_undefined_id_are_all_its_uses() {
        check_refs(
            "//- /a.nmk\n⟦@ghost$0⟧ and ⟦[G]{@ghost}⟧\n//- /b.nmk\n“Boo, boo, boo and boo”{⟦@ghost⟧}\n",
            true,
        );
    }

    #[test]
    fn duplicate_definitions_in_one_file_are_both_declarations() {
        check_refs(
            "//- /a.nmk\n⟦@x⟧: person \"X\"\n⟦@x⟧: person \"X again\"\n⟦@x$0⟧\n",
            true,
        );
    }

    #[test]
    fn highlight_marks_definitions_as_writes() {
        insta::assert_snapshot!(highlights(
            "@x: person \"X\"\n  aka: Ex\n\n@y: org \"Y\"\n  head: @x\n\n[Экс]{@x} and @x$0 — “quoted,”{@x} said @x.\n"
        ), @r#"
            Write /main.nmk 0..2 "@x"
            Read /main.nmk 46..48 "@x"
            Read /main.nmk 50..62 "[Экс]{@x}"
            Read /main.nmk 67..69 "@x"
            Read /main.nmk 88..90 "@x"
            Read /main.nmk 97..99 "@x"
            "#);
    }

    #[test]
    fn highlight_of_a_workspace_entity_has_no_write() {
        insta::assert_snapshot!(highlights(
            "//- /r.nmk\n@x: person \"X\"\n//- /a.nmk\n@x$0 and @x and @y\n"
        ), @r#"
            Read /a.nmk 0..2 "@x"
            Read /a.nmk 7..9 "@x"
            "#);
    }
}
