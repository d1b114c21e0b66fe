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
    if !is_valid_id(&id) {
        return err(invalid_here_message(&id));
    }
    if let Some((_, _, Subject::Ambiguous(defs))) = subject_at(ws, file, offset) {
        return err(ambiguous_message(ws, &id, &defs));
    }
    Ok(Some(PrepareRename {
        span,
        placeholder: id,
    }))
}

/// A definition whose ID is malformed (a syntax error) is not an entity one can rename: renaming
/// it would turn it into a valid one that could never be renamed back.
fn invalid_here_message(id: &str) -> String {
    format!("`{id}` is not a valid ID, so there is nothing to rename; fix the definition first")
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
    if !is_valid_id(&id) {
        return err(invalid_here_message(&id));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    #[test]
    fn a_malformed_definition_id_is_not_renamed() {
        // Found by the rename round-trip property: `@a{@a}@a:` is a definition with a bad ID.
        let f = Fixture::new("@a{$0@a}@a: person \"Ann\"\n@a: person \"Ann\"\n");
        let (file, offset) = f.cursor();
        let prep = prepare_rename(&f.ws, file, offset).unwrap_err();
        assert!(prep.message.contains("not a valid ID"), "{prep}");
        let e = rename(&f.ws, file, offset, "zz").unwrap_err();
        assert!(e.message.contains("not a valid ID"), "{e}");
    }

    /// Rename at `$0` to `new_id`; the changed files after the edits, or the error message.
    fn check(fixture: &str, new_id: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        match rename(&f.ws, file, offset, new_id) {
            Ok(change) => f.apply(&change),
            Err(e) => format!("error: {e}"),
        }
    }

    fn prepare(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let (file, offset) = f.cursor();
        match prepare_rename(&f.ws, file, offset) {
            Ok(Some(p)) => format!("{} {:?}", f.show(file, p.span), p.placeholder),
            Ok(None) => "none".into(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn renames_every_kind_of_reference_and_the_definition() {
        insta::assert_snapshot!(check(
            "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n  aka: Лавров\n@mfa: org \"MFA\"\n  head: @lavrov, not @lavrov2\n//- /a.nmk\n[Лавров]{@lavrov} — and @lav$0rov. 😀\n“Мы готовы,”{@lavrov} he said.\n\"We are ready for talks\"{@jiji via=@lavrov}\n//- /untouched.nmk\nNo mention of [Lavrov] here, but @lavrovich.\n",
            "sergey-lavrov"
        ), @r#"
            //- /registry.nmk
            @sergey-lavrov: person "Sergey Lavrov"
              aka: Лавров
            @mfa: org "MFA"
              head: @sergey-lavrov, not @lavrov2
            //- /a.nmk
            [Лавров]{@sergey-lavrov} — and @sergey-lavrov. 😀
            “Мы готовы,”{@sergey-lavrov} he said.
            "We are ready for talks"{@jiji via=@sergey-lavrov}
            "#);
    }

    #[test]
    fn from_the_definition_and_with_a_leading_at() {
        insta::assert_snapshot!(check(
            "//- /a.nmk\n@x$0: person \"X\"\n\n@x said and [X]{@x} did.\n",
            "@y"
        ), @r#"
            //- /a.nmk
            @y: person "X"

            @y said and [X]{@y} did.
            "#);
    }

    #[test]
    fn rename_in_a_shadowing_file_renames_only_its_entity() {
        insta::assert_snapshot!(check(
            "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n//- /a.nmk\n@lavrov: person \"Local Lavrov\"\n\n@lavrov$0 said.\n//- /b.nmk\n@lavrov: person \"Another\"\n@lavrov said.\n",
            "local-lavrov"
        ), @r#"
            //- /a.nmk
            @local-lavrov: person "Local Lavrov"

            @local-lavrov said.
            "#);
    }

    #[test]
    fn rename_of_a_registry_entity_skips_files_that_shadow_it() {
        insta::assert_snapshot!(check(
            "//- /registry.nmk\n@lavrov: person \"Sergey Lavrov\"\n@x: org \"X\"\n  head: @lavrov\n//- /a.nmk\n@lavrov$0 spoke.\n",
            "sl"
        ), @r#"
            //- /registry.nmk
            @sl: person "Sergey Lavrov"
            @x: org "X"
              head: @sl
            //- /a.nmk
            @sl spoke.
            "#);
    }

    #[test]
    fn undefined_ids_are_renamed_at_all_their_uses() {
        insta::assert_snapshot!(check(
            "//- /a.nmk\n@ghst$0 and [G]{@ghst}\n//- /b.nmk\n“Boo boo boo boo”{@ghst}\n",
            "ghost"
        ), @r#"
            //- /a.nmk
            @ghost and [G]{@ghost}
            //- /b.nmk
            “Boo boo boo boo”{@ghost}
            "#);
    }

    #[test]
    fn invalid_ids_are_refused() {
        for bad in ["", "a b", "mfa-", "-x", "é", "a--b", "x}"] {
            let out = check("@x: person \"X\"\n@x$0\n", bad);
            assert!(out.starts_with("error: `"), "{bad:?}: {out}");
            assert!(out.contains("is not a valid ID"), "{bad:?}: {out}");
        }
    }

    #[test]
    fn collisions_are_refused() {
        insta::assert_snapshot!(check(
            "//- /r.nmk\n@taken: person \"T\"\n\n\n@x: person \"X\"\n//- /a.nmk\n@x$0\n",
            "taken"
        ), @r#"error: `@taken` is already defined in /r.nmk at line 1; pick another ID"#);
    }

    #[test]
    fn ambiguous_ids_are_refused() {
        let fixture =
            "//- /one.nmk\n@x: person \"X\"\n//- /two.nmk\n@x: person \"X\"\n//- /a.nmk\n@x$0 said\n";
        insta::assert_snapshot!(check(fixture, "y"), @r#"error: `@x` is defined in several files (/one.nmk, /two.nmk) and this file defines none of them, so it is ambiguous here; rename it from one of its definitions"#);
        assert!(prepare(fixture).starts_with("error: `@x` is defined in several files"));
    }

    #[test]
    fn same_id_is_no_edit() {
        assert_eq!(check("@x: person \"X\"\n@x$0\n", "x"), "");
    }

    #[test]
    fn nothing_to_rename_in_prose() {
        assert_eq!(
            check("@x: person \"X\"\nplain pr$0ose\n", "y"),
            "error: there is no entity ID here to rename"
        );
        assert_eq!(prepare("@x: person \"X\"\nplain pr$0ose\n"), "none");
        assert_eq!(prepare("“Quoted wo$0rds here”\n"), "none");
    }

    #[test]
    fn prepare_gives_the_id_span_without_at() {
        assert_eq!(
            prepare("@x: person \"X\"\n«Да» [Иван]{@x$0}\n"),
            "/main.nmk 36..37 \"x\" \"x\""
        );
        assert_eq!(
            prepare("$0@x: person \"X\"\n"),
            "/main.nmk 1..2 \"x\" \"x\""
        );
        assert_eq!(
            prepare("@x: person \"X\"\n@y: org \"Y\"\n  head: @x$0\n"),
            "/main.nmk 36..37 \"x\" \"x\""
        );
    }
}
