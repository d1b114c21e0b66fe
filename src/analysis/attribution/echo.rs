//! Echo (rule 6): a speakerless quotation whose words recur inside a later attributed quotation
//! of the same article takes that speaker (a lede often teases words the body quotes in full).

use super::infer::Outcome;
use super::AttributionKind;
use crate::syntax::Span;
use std::collections::HashMap;

/// Fewer words than this are too common to identify a quotation (`"grey"`).
const MIN_ECHO_WORDS: usize = 2;
/// Candidate places checked per quotation: bounds the work on repetitive documents.
const MAX_CANDIDATES: usize = 256;

/// The words of a text for matching: lowercased letters and digits.
pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// One quotation as echo sees it.
pub(super) struct EchoQuote<'a> {
    pub words: Vec<String>,
    /// Its speaker and the span naming it, when attributed.
    pub speaker: Option<(&'a str, Option<Span>)>,
    /// Whether echo may give it a speaker (no cue, not nested, not explicit).
    pub open: bool,
    pub content: Span,
}

/// Give every open quotation the speaker of the first later attributed quotation that contains
/// its words. `quotes` are in text order.
pub(super) fn apply<'a>(quotes: &[EchoQuote<'a>], outcomes: &mut [Outcome<'a>]) {
    // Only the pairs that open a quotation to look for are ever looked up: index just those.
    let mut index: HashMap<(&str, &str), Vec<(usize, usize)>> = HashMap::new();
    for q in quotes {
        if q.open && q.words.len() >= MIN_ECHO_WORDS {
            index.insert((q.words[0].as_str(), q.words[1].as_str()), Vec::new());
        }
    }
    if index.is_empty() {
        return;
    }
    for (qi, q) in quotes.iter().enumerate() {
        if q.speaker.is_none() {
            continue;
        }
        for (pos, pair) in q.words.windows(2).enumerate() {
            if let Some(places) = index.get_mut(&(pair[0].as_str(), pair[1].as_str())) {
                places.push((qi, pos));
            }
        }
    }
    for (qi, q) in quotes.iter().enumerate() {
        if !q.open || q.words.len() < MIN_ECHO_WORDS {
            continue;
        }
        let Some(places) = index.get(&(q.words[0].as_str(), q.words[1].as_str())) else {
            continue;
        };
        let start = places.partition_point(|&(other, _)| other <= qi);
        let found = places[start..]
            .iter()
            .take(MAX_CANDIDATES)
            .find(|&&(other, pos)| {
                quotes[other]
                    .words
                    .get(pos..pos + q.words.len())
                    .is_some_and(|w| w == q.words.as_slice())
            });
        if let Some(&(other, _)) = found {
            let Some((id, span)) = quotes[other].speaker else {
                continue;
            };
            outcomes[qi] = Outcome::Speaker {
                id,
                kind: AttributionKind::Inferred,
                cue: "echo".into(),
                cue_span: Some(quotes[other].content),
                speaker_span: span,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q<'a>(text: &str, speaker: Option<&'a str>, open: bool) -> EchoQuote<'a> {
        EchoQuote {
            words: words(text),
            speaker: speaker.map(|s| (s, None)),
            open,
            content: Span::default(),
        }
    }

    #[test]
    fn takes_the_speaker_of_a_later_quotation_with_the_same_words() {
        let quotes = [
            q("a new era", None, true),
            q("grey", None, true),
            q("earlier, unrelated", Some("x"), false),
            q("We are entering a new era, friends.", Some("lavrov"), false),
            q("It is grey and a new era", Some("later"), false),
        ];
        let mut out = vec![Outcome::Pending; quotes.len()];
        apply(&quotes, &mut out);
        assert!(
            matches!(&out[0], Outcome::Speaker { id, cue, .. } if *id == "lavrov" && cue == "echo"),
            "{:?}",
            out[0]
        );
        // One word is too little to go on.
        assert_eq!(out[1], Outcome::Pending);
    }

    #[test]
    fn only_later_quotations_count() {
        let quotes = [q("a new era", Some("x"), false), q("a new era", None, true)];
        let mut out = vec![Outcome::Pending; 2];
        apply(&quotes, &mut out);
        assert_eq!(out[1], Outcome::Pending);
    }
}
