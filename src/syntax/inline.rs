//! Inline lexing of prose: escapes, span and bare mentions, quotation marks, attribute blocks.

use super::id::{is_valid_id, may_precede_mention, scan_id};
use super::{AttrBlock, AttrContent, IdRef, Inline, InlineKind, Mark, Span, SyntaxError};

/// Lex `range` (a heading's text or a whole paragraph) into `out`.
pub(super) fn lex_inlines(
    text: &str,
    range: Span,
    out: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
) {
    Lexer {
        text,
        end: range.end,
        start: range.start,
        out,
        errors,
        bracket_close: None,
    }
    .run()
}

struct Lexer<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    out: &'a mut Vec<Inline>,
    errors: &'a mut Vec<SyntaxError>,
    /// The last scan for a `]`: `(from, found)`. Every `[` between `from` and the `]` found
    /// closes at that same `]`, so `[[[[…` is scanned once, not once per bracket.
    bracket_close: Option<(usize, Option<usize>)>,
}

fn is_special_lead(b: u8) -> bool {
    matches!(
        b,
        b'\\' | b'[' | b'@' | b'"' | b'\'' | b'{' | b'\n' | b'\r' | 0xC2 | 0xE2
    )
}

/// After these a straight `"` opens a quotation.
fn opens_straight_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '(' | '[' | '{' | '—' | '–' | '“' | '«' | '„' | '‘' | '\''
                )
        }
    }
}

/// After these a single mark opens a single quotation.
fn opens_single_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            c.is_whitespace() || matches!(c, '(' | '[' | '{' | '—' | '–' | '"' | '“' | '«' | '„')
        }
    }
}

impl Lexer<'_> {
    fn char_at(&self, p: usize) -> Option<char> {
        if p >= self.end {
            return None;
        }
        self.text[p..].chars().next()
    }

    /// The character before `p` inside the range; `None` at the start.
    fn prev_char(&self, p: usize) -> Option<char> {
        if p <= self.start {
            return None;
        }
        self.text[self.start..p].chars().next_back()
    }

    fn push(&mut self, start: usize, end: usize, kind: InlineKind) {
        self.out.push(Inline {
            span: Span::new(start, end),
            kind,
        });
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.errors.push(SyntaxError {
            span: Span::new(start, end),
            message: message.into(),
        });
    }

    fn run(mut self) {
        let bytes = self.text.as_bytes();
        let mut p = self.start;
        let mut text_start = p;
        while p < self.end {
            if !is_special_lead(bytes[p]) {
                p += 1;
                continue;
            }
            let Some(c) = self.char_at(p) else { break };
            let clen = c.len_utf8();
            let handled = match c {
                '\\' => self.escape(p),
                '\n' | '\r' => self.newline(p),
                '[' => self.span_mention(p),
                '@' => self.bare_mention(p),
                '{' => self.stray_brace(p),
                '"' | '\'' | '“' | '”' | '‘' | '’' | '„' | '«' | '»' => self.mark(p, c),
                _ => None,
            };
            match handled {
                Some(next) => {
                    // `handled` pushed its tokens after the text before it: move the text first.
                    let pushed_from = self.first_token_at(p);
                    if text_start < p {
                        self.out.insert(
                            pushed_from,
                            Inline {
                                span: Span::new(text_start, p),
                                kind: InlineKind::Text,
                            },
                        );
                    }
                    p = next;
                    text_start = p;
                }
                None => p += clen,
            }
        }
        if text_start < self.end {
            self.push(text_start, self.end, InlineKind::Text);
        }
    }

    /// Index in `out` of the first token that starts at or after `p`.
    fn first_token_at(&self, p: usize) -> usize {
        let mut i = self.out.len();
        while i > 0 && self.out[i - 1].span.start >= p {
            i -= 1;
        }
        i
    }

    fn escape(&mut self, p: usize) -> Option<usize> {
        match self.char_at(p + 1) {
            Some(n) if n != '\n' && n != '\r' => {
                let end = p + 1 + n.len_utf8();
                self.push(p, end, InlineKind::Escape);
                Some(end)
            }
            _ => None,
        }
    }

    /// A line end; comment lines that follow inside the paragraph are folded into it.
    fn newline(&mut self, p: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut q = p;
        if b[q] == b'\r' {
            if q + 1 < self.end && b[q + 1] == b'\n' {
                q += 2;
            } else {
                return None;
            }
        } else {
            q += 1;
        }
        loop {
            let line_end = self.text[q..self.end]
                .find('\n')
                .map_or(self.end, |i| q + i + 1);
            if self.text[q..line_end].trim_start().starts_with("%%") && line_end < self.end {
                q = line_end;
            } else {
                break;
            }
        }
        self.push(p, q, InlineKind::Newline);
        Some(q)
    }

    /// The first unescaped `]` after the `[` at `p`.
    fn bracket_close(&mut self, p: usize) -> Option<usize> {
        if let Some((from, found)) = self.bracket_close {
            if from < p && found.is_none_or(|c| p < c) {
                return found;
            }
        }
        let b = self.text.as_bytes();
        let mut q = p + 1;
        let close = loop {
            if q >= self.end {
                break None;
            }
            match b[q] {
                b'\\' => q += 2,
                b']' => break Some(q),
                _ => q += 1,
            }
        };
        self.bracket_close = Some((p, close));
        close
    }

    fn span_mention(&mut self, p: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let close = self.bracket_close(p);
        let Some(close) = close else {
            self.error(
                p,
                p + 1,
                "unclosed `[`: a span mention is written `[surface text]{@id}`",
            );
            return None;
        };
        if close + 1 >= self.end || b[close + 1] != b'{' {
            // `[sic]`: plain brackets, not markup.
            return None;
        }
        let brace = close + 1;
        let surface = Span::new(p + 1, close);
        let Some(rbrace) = self.find_brace_end(brace) else {
            self.error(
                brace,
                brace + 1,
                "unclosed `{` after a span mention: expected `{@id}`",
            );
            self.push(
                p,
                brace + 1,
                InlineKind::SpanMention {
                    surface,
                    target: None,
                },
            );
            return Some(brace + 1);
        };
        let inner = Span::new(brace + 1, rbrace);
        let target = self.parse_target(inner);
        self.push(p, rbrace + 1, InlineKind::SpanMention { surface, target });
        Some(rbrace + 1)
    }

    /// The `}` closing the `{` at `brace`, on the same line.
    fn find_brace_end(&self, brace: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut q = brace + 1;
        while q < self.end {
            match b[q] {
                b'}' => return Some(q),
                b'\n' | b'{' => return None,
                _ => q += 1,
            }
        }
        None
    }

    /// `@ID` inside braces (with optional white space).
    fn parse_target(&mut self, inner: Span) -> Option<IdRef> {
        let raw = inner.slice(self.text);
        let lead = raw.len() - raw.trim_start().len();
        let t = raw.trim();
        let start = inner.start + lead;
        match t.strip_prefix('@') {
            Some("") => {
                self.error(inner.start - 1, inner.end + 1, "empty ID in `{@}`");
                None
            }
            Some(id) if is_valid_id(id) => Some(IdRef {
                id: id.to_string(),
                span: Span::new(start + 1, start + 1 + id.len()),
            }),
            Some(id) => {
                self.error(
                    start,
                    start + t.len(),
                    format!("`{id}` is not a valid ID (letters, digits and `_`, joined by single `-` or `.`)"),
                );
                None
            }
            None => {
                self.error(
                    inner.start - 1,
                    inner.end + 1,
                    format!("expected `{{@id}}` after the span mention, found `{{{raw}}}`"),
                );
                None
            }
        }
    }

    fn bare_mention(&mut self, p: usize) -> Option<usize> {
        if !may_precede_mention(self.prev_char(p)) {
            return None;
        }
        let n = scan_id(&self.text[p + 1..self.end]);
        if n == 0 {
            return None;
        }
        let span = Span::new(p + 1, p + 1 + n);
        self.push(
            p,
            span.end,
            InlineKind::BareMention(IdRef {
                id: span.slice(self.text).to_string(),
                span,
            }),
        );
        Some(span.end)
    }

    /// A `{@…}` or `{-}` that does not follow a quotation mark: report it, keep it as text.
    fn stray_brace(&mut self, p: usize) -> Option<usize> {
        if let Some(r) = self.find_brace_end(p) {
            let inner = self.text[p + 1..r].trim();
            if inner == "-" || inner.starts_with('@') {
                self.error(
                    p,
                    r + 1,
                    "an attribute block must directly follow a closing quotation mark",
                );
            }
        }
        None
    }

    fn mark(&mut self, p: usize, c: char) -> Option<usize> {
        let prev = self.prev_char(p);
        let next = self.char_at(p + c.len_utf8());
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let space_or_end = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let mark = match c {
            '"' if opens_straight_after(prev) => Mark::StraightOpen,
            '"' => Mark::StraightClose,
            '“' => Mark::CurlyOpen,
            '”' => Mark::CurlyClose,
            '«' => Mark::GuillemetOpen,
            '»' => Mark::GuillemetClose,
            '„' => Mark::LowOpen,
            '\'' | '’' if word(prev) && word(next) => return None, // don't, it's
            '\'' | '‘' if opens_single_after(prev) => {
                if space_or_end(next) {
                    return None;
                }
                Mark::SingleOpen
            }
            '‘' => Mark::SingleOpen,
            '’' if opens_single_after(prev) => return None,
            _ => Mark::SingleClose,
        };
        let end = p + c.len_utf8();
        self.push(p, end, InlineKind::Mark(mark));
        if self.text.as_bytes().get(end) == Some(&b'{') && end < self.end {
            return Some(self.attr_block(end).unwrap_or(end));
        }
        Some(end)
    }

    /// An attribute block at `p` (a `{` right after a mark). Returns the end, or `None` when
    /// the `{` is unclosed (reported; the rest is prose).
    fn attr_block(&mut self, p: usize) -> Option<usize> {
        let Some(r) = self.find_brace_end(p) else {
            self.error(
                p,
                p + 1,
                "unclosed `{`: an attribute block is `{@id}`, `{@id via=@id2}` or `{-}`",
            );
            return None;
        };
        let inner = Span::new(p + 1, r);
        let raw = inner.slice(self.text);
        let content = self.attr_content(inner, raw);
        self.push(
            p,
            r + 1,
            InlineKind::Attr(AttrBlock {
                span: Span::new(p, r + 1),
                content,
            }),
        );
        Some(r + 1)
    }

    fn attr_content(&mut self, inner: Span, raw: &str) -> AttrContent {
        if raw.trim() == "-" {
            return AttrContent::NotAQuote;
        }
        let bad = |this: &mut Self, msg: String| {
            this.error(inner.start - 1, inner.end + 1, msg);
            AttrContent::Invalid
        };
        // Words with their offsets.
        let mut words = Vec::new();
        let mut off = 0;
        for w in raw.split_whitespace() {
            let at = raw[off..].find(w).map_or(off, |i| off + i);
            words.push((inner.start + at, w));
            off = at + w.len();
        }
        let as_ref = |start: usize, w: &str| -> Option<IdRef> {
            let id = w.strip_prefix('@')?;
            is_valid_id(id).then(|| IdRef {
                id: id.to_string(),
                span: Span::new(start + 1, start + w.len()),
            })
        };
        match words.as_slice() {
            [] => bad(self, "empty attribute block: write `{@id}`, `{@id via=@id2}` or `{-}`".into()),
            [(s, w)] => match as_ref(*s, w) {
                Some(speaker) => AttrContent::Speaker { speaker, via: None },
                None if *w == "@" => bad(self, "empty ID in attribute block".into()),
                None => bad(self, format!("unknown attribute block `{{{}}}`: expected `{{@id}}`, `{{@id via=@id2}}` or `{{-}}`", raw.trim())),
            },
            [(s1, w1), (s2, w2)] if w2.starts_with("via=") => {
                let via = as_ref(s2 + 4, &w2[4..]);
                match (as_ref(*s1, w1), via) {
                    (Some(speaker), Some(via)) => AttrContent::Speaker { speaker, via: Some(via) },
                    _ => bad(self, format!("malformed attribute block `{{{}}}`: expected `{{@id via=@id2}}`", raw.trim())),
                }
            }
            _ => bad(self, format!("unknown attribute block `{{{}}}`: expected `{{@id}}`, `{{@id via=@id2}}` or `{{-}}`", raw.trim())),
        }
    }
}

/// `@ID` references inside a property value.
pub(super) fn scan_property_refs(
    text: &str,
    value: Span,
    _errors: &mut [SyntaxError],
) -> Vec<IdRef> {
    let s = value.slice(text);
    let b = s.as_bytes();
    let mut refs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'@' => {
                let prev = s[..i].chars().next_back();
                let n = scan_id(&s[i + 1..]);
                if n > 0 && may_precede_mention(prev) {
                    let start = value.start + i + 1;
                    refs.push(IdRef {
                        id: s[i + 1..i + 1 + n].to_string(),
                        span: Span::new(start, start + n),
                    });
                    i += 1 + n;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    refs
}
