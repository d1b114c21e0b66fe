//! Editor features as pure functions over the analysis: hover, navigation, rename, completion,
//! symbols, code actions, semantic tokens, inlay hints and folding.
//!
//! Every function takes the [`Workspace`], a [`FileId`] and byte offsets into that file's text
//! (and the file's [`FileAnalysis`] where it needs resolutions, attributions or diagnostics, so
//! that callers can cache it), and returns plain data with byte [`Span`]s and [`FileId`]s. No LSP
//! types, no JSON, no I/O: the protocol layer converts offsets to positions and data to messages.
//!
//! Offsets that fall inside a multi-byte character are floored to a char boundary; offsets past
//! the end of the text are clamped. Spans in results always lie on char boundaries.
//!
//! Choices where the brief is silent:
//! - "The same entity" follows the resolution rules of the diagnostics: a file's own definition
//!   wins; otherwise the one workspace definition. So when a file shadows a registry entity, a
//!   third file that defines neither is ambiguous (and flagged). Find references and go to
//!   definition from a definition list such ambiguous uses as candidates; rename never edits
//!   them and refuses to start from one.
//! - A cursor touching a token counts as on it: at its first byte, just after its `@`, or right
//!   after its last byte; when two tokens touch the cursor the one containing it wins.
//! - Reference spans in results are the reference as written (`[surface]{@id}`, `@id`); rename
//!   edits only the ID itself.

mod code_actions;
mod completion;
mod folding;
mod hover;
mod inlay_hints;
mod locate;
mod navigation;
mod rename;
mod semantic_tokens;
mod symbols;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod robustness;

pub use code_actions::{code_actions, ActionKind, CodeAction};
pub(crate) use completion::entity_detail;
pub use completion::{
    completion, completion_depends_on, completion_limited, CompletionItem, CompletionKind,
};
pub use folding::{folding_ranges, FoldingKind, FoldingRange};
pub use hover::{
    entity_card, entity_card_with, hover, hover_entity, mention_counts, Hover, MentionCounts,
};
pub use inlay_hints::{inlay_hints, InlayHint};
pub use locate::{target_at, Target};
pub use navigation::{
    document_highlight, goto_definition, id_at, references, references_of, Highlight,
    HighlightKind, Location, NavTarget,
};
pub use rename::{prepare_rename, rename, PrepareRename, RenameError};
pub use semantic_tokens::{semantic_tokens, SemanticToken, TokenModifier, TokenType};
pub use symbols::{
    document_symbols, workspace_symbols, DocumentSymbol, SymbolKind, WorkspaceSymbol,
};

use super::{FileAnalysis, FileId};
use crate::syntax::Span;

/// Replace the text at `span` (a byte range of the file it belongs to) with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

impl TextEdit {
    pub fn new(span: Span, new_text: impl Into<String>) -> TextEdit {
        TextEdit {
            span,
            new_text: new_text.into(),
        }
    }

    pub fn insert(offset: usize, new_text: impl Into<String>) -> TextEdit {
        TextEdit::new(Span::new(offset, offset), new_text)
    }
}

/// Edits across the workspace, like LSP's `WorkspaceEdit`: per file (in `FileId` order), edits
/// sorted by position and never overlapping.
pub type SourceChange = Vec<(FileId, Vec<TextEdit>)>;

/// Looks up the analysis of another file of the workspace (a server passes its cache; a caller
/// without one can pass `&|f| Some(std::sync::Arc::new(ws.analyze(f)))`).
pub type AnalysisOf<'a> = dyn Fn(FileId) -> Option<std::sync::Arc<FileAnalysis>> + 'a;

/// Clamp `offset` into `text` and floor it to a char boundary.
pub(crate) fn clamp_offset(text: &str, offset: usize) -> usize {
    super::floor_char_boundary(text, offset)
}

/// Group `(file, edit)` pairs into a [`SourceChange`], sorted and without duplicates.
pub(crate) fn group_edits(edits: impl IntoIterator<Item = (FileId, TextEdit)>) -> SourceChange {
    let mut map: std::collections::BTreeMap<FileId, Vec<TextEdit>> = Default::default();
    for (f, e) in edits {
        map.entry(f).or_default().push(e);
    }
    map.into_iter()
        .map(|(f, mut v)| {
            v.sort();
            v.dedup();
            (f, v)
        })
        .collect()
}

/// `a == b` for IDs, testing the last byte before the whole: IDs of one workspace often share a
/// length and a prefix (`e0001`, `e0002`), and the workspace-wide scans of references compare
/// thousands of them per request.
#[inline]
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}
