//! Word lists for English news prose: reporting verbs (built in, extended by configuration),
//! function words, titles and person nouns, and honorifics that hint at gender.
//!
//! Everything here is general English; nothing is specific to one article.

use crate::config::AttributionConfig;
use fnv::FnvHashMap as FnvMap;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A table of static words.
type WordMap<V> = FnvMap<&'static str, V>;

/// The grammatical form of a reporting-verb occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// `say`, `tell`: only after a subject (`analysts say`), never after `to`.
    Base,
    /// `says`, or a configured verb whose form is not known.
    Finite,
    /// `said`, `told`, `written`: also a past participle, so `is said` is passive.
    Past,
    /// `saying`, `adding`: a participle unless it follows a form of `be`.
    Ing,
}

/// One built-in verb: its forms, and whether the bare base form counts (it does not for verbs
/// whose base form is usually a noun: `a call`, `a note`, `a report`).
struct Verb {
    base: &'static str,
    third: &'static str,
    past: &'static [&'static str],
    ing: &'static [&'static str],
    base_ok: bool,
}

const fn v(
    base: &'static str,
    third: &'static str,
    past: &'static [&'static str],
    ing: &'static [&'static str],
    base_ok: bool,
) -> Verb {
    Verb {
        base,
        third,
        past,
        ing,
        base_ok,
    }
}

/// Verbs of saying and writing, and the speech acts that news prose attributes quotations with
/// (`called it a "…"`, `branded it`, `accused him of being "…"`, `pledged to take it "…"`).
/// Deliberately absent: verbs whose quoted complement is usually someone else's words or a label
/// (`deny`, `dismiss`, `reject`, `urge`: `urged X to apologise for his "…" remark`), and verbs of
/// thinking (`believe`, `think`).
const VERBS: &[Verb] = &[
    v("say", "says", &["said"], &["saying"], true),
    v("tell", "tells", &["told"], &["telling"], true),
    v("add", "adds", &["added"], &["adding"], false),
    v("note", "notes", &["noted"], &["noting"], false),
    v("stress", "stresses", &["stressed"], &["stressing"], false),
    v("state", "states", &["stated"], &["stating"], false),
    v("explain", "explains", &["explained"], &["explaining"], true),
    v("write", "writes", &["wrote", "written"], &["writing"], true),
    v(
        "announce",
        "announces",
        &["announced"],
        &["announcing"],
        true,
    ),
    v("warn", "warns", &["warned"], &["warning"], true),
    v("insist", "insists", &["insisted"], &["insisting"], true),
    v("argue", "argues", &["argued"], &["arguing"], true),
    v("claim", "claims", &["claimed"], &["claiming"], false),
    v("reply", "replies", &["replied"], &["replying"], false),
    v("ask", "asks", &["asked"], &["asking"], true),
    v("recall", "recalls", &["recalled"], &["recalling"], false),
    v("shout", "shouts", &["shouted"], &["shouting"], false),
    v(
        "acknowledge",
        "acknowledges",
        &["acknowledged"],
        &["acknowledging"],
        true,
    ),
    v("admit", "admits", &["admitted"], &["admitting"], true),
    v("allege", "alleges", &["alleged"], &["alleging"], true),
    v("answer", "answers", &["answered"], &["answering"], false),
    v("assert", "asserts", &["asserted"], &["asserting"], true),
    v("boast", "boasts", &["boasted"], &["boasting"], false),
    v("brand", "brands", &["branded"], &["branding"], false),
    v("call", "calls", &["called"], &["calling"], false),
    v(
        "caution",
        "cautions",
        &["cautioned"],
        &["cautioning"],
        false,
    ),
    v(
        "comment",
        "comments",
        &["commented"],
        &["commenting"],
        false,
    ),
    v(
        "complain",
        "complains",
        &["complained"],
        &["complaining"],
        true,
    ),
    v("concede", "concedes", &["conceded"], &["conceding"], true),
    v(
        "conclude",
        "concludes",
        &["concluded"],
        &["concluding"],
        true,
    ),
    v("confirm", "confirms", &["confirmed"], &["confirming"], true),
    v("contend", "contends", &["contended"], &["contending"], true),
    v(
        "counter",
        "counters",
        &["countered"],
        &["countering"],
        false,
    ),
    v("declare", "declares", &["declared"], &["declaring"], true),
    v(
        "describe",
        "describes",
        &["described"],
        &["describing"],
        true,
    ),
    v("dub", "dubs", &["dubbed"], &["dubbing"], false),
    v(
        "emphasise",
        "emphasises",
        &["emphasised"],
        &["emphasising"],
        true,
    ),
    v(
        "emphasize",
        "emphasizes",
        &["emphasized"],
        &["emphasizing"],
        true,
    ),
    v("exclaim", "exclaims", &["exclaimed"], &["exclaiming"], true),
    v("joke", "jokes", &["joked"], &["joking"], false),
    v(
        "label",
        "labels",
        &["labelled", "labeled"],
        &["labelling", "labeling"],
        false,
    ),
    v("lament", "laments", &["lamented"], &["lamenting"], false),
    v(
        "maintain",
        "maintains",
        &["maintained"],
        &["maintaining"],
        true,
    ),
    v("observe", "observes", &["observed"], &["observing"], true),
    v("pledge", "pledges", &["pledged"], &["pledging"], false),
    v("predict", "predicts", &["predicted"], &["predicting"], true),
    v("promise", "promises", &["promised"], &["promising"], false),
    v(
        "protest",
        "protests",
        &["protested"],
        &["protesting"],
        false,
    ),
    v("quip", "quips", &["quipped"], &["quipping"], false),
    v(
        "reiterate",
        "reiterates",
        &["reiterated"],
        &["reiterating"],
        true,
    ),
    v("remark", "remarks", &["remarked"], &["remarking"], false),
    v("report", "reports", &["reported"], &["reporting"], false),
    v("respond", "responds", &["responded"], &["responding"], true),
    v("retort", "retorts", &["retorted"], &["retorting"], false),
    v("reveal", "reveals", &["revealed"], &["revealing"], true),
    v("suggest", "suggests", &["suggested"], &["suggesting"], true),
    v(
        "testify",
        "testifies",
        &["testified"],
        &["testifying"],
        true,
    ),
    v("tweet", "tweets", &["tweeted"], &["tweeting"], false),
    v(
        "underline",
        "underlines",
        &["underlined"],
        &["underlining"],
        false,
    ),
    v("vow", "vows", &["vowed"], &["vowing"], false),
    v(
        "whisper",
        "whispers",
        &["whispered"],
        &["whispering"],
        false,
    ),
    v("yell", "yells", &["yelled"], &["yelling"], false),
    v("accuse", "accuses", &["accused"], &["accusing"], true),
    v(
        "criticise",
        "criticises",
        &["criticised"],
        &["criticising"],
        true,
    ),
    v(
        "criticize",
        "criticizes",
        &["criticized"],
        &["criticizing"],
        true,
    ),
    v("attack", "attacks", &["attacked"], &["attacking"], false),
    // Evaluations: the quoted words are the subject's own characterisation
    // (`condemned the "barbaric" attack`, `welcomed the "historic" deal`).
    v("praise", "praises", &["praised"], &["praising"], true),
    v("condemn", "condemns", &["condemned"], &["condemning"], true),
    v(
        "denounce",
        "denounces",
        &["denounced"],
        &["denouncing"],
        true,
    ),
    v("decry", "decries", &["decried"], &["decrying"], true),
    v("welcome", "welcomes", &["welcomed"], &["welcoming"], false),
    v("hail", "hails", &["hailed"], &["hailing"], false),
    v("slam", "slams", &["slammed"], &["slamming"], false),
    v("demand", "demands", &["demanded"], &["demanding"], false),
];

/// Two-word reporting verbs (verb + particle).
const PHRASES: &[(&str, &str, Form)] = &[
    ("point", "out", Form::Base),
    ("points", "out", Form::Finite),
    ("pointed", "out", Form::Past),
    ("pointing", "out", Form::Ing),
    ("hit", "back", Form::Past),
    ("hits", "back", Form::Finite),
    ("hitting", "back", Form::Ing),
];

/// A word of the built-in table: its form as a one-word verb, and whether it opens a phrase.
#[derive(Clone, Copy, Default)]
struct Builtin {
    form: Option<Form>,
    phrase: bool,
}

/// A one-hash Bloom filter over the built-in table's words (length, first, second and last
/// byte): most words of a sentence are no reporting verb and are rejected without a lookup.
/// 16,384 bits (2 KiB): with a few hundred words, about 2 % of other words pass (4,096 bits
/// let about 8 % through to the hash lookup).
struct Bloom([u64; 256]);

impl Bloom {
    const EMPTY: Bloom = Bloom([0; 256]);

    const fn slot(w: &str) -> usize {
        let b = w.as_bytes();
        let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
            return 0;
        };
        let second = if b.len() > 1 { b[1] } else { 0 };
        let key = u32::from_le_bytes([b.len() as u8, first, second, last]);
        (key.wrapping_mul(0x9E37_79B1) >> 18) as usize
    }

    const fn insert(&mut self, w: &str) {
        let s = Bloom::slot(w);
        self.0[s / 64] |= 1 << (s % 64);
    }

    /// With every word of `list` inserted (for the filters built at compile time).
    const fn with(mut self, list: &[&str]) -> Bloom {
        let mut i = 0;
        while i < list.len() {
            self.insert(list[i]);
            i += 1;
        }
        self
    }

    fn may_contain(&self, w: &str) -> bool {
        let s = Bloom::slot(w);
        self.0[s / 64] & (1 << (s % 64)) != 0
    }
}

/// The filter over the built-in table's words, built at compile time (no lazy initialisation
/// to check on each of the many probes): the same words as `builtin`'s keys.
static BUILTIN_BLOOM: Bloom = {
    let mut bloom = Bloom::EMPTY;
    let mut i = 0;
    while i < VERBS.len() {
        let v = &VERBS[i];
        if v.base_ok {
            bloom.insert(v.base);
        }
        bloom.insert(v.third);
        bloom = bloom.with(v.past).with(v.ing);
        i += 1;
    }
    let mut k = 0;
    while k < PHRASES.len() {
        bloom.insert(PHRASES[k].0);
        k += 1;
    }
    bloom
};

#[inline]
fn may_be_builtin(w: &str) -> bool {
    BUILTIN_BLOOM.may_contain(w)
}

fn builtin() -> &'static WordMap<Builtin> {
    static MAP: OnceLock<WordMap<Builtin>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m: WordMap<Builtin> = WordMap::default();
        let mut form = |w: &'static str, f: Form| m.entry(w).or_default().form = Some(f);
        for verb in VERBS {
            if verb.base_ok {
                form(verb.base, Form::Base);
            }
            form(verb.third, Form::Finite);
            for p in verb.past {
                form(p, Form::Past);
            }
            for g in verb.ing {
                form(g, Form::Ing);
            }
        }
        for (a, _, _) in PHRASES {
            m.entry(a).or_default().phrase = true;
        }
        m
    })
}

/// The reporting verbs in force for one file: the built-in list plus the configured ones for
/// every language and for the file's language.
#[derive(Debug, Default)]
pub(super) struct Lexicon {
    /// Configured one-word verbs, lowercased.
    extra: HashMap<String, Form>,
    /// Configured multi-word verbs, lowercased words.
    phrases: Vec<(Vec<String>, Form)>,
}

/// The form of a configured verb, guessed from its ending (English morphology; other languages
/// get `Finite`, which makes no passive or participle assumptions).
fn guess_form(word: &str) -> Form {
    if word.ends_with("ing") {
        Form::Ing
    } else if word.ends_with("ed") {
        Form::Past
    } else {
        Form::Finite
    }
}

impl Lexicon {
    pub(super) fn new(config: &AttributionConfig, lang: Option<&str>) -> Lexicon {
        let mut lex = Lexicon::default();
        let mut verbs: Vec<&String> = config.reporting_verbs.iter().collect();
        if let Some(lang) = lang.map(str::trim).filter(|l| !l.is_empty()) {
            let lang = lang.to_ascii_lowercase();
            let primary = lang.split(['-', '_']).next().unwrap_or(&lang).to_string();
            for (key, lc) in &config.languages {
                let key = key.to_ascii_lowercase();
                if key == lang || key == primary {
                    verbs.extend(lc.reporting_verbs.iter());
                }
            }
        }
        for verb in verbs {
            let words: Vec<String> = verb.split_whitespace().map(str::to_lowercase).collect();
            match words.as_slice() {
                [] => {}
                [one] => {
                    lex.extra.insert(one.clone(), guess_form(one));
                }
                _ => {
                    let form = guess_form(&words[0]);
                    lex.phrases.push((words, form));
                }
            }
        }
        lex
    }

    /// A reporting verb starting with the word `first`: its length in words and form.
    /// `next` gives the following words (lowercased) for multi-word verbs.
    #[inline]
    pub(super) fn verb_at<'w>(
        &self,
        first: &str,
        next: impl Fn(usize) -> Option<&'w str>,
    ) -> Option<(usize, Form)> {
        // Most words are no reporting verb: without configured verbs, the Bloom filter
        // rejects them here, inlined in the caller's loop.
        if self.phrases.is_empty() && self.extra.is_empty() && !may_be_builtin(first) {
            return None;
        }
        self.verb_lookup(first, next)
    }

    fn verb_lookup<'w>(
        &self,
        first: &str,
        next: impl Fn(usize) -> Option<&'w str>,
    ) -> Option<(usize, Form)> {
        for (words, form) in &self.phrases {
            if words[0] == first && (1..words.len()).all(|k| next(k) == Some(words[k].as_str())) {
                return Some((words.len(), *form));
            }
        }
        // One probe tells both whether the word opens a built-in phrase and its built-in form.
        let entry = if may_be_builtin(first) {
            builtin().get(first)
        } else {
            None
        };
        if entry.is_some_and(|e| e.phrase) {
            for (a, b, form) in PHRASES {
                if *a == first && next(1) == Some(b) {
                    return Some((2, *form));
                }
            }
        }
        if !self.extra.is_empty() {
            if let Some(f) = self.extra.get(first) {
                return Some((1, *f));
            }
        }
        entry.and_then(|e| e.form).map(|f| (1, f))
    }
}

/// A predicate on a word and its list (`LIST`): the predicate is a `matches!` (the compiler
/// turns it into comparisons by length), the list feeds the function-word filter.
macro_rules! word_list {
    ($(#[$doc:meta])* $vis:vis fn $name:ident / $list:ident: $($w:literal)|+) => {
        const $list: &[&str] = &[$($w),+];
        $(#[$doc])*
        $vis fn $name(w: &str) -> bool {
            matches!(w, $($w)|+)
        }
    };
}

/// Whether `w` may be a preposition, determiner, auxiliary, form of `be`, coordinator,
/// subordinator or relative: `false` means it is none of them. A Bloom filter, so that the
/// content words that the subject heuristics probe skip those comparisons.
pub(super) fn may_be_function_word(w: &str) -> bool {
    static BLOOM: Bloom = Bloom::EMPTY
        .with(PREPOSITIONS)
        .with(DETERMINERS)
        .with(AUXILIARIES)
        .with(FORMS_OF_BE)
        .with(COORDINATORS)
        .with(SUBORDINATORS)
        .with(RELATIVES);
    BLOOM.may_contain(w)
}

word_list! {
    pub(super) fn is_preposition / PREPOSITIONS: "about"
            | "above"
            | "across"
            | "after"
            | "against"
            | "along"
            | "amid"
            | "among"
            | "amongst"
            | "around"
            | "at"
            | "before"
            | "behind"
            | "below"
            | "beneath"
            | "beside"
            | "besides"
            | "between"
            | "beyond"
            | "by"
            | "despite"
            | "during"
            | "except"
            | "for"
            | "from"
            | "in"
            | "inside"
            | "into"
            | "like"
            | "near"
            | "of"
            | "off"
            | "on"
            | "onto"
            | "outside"
            | "over"
            | "past"
            | "per"
            | "regarding"
            | "since"
            | "than"
            | "through"
            | "throughout"
            | "to"
            | "toward"
            | "towards"
            | "under"
            | "unlike"
            | "until"
            | "upon"
            | "via"
            | "with"
            | "within"
            | "without"
}

word_list! {
    pub(super) fn is_determiner / DETERMINERS: "the"
            | "a"
            | "an"
            | "this"
            | "these"
            | "those"
            | "his"
            | "her"
            | "its"
            | "their"
            | "our"
            | "my"
            | "your"
            | "such"
            | "no"
            | "any"
            | "some"
            | "every"
            | "each"
            | "another"
            | "all"
            | "both"
}

word_list! {
    pub(super) fn is_auxiliary / AUXILIARIES: "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "can"
            | "could"
            | "may"
            | "might"
            | "must"
            | "shall"
            | "should"
            | "does"
            | "did"
            | "do"
            | "not"
            | "never"
}

word_list! {
    pub(super) fn is_be / FORMS_OF_BE: "is" | "are" | "was" | "were" | "be" | "been" | "being" | "am"
}

word_list! {
    /// Words that join two clauses: a verb after them has the subject of the clause before.
    pub(super) fn is_coordinator / COORDINATORS: "and" | "but" | "or" | "nor" | "yet"
}

word_list! {
    /// Words that open a subordinate clause or an introductory phrase.
    pub(super) fn is_subordinator / SUBORDINATORS: "if" | "when"
            | "while"
            | "whilst"
            | "although"
            | "though"
            | "because"
            | "since"
            | "after"
            | "before"
            | "once"
            | "until"
            | "unless"
            | "whether"
            | "should"
            | "as"
            | "where"
            | "whereas"
            | "so"
            | "than"
}

fn is_listed_adverb(w: &str) -> bool {
    matches!(
        w,
        "also"
            | "earlier"
            | "later"
            | "then"
            | "now"
            | "today"
            | "yesterday"
            | "tonight"
            | "however"
            | "again"
            | "once"
            | "still"
            | "meanwhile"
            | "further"
            | "too"
            | "already"
            | "always"
            | "often"
            | "just"
            | "even"
            | "first"
            | "indeed"
            | "though"
            | "nonetheless"
            | "nevertheless"
            | "instead"
            | "recently"
            | "previously"
            | "subsequently"
            | "separately"
            | "reportedly"
            | "repeatedly"
            | "particularly"
            | "allegedly"
            | "apparently"
            | "finally"
            | "initially"
            | "originally"
    )
}

/// Lowercase words ending in `-ly` that are not adverbs.
const LY_NOUNS: &[&str] = &[
    "family",
    "assembly",
    "monopoly",
    "anomaly",
    "supply",
    "reply",
    "rally",
    "ally",
    "italy",
    "july",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
    "fly",
    "belly",
    "bully",
    "jelly",
    "folly",
    "holly",
    "tally",
    "melancholy",
    "homily",
];

/// Adverbs that stand between a subject and its verb (`also`, `particularly`, `earlier`).
pub(super) fn is_adverb(w: &str) -> bool {
    is_listed_adverb(w)
        || (w.len() >= 5
            && w.ends_with("ly")
            && w.chars().all(|c| c.is_lowercase())
            && !LY_NOUNS.contains(&w))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gender {
    Male,
    Female,
}

/// Personal pronouns that can be the subject of a reporting verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pronoun {
    He,
    She,
    It,
    They,
}

/// A subject pronoun, also in contracted forms (`he'd`, `she's`, `they've`).
pub(super) fn pronoun(w: &str) -> Option<Pronoun> {
    if !matches!(w.as_bytes().first(), Some(b'h' | b's' | b'i' | b't')) {
        return None;
    }
    match apostrophe_stem(w) {
        "he" => Some(Pronoun::He),
        "she" => Some(Pronoun::She),
        "it" => Some(Pronoun::It),
        "they" => Some(Pronoun::They),
        _ => None,
    }
}

word_list! {
    pub(super) fn is_relative / RELATIVES: "who" | "which" | "that" | "whose"
}

pub(super) fn is_first_or_second_person(w: &str) -> bool {
    matches!(w.as_bytes().first(), Some(b'i' | b'w' | b'y'))
        && matches!(apostrophe_stem(w), "i" | "we" | "you")
}

/// The word before its first apostrophe (`she` in `she's`), or the whole word.
fn apostrophe_stem(w: &str) -> &str {
    // A byte loop: `str::find` with a set of chars decodes every character.
    let b = w.as_bytes();
    for (i, &x) in b.iter().enumerate() {
        if x == b'\'' || (x == 0xE2 && b[i..].starts_with("’".as_bytes())) {
            return &w[..i];
        }
    }
    w
}

/// Contractions ending in `'s` that are not possessives.
pub(super) fn is_s_contraction(stem: &str) -> bool {
    matches!(
        stem,
        "it" | "that"
            | "he"
            | "she"
            | "there"
            | "what"
            | "who"
            | "here"
            | "let"
            | "where"
            | "how"
            | "when"
            | "why"
            | "everything"
            | "nothing"
            | "something"
    )
}

/// Nouns for people (`spokesman`, `minister`, `officials`): a subject that is one of them is a
/// person who is not a defined entity. Returns (gender, plural).
pub(super) fn person_noun(w: &str) -> Option<(Option<Gender>, bool)> {
    const MALE: &[&str] = &[
        "spokesman",
        "chairman",
        "man",
        "businessman",
        "congressman",
        "councilman",
        "policeman",
        "boy",
        "father",
        "son",
        "husband",
        "brother",
        "king",
        "prince",
        "lord",
        "sir",
        "mr",
        "gentleman",
    ];
    const FEMALE: &[&str] = &[
        "spokeswoman",
        "chairwoman",
        "woman",
        "businesswoman",
        "congresswoman",
        "councilwoman",
        "policewoman",
        "girl",
        "mother",
        "daughter",
        "wife",
        "sister",
        "queen",
        "princess",
        "lady",
        "mrs",
        "ms",
        "miss",
        "actress",
        "chairwoman",
    ];
    const ANY: &[&str] = &[
        "spokesperson",
        "official",
        "source",
        "aide",
        "adviser",
        "advisor",
        "minister",
        "secretary",
        "leader",
        "chief",
        "executive",
        "director",
        "president",
        "analyst",
        "expert",
        "reporter",
        "journalist",
        "correspondent",
        "editor",
        "lawyer",
        "mp",
        "mep",
        "officer",
        "member",
        "critic",
        "campaigner",
        "economist",
        "diplomat",
        "commissioner",
        "manager",
        "boss",
        "founder",
        "owner",
        "judge",
        "doctor",
        "teacher",
        "student",
        "resident",
        "colleague",
        "worker",
        "employee",
        "candidate",
        "insider",
        "friend",
        "witness",
        "negotiator",
        "envoy",
        "ambassador",
        "governor",
        "mayor",
        "senator",
        "chancellor",
        "premier",
        "counterpart",
        "deputy",
        "head",
        "professor",
        "researcher",
        "scientist",
        "activist",
        "chair",
        "person",
        "observer",
        "commentator",
        "strategist",
        "consultant",
        "representative",
        "investor",
        "shareholder",
        "fan",
        "voter",
        "tycoon",
        "millionaire",
        "billionaire",
        "magnate",
        "qc",
        "mayor",
        "councillor",
        "councilor",
        "general",
        "someone",
        "somebody",
        "anyone",
        "police",
        "people",
        "coach",
        "captain",
        "skipper",
        "striker",
        "midfielder",
        "defender",
        "goalkeeper",
        "winger",
        "player",
        "champion",
        "singer",
        "actor",
        "star",
        "producer",
        "author",
        "writer",
        "novelist",
        "presenter",
        "host",
        "comedian",
        "musician",
        "artist",
        "rapper",
        "designer",
        "developer",
        "engineer",
        "entrepreneur",
        "banker",
        "trader",
        "broker",
        "chef",
        "vicar",
        "bishop",
        "archbishop",
        "priest",
        "spokespeople",
    ];
    /// Which list a word is in (the first one, in the order male, female, any).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum List {
        Male,
        Female,
        Any,
    }
    // A Bloom filter over the nouns (built at compile time): most words probed are no person
    // noun, and the filter rejects them (and their singular forms) without hashing the word.
    static BLOOM: Bloom = Bloom::EMPTY.with(ANY).with(FEMALE).with(MALE);
    static MAP: OnceLock<WordMap<List>> = OnceLock::new();
    let get = |w: &str| {
        if !BLOOM.may_contain(w) {
            return None;
        }
        let map = MAP.get_or_init(|| {
            let mut m = WordMap::default();
            for (list, words) in [(List::Any, ANY), (List::Female, FEMALE), (List::Male, MALE)] {
                for w in words {
                    m.insert(*w, list);
                }
            }
            m
        });
        map.get(w).copied()
    };
    match get(w) {
        Some(List::Male) => return Some((Some(Gender::Male), false)),
        Some(List::Female) => return Some((Some(Gender::Female), false)),
        Some(List::Any) => return Some((None, matches!(w, "police" | "people"))),
        None => {}
    }
    // Regular plurals: `officials`, `spokesmen`, `ministers`.
    if let Some(stem) = w.strip_suffix("men") {
        let mut buf = [0u8; 32];
        if stem.len() + 3 <= buf.len() {
            buf[..stem.len()].copy_from_slice(stem.as_bytes());
            buf[stem.len()..stem.len() + 3].copy_from_slice(b"man");
            let singular = std::str::from_utf8(&buf[..stem.len() + 3]).unwrap_or("");
            if matches!(get(singular), Some(List::Any | List::Male)) {
                return Some((None, true));
            }
        }
    }
    if let Some(stem) = w.strip_suffix('s') {
        if get(stem).is_some() {
            return Some((None, true));
        }
    }
    None
}

/// Lowercase words that can stand in a title before a name (`Tory leader X`, `chief operating
/// officer X`) besides the person nouns.
pub(super) fn is_title_word(w: &str) -> bool {
    person_noun(w).is_some()
        || matches!(
            w,
            "foreign"
                | "home"
                | "shadow"
                | "former"
                | "deputy"
                | "acting"
                | "interim"
                | "senior"
                | "junior"
                | "prime"
                | "vice"
                | "operating"
                | "financial"
                | "political"
                | "affairs"
                | "culture"
                | "defence"
                | "defense"
                | "health"
                | "education"
                | "general"
                | "attorney"
                | "solicitor"
                | "party"
                | "group"
                | "company"
                | "firm"
                | "club"
                | "agency"
        )
}

/// The gender an honorific or title word implies.
pub(super) fn honorific_gender(w: &str) -> Option<Gender> {
    let w = w.trim_end_matches('.');
    // ASCII words (nearly all) are lowercased on the stack.
    let mut buf = [0u8; 16];
    let owned;
    let w = if w.is_ascii() {
        if w.len() > buf.len() {
            return None; // longer than any honorific
        }
        buf[..w.len()].copy_from_slice(w.as_bytes());
        buf[..w.len()].make_ascii_lowercase();
        std::str::from_utf8(&buf[..w.len()]).unwrap_or("")
    } else {
        owned = w.to_lowercase();
        owned.as_str()
    };
    match w {
        "mr" | "lord" | "sir" | "prince" | "king" | "duke" | "earl" | "baron" | "count"
        | "father" | "brother" | "monsieur" | "herr" | "señor" | "signor" | "sheikh"
        | "emperor" | "archduke" => Some(Gender::Male),
        "ms" | "mrs" | "miss" | "lady" | "baroness" | "dame" | "queen" | "princess" | "duchess"
        | "countess" | "sister" | "madame" | "mme" | "frau" | "señora" | "signora" | "empress" => {
            Some(Gender::Female)
        }
        _ => None,
    }
}

/// Words whose `.` does not end a sentence (`Mr.`, `Dr.`, `St.`).
pub(super) fn is_abbreviation(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "ms"
            | "dr"
            | "prof"
            | "st"
            | "sen"
            | "rep"
            | "gov"
            | "gen"
            | "lt"
            | "col"
            | "capt"
            | "sgt"
            | "rev"
            | "jr"
            | "sr"
            | "no"
            | "nos"
            | "vs"
            | "messrs"
            | "mt"
            | "hon"
            | "rt"
            | "cllr"
            | "insp"
            | "supt"
            | "det"
            | "approx"
            | "e.g"
            | "i.e"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LanguageConfig;

    #[test]
    fn the_bloom_filter_lets_every_built_in_word_through() {
        for w in builtin().keys() {
            assert!(may_be_builtin(w), "{w}");
        }
        let rejected = [
            "the",
            "minister",
            "of",
            "and",
            "government",
            "a",
            "tomorrow",
        ]
        .iter()
        .filter(|w| !may_be_builtin(w))
        .count();
        assert!(rejected >= 5, "{rejected}");
    }

    #[test]
    fn built_in_forms() {
        let lex = Lexicon::default();
        let none = |_: usize| None;
        assert_eq!(lex.verb_at("said", none), Some((1, Form::Past)));
        assert_eq!(lex.verb_at("says", none), Some((1, Form::Finite)));
        assert_eq!(lex.verb_at("say", none), Some((1, Form::Base)));
        assert_eq!(lex.verb_at("adding", none), Some((1, Form::Ing)));
        assert_eq!(lex.verb_at("written", none), Some((1, Form::Past)));
        // Noun-like base forms are not verbs on their own.
        assert_eq!(lex.verb_at("call", none), None);
        assert_eq!(lex.verb_at("report", none), None);
        assert_eq!(lex.verb_at("urged", none), None);
        let out = |k: usize| (k == 1).then_some("out");
        assert_eq!(lex.verb_at("pointed", out), Some((2, Form::Past)));
        assert_eq!(lex.verb_at("pointed", none), None);
    }

    #[test]
    fn configured_verbs_by_language() {
        let mut config = AttributionConfig {
            reporting_verbs: vec!["Quipped".into(), "fired back".into()],
            ..AttributionConfig::default()
        };
        config.languages.insert(
            "de".into(),
            LanguageConfig {
                reporting_verbs: vec!["sagte".into()],
            },
        );
        let none = |_: usize| None;
        let en = Lexicon::new(&config, Some("en"));
        assert_eq!(en.verb_at("quipped", none), Some((1, Form::Past)));
        assert_eq!(en.verb_at("sagte", none), None);
        let back = |k: usize| (k == 1).then_some("back");
        assert_eq!(en.verb_at("fired", back), Some((2, Form::Past)));
        let de = Lexicon::new(&config, Some("de-AT"));
        assert_eq!(de.verb_at("sagte", none), Some((1, Form::Finite)));
        assert_eq!(de.verb_at("quipped", none), Some((1, Form::Past)));
    }

    #[test]
    fn word_classes() {
        assert!(is_adverb("particularly"));
        assert!(is_adverb("earlier"));
        assert!(!is_adverb("family"));
        assert!(!is_adverb("daily"));
        assert_eq!(
            person_noun("spokeswoman"),
            Some((Some(Gender::Female), false))
        );
        assert_eq!(person_noun("officials"), Some((None, true)));
        assert_eq!(person_noun("spokesmen"), Some((None, true)));
        assert_eq!(person_noun("rules"), None);
        assert_eq!(honorific_gender("Baroness"), Some(Gender::Female));
        assert_eq!(honorific_gender("Mr."), Some(Gender::Male));
        assert_eq!(pronoun("she's"), Some(Pronoun::She));
        assert_eq!(pronoun("them"), None);
    }
}
