//! Diagnostics: stable codes, default severities, messages and the data quick fixes need.

use crate::syntax::Span;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    UnattributedQuote,
    UndefinedEntity,
    DuplicateDefinition,
    ShadowedDefinition,
    UnusedEntity,
    UnclosedQuote,
    UnlinkedMention,
    SpeakerKind,
    UnknownKind,
    BadProperty,
    Syntax,
}

impl Code {
    pub const ALL: [Code; 11] = [
        Code::UnattributedQuote,
        Code::UndefinedEntity,
        Code::DuplicateDefinition,
        Code::ShadowedDefinition,
        Code::UnusedEntity,
        Code::UnclosedQuote,
        Code::UnlinkedMention,
        Code::SpeakerKind,
        Code::UnknownKind,
        Code::BadProperty,
        Code::Syntax,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnattributedQuote => "unattributed-quote",
            Code::UndefinedEntity => "undefined-entity",
            Code::DuplicateDefinition => "duplicate-definition",
            Code::ShadowedDefinition => "shadowed-definition",
            Code::UnusedEntity => "unused-entity",
            Code::UnclosedQuote => "unclosed-quote",
            Code::UnlinkedMention => "unlinked-mention",
            Code::SpeakerKind => "speaker-kind",
            Code::UnknownKind => "unknown-kind",
            Code::BadProperty => "bad-property",
            Code::Syntax => "syntax",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn default_severity(self) -> Severity {
        match self {
            Code::UnattributedQuote | Code::SpeakerKind | Code::BadProperty => Severity::Warning,
            Code::ShadowedDefinition => Severity::Info,
            Code::UnusedEntity | Code::UnlinkedMention => Severity::Hint,
            _ => Severity::Error,
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Code::UnattributedQuote => "a quotation with no explicit or inferred speaker",
            Code::UndefinedEntity => {
                "a mention or reference of an ID defined nowhere in the workspace"
            }
            Code::DuplicateDefinition => {
                "an ID defined twice in one file, or ambiguously across files"
            }
            Code::ShadowedDefinition => {
                "a file's own definition hides a workspace one with the same ID"
            }
            Code::UnusedEntity => "a definition that nothing in the workspace mentions",
            Code::UnclosedQuote => "a quotation that never closes",
            Code::UnlinkedMention => {
                "an entity's name or alias appears in prose outside any mention"
            }
            Code::SpeakerKind => "a quotation attributed to a place or an event",
            Code::UnknownKind => "a definition with a kind not in the list",
            Code::BadProperty => "a checked property with a malformed value",
            Code::Syntax => "malformed markup",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// What a quick fix needs to act on a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fix", rename_all = "kebab-case")]
pub enum FixData {
    /// Attribute the quotation (index into the file's quotes) to one of these IDs.
    AttributeQuote {
        quote: usize,
        candidates: Vec<String>,
    },
    /// Define the undefined ID.
    DefineEntity { id: String },
    /// Link the text at the diagnostic's span to the entity.
    LinkMention { id: String },
}

/// Another place that explains a diagnostic (the first definition of a duplicate, say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    /// The file's key in the workspace (a path or URI).
    pub file: String,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixData>,
}
