//! Reporting cues in a sentence: reporting verbs with their subjects, `according to X`, and
//! `quoted X as saying`.

use super::lexicon::{is_determiner, Form, Pronoun};
use super::prose::TokKind;
use super::subject::{Clause, Subject};
use crate::syntax::Span;
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CueKind {
    Verb(Form),
    /// `according to X`: the source is X.
    AccordingTo,
    /// `quoted X as saying`: the speaker is the object X.
    QuotedAs,
}

#[derive(Clone, Debug)]
pub(super) struct Cue<'a> {
    /// Token range of the cue words.
    pub start: usize,
    pub end: usize,
    pub kind: CueKind,
    /// The cue as written, lowercased (`said`, `pointed out`, `according to`): borrowed from
    /// its token when it is one word, as most are.
    pub text: Cow<'a, str>,
    pub span: Span,
    pub subject: Subject,
}

impl Cue<'_> {
    /// Where the subject stands, when it is a token of the sentence.
    pub(super) fn subject_pos(&self) -> Option<usize> {
        self.subject.pos()
    }
}

/// Every cue of the sentence whose subject could be found, in order, into `out` (emptied
/// first: one buffer serves every sentence).
pub(super) fn find<'a>(c: &Clause<'a>, out: &mut Vec<Cue<'a>>) {
    let toks = c.toks;
    out.clear();
    let mut i = c.lo;
    while i < c.hi {
        let t = &toks[i];
        let Some(w) = t.word() else {
            i += 1;
            continue;
        };
        // A capitalised verb only at the start of a sentence (`Asked about it, …`).
        if t.cap() && i != c.lo && w != "according" {
            i += 1;
            continue;
        }
        let word_at = |k: usize| (i + k < c.hi).then(|| toks[i + k].word()).flatten();
        let span_of = |a: usize, b: usize| Span::new(toks[a].span().start, toks[b - 1].span().end);
        if w == "according" && word_at(1) == Some("to") {
            out.push(Cue {
                start: i,
                end: i + 2,
                kind: CueKind::AccordingTo,
                text: Cow::Borrowed("according to"),
                span: span_of(i, i + 2),
                subject: c.subject_right(i + 2),
            });
            i += 2;
            continue;
        }
        // The first byte first: it spares most words the string comparisons.
        if matches!(w.as_bytes().first(), Some(b'q' | b'c'))
            && matches!(
                w,
                "quoted" | "quotes" | "quoting" | "cited" | "cites" | "citing"
            )
        {
            if let Some(cue) = quoted_as(c, i) {
                i = cue.end;
                out.push(cue);
                continue;
            }
        }
        let Some((len, form)) = c.lex.verb_at(w, word_at) else {
            i += 1;
            continue;
        };
        if !is_verb_use(c, i, form) {
            i += len;
            continue;
        }
        let subject = match c.subject_left(i, form) {
            Subject::Inverted => c.subject_right(i + len),
            Subject::Passive => agent(c, i + len),
            // `Says Mr Smith: "…"`, `Added the minister: "…"`; not `Asked if he …`.
            Subject::None if i == c.lo && form != Form::Ing => match c.subject_right(i + len) {
                s @ (Subject::Mention(_) | Subject::Pronoun(..)) => s,
                _ => Subject::None,
            },
            s => s,
        };
        if subject != Subject::None {
            let text = match len {
                1 => Cow::Borrowed(toks[i].low()),
                _ => Cow::Owned(
                    (i..i + len)
                        .map(|k| toks[k].low())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            };
            out.push(Cue {
                start: i,
                end: i + len,
                kind: CueKind::Verb(form),
                text,
                span: span_of(i, i + len),
                subject,
            });
        }
        i += len;
    }
}

/// The agent of a passive reporting verb: `was branded "…" by X`.
fn agent(c: &Clause<'_>, from: usize) -> Subject {
    for k in from..(from + 12).min(c.hi) {
        let t = &c.toks[k];
        if t.is_word("by") {
            return match c.subject_right(k + 1) {
                s @ (Subject::Mention(_) | Subject::Pronoun(..) | Subject::NonEntity(_)) => s,
                _ => Subject::None,
            };
        }
        if matches!(t.kind, TokKind::Punct(',' | ':' | ';')) {
            break;
        }
    }
    Subject::None
}

/// Whether a verb-shaped word at `i` is used as a verb: not after a determiner or possessive
/// (`the claims`, `his call`), and a `-s` form not followed by `of` (`claims of`).
fn is_verb_use(c: &Clause<'_>, i: usize, form: Form) -> bool {
    let toks = c.toks;
    if i > c.lo {
        let prev = &toks[i - 1];
        if prev.kind == TokKind::Possessive || prev.word().is_some_and(is_determiner) {
            return false;
        }
    }
    if matches!(form, Form::Base | Form::Finite) && i + 1 < c.hi && toks[i + 1].is_word("of") {
        return false;
    }
    true
}

/// `quoted X as saying`, `cited X as saying`: the object is the speaker.
fn quoted_as<'a>(c: &Clause<'a>, i: usize) -> Option<Cue<'a>> {
    let toks = c.toks;
    if i + 1 < c.hi && toks[i + 1].is_word("as") {
        // `X was quoted as saying`: the subject of the passive is the speaker.
        let subject = c.subject_left(i, Form::Finite);
        return as_saying(c, i, i + 1, subject);
    }
    let (subject, end) = c.np_forward(i + 1, c.hi);
    if !matches!(
        subject,
        Subject::Mention(_) | Subject::Pronoun(..) | Subject::NonEntity(_)
    ) {
        // `quoted him as saying`: an object pronoun.
        let him = toks.get(i + 1).and_then(|t| t.word())?;
        let p = match him {
            "him" => Pronoun::He,
            "her" => Pronoun::She,
            "them" => Pronoun::They,
            _ => return None,
        };
        return as_saying(c, i, i + 2, Subject::Pronoun(i + 1, p));
    }
    as_saying(c, i, end, subject)
}

fn as_saying<'a>(c: &Clause<'a>, i: usize, after_np: usize, subject: Subject) -> Option<Cue<'a>> {
    let toks = c.toks;
    if after_np + 1 >= c.hi || !toks[after_np].is_word("as") {
        return None;
    }
    let v = toks[after_np + 1].word()?;
    let (len, form) = c.lex.verb_at(v, |k| {
        (after_np + 1 + k < c.hi)
            .then(|| toks[after_np + 1 + k].word())
            .flatten()
    })?;
    if form != Form::Ing {
        return None;
    }
    let end = after_np + 1 + len;
    Some(Cue {
        start: i,
        end,
        kind: CueKind::QuotedAs,
        text: Cow::Owned(format!("{} … as {}", toks[i].lower, v)),
        span: Span::new(toks[i].span().start, toks[end - 1].span().end),
        subject,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Snippet;
    use super::*;

    /// Each cue of the first sentence as `text -> subject`.
    fn cues_of(text: &str) -> Vec<String> {
        let s = Snippet::new(text);
        let mut cues = Vec::new();
        find(&s.clause(0), &mut cues);
        cues.iter()
            .map(|c| format!("{} -> {}", c.text, s.show(c.subject)))
            .collect()
    }

    #[test]
    fn finds_verbs_phrases_and_their_subjects() {
        assert_eq!(
            cues_of("According to [Acme]{@acme}, [Smith]{@smith} pointed out that it rained."),
            ["according to -> [Acme]", "pointed out -> [Smith]"]
        );
        assert_eq!(
            cues_of("\"Yes,\" [Acme]{@acme} quoted [Smith]{@smith} as saying."),
            ["quoted … as saying -> [Smith]"]
        );
        assert_eq!(
            cues_of("[Smith]{@smith} was quoted as saying so."),
            ["quoted … as saying -> [Smith]"]
        );
        assert_eq!(
            cues_of("The plan was branded a mess by [Jones]{@jones}."),
            ["branded -> [Jones]"]
        );
        assert_eq!(
            cues_of("Says [Smith]{@smith}: \"Yes.\""),
            ["says -> [Smith]"]
        );
    }

    #[test]
    fn skips_nouns_infinitives_and_subjectless_verbs() {
        assert!(cues_of("His claims of fraud and the calls grew.").is_empty());
        assert!(cues_of("[Smith]{@smith} dismissed claims that it was false.").is_empty());
        assert!(cues_of("[Smith]{@smith} refused to say.").is_empty());
        assert!(cues_of("Asked if he agreed, nobody spoke.").is_empty());
        assert!(cues_of("[Smith]{@smith} is said to agree.").is_empty());
    }
}
