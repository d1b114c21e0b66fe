//! Sentence splitting over the token stream. A sentence ends at `.`, `?`, `!` or `…` (or a
//! quotation whose words end with one) when the next token can start a sentence; abbreviations
//! (`Mr.`) and initials do not end one.

use super::lexicon::{is_abbreviation, is_adverb, is_determiner, is_title_word, pronoun, Lexicon};
use super::prose::{positions_in, Prose, Tok, TokKind};

#[derive(Clone, Copy, Debug)]
pub(super) struct Sentence {
    /// Token range.
    pub start: usize,
    pub end: usize,
    /// Index into `Prose::paras`.
    pub para: usize,
    pub heading: bool,
}

fn starts_sentence(t: &Tok<'_>) -> bool {
    match &t.kind {
        TokKind::Quote(_) => true,
        TokKind::Word | TokKind::Mention { .. } => {
            t.cap() || t.lower.chars().next().is_some_and(|c| c.is_ascii_digit())
        }
        TokKind::Punct(c) => matches!(c, '(' | '[' | '—' | '–'),
        TokKind::Possessive => false,
    }
}

/// The sentence-ending mark the quotation's words end with (`"… move on."`, `"… right?"`).
pub(super) fn end_mark(content: &str) -> Option<char> {
    let trimmed = content
        .trim_end()
        .trim_end_matches(['\'', '’', '"', '”', ')']);
    trimmed
        .chars()
        .next_back()
        .filter(|c| matches!(c, '.' | '?' | '!' | '…'))
}

/// Whether a reporting clause starts at `k` (`Mr Smith asked`, `asked Mr Smith`): a question
/// or exclamation in quotation marks followed by one does not end the sentence.
fn reporting_clause_at(toks: &[Tok<'_>], k: usize, end: usize, lex: &Lexicon) -> bool {
    for i in k..end.min(k + 8) {
        let t = &toks[i];
        match &t.kind {
            TokKind::Word => {
                let w = t.low();
                let next = |n: usize| toks.get(i + n).filter(|_| i + n < end).and_then(Tok::word);
                if !t.cap() && lex.verb_at(w, next).is_some() {
                    return true;
                }
                let np = t.cap() || is_determiner(w) || is_title_word(w) || is_adverb(w);
                if !np && pronoun(w).is_none() {
                    return false;
                }
            }
            TokKind::Mention { .. } | TokKind::Possessive => {}
            _ => return false,
        }
    }
    false
}

pub(super) fn split(
    prose: &Prose<'_>,
    lex: &Lexicon,
    quote_end: impl Fn(usize) -> Option<char>,
) -> Vec<Sentence> {
    let toks = &prose.toks;
    let stops = &prose.stops;
    // At most a sentence per stop and one more per paragraph: sized once, as growing a large
    // file's vector copied it several times.
    let mut out = Vec::with_capacity(stops.len() + prose.paras.len());
    // The next token that may end a sentence (paragraphs come in token order).
    let mut next_stop = 0;
    for (pi, para) in prose.paras.iter().enumerate() {
        let mut start = para.start;
        let ptoks = &toks[para.start..para.end];
        // Only the tokens that may end a sentence: no other token ends one.
        for &i in positions_in(stops, &mut next_stop, para.start, para.end) {
            let i = i as usize;
            let k = i - para.start;
            let t = &ptoks[k];
            let ends = match &t.kind {
                TokKind::Punct('.') => {
                    let abbrev = k > 0 && {
                        let prev = &ptoks[k - 1];
                        prev.span().end == t.span().start
                            && prev.word().is_some_and(|w| {
                                is_abbreviation(w) || (w.chars().count() == 1 && prev.cap())
                            })
                    };
                    !abbrev
                }
                TokKind::Punct('?' | '!' | '…') => true,
                TokKind::Quote(q) => match quote_end(*q as usize) {
                    Some('?' | '!') => !reporting_clause_at(toks, i + 1, para.end, lex),
                    Some(_) => true,
                    None => false,
                },
                _ => false,
            };
            // A closing bracket or mark right after the full stop belongs to the sentence.
            if ends && ptoks.get(k + 1).is_none_or(starts_sentence) {
                out.push(Sentence {
                    start,
                    end: i + 1,
                    para: pi,
                    heading: para.heading,
                });
                start = i + 1;
            }
        }
        if start < para.end {
            out.push(Sentence {
                start,
                end: para.end,
                para: pi,
                heading: para.heading,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::entity::Entity;
    use crate::analysis::file::FileData;
    use crate::syntax::ParseOptions;

    fn sentences(text: &str) -> Vec<String> {
        let file = FileData::new(text.to_string(), &ParseOptions::default());
        let lowered = file.text.to_ascii_lowercase();
        let lookup = |_: &str| -> Option<&Entity> { None };
        let owned = super::super::prose::Owned::default();
        let prose = super::super::prose::build(&file, &lowered, &owned, &lookup);
        let ends = |q: usize| end_mark(file.parse().quotes[q].content.slice(&file.text));
        split(&prose, &Lexicon::default(), ends)
            .iter()
            .map(|s| {
                let a = prose.toks[s.start].span().start;
                let b = prose.toks[s.end - 1].span().end;
                file.text[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn splits_at_full_stops_and_quotations() {
        assert_eq!(
            sentences("Mr. Smith met J. Doe at 3 p.m. today. \"We won.\" He said so.\n\n\"How?\" he asked. \"Why?\" Mr Doe asked. \"Fine!\" The end."),
            [
                "Mr. Smith met J. Doe at 3 p.m. today.",
                "\"We won.\"",
                "He said so.",
                "\"How?\" he asked.",
                "\"Why?\" Mr Doe asked.",
                "\"Fine!\"",
                "The end."
            ]
        );
    }

    #[test]
    fn lowercase_after_a_stop_continues_the_sentence() {
        assert_eq!(
            sentences("It rose 3.1 per cent... then fell. Next one"),
            ["It rose 3.1 per cent... then fell.", "Next one"]
        );
    }
}
