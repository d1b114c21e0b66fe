//! Rename an entity ID across the workspace.

use super::navigation::{occurrences, subject_at, Subject};
use super::{group_edits, SourceChange, TextEdit};
use crate::analysis::{FileId, Workspace};
use crate::syntax::{is_valid_id, Span};
use std::fmt;

/// Where a rename would apply: the ID under the cursor (without `@`) and its current text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepareRename {
    pub span: Span,
    pub placeholder: String,
}

/// Why a rename cannot be done; `message` is meant for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError {
    pub message: String,
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenameError {}

fn err<T>(message: String) -> Result<T, RenameError> {
    Err(RenameError { message })
}

/// Check that the ID at `offset` can be renamed.
///
/// `Ok(None)`: the cursor is on no `@ID` (nothing to rename). `Ok(Some(..))`: the span of the ID
/// (without `@`) and its text. `Err`: an ID that cannot be renamed from here (it is ambiguous
/// between definitions in several files), with the reason.
pub fn prepare_rename(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Result<Option<PrepareRename>, RenameError> {
    let Some(data) = ws.file(file) else {
        return Ok(None);
    };
    let Some((id, span, _)) = super::locate::id_at(data, offset) else {
        return Ok(None);
    };
    if id.is_empty() {
        return Ok(None);
    }
    if let Some((_, _, Subject::Ambiguous(defs))) = subject_at(ws, file, offset) {
        return err(ambiguous_message(ws, &id, &defs));
    }
    Ok(Some(PrepareRename {
        span,
        placeholder: id,
    }))
}

fn ambiguous_message(ws: &Workspace, id: &str, defs: &[crate::analysis::EntityRef]) -> String {
    let files: Vec<&str> = defs.iter().map(|d| ws.key(d.file)).collect();
    format!(
        "`@{id}` is defined in several files ({}) and this file defines none of them, so it is ambiguous here; rename it from one of its definitions",
        files.join(", ")
    )
}

/// Rename the entity whose `@ID` is at `offset` to `new_id` (a leading `@` is ignored).
///
/// The entity is the one the ID resolves to from `file`; every reference in the workspace that
/// resolves to it (mentions, bare mentions, property references, attribute block speakers and
/// `via`s) and its definition(s) in the defining file are edited. Only the ID text changes, never
/// the surface text of a mention. Files with their own (shadowing) definition of the ID keep
/// theirs; renaming from such a file renames only that file's entity. An undefined ID is
/// renamed at all its uses. Refused, with a message: an invalid new ID, a new ID that is already
/// defined anywhere in the workspace, an ambiguous ID, a cursor on no ID. Renaming to the same
/// ID gives no edits.
pub fn rename(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    new_id: &str,
) -> Result<SourceChange, RenameError> {
    let new_id = new_id.trim();
    let new_id = new_id.strip_prefix('@').unwrap_or(new_id);
    let Some((id, _, subject)) = subject_at(ws, file, offset) else {
        return err("there is no entity ID here to rename".into());
    };
    if let Subject::Ambiguous(defs) = &subject {
        return err(ambiguous_message(ws, &id, defs));
    }
    if !is_valid_id(new_id) {
        return err(format!(
            "`{new_id}` is not a valid ID: use letters, digits and `_`, joined by single `-` or `.` (as in `mfa-ru`)"
        ));
    }
    if new_id == id {
        return Ok(Vec::new());
    }
    if let Some(d) = ws.definitions(new_id).first() {
        let line = ws
            .entity(*d)
            .and_then(|e| ws.file(d.file).map(|f| f.line_col(e.id_span.start).0 + 1))
            .unwrap_or(0);
        return err(format!(
            "`@{new_id}` is already defined in {} at line {line}; pick another ID",
            ws.key(d.file)
        ));
    }
    let edits = occurrences(ws, &id, &subject, true, false)
        .into_iter()
        .map(|o| (o.file, TextEdit::new(o.id_span, new_id)));
    Ok(group_edits(edits))
}
