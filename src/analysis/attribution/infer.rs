//! The rules, sentence by sentence: which cue governs each quotation (rules 1–4 of the brief),
//! and continuation from the speaker established just before (rule 5).

use super::cues::{self, Cue, CueKind};
use super::lexicon::{is_coordinator, Lexicon};
use super::prose::{Tok, TokKind};
use super::referents::{Ref, Resolver};
use super::sentences::Sentence;
use super::subject::{Clause, Subject};
use super::{AttributionKind, Lookup};
use crate::syntax::Span;

/// How far after a quotation its reporting clause may end (`"…," said the head of …`).
const MAX_CLAUSE_AFTER: usize = 15;

/// What inference found for one quotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// No cue and nothing to continue: left to echo and the fallback.
    Pending,
    /// A speaker, by a cue (`Inferred`) or by continuation.
    Speaker {
        id: String,
        kind: AttributionKind,
        cue: String,
        cue_span: Option<Span>,
        speaker_span: Option<Span>,
    },
    /// A cue whose subject is not a speaking entity (`a spokesman said`), or a continuation of
    /// such a speaker: the quotation has no speaker.
    Blocked { cue: String, cue_span: Option<Span> },
}

/// The speaker established by the sentences so far, for continuation.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Empty,
    Speaker { id: String, span: Option<Span> },
    Blocked,
}

/// A quotation's explicit attribution, as far as inference cares.
#[derive(Clone, Debug)]
pub(super) enum Explicit {
    None,
    Speaker { id: String, span: Span },
    NotAQuote,
}

pub(super) struct Input<'a> {
    pub toks: &'a [Tok],
    pub sents: &'a [Sentence],
    pub lex: &'a Lexicon,
    pub explicit: &'a [Explicit],
    /// The plain words of each quotation.
    pub texts: &'a [String],
}

/// Infer an outcome for every quotation (indexed like `Parse::quotes`; nested ones and
/// explicitly attributed ones stay `Pending`).
pub(super) fn run(input: &Input<'_>, lookup: &Lookup<'_>) -> Vec<Outcome> {
    let toks = input.toks;
    let mut out = vec![Outcome::Pending; input.texts.len()];
    let mut res = Resolver::new(toks, input.sents, lookup);
    let mut state = State::Empty;
    for (s, sent) in input.sents.iter().enumerate() {
        let clause = Clause {
            toks,
            lo: sent.start,
            hi: sent.end,
            lex: input.lex,
        };
        let subject = clause.clause_subject();
        res.clause.push(subject);
        let cues = cues::find(&clause);
        let own = match subject {
            Subject::Mention(_) | Subject::Pronoun(..) | Subject::NonEntity(_) => {
                res.resolve(s, subject)
            }
            _ => None,
        };
        let mut last: Option<State> = None;
        let mut first_speaker: Option<Ref> = None;
        for qt in sent.start..sent.end {
            let Some(qi) = toks[qt].quote() else { continue };
            match &input.explicit[qi] {
                Explicit::Speaker { id, span } => {
                    last = Some(State::Speaker {
                        id: id.clone(),
                        span: Some(*span),
                    });
                    continue;
                }
                Explicit::NotAQuote => continue,
                Explicit::None => {}
            }
            let outcome = match choose(&clause, &cues, qt, &input.texts[qi], subject) {
                Some(cue) => match res.resolve(s, cue.subject) {
                    Some(r) => match r.speaker() {
                        Some((id, span)) => Outcome::Speaker {
                            id: id.to_string(),
                            kind: AttributionKind::Inferred,
                            cue: cue.text.clone(),
                            cue_span: Some(cue.span),
                            // The words that name the speaker here: the pronoun, not its
                            // antecedent.
                            speaker_span: Some(
                                match cue.subject {
                                    Subject::MainClause => subject.pos(),
                                    other => other.pos(),
                                }
                                .map_or(span, |p| toks[p].span),
                            ),
                        },
                        None => Outcome::Blocked {
                            cue: cue.text.clone(),
                            cue_span: Some(cue.span),
                        },
                    },
                    None => Outcome::Blocked {
                        cue: cue.text.clone(),
                        cue_span: Some(cue.span),
                    },
                },
                None if !sent.heading && continues(&state, own.as_ref(), subject) => match &state {
                    State::Speaker { id, span } => Outcome::Speaker {
                        id: id.clone(),
                        kind: AttributionKind::Continuation,
                        cue: "continuation".into(),
                        cue_span: None,
                        speaker_span: *span,
                    },
                    _ => Outcome::Blocked {
                        cue: "continuation".into(),
                        cue_span: None,
                    },
                },
                None => Outcome::Pending,
            };
            match &outcome {
                Outcome::Speaker {
                    id, speaker_span, ..
                } => {
                    if first_speaker.is_none() {
                        first_speaker = Some(Ref::Entity {
                            id: id.clone(),
                            kind: None,
                            span: speaker_span.unwrap_or_default(),
                        });
                    }
                    last = Some(State::Speaker {
                        id: id.clone(),
                        span: *speaker_span,
                    });
                }
                Outcome::Blocked { .. } => last = Some(State::Blocked),
                Outcome::Pending => {}
            }
            out[qi] = outcome;
        }
        // The sentence's salient referent, for pronouns in later sentences.
        let first_cue = cues
            .iter()
            .find_map(|c| res.resolve(s, c.subject).map(|r| (c, r)));
        let salient = match (&own, subject) {
            (_, Subject::FirstPerson(_)) => first_speaker.clone(),
            (Some(r @ Ref::Entity { .. }), _) => Some(r.clone()),
            (Some(r), _) if r.is_person() => Some(r.clone()),
            _ => first_speaker
                .clone()
                .or_else(|| first_cue.as_ref().map(|(_, r)| r.clone()))
                .or(own.clone()),
        };
        res.salient.push(salient.clone());
        state = if sent.heading {
            State::Empty
        } else if let Some(l) = last {
            l
        } else if let Some((_, r)) = first_cue {
            match r.speaker() {
                Some((id, span)) => State::Speaker {
                    id: id.to_string(),
                    span: Some(span),
                },
                None => State::Blocked,
            }
        } else {
            match (&state, salient.as_ref().and_then(Ref::entity_id)) {
                (State::Speaker { id, .. }, Some(sid)) if id == sid => state.clone(),
                _ => State::Empty,
            }
        };
    }
    out
}

/// Whether a cue-less quotation continues the established speaker: there is one, and the
/// quotation's own sentence is not about someone else.
fn continues(state: &State, own: Option<&Ref>, subject: Subject) -> bool {
    if *state == State::Empty {
        return false;
    }
    if matches!(subject, Subject::FirstPerson(_)) {
        return true;
    }
    match (state, own) {
        (_, None) => true,
        (State::Speaker { id, .. }, Some(Ref::Entity { id: own, .. })) => id == own,
        (State::Blocked, Some(Ref::Entity { .. })) => false,
        (State::Speaker { .. }, Some(r)) => !r.is_person(),
        (_, Some(_)) => true,
    }
}

/// Whether the quotation's words end open, inviting a reporting clause after them
/// (`"…," he said`, `"…?" she asked`).
fn ends_open(content: &str) -> bool {
    let t = content
        .trim_end()
        .trim_end_matches(['\'', '’', '"', '”', ')']);
    t.ends_with([',', '?', '!', '…', '-', '—', '–'])
}

/// The cue that governs the quotation at token `qt`.
fn choose<'c>(
    c: &Clause<'_>,
    cues: &'c [Cue],
    qt: usize,
    content: &str,
    main: Subject,
) -> Option<&'c Cue> {
    let toks = c.toks;
    let barrier = |t: &Tok| t.quote().is_some() || matches!(t.kind, TokKind::Punct(':' | ';'));
    // 1. `"…," SPEAKER VERB` and `"…," VERB SPEAKER`.
    let comma_after = qt + 1 < c.hi && toks[qt + 1].is_punct(',');
    if comma_after || ends_open(content) {
        let k = if comma_after { qt + 2 } else { qt + 1 };
        if let Some(cue) = cues
            .iter()
            .find(|cue| cue.start >= k && cue.kind != CueKind::AccordingTo || cue.start == k)
        {
            let near = cue.start <= k + MAX_CLAUSE_AFTER;
            let clear = !(k..cue.start).any(|i| barrier(&toks[i]));
            let subject_between = cue.start == k || cue.subject_pos().is_some_and(|p| p >= k);
            if near && clear && subject_between {
                return Some(cue);
            }
        }
    }
    // 3. `According to SPEAKER, "…"`.
    if qt > c.lo && matches!(toks[qt - 1].kind, TokKind::Punct(',' | ':')) {
        if let Some(cue) = cues.iter().rev().find(|cue| {
            cue.kind == CueKind::AccordingTo
                && cue.end <= qt
                && qt - cue.end <= 10
                && !(cue.end..qt).any(|i| barrier(&toks[i]))
        }) {
            if !cues
                .iter()
                .any(|o| o.kind != CueKind::AccordingTo && o.start > cue.start && o.end <= qt)
            {
                return Some(cue);
            }
        }
    }
    // 2. `SPEAKER VERB: "…"`, `SPEAKER VERB that "…"`, reported speech: the main reporting verb
    // before the quotation, unless a later one opens a new coordinated clause with its own
    // subject (`X said …, and Y told …: "…"`).
    let mut chosen: Option<&Cue> = None;
    for cue in cues
        .iter()
        .filter(|cue| cue.kind != CueKind::AccordingTo && cue.end <= qt)
    {
        match chosen {
            None => chosen = Some(cue),
            Some(prev) => {
                let new_clause = cue.subject_pos().is_some_and(|p| {
                    p > prev.end
                        && (prev.end..p).any(|i| {
                            toks[i].word().is_some_and(|w| {
                                is_coordinator(w) || matches!(w, "while" | "whereas")
                            }) || toks[i].is_punct(';')
                        })
                });
                if new_clause {
                    chosen = Some(cue);
                }
            }
        }
    }
    if let Some(prev) = chosen {
        // A participle or coordinated verb after the main verb shares its subject and
        // introduces the quotation more closely (`attacked the plan, saying "…"`).
        let is_main = prev.subject_pos().is_some() && prev.subject_pos() == main.pos();
        let closer = cues.iter().rev().find(|cue| {
            cue.kind != CueKind::AccordingTo
                && cue.end <= qt
                && cue.start > prev.start
                && cue.subject == Subject::MainClause
        });
        return match closer {
            Some(cue) if is_main => Some(cue),
            _ => Some(prev),
        };
    }
    // 3. `according to SPEAKER` anywhere in the sentence.
    if let Some(cue) = cues.iter().find(|cue| cue.kind == CueKind::AccordingTo) {
        return Some(cue);
    }
    // A partial quotation before the sentence's reporting verb (`criticised the "…" of X,
    // saying …`).
    cues.iter()
        .find(|cue| cue.kind != CueKind::AccordingTo && cue.start > qt)
}
