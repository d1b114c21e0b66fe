//! Go to definition, find references and document highlight.

use super::locate::{target_at, Target};
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
    let data = ws.file(file)?;
    let t = target_at(data, offset)?;
    let id = match t {
        Target::Reference(i) => data.references[i].id.clone(),
        Target::Definition(i) => data.entities[i].id.clone(),
        Target::Quote(_) => return None,
    };
    if id.is_empty() {
        return None;
    }
    let subject = Subject::of(ws.resolve(file, &id));
    Some((id, t, subject))
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
pub(crate) fn occurrences(
    ws: &Workspace,
    id: &str,
    subject: &Subject,
    declarations: bool,
) -> Vec<Occurrence> {
    let mut files: Vec<FileId> = ws.users(id).collect();
    files.extend(ws.definitions(id).iter().map(|d| d.file));
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        let Some(data) = ws.file(f) else { continue };
        if Subject::of(ws.resolve(f, id)) == *subject {
            for (i, r) in data.references.iter().enumerate() {
                if r.id == id {
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
///   (so one can jump between mentions), `focus` and `full` both the reference as written
///   (`[surface]{@id}`, `@id`).
/// - Anywhere else: nothing.
pub fn goto_definition(ws: &Workspace, file: FileId, offset: usize) -> Vec<NavTarget> {
    let Some((id, target, subject)) = subject_at(ws, file, offset) else {
        return Vec::new();
    };
    match target {
        Target::Definition(_) => occurrences(ws, &id, &subject, false)
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
/// of another file's definition (and the other way round). References of an undefined ID are
/// every use of that ID; of an ambiguous one, every use that is ambiguous between the same
/// definitions. Spans cover the reference as written (`[surface]{@id}`, `@id`); with
/// `include_declaration`, the `@id` of the definition(s) too. Sorted by file and offset.
pub fn references(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Location> {
    let Some((id, _, subject)) = subject_at(ws, file, offset) else {
        return Vec::new();
    };
    occurrences(ws, &id, &subject, include_declaration)
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
        .filter(|r| r.id == id)
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
