//! Fixture table: small sentences for every rule and the tricky negatives, asserting speaker,
//! kind and cue of each quotation. Every case shares one cast of entities.

use super::*;
use crate::config::LanguageConfig;
use crate::syntax::ParseOptions;

const CAST: &str = "\
@smith: person \"John Smith\"
  aka: Mr Smith; Smith
@jones: person \"Mary Jones\"
  aka: Ms Jones; Jones
@lord: person \"Lord Brown\"
@lady: person \"Baroness Green\"
  aka: Lady Green
@acme: org \"Acme Corp\"
  aka: the company
@report: work \"The Annual Report\"
@treaty: agreement \"Paris Treaty\"
@paris: place \"Paris\"
@summit: event \"Paris Summit\"

";

/// (quotation starts with, speaker, kind, cue)
type Expect = (
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

fn run_with(text: &str, config: &AttributionConfig) -> (FileData, Vec<Attribution>) {
    // Front matter stays at the top; the cast follows it.
    let full = match text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("---\n"))
    {
        Some((fm, body)) => format!("---\n{fm}---\n{CAST}{body}"),
        None => format!("{CAST}{text}"),
    };
    let file = FileData::new(full, &ParseOptions::default());
    let lookup = |id: &str| file.entity(id).map(|(_, e)| e);
    let out = attribute(&file, &lookup, config);
    (file.clone(), out)
}

/// Checks one case; returns a description of every difference.
fn check(text: &str, expect: &[Expect], config: &AttributionConfig) -> Vec<String> {
    let (file, got) = run_with(text, config);
    let mut problems = Vec::new();
    if !file.parse().errors.is_empty() {
        problems.push(format!(
            "{text}\n    syntax errors: {:?}",
            file.parse().errors
        ));
    }
    for &(starts, speaker, kind, cue) in expect {
        let found: Vec<usize> = (0..file.parse().quotes.len())
            .filter(|&i| quote_text(&file, &file.parse().quotes[i]).starts_with(starts))
            .collect();
        let [qi] = found[..] else {
            problems.push(format!("{text}\n    “{starts}”: {} matches", found.len()));
            continue;
        };
        let a = &got[qi];
        let cue_ok = cue.is_none_or(|c| a.cue.as_deref() == Some(c));
        if a.speaker.as_deref() != speaker || a.kind.as_str() != kind || !cue_ok {
            problems.push(format!(
                "{text}\n    “{starts}”: expected {speaker:?} {kind} {cue:?}, got {:?} {} {:?}",
                a.speaker,
                a.kind.as_str(),
                a.cue
            ));
        }
    }
    problems
}

fn table(cases: &[(&str, &[Expect])]) {
    let config = AttributionConfig::default();
    let problems: Vec<String> = cases
        .iter()
        .flat_map(|(text, expect)| check(text, expect, &config))
        .collect();
    assert!(
        problems.is_empty(),
        "{} of {} cases wrong:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

const I: &str = "inferred";
const C: &str = "continuation";
const N: &str = "none";
const NQ: &str = "not-a-quote";

#[test]
fn rule1_quotation_then_speaker_and_verb() {
    table(&[
        (
            "\"We will win the vote,\" [Smith]{@smith} said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" said [Smith]{@smith}.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote\", [Smith]{@smith} told reporters.",
            &[("We will win", Some("smith"), I, Some("told"))],
        ),
        (
            "\"Why would we do that now?\" asked [Jones]{@jones}.",
            &[("Why would we", Some("jones"), I, Some("asked"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith}, 54, said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith}, the party chairman, said on Monday.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" said the head of the delegation, Deputy Minister [John Smith]{@smith}.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" Foreign Minister [Smith]{@smith} said earlier.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith} - speaking in Paris on Monday - said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" [the company]{@acme} said in a statement.",
            &[("We will win", Some("acme"), I, Some("said"))],
        ),
        (
            "\"We deserved to win the match,\" said coach [Smith]{@smith}.",
            &[("We deserved", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We deserved to win the match,\" award-winning striker [Smith]{@smith} said.",
            &[("We deserved", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We deserved to win the match,\" said an [Acme]{@acme} coach.",
            &[("We deserved", None, N, Some("said"))],
        ),
        (
            "\"We will win the vote,\" according to [Smith]{@smith}.",
            &[("We will win", Some("smith"), I, Some("according to"))],
        ),
        (
            "\"We will win the vote,\" @smith said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith} has repeatedly insisted.",
            &[("We will win", Some("smith"), I, Some("insisted"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith} pointed out.",
            &[("We will win", Some("smith"), I, Some("pointed out"))],
        ),
        (
            "\"We will win the vote,\" [Philippe Sands]{@smith} QC said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "\"Why would we do that now?\" [Jones]{@jones} asked.",
            &[("Why would we", Some("jones"), I, Some("asked"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith}, 45, from Leeds, said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Acme]{@acme}'s [Smith]{@smith}, never one to mince his words, said it was \"a scam from the start\".",
            &[("a scam", Some("smith"), I, Some("said"))],
        ),
        (
            "\"We will win the vote,\" [Smith]{@smith} was quoted as saying.",
            &[("We will win", Some("smith"), I, Some("quoted … as saying"))],
        ),
    ]);
}

#[test]
fn rule2_speaker_and_verb_then_quotation() {
    table(&[
        (
            "[Smith]{@smith} said: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} told the BBC's Today programme: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("told"))],
        ),
        (
            "[Smith]{@smith} said that \"we will win the vote\".",
            &[("we will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} said, \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} said the plan was \"deeply flawed\".",
            &[("deeply flawed", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} also warned that the plan was \"deeply flawed\".",
            &[("deeply flawed", Some("smith"), I, Some("warned"))],
        ),
        (
            "[Smith]{@smith}, who leads the group in Paris, said: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "In a statement, [Acme]{@acme} said: \"We will win the vote.\"",
            &[("We will win", Some("acme"), I, Some("said"))],
        ),
        (
            "Speaking to reporters in Paris, [Smith]{@smith} said: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        // The partial quotation is the main speaker's, not the nearer entity's.
        (
            "[Jones]{@jones} said [Smith]{@smith} had failed the \"tartan test\".",
            &[("tartan test", Some("jones"), I, Some("said"))],
        ),
        (
            "[Jones]{@jones} says evidence from the regions suggests there are \"significant\" gaps.",
            &[("significant", Some("jones"), I, Some("says"))],
        ),
        (
            "[Smith]{@smith} dismissed the report and said it was \"utter nonsense\".",
            &[("utter nonsense", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} attacked the plan, saying it was \"a disaster for everyone\".",
            &[("a disaster", Some("smith"), I, Some("saying"))],
        ),
        (
            "Shadow home secretary [Smith]{@smith} criticised the \"ticking bomb\" of debt, saying it was \"high time\" for change.",
            &[
                ("ticking bomb", Some("smith"), I, Some("criticised")),
                ("high time", Some("smith"), I, Some("saying")),
            ],
        ),
        (
            "[Smith]{@smith} has pledged to take the matter \"to the highest court\".",
            &[("to the highest", Some("smith"), I, Some("pledged"))],
        ),
        (
            "They signed [the report]{@report}, and [Smith]{@smith}, a lawyer, whose firm is in Paris, has pledged to take it \"to the highest court\".",
            &[("to the highest", Some("smith"), I, Some("pledged"))],
        ),
        (
            "Says [Smith]{@smith}: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("says"))],
        ),
        (
            "The shadow chancellor, [Smith]{@smith}, said: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} was quoted as saying: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("quoted … as saying"))],
        ),
        (
            "[Smith]{@smith} went on to say: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("say"))],
        ),
        (
            "[The Annual Report]{@report} says: \"Profits rose sharply this year.\"",
            &[("Profits rose", Some("report"), I, Some("says"))],
        ),
        (
            "[The treaty]{@treaty} particularly states that \"both sides will respect the border\".",
            &[("both sides", Some("treaty"), I, Some("states"))],
        ),
        (
            "Games are \"big business\", [the paper]{@acme} quoted [Smith]{@smith} as saying.",
            &[("big business", Some("smith"), I, Some("quoted … as saying"))],
        ),
        (
            "The plan was criticised, with [Jones]{@jones} saying it was \"a disgrace to us all\".",
            &[("a disgrace", Some("jones"), I, Some("saying"))],
        ),
        (
            "The plan was branded \"a disgrace to us all\" by [Jones]{@jones}.",
            &[("a disgrace", Some("jones"), I, Some("branded"))],
        ),
        (
            "[Smith]{@smith} condemned the \"barbaric\" attack.",
            &[("barbaric", Some("smith"), I, Some("condemned"))],
        ),
        (
            "Asked if he would welcome the voters, [Smith]{@smith} told the BBC: \"We want everyone to join us.\"",
            &[("We want", Some("smith"), I, Some("told"))],
        ),
        (
            "[Smith]{@smith} said it was \"a good day\", while [Jones]{@jones} called it \"a disaster\".",
            &[
                ("a good day", Some("smith"), I, Some("said")),
                ("a disaster", Some("jones"), I, Some("called")),
            ],
        ),
        (
            "[Smith]{@smith} said he had met his \"golden rule\" and [Jones]{@jones} told MPs: \"It is a fiddle, plain and simple.\"",
            &[
                ("golden rule", Some("smith"), I, Some("said")),
                ("It is a fiddle", Some("jones"), I, Some("told")),
            ],
        ),
    ]);
}

#[test]
fn rule3_according_to() {
    table(&[
        (
            "According to [Smith]{@smith}, \"the plan will fail within a year.\"",
            &[("the plan will", Some("smith"), I, Some("according to"))],
        ),
        (
            "According to the Foreign Minister [Smith]{@smith}, the plan \"will fail within a year\".",
            &[("will fail", Some("smith"), I, Some("according to"))],
        ),
        // A reporting verb in the sentence names the speaker; the source is secondary.
        (
            "According to [Acme]{@acme}, chief executive [Smith]{@smith} said the firm was \"in good shape\".",
            &[("in good shape", Some("smith"), I, Some("said"))],
        ),
        (
            "According to a company spokesman, the plan \"will fail within a year\".",
            &[("will fail", None, N, Some("according to"))],
        ),
    ]);
}

#[test]
fn rule4_pronouns() {
    table(&[
        (
            "[Smith]{@smith} met [Jones]{@jones} on Monday. \"We agreed on everything today,\" she said.",
            &[("We agreed", Some("jones"), I, Some("said"))],
        ),
        // The salient subject, not the nearest name.
        (
            "[Smith]{@smith} criticised [Lord Brown]{@lord} over the budget. \"How can this be right today?\" he asked.",
            &[("How can this", Some("smith"), I, Some("asked"))],
        ),
        (
            "[Lord Brown]{@lord} said [Smith]{@smith} and [Lady Green]{@lady} played no part. \"I was fully involved in the process,\" he said.",
            &[("I was fully", Some("lord"), I, Some("said"))],
        ),
        (
            "[Acme]{@acme} released its results. \"Profits rose sharply this year,\" it said.",
            &[("Profits rose", Some("acme"), I, Some("said"))],
        ),
        (
            "[Acme]{@acme} released its results. \"Profits rose sharply this year,\" they said.",
            &[("Profits rose", Some("acme"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} spoke in Paris on Monday.\n\n\"We will win the vote,\" he said.",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        // Gender from an honorific: Lady Green is not `he`.
        (
            "[Lady Green]{@lady} met [Lord Brown]{@lord}. \"It went very well indeed,\" he said.",
            &[("It went", Some("lord"), I, Some("said"))],
        ),
        // Two paragraphs back is too far.
        (
            "[Smith]{@smith} spoke in Paris.\n\nThe weather was fine.\n\n\"We will win the vote,\" he said.",
            &[("We will win", None, N, Some("said"))],
        ),
        // `she` is the spokeswoman, who is not an entity.
        (
            "A spokeswoman said [the company]{@acme} would recover. \"We are confident of that outcome,\" she said.",
            &[("We are confident", None, N, Some("said"))],
        ),
        // A possessor is not the subject, nor is the object after the verb.
        (
            "[Smith]{@smith}'s offer values [Acme]{@acme} at a billion. \"We expect a fair hearing,\" it said.",
            &[("We expect", Some("acme"), I, Some("said"))],
        ),
        (
            "[Jones]{@jones}'s offer values [Acme]{@acme} at a billion. \"I expect a fair hearing,\" she said.",
            &[("I expect", Some("jones"), I, Some("said"))],
        ),
        // A sentence that is only a quotation passes its speaker on to later pronouns.
        (
            "\"We will win the vote,\" [Lady Green]{@lady} said.\n\n\"The rest will follow.\" She sat down. \"It was a good day,\" she said later.",
            &[
                ("The rest", Some("lady"), C, Some("continuation")),
                ("It was a good", Some("lady"), I, Some("said")),
            ],
        ),
        (
            "\"We will win the vote.\"{@lady} \"Nobody doubted it,\" she said.",
            &[("Nobody doubted", Some("lady"), I, Some("said"))],
        ),
        // `he` chains through earlier pronoun subjects.
        (
            "[Smith]{@smith} spoke first. He suggested the claim about [Lord Brown]{@lord} was wrong. \"I have always made this clear,\" he said.",
            &[("I have always", Some("smith"), I, Some("said"))],
        ),
        (
            "[Acme]{@acme} has produced a report which it describes as \"encouraging\".",
            &[("encouraging", Some("acme"), I, Some("describes"))],
        ),
    ]);
}

#[test]
fn rule5_continuation() {
    table(&[
        (
            "\"We will win the vote,\" [Smith]{@smith} said. \"The opposition is finished.\"",
            &[("The opposition", Some("smith"), C, Some("continuation"))],
        ),
        (
            "[Smith]{@smith} said a solution must be found. \"It is the only way forward.\"",
            &[("It is the only", Some("smith"), C, Some("continuation"))],
        ),
        (
            "[Smith]{@smith} said: \"We will win the vote.\"\n\n\"And we will govern well.\"",
            &[("And we will", Some("smith"), C, Some("continuation"))],
        ),
        // A multi-paragraph quotation is one quotation.
        (
            "[Smith]{@smith} said: \"We will win the vote.\n\n\"And we will govern well.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        // A newer speaker breaks the older continuation.
        (
            "\"We will win,\" [Smith]{@smith} said. [Jones]{@jones} said the vote was close. \"It is too early to say anything.\"",
            &[("It is too early", Some("jones"), C, Some("continuation"))],
        ),
        // So does a sentence about something else.
        (
            "\"We will win the vote,\" [Smith]{@smith} said. The markets fell sharply on Monday. \"Nobody expected the result at all.\"",
            &[("Nobody expected", None, N, None)],
        ),
        // A speaker who is not an entity continues too: the quotation stays without one.
        (
            "A spokesman said the firm would recover. \"We are confident of that outcome.\"",
            &[("We are confident", None, N, Some("continuation"))],
        ),
        // Headings reset.
        (
            "[Smith]{@smith} said the vote was won.\n\n# Reaction\n\n\"Nobody expected the result at all.\"",
            &[("Nobody expected", None, N, None)],
        ),
    ]);
}

#[test]
fn rule6_echo() {
    table(&[
        (
            "Voters were offered \"a new dawn for everyone\" on Monday.\n\n[Smith]{@smith} said: \"This is a new dawn for everyone in the country.\"",
            &[("a new dawn", Some("smith"), I, Some("echo"))],
        ),
        // One word is not an echo.
        (
            "It was a \"grey\" area.\n\n[Smith]{@smith} said: \"It is all very grey to me.\"",
            &[("grey", None, NQ, Some("short quotation"))],
        ),
    ]);
}

#[test]
fn negatives_prepositional_phrases_modifiers_and_non_entities() {
    table(&[
        (
            "In an interview with [Acme]{@acme}, the minister said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "A spokesman for [Acme]{@acme} said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "\"We will win the vote,\" a spokesman for [Acme]{@acme} said.",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "An [Acme]{@acme} spokesman said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "\"We will win the vote,\" said an [Acme]{@acme} spokesman.",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "Analysts said: \"The market will fall further.\"",
            &[("The market will", None, N, Some("said"))],
        ),
        (
            "[Smith]{@smith}'s spokesman said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "[Smith]{@smith}'s offer says \"nothing about the pension fund at all\".",
            &[("nothing about", None, N, Some("says"))],
        ),
        (
            "[Paris]{@paris} said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "Brown said: \"We will win the vote.\"",
            &[("We will win", None, N, Some("said"))],
        ),
        (
            "[Smith]{@smith} dismissed claims that the deal was \"dead in the water now\".",
            &[("dead in the", None, N, None)],
        ),
        (
            "[Smith]{@smith} refused to say whether the plan was \"dead in the water now\".",
            &[("dead in the", None, N, None)],
        ),
        (
            "[Smith]{@smith} is said to be \"very unhappy about it all\".",
            &[("very unhappy", None, N, None)],
        ),
        (
            "[Smith]{@smith} urged [Jones]{@jones} to apologise for her \"Nazi\" comment.",
            &[("Nazi", None, NQ, Some("short quotation"))],
        ),
        (
            "The so-called \"peace dividend\" never came.",
            &[("peace dividend", None, NQ, Some("short quotation"))],
        ),
        (
            "[Smith]{@smith}, asked about the \"peace dividend\" by reporters, smiled.",
            &[("peace dividend", None, NQ, None)],
        ),
    ]);
}

#[test]
fn apostrophes_and_possessives() {
    table(&[
        (
            "\"We don't think it's over,\" [Smith]{@smith} said.",
            &[("We don't", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith} said the Tories' plans were \"a disgrace to us all\".",
            &[("a disgrace", Some("smith"), I, Some("said"))],
        ),
        (
            "[Acme]{@acme}'s boss, [Smith]{@smith}, said: \"We will win the vote.\"",
            &[("We will win", Some("smith"), I, Some("said"))],
        ),
        (
            "[Smith]{@smith}'s \"new deal\" was welcomed warmly.",
            &[("new deal", None, NQ, None)],
        ),
        (
            "It's [Smith]{@smith}'s view, and [Jones]{@jones}' too, that \"the plan must be dropped now\".",
            &[("the plan must", None, N, None)],
        ),
    ]);
}

#[test]
fn explicit_nested_and_headings() {
    table(&[
        (
            "\"We will win the vote.\"{@jones} [Smith]{@smith} said so.",
            &[("We will win", Some("jones"), "explicit", Some("{@jones}"))],
        ),
        (
            "[Smith]{@smith} said: \"peace\"{-}",
            &[("peace", None, NQ, Some("{-}"))],
        ),
        (
            "[Smith]{@smith} said: \"They called it 'a farce of a plan' yesterday.\"",
            &[
                ("They called", Some("smith"), I, Some("said")),
                ("a farce", None, NQ, Some("nested quotation")),
            ],
        ),
        (
            "# [Smith]{@smith} says vote is won\n\nThe \"landslide\" surprised everyone.",
            &[("landslide", None, NQ, Some("short quotation"))],
        ),
    ]);
}

#[test]
fn configured_verbs_per_language() {
    let mut config = AttributionConfig {
        reporting_verbs: vec!["quipped".into()],
        ..AttributionConfig::default()
    };
    config.languages.insert(
        "de".into(),
        LanguageConfig {
            reporting_verbs: vec!["sagte".into()],
        },
    );
    let de = "---\nlang: de\n---\n\"Wir werden die Wahl gewinnen,\" sagte [Smith]{@smith}.\n";
    assert_eq!(
        check(
            de,
            &[("Wir werden", Some("smith"), I, Some("sagte"))],
            &config
        ),
        Vec::<String>::new()
    );
    let en = "---\nlang: en\n---\n\"Wir werden die Wahl gewinnen,\" sagte [Smith]{@smith}. \"We won the whole thing,\" [Jones]{@jones} quipped.\n";
    assert_eq!(
        check(
            en,
            &[
                ("Wir werden", None, N, None),
                ("We won", Some("jones"), I, Some("quipped"))
            ],
            &config
        ),
        Vec::<String>::new()
    );
}

#[test]
fn spans_point_at_cue_and_speaker() {
    let (file, got) = run_with(
        "\"We will win the vote,\" [Smith]{@smith} said.\n",
        &AttributionConfig::default(),
    );
    let a = &got[0];
    assert_eq!(a.cue_span.map(|s| s.slice(&file.text)), Some("said"));
    assert_eq!(
        a.speaker_span.map(|s| s.slice(&file.text)),
        Some("[Smith]{@smith}")
    );
    let (file, got) = run_with(
        "[Smith]{@smith} arrived.\n\n\"We will win the vote,\" he said. \"Again.\"\n",
        &AttributionConfig::default(),
    );
    assert_eq!(got[0].speaker_span.map(|s| s.slice(&file.text)), Some("he"));
    assert_eq!(got[1].kind, AttributionKind::Continuation);
    assert_eq!(got[1].speaker_span.map(|s| s.slice(&file.text)), Some("he"));
}

#[test]
fn min_words_is_configurable() {
    let config = AttributionConfig {
        min_quote_words: 2,
        ..AttributionConfig::default()
    };
    let text = "The \"landslide\" and the \"peace dividend\" surprised everyone.";
    let problems = check(
        text,
        &[
            ("landslide", None, NQ, Some("short quotation")),
            ("peace dividend", None, N, None),
        ],
        &config,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn never_panics_on_odd_prose() {
    let config = AttributionConfig::default();
    for text in [
        "",
        "\"",
        "\"\"",
        "\"unclosed quotation said [Smith]{@smith}",
        ", said",
        "said said said \"x\" said",
        "According to",
        "according to \"x, y\" quoted as saying",
        "[Smith]{@smith}'s's ' ' \"'\" he she it they said.",
        "- - , , — said \"a b c d\" - , said",
        "( ) ) ( said \"words here and there\" )",
        "quoted [Smith]{@smith} as",
        "\"A,\"\n\n\"B,\"\n\n\"C\" said he.",
        "[x]{@undefined} said: \"four words right here\"",
    ] {
        let _ = run_with(text, &config);
    }
}

#[test]
fn unattributed_message_shows_plain_words() {
    use crate::analysis::{Code, Workspace};
    let mut ws = Workspace::new(crate::config::Config::default());
    let change = ws.set_file(
        "a.nmk",
        format!("{CAST}The weather was bad. \"The [club]{{@acme}} is \\\"fine\\\" for now.\"\n"),
    );
    let analysis = ws.analyze(change.file.expect("file id"));
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnattributedQuote)
        .expect("an unattributed-quote warning");
    assert!(
        d.message.contains("“The club is \"fine\" for now.”"),
        "{}",
        d.message
    );
}

#[test]
fn unattributed_message_names_the_cue_without_an_entity() {
    use crate::analysis::{Code, Workspace};
    let mut ws = Workspace::new(crate::config::Config::default());
    let change = ws.set_file(
        "a.nmk",
        format!("{CAST}A spokesman said: \"We will win the vote.\" \"And we will govern.\"\n"),
    );
    let analysis = ws.analyze(change.file.expect("file id"));
    let messages: Vec<&str> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::UnattributedQuote)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("the subject of “said” is not a defined"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("continues the words of someone"),
        "{}",
        messages[1]
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const FRAGMENTS: &[&str] = &[
        "\"",
        "“",
        "”",
        "«",
        "»",
        "„",
        "'",
        "’",
        "'s",
        ",",
        ".",
        "?",
        "!",
        ":",
        ";",
        " - ",
        "—",
        "(",
        ")",
        "...",
        "\n",
        "\n\n",
        "# ",
        "%% c\n",
        "\\\"",
        "{@smith}",
        "{-}",
        "[Smith]{@smith}",
        "[the company]{@acme}",
        "@jones",
        "[x]{@nobody}",
        "he",
        "she",
        "it",
        "they",
        "who",
        "said",
        "says",
        "told",
        "saying",
        "according to",
        "quoted",
        "as",
        "was",
        "by",
        "and",
        "a spokesman",
        "Mr",
        "The",
        "the",
        "of",
        "in",
        "to",
        "that",
        "QC",
        "45",
        "é",
        "\u{feff}",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn never_panics_and_answers_every_quotation(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..80),
            spaces in proptest::collection::vec(any::<bool>(), 80),
        ) {
            let mut text = String::new();
            for (i, p) in parts.iter().enumerate() {
                text.push_str(p);
                if spaces[i] {
                    text.push(' ');
                }
            }
            let (file, got) = run_with(&text, &AttributionConfig::default());
            prop_assert_eq!(got.len(), file.parse().quotes.len());
            for a in &got {
                // Spans lie inside the text, on character boundaries.
                for span in [a.cue_span, a.speaker_span].into_iter().flatten() {
                    prop_assert!(span.end <= file.text.len() && file.text.get(span.start..span.end).is_some());
                }
                prop_assert_eq!(a.speaker.is_some(), matches!(a.kind, AttributionKind::Explicit | AttributionKind::Inferred | AttributionKind::Continuation));
            }
        }

        #[test]
        fn never_panics_on_any_text(text in "\\PC{0,200}") {
            let (file, got) = run_with(&text, &AttributionConfig::default());
            prop_assert_eq!(got.len(), file.parse().quotes.len());
        }
    }
}

#[test]
fn chunked_lowercase_matches_the_standard_one_across_multibyte_boundaries() {
    // Multi-byte characters at every offset, so that some straddle a chunk's end.
    let text: String = (0..3000)
        .map(|i| match i % 4 {
            0 => "Ä",
            1 => "B€",
            2 => "c",
            _ => "D😀",
        })
        .collect();
    assert!(text.len() > 8192);
    assert_eq!(ascii_lowercase(&text), text.to_ascii_lowercase());
    assert_eq!(ascii_lowercase(""), "");
}
