//! Who said each quotation: explicit attribute blocks, else inference from the prose
//! (brief, section 2).
//!
//! The pipeline: [`prose`] turns the syntax inlines into tokens (quotations as single units,
//! mentions with their entity's kind), [`sentences`] splits them, [`cues`] finds reporting verbs
//! and `according to` with their subjects ([`subject`]), [`referents`] resolves pronouns,
//! [`infer`] applies the rules and continuation sentence by sentence, and [`echo`] gives
//! leftover quotations the speaker of a later quotation with the same words.

mod cues;
mod echo;
mod infer;
mod lexicon;
mod prose;
mod referents;
mod sentences;
mod subject;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use super::entity::Entity;
use super::file::FileData;
use crate::config::AttributionConfig;
use crate::syntax::{AttrContent, Quote, Span};
use infer::{Explicit, Outcome};
use serde::Serialize;
use std::borrow::Cow;

pub(crate) use prose::plain_text;

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

/// The words of a quotation as a reader sees them (`[x]{@id}` shows as `x`).
pub fn quote_text<'f>(file: &'f FileData, q: &Quote) -> Cow<'f, str> {
    plain_text(file, q.content, q.blocks.0)
}

/// Attribute every quotation of the file (in `parse.quotes` order).
pub fn attribute(
    file: &FileData,
    lookup: &Lookup<'_>,
    config: &AttributionConfig,
) -> Vec<Attribution> {
    let quotes = &file.parse().quotes;
    if quotes.is_empty() {
        return Vec::new();
    }
    // Tokens hold 30-bit offsets: a file of 1 GiB or more gets explicit attributions only.
    if file.text.len() >= prose::MAX_TEXT {
        return quotes
            .iter()
            .map(|q| {
                explicit(q).unwrap_or_else(|| fallback(q.nested, &quote_text(file, q), config))
            })
            .collect();
    }
    // What `explicit` gives each quotation, without building the attributions yet (that is
    // done once, for the result), and which are nested: the later passes read these rather
    // than the quotations, which in a large file have left the cache by then.
    let (marks, nested): (Vec<Explicit<'_>>, Vec<bool>) = quotes
        .iter()
        .map(|q| {
            let mark = match q.attr.as_ref().map(|a| &a.content) {
                Some(AttrContent::Speaker { speaker, .. }) => Explicit::Speaker {
                    id: &speaker.id,
                    span: speaker.span,
                },
                Some(AttrContent::NotAQuote) => Explicit::NotAQuote,
                Some(AttrContent::Invalid) | None => Explicit::None,
            };
            (mark, q.nested)
        })
        .unzip();
    let texts: Vec<Cow<'_, str>> = quotes.iter().map(|q| quote_text(file, q)).collect();
    // ASCII-lowercased once, so that most words' lowercase forms are slices of it.
    let lowered = ascii_lowercase(&file.text);
    let owned = prose::Owned::default();
    let prose = prose::build(file, &lowered, &owned, lookup);
    let lex = lexicon::Lexicon::new(config, file.meta("lang"));
    let sents = sentences::split(&prose, &lex, |q| sentences::end_mark(&texts[q]));
    let input = infer::Input {
        toks: &prose.toks,
        ids: &prose.ids,
        mention_at: &prose.mention_at,
        persons: &prose.persons,
        quote_at: &prose.quote_at,
        sents: &sents,
        lex: &lex,
        explicit: &marks,
        texts: &texts,
    };
    let mut outcomes = infer::run(&input, lookup);

    let open: Vec<bool> = (0..quotes.len())
        .map(|i| {
            !nested[i] && matches!(marks[i], Explicit::None) && outcomes[i] == Outcome::Pending
        })
        .collect();
    // Echo only matters after the first open quotation; the words of the others are never read.
    if let Some(first_open) = open.iter().position(|&o| o) {
        let echo_quotes: Vec<echo::EchoQuote<'_>> = quotes
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let speaker = match (&marks[i], &outcomes[i]) {
                    (Explicit::Speaker { id, span }, _) => Some((*id, Some(*span))),
                    (
                        _,
                        Outcome::Speaker {
                            id, speaker_span, ..
                        },
                    ) => Some((*id, *speaker_span)),
                    _ => None,
                };
                let wanted = open[i] || (i > first_open && speaker.is_some());
                echo::EchoQuote {
                    words: if wanted {
                        echo::words(&texts[i])
                    } else {
                        Vec::new()
                    },
                    speaker,
                    open: open[i],
                    content: q.content,
                }
            })
            .collect();
        echo::apply(&echo_quotes, &mut outcomes);
    }

    outcomes
        .into_iter()
        .enumerate()
        .map(|(i, outcome)| {
            // Only a quotation with an attribute block is read again.
            if !matches!(marks[i], Explicit::None) {
                if let Some(a) = explicit(&quotes[i]) {
                    return a;
                }
            }
            let nested = nested[i];
            match outcome {
                Outcome::Speaker {
                    id,
                    kind,
                    cue,
                    cue_span,
                    speaker_span,
                } if !nested => Attribution {
                    speaker: Some(id.to_string()),
                    via: None,
                    kind,
                    cue: Some(cue),
                    cue_span,
                    speaker_span,
                },
                Outcome::Blocked { cue, cue_span } if !nested => {
                    let mut a = fallback(nested, &texts[i], config);
                    if a.kind == AttributionKind::None {
                        a.cue = Some(cue);
                        a.cue_span = cue_span;
                    }
                    a
                }
                _ => fallback(nested, &texts[i], config),
            }
        })
        .collect()
}

/// `text.to_ascii_lowercase()`, a few KiB at a time: the copy and the lowercasing then meet
/// the same cache lines, where a whole-file copy then a second pass over a large file read it
/// from memory twice.
fn ascii_lowercase(text: &str) -> String {
    const CHUNK: usize = 4096;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let mut end = (at + CHUNK).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        out.push_str(&text[at..end]);
        out[at..end].make_ascii_lowercase();
        at = end;
    }
    out
}

fn explicit(q: &Quote) -> Option<Attribution> {
    let attr = q.attr.as_ref()?;
    match &attr.content {
        AttrContent::Speaker { speaker, via } => Some(Attribution {
            speaker: Some(speaker.id.to_string()),
            via: via.as_ref().map(|v| v.id.to_string()),
            kind: AttributionKind::Explicit,
            cue: Some(match via {
                Some(v) => ["{@", &speaker.id, " via=@", &v.id, "}"].concat(),
                None => ["{@", &speaker.id, "}"].concat(),
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
fn fallback(nested: bool, text: &str, config: &AttributionConfig) -> Attribution {
    if nested {
        return Attribution::simple(AttributionKind::NotAQuote, Some("nested quotation"));
    }
    if word_count(text) < config.min_quote_words {
        Attribution::simple(AttributionKind::NotAQuote, Some("short quotation"))
    } else {
        Attribution::simple(AttributionKind::None, None)
    }
}
