//! What a subject refers to: a mention's entity, a non-entity noun phrase (a spokesman), or for
//! a pronoun the entity a reader understands: the salient subject of the current or recent
//! sentences first, then other mentions, of a fitting kind and gender, in the same or the
//! previous paragraph.

use super::lexicon::{honorific_gender, person_noun, Gender, Pronoun};
use super::prose::{Tok, TokKind};
use super::sentences::Sentence;
use super::subject::Subject;
use super::Lookup;
use crate::analysis::entity::EntityKind;
use crate::syntax::Span;
use fnv::FnvHashMap as FnvMap;

/// How many sentences back a pronoun looks (within the paragraph window).
const MAX_SENTENCES_BACK: usize = 10;
/// How many mentions per sentence a pronoun considers, and how many tokens it reads back.
const MAX_MENTIONS: usize = 50;
const MAX_TOKENS_BACK: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ref<'a> {
    /// A defined (or at least mentioned) entity.
    Entity {
        id: &'a str,
        kind: Option<EntityKind>,
        span: Span,
    },
    /// A noun phrase that is not an entity (`a spokeswoman`, `analysts`, `the rules`).
    Other {
        span: Span,
        person: bool,
        gender: Option<Gender>,
        plural: bool,
    },
}

impl<'a> Ref<'a> {
    /// The speaker this names: an entity of a speaking kind (or of an unknown kind, whose
    /// mention is reported elsewhere).
    pub(super) fn speaker(&self) -> Option<(&'a str, Span)> {
        match self {
            Ref::Entity { id, kind, span } if kind.is_none_or(EntityKind::can_speak) => {
                Some((id, *span))
            }
            _ => None,
        }
    }

    pub(super) fn entity_id(&self) -> Option<&'a str> {
        match self {
            Ref::Entity { id, .. } => Some(id),
            Ref::Other { .. } => None,
        }
    }

    pub(super) fn is_person(&self) -> bool {
        match self {
            Ref::Entity { kind, .. } => *kind == Some(EntityKind::Person),
            Ref::Other { person, .. } => *person,
        }
    }
}

pub(super) struct Resolver<'a> {
    toks: &'a [Tok<'a>],
    /// Mention IDs (`Prose::ids`).
    ids: &'a [&'a str],
    /// The token of each mention (`Prose::mention_at`).
    mention_at: &'a [u32],
    sents: &'a [Sentence],
    genders: FnvMap<&'a str, Option<Gender>>,
    /// The clause subject of each sentence processed so far.
    pub clause: Vec<Subject>,
    /// The salient referent of each sentence processed so far.
    pub salient: Vec<Option<Ref<'a>>>,
}

/// Gender hints for every person mentioned: honorifics in names, aliases and mention surfaces
/// (`Mr`, `Lord` / `Ms`, `Baroness`). Conflicting hints give no gender. Only people: a
/// pronoun reads the gender of a person entity only (see `fits`), and mentions of
/// organisations and places are then not hashed.
fn genders<'a>(
    persons: &[(u32, &'a str)],
    ids: &[&'a str],
    lookup: &Lookup<'_>,
) -> FnvMap<&'a str, Option<Gender>> {
    /// Per entity: male and female votes (only whether there are any matters), whether its
    /// names were counted yet, and the surface of its last mention (most mentions repeat
    /// it, and a repeat adds no new vote).
    #[derive(Default)]
    struct Votes<'t> {
        male: u32,
        female: u32,
        names_counted: bool,
        last_surface: Option<&'t str>,
    }
    let mut votes: FnvMap<&'a str, Votes<'_>> = FnvMap::default();
    let vote = |v: &mut Votes<'_>, g: Option<Gender>| match g {
        Some(Gender::Male) => v.male += 1,
        Some(Gender::Female) => v.female += 1,
        None => {}
    };
    // A surface recurs with every mention: read its honorific once.
    let mut surfaces: FnvMap<&str, Option<Gender>> = FnvMap::default();
    for &(id, low) in persons {
        let id = ids[id as usize];
        let v = votes.entry(id).or_default();
        if v.last_surface != Some(low) {
            v.last_surface = Some(low);
            let g = *surfaces.entry(low).or_insert_with(|| name_gender(low));
            vote(v, g);
        }
        if !v.names_counted {
            v.names_counted = true;
            if let Some(e) = lookup(id) {
                for n in e.names() {
                    vote(v, name_gender(n));
                }
            }
        }
    }
    votes
        .into_iter()
        .map(|(id, v)| {
            let g = match (v.male > 0, v.female > 0) {
                (true, false) => Some(Gender::Male),
                (false, true) => Some(Gender::Female),
                _ => None,
            };
            (id, g)
        })
        .collect()
}

/// The gender the honorific opening a name implies (`Mr X`, `the Duchess of Y`).
fn name_gender(name: &str) -> Option<Gender> {
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or("");
    let word = if first.eq_ignore_ascii_case("the") {
        words.next().unwrap_or("")
    } else {
        first
    };
    honorific_gender(word)
}

fn compatible(want: Gender, have: Option<Gender>) -> bool {
    have.is_none_or(|g| g == want)
}

impl<'a> Resolver<'a> {
    pub(super) fn new(
        toks: &'a [Tok<'a>],
        ids: &'a [&'a str],
        mention_at: &'a [u32],
        persons: &[(u32, &'a str)],
        sents: &'a [Sentence],
        lookup: &Lookup<'_>,
    ) -> Self {
        Resolver {
            toks,
            sents,
            genders: genders(persons, ids, lookup),
            ids,
            mention_at,
            clause: Vec::with_capacity(sents.len()),
            salient: Vec::with_capacity(sents.len()),
        }
    }

    fn mention_ref(&self, i: usize) -> Option<Ref<'a>> {
        match &self.toks[i].kind {
            TokKind::Mention { id, kind } => Some(Ref::Entity {
                id: self.ids[*id as usize],
                kind: *kind,
                span: self.toks[i].span(),
            }),
            _ => None,
        }
    }

    /// What the subject refers to, seen from sentence `s`.
    pub(super) fn resolve(&self, s: usize, subject: Subject) -> Option<Ref<'a>> {
        match subject {
            Subject::Mention(i) => self.mention_ref(i),
            Subject::Pronoun(i, p) => self.resolve_pronoun(s, i, p),
            Subject::NonEntity(i) => {
                let t = &self.toks[i];
                let (person, gender, plural) = match person_noun(t.lower) {
                    Some((g, pl)) => (true, g, pl),
                    None => (
                        false,
                        None,
                        t.lower.ends_with('s') && !t.lower.ends_with("ss"),
                    ),
                };
                Some(Ref::Other {
                    span: t.span(),
                    person,
                    gender,
                    plural,
                })
            }
            // The journalist or a group speaking in the first person: no entity.
            Subject::FirstPerson(i) => Some(Ref::Other {
                span: self.toks[i].span(),
                person: false,
                gender: None,
                plural: false,
            }),
            Subject::MainClause => match self.clause.get(s).copied() {
                Some(c @ (Subject::Mention(_) | Subject::Pronoun(..) | Subject::NonEntity(_))) => {
                    self.resolve(s, c)
                }
                _ => None,
            },
            Subject::Inverted | Subject::Passive | Subject::None => None,
        }
    }

    /// Whether `r` can be what the pronoun stands for.
    fn fits(&self, p: Pronoun, r: &Ref<'_>) -> bool {
        match (p, r) {
            (Pronoun::He | Pronoun::She, Ref::Entity { id, kind, .. }) => {
                let want = if p == Pronoun::He {
                    Gender::Male
                } else {
                    Gender::Female
                };
                *kind == Some(EntityKind::Person)
                    && compatible(want, self.genders.get(*id).copied().flatten())
            }
            (
                Pronoun::He | Pronoun::She,
                Ref::Other {
                    person: true,
                    plural: false,
                    gender,
                    ..
                },
            ) => {
                let want = if p == Pronoun::He {
                    Gender::Male
                } else {
                    Gender::Female
                };
                compatible(want, *gender)
            }
            (Pronoun::It, Ref::Entity { kind, .. }) => matches!(
                kind,
                Some(EntityKind::Org | EntityKind::Work | EntityKind::Agreement)
            ),
            (Pronoun::They, Ref::Entity { kind, .. }) => *kind == Some(EntityKind::Org),
            (
                Pronoun::They,
                Ref::Other {
                    person: true,
                    plural: true,
                    ..
                },
            ) => true,
            _ => false,
        }
    }

    /// Mentions of sentence tokens `lo..hi`, nearest first.
    fn mentions_back(&self, lo: usize, hi: usize) -> impl Iterator<Item = Ref<'a>> + '_ {
        let from = lo.max(hi.saturating_sub(MAX_TOKENS_BACK));
        let a = self.mention_at.partition_point(|&i| (i as usize) < from);
        let b = self.mention_at.partition_point(|&i| (i as usize) < hi);
        self.mention_at[a..b.max(a)]
            .iter()
            .rev()
            .take(MAX_MENTIONS)
            .filter_map(|&i| self.mention_ref(i as usize))
    }

    fn resolve_pronoun(&self, s: usize, at: usize, p: Pronoun) -> Option<Ref<'a>> {
        let sent = self.sents[s];
        // The subject of this sentence when it comes first (`X said he …`).
        if let Some(c) = self.clause.get(s).copied() {
            if let (Some(pos), false) = (c.pos(), matches!(c, Subject::Pronoun(..))) {
                if pos < at {
                    if let Some(r) = self.resolve(s, c).filter(|r| self.fits(p, r)) {
                        return Some(r);
                    }
                }
            }
        }
        if let Some(r) = self.mentions_back(sent.start, at).find(|r| self.fits(p, r)) {
            return Some(r);
        }
        for k in (0..s).rev() {
            let prev = self.sents[k];
            if prev.heading || prev.para + 1 < sent.para || s - k > MAX_SENTENCES_BACK {
                break;
            }
            if let Some(r) = self.salient.get(k).and_then(Option::as_ref) {
                if self.fits(p, r) {
                    return Some(r.clone());
                }
            }
            if let Some(r) = self
                .mentions_back(prev.start, prev.end)
                .find(|r| self.fits(p, r))
            {
                return Some(r);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Snippet;
    use super::*;

    #[test]
    fn gender_comes_from_honorifics_in_names_aliases_and_surfaces() {
        let s = Snippet::new(
            "[Smith]{@smith} met [Jones]{@jones} and [Lady X]{@acme} in [Paris]{@paris}.",
        );
        let lookup = s.lookup();
        let g = genders(&s.prose.persons, &s.prose.ids, &lookup);
        assert_eq!(g["smith"], Some(Gender::Male)); // alias `Mr Smith`
        assert_eq!(g["jones"], Some(Gender::Female)); // alias `Ms Jones`
                                                      // Only people get one: a pronoun's gender is matched against people only.
        assert_eq!(g.get("acme"), None);
        assert_eq!(g.get("paris"), None);
        // The surface `Lady Smith` votes female against the alias `Mr Smith`: no gender.
        let s = Snippet::new("[Lady Smith]{@smith} met [Jones]{@jones}.");
        let g = genders(&s.prose.persons, &s.prose.ids, &s.lookup());
        assert_eq!(g["smith"], None);
        assert_eq!(g["jones"], Some(Gender::Female));
    }

    #[test]
    fn pronouns_prefer_the_salient_subject_and_fit_kind_and_gender() {
        let s = Snippet::new(
            "[Smith]{@smith} thanked [Jones]{@jones} and [Acme]{@acme}. She smiled. It paid. He left. They agreed.",
        );
        let lookup = s.lookup();
        let mut res = s.resolver(&lookup);
        let mut shown = Vec::new();
        for (k, _) in s.sents.iter().enumerate() {
            let c = s.clause(k);
            let subject = c.clause_subject();
            res.clause.push(subject);
            let r = res.resolve(k, subject);
            shown.push(
                r.as_ref()
                    .and_then(Ref::entity_id)
                    .unwrap_or("-")
                    .to_string(),
            );
            res.salient.push(r);
        }
        assert_eq!(shown, ["smith", "jones", "acme", "smith", "acme"]);
    }

    #[test]
    fn a_person_who_is_no_entity_stops_the_search() {
        let s = Snippet::new("[Smith]{@smith} arrived. A spokesman spoke. He left.");
        let lookup = s.lookup();
        let mut res = s.resolver(&lookup);
        let mut last = None;
        for (k, _) in s.sents.iter().enumerate() {
            let subject = s.clause(k).clause_subject();
            res.clause.push(subject);
            last = res.resolve(k, subject);
            res.salient.push(last.clone());
        }
        assert!(
            matches!(last, Some(Ref::Other { person: true, .. })),
            "{last:?}"
        );
    }
}
