//! The prose of a file as a flat stream of tokens for attribution: words, punctuation,
//! mentions (with their entity's kind) and whole quotations as single units, split into
//! paragraphs. A quotation that spans paragraphs joins them into one.

use super::lexicon::is_s_contraction;
use super::Lookup;
use crate::analysis::entity::{Entity, EntityKind};
use crate::analysis::file::FileData;
use crate::syntax::{unescape, Block, InlineKind, Span};
use fnv::FnvHashMap as FnvMap;
use std::borrow::Cow;
use std::cell::{Cell, OnceCell};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokKind {
    Word,
    Punct(char),
    /// A span or bare mention.
    Mention {
        /// Index into `Prose::ids`.
        id: u32,
        /// `None` when the ID resolves to nothing or to a definition with an unknown kind.
        kind: Option<EntityKind>,
    },
    /// A top-level quotation (index into `Parse::quotes`), marks and attribute block included.
    Quote(u32),
    /// `'s` or a lone `'` after a word or mention.
    Possessive,
}

/// A token: 32 bytes (offsets as `u32`, the lowercase borrowed, a mention's ID as an index,
/// the two flags in the top bits of the end offset), so that the token vector of a large file
/// (a token every 12 bytes or so) moves less memory.
#[derive(Clone, Debug)]
pub(super) struct Tok<'a> {
    pub kind: TokKind,
    /// Source span (`attribute` leaves files of [`MAX_TEXT`] bytes or more to the fallback).
    start: u32,
    /// The end offset, with [`CAP_FLAG`] and [`UPPER_FLAG`].
    end_flags: u32,
    /// Lowercased text: the word, or a mention's surface text. A slice of the file's
    /// lowercased copy for the common ASCII word, else kept in [`Owned`].
    pub lower: &'a str,
}

/// The texts whose tokens' offsets leave the top two bits free for the flags: under 1 GiB.
pub(super) const MAX_TEXT: usize = 1 << 30;
/// The text starts with an uppercase letter.
const CAP_FLAG: u32 = 1 << 31;
/// A word of two or more letters, all of them capitals (`QC`, `BBC`).
const UPPER_FLAG: u32 = 1 << 30;

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Tok<'static>>() == 32);

impl<'a> Tok<'a> {
    fn new(kind: TokKind, span: Span, lower: &'a str, cap: bool, upper: bool) -> Tok<'a> {
        debug_assert!(span.end < MAX_TEXT, "offsets under MAX_TEXT");
        let flags = (u32::from(cap) << CAP_FLAG.trailing_zeros())
            | (u32::from(upper) << UPPER_FLAG.trailing_zeros());
        Tok {
            kind,
            start: span.start as u32,
            end_flags: span.end as u32 | flags,
            lower,
        }
    }

    /// The source span.
    pub(super) fn span(&self) -> Span {
        let end = self.end_flags & !(CAP_FLAG | UPPER_FLAG);
        Span::new(self.start as usize, end as usize)
    }

    /// The text starts with an uppercase letter.
    pub(super) fn cap(&self) -> bool {
        self.end_flags & CAP_FLAG != 0
    }

    /// A word of two or more letters, all of them capitals (`QC`, `BBC`).
    pub(super) fn upper(&self) -> bool {
        self.end_flags & UPPER_FLAG != 0
    }

    /// The lowercased text.
    pub(super) fn low(&self) -> &'a str {
        self.lower
    }

    pub(super) fn word(&self) -> Option<&'a str> {
        matches!(self.kind, TokKind::Word).then_some(self.lower)
    }

    pub(super) fn is_word(&self, w: &str) -> bool {
        self.word() == Some(w)
    }

    pub(super) fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }

    pub(super) fn quote(&self) -> Option<usize> {
        match self.kind {
            TokKind::Quote(q) => Some(q as usize),
            _ => None,
        }
    }

    /// A dash that sets off a parenthetical (`-` standing alone, `–`, `—`).
    pub(super) fn is_dash(&self) -> bool {
        matches!(self.kind, TokKind::Punct('-' | '–' | '—'))
    }
}

/// The lowercase forms that are not slices of the file's lowercased copy (words beyond ASCII,
/// words with escapes, mentions' shown names), kept for as long as the tokens that borrow them.
/// Each slot is set once and never moves (a full chunk chains one twice as large), so the
/// tokens can hold plain `&str` without `unsafe`.
pub(super) struct Owned {
    slots: Box<[OnceCell<String>]>,
    used: Cell<usize>,
    next: OnceCell<Box<Owned>>,
}

impl Default for Owned {
    fn default() -> Owned {
        Owned::with(32)
    }
}

impl Owned {
    fn with(n: usize) -> Owned {
        Owned {
            slots: (0..n).map(|_| OnceCell::new()).collect(),
            used: Cell::new(0),
            next: OnceCell::new(),
        }
    }

    /// Keep `s`, and borrow it for as long as `self` lives.
    pub(super) fn keep(&self, s: String) -> &str {
        let mut at = self;
        loop {
            let i = at.used.get();
            if i < at.slots.len() {
                at.used.set(i + 1);
                return at.slots[i].get_or_init(|| s);
            }
            at = at
                .next
                .get_or_init(|| Box::new(Owned::with(at.slots.len() * 2)));
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Para {
    /// Token range.
    pub start: usize,
    pub end: usize,
    pub heading: bool,
}

#[derive(Debug, Default)]
pub(super) struct Prose<'a> {
    pub toks: Vec<Tok<'a>>,
    pub paras: Vec<Para>,
    /// For each quotation of `Parse::quotes`, the index of its token (top-level ones only).
    pub quote_tok: Vec<Option<usize>>,
    /// The quotation tokens, in order: inference visits these instead of every token.
    pub quote_at: Vec<u32>,
    /// The tokens that may end a sentence (`.`, `?`, `!`, `…` and quotations), in order: the
    /// sentence split visits these instead of every token.
    pub stops: Vec<u32>,
    /// The entity ID of each mention token (`TokKind::Mention::id`).
    pub ids: Vec<&'a str>,
    /// The token of each mention, in the same order (ascending): passes that look at mentions
    /// only walk these instead of every token.
    pub mention_at: Vec<u32>,
    /// Each mention of a person, in order: its index into `ids` and its lowercase surface. The
    /// gender votes read these instead of visiting every mention's token, which in a large
    /// file is a cache miss each.
    pub persons: Vec<(u32, &'a str)>,
}

/// A run of prose between mentions and quotations. While its characters are a contiguous
/// stretch of the source (the usual case) it is just that byte range, lexed in place; an
/// escape, a gap or a line end that is not plain white space turns it into characters with
/// their source spans.
#[derive(Default)]
struct Run {
    chars: Vec<(char, Span)>,
    /// The run is `chars` (else the source range `start..end`, if `has`).
    in_chars: bool,
    has: bool,
    start: usize,
    end: usize,
}

impl Run {
    /// Source text that reads as itself.
    fn push_src(&mut self, text: &str, span: Span) {
        if self.in_chars {
            push_chars(&mut self.chars, text, span);
        } else if !self.has {
            self.has = true;
            self.start = span.start;
            self.end = span.end;
        } else if span.start == self.end {
            self.end = span.end;
        } else {
            self.spill(text);
            push_chars(&mut self.chars, text, span);
        }
    }

    /// A character that stands for other source text (an escape, a line end).
    fn push_char(&mut self, text: &str, c: char, span: Span) {
        if !self.in_chars {
            self.spill(text);
        }
        self.chars.push((c, span));
    }

    fn spill(&mut self, text: &str) {
        if self.has {
            push_chars(&mut self.chars, text, Span::new(self.start, self.end));
        }
        self.in_chars = true;
    }
}

fn push_chars(chars: &mut Vec<(char, Span)>, text: &str, span: Span) {
    let mut at = span.start;
    for c in span.slice(text).chars() {
        let n = c.len_utf8();
        chars.push((c, Span::new(at, at + n)));
        at += n;
    }
}

/// The most tokens reserved up front (32 MiB of them, for about 10 MB of prose): past that,
/// the vector grows by doubling again, so a huge file without prose reserves no more.
const MAX_TOKEN_RESERVE: usize = 1 << 20;

/// `lowered` is `file.text` with ASCII letters lowercased (same byte offsets); `owned` keeps
/// the lowercase forms that are not slices of it.
pub(super) fn build<'a>(
    file: &'a FileData,
    lowered: &'a str,
    owned: &'a Owned,
    lookup: &Lookup<'_>,
) -> Prose<'a> {
    let text = &file.text;
    let quotes = &file.parse().quotes;
    let mut top: Vec<usize> = (0..quotes.len()).filter(|&i| !quotes[i].nested).collect();
    top.sort_by_key(|&i| quotes[i].open.start);
    let mentions = file.parse().mentions().len();
    let mut prose = Prose {
        // A token every 11-19 bytes of news prose with markup (the corpus, the example, the
        // benchmark's documents): reserve one every 10 bytes. Grown by doubling instead, the
        // vector of a 1 MB file was copied five times (4 MB moved through the cache, the
        // larger part of the 1 MB check's extra memory traffic), and its peak was 1.5x the
        // final capacity while the last copy was made.
        toks: Vec::with_capacity((text.len() / 10).min(MAX_TOKEN_RESERVE)),
        // The side lists too, from the counts at hand (at most one paragraph per block, one
        // entry per top-level quotation, per mention) or, for the stops, one every 100 bytes
        // (113-200 in the same texts).
        paras: Vec::with_capacity(file.parse().blocks.len()),
        quote_tok: vec![None; quotes.len()],
        quote_at: Vec::with_capacity(top.len()),
        stops: Vec::with_capacity((text.len() / 100).min(MAX_TOKEN_RESERVE)),
        ids: Vec::with_capacity(mentions),
        mention_at: Vec::with_capacity(mentions),
        persons: Vec::with_capacity(mentions),
    };
    let mut next_quote = 0;
    let mut skip_until = 0usize;
    let mut run = Run::default();
    // A bare mention shows its entity's name: lowercased once per name, not per mention.
    let mut shown_lower: FnvMap<&str, &'a str> = FnvMap::default();
    for block in &file.parse().blocks {
        let heading = match block {
            Block::Heading(_) => true,
            Block::Paragraph(_) => false,
            _ => continue,
        };
        let inlines = block.inlines().unwrap_or_default();
        let inside_quote = block.span().start < skip_until;
        if !inside_quote {
            flush(&mut run, text, &mut prose, lowered, owned);
            close_para(&mut prose);
            prose.paras.push(Para {
                start: prose.toks.len(),
                end: prose.toks.len(),
                heading,
            });
        }
        for inline in inlines {
            if inline.span.start < skip_until {
                continue;
            }
            while next_quote < top.len() && quotes[top[next_quote]].open.start < inline.span.start {
                next_quote += 1;
            }
            if next_quote < top.len() && quotes[top[next_quote]].open.start == inline.span.start {
                let qi = top[next_quote];
                next_quote += 1;
                flush(&mut run, text, &mut prose, lowered, owned);
                let span = quotes[qi].span();
                prose.quote_tok[qi] = Some(prose.toks.len());
                prose.quote_at.push(prose.toks.len() as u32);
                prose.stops.push(prose.toks.len() as u32);
                prose
                    .toks
                    .push(Tok::new(TokKind::Quote(qi as u32), span, "", false, false));
                skip_until = span.end.max(inline.span.end);
                continue;
            }
            let raw = inline.span.slice(text);
            match &inline.kind {
                InlineKind::Text | InlineKind::Mark(_) => run.push_src(text, inline.span),
                InlineKind::Escape => {
                    if let Some(c) = raw[1..].chars().next() {
                        run.push_char(text, c, inline.span);
                    }
                }
                // A line end reads as a space; plain white space lexes the same in place (a
                // comment line inside it does not).
                InlineKind::Newline if raw.chars().all(char::is_whitespace) => {
                    run.push_src(text, inline.span)
                }
                InlineKind::Newline => run.push_char(text, ' ', inline.span),
                InlineKind::Attr(_) => {}
                InlineKind::SpanMention(m) => {
                    flush(&mut run, text, &mut prose, lowered, owned);
                    let surface = m.surface(inline.span);
                    let shown = unescape(surface.slice(text));
                    // The surface as written, in ASCII: its lowercase is in `lowered`.
                    let lower = match &shown {
                        Cow::Borrowed(s) if s.is_ascii() => {
                            Some(&lowered[surface.start..surface.end])
                        }
                        _ => None,
                    };
                    match m.target {
                        Some(t) => {
                            let tok = mention_tok(
                                &mut prose.ids,
                                t.id(text),
                                lookup(t.id(text)),
                                inline.span,
                                &shown,
                                lower,
                                owned,
                            );
                            push_mention(&mut prose, tok);
                        }
                        // Malformed braces: the surface still reads as prose.
                        None => run.push_src(text, surface),
                    }
                }
                InlineKind::BareMention(t) => {
                    flush(&mut run, text, &mut prose, lowered, owned);
                    // One lookup for the name shown and the kind.
                    let entity = lookup(t.id(text));
                    let shown = entity.map_or(t.id(text), |e| e.display_name());
                    let lower = *shown_lower
                        .entry(shown)
                        .or_insert_with(|| owned.keep(shown.to_lowercase()));
                    let tok = mention_tok(
                        &mut prose.ids,
                        t.id(text),
                        entity,
                        inline.span,
                        shown,
                        Some(lower),
                        owned,
                    );
                    push_mention(&mut prose, tok);
                }
            }
        }
    }
    flush(&mut run, text, &mut prose, lowered, owned);
    close_para(&mut prose);
    prose.paras.retain(|p| p.end > p.start);
    prose
}

fn close_para(prose: &mut Prose) {
    if let Some(p) = prose.paras.last_mut() {
        p.end = prose.toks.len();
    }
}

/// `entity`: what `id` resolves to; `lower`: the lowercased `shown`, when it is at hand. The
/// ID goes to `ids`.
fn push_mention<'a>(prose: &mut Prose<'a>, tok: Tok<'a>) {
    if let TokKind::Mention {
        id,
        kind: Some(EntityKind::Person),
    } = tok.kind
    {
        prose.persons.push((id, tok.lower));
    }
    prose.mention_at.push(prose.toks.len() as u32);
    prose.toks.push(tok);
}

fn mention_tok<'a>(
    ids: &mut Vec<&'a str>,
    id: &'a str,
    entity: Option<&Entity>,
    span: Span,
    shown: &str,
    lower: Option<&'a str>,
    owned: &'a Owned,
) -> Tok<'a> {
    let index = ids.len() as u32;
    ids.push(id);
    Tok::new(
        TokKind::Mention {
            id: index,
            kind: entity.and_then(|e| e.kind),
        },
        span,
        lower.unwrap_or_else(|| owned.keep(shown.to_lowercase())),
        shown.chars().next().is_some_and(char::is_uppercase),
        false,
    )
}

/// Lex the run into words and punctuation, and empty it (keeping its allocation).
/// Tokens that may end a sentence go to `stops` too.
/// The entries of `positions` (token indices in ascending order, like [`Prose::stops`]) in
/// `lo..hi`, for callers that visit ranges in ascending order: `cursor` starts at 0 and is
/// moved past the entries returned.
pub(super) fn positions_in<'p>(
    positions: &'p [u32],
    cursor: &mut usize,
    lo: usize,
    hi: usize,
) -> &'p [u32] {
    while *cursor < positions.len() && (positions[*cursor] as usize) < lo {
        *cursor += 1;
    }
    let first = *cursor;
    while *cursor < positions.len() && (positions[*cursor] as usize) < hi {
        *cursor += 1;
    }
    &positions[first..*cursor]
}

/// Lex the pending run of plain text onto `prose`'s tokens.
fn flush<'a>(run: &mut Run, text: &str, prose: &mut Prose<'a>, lowered: &'a str, owned: &'a Owned) {
    lex_run(run, text, &mut prose.toks, &mut prose.stops, lowered, owned);
}

fn lex_run<'a>(
    run: &mut Run,
    text: &str,
    out: &mut Vec<Tok<'a>>,
    stops: &mut Vec<u32>,
    lowered: &'a str,
    owned: &'a Owned,
) {
    if !run.in_chars {
        if run.has {
            lex_source(text, run.start, run.end, out, stops, lowered, owned);
            run.has = false;
        }
        return;
    }
    run.in_chars = false;
    run.has = false;
    let chars = &run.chars;
    let n = chars.len();
    let at = |i: usize| chars.get(i).map(|c| c.0);
    let mut i = 0;
    while i < n {
        let (c, span) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let start = i;
            let mut j = i + 1;
            while j < n {
                let d = chars[j].0;
                let inner = |ok: bool| ok && at(j + 1).is_some_and(char::is_alphanumeric);
                if d.is_alphanumeric()
                    || inner(matches!(d, '\'' | '’' | '-' | '.' | '&'))
                    || inner(d == ',' && chars[j - 1].0.is_ascii_digit())
                {
                    j += 1;
                } else {
                    break;
                }
            }
            push_word(&chars[start..j], out, lowered, owned);
            i = j;
            continue;
        }
        if matches!(c, '\'' | '’') {
            // A possessive after a word or mention: `[Labour]'s`, `the Tories' plans`.
            let adjacent = out.last().is_some_and(|t| {
                t.span().end == span.start
                    && matches!(t.kind, TokKind::Word | TokKind::Mention { .. })
            });
            let next = at(i + 1);
            if adjacent
                && matches!(next, Some('s'))
                && !at(i + 2).is_some_and(char::is_alphanumeric)
            {
                out.push(possessive(Span::new(span.start, chars[i + 1].1.end)));
                i += 2;
                continue;
            }
            if adjacent && !next.is_some_and(char::is_alphanumeric) {
                out.push(possessive(span));
                i += 1;
                continue;
            }
        }
        if c == '.' && at(i + 1) == Some('.') {
            // An ellipsis `...` is one token.
            let mut j = i;
            while j < n && chars[j].0 == '.' {
                j += 1;
            }
            push_punct(out, stops, '…', Span::new(span.start, chars[j - 1].1.end));
            i = j;
            continue;
        }
        push_punct(out, stops, c, span);
        i += 1;
    }
    run.chars.clear();
}

/// Byte classes for the in-place lexer: ASCII white space, digits, capitals and small
/// letters, and the rest (other ASCII, and UTF-8 bytes, which take the general path). The
/// letter classes let a word's case be read while it is scanned.
const WS: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
const ALNUM: u8 = DIGIT | UPPER | LOWER;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c == b' ' || (c >= 9 && c <= 13) {
            WS
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else {
            0
        };
        b += 1;
    }
    t
};

/// `lex_run` for a run that is the source range `a..b` itself: the same rules, on byte
/// offsets instead of a character buffer, with ASCII letters and spaces skipped by table.
fn lex_source<'a>(
    text: &str,
    a: usize,
    b: usize,
    out: &mut Vec<Tok<'a>>,
    stops: &mut Vec<u32>,
    lowered: &'a str,
    owned: &'a Owned,
) {
    let s = &text[a..b];
    let bytes = s.as_bytes();
    let n = bytes.len();
    let class = |p: usize| bytes.get(p).map_or(0, |&x| CLASS[x as usize]);
    let at = |p: usize| -> Option<char> {
        match bytes.get(p) {
            None => None,
            Some(&x) if x.is_ascii() => Some(char::from(x)),
            Some(_) => s.get(p..).and_then(|r| r.chars().next()),
        }
    };
    let mut i = 0;
    while i < n {
        let cls = CLASS[bytes[i] as usize];
        if cls == WS {
            i += 1;
            continue;
        }
        // An ASCII letter or digit is its own character.
        let c = if cls & ALNUM != 0 {
            char::from(bytes[i])
        } else {
            let Some(c) = at(i) else { break };
            c
        };
        let cl = c.len_utf8();
        if cls & ALNUM != 0 || (!c.is_ascii() && c.is_alphanumeric()) {
            let start = i;
            let mut j = i + cl;
            // The classes seen, for an ASCII word's case.
            let mut seen = cls;
            let mut ascii = c.is_ascii();
            loop {
                loop {
                    let k = class(j);
                    if k & ALNUM == 0 {
                        break;
                    }
                    seen |= k;
                    j += 1;
                }
                // The usual end of a word, a space, without decoding a character.
                if class(j) == WS {
                    break;
                }
                let Some(d) = at(j) else { break };
                if d.is_ascii_whitespace() {
                    break;
                }
                let dl = d.len_utf8();
                let inner = |ok: bool| ok && at(j + dl).is_some_and(char::is_alphanumeric);
                if d.is_alphanumeric()
                    || inner(matches!(d, '\'' | '’' | '-' | '.' | '&'))
                    || inner(d == ',' && bytes[j - 1].is_ascii_digit())
                {
                    ascii &= d.is_ascii();
                    j += dl;
                } else {
                    break;
                }
            }
            if ascii {
                push_ascii_word(&bytes[start..j], seen, a + start, out, lowered);
            } else {
                push_source_word(&s[start..j], a + start, out, owned);
            }
            i = j;
            continue;
        }
        if c.is_whitespace() {
            i += cl;
            continue;
        }
        let span = Span::new(a + i, a + i + cl);
        if matches!(c, '\'' | '’') {
            // A possessive after a word or mention: `[Labour]'s`, `the Tories' plans`.
            let adjacent = out.last().is_some_and(|t| {
                t.span().end == span.start
                    && matches!(t.kind, TokKind::Word | TokKind::Mention { .. })
            });
            let next = at(i + cl);
            if adjacent && next == Some('s') && !at(i + cl + 1).is_some_and(char::is_alphanumeric) {
                out.push(possessive(Span::new(span.start, span.end + 1)));
                i += cl + 1;
                continue;
            }
            if adjacent && !next.is_some_and(char::is_alphanumeric) {
                out.push(possessive(span));
                i += cl;
                continue;
            }
        }
        if c == '.' && at(i + 1) == Some('.') {
            // An ellipsis `...` is one token.
            let mut j = i;
            while bytes.get(j) == Some(&b'.') {
                j += 1;
            }
            push_punct(out, stops, '…', Span::new(a + i, a + j));
            i = j;
            continue;
        }
        push_punct(out, stops, c, span);
        i += cl;
    }
}

/// `push_word` for an ASCII word, the source bytes `b` at `start`, in which the byte
/// classes `seen` occur.
fn push_ascii_word<'a>(b: &[u8], seen: u8, start: usize, out: &mut Vec<Tok<'a>>, lowered: &'a str) {
    let n = b.len();
    let end = start + n;
    let cap = b[0].is_ascii_uppercase();
    // No small letter and two capitals or more (rare enough to count only then).
    let upper = seen & LOWER == 0 && b.iter().filter(|x| x.is_ascii_uppercase()).count() >= 2;
    // `Japan's` is the word and a possessive; `it's` and `let's` are contractions.
    if n > 2 && b[n - 2] == b'\'' && b[n - 1].eq_ignore_ascii_case(&b's') {
        let stem = &lowered[start..end - 2];
        if !is_s_contraction(stem) {
            out.push(Tok::new(
                TokKind::Word,
                Span::new(start, end - 2),
                stem,
                cap,
                upper,
            ));
            out.push(possessive(Span::new(end - 2, end)));
            return;
        }
    }
    out.push(Tok::new(
        TokKind::Word,
        Span::new(start, end),
        &lowered[start..end],
        cap,
        upper,
    ));
}

/// `push_word` for a word beyond ASCII that is the source text `word` at `start`.
fn push_source_word<'a>(word: &str, start: usize, out: &mut Vec<Tok<'a>>, owned: &'a Owned) {
    let end = start + word.len();
    let mut chars = 0usize;
    let mut letters = 0usize;
    let mut all_upper = true;
    let mut cap = false;
    for c in word.chars() {
        if chars == 0 {
            cap = c.is_uppercase();
        }
        chars += 1;
        if c.is_alphabetic() {
            letters += 1;
            all_upper &= c.is_uppercase();
        }
    }
    let upper = letters >= 2 && all_upper;
    let lower = word.to_lowercase();
    // `Japan's` is the word and a possessive; `it's` and `let's` are contractions.
    for suffix in ["'s", "’s"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            if !stem.is_empty() && !is_s_contraction(stem) && chars > 2 {
                // The suffix's two characters are as long in the source (`'S`, `’s`).
                let cut = end - suffix.len();
                let stem = owned.keep(stem.to_string());
                out.push(Tok::new(
                    TokKind::Word,
                    Span::new(start, cut),
                    stem,
                    cap,
                    upper,
                ));
                out.push(possessive(Span::new(cut, end)));
                return;
            }
        }
    }
    out.push(Tok::new(
        TokKind::Word,
        Span::new(start, end),
        owned.keep(lower),
        cap,
        upper,
    ));
}

fn punct<'a>(c: char, span: Span) -> Tok<'a> {
    Tok::new(TokKind::Punct(c), span, "", false, false)
}

/// Push a punctuation token, noting in `stops` the marks that may end a sentence.
fn push_punct<'a>(out: &mut Vec<Tok<'a>>, stops: &mut Vec<u32>, c: char, span: Span) {
    if matches!(c, '.' | '?' | '!' | '…') {
        stops.push(out.len() as u32);
    }
    out.push(punct(c, span));
}

fn possessive<'a>(span: Span) -> Tok<'a> {
    Tok::new(TokKind::Possessive, span, "", false, false)
}

fn push_word<'a>(
    chars: &[(char, Span)],
    out: &mut Vec<Tok<'a>>,
    lowered: &'a str,
    owned: &'a Owned,
) {
    let span = Span::new(chars[0].1.start, chars[chars.len() - 1].1.end);
    let cap = chars[0].0.is_uppercase();
    let mut letters = 0usize;
    let mut all_upper = true;
    let mut ascii = true;
    let mut bytes = 0usize;
    for &(c, _) in chars {
        if c.is_alphabetic() {
            letters += 1;
            all_upper &= c.is_uppercase();
        }
        ascii &= c.is_ascii();
        bytes += c.len_utf8();
    }
    let upper = letters >= 2 && all_upper;
    // ASCII characters that fill their span exactly are the source bytes themselves (no
    // escape, no skipped attribute block): the lowercased copy of the file holds the word.
    let lower: &'a str = if ascii && bytes == span.end - span.start {
        &lowered[span.start..span.end]
    } else {
        owned.keep(chars.iter().map(|c| c.0).collect::<String>().to_lowercase())
    };
    // `Japan's` is the word and a possessive; `it's` and `let's` are contractions.
    for suffix in ["'s", "’s"] {
        if let Some(stem) = lower.strip_suffix(suffix) {
            if !stem.is_empty() && !is_s_contraction(stem) && chars.len() > 2 {
                let cut = chars[chars.len() - 2].1.start;
                let stem = &lower[..stem.len()];
                out.push(Tok::new(
                    TokKind::Word,
                    Span::new(span.start, cut),
                    stem,
                    cap,
                    upper,
                ));
                out.push(possessive(Span::new(cut, span.end)));
                return;
            }
        }
    }
    out.push(Tok::new(TokKind::Word, span, lower, cap, upper));
}

/// The plain words of a source range as a reader sees them: span mentions show their surface
/// text, escapes their character, attribute blocks and line ends disappear. Most quotations
/// are plain text within one paragraph: their words are the source range itself, borrowed.
/// `hint`: a block the range starts in or after (a quotation's first block; 0 if unknown),
/// where the search for its first block starts.
pub(crate) fn plain_text(file: &FileData, range: Span, hint: usize) -> Cow<'_, str> {
    let text = &file.text;
    let blocks = &file.parse().blocks;
    let ends_before = |b: &Block| b.span().end <= range.start;
    // The hint holds if every block before it ends before the range (blocks are in order);
    // the window after it is short, and searched on if the range starts beyond it.
    let from = if hint > 0 && hint <= blocks.len() && ends_before(&blocks[hint - 1]) {
        hint
    } else {
        0
    };
    let window = blocks.len().min(from + 2);
    let mut first = from + blocks[from..window].partition_point(ends_before);
    if first == window {
        first += blocks[window..].partition_point(ends_before);
    }
    if is_plain(&blocks[first..], range) {
        return Cow::Borrowed(range.slice(text));
    }
    // The words are at most as long as their source, give or take a space between blocks.
    let mut out = String::with_capacity(range.end.saturating_sub(range.start) + 1);
    for block in &blocks[first..] {
        if block.span().start >= range.end {
            break;
        }
        let Some(inlines) = block.inlines() else {
            continue;
        };
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        let from = inlines.partition_point(|i| i.span.end <= range.start);
        for inline in &inlines[from..] {
            if inline.span.start >= range.end {
                break;
            }
            let clipped = Span::new(
                inline.span.start.max(range.start),
                inline.span.end.min(range.end),
            );
            match &inline.kind {
                InlineKind::Text | InlineKind::Mark(_) => out.push_str(clipped.slice(text)),
                InlineKind::Escape => out.push_str(inline.span.slice(text).get(1..).unwrap_or("")),
                InlineKind::Newline => out.push(' '),
                InlineKind::Attr(_) => {}
                InlineKind::SpanMention(m) => {
                    out.push_str(&unescape(m.surface(inline.span).slice(text)))
                }
                InlineKind::BareMention(_) => out.push_str(clipped.slice(text)),
            }
        }
    }
    Cow::Owned(out)
}

/// Whether `range` lies in the first of `blocks` and is covered, without gaps, by its text
/// and mark inlines only: then `plain_text` would copy the source range unchanged.
fn is_plain(blocks: &[Block], range: Span) -> bool {
    let Some(block) = blocks.first() else {
        return false;
    };
    if block.span().end < range.end {
        return false;
    }
    let Some(inlines) = block.inlines() else {
        return false;
    };
    let from = inlines.partition_point(|i| i.span.end <= range.start);
    let mut at = range.start;
    for inline in &inlines[from..] {
        if at >= range.end {
            break;
        }
        if inline.span.start > at || !matches!(inline.kind, InlineKind::Text | InlineKind::Mark(_))
        {
            return false;
        }
        at = inline.span.end;
    }
    at >= range.end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ParseOptions;

    fn toks(text: &str) -> (&'static FileData, Prose<'static>) {
        let file: &'static FileData = Box::leak(Box::new(FileData::new(
            text.to_string(),
            &ParseOptions::default(),
        )));
        let lowered: &'static str = Box::leak(file.text.to_ascii_lowercase().into_boxed_str());
        let lookup = |_: &str| -> Option<&Entity> { None };
        let owned: &'static Owned = Box::leak(Box::default());
        let prose = build(file, lowered, owned, &lookup);
        (file, prose)
    }

    fn show(p: &Prose) -> Vec<String> {
        p.toks
            .iter()
            .map(|t| match &t.kind {
                TokKind::Word => t.lower.to_string(),
                TokKind::Punct(c) => c.to_string(),
                TokKind::Mention { id, .. } => format!("@{}", p.ids[*id as usize]),
                TokKind::Quote(q) => format!("Q{q}"),
                TokKind::Possessive => "'s".into(),
            })
            .collect()
    }

    #[test]
    fn words_mentions_quotes_and_possessives() {
        let (_, p) = toks(
            "[Labour]{@labour}'s Mr Brown, who's \"not 'sure' at all,\" said the Tories' plan isn't 3.1% or 4,745.\n",
        );
        assert_eq!(
            show(&p),
            [
                "@labour", "'s", "mr", "brown", ",", "who's", "Q0", "said", "the", "tories", "'s",
                "plan", "isn't", "3.1", "%", "or", "4,745", "."
            ]
        );
        assert_eq!(p.paras.len(), 1);
        assert_eq!(p.quote_tok, vec![Some(6), None]);
    }

    #[test]
    fn multi_paragraph_quotation_joins_paragraphs() {
        let (_, p) = toks("He said: \"One.\n\n\"Two,\" he added.\n\nNext para.\n");
        assert_eq!(
            show(&p),
            ["he", "said", ":", "Q0", "he", "added", ".", "next", "para", "."]
        );
        assert_eq!(p.paras.len(), 2);
        assert_eq!((p.paras[0].start, p.paras[0].end), (0, 7));
    }

    #[test]
    fn headings_are_paragraphs_and_ellipses_one_token() {
        let (_, p) = toks("# Title here\n\nWait... what? \\@not a mention\n");
        assert_eq!(p.paras.len(), 2);
        assert!(p.paras[0].heading);
        assert_eq!(
            show(&p)[2..],
            ["wait", "…", "what", "?", "@", "not", "a", "mention"]
        );
    }

    /// Tokens as comparable tuples.
    fn shape(toks: &[Tok<'_>]) -> Vec<(TokKind, Span, String, bool, bool)> {
        toks.iter()
            .map(|t| {
                let kind = match &t.kind {
                    TokKind::Word => TokKind::Word,
                    TokKind::Punct(c) => TokKind::Punct(*c),
                    TokKind::Possessive => TokKind::Possessive,
                    other => panic!("unexpected {other:?}"),
                };
                (kind, t.span(), t.low().to_string(), t.cap(), t.upper())
            })
            .collect()
    }

    /// The in-place lexer gives exactly the tokens of the character-buffer one.
    fn same_tokens_both_ways(text: &str) {
        let lowered = text.to_ascii_lowercase();
        let owned = Owned::default();
        let mut in_place = Vec::new();
        let mut stops = Vec::new();
        lex_source(
            text,
            0,
            text.len(),
            &mut in_place,
            &mut stops,
            &lowered,
            &owned,
        );
        let mut run = Run::default();
        push_chars(&mut run.chars, text, Span::new(0, text.len()));
        run.in_chars = true;
        let mut buffered = Vec::new();
        let mut buffered_stops = Vec::new();
        lex_run(
            &mut run,
            text,
            &mut buffered,
            &mut buffered_stops,
            &lowered,
            &owned,
        );
        assert_eq!(stops, buffered_stops, "{text}");
        assert_eq!(shape(&in_place), shape(&buffered), "{text}");
        assert!(run.chars.is_empty() && !run.in_chars && !run.has);
    }

    #[test]
    fn in_place_lexing_matches_the_character_buffer() {
        for text in [
            "Japan’s PM, Mr. O'Neill's 3,745.5 rise... it's the Tories' plan — ‘quoted’ words",
            "e.g. U.S.-led A&B x.y ÉLAN naïve İstanbul \u{212A}elvin JAPAN'S ’s 'S x’S",
            "QC BBC's, a-, -b, 1,2, ,3 'tis ''s... .. . \u{a0}non\u{2009}breaking\r\n end'",
            "",
            "'",
            "a",
        ] {
            same_tokens_both_ways(text);
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [
            "tests/fixtures",
            "../shared/corpus/dev",
            "../shared/examples",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(e.path()) {
                    same_tokens_both_ways(&text);
                }
            }
        }
    }

    #[test]
    fn plain_text_of_a_quotation() {
        let text = "X said: \"The [club]{@c} is \\\"fine\\\"\n today.\"{@x} Done.\n";
        let file = FileData::new(text.to_string(), &ParseOptions::default());
        let q = &file.parse().quotes[0];
        assert_eq!(
            plain_text(&file, q.content, 0),
            "The club is \"fine\"  today."
        );
        assert!(matches!(plain_text(&file, q.content, 0), Cow::Owned(_)));
    }

    #[test]
    fn plain_text_is_the_same_whatever_the_hint() {
        let text = "# T\n\n\"One\" [x]{@x}.\n\n\"Two\n\n\"three.\" \"\n\nFour \"five\"\n";
        let file = FileData::new(text.to_string(), &ParseOptions::default());
        let n = file.parse().blocks.len();
        for q in &file.parse().quotes {
            let want = plain_text(&file, q.content, 0);
            for hint in 0..n + 3 {
                assert_eq!(plain_text(&file, q.content, hint), want, "hint {hint}");
            }
        }
    }

    #[test]
    fn plain_text_borrows_only_what_reads_as_written() {
        let text = "\"It is \u{2018}fine\u{2019} now,\" X said.\n\n\"Split\nline.\"\n\n\"Then\n\n\"more.\"\n";
        let file = FileData::new(text.to_string(), &ParseOptions::default());
        let quotes = &file.parse().quotes;
        let top: Vec<_> = quotes.iter().filter(|q| !q.nested).collect();
        // Plain text with a nested quotation's marks inside one paragraph: the source itself.
        let first = plain_text(&file, top[0].content, 0);
        assert_eq!(first, "It is \u{2018}fine\u{2019} now,");
        assert!(matches!(first, Cow::Borrowed(_)));
        // A line end reads as a space; a quotation across paragraphs is built, not borrowed.
        assert_eq!(plain_text(&file, top[1].content, 0), "Split line.");
        let across = plain_text(&file, top[2].content, 0);
        assert!(across.starts_with("Then ") && matches!(across, Cow::Owned(_)));
    }
}
