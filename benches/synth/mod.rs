//! Synthetic newsmark workspaces for benchmarks: registry files defining entities, and articles
//! of about 3 KB with about 15 mentions each (span and bare mentions, attributed quotations),
//! written with a deterministic generator so that runs compare.

use std::path::Path;

const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "len", "to", "va", "shi", "dor", "an", "bel", "gri", "zo", "nik", "la",
    "pet", "sa", "vi", "mor", "ta", "ren",
];
const KINDS: &[&str] = &[
    "person",
    "person",
    "person",
    "org",
    "org",
    "place",
    "agreement",
    "event",
    "work",
];
const VERBS: &[&str] = &["said", "told reporters", "added", "stressed", "noted"];
const PROSE: &[&str] = &[
    "Officials met on Monday to discuss the next steps of the talks,",
    "according to a statement released late in the evening,",
    "while delegations from both sides continued their consultations —",
    "and observers noted that the atmosphere had changed markedly",
    "after weeks of tense exchanges over the terms of the agreement.",
    "The meeting, held behind closed doors, lasted nearly four hours;",
    "neither side disclosed details of the documents that were signed.",
];

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e3779b97f4a7c15) | 1)
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

pub fn entity_id(i: usize) -> String {
    format!("e{i:04}")
}

fn name(i: usize) -> String {
    let mut r = Rng::new(i as u64 + 7);
    let mut word = |n: usize| {
        let mut w: String = (0..n)
            .map(|_| SYLLABLES[r.below(SYLLABLES.len())])
            .collect();
        w[..1].make_ascii_uppercase();
        w
    };
    format!("{} {}", word(2), word(3))
}

/// The registry file defining entities `from..to`.
pub fn registry(from: usize, to: usize) -> String {
    let mut s = String::from("%% Shared registry of entities.\n\n");
    for i in from..to {
        let kind = KINDS[i % KINDS.len()];
        s.push_str(&format!(
            "@{}: {kind} \"{}\"\n  role: synthetic entity number {i}\n  aka: {}\n\n",
            entity_id(i),
            name(i),
            name(i).split(' ').next_back().unwrap_or_default()
        ));
    }
    s
}

/// An article of roughly `size` bytes mentioning entities drawn from `0..entities`, about 15
/// mentions per 3 KB.
pub fn article(seed: u64, entities: usize, size: usize) -> String {
    let mut r = Rng::new(seed);
    let mut s = format!(
        "---\ntitle: Synthetic story {seed}\ndate: 2024-05-01\nlang: en\n---\n# Talks continue — day {seed}\n\n"
    );
    let speaker = |r: &mut Rng| r.below(entities / KINDS.len()) * KINDS.len();
    while s.len() < size {
        let mut para = String::new();
        for k in 0..4 {
            let e = r.below(entities);
            if k % 2 == 0 {
                para.push_str(&format!("[{}]{{@{}}} ", name(e), entity_id(e)));
            } else {
                para.push_str(&format!("@{} ", entity_id(e)));
            }
            para.push_str(PROSE[r.below(PROSE.len())]);
            para.push(' ');
        }
        let who = speaker(&mut r);
        if r.below(2) == 0 {
            para.push_str(&format!(
                "\u{201c}We will continue to work on this issue with all our partners,\u{201d} {} @{}.",
                VERBS[r.below(VERBS.len())],
                entity_id(who)
            ));
        } else {
            para.push_str(&format!(
                "\u{201c}This is an important step for both countries and the region\u{201d}{{@{}}}.",
                entity_id(who)
            ));
        }
        s.push_str(&para);
        s.push_str("\n\n");
    }
    s
}

/// Write a workspace: `entities` entities in registry files of 100, and `articles` articles of
/// about 3 KB in folders of 500.
pub fn write_workspace(dir: &Path, articles: usize, entities: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("registry"))?;
    for (n, from) in (0..entities).step_by(100).enumerate() {
        std::fs::write(
            dir.join(format!("registry/entities-{n:03}.nmk")),
            registry(from, (from + 100).min(entities)),
        )?;
    }
    for i in 0..articles {
        let folder = dir.join(format!("articles/{:03}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir_all(&folder)?;
        }
        std::fs::write(
            folder.join(format!("a{i:05}.nmk")),
            article(i as u64, entities, 3000),
        )?;
    }
    Ok(())
}
