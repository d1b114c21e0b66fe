//! Inline lexing of prose: escapes, span and bare mentions, quotation marks, attribute blocks.

use super::id::{is_valid_id, may_precede_mention, scan_id};
use super::{
    AttrBlock, AttrContent, IdRef, IdSpan, Inline, InlineKind, Mark, SmallText, Span, SpanMention,
    SyntaxError,
};

/// `[` offset → its matching `]` (`None`: unmatched), in text order: the lexer's scratch space,
/// reused from one block to the next.
pub(super) type Brackets = Vec<(usize, Option<usize>)>;

/// Lex `range` (a heading's text or a whole paragraph), appending its tokens to `out`.
pub(super) fn lex_inlines(
    text: &str,
    range: Span,
    out: &mut Vec<Inline>,
    errors: &mut Vec<SyntaxError>,
    brackets: &mut Brackets,
) {
    brackets.clear();
    Lexer {
        text,
        end: range.end,
        start: range.start,
        first: out.len(),
        out,
        errors,
        brackets,
        scanned_to: range.start,
        next_bracket: 0,
    }
    .run()
}

struct Lexer<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// Where this block's tokens start in `out` (which holds the earlier blocks' too).
    first: usize,
    out: &'a mut Vec<Inline>,
    errors: &'a mut Vec<SyntaxError>,
    /// The `[`s before `scanned_to`.
    brackets: &'a mut Brackets,
    scanned_to: usize,
    /// Cursor into `brackets`: brackets are looked up in increasing order.
    next_bracket: usize,
}

/// Bytes that may start markup: everything else is plain text and skipped in one step.
/// (0xC2 and 0xE2 lead the UTF-8 encodings of `«»` and of `‘’“”„`.)
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    let bytes = b"\\[@\"'{\n\r\xC2\xE2";
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// The first offset in `from..end` whose byte is in [`SPECIAL`], or `end`.
fn next_special(b: &[u8], from: usize, end: usize) -> usize {
    let end = end.min(b.len());
    let mut i = from;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
        // available; each unaligned 16-byte load starts at `i` with `i + 16 <= end <= b.len()`.
        unsafe {
            let n = |c: u8| _mm_set1_epi8(c as i8);
            let needles = [
                n(b'\\'),
                n(b'['),
                n(b'@'),
                n(b'"'),
                n(b'\''),
                n(b'{'),
                n(b'\n'),
                n(b'\r'),
                n(0xC2),
                n(0xE2),
            ];
            while i + 16 <= end {
                let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                let mut hit = _mm_cmpeq_epi8(v, needles[0]);
                for needle in &needles[1..] {
                    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, *needle));
                }
                let mask = _mm_movemask_epi8(hit) as u32;
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while i < end && !SPECIAL[b[i] as usize] {
        i += 1;
    }
    i
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

    /// Whether a word ends at `p`: a letter or digit, or a mention (`[Abe]{@abe}'s`) when
    /// `after_token` (no text pending between the last token and `p`).
    fn word_before(&self, p: usize, after_token: bool) -> bool {
        if self.prev_char(p).is_some_and(char::is_alphanumeric) {
            return true;
        }
        after_token
            && self.last().is_some_and(|t| {
                t.span.end == p
                    && matches!(
                        t.kind,
                        InlineKind::SpanMention(_) | InlineKind::BareMention(_)
                    )
            })
    }

    /// This block's last token so far.
    fn last(&self) -> Option<&Inline> {
        self.out[self.first..].last()
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
            p = next_special(bytes, p, self.end);
            let Some(c) = self.char_at(p) else { break };
            let clen = c.len_utf8();
            if !matches!(
                c,
                '\\' | '\n'
                    | '\r'
                    | '['
                    | '@'
                    | '{'
                    | '"'
                    | '\''
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '„'
                    | '«'
                    | '»'
            ) {
                p += clen; // `—`, `…`, `é`: text
                continue;
            }
            // The text before is pushed first; a handler that declines pushes nothing, and then
            // that text token is taken back so that the text runs on.
            let after_token = text_start == p;
            let mark = self.out.len();
            if !after_token {
                self.push(text_start, p, InlineKind::Text);
            }
            let handled = match c {
                '\\' => self.escape(p),
                '\n' | '\r' => self.newline(p),
                '[' => self.span_mention(p),
                '@' => self.bare_mention(p),
                '{' => self.stray_brace(p),
                _ => self.mark(p, c, after_token),
            };
            match handled {
                Some(next) => {
                    p = next;
                    text_start = p;
                }
                None => {
                    self.out.truncate(mark);
                    p += clen;
                }
            }
        }
        if text_start < self.end {
            self.push(text_start, self.end, InlineKind::Text);
        }
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
            // A comment line starts with blanks and `%%`; only then look for its end.
            let mut r = q;
            while r < self.end && matches!(b[r], b' ' | b'\t') {
                r += 1;
            }
            if !b[r..self.end].starts_with(b"%%") {
                break;
            }
            match b[r..self.end].iter().position(|&c| c == b'\n') {
                Some(i) => q = r + i + 1,
                None => break, // the paragraph does not end with a comment line
            }
        }
        self.push(p, q, InlineKind::Newline);
        Some(q)
    }

    /// The `]` matching the `[` at `p`, if any. Brackets nest, so that `[the [new] plan]{@x}`
    /// links the whole surface and a stray `[` does not swallow the next mention's `]`. Each
    /// byte is scanned at most once: a scan from an outer `[` records its inner brackets.
    fn matching_bracket(&mut self, p: usize) -> Option<usize> {
        if p >= self.scanned_to {
            self.scan_brackets(p);
        }
        let brackets = &*self.brackets;
        while self.next_bracket < brackets.len() && brackets[self.next_bracket].0 < p {
            self.next_bracket += 1;
        }
        match brackets.get(self.next_bracket) {
            Some(&(open, close)) if open == p => close,
            _ => None,
        }
    }

    /// Match brackets from the `[` at `p` until it closes or the range ends (escapes skipped).
    /// The open brackets of this scan are its entries still without a `]`; a `]` closes the
    /// last of them (brackets nest shallowly, so the backward search is short).
    fn scan_brackets(&mut self, p: usize) {
        let b = self.text.as_bytes();
        let first = self.brackets.len();
        self.brackets.push((p, None));
        let mut open = 1;
        let mut i = p + 1;
        while i < self.end && open > 0 {
            match b[i] {
                b'\\' => i += 1,
                b'[' => {
                    self.brackets.push((i, None));
                    open += 1;
                }
                b']' => {
                    if let Some(k) = self.brackets[first..].iter().rposition(|e| e.1.is_none()) {
                        self.brackets[first + k].1 = Some(i);
                        open -= 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.scanned_to = i.min(self.end);
    }

    fn span_mention(&mut self, p: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let Some(close) = self.matching_bracket(p) else {
            self.error(
                p,
                p + 1,
                "unclosed `[`: a span mention is written `[surface text]{@id}`; write `\\[` for a literal bracket",
            );
            return None;
        };
        if close + 1 >= self.end || b[close + 1] != b'{' {
            // `[sic]`: plain brackets, not markup.
            return None;
        }
        let brace = close + 1;
        // Past 4 GiB of text: plain brackets.
        let mention = SpanMention::new(Span::new(p + 1, close), None)?;
        let kind = |target| InlineKind::SpanMention(SpanMention { target, ..mention });
        if let Some((id, rbrace)) = self.simple_target(brace) {
            self.push(p, rbrace + 1, kind(IdSpan::new(id)));
            return Some(rbrace + 1);
        }
        let Some(rbrace) = self.find_brace_end(brace) else {
            self.error(
                brace,
                brace + 1,
                "unclosed `{` after a span mention: expected `{@id}` on the same line",
            );
            self.push(p, brace + 1, kind(None));
            return Some(brace + 1);
        };
        let inner = Span::new(brace + 1, rbrace);
        let target = self.parse_target(inner);
        self.push(p, rbrace + 1, kind(target));
        Some(rbrace + 1)
    }

    /// The common form of a span mention's target and of an attribute block, `{@id}` (blanks
    /// around the ID allowed), at `brace`: the ID's span and the `}`. Anything else is `None`
    /// and goes the general way, which reports what is wrong; for this form both agree.
    fn simple_target(&self, brace: usize) -> Option<(Span, usize)> {
        let b = self.text.as_bytes();
        let skip_blanks = |mut q: usize| {
            while q < self.end && matches!(b[q], b' ' | b'\t') {
                q += 1;
            }
            q
        };
        let at = skip_blanks(brace + 1);
        if at >= self.end || b[at] != b'@' {
            return None;
        }
        let n = scan_id(&self.text[at + 1..self.end]);
        let close = skip_blanks(at + 1 + n);
        (n > 0 && close < self.end && b[close] == b'}')
            .then(|| (Span::new(at + 1, at + 1 + n), close))
    }

    fn id_ref(&self, span: Span) -> IdRef {
        IdRef {
            id: SmallText::new(span.slice(self.text)),
            span,
        }
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

    /// `@ID` inside the braces of a span mention (white space around it is allowed).
    fn parse_target(&mut self, inner: Span) -> Option<IdSpan> {
        let raw = inner.slice(self.text);
        let lead = raw.len() - raw.trim_start().len();
        let t = raw.trim();
        let start = inner.start + lead;
        match t.strip_prefix('@') {
            Some("") => {
                self.error(inner.start - 1, inner.end + 1, "empty ID in `{@}`");
                None
            }
            Some(id) if is_valid_id(id) => IdSpan::new(Span::new(start + 1, start + 1 + id.len())),
            Some(id) if id.contains(char::is_whitespace) => {
                self.error(
                    inner.start - 1,
                    inner.end + 1,
                    format!("a span mention links one entity: expected `{{@id}}`, found `{{{t}}}` (`via=` belongs to a quotation's attribute block)"),
                );
                None
            }
            Some(id) => {
                self.error(start, start + t.len(), bad_id_message(id));
                None
            }
            None => {
                self.error(
                    inner.start - 1,
                    inner.end + 1,
                    format!("expected `{{@id}}` after the span mention, found `{{{t}}}`"),
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
        let id = IdSpan::new(span)?;
        self.push(p, span.end, InlineKind::BareMention(id));
        Some(span.end)
    }

    /// A `{` that does not follow a quotation mark or a span mention's `]`. An unclosed one is
    /// reported; so is a closed one holding an attribute block, which is then kept as text as a
    /// whole (its `@id` is not a mention). Other braces are prose.
    fn stray_brace(&mut self, p: usize) -> Option<usize> {
        let after_mark = self
            .last()
            .is_some_and(|t| t.span.end == p && matches!(t.kind, InlineKind::Mark(_)));
        let Some(r) = self.find_brace_end(p) else {
            // After a mark, `attr_block` has already reported it.
            if !after_mark {
                self.error(
                    p,
                    p + 1,
                    "unclosed `{`: braces hold `{@id}` after a quotation or a `[surface]`; write `\\{` for a literal brace",
                );
            }
            return None;
        };
        let inner = self.text[p + 1..r].trim();
        if inner == "-" || inner.starts_with('@') {
            let message = if self.prev_char(p) == Some(']') {
                "this block is not attached to a span mention: a `]` inside the surface text must be written `\\]`"
            } else {
                "an attribute block must directly follow a closing quotation mark, with no space between"
            };
            self.error(p, r + 1, message);
            self.push(p, r + 1, InlineKind::Text);
            return Some(r + 1);
        }
        None
    }

    fn mark(&mut self, p: usize, c: char, after_token: bool) -> Option<usize> {
        let prev = self.prev_char(p);
        let next = self.char_at(p + c.len_utf8());
        let word_before = self.word_before(p, after_token);
        let word_after = next.is_some_and(char::is_alphanumeric);
        let space_or_end = next.is_none_or(char::is_whitespace);
        let mark = match c {
            '"' if opens_straight_after(prev) => Mark::StraightOpen,
            '"' => Mark::StraightClose,
            '“' => Mark::CurlyOpen,
            '”' => Mark::CurlyClose,
            '«' => Mark::GuillemetOpen,
            '»' => Mark::GuillemetClose,
            '„' => Mark::LowOpen,
            // An apostrophe inside a word: `don't`, `it’s`, `[Abe]{@abe}'s`.
            '\'' | '’' if word_before && word_after => return None,
            // An elision before a number: `'90s`, `’05`.
            '\'' | '’' if !word_before && next.is_some_and(|n| n.is_ascii_digit()) => {
                return None
            }
            '\'' | '‘' if opens_single_after(prev) => {
                if space_or_end {
                    return None; // a lone mark between spaces
                }
                Mark::SingleOpen
            }
            '‘' => Mark::SingleOpen,
            // `’` can only close; after a space it is an elision (`’tis`).
            '’' if opens_single_after(prev) => return None,
            _ => Mark::SingleClose,
        };
        let end = p + c.len_utf8();
        self.push(p, end, InlineKind::Mark(mark));
        if end < self.end && self.text.as_bytes()[end] == b'{' {
            return Some(self.attr_block(end).unwrap_or(end));
        }
        Some(end)
    }

    /// An attribute block at `p` (a `{` right after a mark). Returns the end, or `None` when
    /// the `{` is unclosed (reported; the rest is prose).
    fn attr_block(&mut self, p: usize) -> Option<usize> {
        if let Some((id, r)) = self.simple_target(p) {
            let speaker = self.id_ref(id);
            self.push(
                p,
                r + 1,
                InlineKind::Attr(Box::new(AttrBlock {
                    span: Span::new(p, r + 1),
                    content: AttrContent::Speaker { speaker, via: None },
                })),
            );
            return Some(r + 1);
        }
        let Some(r) = self.find_brace_end(p) else {
            self.error(
                p,
                p + 1,
                "unclosed `{`: an attribute block is `{@id}`, `{@id via=@id2}` or `{-}` on one line",
            );
            return None;
        };
        let inner = Span::new(p + 1, r);
        let content = self.attr_content(inner);
        self.push(
            p,
            r + 1,
            InlineKind::Attr(Box::new(AttrBlock {
                span: Span::new(p, r + 1),
                content,
            })),
        );
        Some(r + 1)
    }

    fn attr_content(&mut self, inner: Span) -> AttrContent {
        let raw = inner.slice(self.text);
        if raw.trim() == "-" {
            return AttrContent::NotAQuote;
        }
        let block = Span::new(inner.start - 1, inner.end + 1);
        let bad = |this: &mut Self, span: Span, msg: String| {
            this.error(span.start, span.end, msg);
            AttrContent::Invalid
        };
        // Words with their offsets; three or more are all alike (unknown), so no more are kept.
        let mut words = [(0, ""); 3];
        let mut n = 0;
        for w in raw.split_whitespace().take(3) {
            // `w` is a piece of `raw`: its offset is where it starts in memory.
            let at = w.as_ptr() as usize - raw.as_ptr() as usize;
            words[n] = (inner.start + at, w);
            n += 1;
        }
        let words = &words[..n];
        let unknown = || {
            format!(
                "unknown attribute block `{{{}}}`: expected `{{@id}}`, `{{@id via=@id2}}` or `{{-}}`",
                raw.trim()
            )
        };
        // `@id` as a reference, or the error to report.
        let as_ref = |start: usize, w: &str| -> Result<IdRef, (Span, String)> {
            let span = Span::new(start, start + w.len());
            match w.strip_prefix('@') {
                Some("") => Err((span, "empty ID after `@` in the attribute block".into())),
                Some(id) if is_valid_id(id) => Ok(IdRef {
                    id: SmallText::new(id),
                    span: Span::new(start + 1, start + w.len()),
                }),
                Some(id) => Err((span, bad_id_message(id))),
                None => Err((block, unknown())),
            }
        };
        match words {
            [] => bad(
                self,
                block,
                "empty attribute block: write `{@id}`, `{@id via=@id2}` or `{-}`".into(),
            ),
            [(s, w)] => match as_ref(*s, w) {
                Ok(speaker) => AttrContent::Speaker { speaker, via: None },
                Err((span, msg)) => bad(self, span, msg),
            },
            [(s1, w1), (s2, w2)] if w2.starts_with("via=") => {
                match (as_ref(*s1, w1), as_ref(s2 + 4, &w2[4..])) {
                    (Ok(speaker), Ok(via)) => AttrContent::Speaker {
                        speaker,
                        via: Some(via),
                    },
                    (Err((span, msg)), _) => bad(self, span, msg),
                    (_, Err(_)) => bad(
                        self,
                        Span::new(*s2, s2 + w2.len()),
                        format!("malformed `{w2}`: expected `via=@id`"),
                    ),
                }
            }
            _ => bad(self, block, unknown()),
        }
    }
}

fn bad_id_message(id: &str) -> String {
    format!("`{id}` is not a valid ID (letters, digits and `_`, joined by single `-` or `.`)")
}

/// `@ID` references inside a property value (`\@` escapes; `press@mid.ru` is not one).
pub(super) fn scan_property_refs(text: &str, value: Span) -> Vec<IdRef> {
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
                        id: SmallText::new(&s[i + 1..i + 1 + n]),
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

#[cfg(test)]
mod tests {
    use crate::syntax::{parse, AttrContent, Block, InlineKind, Mark, Parse, ParseOptions};

    fn p(text: &str) -> Parse {
        parse(text, &ParseOptions::default())
    }

    /// The first prose block's tokens, as (kind, source text).
    fn toks(text: &str) -> Vec<(String, String)> {
        let r = p(text);
        let block = r.blocks.iter().find(|b| b.inlines().is_some()).unwrap();
        block
            .inlines()
            .unwrap()
            .iter()
            .map(|t| {
                let k = match &t.kind {
                    InlineKind::Text => "text".to_string(),
                    InlineKind::Escape => "esc".to_string(),
                    InlineKind::Newline => "nl".to_string(),
                    InlineKind::SpanMention(m) => format!(
                        "span[{}]->{}",
                        m.surface(t.span).slice(text),
                        m.target.map_or("?", |t| t.id(text))
                    ),
                    InlineKind::BareMention(id) => format!("bare->{}", id.id(text)),
                    InlineKind::Mark(m) => format!("{m:?}"),
                    InlineKind::Attr(a) => format!("attr:{:?}", a.content),
                };
                (k, t.span.slice(text).to_string())
            })
            .collect()
    }

    fn kinds(text: &str) -> Vec<String> {
        toks(text).into_iter().map(|(k, _)| k).collect()
    }

    fn errors(text: &str) -> Vec<(String, String)> {
        p(text)
            .errors
            .iter()
            .map(|e| (e.span.slice(text).to_string(), e.message.clone()))
            .collect()
    }

    #[test]
    fn next_special_agrees_with_the_table() {
        let scalar = |b: &[u8], from: usize, end: usize| {
            (from..end)
                .find(|&i| super::SPECIAL[b[i] as usize])
                .unwrap_or(end)
        };
        // Every special byte at every offset and alignment, among plain and multibyte text.
        let mut texts = vec!["plain text only, no markup at all here!!".to_string()];
        for sp in [
            '\\', '[', '@', '"', '\'', '{', '\n', '\r', '«', '“', 'é', '日',
        ] {
            for at in 0..40 {
                let mut s: String = "abcdefghijklmnopqrstuvwxyz0123456789"
                    .chars()
                    .cycle()
                    .take(at)
                    .collect();
                s.push(sp);
                s.push_str("tail of some length, then more");
                texts.push(s);
            }
        }
        for t in &texts {
            let b = t.as_bytes();
            for from in 0..b.len() {
                for end in [
                    from,
                    (from + 5).min(b.len()),
                    (from + 17).min(b.len()),
                    b.len(),
                ] {
                    assert_eq!(
                        super::next_special(b, from, end),
                        scalar(b, from, end),
                        "{t:?} {from}..{end}"
                    );
                }
            }
        }
    }

    #[test]
    fn tokens_tile_the_block() {
        let t = "A [b]{@b} said \"c\"{@b} and @d.";
        let r = p(t);
        let Block::Paragraph(para) = &r.blocks[0] else {
            panic!()
        };
        let joined: String = para.inlines.iter().map(|i| i.span.slice(t)).collect();
        assert_eq!(joined, t);
    }

    #[test]
    fn span_mentions() {
        assert_eq!(
            toks("[Sergey Lavrov]{@lavrov} said"),
            [
                (
                    "span[Sergey Lavrov]->lavrov".into(),
                    "[Sergey Lavrov]{@lavrov}".into()
                ),
                ("text".into(), " said".into())
            ]
        );
        assert_eq!(kinds("[a \\] b]{ @x }"), ["span[a \\] b]->x"]);
        assert_eq!(kinds("[\"quoted\" name]{@x}"), ["span[\"quoted\" name]->x"]);
        assert_eq!(kinds("[the [new] plan]{@x}"), ["span[the [new] plan]->x"]);
        assert_eq!(kinds("[sic] then [X]{@a}"), ["text", "span[X]->a"]);
        assert!(errors("[sic] then [X]{@a}").is_empty());
    }

    #[test]
    fn span_mention_across_a_line_break() {
        let t = "He met [Sergey\nLavrov]{@lavrov} today.";
        assert_eq!(kinds(t), ["text", "span[Sergey\nLavrov]->lavrov", "text"]);
        assert!(errors(t).is_empty());
    }

    #[test]
    fn span_mention_errors() {
        let e = errors("a [b c");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "[");
        assert!(e[0].1.starts_with("unclosed `[`"));
        // A stray `[` no longer swallows the next mention.
        let t = "a [b [C]{@c}";
        assert_eq!(kinds(t), ["text", "span[C]->c"]);
        assert_eq!(errors(t).len(), 1);

        let t = "[X]{@a b";
        // The unclosed brace is reported; `@a` after `{` is a bare mention like any other.
        assert_eq!(kinds(t), ["span[X]->?", "bare->a", "text"]);
        let e = errors(t);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, "{");
        assert!(e[0].1.contains("unclosed `{`"));

        let e = errors("[X]{@}");
        assert_eq!(e, [("{@}".to_string(), "empty ID in `{@}`".to_string())]);
        let e = errors("[X]{foo}");
        assert_eq!(e[0].0, "{foo}");
        assert!(e[0].1.contains("expected `{@id}`"));
        let e = errors("[X]{@a--b}");
        assert_eq!(e[0].0, "@a--b");
        assert!(e[0].1.contains("not a valid ID"));
        assert_eq!(kinds("[X]{foo}"), ["span[X]->?"]);
    }

    #[test]
    fn brackets_without_braces_are_text() {
        assert_eq!(kinds("He [the minister] said"), ["text"]);
        assert_eq!(kinds("[X] {@a}"), ["text", "text"]);
        assert!(errors("[X] {@a}")[0].1.contains("closing quotation mark"));
        let e = errors("[a]b]{@x}");
        assert!(e[0].1.contains("must be written `\\]`"), "{e:?}");
    }

    #[test]
    fn bare_mentions() {
        assert_eq!(kinds("@lavrov said"), ["bare->lavrov", "text"]);
        assert_eq!(
            toks("Ask @lavrov."),
            [
                ("text".into(), "Ask ".into()),
                ("bare->lavrov".into(), "@lavrov".into()),
                ("text".into(), ".".into())
            ]
        );
        assert_eq!(kinds("Mail reporter@example.com now"), ["text"]);
        assert_eq!(kinds("x \\@lavrov"), ["text", "esc", "text"]);
        assert_eq!(
            kinds("a (@b) [@c]"),
            ["text", "bare->b", "text", "bare->c", "text"]
        );
        // `{@d}` in prose is a stray attribute block (an error, kept as text); after an
        // unclosed `{` the `@d` is a mention.
        assert_eq!(kinds("a {@d}"), ["text", "text"]);
        assert_eq!(kinds("a {@d"), ["text", "bare->d"]);
        assert_eq!(kinds("—@a –@b"), ["text", "bare->a", "text", "bare->b"]);
        assert_eq!(kinds("the @mfa-ru-"), ["text", "bare->mfa-ru", "text"]);
        assert_eq!(kinds("@ alone and @@x"), ["text"]);
        assert_eq!(
            kinds("“@a” says"),
            ["CurlyOpen", "bare->a", "CurlyClose", "text"]
        );
        assert_eq!(kinds("a\n@b"), ["text", "nl", "bare->b"]);
    }

    #[test]
    fn straight_marks_open_after_space_or_opening_punctuation() {
        assert_eq!(kinds("\"a\""), ["StraightOpen", "text", "StraightClose"]);
        assert_eq!(
            kinds("(\"a\") —\"b\" x\"c"),
            [
                "text",
                "StraightOpen",
                "text",
                "StraightClose",
                "text",
                "StraightOpen",
                "text",
                "StraightClose",
                "text",
                "StraightClose",
                "text"
            ]
        );
    }

    #[test]
    fn apostrophes_and_single_marks() {
        assert_eq!(kinds("don't it’s"), ["text"]);
        assert_eq!(
            kinds("[Abe]{@abe}'s visit @abe’s"),
            ["span[Abe]->abe", "text", "bare->abe", "text"]
        );
        assert_eq!(kinds("in the '90s and ’05"), ["text"]);
        assert_eq!(kinds("’tis"), ["text"]);
        assert_eq!(kinds("the Tories' plans"), ["text", "SingleClose", "text"]);
        assert_eq!(
            kinds("'a' ‘b’"),
            [
                "SingleOpen",
                "text",
                "SingleClose",
                "text",
                "SingleOpen",
                "text",
                "SingleClose"
            ]
        );
        assert_eq!(kinds("a ' b"), ["text"]);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            toks("\\[x\\] \\{ \\\" \\\\ \\“"),
            [
                ("esc".into(), "\\[".into()),
                ("text".into(), "x".into()),
                ("esc".into(), "\\]".into()),
                ("text".into(), " ".into()),
                ("esc".into(), "\\{".into()),
                ("text".into(), " ".into()),
                ("esc".into(), "\\\"".into()),
                ("text".into(), " ".into()),
                ("esc".into(), "\\\\".into()),
                ("text".into(), " ".into()),
                ("esc".into(), "\\“".into()),
            ]
        );
        assert!(errors("\\[ \\{").is_empty());
        // A backslash at the end of a line is kept as text.
        assert_eq!(kinds("a\\\nb"), ["text", "nl", "text"]);
    }

    #[test]
    fn attribute_blocks() {
        let t = "\"a b c d\"{@x via=@y}";
        let r = p(t);
        let attr = r.quotes[0].attr.as_ref().unwrap();
        match &attr.content {
            AttrContent::Speaker { speaker, via } => {
                assert_eq!(speaker.span.slice(t), "x");
                assert_eq!(via.as_ref().unwrap().span.slice(t), "y");
            }
            c => panic!("{c:?}"),
        }
        assert_eq!(
            p("\"a\"{ - }").quotes[0].attr.as_ref().unwrap().content,
            AttrContent::NotAQuote
        );
        for (t, at, msg) in [
            ("\"a\"{}", "{}", "empty attribute block"),
            ("\"a\"{@}", "@", "empty ID"),
            ("\"a\"{@x.}", "@x.", "not a valid ID"),
            ("\"a\"{x}", "{x}", "unknown attribute block"),
            ("\"a\"{@x via=y}", "via=y", "expected `via=@id`"),
            ("\"a\"{@x @y}", "{@x @y}", "unknown attribute block"),
            ("\"a\"{@x", "{", "unclosed `{`"),
        ] {
            let e = errors(t);
            assert_eq!(e.len(), 1, "{t}: {e:?}");
            assert_eq!(e[0].0, at, "{t}");
            assert!(e[0].1.contains(msg), "{t}: {}", e[0].1);
        }
    }

    #[test]
    fn stray_blocks_and_braces() {
        let e = errors("He {@a} said");
        assert_eq!(e[0].0, "{@a}");
        let e = errors("x {-} y");
        assert_eq!(e[0].0, "{-}");
        assert!(errors("a {b} c").is_empty(), "other braces are prose");
        let e = errors("a { b");
        assert_eq!(e[0].0, "{");
        assert!(e[0].1.contains("unclosed `{`"));
        // An attribute block after an opening mark is stray too.
        let e = errors("x \"{@a} y\"");
        assert_eq!(e[0].0, "{@a}");
    }

    #[test]
    fn marks_and_attr_tokens() {
        assert_eq!(
            kinds("«a»{@x} „b“ “c”"),
            ["GuillemetOpen", "text", "GuillemetClose", "attr:Speaker { speaker: IdRef { id: \"x\", span: Span { start: 7, end: 8 } }, via: None }", "text", "LowOpen", "text", "CurlyOpen", "text", "CurlyOpen", "text", "CurlyClose"]
        );
        let _ = Mark::LowOpen;
    }

    #[test]
    fn newlines_fold_comment_lines_and_crlf() {
        let t = "a\r\n%% c\r\nb";
        assert_eq!(
            toks(t),
            [
                ("text".into(), "a".into()),
                ("nl".into(), "\r\n%% c\r\n".into()),
                ("text".into(), "b".into())
            ]
        );
    }

    #[test]
    fn property_refs() {
        let t = "@a: org \"A\"\n  parties: @russia, @japan; (@u.n.) x@y \\@z\n";
        let r = p(t);
        let Block::Definition(d) = &r.blocks[0] else {
            panic!()
        };
        let ids: Vec<_> = d.properties[0]
            .refs
            .iter()
            .map(|r| r.span.slice(t))
            .collect();
        assert_eq!(ids, ["russia", "japan", "u.n"]);
    }
}
