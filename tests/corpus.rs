//! Scores quotation attribution against the gold corpus of real articles.
//!
//! The folder is `$CARGO_MANIFEST_DIR/../shared/corpus/dev` unless `NEWSMARK_CORPUS` names
//! another one (a held-out set is scored the same way). Every `NAME.nmk` with a `NAME.gold.json`
//! is an article; all `.nmk` files of the folder form one workspace (a registry file provides
//! shared definitions). Run with `--nocapture` to see the table and every miss.

use newsmark::analysis::attribution::quote_text;
use newsmark::analysis::{Code, FileId, Workspace};
use newsmark::cli::load_workspace;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct Gold {
    quotes: Vec<GoldQuote>,
}

#[derive(Debug, Deserialize)]
struct GoldQuote {
    starts: String,
    speaker: Option<String>,
    kind: String,
    #[serde(default)]
    alt: Vec<Option<String>>,
}

/// Scores of one article (or of all of them).
#[derive(Debug, Default, Clone)]
struct Score {
    quotes: usize,
    speaker_ok: usize,
    /// Attribution kind as gold has it (`direct` = explicit or inferred).
    kind_ok: usize,
    /// `unattributed-quote` warnings on quotations gold says should be flagged (kind `none`).
    flag_tp: usize,
    /// Warnings on quotations that have a speaker or are not quotations.
    flag_fp: usize,
    /// Gold `none` quotations left without a warning.
    flag_fn: usize,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.quotes += o.quotes;
        self.speaker_ok += o.speaker_ok;
        self.kind_ok += o.kind_ok;
        self.flag_tp += o.flag_tp;
        self.flag_fp += o.flag_fp;
        self.flag_fn += o.flag_fn;
    }

    fn accuracy(&self) -> f64 {
        ratio(self.speaker_ok, self.quotes)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

struct Report {
    articles: Vec<(String, Score)>,
    total: Score,
    /// One line per wrong answer, and per problem matching gold to the file.
    misses: Vec<String>,
}

impl Report {
    fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<32} {:>6} {:>9} {:>9} {:>6} {:>6} {:>6}",
            "article", "quotes", "speaker", "kind", "flagTP", "flagFP", "flagFN"
        );
        let row = |s: &mut String, name: &str, sc: &Score| {
            let _ = writeln!(
                s,
                "{:<32} {:>6} {:>8.1}% {:>8.1}% {:>6} {:>6} {:>6}",
                name,
                sc.quotes,
                100.0 * sc.accuracy(),
                100.0 * ratio(sc.kind_ok, sc.quotes),
                sc.flag_tp,
                sc.flag_fp,
                sc.flag_fn
            );
        };
        for (name, sc) in &self.articles {
            row(&mut s, name, sc);
        }
        row(&mut s, "TOTAL", &self.total);
        let t = &self.total;
        let _ = writeln!(
            s,
            "unattributed-quote: precision {:.1}%, recall {:.1}%",
            100.0 * ratio(t.flag_tp, t.flag_tp + t.flag_fp),
            100.0 * ratio(t.flag_tp, t.flag_tp + t.flag_fn)
        );
        s
    }
}

fn corpus_dir() -> PathBuf {
    match std::env::var_os("NEWSMARK_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/dev"),
    }
}

/// Score every article of `dir` that has a gold file.
fn score_corpus(dir: &Path) -> Result<Report, String> {
    if !dir.is_dir() {
        return Err(format!(
            "{}: corpus folder not found (set NEWSMARK_CORPUS or place shared/ next to the repository)",
            dir.display()
        ));
    }
    let loaded = load_workspace(&[dir.to_path_buf()], None)?;
    if !loaded.problems.is_empty() {
        return Err(loaded
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let ws = &loaded.workspace;
    let mut files: Vec<(String, FileId)> = ws
        .files()
        .filter_map(|(id, _)| {
            let key = Path::new(ws.key(id));
            Some((key.file_stem()?.to_str()?.to_string(), id))
        })
        .collect();
    files.sort();
    let mut report = Report {
        articles: Vec::new(),
        total: Score::default(),
        misses: Vec::new(),
    };
    let mut golds = 0;
    for (name, id) in files {
        let gold_path = dir.join(format!("{name}.gold.json"));
        if !gold_path.is_file() {
            continue;
        }
        golds += 1;
        let gold: Gold = serde_json::from_str(
            &std::fs::read_to_string(&gold_path)
                .map_err(|e| format!("{}: {e}", gold_path.display()))?,
        )
        .map_err(|e| format!("{}: {e}", gold_path.display()))?;
        let score = score_article(ws, id, &name, &gold, &mut report.misses);
        report.total.add(&score);
        report.articles.push((name, score));
    }
    if golds == 0 {
        return Err(format!("{}: no NAME.gold.json files", dir.display()));
    }
    Ok(report)
}

fn score_article(
    ws: &Workspace,
    id: FileId,
    name: &str,
    gold: &Gold,
    misses: &mut Vec<String>,
) -> Score {
    let data = ws.file(id).expect("file of the workspace");
    let analysis = ws.analyze(id);
    let quotes = &data.parse().quotes;
    let texts: Vec<String> = quotes
        .iter()
        .map(|q| quote_text(data, q).into_owned())
        .collect();
    let mut used = vec![false; quotes.len()];
    let mut score = Score::default();
    for g in &gold.quotes {
        score.quotes += 1;
        let found: Vec<usize> = (0..quotes.len())
            .filter(|&i| !quotes[i].nested && texts[i].starts_with(&g.starts))
            .collect();
        let [qi] = found[..] else {
            misses.push(format!(
                "{name}: gold quotation “{}” matches {} quotations",
                g.starts,
                found.len()
            ));
            if g.kind == "none" {
                score.flag_fn += 1;
            }
            continue;
        };
        used[qi] = true;
        let a = &analysis.attributions[qi];
        let q = &quotes[qi];
        let ok = a.speaker == g.speaker || g.alt.contains(&a.speaker);
        if ok {
            score.speaker_ok += 1;
        }
        let kind = match a.kind.as_str() {
            "explicit" | "inferred" => "direct",
            k => k,
        };
        let kind_ok = kind == g.kind;
        if kind_ok {
            score.kind_ok += 1;
        }
        let flagged = analysis
            .diagnostics
            .iter()
            .any(|d| d.code == Code::UnattributedQuote && d.span.start == q.open.start);
        let should = g.kind == "none";
        match (flagged, should) {
            (true, true) => score.flag_tp += 1,
            (true, false) => score.flag_fp += 1,
            (false, true) => score.flag_fn += 1,
            (false, false) => {}
        }
        if !ok || flagged != should || !kind_ok {
            let (line, _) = data.line_col(q.open.start);
            misses.push(format!(
                "{name}:{}: “{}”: gold {:?} ({}), got {:?} ({}, cue {:?}){}",
                line + 1,
                g.starts,
                g.speaker,
                g.kind,
                a.speaker,
                a.kind.as_str(),
                a.cue,
                if flagged != should {
                    if flagged {
                        " [false unattributed-quote warning]"
                    } else {
                        " [missed unattributed-quote warning]"
                    }
                } else {
                    ""
                }
            ));
        }
    }
    for (i, q) in quotes.iter().enumerate() {
        if !used[i] && !q.nested {
            misses.push(format!(
                "{name}: quotation “{}” is not in the gold file",
                texts[i].chars().take(40).collect::<String>()
            ));
        }
    }
    score
}

#[test]
fn corpus_attribution_accuracy() {
    let dir = corpus_dir();
    let report = score_corpus(&dir).unwrap_or_else(|e| panic!("{e}"));
    println!("corpus: {}\n{}", dir.display(), report.table());
    for m in &report.misses {
        println!("  {m}");
    }
    let t = &report.total;
    assert!(
        t.accuracy() >= 0.95,
        "total speaker accuracy {:.1}% is below 95%:\n{}\n{}",
        100.0 * t.accuracy(),
        report.table(),
        report.misses.join("\n")
    );
    assert_eq!(
        t.flag_fp,
        0,
        "unattributed-quote warnings on quotations with a speaker or terms:\n{}",
        report.misses.join("\n")
    );
}

#[test]
fn scorer_counts_speakers_and_flags() {
    // A tiny corpus made here: one right and one wrong speaker, one correctly flagged quotation.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.nmk"),
        "@x: person \"Xavier Roe\"\n@y: person \"Yolanda Poe\"\n\n\
         \"We will win this thing,\" [Roe]{@x} said. [Poe]{@y} said \"the plan is now dead\".\n\n\
         The weather was bad. \"Nobody is saying anything at all here.\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.gold.json"),
        r#"{"quotes": [
            {"starts": "We will win", "speaker": "x", "kind": "direct"},
            {"starts": "the plan is", "speaker": "x", "kind": "direct"},
            {"starts": "Nobody is saying", "speaker": null, "kind": "none"}
        ]}"#,
    )
    .unwrap();
    let report = score_corpus(dir.path()).unwrap();
    let t = &report.total;
    assert_eq!(
        (t.quotes, t.speaker_ok),
        (3, 2),
        "{}",
        report.misses.join("\n")
    );
    assert_eq!((t.flag_tp, t.flag_fp, t.flag_fn), (1, 0, 0));
    assert_eq!(report.misses.len(), 1, "{}", report.misses.join("\n"));
    assert!(
        report.misses[0].contains("the plan is"),
        "{}",
        report.misses[0]
    );
    assert!(report.table().contains("TOTAL"));
    assert!(score_corpus(&dir.path().join("missing")).is_err());
}
