//! A deterministic generator of realistic newsmark documents, for benchmarks and load tests:
//! front matter, entity definitions with properties, headings, comments, and news prose with
//! span and bare mentions, quotations in several styles with prose cues, explicit attribute
//! blocks, nested quotations, apostrophes and multi-paragraph quotations.

#![allow(dead_code)]

/// SplitMix64: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const FIRST: &[&str] = &[
    "Sergey", "Fumio", "Gordon", "Tony", "Ken", "Michael", "Charles", "Anna", "Maria", "Igor",
    "Shinzo", "Peter", "Helen", "Ruth", "David", "Olga", "Hiroshi", "Claire", "James", "Yuki",
];
const LAST: &[&str] = &[
    "Lavrov",
    "Kishida",
    "Brown",
    "Blair",
    "Livingstone",
    "Howard",
    "Kennedy",
    "Smith",
    "Ivanova",
    "Morgulov",
    "Abe",
    "Mandelson",
    "Goldsmith",
    "Clarke",
    "Straw",
    "Petrova",
    "Tanaka",
    "Short",
];
const ORGS: &[&str] = &[
    "Foreign Ministry",
    "Treasury",
    "Home Office",
    "Labour Party",
    "Conservative Party",
    "Jiji Press",
    "Electoral Commission",
    "Bank of England",
    "Finance Ministry",
    "Security Council",
];
const PLACES: &[&str] = &[
    "Tokyo", "Moscow", "London", "Brussels", "Geneva", "Kyiv", "Paris", "Berlin", "Osaka",
];
const AGREEMENTS: &[&str] = &[
    "Joint Declaration",
    "Peace Treaty",
    "Trade Accord",
    "Budget Plan",
    "Security Pact",
];
const ROLES: &[&str] = &[
    "Minister of Foreign Affairs",
    "Chancellor of the Exchequer",
    "Prime Minister",
    "Mayor of London",
    "party leader",
    "deputy minister",
    "spokeswoman",
];
const VERBS: &[&str] = &[
    "said",
    "told reporters",
    "added",
    "noted",
    "stressed",
    "warned",
    "insisted",
    "argued",
    "explained",
    "claimed",
    "replied",
];
const WORDS: &[&str] = &[
    "the",
    "government",
    "talks",
    "would",
    "continue",
    "on",
    "Monday",
    "after",
    "a",
    "long",
    "meeting",
    "between",
    "both",
    "sides",
    "which",
    "ended",
    "without",
    "agreement",
    "about",
    "future",
    "of",
    "economic",
    "cooperation",
    "and",
    "security",
    "in",
    "region",
    "officials",
    "expected",
    "further",
    "progress",
    "next",
    "week",
    "when",
    "delegations",
    "meet",
    "again",
    "to",
    "discuss",
    "plans",
    "for",
    "joint",
    "projects",
    "budget",
    "spending",
    "is",
    "likely",
    "rise",
    "by",
    "two",
    "per",
    "cent",
    "this",
    "year",
    "while",
    "critics",
    "say",
    "it",
    "not",
    "enough",
    "many",
    "voters",
    "remain",
    "unconvinced",
    "that",
    "policy",
    "will",
    "work",
];

struct Entity {
    id: String,
    name: String,
    short: String,
    kind: &'static str,
}

/// Words starting with a capital.
fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = phrase(rng, words);
    if let Some(f) = s.chars().next() {
        let upper: String = f.to_uppercase().collect();
        s.replace_range(..f.len_utf8(), &upper);
    }
    s
}

/// Words in lower case, as inside a sentence.
fn phrase(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
        // Sprinkle apostrophes and possessives as real prose has them.
        if rng.chance(3) {
            s.push_str("'s");
        } else if rng.chance(2) {
            s.push_str(" don't");
        }
    }
    s
}

/// A sentence of `min` to `min + spread - 1` words.
fn sentence_between(rng: &mut Rng, min: usize, spread: usize) -> String {
    let n = min + rng.below(spread);
    sentence(rng, n)
}

fn phrase_between(rng: &mut Rng, min: usize, spread: usize) -> String {
    let n = min + rng.below(spread);
    phrase(rng, n)
}

/// A mention of `e`: a span mention of its name or short name, or a bare mention.
fn mention(rng: &mut Rng, e: &Entity) -> String {
    match rng.below(10) {
        0..=5 => format!("[{}]{{@{}}}", e.short, e.id),
        6..=7 => format!("[{}]{{@{}}}", e.name, e.id),
        _ => format!("@{}", e.id),
    }
}

fn entities(rng: &mut Rng, n: usize) -> Vec<Entity> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (kind, name, short) = match i % 6 {
            0..=2 => {
                let first = rng.pick(FIRST);
                let last = rng.pick(LAST);
                ("person", format!("{first} {last}"), last.to_string())
            }
            3 => {
                let o = rng.pick(ORGS);
                ("org", format!("the {o}"), o.to_string())
            }
            4 => {
                let p = rng.pick(PLACES);
                ("place", p.to_string(), p.to_string())
            }
            _ => {
                let a = rng.pick(AGREEMENTS);
                ("agreement", format!("the {a}"), a.to_string())
            }
        };
        let id = format!(
            "{}-{i}",
            short
                .to_lowercase()
                .replace(' ', "-")
                .trim_start_matches("the-")
        );
        out.push(Entity {
            id,
            name,
            short,
            kind,
        });
    }
    out
}

fn definitions(rng: &mut Rng, ents: &[Entity], out: &mut String) {
    for e in ents {
        out.push_str(&format!("@{}: {} \"{}\"\n", e.id, e.kind, e.name));
        match e.kind {
            "person" => {
                out.push_str(&format!("  role: {}\n", rng.pick(ROLES)));
                out.push_str(&format!("  aka: {}\n", e.short));
                if rng.chance(50) {
                    if let Some(org) = ents.iter().find(|o| o.kind == "org") {
                        out.push_str(&format!("  member-of: @{}\n", org.id));
                    }
                }
            }
            "agreement" => {
                out.push_str(&format!(
                    "  signed: {}-{:02}-{:02}\n",
                    1950 + rng.below(70),
                    1 + rng.below(12),
                    1 + rng.below(28)
                ));
                let places: Vec<&Entity> = ents.iter().filter(|p| p.kind == "place").collect();
                if places.len() >= 2 {
                    let a = places[rng.below(places.len())];
                    let b = places[rng.below(places.len())];
                    out.push_str(&format!("  parties: @{}, @{}\n", a.id, b.id));
                }
            }
            _ => {
                if rng.chance(40) {
                    out.push_str(&format!("  wikidata: Q{}\n", 1000 + rng.below(900_000)));
                }
            }
        }
        out.push('\n');
    }
}

fn speakers(ents: &[Entity]) -> Vec<&Entity> {
    ents.iter()
        .filter(|e| e.kind == "person" || e.kind == "org")
        .collect()
}

/// One paragraph of news prose.
fn paragraph(rng: &mut Rng, ents: &[Entity], speakers: &[&Entity], out: &mut String) {
    let sp = speakers[rng.below(speakers.len())];
    let other = &ents[rng.below(ents.len())];
    let quote_words = 6 + rng.below(20);
    match rng.below(8) {
        0 => {
            // "…," Speaker said. More prose.
            out.push_str(&format!(
                "\"{},\" {} {}. {} {}.",
                sentence(rng, quote_words),
                mention(rng, sp),
                rng.pick(VERBS),
                sentence_between(rng, 8, 10),
                mention(rng, other)
            ));
        }
        1 => {
            // Speaker said: “…”
            out.push_str(&format!(
                "{} {}: “{}.”",
                mention(rng, sp),
                rng.pick(VERBS),
                sentence(rng, quote_words)
            ));
        }
        2 => {
            // Partial quotation inside reported speech, with a nested single quotation.
            out.push_str(&format!(
                "{} {} the plan was \"{} 'deeply flawed' {}\" and {}.",
                mention(rng, sp),
                rng.pick(VERBS),
                phrase(rng, 3),
                phrase(rng, 4),
                phrase(rng, 10)
            ));
        }
        3 => {
            // Explicit attribution, sometimes through an agency.
            let via = speakers[rng.below(speakers.len())];
            if rng.chance(50) {
                out.push_str(&format!(
                    "\"{}.\"{{@{} via=@{}}} {}.",
                    sentence(rng, quote_words),
                    sp.id,
                    via.id,
                    sentence(rng, 12)
                ));
            } else {
                out.push_str(&format!(
                    "«{}»{{@{}}}, {}.",
                    sentence(rng, quote_words),
                    sp.id,
                    phrase(rng, 9)
                ));
            }
        }
        4 => {
            // According to Speaker, "…"; plus a scare quote.
            out.push_str(&format!(
                "According to {}, \"{}.\" The so-called \"{}\" {}.",
                mention(rng, sp),
                sentence(rng, quote_words),
                phrase(rng, 2),
                phrase(rng, 7)
            ));
        }
        5 => {
            // A multi-paragraph quotation in the news convention.
            out.push_str(&format!(
                "\"{}.\n\n\"{},\" {} {}.",
                sentence(rng, quote_words),
                sentence(rng, quote_words),
                mention(rng, sp),
                rng.pick(VERBS)
            ));
        }
        _ => {
            // Plain reported prose, wrapped over two lines, with names.
            out.push_str(&format!(
                "{} {} {}\n{} {} in {}.",
                sentence(rng, 6),
                mention(rng, other),
                phrase_between(rng, 8, 8),
                phrase_between(rng, 6, 8),
                mention(rng, sp),
                rng.pick(PLACES)
            ));
        }
    }
    out.push_str("\n\n");
}

/// One document of about `target_bytes` bytes (never much less), reproducible from `seed`.
pub fn document(seed: u64, target_bytes: usize) -> String {
    let mut rng = Rng(seed);
    let n_entities = (target_bytes / 4000).clamp(12, 600);
    let ents = entities(&mut rng, n_entities);
    let speakers = speakers(&ents);
    let mut out = String::with_capacity(target_bytes + 4096);
    out.push_str(&format!(
        "---\ntitle: Generated article {seed}\nsource: newsmark bench\ndate: 2017-03-20\nlang: en\n---\n\n"
    ));
    out.push_str("%% Entities of this article.\n");
    definitions(&mut rng, &ents, &mut out);
    out.push_str(&format!("# {}\n\n", sentence(&mut rng, 8)));
    let mut paragraphs = 0;
    while out.len() < target_bytes {
        paragraph(&mut rng, &ents, &speakers, &mut out);
        paragraphs += 1;
        if paragraphs % 12 == 0 {
            out.push_str(&format!("## {}\n\n", sentence(&mut rng, 4)));
        }
        if paragraphs % 17 == 0 {
            out.push_str("%% editor: check this section\n\n");
        }
    }
    out
}

/// `count` article-sized documents (3 to 8 KB), each self-contained.
pub fn articles(count: usize) -> Vec<String> {
    (0..count as u64)
        .map(|i| document(1000 + i, 3000 + (i as usize * 937) % 5000))
        .collect()
}
