//! Line-level structure: front matter, comments, headings, definitions and paragraphs.

use super::id::is_valid_id;
use super::inline::{lex_inlines, scan_property_refs};
use super::{
    Block, Definition, FrontMatter, FrontMatterEntry, Heading, IdRef, Inline, InlineKind,
    Paragraph, Parse, Property, Span, SyntaxError, Word,
};

/// One source line: `content` excludes the line end, `full` includes it.
#[derive(Clone, Copy, Debug)]
struct Line {
    content: Span,
    full: Span,
}

fn lines(text: &str, from: usize) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = from;
    while start < text.len() {
        let nl = memchr_newline(&bytes[start..]).map(|i| start + i);
        let (end, next) = match nl {
            Some(i) => (i, i + 1),
            None => (text.len(), text.len()),
        };
        let content_end = if end > start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        out.push(Line {
            content: Span::new(start, content_end),
            full: Span::new(start, next),
        });
        start = next;
    }
    out
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn is_comment(s: &str) -> bool {
    s.trim_start().starts_with("%%")
}

fn is_indented(s: &str) -> bool {
    s.starts_with('\t') || s.starts_with("  ")
}

/// `#`..`######` followed by a space or the line end.
fn heading_level(s: &str) -> Option<u8> {
    let hashes = s.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && (s.len() == hashes || s.as_bytes()[hashes] == b' ') {
        Some(hashes as u8)
    } else {
        None
    }
}

/// A line at column 0 of the form `@something:` (no white space before the colon) is a
/// definition, whether or not the rest is well formed.
fn is_definition_line(s: &str) -> bool {
    if !s.starts_with('@') {
        return false;
    }
    match s.find(':') {
        Some(colon) => colon > 0 && !s[1..colon].contains(char::is_whitespace),
        None => false,
    }
}

pub(super) fn parse_blocks(text: &str) -> Parse {
    let mut parse = Parse::default();
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let all = lines(text, body_start);
    let mut i = 0;
    if let Some(first) = all.first() {
        if first.content.slice(text).trim_end() == "---" {
            i = parse_front_matter(text, &all, &mut parse);
        }
    }

    let mut para: Vec<Line> = Vec::new();
    while i < all.len() {
        let line = all[i];
        let s = line.content.slice(text);
        if is_blank(s) {
            flush_paragraph(text, &mut para, &mut parse);
            i += 1;
        } else if is_comment(s) {
            parse.blocks.push(Block::Comment(line.content));
            i += 1;
        } else if is_definition_line(s) {
            flush_paragraph(text, &mut para, &mut parse);
            i = parse_definition(text, &all, i, &mut parse);
        } else if let Some(level) = heading_level(s) {
            flush_paragraph(text, &mut para, &mut parse);
            let text_start = line.content.start + level as usize;
            let raw = Span::new(text_start, line.content.end);
            let lead = raw.slice(text).len() - raw.slice(text).trim_start().len();
            let trail = raw.slice(text).len() - raw.slice(text).trim_end().len();
            let text_span = Span::new(raw.start + lead, (raw.end - trail).max(raw.start + lead));
            let mut inlines = Vec::new();
            lex_inlines(text, text_span, &mut inlines, &mut parse.errors);
            parse.blocks.push(Block::Heading(Heading {
                level,
                span: line.content,
                text: text_span,
                inlines,
            }));
            i += 1;
        } else {
            para.push(line);
            i += 1;
        }
    }
    flush_paragraph(text, &mut para, &mut parse);
    parse
}

fn flush_paragraph(text: &str, lines: &mut Vec<Line>, parse: &mut Parse) {
    if lines.is_empty() {
        return;
    }
    let mut inlines: Vec<Inline> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            let prev = lines[n - 1];
            inlines.push(Inline {
                span: Span::new(prev.content.end, prev.full.end),
                kind: InlineKind::Newline,
            });
        }
        lex_inlines(text, line.content, &mut inlines, &mut parse.errors);
    }
    let span = Span::new(lines[0].content.start, lines[lines.len() - 1].content.end);
    parse
        .blocks
        .push(Block::Paragraph(Paragraph { span, inlines }));
    lines.clear();
}

/// Returns the index of the first body line.
fn parse_front_matter(text: &str, all: &[Line], parse: &mut Parse) -> usize {
    let mut entries = Vec::new();
    let mut i = 1;
    while i < all.len() {
        let line = all[i];
        let s = line.content.slice(text);
        if s.trim_end() == "---" {
            parse.front_matter = Some(FrontMatter {
                span: Span::new(all[0].content.start, line.content.end),
                entries,
            });
            return i + 1;
        }
        if is_blank(s) || is_comment(s) {
            i += 1;
            continue;
        }
        match s.split_once(':') {
            Some((k, _))
                if !k.trim().is_empty()
                    && k.trim()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                entries.push(FrontMatterEntry {
                    key: trimmed_word(
                        text,
                        Span::new(line.content.start, line.content.start + k.len()),
                    ),
                    value: trimmed_word(
                        text,
                        Span::new(line.content.start + k.len() + 1, line.content.end),
                    ),
                });
                i += 1;
            }
            _ => {
                // Not `key: value` and no closing `---` yet: the front matter was left open.
                // End it here so that the article itself still parses.
                parse.errors.push(SyntaxError {
                    span: all[0].content,
                    message: format!(
                        "front matter is not closed with `---` before line {}",
                        i + 1
                    ),
                });
                parse.errors.push(SyntaxError {
                    span: line.content,
                    message: "expected `key: value` or `---` in the front matter".into(),
                });
                parse.front_matter = Some(FrontMatter {
                    span: Span::new(all[0].content.start, all[i - 1].content.end),
                    entries,
                });
                return i;
            }
        }
    }
    parse.errors.push(SyntaxError {
        span: all[0].content,
        message: "front matter is not closed with `---`".into(),
    });
    let end = all.last().map_or(0, |l| l.content.end);
    parse.front_matter = Some(FrontMatter {
        span: Span::new(all[0].content.start, end),
        entries,
    });
    all.len()
}

/// The trimmed text of `span`, with the span narrowed to it.
fn trimmed_word(text: &str, span: Span) -> Word {
    let s = span.slice(text);
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    let start = span.start + lead;
    Word {
        text: t.to_string(),
        span: Span::new(start, start + t.len()),
    }
}

/// Parse a definition header at `all[i]` and its property lines; returns the next line index.
fn parse_definition(text: &str, all: &[Line], i: usize, parse: &mut Parse) -> usize {
    let line = all[i];
    let s = line.content.slice(text);
    let colon = s.find(':').unwrap_or(s.len());
    let id_text = &s[1..colon];
    let id_span = Span::new(line.content.start + 1, line.content.start + colon);
    if !is_valid_id(id_text) {
        let message = if id_text.is_empty() {
            "empty ID in definition".to_string()
        } else {
            format!("`{id_text}` is not a valid ID (letters, digits and `_`, joined by single `-` or `.`)")
        };
        parse.errors.push(SyntaxError {
            span: id_span,
            message,
        });
    }
    let id = IdRef {
        id: id_text.to_string(),
        span: id_span,
    };

    // After the colon: kind, then "Name".
    let rest_start = line.content.start + colon + 1;
    let rest = &text[rest_start..line.content.end];
    let mut kind = None;
    let mut name = None;
    let lead = rest.len() - rest.trim_start().len();
    let kind_start = rest_start + lead;
    let kind_len = text[kind_start..line.content.end]
        .find(|c: char| c.is_whitespace() || c == '"')
        .unwrap_or(line.content.end - kind_start);
    if kind_len == 0 {
        parse.errors.push(SyntaxError {
            span: Span::new(line.content.start, line.content.end),
            message: format!("expected a kind after `@{id_text}:` (person, org, place, agreement, event, work, other)"),
        });
    } else {
        kind = Some(Word {
            text: text[kind_start..kind_start + kind_len].to_string(),
            span: Span::new(kind_start, kind_start + kind_len),
        });
        let after = kind_start + kind_len;
        let r = &text[after..line.content.end];
        let name_start = after + (r.len() - r.trim_start().len());
        if text[name_start..line.content.end].starts_with('"') {
            match closing_quote(&text[name_start + 1..line.content.end]) {
                Some(close) => {
                    let inner = Span::new(name_start + 1, name_start + 1 + close);
                    name = Some(Word {
                        text: super::unescape(inner.slice(text)).into_owned(),
                        span: Span::new(name_start, inner.end + 1),
                    });
                    let tail = &text[inner.end + 1..line.content.end];
                    if !tail.trim().is_empty() {
                        let t0 = inner.end + 1 + (tail.len() - tail.trim_start().len());
                        parse.errors.push(SyntaxError {
                            span: Span::new(t0, line.content.end),
                            message: "unexpected text after the display name".into(),
                        });
                    }
                }
                None => parse.errors.push(SyntaxError {
                    span: Span::new(name_start, line.content.end),
                    message: "unclosed `\"` in the display name".into(),
                }),
            }
        } else {
            parse.errors.push(SyntaxError {
                span: Span::new(kind_start, line.content.end),
                message: format!("expected a quoted display name after the kind, as in `@{id_text}: person \"Full Name\"`"),
            });
        }
    }

    let mut properties = Vec::new();
    let mut end = line.content.end;
    let mut j = i + 1;
    while j < all.len() {
        let l = all[j];
        let s = l.content.slice(text);
        if is_blank(s) || !is_indented(s) {
            break;
        }
        j += 1;
        if is_comment(s) {
            continue;
        }
        end = l.content.end;
        let lead = s.len() - s.trim_start().len();
        let body = Span::new(l.content.start + lead, l.content.end);
        let b = body.slice(text);
        let key_ok = |k: &str| {
            !k.is_empty()
                && k.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        };
        match b.find(':') {
            Some(c) if key_ok(b[..c].trim_end()) => {
                let key = trimmed_word(text, Span::new(body.start, body.start + c));
                let value = trimmed_word(text, Span::new(body.start + c + 1, body.end));
                let refs = scan_property_refs(text, value.span, &mut parse.errors);
                properties.push(Property {
                    span: body,
                    key,
                    value,
                    refs,
                });
            }
            _ => parse.errors.push(SyntaxError {
                span: body,
                message: format!(
                    "expected a property `key: value` in the definition of `@{id_text}`"
                ),
            }),
        }
    }
    parse.blocks.push(Block::Definition(Definition {
        span: Span::new(line.content.start, end),
        id,
        kind,
        name,
        properties,
    }));
    j
}

/// Byte index of the first unescaped `"` in `s`.
fn closing_quote(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}
