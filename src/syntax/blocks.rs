//! Line-level structure: front matter, comments, headings, definitions and paragraphs.

use super::id::is_valid_id;
use super::inline::{lex_inlines, scan_property_refs, Brackets};
use super::quotes::Pairing;
use super::{
    Block, Definition, FrontMatter, FrontMatterEntry, Heading, IdRef, Inlines, Paragraph, Parse,
    Property, QuoteStyle, SharedTokens, SmallText, Span, SyntaxError, Tokens, Word,
};

/// One source line: `content` excludes the line end, `next` is where the next line starts.
#[derive(Clone, Copy, Debug)]
struct Line {
    content: Span,
    next: usize,
}

/// The line starting at `start`, if `start` is inside the text.
fn line_at(text: &str, start: usize) -> Option<Line> {
    if start >= text.len() {
        return None;
    }
    let bytes = text.as_bytes();
    let (end, next) = match memchr::memchr(b'\n', &bytes[start..]) {
        Some(i) => (start + i, start + i + 1),
        None => (text.len(), text.len()),
    };
    let content_end = if end > start && bytes[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    Some(Line {
        content: Span::new(start, content_end),
        next,
    })
}

/// The lines from `start` on.
fn lines_from(text: &str, start: usize) -> impl Iterator<Item = Line> + '_ {
    std::iter::successors(line_at(text, start), move |l| line_at(text, l.next))
}

/// Printable ASCII: never white space, so `str::trim` stops at it.
fn is_plain(b: u8) -> bool {
    b > b' ' && b < 0x80
}

/// The offset of the first byte of `s` that is not a space or a tab (`s.len()` if none).
fn blanks(s: &str) -> usize {
    s.bytes()
        .position(|b| b != b' ' && b != b'\t')
        .unwrap_or(s.len())
}

/// `s.len() - s.trim_start().len()` and `s.trim().len()`, without decoding characters when
/// the ends are spaces, tabs and printable ASCII (other white space takes the general way).
fn trim_bounds(s: &str) -> (usize, usize) {
    let b = s.as_bytes();
    let lead = blanks(s);
    let mut end = b.len();
    while end > lead && matches!(b[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if lead == end || (is_plain(b[lead]) && is_plain(b[end - 1])) {
        (lead, end - lead)
    } else {
        (s.len() - s.trim_start().len(), s.trim().len())
    }
}

fn is_blank(s: &str) -> bool {
    match s.as_bytes().get(blanks(s)) {
        None => true,
        Some(&b) if is_plain(b) => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// A line whose first non-blank characters are `%%`.
pub(super) fn is_comment(s: &str) -> bool {
    match s.as_bytes().get(blanks(s)) {
        Some(b'%') => s[blanks(s)..].starts_with("%%"),
        Some(&b) if is_plain(b) => false,
        _ => s.trim_start().starts_with("%%"),
    }
}

/// The first `b` in `s` (lines are short: a plain loop beats a vectorised search).
fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

fn is_indented(s: &str) -> bool {
    s.starts_with('\t') || s.starts_with("  ")
}

fn is_front_matter_fence(s: &str) -> bool {
    s.trim_end() == "---"
}

/// `#`..`######` followed by a space, a tab or the line end.
fn heading_level(s: &str) -> Option<u8> {
    let hashes = s.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes)
        && (s.len() == hashes || matches!(s.as_bytes()[hashes], b' ' | b'\t'))
    {
        Some(hashes as u8)
    } else {
        None
    }
}

/// The heading's text inside `raw` (what follows the opening `#`s): trimmed, and without a
/// Markdown closing sequence (`## Title ##`), which is decoration rather than text.
fn heading_text(text: &str, raw: Span) -> Span {
    let s = raw.slice(text);
    let t = s.trim();
    let start = raw.start + (s.len() - s.trim_start().len());
    let without_hashes = t.trim_end_matches('#');
    let len = if without_hashes.len() == t.len() {
        t.len()
    } else if without_hashes.is_empty() {
        0 // `# ###`: an empty heading
    } else if without_hashes.ends_with([' ', '\t']) {
        without_hashes.trim_end().len()
    } else {
        t.len() // `# We're #1`: the `#` belongs to the text
    };
    Span::new(start, start + len)
}

/// A line at column 0 of the form `@something:` (no white space before the colon) is a
/// definition, whether or not the rest is well formed.
fn is_definition_line(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('@') else {
        return false;
    };
    match find_byte(rest, b':') {
        Some(colon) => !rest[..colon].contains(char::is_whitespace),
        None => false,
    }
}

fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// The blocks of `text` with their quotations paired, and the one buffer of inline tokens that
/// their [`Inlines`] index. `tokens` is an empty buffer, possibly with capacity from an earlier
/// parse. Every prose block's [`Inlines`] holds `shared`, where the buffer goes once complete.
pub(super) fn parse_blocks(
    text: &str,
    style: QuoteStyle,
    mut tokens: Tokens,
    shared: &SharedTokens,
) -> (Parse, Tokens) {
    // News has a block every 80-270 bytes (the benchmark's documents and the corpus); estimated
    // from the length rather than by counting lines, which would read all the text once more.
    // Kept close to the typical size: a larger spare tail made glibc return the freed heap to
    // the kernel after each large parse (page faults on the next one).
    let mut parse = Parse {
        blocks: Vec::with_capacity(text.len() / 150 + 8),
        ..Parse::default()
    };
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut pos = body_start;
    if let Some(first) = line_at(text, body_start) {
        if is_front_matter_fence(first.content.slice(text)) {
            pos = parse_front_matter(text, first, &mut parse);
        }
    }

    // The paragraph being gathered, and the comment lines met inside it: they are pushed after
    // the paragraph so that blocks stay in text order.
    let mut para: Option<Span> = None;
    let mut para_comments: Vec<Span> = Vec::new();
    // Every block's tokens go to one buffer. News prose has a token every 30-45 bytes (the
    // benchmark's documents and the corpus): reserve for one every 24, so that regrowth is rare
    // and spare capacity small.
    tokens.list.reserve(text.len() / 24 + 8);
    let mut lex = Lex {
        tokens,
        shared,
        brackets: Brackets::default(),
        pairing: Pairing::new(text, style),
    };
    while let Some(line) = line_at(text, pos) {
        let s = line.content.slice(text);
        pos = line.next;
        if is_blank(s) {
            flush_paragraph(text, &mut para, &mut para_comments, &mut lex, &mut parse);
        } else if is_comment(s) {
            // A comment does not end a paragraph: the lines around it stay one paragraph.
            if para.is_some() {
                para_comments.push(line.content);
            } else {
                parse.blocks.push(Block::Comment(line.content));
            }
        } else if is_definition_line(s) {
            flush_paragraph(text, &mut para, &mut para_comments, &mut lex, &mut parse);
            let at = parse.blocks.len();
            pos = parse_definition(text, line, &mut parse);
            lex.pair(text, &parse, at);
        } else if let Some(level) = heading_level(s) {
            flush_paragraph(text, &mut para, &mut para_comments, &mut lex, &mut parse);
            let raw = Span::new(line.content.start + level as usize, line.content.end);
            let text_span = heading_text(text, raw);
            let inlines = lex.block(text, text_span, &mut parse.errors);
            parse.blocks.push(Block::Heading(Heading {
                level,
                span: line.content,
                text: text_span,
                inlines,
            }));
            lex.pair(text, &parse, parse.blocks.len() - 1);
        } else {
            para = Some(match para {
                Some(p) => Span::new(p.start, line.content.end),
                None => line.content,
            });
        }
    }
    flush_paragraph(text, &mut para, &mut para_comments, &mut lex, &mut parse);
    lex.pairing.finish(&mut parse);
    (parse, lex.tokens)
}

/// The token buffer of a parse, the lexer's reused scratch space and the quotation pairing.
struct Lex<'s> {
    tokens: Tokens,
    shared: &'s SharedTokens,
    brackets: Brackets,
    pairing: Pairing,
}

impl Lex<'_> {
    /// Lex `range` into the buffer; returns the block's share of it.
    fn block(&mut self, text: &str, range: Span, errors: &mut Vec<SyntaxError>) -> Inlines {
        let start = self.tokens.list.len();
        lex_inlines(
            text,
            range,
            &mut self.tokens.list,
            errors,
            &mut self.brackets,
        );
        self.tokens.note_owners(start);
        Inlines::pending(self.shared, start..self.tokens.list.len())
    }

    /// Pair the quotation marks of the block at `at`, just made (not a comment).
    fn pair(&mut self, text: &str, parse: &Parse, at: usize) {
        let block = &parse.blocks[at];
        let inlines = match block {
            Block::Heading(h) => h.inlines.of(&self.tokens.list),
            Block::Paragraph(p) => p.inlines.of(&self.tokens.list),
            Block::Definition(_) | Block::Comment(_) => &[],
        };
        self.pairing.block(text, at, block, inlines);
    }
}

fn flush_paragraph(
    text: &str,
    para: &mut Option<Span>,
    comments: &mut Vec<Span>,
    lex: &mut Lex,
    parse: &mut Parse,
) {
    let Some(span) = para.take() else {
        return;
    };
    // One range for the whole paragraph, so that a span mention's surface text may wrap; the
    // lexer folds the comment lines between the paragraph's lines into its line-end tokens.
    let inlines = lex.block(text, span, &mut parse.errors);
    parse
        .blocks
        .push(Block::Paragraph(Paragraph { span, inlines }));
    lex.pair(text, parse, parse.blocks.len() - 1);
    // Comment lines after the paragraph's last line are not inside it.
    parse.blocks.extend(comments.drain(..).map(Block::Comment));
}

/// Parse the front matter that opens at `all[0]`; returns the index of the first body line.
///
/// When a line is not `key: value`, the front matter still closes at a later `---` if one comes
/// before the next blank line (a typo inside a block); otherwise the closing `---` was forgotten
/// and the front matter ends before that line, so that the article itself still parses.
fn parse_front_matter(text: &str, open_line: Line, parse: &mut Parse) -> usize {
    let mut entries = Vec::new();
    let mut comments = Vec::new();
    let mut bad_lines = Vec::new();
    let open = open_line.content;
    let mut pos = open_line.next;
    // `Ok(after the fence)` or `Err(the first body line)`.
    let end = loop {
        let Some(line) = line_at(text, pos) else {
            break Err(pos);
        };
        let s = line.content.slice(text);
        if is_front_matter_fence(s) {
            break Ok((line.content, line.next));
        }
        if is_blank(s) {
            pos = line.next;
            continue;
        }
        if is_comment(s) {
            comments.push(line.content);
            pos = line.next;
            continue;
        }
        match s.split_once(':') {
            Some((k, _)) if is_key(k.trim()) => {
                let colon = line.content.start + k.len();
                entries.push(FrontMatterEntry {
                    key: trimmed_word(text, Span::new(line.content.start, colon)),
                    value: trimmed_word(text, Span::new(colon + 1, line.content.end)),
                });
                pos = line.next;
            }
            _ => {
                let fence_follows = lines_from(text, line.next)
                    .map(|l| l.content.slice(text))
                    .take_while(|s| !is_blank(s))
                    .any(is_front_matter_fence);
                if !fence_follows {
                    break Err(pos);
                }
                bad_lines.push(line.content);
                pos = line.next;
            }
        }
    };
    for span in bad_lines {
        parse.errors.push(SyntaxError {
            span,
            message: "expected `key: value` in the front matter".into(),
        });
    }
    parse
        .blocks
        .extend(comments.into_iter().map(Block::Comment));
    match end {
        Ok((close, next)) => {
            parse.front_matter = Some(FrontMatter {
                span: Span::new(open.start, close.end),
                entries,
            });
            next
        }
        Err(body) => {
            let message = if body < text.len() {
                format!(
                    "front matter is not closed: expected `---` before line {}",
                    line_number(text, body)
                )
            } else {
                "front matter is not closed: expected `---` before the end of the file".to_string()
            };
            parse.errors.push(SyntaxError {
                span: open,
                message,
            });
            // The front matter ends after its last entry; what follows is the article.
            let last = entries
                .last()
                .map_or(open.end, |e| e.value.span.end.max(e.key.span.end));
            parse.front_matter = Some(FrontMatter {
                span: Span::new(open.start, last),
                entries,
            });
            body
        }
    }
}

/// 1-based line number of a byte offset, for messages.
fn line_number(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The trimmed text of `span`, with the span narrowed to it.
fn trimmed_word(text: &str, span: Span) -> Word {
    let (lead, len) = trim_bounds(span.slice(text));
    let start = span.start + lead;
    let span = Span::new(start, start + len);
    Word {
        text: SmallText::new(span.slice(text)),
        span,
    }
}

const KINDS_HINT: &str = "person, org, place, agreement, event, work, other";

/// Parse a definition header `line` and its property lines; returns where the next line starts.
fn parse_definition(text: &str, line: Line, parse: &mut Parse) -> usize {
    let line_end = line.content.end;
    let s = line.content.slice(text);
    let colon = find_byte(s, b':').unwrap_or(s.len());
    let id_text = &s[1..colon];
    let id_span = Span::new(line.content.start + 1, line.content.start + colon);
    if !is_valid_id(id_text) {
        let (span, message) = if id_text.is_empty() {
            (
                Span::new(line.content.start, line.content.start + 2),
                "empty ID in a definition: write `@id: kind \"Name\"`".to_string(),
            )
        } else {
            (id_span, format!("`{id_text}` is not a valid ID (letters, digits and `_`, joined by single `-` or `.`)"))
        };
        parse.errors.push(SyntaxError { span, message });
    }
    let id = IdRef {
        id: SmallText::new(id_text),
        span: id_span,
    };

    // After the colon: kind, then "Name". Each is looked for even when the other is missing.
    let after_colon = line.content.start + colon + 1;
    let kind_start = skip_blanks(text, after_colon, line_end);
    let kind_len = text[kind_start..line_end]
        .find(|c: char| c.is_whitespace() || c == '"')
        .unwrap_or(line_end - kind_start);
    let kind = (kind_len > 0).then(|| Word {
        text: SmallText::new(&text[kind_start..kind_start + kind_len]),
        span: Span::new(kind_start, kind_start + kind_len),
    });
    let name_start = skip_blanks(text, kind_start + kind_len, line_end);
    if kind.is_none() {
        parse.errors.push(SyntaxError {
            span: Span::new(line.content.start, after_colon),
            message: format!("expected a kind after `@{id_text}:` ({KINDS_HINT})"),
        });
    }
    let mut name = None;
    if text[name_start..line_end].starts_with('"') {
        let inner_start = name_start + 1;
        match closing_quote(&text[inner_start..line_end]) {
            Some(close) => {
                let inner = Span::new(inner_start, inner_start + close);
                name = Some(Word {
                    text: SmallText::from(super::unescape(inner.slice(text))),
                    span: Span::new(name_start, inner.end + 1),
                });
                let tail_start = skip_blanks(text, inner.end + 1, line_end);
                if tail_start < line_end {
                    parse.errors.push(SyntaxError {
                        span: Span::new(tail_start, line_end),
                        message: "unexpected text after the display name; properties go on the indented lines below".into(),
                    });
                }
            }
            None => {
                // Keep the rest of the line as the name so that hovers still show something.
                let inner = Span::new(inner_start, line_end);
                name = Some(Word {
                    text: SmallText::from(super::unescape(inner.slice(text).trim_end())),
                    span: Span::new(name_start, line_end),
                });
                parse.errors.push(SyntaxError {
                    span: Span::new(name_start, name_start + 1),
                    message: "unclosed `\"`: the display name must end with `\"` on the same line"
                        .into(),
                });
            }
        }
    } else if kind.is_some() {
        let (span, message) = if name_start < line_end {
            (
                Span::new(name_start, line_end),
                format!("the display name must be in double quotes, as in `@{id_text}: person \"Full Name\"`"),
            )
        } else {
            (
                kind.as_ref().map_or(id_span, |k| k.span),
                format!("expected a quoted display name after the kind, as in `@{id_text}: person \"Full Name\"`"),
            )
        };
        parse.errors.push(SyntaxError { span, message });
    }

    let mut properties = Vec::new();
    let mut comments = Vec::new();
    let mut end = line_end;
    let mut pos = line.next;
    while let Some(l) = line_at(text, pos) {
        let s = l.content.slice(text);
        if is_blank(s) {
            break;
        }
        if is_comment(s) {
            // Comments, indented or not, do not end the property list.
            comments.push(l.content);
            pos = l.next;
            continue;
        }
        if !is_indented(s) {
            break;
        }
        pos = l.next;
        end = l.content.end;
        let body = Span::new(
            skip_blanks(text, l.content.start, l.content.end),
            l.content.end,
        );
        let b = body.slice(text);
        match find_byte(b, b':') {
            Some(c) if is_key(b[..c].trim_end()) => {
                let key = trimmed_word(text, Span::new(body.start, body.start + c));
                let value = trimmed_word(text, Span::new(body.start + c + 1, body.end));
                let refs = scan_property_refs(text, value.span);
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
                    "expected a property `key: value` in the definition of `@{id_text}` (keys are letters, digits, `-` and `_`)"
                ),
            }),
        }
    }
    parse.blocks.push(Block::Definition(Box::new(Definition {
        span: Span::new(line.content.start, end),
        id,
        kind,
        name,
        properties,
    })));
    parse
        .blocks
        .extend(comments.into_iter().map(Block::Comment));
    pos
}

/// The first offset at or after `from` (and before `end`) that is not a space or tab.
fn skip_blanks(text: &str, from: usize, end: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < end && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    i
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, InlineKind, ParseOptions};

    fn p(text: &str) -> Parse {
        parse(text, &ParseOptions::default())
    }

    fn errors(r: &Parse, text: &str) -> Vec<(String, String)> {
        r.errors
            .iter()
            .map(|e| (e.span.slice(text).to_string(), e.message.clone()))
            .collect()
    }

    fn defs(r: &Parse) -> Vec<&Definition> {
        r.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Definition(d) => Some(&**d),
                _ => None,
            })
            .collect()
    }

    fn kinds(r: &Parse) -> Vec<&'static str> {
        r.blocks
            .iter()
            .map(|b| match b {
                Block::Heading(_) => "heading",
                Block::Paragraph(_) => "paragraph",
                Block::Definition(_) => "definition",
                Block::Comment(_) => "comment",
            })
            .collect()
    }

    #[test]
    fn front_matter_entries_and_body() {
        let t = "---\ntitle: Talks: day two\nlang: en\n---\nBody.\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let fm = r.front_matter.as_ref().unwrap();
        assert_eq!(fm.entries.len(), 2);
        assert_eq!(fm.entries[0].key.text, "title");
        assert_eq!(fm.entries[0].value.text, "Talks: day two");
        assert_eq!(fm.entries[0].value.span.slice(t), "Talks: day two");
        assert_eq!(
            fm.span.slice(t),
            "---\ntitle: Talks: day two\nlang: en\n---"
        );
        assert_eq!(kinds(&r), ["paragraph"]);
    }

    #[test]
    fn front_matter_with_bom_and_crlf() {
        let t = "\u{feff}---\r\ntitle: X\r\n---\r\nBody\r\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let fm = r.front_matter.as_ref().unwrap();
        assert_eq!(fm.entries[0].value.text, "X");
        assert_eq!(r.blocks[0].span().slice(t), "Body");
    }

    #[test]
    fn front_matter_only_at_the_top() {
        let t = "Intro\n\n---\ntitle: X\n---\n";
        let r = p(t);
        assert!(r.front_matter.is_none());
        assert_eq!(kinds(&r), ["paragraph", "paragraph"]);
    }

    #[test]
    fn unclosed_front_matter_ends_before_the_article() {
        let t = "---\ntitle: X\n\nThe article starts here.\n";
        let r = p(t);
        assert_eq!(
            errors(&r, t),
            [(
                "---".to_string(),
                "front matter is not closed: expected `---` before line 4".to_string()
            )]
        );
        assert_eq!(r.front_matter.as_ref().unwrap().entries.len(), 1);
        assert_eq!(r.blocks.len(), 1);
        assert_eq!(r.blocks[0].span().slice(t), "The article starts here.");
    }

    #[test]
    fn unclosed_front_matter_at_end_of_file() {
        let t = "---\ntitle: X";
        let r = p(t);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].message.contains("end of the file"));
        assert!(r.blocks.is_empty());
    }

    #[test]
    fn bad_line_inside_closed_front_matter() {
        let t = "---\ntitle = X\ndate: 2017-03-20\n---\nBody\n";
        let r = p(t);
        assert_eq!(
            errors(&r, t),
            [(
                "title = X".to_string(),
                "expected `key: value` in the front matter".to_string()
            )]
        );
        assert_eq!(r.front_matter.as_ref().unwrap().entries.len(), 1);
        assert_eq!(kinds(&r), ["paragraph"]);
    }

    #[test]
    fn comment_in_front_matter_is_a_comment_block() {
        let t = "---\n%% note\ntitle: X\n---\n";
        let r = p(t);
        assert!(r.errors.is_empty());
        assert_eq!(kinds(&r), ["comment"]);
    }

    #[test]
    fn comments_do_not_split_paragraphs() {
        let t = "First line\n  %% note\nsecond line.\n";
        let r = p(t);
        assert_eq!(kinds(&r), ["paragraph", "comment"]);
        let Block::Paragraph(para) = &r.blocks[0] else {
            panic!()
        };
        let nl: Vec<_> = para
            .inlines
            .iter()
            .filter(|i| i.kind == InlineKind::Newline)
            .map(|i| i.span.slice(t))
            .collect();
        assert_eq!(nl, ["\n  %% note\n"]);
    }

    #[test]
    fn headings() {
        let t = "# One\n###### Six\n####### seven\n#hashtag\n##\tTab ##\n# We're #1\n";
        let r = p(t);
        let hs: Vec<_> = r
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.level, h.text.slice(t))),
                _ => None,
            })
            .collect();
        assert_eq!(hs, [(1, "One"), (6, "Six"), (2, "Tab"), (1, "We're #1")]);
        assert_eq!(
            kinds(&r),
            ["heading", "heading", "paragraph", "heading", "heading"]
        );
    }

    #[test]
    fn heading_interrupts_a_paragraph() {
        let t = "Prose\n## Section\nMore prose\n";
        assert_eq!(kinds(&p(t)), ["paragraph", "heading", "paragraph"]);
    }

    #[test]
    fn full_definition() {
        let t = "@mfa-ru: org \"Ministry of \\\"Foreign\\\" Affairs\"\n  aka: MFA; the ministry\n\twikidata: Q123\n  head: @lavrov, press@mid.ru\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let d = defs(&r)[0];
        assert_eq!(d.id.id, "mfa-ru");
        assert_eq!(d.id.span.slice(t), "mfa-ru");
        assert_eq!(d.kind.as_ref().unwrap().text, "org");
        let name = d.name.as_ref().unwrap();
        assert_eq!(name.text, "Ministry of \"Foreign\" Affairs");
        assert!(name.span.slice(t).starts_with('"') && name.span.slice(t).ends_with('"'));
        assert_eq!(d.properties.len(), 3);
        assert_eq!(d.properties[1].key.text, "wikidata");
        let refs: Vec<_> = d.properties[2].refs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(refs, ["lavrov"], "an e-mail address is not a reference");
        assert_eq!(d.span.slice(t), t.trim_end());
    }

    #[test]
    fn definition_errors() {
        let cases: &[(&str, &str, &str)] = &[
            ("@a--b: person \"X\"", "a--b", "not a valid ID"),
            ("@: person \"X\"", "@:", "empty ID"),
            ("@a: \"Name\"", "@a:", "expected a kind"),
            ("@a:", "@a:", "expected a kind"),
            ("@a: person", "person", "expected a quoted display name"),
            (
                "@a: person Sergey Lavrov",
                "Sergey Lavrov",
                "must be in double quotes",
            ),
            ("@a: person \"Sergey", "\"", "unclosed `\"`"),
            ("@a: person \"A\" extra", "extra", "unexpected text"),
            ("@a.: person \"A\"", "a.", "not a valid ID"),
        ];
        for (t, at, msg) in cases {
            let r = p(t);
            assert_eq!(r.errors.len(), 1, "{t}: {:?}", r.errors);
            assert_eq!(r.errors[0].span.slice(t), *at, "{t}");
            assert!(
                r.errors[0].message.contains(msg),
                "{t}: {}",
                r.errors[0].message
            );
            assert_eq!(defs(&r).len(), 1, "{t} is still a definition");
        }
    }

    #[test]
    fn missing_kind_still_reads_the_name_and_unclosed_name_is_kept() {
        let r = p("@a: \"Name\"");
        let d = defs(&r)[0];
        assert!(d.kind.is_none());
        assert_eq!(d.name.as_ref().unwrap().text, "Name");
        let r = p("@a: person \"Sergey Lavrov  ");
        assert_eq!(defs(&r)[0].name.as_ref().unwrap().text, "Sergey Lavrov");
    }

    #[test]
    fn what_is_not_a_definition() {
        for t in [
            "@lavrov said: yes",
            " @a: person \"X\"",
            "@lavrov",
            "a@b: c",
        ] {
            assert!(defs(&p(t)).is_empty(), "{t}");
        }
    }

    #[test]
    fn properties_end_at_blank_or_unindented_line_but_not_at_comments() {
        let t = "@a: person \"A\"\n  role: x\n%% a note\n  aka: Y\n   %% indented note\n  born: 1950\nProse\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let d = defs(&r)[0];
        let keys: Vec<_> = d.properties.iter().map(|p| p.key.text.as_str()).collect();
        assert_eq!(keys, ["role", "aka", "born"]);
        assert_eq!(kinds(&r), ["definition", "comment", "comment", "paragraph"]);
        let t2 = "@a: person \"A\"\n\n  role: x\n";
        assert!(defs(&p(t2))[0].properties.is_empty());
    }

    #[test]
    fn bad_property_lines() {
        let t = "@a: person \"A\"\n  no colon here\n  member of: x\n  ok: y\n";
        let r = p(t);
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert_eq!(r.errors[0].span.slice(t), "no colon here");
        assert_eq!(r.errors[1].span.slice(t), "member of: x");
        assert_eq!(defs(&r)[0].properties.len(), 1);
    }

    #[test]
    fn definition_interrupts_a_paragraph() {
        let t = "Some prose\n@a: person \"A\"\nmore prose\n";
        assert_eq!(kinds(&p(t)), ["paragraph", "definition", "paragraph"]);
    }

    #[test]
    fn crlf_definitions() {
        let t = "@a: person \"A\"\r\n  aka: B\r\n\r\nText\r\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let d = defs(&r)[0];
        assert_eq!(d.properties[0].value.text, "B");
        assert_eq!(d.span.slice(t), "@a: person \"A\"\r\n  aka: B");
    }
}
