//! Syntax: text in, blocks and inline tokens with byte spans out.
//!
//! Parsing never fails and never panics: malformed markup becomes a [`SyntaxError`] at its place
//! and the rest of the file parses normally. Nothing here knows about entities' meaning or LSP.

mod blocks;
mod id;
mod inline;
mod quotes;
mod span;

pub use id::{is_valid_id, may_precede_mention, scan_id};
pub use span::Span;

/// The text of IDs and words: up to 24 bytes are stored inline, so that the thousands of short
/// IDs, keys and names in a parse need no allocation each. Derefs to `str`. Copy one out with
/// `.as_str().to_owned()`: `to_string()` goes through `Display` formatting, several times slower.
pub type SmallText = compact_str::CompactString;

/// Which quotation marks are primary: `Double` (American, the default) nests `'…'` inside
/// `"…"`; `Single` (British) nests `"…"` inside `'…'`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteStyle {
    #[default]
    Double,
    Single,
}

#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    pub quote_style: QuoteStyle,
}

/// The result of parsing one file.
#[derive(Clone, Debug, Default)]
pub struct Parse {
    pub front_matter: Option<FrontMatter>,
    pub blocks: Vec<Block>,
    pub quotes: Vec<Quote>,
    pub errors: Vec<SyntaxError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// A piece of text with its span (front matter keys, kinds, names, property values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: SmallText,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct FrontMatter {
    pub span: Span,
    pub entries: Vec<FrontMatterEntry>,
}

#[derive(Clone, Debug)]
pub struct FrontMatterEntry {
    pub key: Word,
    pub value: Word,
}

#[derive(Clone, Debug)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    /// Boxed: a definition is twice the size of the other blocks.
    Definition(Box<Definition>),
    Comment(Span),
}

impl Block {
    pub fn span(&self) -> Span {
        match self {
            Block::Heading(h) => h.span,
            Block::Paragraph(p) => p.span,
            Block::Definition(d) => d.span,
            Block::Comment(s) => *s,
        }
    }

    /// The inline content of prose blocks (headings and paragraphs).
    #[inline]
    pub fn inlines(&self) -> Option<&[Inline]> {
        match self {
            Block::Heading(h) => Some(&h.inlines),
            Block::Paragraph(p) => Some(&p.inlines),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Heading {
    pub level: u8,
    pub span: Span,
    /// The heading's text without the `#` marks.
    pub text: Span,
    pub inlines: Inlines,
}

#[derive(Clone, Debug)]
pub struct Paragraph {
    pub span: Span,
    pub inlines: Inlines,
}

/// The inline tokens of one prose block, used as a slice (`&[Inline]` through `Deref`).
///
/// All the tokens of a parse live in one buffer that its blocks share, each block holding its
/// range: one allocation per parse instead of one per paragraph (tokens are the bulk of a
/// parse, and the many small vectors cost more to allocate and free than to fill).
#[derive(Clone, Default)]
pub struct Inlines {
    /// Empty while the parse is being built.
    buf: Option<SharedTokens>,
    range: std::ops::Range<usize>,
}

/// The token buffer that a parse's blocks share. Each block holds it from the start and the
/// buffer is put in once complete, so that the blocks need not be visited again afterwards
/// (a second pass over the blocks of a large file, which have left the cache by then).
type SharedTokens = std::sync::Arc<std::sync::OnceLock<TokenBuf>>;

impl Inlines {
    /// The tokens of `range` in `buf` (filled in by [`parse`]).
    fn pending(buf: &SharedTokens, range: std::ops::Range<usize>) -> Inlines {
        Inlines {
            buf: Some(buf.clone()),
            range,
        }
    }

    /// This block's tokens in `tokens`, the buffer still being built.
    fn of<'a>(&self, tokens: &'a [Inline]) -> &'a [Inline] {
        &tokens[self.range.clone()]
    }
}

impl std::ops::Deref for Inlines {
    type Target = [Inline];

    fn deref(&self) -> &[Inline] {
        match self.buf.as_deref().and_then(std::sync::OnceLock::get) {
            Some(buf) => &buf.0.list[self.range.clone()],
            None => &[],
        }
    }
}

impl<'a> IntoIterator for &'a Inlines {
    type Item = &'a Inline;
    type IntoIter = std::slice::Iter<'a, Inline>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The inline tokens of a parse, and which of them own heap memory (attribute blocks, whose
/// payloads are boxed).
#[derive(Default)]
pub(crate) struct Tokens {
    pub(crate) list: Vec<Inline>,
    /// Indices in `list` of the tokens that own heap memory, so that freeing them need not read
    /// every token again (at a megabyte of text, the tokens no longer fit in the cache).
    owners: Vec<usize>,
    /// Indices in `list` of the mentions with an ID, in text order: the analysis reads the
    /// references from these without reading every token again (for the same reason).
    mentions: Vec<usize>,
}

impl Tokens {
    /// Record the owners and the mentions among the tokens from `from` on (just lexed, so still
    /// in the cache).
    pub(crate) fn note_owners(&mut self, from: usize) {
        for (i, t) in self.list[from..].iter().enumerate() {
            match &t.kind {
                InlineKind::Attr(_) => self.owners.push(from + i),
                InlineKind::SpanMention(SpanMention {
                    target: Some(_), ..
                })
                | InlineKind::BareMention(_) => self.mentions.push(from + i),
                InlineKind::SpanMention(SpanMention { target: None, .. })
                | InlineKind::Text
                | InlineKind::Escape
                | InlineKind::Newline
                | InlineKind::Mark(_) => {}
            }
        }
    }

    /// Drop every token, keeping the allocations.
    fn clear(&mut self) {
        for &i in &self.owners {
            if let Some(t) = self.list.get_mut(i) {
                t.kind = InlineKind::Text; // drops the box
            }
        }
        self.owners.clear();
        self.mentions.clear();
        // SAFETY: shortening a vector is always sound (at worst its elements leak), and the
        // tokens left own nothing: each one that owned a box is listed in `owners` and was
        // just made `Text`. This skips reading all the tokens again only to find them plain.
        unsafe { self.list.set_len(0) };
    }
}

/// A parse's token buffer. When the parse is dropped, its allocations are kept for a later
/// parse (at most [`TokenBuf::SPARES`] of them, each up to [`TokenBuf::KEEP`]): the language
/// server and the workspace index parse file after file and drop most trees, and a large fresh
/// buffer costs a page fault for every 4 KiB it fills, more than lexing the tokens it holds.
/// One small pool for the process rather than one spare per thread: the language server parses
/// on whichever of tokio's many blocking threads is free, and a spare per thread made its
/// memory creep up as the pool's threads came and went.
struct TokenBuf(Tokens);

static SPARE_TOKENS: std::sync::Mutex<Vec<Tokens>> = std::sync::Mutex::new(Vec::new());

impl TokenBuf {
    /// The largest allocation kept (in bytes): enough for documents of a few megabytes.
    const KEEP: usize = 8 << 20;
    /// Spare buffers kept: about as many as parses run at once on a small machine.
    const SPARES: usize = 2;

    fn spares() -> std::sync::MutexGuard<'static, Vec<Tokens>> {
        // A panic while holding the lock leaves only empty buffers behind: still usable.
        SPARE_TOKENS.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An empty buffer, with spare allocations if there are some.
    fn take_spare() -> Tokens {
        Self::spares().pop().unwrap_or_default()
    }
}

impl Drop for TokenBuf {
    fn drop(&mut self) {
        let mut tokens = std::mem::take(&mut self.0);
        tokens.clear();
        let cap = tokens.list.capacity();
        if cap == 0 || cap * std::mem::size_of::<Inline>() > Self::KEEP {
            return;
        }
        let mut spares = Self::spares();
        if spares.len() < Self::SPARES {
            spares.push(tokens);
        } else if let Some(smallest) = spares.iter_mut().min_by_key(|t| t.list.capacity()) {
            // Keep the larger buffers; the smaller one is freed (outside the lock).
            if smallest.list.capacity() < cap {
                tokens = std::mem::replace(smallest, tokens);
            }
            drop(spares);
            drop(tokens);
        }
    }
}

/// Printed like the vector of tokens it stands for.
impl std::fmt::Debug for Inlines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `@ID: kind "Name"` with its indented properties.
#[derive(Clone, Debug)]
pub struct Definition {
    pub span: Span,
    pub id: IdRef,
    pub kind: Option<Word>,
    /// The display name without its quotes (escapes resolved); the span covers the quotes.
    pub name: Option<Word>,
    pub properties: Vec<Property>,
}

#[derive(Clone, Debug)]
pub struct Property {
    pub span: Span,
    pub key: Word,
    pub value: Word,
    /// `@ID` references inside the value.
    pub refs: Vec<IdRef>,
}

/// An `@ID` (or the ID of `{@ID}`): `span` covers the ID only, without the `@`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdRef {
    pub id: SmallText,
    pub span: Span,
}

/// A mention's ID as its place in the text, whose bytes are the ID exactly (`span` covers the
/// ID only, without the `@`). Held in the token itself, in `u32` offsets: a boxed [`IdRef`] per
/// mention cost an allocation and a free each, and usize offsets would make every token larger.
/// The end is never 0 (an ID is not empty), so an `Option<IdSpan>` takes no more room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdSpan {
    start: u32,
    end: std::num::NonZeroU32,
}

impl IdSpan {
    /// `None` past 4 GiB of text (such a mention is then lexed as prose), or for an empty span
    /// at 0.
    pub fn new(span: Span) -> Option<IdSpan> {
        Some(IdSpan {
            start: u32::try_from(span.start).ok()?,
            end: std::num::NonZeroU32::new(u32::try_from(span.end).ok()?)?,
        })
    }

    pub fn span(self) -> Span {
        Span::new(self.start as usize, self.end.get() as usize)
    }

    /// The ID, read from the text the parse was made from.
    pub fn id(self, text: &str) -> &str {
        self.span().slice(text)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Inline {
    pub span: Span,
    pub kind: InlineKind,
}

// Tokens are the bulk of a parse: at 32 bytes rather than 48, a 1 MB document's take 1.2 MB
// instead of 1.7 MB, written once by the lexer and read again by the analysis.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Inline>() == 32);

/// Printed with a span mention's surface as a span, like its other spans.
impl std::fmt::Debug for Inline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Mention(Span, Option<IdSpan>);
        impl std::fmt::Debug for Mention {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct("SpanMention")
                    .field("surface", &self.0)
                    .field("target", &self.1)
                    .finish()
            }
        }
        let mut out = f.debug_struct("Inline");
        out.field("span", &self.span);
        match &self.kind {
            InlineKind::SpanMention(m) => {
                out.field("kind", &Mention(m.surface(self.span), m.target))
            }
            kind => out.field("kind", kind),
        };
        out.finish()
    }
}

/// The parts of a span mention `[surface]{@ID}` other than its whole span: where the surface
/// text ends, as a `u32` (it starts after the `[`, at the token's start), and the ID. Compact,
/// so that every token, `Text` included, stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanMention {
    surface_end: u32,
    /// `None` when the braces are malformed.
    pub target: Option<IdSpan>,
}

impl SpanMention {
    /// `None` past 4 GiB of text (such brackets are then lexed as prose).
    pub fn new(surface: Span, target: Option<IdSpan>) -> Option<SpanMention> {
        Some(SpanMention {
            surface_end: u32::try_from(surface.end).ok()?,
            target,
        })
    }

    /// The surface text's span (between the brackets), in the mention whose token spans
    /// `full`.
    pub fn surface(self, full: Span) -> Span {
        Span::new(full.start + 1, self.surface_end as usize)
    }
}

/// The payload of an attribute block is boxed, and a mention holds its ID as an [`IdSpan`]:
/// tokens are the bulk of a parse (several per sentence), and larger payloads would make every
/// token, `Text` included, larger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InlineKind {
    /// Prose kept as written.
    Text,
    /// `\x`: stands for the character after the backslash.
    Escape,
    /// A line end inside a paragraph (a comment line between may be skipped).
    Newline,
    /// `[surface]{@ID}`.
    SpanMention(SpanMention),
    /// `@ID` in prose.
    BareMention(IdSpan),
    /// A quotation mark or apostrophe-like mark; pairing decides what it is.
    Mark(Mark),
    /// `{@ID}`, `{@ID via=@ID2}` or `{-}` after a mark.
    Attr(Box<AttrBlock>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// `"` after the start, white space or opening punctuation.
    StraightOpen,
    /// `"` anywhere else.
    StraightClose,
    /// `“`: opens, or closes a low-high `„…“` quotation.
    CurlyOpen,
    /// `”`
    CurlyClose,
    /// `«`
    GuillemetOpen,
    /// `»`
    GuillemetClose,
    /// `„`
    LowOpen,
    /// `'` or `‘` where it can open a single quotation.
    SingleOpen,
    /// `'` or `’` after a word: closes a single quotation if one is open, else an apostrophe.
    SingleClose,
}

impl Mark {
    pub fn is_single(self) -> bool {
        matches!(self, Mark::SingleOpen | Mark::SingleClose)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttrBlock {
    pub span: Span,
    pub content: AttrContent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrContent {
    /// `{@ID}` or `{@ID via=@ID2}`
    Speaker { speaker: IdRef, via: Option<IdRef> },
    /// `{-}`: not a quotation to attribute.
    NotAQuote,
    /// Anything else (already reported as a syntax error).
    Invalid,
}

/// Which marks a quotation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkStyle {
    Straight,
    Curly,
    Guillemets,
    LowHigh,
    Single,
}

/// A paired quotation.
#[derive(Clone, Debug)]
pub struct Quote {
    /// The opening mark.
    pub open: Span,
    /// The closing mark; `None` when the quotation never closes.
    pub close: Option<Span>,
    /// The quoted content: from after the opening mark to before the closing mark (or to the end
    /// of the paragraph where an unclosed quotation is cut off).
    pub content: Span,
    pub style: MarkStyle,
    /// Nested inside another quotation (single quotes inside double ones by default).
    pub nested: bool,
    /// Boxed: most quotations have none, and it would double the size of every `Quote`.
    pub attr: Option<Box<AttrBlock>>,
    /// Indices into `Parse::blocks` of the first and last block the quotation spans.
    pub blocks: (usize, usize),
    /// Opening marks of continuation paragraphs (news convention for multi-paragraph quotes).
    pub continuation_marks: Vec<Span>,
}

impl Quote {
    /// Whole span, marks and attribute block included.
    pub fn span(&self) -> Span {
        let end = match (&self.attr, self.close) {
            (Some(a), _) => a.span.end,
            (None, Some(c)) => c.end,
            (None, None) => self.content.end,
        };
        Span::new(self.open.start, end)
    }
}

impl Parse {
    /// The mentions with an ID (`[surface]{@id}` and `@id`) of every heading and paragraph, in
    /// text order, read from the lexer's list of them rather than by going through every token.
    pub fn mentions(&self) -> impl ExactSizeIterator<Item = &Inline> {
        // Every block's tokens are in the one buffer its prose blocks share.
        let buf = self.blocks.iter().find_map(|b| match b {
            Block::Heading(Heading { inlines, .. })
            | Block::Paragraph(Paragraph { inlines, .. }) => {
                inlines.buf.as_deref().and_then(std::sync::OnceLock::get)
            }
            Block::Definition(_) | Block::Comment(_) => None,
        });
        let (list, at): (&[Inline], &[usize]) = match buf {
            Some(b) => (&b.0.list, &b.0.mentions),
            None => (&[], &[]),
        };
        // In bounds: `note_owners` lists indices of `list`, and `clear` empties both.
        at.iter().map(move |&i| &list[i])
    }
}

/// Parse a newsmark document. Never fails, never panics.
pub fn parse(text: &str, options: &ParseOptions) -> Parse {
    let shared = SharedTokens::default();
    let (parse, tokens) =
        blocks::parse_blocks(text, options.quote_style, TokenBuf::take_spare(), &shared);
    // Set only here, so this cannot fail; were it set, the buffer would just be dropped.
    let _ = shared.set(TokenBuf(tokens));
    parse
}

/// Resolve `\x` escapes in a piece of surface text or a quoted name.
pub fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\\') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n) => out.push(n),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A span mention's surface text as it reads: escapes resolved and, when it wraps, line ends as
/// `\n` with comment lines between dropped.
pub fn surface_text(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains('\n') {
        return unescape(raw);
    }
    let mut joined = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        if i > 0 && blocks::is_comment(line) {
            continue;
        }
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    std::borrow::Cow::Owned(unescape(&joined).into_owned())
}

#[cfg(test)]
mod tests;
