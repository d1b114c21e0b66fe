//! The semantic model: entities, mentions, quotations, attribution and diagnostics, per file and
//! across the workspace. Plain Rust data with byte offsets: no LSP types, no I/O.

mod analyze;
pub mod attribution;
mod diagnostic;
mod entity;
pub mod export;
mod file;
pub mod ide;
mod line_index;
mod names;
pub mod properties;
mod workspace;

pub use analyze::{preview, FileAnalysis};
pub use attribution::{Attribution, AttributionKind};
pub use diagnostic::{Code, Diagnostic, FixData, Related, Severity};
pub use entity::{Entity, EntityKind, PropertyValue};
pub use file::{floor_char_boundary, line_col, FileData, RefRole, Reference};
pub use line_index::LineIndex;
pub use workspace::{parse_options, Change, EntityRef, FileId, Resolution, Workspace};
