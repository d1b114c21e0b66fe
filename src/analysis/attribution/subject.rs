//! Finding the grammatical subject of a reporting verb in a sentence of tokens, without a
//! parser: news prose puts a small set of things between a subject and its verb (adverbs,
//! auxiliaries, appositions set off by commas or dashes), and a mention inside a prepositional
//! phrase or used as a modifier is not the subject.

use super::lexicon::{
    is_adverb, is_auxiliary, is_be, is_coordinator, is_determiner, is_first_or_second_person,
    is_preposition, is_relative, is_subordinator, is_title_word, may_be_function_word, pronoun,
    Form, Lexicon, Pronoun,
};
use super::prose::{Tok, TokKind};
use crate::analysis::entity::EntityKind;

/// How far the heuristics look, in tokens: bounds the work per verb on pathological input.
const MAX_LOOK: usize = 40;
const MAX_PARENTHETICAL: usize = 30;

/// What stands in subject position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    /// A mention (token index).
    Mention(usize),
    /// `he`, `she`, `it`, `they` (token index).
    Pronoun(usize, Pronoun),
    /// A noun phrase that is not an entity; the token is its head (`spokesman`, `analysts`).
    NonEntity(usize),
    /// `I`, `we`, `you` outside quotation marks.
    FirstPerson(usize),
    /// A participle or a coordinated verb: the subject of the clause it belongs to.
    MainClause,
    /// The subject follows the verb (`"…," said X`).
    Inverted,
    /// A passive reporting verb: the speaker is the agent after `by`, if any.
    Passive,
    /// None found, or not a reporting use (passive, infinitive, noun).
    None,
}

impl Subject {
    /// The token where the subject stands, when it is one.
    pub(super) fn pos(self) -> Option<usize> {
        match self {
            Subject::Mention(i)
            | Subject::Pronoun(i, _)
            | Subject::NonEntity(i)
            | Subject::FirstPerson(i) => Some(i),
            _ => None,
        }
    }
}

/// A view of one sentence's tokens.
#[derive(Clone, Copy)]
pub(super) struct Clause<'a> {
    pub toks: &'a [Tok<'a>],
    /// Token range of the sentence.
    pub lo: usize,
    pub hi: usize,
    pub lex: &'a Lexicon,
}

fn word<'t>(t: &'t Tok<'_>) -> Option<&'t str> {
    t.word()
}

/// A capitalised word that is not a function word: part of a name or title.
fn is_cap_noun(t: &Tok<'_>) -> bool {
    t.cap()
        && t.word().is_some_and(|w| {
            !(may_be_function_word(w)
                && (is_preposition(w)
                    || is_determiner(w)
                    || is_subordinator(w)
                    || is_coordinator(w)))
                && pronoun(w).is_none()
                && !is_first_or_second_person(w)
                && !is_adverb(w)
        })
}

impl<'a> Clause<'a> {
    fn tok(&self, i: usize) -> Option<&'a Tok<'a>> {
        (i >= self.lo && i < self.hi).then(|| &self.toks[i])
    }

    /// Whether the word at `i` is a reporting verb (any form).
    fn is_verb(&self, i: usize) -> bool {
        self.toks[i].word().is_some_and(|w| {
            self.lex
                .verb_at(w, |k| self.tok(i + k).and_then(word))
                .is_some()
        })
    }

    /// If the mention (or name) ending at `m` is inside a prepositional phrase, the index of
    /// the preposition. Titles, determiners and possessors before the mention belong to its
    /// noun phrase (`of Solicitor General [X]`, `with Japan's [Jiji Press]`).
    pub(super) fn preposition_before(&self, m: usize) -> Option<usize> {
        let mut k = m;
        for _ in 0..MAX_LOOK {
            if k <= self.lo {
                return None;
            }
            k -= 1;
            let t = &self.toks[k];
            match &t.kind {
                TokKind::Word => {
                    let w = t.low();
                    if is_preposition(w) {
                        return Some(k);
                    }
                    if !(is_determiner(w) || is_cap_noun(t) || is_title_word(w)) {
                        return None;
                    }
                }
                TokKind::Possessive | TokKind::Mention { .. } => {}
                _ => return None,
            }
        }
        None
    }

    /// The subject of the reporting verb starting at token `v`, looking left.
    pub(super) fn subject_left(&self, v: usize, form: Form) -> Subject {
        let mut j = v;
        let mut saw_be = false;
        let mut skipped_aux = false;
        let mut appositive: Option<usize> = None;
        for _ in 0..MAX_LOOK {
            if j <= self.lo {
                return Subject::None;
            }
            j -= 1;
            let t = &self.toks[j];
            if let Some(w) = t.word() {
                if is_be(w) {
                    saw_be = true;
                    skipped_aux = true;
                    continue;
                }
                if is_auxiliary(w) {
                    skipped_aux = true;
                    continue;
                }
                if is_adverb(w) && !(t.cap() && j == self.lo) {
                    continue;
                }
            }
            if saw_be && form == Form::Past {
                return Subject::Passive; // `is said to`, `was branded … by X`
            }
            match &t.kind {
                TokKind::Word => {
                    let w = t.low();
                    if is_coordinator(w) {
                        return Subject::MainClause;
                    }
                    if let Some(p) = pronoun(w) {
                        return Subject::Pronoun(j, p);
                    }
                    if is_first_or_second_person(w) {
                        return Subject::FirstPerson(j);
                    }
                    if is_relative(w) {
                        return self.antecedent(j);
                    }
                    if w == "to" {
                        // `went on to say` reports; `refused to say` does not.
                        if j > self.lo + 1 && self.toks[j - 1].is_word("on") {
                            j -= 2; // skip `on` and the verb before it
                            continue;
                        }
                        return Subject::None;
                    }
                    if is_preposition(w) || is_subordinator(w) || is_determiner(w) {
                        return Subject::None;
                    }
                    if form == Form::Ing && !saw_be {
                        return Subject::MainClause;
                    }
                    if matches!(form, Form::Base | Form::Finite)
                        && !t.cap()
                        && !skipped_aux
                        && w.ends_with("ed")
                    {
                        return Subject::None; // a noun after a verb: `dismissed claims`
                    }
                    // A post-nominal title after a person's name: `[Philippe Sands] QC said`.
                    if t.upper() && t.lower.chars().count() <= 4 && j > self.lo {
                        if let TokKind::Mention {
                            kind: Some(EntityKind::Person),
                            ..
                        } = self.toks[j - 1].kind
                        {
                            return Subject::Mention(j - 1);
                        }
                    }
                    return match appositive {
                        Some(m) => Subject::Mention(m),
                        None => Subject::NonEntity(j),
                    };
                }
                TokKind::Mention { .. } => {
                    if form == Form::Ing && !saw_be {
                        // `with X saying`: an absolute construction names its speaker;
                        // `wrote to X saying` does not.
                        return match self.preposition_before(j) {
                            None => Subject::Mention(j),
                            Some(p) if self.toks[p].is_word("with") => Subject::Mention(j),
                            Some(_) => Subject::MainClause,
                        };
                    }
                    if let Some(p) = self.preposition_before(j) {
                        // `a spokesman for [X] said`: the subject stands before the phrase.
                        j = p;
                        continue;
                    }
                    return Subject::Mention(j);
                }
                TokKind::Quote(_) => {
                    return match (skipped_aux, form) {
                        (true, _) => Subject::None,
                        (false, Form::Ing) => Subject::MainClause, // `"…" adding`
                        (false, _) => Subject::Inverted,
                    };
                }
                TokKind::Punct(',') | TokKind::Punct('-' | '–' | '—') => {
                    let prev_is_quote = j > self.lo && self.toks[j - 1].quote().is_some();
                    if prev_is_quote && !skipped_aux && t.is_punct(',') && form != Form::Ing {
                        return Subject::Inverted; // `"…", said X`
                    }
                    if let Some((mut k, mut app)) = self.parenthetical_start(j) {
                        // Several in a row: `X, 45, from Leeds, said`.
                        for _ in 0..4 {
                            let Some((k2, app2)) = self.parenthetical_start(k) else {
                                break;
                            };
                            k = k2;
                            app = app2.or(app);
                        }
                        if app.is_some() {
                            appositive = app;
                        }
                        j = k;
                        continue;
                    }
                    return if form == Form::Ing {
                        Subject::MainClause
                    } else {
                        Subject::None
                    };
                }
                TokKind::Punct(')') => {
                    match (self.lo.max(j.saturating_sub(MAX_PARENTHETICAL))..j)
                        .rev()
                        .find(|&k| self.toks[k].is_punct('('))
                    {
                        Some(k) => j = k,
                        None => return Subject::None,
                    }
                }
                _ => return Subject::None,
            }
        }
        Subject::None
    }

    /// The antecedent of a relative pronoun at `r` (`X, who says …`).
    fn antecedent(&self, r: usize) -> Subject {
        let mut k = r;
        if k > self.lo && self.toks[k - 1].is_punct(',') {
            k -= 1;
        }
        if k <= self.lo {
            return Subject::None;
        }
        let t = &self.toks[k - 1];
        match &t.kind {
            TokKind::Mention { .. } => Subject::Mention(k - 1),
            TokKind::Word => match pronoun(t.lower) {
                Some(p) => Subject::Pronoun(k - 1, p),
                None if is_preposition(t.lower) || is_determiner(t.lower) => Subject::None,
                None => Subject::NonEntity(k - 1),
            },
            _ => Subject::None,
        }
    }

    /// If the comma or dash at `close` ends a parenthetical (`X, who …, said`; `X - speaking in
    /// Tokyo - said`; `X, 54, said`; `X, the chairman, said`), the index of the delimiter that
    /// opens it, and the mention the parenthetical names when it is an apposition.
    fn parenthetical_start(&self, close: usize) -> Option<(usize, Option<usize>)> {
        let comma = self.toks[close].is_punct(',');
        let mut k = close;
        let mut open = None;
        for _ in 0..MAX_PARENTHETICAL {
            if k <= self.lo {
                break;
            }
            k -= 1;
            let t = &self.toks[k];
            let same = if comma { t.is_punct(',') } else { t.is_dash() };
            if same {
                open = Some(k);
                break;
            }
            if matches!(t.kind, TokKind::Punct(':' | ';' | '.' | '?' | '!')) {
                return None;
            }
        }
        let open = open?;
        if open <= self.lo || open + 1 >= close {
            return None;
        }
        let first = &self.toks[open + 1];
        let len = close - open - 1;
        let has_verb = (open + 1..close).any(|i| self.is_verb(i));
        // What the parenthetical follows must be able to end a noun phrase.
        let attaches = matches!(
            self.toks[open - 1].kind,
            TokKind::Mention { .. } | TokKind::Word | TokKind::Possessive | TokKind::Punct(')')
        );
        // Short asides without a reporting verb: appositions (`the chairman`, `54`, `never one
        // to mince his words`), phrases (`of Plaid Cymru`, `however`).
        let plain = len <= 20 && !has_verb;
        let valid = attaches
            && match &first.kind {
                TokKind::Word => {
                    let w = first.low();
                    if is_coordinator(w) {
                        false // `X, and Y, said`: a conjunct, not an aside
                    } else if matches!(w, "who" | "whose" | "which" | "whom" | "where") {
                        len <= 25
                    } else if w.ends_with("ing") || w.ends_with("ed") || self.is_verb(open + 1) {
                        len <= 15
                    } else {
                        plain
                    }
                }
                TokKind::Mention { .. } => plain,
                _ => false,
            };
        if !valid {
            return None;
        }
        // An apposition that is a name: `the firm's boss, [X], said`.
        let appositive = match self.np_forward(open + 1, close) {
            (Subject::Mention(m), end) if end == close => Some(m),
            _ => None,
        };
        Some((open, appositive))
    }

    /// Parse a noun phrase forward from `from` (not past `to`): its head and where it ends.
    /// A mention followed by a person noun is a modifier (`a [Labour] spokesman`); a mention
    /// followed by a possessive is a possessor (`[X]'s offer`).
    pub(super) fn np_forward(&self, from: usize, to: usize) -> (Subject, usize) {
        let to = to.min(self.hi);
        let mut k = from;
        let mut head = Subject::None;
        let mut steps = 0;
        while k < to && steps < MAX_LOOK {
            steps += 1;
            let t = &self.toks[k];
            match &t.kind {
                TokKind::Word => {
                    let w = t.low();
                    if let Some(p) = pronoun(w) {
                        if head == Subject::None {
                            return (Subject::Pronoun(k, p), k + 1);
                        }
                        break;
                    }
                    if is_first_or_second_person(w) && head == Subject::None {
                        return (Subject::FirstPerson(k), k + 1);
                    }
                    if is_determiner(w) || w.chars().all(|c| c.is_ascii_digit()) {
                        k += 1;
                        continue;
                    }
                    if (is_cap_noun(t) || is_title_word(w)) && !self.is_verb(k) {
                        head = Subject::NonEntity(k);
                        k += 1;
                        continue;
                    }
                    // Lowercase words before a title: `chief operating officer [X]`, `home
                    // affairs correspondent` (never after a name: `[X] has produced [Y]`).
                    let title_so_far = matches!(head, Subject::None | Subject::NonEntity(_));
                    if title_so_far && self.modifies_title(k, to) {
                        k += 1;
                        continue;
                    }
                    break;
                }
                TokKind::Mention { .. } => {
                    head = Subject::Mention(k);
                    k += 1;
                    if k < to && self.toks[k].kind == TokKind::Possessive {
                        head = Subject::None;
                        k += 1;
                    }
                }
                TokKind::Possessive => k += 1,
                _ => break,
            }
        }
        if head == Subject::None && k < to {
            if let Some(w) = self.toks[k].word() {
                let function_word = may_be_function_word(w)
                    && (is_preposition(w)
                        || is_coordinator(w)
                        || is_relative(w)
                        || is_subordinator(w)
                        || is_auxiliary(w)
                        || is_be(w));
                if !function_word && !self.is_verb(k) {
                    return (Subject::NonEntity(k), k + 1);
                }
            }
        }
        (head, k)
    }

    /// Whether the lowercase word at `k` is followed, within a few plain words, by a title
    /// word (`operating` in `chief operating officer`) or by a person's name (`coach` in
    /// `coach [X]`, `award-winning actor [X]`).
    fn modifies_title(&self, k: usize, to: usize) -> bool {
        let plain = |i: usize| {
            self.toks[i].word().is_some_and(|w| {
                !self.toks[i].cap()
                    && !(may_be_function_word(w)
                        && (is_preposition(w)
                            || is_coordinator(w)
                            || is_auxiliary(w)
                            || is_be(w)
                            || is_determiner(w)))
                    && pronoun(w).is_none()
                    && !self.is_verb(i)
            })
        };
        if !plain(k) {
            return false;
        }
        for n in k + 1..(k + 4).min(to) {
            if let TokKind::Mention {
                kind: Some(EntityKind::Person),
                ..
            } = self.toks[n].kind
            {
                return true;
            }
            if !plain(n) {
                return false;
            }
            if is_title_word(self.toks[n].lower) {
                return true;
            }
        }
        false
    }

    /// The subject after a verb or after `according to`: a name, a pronoun, or a description
    /// followed by a name in apposition (`said the head of the delegation, Deputy Minister X`).
    pub(super) fn subject_right(&self, from: usize) -> Subject {
        let (head, end) = self.np_forward(from, self.hi);
        match head {
            Subject::Mention(_) | Subject::Pronoun(..) => head,
            Subject::NonEntity(_) | Subject::None => {
                // Look past the description's phrases for `, NAME`.
                for k in end..end + 12 {
                    let Some(t) = self.tok(k) else { break };
                    if t.is_punct(',') {
                        if let (Subject::Mention(m), e) = self.np_forward(k + 1, self.hi) {
                            let ends_np = self.tok(e).is_none_or(|t| {
                                !matches!(t.kind, TokKind::Word) || is_preposition(t.lower)
                            });
                            if ends_np {
                                return Subject::Mention(m);
                            }
                        }
                        break;
                    }
                    if t.quote().is_some() || matches!(t.kind, TokKind::Punct(_)) {
                        break;
                    }
                }
                head
            }
            _ => head,
        }
    }

    /// The subject of the sentence's main clause: after leading conjunctions, quotations and an
    /// introductory phrase (`In a statement,`, `Earlier,`, `Asked if …`), the head of the first
    /// noun phrase.
    pub(super) fn clause_subject(&self) -> Subject {
        let mut k = self.lo;
        for _ in 0..4 {
            // Leading quotations, punctuation and conjunctions.
            while let Some(t) = self.tok(k) {
                let skip = match &t.kind {
                    TokKind::Quote(_) | TokKind::Punct(_) => true,
                    TokKind::Word => is_coordinator(t.lower) || matches!(t.low(), "so" | "then"),
                    _ => false,
                };
                if !skip {
                    break;
                }
                k += 1;
            }
            let Some(t) = self.tok(k) else {
                return Subject::None;
            };
            let intro = t.word().is_some_and(|w| {
                is_preposition(w)
                    || is_subordinator(w)
                    || w == "according"
                    || (is_adverb(w) && self.tok(k + 1).is_some_and(|n| n.is_punct(',')))
                    || (t.cap() && (w.ends_with("ing") || w.ends_with("ed")) && self.is_verb(k))
                    || (t.cap() && w.len() > 5 && w.ends_with("ing") && !self.is_verb(k))
            });
            if !intro {
                break;
            }
            // Skip to after the comma that ends the introduction, if there is one.
            let comma = (k..self.hi.min(k + MAX_LOOK)).find(|&i| self.toks[i].is_punct(','));
            match comma {
                Some(c) => k = c + 1,
                None => {
                    // No comma: the first name or pronoun outside a prepositional phrase.
                    for i in k + 1..self.hi.min(k + MAX_LOOK) {
                        let t = &self.toks[i];
                        match &t.kind {
                            TokKind::Mention { .. } => {
                                let possessor = self
                                    .tok(i + 1)
                                    .is_some_and(|n| n.kind == TokKind::Possessive);
                                if self.preposition_before(i).is_none() && !possessor {
                                    return Subject::Mention(i);
                                }
                            }
                            TokKind::Word => {
                                if let Some(p) = pronoun(t.lower) {
                                    return Subject::Pronoun(i, p);
                                }
                            }
                            _ => {}
                        }
                    }
                    return Subject::None;
                }
            }
        }
        let (head, _) = self.np_forward(k, self.hi);
        head
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Snippet;
    use super::*;

    /// The subject of the first occurrence of `verb`, shown as its text or its variant.
    fn subject_of(text: &str, verb: &str) -> String {
        let s = Snippet::new(text);
        let c = s.clause(0);
        let v = (c.lo..c.hi)
            .find(|&i| s.prose.toks[i].is_word(verb))
            .expect("verb in the text");
        let form = s
            .lex
            .verb_at(verb, |_| None)
            .map_or(Form::Finite, |(_, f)| f);
        s.show(c.subject_left(v, form))
    }

    #[test]
    fn subject_left_skips_what_stands_between() {
        assert_eq!(
            subject_of("[Smith]{@smith} also said so.", "said"),
            "[Smith]"
        );
        assert_eq!(
            subject_of("[Smith]{@smith} has repeatedly said so.", "said"),
            "[Smith]"
        );
        assert_eq!(
            subject_of("[Smith]{@smith}, who leads it, said so.", "said"),
            "[Smith]"
        );
        assert_eq!(
            subject_of("[Smith]{@smith} - in Paris - said so.", "said"),
            "[Smith]"
        );
        assert_eq!(
            subject_of("[Smith]{@smith} (54) said so.", "said"),
            "[Smith]"
        );
        assert_eq!(subject_of("Then he said so.", "said"), "he");
        assert_eq!(
            subject_of("\"Yes,\" said [Smith]{@smith}.", "said"),
            "Inverted"
        );
    }

    #[test]
    fn subject_left_rejects_non_subjects() {
        assert_eq!(
            subject_of("A spokesman for [Acme]{@acme} said so.", "said"),
            "spokesman"
        );
        assert_eq!(
            subject_of("An [Acme]{@acme} spokesman said so.", "said"),
            "spokesman"
        );
        assert_eq!(
            subject_of("[Smith]{@smith} is said to agree.", "said"),
            "Passive"
        );
        assert_eq!(subject_of("[Smith]{@smith} refused to say.", "say"), "None");
        assert_eq!(
            subject_of("[Smith]{@smith} replied and said no.", "said"),
            "MainClause"
        );
        assert_eq!(
            subject_of("[Smith]{@smith} left, saying no.", "saying"),
            "MainClause"
        );
    }

    #[test]
    fn clause_subject_after_introductions() {
        let main = |text: &str| {
            let s = Snippet::new(text);
            s.show(s.clause(0).clause_subject())
        };
        assert_eq!(main("In a statement, [Acme]{@acme} said so."), "[Acme]");
        assert_eq!(main("But [Smith]{@smith} left."), "[Smith]");
        assert_eq!(main("\"Yes,\" he said."), "he");
        assert_eq!(main("During the debate [Smith]{@smith} spoke."), "[Smith]");
        assert_eq!(main("Chief executive [Smith]{@smith} spoke."), "[Smith]");
        assert_eq!(
            main("[Smith]{@smith}'s offer values [Acme]{@acme} highly."),
            "offer"
        );
        assert_eq!(main("A [Labour]{@acme} spokesman spoke."), "spokesman");
    }

    #[test]
    fn subject_after_the_verb() {
        let right = |text: &str, verb: &str| {
            let s = Snippet::new(text);
            let c = s.clause(0);
            let v = (c.lo..c.hi)
                .find(|&i| s.prose.toks[i].is_word(verb))
                .unwrap();
            s.show(c.subject_right(v + 1))
        };
        assert_eq!(right("\"No,\" said [Smith]{@smith}.", "said"), "[Smith]");
        assert_eq!(
            right(
                "\"No,\" said the head of it, Minister [Smith]{@smith}.",
                "said"
            ),
            "[Smith]"
        );
        assert_eq!(right("\"No,\" said one analyst.", "said"), "analyst");
    }
}
