//! The rules, sentence by sentence: which cue governs each quotation (rules 1–4 of the brief),
//! and continuation from the speaker established just before (rule 5).

use super::cues::{self, Cue, CueKind};
use super::lexicon::{is_adverb, is_coordinator, is_determiner, is_title_word, pronoun, Lexicon};
use super::prose::{positions_in, Tok, TokKind};
use super::referents::{Ref, Resolver};
use super::sentences::Sentence;
use super::subject::{Clause, Subject};
use super::{AttributionKind, Lookup};
use crate::syntax::Span;
use std::borrow::Cow;

/// How far after a quotation its reporting clause may end (`"…," said the head of …`).
const MAX_CLAUSE_AFTER: usize = 15;

/// What inference found for one quotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Outcome<'a> {
    /// No cue and nothing to continue: left to echo and the fallback.
    Pending,
    /// A speaker, by a cue (`Inferred`) or by continuation.
    Speaker {
        id: &'a str,
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
enum State<'a> {
    Empty,
    Speaker { id: &'a str, span: Option<Span> },
    Blocked,
}

/// A quotation's explicit attribution, as far as inference cares.
#[derive(Clone, Debug)]
pub(super) enum Explicit<'a> {
    None,
    Speaker { id: &'a str, span: Span },
    NotAQuote,
}

pub(super) struct Input<'a> {
    pub toks: &'a [Tok<'a>],
    /// Mention IDs (`Prose::ids`).
    pub ids: &'a [&'a str],
    /// The token of each mention (`Prose::mention_at`).
    pub mention_at: &'a [u32],
    pub sents: &'a [Sentence],
    pub lex: &'a Lexicon,
    pub explicit: &'a [Explicit<'a>],
    /// Each mention of a person (`Prose::persons`).
    pub persons: &'a [(u32, &'a str)],
    /// The quotation tokens, in order (`Prose::quote_at`).
    pub quote_at: &'a [u32],
    /// The plain words of each quotation.
    pub texts: &'a [Cow<'a, str>],
}

/// Infer an outcome for every quotation (indexed like `Parse::quotes`; nested ones and
/// explicitly attributed ones stay `Pending`).
pub(super) fn run<'a>(input: &Input<'a>, lookup: &Lookup<'_>) -> Vec<Outcome<'a>> {
    let toks = input.toks;
    let mut out = vec![Outcome::Pending; input.texts.len()];
    let mut res = Resolver::new(
        toks,
        input.ids,
        input.mention_at,
        input.persons,
        input.sents,
        lookup,
    );
    let mut state = State::Empty;
    // Buffers reused from sentence to sentence.
    let mut cues: Vec<Cue<'a>> = Vec::new();
    let mut index = CueIndex::default();
    let mut refs: Vec<Option<Option<Ref<'a>>>> = Vec::new();
    // The next quotation token to visit (sentences come in token order).
    let mut next_quote = 0;
    for (s, sent) in input.sents.iter().enumerate() {
        let clause = Clause {
            toks,
            lo: sent.start,
            hi: sent.end,
            lex: input.lex,
        };
        let subject = clause.clause_subject();
        res.clause.push(subject);
        cues::find(&clause, &mut cues);
        let cues = &cues;
        // Built on the first quotation that needs a cue chosen (most sentences have none).
        let mut indexed = false;
        // What each cue's subject refers to, resolved once.
        refs.clear();
        refs.resize(cues.len(), None);
        let mut referent = |i: usize, res: &Resolver<'a>| -> Option<Ref<'a>> {
            refs[i]
                .get_or_insert_with(|| res.resolve(s, cues[i].subject))
                .clone()
        };
        let own = match subject {
            Subject::Mention(_) | Subject::Pronoun(..) | Subject::NonEntity(_) => {
                res.resolve(s, subject)
            }
            _ => None,
        };
        let mut last: Option<State> = None;
        let mut first_speaker: Option<Ref<'a>> = None;
        for &qt in positions_in(input.quote_at, &mut next_quote, sent.start, sent.end) {
            let qt = qt as usize;
            let Some(qi) = toks[qt].quote() else { continue };
            match &input.explicit[qi] {
                Explicit::Speaker { id, span } => {
                    first_speaker.get_or_insert_with(|| speaker_ref(id, *span, lookup));
                    last = Some(State::Speaker {
                        id,
                        span: Some(*span),
                    });
                    continue;
                }
                Explicit::NotAQuote => continue,
                Explicit::None => {}
            }
            if !indexed {
                index.build(&clause, cues);
                indexed = true;
            }
            let outcome = match choose(&clause, cues, &index, qt, &input.texts[qi], subject) {
                Some(ci) => {
                    let r = referent(ci, &res);
                    by_cue(&cues[ci], r.as_ref(), subject, toks)
                }
                None if !sent.heading && continues(&state, own.as_ref(), subject) => {
                    continuation(&state)
                }
                None => Outcome::Pending,
            };
            match &outcome {
                Outcome::Speaker {
                    id, speaker_span, ..
                } => {
                    first_speaker.get_or_insert_with(|| {
                        speaker_ref(id, speaker_span.unwrap_or_default(), lookup)
                    });
                    last = Some(State::Speaker {
                        id,
                        span: *speaker_span,
                    });
                }
                Outcome::Blocked { .. } => last = Some(State::Blocked),
                Outcome::Pending => {}
            }
            out[qi] = outcome;
        }
        // The sentence's salient referent, for pronouns in later sentences: its subject, else
        // who speaks in it.
        let first_cue = (0..cues.len()).find_map(|i| referent(i, &res));
        let salient = match (&own, subject) {
            (_, Subject::FirstPerson(_)) => first_speaker.clone(),
            (Some(r @ Ref::Entity { .. }), _) => Some(r.clone()),
            (Some(r), _) if r.is_person() => Some(r.clone()),
            _ => first_speaker
                .clone()
                .or_else(|| first_cue.clone())
                .or(own.clone()),
        };
        res.salient.push(salient.clone());
        state = if sent.heading {
            State::Empty
        } else {
            next_state(state, last, first_cue, salient.as_ref())
        };
    }
    out
}

/// The outcome of a quotation governed by `cue`, whose subject refers to `r`.
fn by_cue<'a>(cue: &Cue, r: Option<&Ref<'a>>, main: Subject, toks: &[Tok<'_>]) -> Outcome<'a> {
    match r.and_then(Ref::speaker) {
        Some((id, span)) => Outcome::Speaker {
            id,
            kind: AttributionKind::Inferred,
            cue: cue.text.to_string(),
            cue_span: Some(cue.span),
            // The words that name the speaker here: the pronoun, not its antecedent.
            speaker_span: Some(
                match cue.subject {
                    Subject::MainClause => main.pos(),
                    other => other.pos(),
                }
                .map_or(span, |p| toks[p].span()),
            ),
        },
        None => Outcome::Blocked {
            cue: cue.text.to_string(),
            cue_span: Some(cue.span),
        },
    }
}

fn continuation<'a>(state: &State<'a>) -> Outcome<'a> {
    match state {
        State::Speaker { id, span } => Outcome::Speaker {
            id,
            kind: AttributionKind::Continuation,
            cue: "continuation".into(),
            cue_span: None,
            speaker_span: *span,
        },
        _ => Outcome::Blocked {
            cue: "continuation".into(),
            cue_span: None,
        },
    }
}

/// The speaker established after a sentence: the last speaker of its quotations, else who its
/// reporting verb names; a sentence about the established speaker keeps it, any other breaks it.
fn next_state<'a>(
    state: State<'a>,
    last_quote: Option<State<'a>>,
    first_cue: Option<Ref<'a>>,
    salient: Option<&Ref<'a>>,
) -> State<'a> {
    if let Some(l) = last_quote {
        return l;
    }
    if let Some(r) = first_cue {
        return match r.speaker() {
            Some((id, span)) => State::Speaker {
                id,
                span: Some(span),
            },
            None => State::Blocked,
        };
    }
    match (&state, salient.and_then(Ref::entity_id)) {
        (State::Speaker { id, .. }, Some(sid)) if *id == sid => state,
        _ => State::Empty,
    }
}

/// A speaker as a referent for later pronouns, with its entity's kind.
fn speaker_ref<'a>(id: &'a str, span: Span, lookup: &Lookup<'_>) -> Ref<'a> {
    Ref::Entity {
        id,
        kind: lookup(id).and_then(|e| e.kind),
        span,
    }
}

/// Whether a cue-less quotation continues the established speaker: there is one, and the
/// quotation's own sentence is not about someone else.
fn continues(state: &State<'_>, own: Option<&Ref<'_>>, subject: Subject) -> bool {
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

/// Per-sentence tables that let each quotation pick its cue in logarithmic time, however many
/// quotations and verbs a (pathological) sentence has. Cues are in text order and do not
/// overlap, so both their starts and ends are sorted.
#[derive(Default)]
struct CueIndex {
    /// For each prefix `cues[..=i]`, the governing verb cue for a quotation after it: the
    /// first one, unless a later one opens a new coordinated clause with its own subject.
    chain: Vec<Option<usize>>,
    /// For each prefix, the last verb cue whose subject is the main clause's (a participle or
    /// coordinated verb).
    last_main: Vec<Option<usize>>,
    /// For each `i`, the first verb cue at or after `i`.
    next_verb: Vec<Option<usize>>,
    first_according: Option<usize>,
    /// Clause boundaries before each token of the sentence (prefix counts).
    joins: Vec<u32>,
}

fn is_verb_cue(cue: &Cue) -> bool {
    cue.kind != CueKind::AccordingTo
}

impl CueIndex {
    /// The index of `cues`, the cues of sentence `c`, in place of the previous one (its
    /// buffers are kept).
    fn build(&mut self, c: &Clause<'_>, cues: &[Cue]) {
        let joins = &mut self.joins;
        joins.clear();
        joins.push(0u32);
        for t in &c.toks[c.lo..c.hi] {
            let join = t.is_punct(';')
                || t.word()
                    .is_some_and(|w| is_coordinator(w) || matches!(w, "while" | "whereas"));
            let n = joins.last().copied().unwrap_or(0) + u32::from(join);
            joins.push(n);
        }
        let joins_between = |a: usize, b: usize| joins[b - c.lo] > joins[a - c.lo];
        let chain = &mut self.chain;
        let last_main = &mut self.last_main;
        chain.clear();
        last_main.clear();
        let mut current: Option<usize> = None;
        let mut main: Option<usize> = None;
        for (i, cue) in cues.iter().enumerate() {
            if is_verb_cue(cue) {
                current = match current {
                    None => Some(i),
                    Some(prev) => {
                        let new_clause = cue.subject_pos().is_some_and(|p| {
                            p > cues[prev].end && joins_between(cues[prev].end, p)
                        });
                        Some(if new_clause { i } else { prev })
                    }
                };
                if cue.subject == Subject::MainClause {
                    main = Some(i);
                }
            }
            chain.push(current);
            last_main.push(main);
        }
        let next_verb = &mut self.next_verb;
        next_verb.clear();
        next_verb.resize(cues.len() + 1, None);
        for i in (0..cues.len()).rev() {
            next_verb[i] = if is_verb_cue(&cues[i]) {
                Some(i)
            } else {
                next_verb[i + 1]
            };
        }
        self.first_according = cues.iter().position(|cue| !is_verb_cue(cue));
    }
}

/// The index of the cue that governs the quotation at token `qt`.
fn choose(
    c: &Clause<'_>,
    cues: &[Cue],
    index: &CueIndex,
    qt: usize,
    content: &str,
    main: Subject,
) -> Option<usize> {
    let toks = c.toks;
    let barrier = |t: &Tok<'_>| t.quote().is_some() || matches!(t.kind, TokKind::Punct(':' | ';'));
    // 1. `"…," SPEAKER VERB` and `"…," VERB SPEAKER`.
    let comma_after = qt + 1 < c.hi && toks[qt + 1].is_punct(',');
    if comma_after || ends_open(content) {
        let k = if comma_after { qt + 2 } else { qt + 1 };
        let from = cues.partition_point(|cue| cue.start < k);
        let found = cues[from..]
            .iter()
            .take_while(|cue| cue.start <= k + MAX_CLAUSE_AFTER)
            .position(|cue| is_verb_cue(cue) || cue.start == k);
        if let Some(i) = found.map(|f| from + f) {
            let cue = &cues[i];
            let clear = !(k..cue.start).any(|t| barrier(&toks[t]));
            // The reporting clause starts right after the quotation: with its verb or a noun
            // phrase (`, while Y called it …` is a new clause, not this one's).
            let starts_clause = cue.start == k
                || toks.get(k).is_some_and(|t| match &t.kind {
                    TokKind::Mention { .. } => true,
                    TokKind::Word => {
                        let w = t.low();
                        t.cap()
                            || pronoun(w).is_some()
                            || is_determiner(w)
                            || is_title_word(w)
                            || is_adverb(w)
                    }
                    _ => false,
                });
            // Its subject stands between the quotation and the verb, or after the verb.
            let subject_between = cue.subject_pos().is_some_and(|p| p >= k);
            if clear && starts_clause && subject_between {
                return Some(i);
            }
        }
    }
    // Cues that end before the quotation: `cues[..before]`.
    let before = cues.partition_point(|cue| cue.end <= qt);
    // 3. `According to SPEAKER, "…"`.
    if before > 0 && qt > c.lo && matches!(toks[qt - 1].kind, TokKind::Punct(',' | ':')) {
        let cue = &cues[before - 1];
        if !is_verb_cue(cue) && qt - cue.end <= 10 && !(cue.end..qt).any(|t| barrier(&toks[t])) {
            return Some(before - 1);
        }
    }
    // 2. `SPEAKER VERB: "…"`, `SPEAKER VERB that "…"`, reported speech: the main reporting verb
    // before the quotation, or a participle sharing its subject that stands closer
    // (`attacked the plan, saying "…"`).
    if before > 0 {
        if let Some(prev) = index.chain[before - 1] {
            let is_main =
                cues[prev].subject_pos().is_some() && cues[prev].subject_pos() == main.pos();
            return match index.last_main[before - 1] {
                Some(closer) if is_main && closer > prev => Some(closer),
                _ => Some(prev),
            };
        }
    }
    // 3. `according to SPEAKER` anywhere in the sentence.
    if index.first_according.is_some() {
        return index.first_according;
    }
    // A partial quotation before the sentence's reporting verb (`criticised the "…" of X,
    // saying …`).
    let after = cues.partition_point(|cue| cue.start <= qt);
    index.next_verb[after]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Snippet;
    use super::*;

    /// The cue chosen for each quotation of the first sentence.
    fn chosen(text: &str) -> Vec<Option<String>> {
        let s = Snippet::new(text);
        let c = s.clause(0);
        let mut cues = Vec::new();
        cues::find(&c, &mut cues);
        let mut index = CueIndex::default();
        index.build(&c, &cues);
        let main = c.clause_subject();
        (c.lo..c.hi)
            .filter_map(|qt| {
                let qi = s.prose.toks[qt].quote()?;
                let content = s.file.parse().quotes[qi].content.slice(&s.file.text);
                Some(choose(&c, &cues, &index, qt, content, main).map(|i| cues[i].text.to_string()))
            })
            .collect()
    }

    fn some(words: &[&str]) -> Vec<Option<String>> {
        words.iter().map(|w| Some(w.to_string())).collect()
    }

    #[test]
    fn the_clause_after_an_open_quotation_wins() {
        assert_eq!(
            chosen("[Jones]{@jones} said: \"Go,\" \"Stay,\" [Smith]{@smith} replied."),
            some(&["said", "replied"])
        );
        // A closed quotation does not take the clause after it.
        assert_eq!(
            chosen("[Jones]{@jones} said the \"plan\" [Smith]{@smith} wrote was bad."),
            some(&["said"])
        );
    }

    #[test]
    fn coordinated_clauses_and_participles() {
        assert_eq!(
            chosen("[Smith]{@smith} said \"yes\" but [Jones]{@jones} told us \"no\"."),
            some(&["said", "told"])
        );
        assert_eq!(
            chosen("[Smith]{@smith} said \"yes\", adding \"no\"."),
            some(&["said", "adding"])
        );
        assert_eq!(
            chosen("[Smith]{@smith} says evidence suggests \"this\"."),
            some(&["says"])
        );
    }

    #[test]
    fn according_to_and_following_verbs() {
        assert_eq!(
            chosen("According to [Acme]{@acme}, \"this\" and \"that\"."),
            some(&["according to", "according to"])
        );
        assert_eq!(
            chosen("The \"bomb\" of debt, [Smith]{@smith} warned, is real."),
            some(&["warned"])
        );
        assert_eq!(chosen("The \"bomb\" of debt is real."), vec![None]);
    }

    #[test]
    fn open_endings() {
        assert!(ends_open("We will win,"));
        assert!(ends_open("Why? "));
        assert!(ends_open("and then -"));
        assert!(!ends_open("We will win."));
        assert!(!ends_open("tartan test"));
    }

    #[test]
    fn state_after_a_sentence() {
        let speaker = |id: &'static str| State::Speaker { id, span: None };
        let entity = |id: &'static str| Ref::Entity {
            id,
            kind: None,
            span: Span::default(),
        };
        // The last quotation's speaker wins over cues.
        assert_eq!(
            next_state(State::Empty, Some(speaker("a")), Some(entity("b")), None),
            speaker("a")
        );
        // Reported speech establishes its speaker.
        assert!(matches!(
            next_state(State::Empty, None, Some(entity("b")), None),
            State::Speaker { id, .. } if id == "b"
        ));
        // A sentence about the same speaker keeps it; any other breaks it.
        assert_eq!(
            next_state(speaker("a"), None, None, Some(&entity("a"))),
            speaker("a")
        );
        assert_eq!(
            next_state(speaker("a"), None, None, Some(&entity("b"))),
            State::Empty
        );
        assert_eq!(next_state(speaker("a"), None, None, None), State::Empty);
    }
}
