//! A readable dump of a workspace: each file's diagnostics and parse outline, for snapshots.

use newsmark::analysis::{line_col, Diagnostic, FileData, FixData, Workspace};
use newsmark::syntax::{AttrBlock, AttrContent, Block, InlineKind, Span};
use std::fmt::Write;

/// `line:col` (1-based, column in characters) of a byte offset.
fn pos(text: &str, offset: usize) -> String {
    let (l, c) = line_col(text, offset);
    format!("{}:{}", l + 1, c + 1)
}

fn range(text: &str, span: Span) -> String {
    format!("{}-{}", pos(text, span.start), pos(text, span.end))
}

/// The text of a span, quoted and shortened, with line ends made visible.
fn quoted(text: &str, span: Span) -> String {
    let s = span.slice(text).replace('\r', "\\r").replace('\n', "\\n");
    let s = if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    };
    format!("{s:?}")
}

fn attr(a: &AttrBlock) -> String {
    match &a.content {
        AttrContent::Speaker { speaker, via: None } => format!("{{@{}}}", speaker.id),
        AttrContent::Speaker {
            speaker,
            via: Some(v),
        } => format!("{{@{} via=@{}}}", speaker.id, v.id),
        AttrContent::NotAQuote => "{-}".into(),
        AttrContent::Invalid => "invalid".into(),
    }
}

fn diagnostic(ws: &Workspace, text: &str, d: &Diagnostic, out: &mut String) {
    let _ = writeln!(
        out,
        "  {} {}[{}] {}: {}",
        range(text, d.span),
        d.severity.as_str(),
        d.code.as_str(),
        quoted(text, d.span),
        d.message
    );
    for r in &d.related {
        let rtext = ws
            .file_id(&r.file)
            .and_then(|f| ws.file(f))
            .map_or("", |f| f.text.as_str());
        let _ = writeln!(
            out,
            "      related {}:{}: {}",
            r.file,
            pos(rtext, r.span.start),
            r.message
        );
    }
    if let Some(fix) = &d.fix {
        let f = match fix {
            FixData::AttributeQuote { candidates, .. } => {
                format!("attribute to one of [{}]", candidates.join(", "))
            }
            FixData::DefineEntity { id } => format!("define @{id}"),
            FixData::LinkMention { id } => format!("link to @{id}"),
        };
        let _ = writeln!(out, "      fix: {f}");
    }
}

fn outline(data: &FileData, out: &mut String) {
    let text = data.text.as_str();
    let parse = data.parse();
    if let Some(fm) = &parse.front_matter {
        let _ = writeln!(out, "  front matter {}", range(text, fm.span));
        for e in &fm.entries {
            let _ = writeln!(out, "    {}: {:?}", e.key.text, e.value.text);
        }
    }
    for block in &parse.blocks {
        match block {
            Block::Comment(s) => {
                let _ = writeln!(out, "  comment {} {}", pos(text, s.start), quoted(text, *s));
            }
            Block::Heading(h) => {
                let _ = writeln!(
                    out,
                    "  heading h{} {} {}",
                    h.level,
                    pos(text, h.span.start),
                    quoted(text, h.text)
                );
            }
            Block::Paragraph(p) => {
                let _ = writeln!(out, "  paragraph {}", range(text, p.span));
            }
            Block::Definition(d) => {
                let kind = d.kind.as_ref().map_or("<no kind>", |k| k.text.as_str());
                let name = d
                    .name
                    .as_ref()
                    .map_or("<no name>".to_string(), |n| format!("{:?}", n.text));
                let _ = writeln!(
                    out,
                    "  definition {} @{} {kind} {name}",
                    range(text, d.span),
                    d.id.id
                );
                for p in &d.properties {
                    let refs: Vec<String> = p.refs.iter().map(|r| format!("@{}", r.id)).collect();
                    let refs = if refs.is_empty() {
                        String::new()
                    } else {
                        format!(" refs {}", refs.join(" "))
                    };
                    let _ = writeln!(out, "    {}: {:?}{refs}", p.key.text, p.value.text);
                }
            }
        }
        for inline in block.inlines().unwrap_or_default() {
            match &inline.kind {
                InlineKind::SpanMention(m) => {
                    let target = m
                        .target
                        .map_or("<none>".into(), |t| format!("@{}", t.id(text)));
                    let _ = writeln!(
                        out,
                        "    span mention {} {} -> {target}",
                        pos(text, inline.span.start),
                        quoted(text, m.surface(inline.span))
                    );
                }
                InlineKind::BareMention(id) => {
                    let _ = writeln!(
                        out,
                        "    bare mention {} @{}",
                        pos(text, inline.span.start),
                        id.id(text)
                    );
                }
                _ => {}
            }
        }
    }
    if !parse.quotes.is_empty() {
        let _ = writeln!(out, "  quotes");
    }
    for q in &parse.quotes {
        let mut flags = Vec::new();
        flags.push(format!("{:?}", q.style).to_lowercase());
        if q.close.is_none() {
            flags.push("unclosed".into());
        }
        if q.nested {
            flags.push("nested".into());
        }
        if !q.continuation_marks.is_empty() {
            flags.push(format!("continued x{}", q.continuation_marks.len()));
        }
        if let Some(a) = &q.attr {
            flags.push(attr(a));
        }
        let _ = writeln!(
            out,
            "    {} {} {}",
            pos(text, q.open.start),
            flags.join(" "),
            quoted(text, q.content)
        );
    }
}

/// Every file of the workspace, in key order: diagnostics, then the outline.
pub fn dump(ws: &Workspace) -> String {
    let mut files: Vec<_> = ws.files().collect();
    files.sort_by(|a, b| ws.key(a.0).cmp(ws.key(b.0)));
    let mut out = String::new();
    for (id, data) in files {
        let _ = writeln!(out, "== {}", ws.key(id));
        let analysis = ws.analyze(id);
        if analysis.diagnostics.is_empty() {
            let _ = writeln!(out, "diagnostics: none");
        } else {
            let _ = writeln!(out, "diagnostics:");
        }
        for d in &analysis.diagnostics {
            diagnostic(ws, &data.text, d, &mut out);
        }
        let _ = writeln!(out, "outline:");
        outline(data, &mut out);
        out.push('\n');
    }
    out
}
