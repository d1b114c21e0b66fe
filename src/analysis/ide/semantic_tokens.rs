//! Semantic tokens: entity mentions by kind, definitions, properties, quotations and the rest of
//! the markup.

use crate::analysis::{EntityKind, FileAnalysis, FileId, RefRole, Resolution, Workspace};
use crate::syntax::{AttrContent, Block, InlineKind, Span};

/// Token types. [`TokenType::ALL`] is the legend order (a token's index there is its LSP type
/// index); [`TokenType::name`] is the legend name, [`TokenType::standard`] a standard LSP type
/// for clients without custom types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenType {
    Person,
    Org,
    Place,
    Agreement,
    Event,
    Work,
    Other,
    /// A reference whose entity has no known kind (undefined, ambiguous, unknown kind).
    Entity,
    /// The kind word of a definition.
    Kind,
    /// The quoted display name of a definition.
    Name,
    PropertyKey,
    /// A quotation's text and marks.
    Quote,
    /// An attribute block's punctuation and keywords (`{`, `via=`, `}`, `{-}`).
    Attribute,
    FrontMatterKey,
    Comment,
    Heading,
}

impl TokenType {
    pub const ALL: [TokenType; 16] = [
        TokenType::Person,
        TokenType::Org,
        TokenType::Place,
        TokenType::Agreement,
        TokenType::Event,
        TokenType::Work,
        TokenType::Other,
        TokenType::Entity,
        TokenType::Kind,
        TokenType::Name,
        TokenType::PropertyKey,
        TokenType::Quote,
        TokenType::Attribute,
        TokenType::FrontMatterKey,
        TokenType::Comment,
        TokenType::Heading,
    ];

    pub fn index(self) -> u32 {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0) as u32
    }

    pub fn name(self) -> &'static str {
        match self {
            TokenType::Person => "person",
            TokenType::Org => "organization",
            TokenType::Place => "place",
            TokenType::Agreement => "agreement",
            TokenType::Event => "event",
            TokenType::Work => "work",
            TokenType::Other => "otherEntity",
            TokenType::Entity => "entity",
            TokenType::Kind => "entityKind",
            TokenType::Name => "entityName",
            TokenType::PropertyKey => "property",
            TokenType::Quote => "quotation",
            TokenType::Attribute => "attribute",
            TokenType::FrontMatterKey => "frontMatterKey",
            TokenType::Comment => "comment",
            TokenType::Heading => "heading",
        }
    }

    /// The closest standard LSP token type.
    pub fn standard(self) -> &'static str {
        match self {
            TokenType::Person => "variable",
            TokenType::Org => "class",
            TokenType::Place => "namespace",
            TokenType::Agreement => "interface",
            TokenType::Event => "event",
            TokenType::Work => "type",
            TokenType::Other | TokenType::Entity => "variable",
            TokenType::Kind => "keyword",
            TokenType::Name => "string",
            TokenType::PropertyKey => "property",
            TokenType::Quote => "string",
            TokenType::Attribute => "decorator",
            TokenType::FrontMatterKey => "property",
            TokenType::Comment => "comment",
            TokenType::Heading => "namespace",
        }
    }

    fn of_kind(kind: Option<EntityKind>) -> TokenType {
        match kind {
            Some(EntityKind::Person) => TokenType::Person,
            Some(EntityKind::Org) => TokenType::Org,
            Some(EntityKind::Place) => TokenType::Place,
            Some(EntityKind::Agreement) => TokenType::Agreement,
            Some(EntityKind::Event) => TokenType::Event,
            Some(EntityKind::Work) => TokenType::Work,
            Some(EntityKind::Other) => TokenType::Other,
            None => TokenType::Entity,
        }
    }
}

/// Token modifiers; a token's `modifiers` is a bit set, bit `i` for `ALL[i]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenModifier {
    /// The `@ID` of a definition.
    Definition,
    /// A reference to an ID defined nowhere.
    Unresolved,
    /// A reference to an ID defined in several other files.
    Ambiguous,
    /// The speaker or `via` of an attribute block.
    Speaker,
    /// A mention inside a quotation.
    Quoted,
}

impl TokenModifier {
    pub const ALL: [TokenModifier; 5] = [
        TokenModifier::Definition,
        TokenModifier::Unresolved,
        TokenModifier::Ambiguous,
        TokenModifier::Speaker,
        TokenModifier::Quoted,
    ];

    pub fn bit(self) -> u32 {
        1 << Self::ALL.iter().position(|m| *m == self).unwrap_or(0)
    }

    pub fn name(self) -> &'static str {
        match self {
            TokenModifier::Definition => "definition",
            TokenModifier::Unresolved => "unresolved",
            TokenModifier::Ambiguous => "ambiguous",
            TokenModifier::Speaker => "speaker",
            TokenModifier::Quoted => "quoted",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SemanticToken {
    pub span: Span,
    pub token_type: TokenType,
    /// Bit set of [`TokenModifier::bit`]s.
    pub modifiers: u32,
}

impl SemanticToken {
    pub fn has(&self, m: TokenModifier) -> bool {
        self.modifiers & m.bit() != 0
    }
}

/// The semantic tokens of `file` (all of them, or those overlapping `range`).
///
/// The result is sorted, tokens never overlap, never span a line end and are never empty, so
/// the protocol layer can delta-encode them directly. Inner constructs cut outer ones: a
/// mention inside a quotation splits the quotation's token around it; a mention in a heading
/// splits the heading's. Mentions (the whole `[surface]{@id}` or `@id`) and references in
/// properties and attribute blocks take the type of their entity's kind as resolved from this
/// file (`analysis.resolutions`), [`TokenType::Entity`] with `unresolved`/`ambiguous` when there
/// is none.
pub fn semantic_tokens(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    range: Option<Span>,
) -> Vec<SemanticToken> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let text = &data.text;
    let mut raw: Vec<SemanticToken> = Vec::new();
    let mut tok = |span: Span, token_type: TokenType, modifiers: u32| {
        if !span.is_empty() && span.end <= text.len() {
            raw.push(SemanticToken {
                span,
                token_type,
                modifiers,
            });
        }
    };
    if let Some(fm) = &data.parse.front_matter {
        for e in &fm.entries {
            tok(e.key.span, TokenType::FrontMatterKey, 0);
        }
    }
    let mut entity = 0;
    for block in &data.parse.blocks {
        match block {
            Block::Comment(s) => tok(*s, TokenType::Comment, 0),
            Block::Heading(h) => tok(h.span, TokenType::Heading, 0),
            Block::Definition(d) => {
                let kind = data.entities.get(entity).and_then(|e| e.kind);
                entity += 1;
                tok(
                    Span::new(d.id.span.start.saturating_sub(1), d.id.span.end),
                    TokenType::of_kind(kind),
                    TokenModifier::Definition.bit(),
                );
                if let Some(k) = &d.kind {
                    tok(k.span, TokenType::Kind, 0);
                }
                if let Some(n) = &d.name {
                    tok(n.span, TokenType::Name, 0);
                }
                for p in &d.properties {
                    tok(p.key.span, TokenType::PropertyKey, 0);
                }
            }
            Block::Paragraph(_) => {}
        }
        for inline in block.inlines().unwrap_or_default() {
            if let InlineKind::Attr(a) = &inline.kind {
                let m = if a.content == AttrContent::Invalid {
                    TokenModifier::Unresolved.bit()
                } else {
                    0
                };
                tok(a.span, TokenType::Attribute, m);
            }
        }
    }
    for q in &data.parse.quotes {
        let end = q.close.map_or(q.content.end, |c| c.end);
        tok(Span::new(q.open.start, end), TokenType::Quote, 0);
    }
    let in_quote = |s: Span| {
        data.parse
            .quotes
            .iter()
            .any(|q| q.open.end <= s.start && s.end <= q.content.end)
    };
    for (r, res) in data.references.iter().zip(&analysis.resolutions) {
        let (kind, mut m) = match res {
            Resolution::Local(d) | Resolution::Workspace(d) => {
                (ws.entity(*d).and_then(|e| e.kind), 0)
            }
            Resolution::Ambiguous(_) => (None, TokenModifier::Ambiguous.bit()),
            Resolution::Undefined => (None, TokenModifier::Unresolved.bit()),
        };
        if matches!(r.role, RefRole::Speaker { .. } | RefRole::Via { .. }) {
            m |= TokenModifier::Speaker.bit();
        }
        if r.is_mention() && in_quote(r.full_span()) {
            m |= TokenModifier::Quoted.bit();
        }
        tok(r.full_span(), TokenType::of_kind(kind), m);
    }
    let mut flat = flatten(raw);
    flat = split_lines(text, flat);
    if let Some(r) = range {
        flat.retain(|t| t.span.end > r.start && t.span.start < r.end);
    }
    flat
}

/// Make tokens disjoint: an inner token (starting later, or as early and ending sooner) cuts the
/// outer one around it. Tokens that cross without nesting are clipped to their parent.
fn flatten(mut raw: Vec<SemanticToken>) -> Vec<SemanticToken> {
    raw.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    let mut out = Vec::new();
    // (token, next unpainted offset)
    let mut stack: Vec<(SemanticToken, usize)> = Vec::new();
    let emit = |out: &mut Vec<SemanticToken>, t: &SemanticToken, from: usize, to: usize| {
        if from < to {
            out.push(SemanticToken {
                span: Span::new(from, to),
                ..*t
            });
        }
    };
    for mut t in raw {
        while let Some((top, cur)) = stack.last().copied() {
            if top.span.end <= t.span.start {
                emit(&mut out, &top, cur, top.span.end);
                stack.pop();
            } else {
                break;
            }
        }
        if let Some((top, cur)) = stack.last_mut() {
            if t.span.start < *cur {
                // Overlaps what an earlier sibling painted: keep only the rest.
                t.span.start = *cur;
            }
            t.span.end = t.span.end.min(top.span.end);
            if t.span.is_empty() {
                continue;
            }
            emit(&mut out, top, *cur, t.span.start);
            *cur = t.span.end;
        }
        stack.push((t, t.span.start));
    }
    while let Some((top, cur)) = stack.pop() {
        emit(&mut out, &top, cur, top.span.end);
    }
    out.sort();
    out
}

/// Split tokens at line ends (which belong to no token) and drop white-space-only pieces.
fn split_lines(text: &str, tokens: Vec<SemanticToken>) -> Vec<SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        let mut start = t.span.start;
        let s = t.span.slice(text);
        for (i, piece) in s.split('\n').enumerate() {
            let _ = i;
            let p = piece.strip_suffix('\r').unwrap_or(piece);
            let lead = p.len() - p.trim_start().len();
            let trimmed = p.trim();
            if !trimmed.is_empty() {
                let a = start + lead;
                out.push(SemanticToken {
                    span: Span::new(a, a + trimmed.len()),
                    ..t
                });
            }
            start += piece.len() + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    fn show(t: &SemanticToken, text: &str) -> String {
        let mods: Vec<&str> = TokenModifier::ALL
            .iter()
            .filter(|m| t.has(**m))
            .map(|m| m.name())
            .collect();
        format!(
            "{} {:?}{}",
            t.token_type.name(),
            t.span.slice(text),
            if mods.is_empty() {
                String::new()
            } else {
                format!(" +{}", mods.join(","))
            }
        )
    }

    /// Tokens of the last file, one per line.
    fn check(fixture: &str) -> String {
        let f = Fixture::new(fixture);
        let file = f.files.last().unwrap().1;
        let analysis = f.analysis(file);
        let text = f.text(file);
        let tokens = semantic_tokens(&f.ws, file, &analysis, None);
        assert_well_formed(&tokens, text);
        tokens.iter().map(|t| show(t, text) + "\n").collect()
    }

    /// Sorted, disjoint, non-empty, on char boundaries, never across a line end.
    fn assert_well_formed(tokens: &[SemanticToken], text: &str) {
        for w in tokens.windows(2) {
            assert!(w[0].span.end <= w[1].span.start, "overlap: {w:?}");
        }
        for t in tokens {
            assert!(!t.span.is_empty());
            assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
            assert!(!t.span.slice(text).contains(['\n', '\r']), "{t:?}");
        }
    }

    #[test]
    fn definitions_properties_and_front_matter() {
        insta::assert_snapshot!(check(
            "---\ntitle: Лавров\n---\n%% a note @x\n@lavrov: person \"Sergey Lavrov\"\n  member-of: @mfa\n  aka: Lavrov\n@mfa: org \"MFA\"\n@odd: robot \"Odd\"\n"
        ), @r#"
            frontMatterKey "title"
            comment "%% a note @x"
            person "@lavrov" +definition
            entityKind "person"
            entityName "\"Sergey Lavrov\""
            property "member-of"
            organization "@mfa"
            property "aka"
            organization "@mfa" +definition
            entityKind "org"
            entityName "\"MFA\""
            entity "@odd" +definition
            entityKind "robot"
            entityName "\"Odd\""
            "#);
    }

    #[test]
    fn mentions_by_kind_with_quotations_and_headings() {
        insta::assert_snapshot!(check(
            "//- /r.nmk\n@lavrov: person \"Sergey Lavrov\"\n@kyiv: place \"Kyiv\"\n@d: agreement \"D\"\n@e: event \"E\"\n@w: work \"W\"\n@o: other \"O\"\n//- /one.nmk\n@amb: org \"A1\"\n//- /two.nmk\n@amb: org \"A2\"\n//- /a.nmk\n# News from @kyiv 😀\n\n[Лавров]{@lavrov} in @kyiv: “We — @d and @e — agree,”{@lavrov via=@w} @o @amb @nobody.\n“Short”{-}\n"
        ), @r##"
            heading "# News from"
            place "@kyiv"
            heading "😀"
            person "[Лавров]{@lavrov}"
            place "@kyiv"
            quotation "“We —"
            agreement "@d" +quoted
            quotation "and"
            event "@e" +quoted
            quotation "— agree,”"
            attribute "{"
            person "@lavrov" +speaker
            attribute "via="
            work "@w" +speaker
            attribute "}"
            otherEntity "@o"
            entity "@amb" +ambiguous
            entity "@nobody" +unresolved
            quotation "“Short”"
            attribute "{-}"
            "##);
    }

    #[test]
    fn multi_line_quotation_is_split_per_line() {
        insta::assert_snapshot!(check(
            "@x: person \"X\"\n\n“First line\nsecond @x line\r\nthird line,”{@x}\n\n“Next paragraph opens\n\n“and continues here”{@x}\n"
        ), @r#"
            person "@x" +definition
            entityKind "person"
            entityName "\"X\""
            quotation "“First line"
            quotation "second"
            person "@x" +quoted
            quotation "line"
            quotation "third line,”"
            attribute "{"
            person "@x" +speaker
            attribute "}"
            quotation "“Next paragraph opens"
            quotation "“and continues here”"
            attribute "{"
            person "@x" +speaker
            attribute "}"
            "#);
    }

    #[test]
    fn range_keeps_overlapping_tokens() {
        let f = Fixture::new("@x: person \"X\"\n\n@x and @x\n");
        let file = f.files[0].1;
        let analysis = f.analysis(file);
        let all = semantic_tokens(&f.ws, file, &analysis, None);
        let some = semantic_tokens(&f.ws, file, &analysis, Some(Span::new(16, 19)));
        assert_eq!(all.len(), 5);
        assert_eq!(some.len(), 1);
        assert_eq!(some[0].span, Span::new(16, 18));
    }

    #[test]
    fn well_formed_on_the_example_and_corpus() {
        // The bundled example is in the repository; the corpus sits beside the clone.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![root.join("examples/lavrov-tokyo.nmk")];
        let corpus = root.join("../shared/corpus/dev");
        let dir = std::fs::read_dir(&corpus).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the corpus must sit beside the clone)",
                corpus.display()
            )
        });
        paths.extend(dir.flatten().map(|e| e.path()));
        let mut checked = 0;
        for p in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "nmk"))
        {
            let text = std::fs::read_to_string(p).expect("readable article");
            let mut ws = Workspace::default();
            let file = ws.set_file("a.nmk", text).file.unwrap();
            let analysis = ws.analyze(file);
            let tokens = semantic_tokens(&ws, file, &analysis, None);
            assert_well_formed(&tokens, &ws.file(file).unwrap().text);
            assert!(tokens.iter().any(|t| t.token_type == TokenType::Person));
            checked += 1;
        }
        assert!(checked >= 9, "only {checked} articles checked");
    }
}
