//! Folding ranges.

use crate::analysis::{FileId, Workspace};
use crate::syntax::{Block, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FoldingKind {
    FrontMatter,
    /// A heading and its content.
    Section,
    /// A definition with its property lines.
    Definition,
    /// A run of comment lines.
    Comment,
    Paragraph,
    Quotation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoldingRange {
    /// From the first line's first character to the last line's last content character.
    pub span: Span,
    pub kind: FoldingKind,
}

/// Folding ranges of `file`: the front matter, each section (a heading up to the last content
/// before the next heading of the same or a higher level), definitions with properties, runs
/// of two or more comment lines, paragraphs and quotations that span lines. Only ranges that
/// cover two lines or more; sorted by start, outer before inner.
pub fn folding_ranges(ws: &Workspace, file: FileId) -> Vec<FoldingRange> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let text = &data.text;
    let mut out = Vec::new();
    let mut add = |span: Span, kind: FoldingKind| {
        if span.end <= text.len() && span.slice(text).contains('\n') {
            out.push(FoldingRange { span, kind });
        }
    };
    if let Some(fm) = &data.parse.front_matter {
        add(fm.span, FoldingKind::FrontMatter);
    }
    let blocks = &data.parse.blocks;
    let mut comment_run: Option<Span> = None;
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Heading(h) => {
                let end = blocks[i + 1..]
                    .iter()
                    .take_while(|n| !matches!(n, Block::Heading(o) if o.level <= h.level))
                    .last()
                    .map_or(h.span.end, |n| n.span().end);
                add(Span::new(h.span.start, end), FoldingKind::Section);
            }
            Block::Definition(d) => add(d.span, FoldingKind::Definition),
            Block::Paragraph(p) => add(p.span, FoldingKind::Paragraph),
            Block::Comment(_) => {}
        }
        // Comment lines on consecutive lines form one run.
        if let Block::Comment(s) = b {
            comment_run = match comment_run {
                Some(run)
                    if text[run.end..s.start].matches('\n').count() == 1
                        && text[run.end..s.start].trim().is_empty() =>
                {
                    Some(run.cover(*s))
                }
                Some(run) => {
                    add(run, FoldingKind::Comment);
                    Some(*s)
                }
                None => Some(*s),
            };
        } else if let Some(run) = comment_run.take() {
            add(run, FoldingKind::Comment);
        }
    }
    if let Some(run) = comment_run {
        add(run, FoldingKind::Comment);
    }
    for q in &data.parse.quotes {
        add(q.span(), FoldingKind::Quotation);
    }
    out.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    fn check(text: &str) -> String {
        let f = Fixture::new(text);
        let file = f.files[0].1;
        let t = f.text(file);
        folding_ranges(&f.ws, file)
            .iter()
            .map(|r| {
                let (l0, _) = crate::analysis::line_col(t, r.span.start);
                let (l1, _) = crate::analysis::line_col(t, r.span.end);
                format!(
                    "{:?} lines {}..={} {:?}\n",
                    r.kind,
                    l0 + 1,
                    l1 + 1,
                    r.span.slice(t).lines().next().unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn every_kind_of_range() {
        insta::assert_snapshot!(check(
            "---\ntitle: Лавров\ndate: 2017-03-20\n---\n%% one\n%% two\n\n%% alone\n\n# Talks 😀\n\n@lavrov: person \"Sergey Lavrov\"\n  role: Minister\n@one: org \"One line\"\n\nA paragraph “that quotes\nover two lines”{@lavrov} and ends.\n\n## Sub\n\nText.\n\n# Next\nLast.\n"
        ), @r###"
            FrontMatter lines 1..=4 "---"
            Comment lines 5..=6 "%% one"
            Section lines 10..=21 "# Talks 😀"
            Definition lines 12..=13 "@lavrov: person \"Sergey Lavrov\""
            Paragraph lines 16..=17 "A paragraph “that quotes"
            Quotation lines 16..=17 "“that quotes"
            Section lines 19..=21 "## Sub"
            Section lines 23..=24 "# Next"
            "###);
    }

    #[test]
    fn single_lines_do_not_fold_and_crlf_works() {
        assert_eq!(check("# A\n# B\n"), "");
        assert_eq!(check("One line.\n\n@x: person \"X\"\n%% c\n"), "");
        insta::assert_snapshot!(check("# A\r\nText\r\nmore text\r\n"), @r##"
            Section lines 1..=3 "# A"
            Paragraph lines 2..=3 "Text"
            "##);
    }
}
