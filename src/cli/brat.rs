//! The brat standoff format (<https://brat.nlplab.org/standoff.html>): the plain text in
//! `NAME.txt`, annotations in `NAME.ann` with character offsets into it.
//!
//! - `T` lines: each mention, typed by its entity's kind, and each quotation (`Quotation`). A
//!   span that crosses a line break is split into fragments (`0 5;6 10`), as brat's line-based
//!   files require; the text field is the fragments joined by a space, as brat checks.
//! - `R` lines: `Speaker` (and `Via`) from a quotation to the mention that names its speaker.
//! - `#` lines: AnnotatorNotes with each mention's entity ID and each quotation's attribution
//!   kind, cue and speaker.
//! - `N` lines: Wikidata references of mentions whose entity has a `wikidata` property.

use crate::analysis::export::ExportDocument;
use crate::analysis::properties::is_wikidata;
use std::collections::HashMap;
use std::fmt::Write;

/// brat's entity type for an entity kind.
pub fn brat_type(kind: Option<&str>) -> &'static str {
    match kind {
        Some("person") => "Person",
        Some("org") => "Organization",
        Some("place") => "Place",
        Some("agreement") => "Agreement",
        Some("event") => "Event",
        Some("work") => "Work",
        _ => "Other",
    }
}

/// `annotation.conf` declaring every type the `.ann` files use.
pub const ANNOTATION_CONF: &str = "\
# Written by `newsmark export --format brat`.
[entities]
Person
Organization
Place
Agreement
Event
Work
Other
Quotation

[relations]
Speaker\tArg1:Quotation, Arg2:<ENTITY>
Via\tArg1:Quotation, Arg2:<ENTITY>
# Mentions stand inside quotations, and quotations inside quotations.
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]

[attributes]
";

/// `tools.conf` declaring the Wikidata normalisation resource of the `N` lines.
pub const TOOLS_CONF: &str = "\
# Written by `newsmark export --format brat`.
[normalization]
Wikidata\t<URL>:https://www.wikidata.org/, <URLBASE>:https://www.wikidata.org/wiki/%s
";

/// Characters that end a line for brat (Python's line splitting).
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The fragments of `start..end` (char offsets into `chars`) between line breaks, empty ones
/// dropped.
fn fragments(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = start;
    for (i, &c) in chars.iter().enumerate().take(end).skip(start) {
        if is_line_break(c) {
            if from < i {
                out.push((from, i));
            }
            from = i + 1;
        }
    }
    if from < end {
        out.push((from, end));
    }
    out
}

/// Note text on one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_line_break(c) || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The `.txt` and `.ann` contents for one document.
pub fn to_brat(doc: &ExportDocument) -> (String, String) {
    let chars: Vec<char> = doc.text.chars().collect();
    let kinds: HashMap<&str, (Option<&str>, &str, Option<&str>)> = doc
        .entities
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                (
                    e.kind.as_deref(),
                    e.name.as_str(),
                    e.properties.get("wikidata").map(String::as_str),
                ),
            )
        })
        .collect();
    let mut ann = String::new();
    let mut t = 0;
    let mut text_bound = |ann: &mut String, ty: &str, start: usize, end: usize| -> Option<String> {
        let frags = fragments(&chars, start.min(chars.len()), end.min(chars.len()));
        if frags.is_empty() {
            return None;
        }
        t += 1;
        let offsets: Vec<String> = frags.iter().map(|(s, e)| format!("{s} {e}")).collect();
        let text: Vec<String> = frags
            .iter()
            .map(|&(s, e)| chars[s..e].iter().collect())
            .collect();
        let _ = writeln!(ann, "T{t}\t{ty} {}\t{}", offsets.join(";"), text.join(" "));
        Some(format!("T{t}"))
    };

    let mut mention_ids: Vec<Option<String>> = Vec::with_capacity(doc.mentions.len());
    let mut pending_notes: Vec<(String, String)> = Vec::new();
    let mut norm_lines: Vec<String> = Vec::new();
    for m in &doc.mentions {
        let known = kinds.get(m.entity.as_str());
        let ty = brat_type(known.and_then(|k| k.0));
        let id = text_bound(&mut ann, ty, m.start, m.end);
        if let Some(id) = &id {
            let note = match known {
                Some((_, name, _)) => format!("@{} ({name})", m.entity),
                None => format!("@{} (unresolved: undefined or ambiguous)", m.entity),
            };
            pending_notes.push((id.clone(), note));
            if let Some((_, name, Some(q))) = known {
                if is_wikidata(q) {
                    norm_lines.push(format!(
                        "N{}\tReference {id} Wikidata:{q}\t{}",
                        norm_lines.len() + 1,
                        one_line(name)
                    ));
                }
            }
        }
        mention_ids.push(id);
    }
    let mut relations = Vec::new();
    for q in &doc.quotes {
        let Some(id) = text_bound(&mut ann, "Quotation", q.start, q.end) else {
            continue;
        };
        let mut note = format!("attribution: {}", q.attribution);
        if let Some(c) = &q.cue {
            let _ = write!(note, "; cue: {c}");
        }
        if let Some(s) = &q.speaker {
            let _ = write!(note, "; speaker: @{s}");
        }
        if let Some(v) = &q.via {
            let _ = write!(note, "; via: @{v}");
        }
        pending_notes.push((id.clone(), note));
        let target = |i: Option<usize>| i.and_then(|i| mention_ids.get(i)?.clone());
        if let Some(m) = target(q.speaker_mention) {
            relations.push(("Speaker", id.clone(), m));
        }
        if let Some(m) = target(q.via_mention) {
            relations.push(("Via", id.clone(), m));
        }
    }
    for (i, (ty, quote, mention)) in relations.iter().enumerate() {
        let _ = writeln!(ann, "R{}\t{ty} Arg1:{quote} Arg2:{mention}", i + 1);
    }
    for line in norm_lines {
        ann.push_str(&line);
        ann.push('\n');
    }
    for (i, (target, note)) in pending_notes.iter().enumerate() {
        let _ = writeln!(
            ann,
            "#{}\tAnnotatorNotes {target}\t{}",
            i + 1,
            one_line(note)
        );
    }
    (doc.text.clone(), ann)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_skip_line_breaks() {
        let chars: Vec<char> = "ab\n\ncd\u{2028}e".chars().collect();
        assert_eq!(fragments(&chars, 0, 8), vec![(0, 2), (4, 6), (7, 8)]);
        assert_eq!(fragments(&chars, 2, 4), vec![]);
        assert_eq!(fragments(&chars, 1, 5), vec![(1, 2), (4, 5)]);
    }

    #[test]
    fn types_from_kinds() {
        assert_eq!(brat_type(Some("org")), "Organization");
        assert_eq!(brat_type(Some("planet")), "Other");
        assert_eq!(brat_type(None), "Other");
    }
}
