//! Pairing quotation marks into quotations, across paragraphs in the news convention.

use super::{
    Block, Inline, InlineKind, Mark, MarkStyle, Parse, Quote, QuoteStyle, Span, SyntaxError,
};

#[derive(Clone, Debug)]
struct Open {
    style: MarkStyle,
    open: Span,
    first_block: usize,
    continuation_marks: Vec<Span>,
    /// Index in `Pairer::slots`: quotations are stored in the order they open.
    slot: usize,
}

fn mark_char(style: MarkStyle, opening: bool) -> &'static str {
    match (style, opening) {
        (MarkStyle::Straight, _) => "\"",
        (MarkStyle::Curly, true) => "“",
        (MarkStyle::Curly, false) => "”",
        (MarkStyle::Guillemets, true) => "«",
        (MarkStyle::Guillemets, false) => "»",
        (MarkStyle::LowHigh, true) => "„",
        (MarkStyle::LowHigh, false) => "“",
        (MarkStyle::Single, _) => "'",
    }
}

/// The styles a closing mark closes by preference (`”` also ends a Polish `„…”`).
fn closes(mark: Mark) -> &'static [MarkStyle] {
    match mark {
        Mark::StraightClose => &[MarkStyle::Straight],
        Mark::CurlyClose => &[MarkStyle::Curly, MarkStyle::LowHigh],
        Mark::GuillemetClose => &[MarkStyle::Guillemets],
        _ => &[],
    }
}

struct Pairer {
    style: QuoteStyle,
    stack: Vec<Open>,
    /// One slot per quotation opened since nothing was last open, in text order (so no sort
    /// is needed); a slot stays empty when its opening mark turns out to be an apostrophe.
    /// The outermost quotation has slot 0.
    slots: Vec<Option<Quote>>,
    /// The quotations, in text order: each outermost one goes here as it closes, followed by
    /// those nested in it (from their slots). Compacting all the slots once at the end read
    /// every quotation of a large file once more (half a megabyte for a 1 MB document).
    done: Vec<Quote>,
    errors: Vec<SyntaxError>,
}

/// Where a just closed quotation is stored.
#[derive(Clone, Copy)]
enum Closed {
    Slot(usize),
    Done(usize),
}

impl Pairer {
    fn innermost(&self, styles: &[MarkStyle]) -> Option<usize> {
        self.stack.iter().rposition(|o| styles.contains(&o.style))
    }

    fn innermost_double(&self) -> Option<usize> {
        self.stack
            .iter()
            .rposition(|o| o.style != MarkStyle::Single)
    }

    /// Store the finished quotation (`o`, just taken off the stack).
    fn push_quote(
        &mut self,
        o: Open,
        close: Option<Span>,
        content_end: usize,
        block: usize,
    ) -> Closed {
        let nested = !self.stack.is_empty();
        let slot = o.slot;
        let quote = Quote {
            open: o.open,
            close,
            content: Span::new(o.open.end, content_end.max(o.open.end)),
            style: o.style,
            nested,
            attr: None,
            blocks: (o.first_block, block),
            continuation_marks: o.continuation_marks,
        };
        if nested {
            self.slots[slot] = Some(quote);
            return Closed::Slot(slot);
        }
        // Nothing is open any more, so no slot can change: the quotations are final.
        debug_assert_eq!(
            slot, 0,
            "the outermost quotation opened with no slots in use"
        );
        let at = self.done.len();
        self.done.push(quote);
        // Most quotations have none nested.
        if self.slots.len() > 1 {
            for q in self.slots.drain(1..).flatten() {
                self.done.push(q);
            }
        }
        self.slots.clear();
        Closed::Done(at)
    }

    fn closed_mut(&mut self, c: Closed) -> Option<&mut Quote> {
        match c {
            Closed::Slot(i) => self.slots.get_mut(i).and_then(Option::as_mut),
            Closed::Done(i) => self.done.get_mut(i),
        }
    }

    /// Pop every quotation opened inside the one at `at`. Single ones left open were most
    /// likely apostrophes and go quietly; double ones are real unclosed quotations.
    fn drop_above(&mut self, at: usize, content_end: usize, block: usize) {
        while self.stack.len() > at + 1 {
            let o = self.stack.pop().expect("len > at + 1");
            if o.style != MarkStyle::Single {
                self.push_quote(o, None, content_end, block);
            }
        }
    }

    /// Close the quotation at `at` in the stack.
    fn close(
        &mut self,
        at: usize,
        close: Option<Span>,
        content_end: usize,
        block: usize,
    ) -> Closed {
        self.drop_above(at, content_end, block);
        let o = self.stack.pop().expect("index from the stack");
        self.push_quote(o, close, content_end, block)
    }

    fn open(&mut self, style: MarkStyle, span: Span, block: usize) {
        self.stack.push(Open {
            style,
            open: span,
            first_block: block,
            continuation_marks: Vec::new(),
            slot: self.slots.len(),
        });
        self.slots.push(None);
    }

    fn open_double(&mut self, style: MarkStyle, span: Span, block: usize) {
        if self.stack.last().is_some_and(|o| o.style == style) {
            let m = mark_char(style, true);
            self.errors.push(SyntaxError {
                span,
                message: format!(
                    "`{m}` opens a quotation directly inside an open quotation with the same marks; skipped (nest with other marks, or close the first one)"
                ),
            });
            return;
        }
        self.open(style, span, block);
    }

    /// Returns where the quotation the mark closed is, if any.
    fn mark(&mut self, mark: Mark, span: Span, block: usize) -> Option<Closed> {
        match mark {
            Mark::StraightOpen => self.open_double(MarkStyle::Straight, span, block),
            Mark::GuillemetOpen => self.open_double(MarkStyle::Guillemets, span, block),
            Mark::LowOpen => self.open_double(MarkStyle::LowHigh, span, block),
            Mark::CurlyOpen => {
                // `“` closes a German `„…“` when that is the innermost double quotation.
                if let Some(i) = self.innermost_double() {
                    if self.stack[i].style == MarkStyle::LowHigh {
                        return Some(self.close(i, Some(span), span.start, block));
                    }
                }
                self.open_double(MarkStyle::Curly, span, block)
            }
            Mark::StraightClose | Mark::CurlyClose | Mark::GuillemetClose => {
                // Same marks first; a mismatched pair (`“…"`) still closes rather than leaving
                // the rest of the paragraph quoted.
                match self
                    .innermost(closes(mark))
                    .or_else(|| self.innermost_double())
                {
                    Some(i) => return Some(self.close(i, Some(span), span.start, block)),
                    None => {
                        let c = match mark {
                            Mark::StraightClose => "\"",
                            Mark::CurlyClose => "”",
                            _ => "»",
                        };
                        self.errors.push(SyntaxError {
                            span,
                            message: format!("closing `{c}` with no open quotation; skipped"),
                        });
                    }
                }
            }
            Mark::SingleOpen => {
                let top_single = self
                    .stack
                    .last()
                    .is_some_and(|o| o.style == MarkStyle::Single);
                // Single quotes nest inside double ones; in British style they are primary.
                let can_open = !self.stack.is_empty() || self.style == QuoteStyle::Single;
                if can_open && !top_single {
                    self.open(MarkStyle::Single, span, block);
                }
            }
            Mark::SingleClose => {
                // After a word `'` closes an open single quotation, else it is a possessive.
                if self
                    .stack
                    .last()
                    .is_some_and(|o| o.style == MarkStyle::Single)
                {
                    let i = self.stack.len() - 1;
                    return Some(self.close(i, Some(span), span.start, block));
                }
            }
        }
        None
    }

    fn unclosed(&mut self, content_end: usize, block: usize) {
        if !self.stack.is_empty() {
            self.close(0, None, content_end, block);
        }
    }
}

/// The opening mark that begins a prose block (after leading white space), if any.
fn leading_mark(inlines: &[Inline], text: &str) -> Option<(Mark, Span)> {
    let first = inlines
        .iter()
        .find(|t| !(t.kind == InlineKind::Text && t.span.slice(text).trim().is_empty()))?;
    match first.kind {
        InlineKind::Mark(m) => Some((m, first.span)),
        _ => None,
    }
}

/// Whether `mark` continues an open quotation of `style` into a new paragraph.
fn continues(style: MarkStyle, mark: Mark) -> bool {
    match style {
        MarkStyle::Single => mark == Mark::SingleOpen,
        _ => matches!(
            mark,
            Mark::StraightOpen | Mark::CurlyOpen | Mark::GuillemetOpen | Mark::LowOpen
        ),
    }
}

/// Pairs the marks of a parse block by block, as the blocks are made (while their tokens are
/// still in the cache: reading them all again afterwards costs more than pairing them).
pub(super) struct Pairing {
    pairer: Pairer,
    /// The paragraph where a still-open quotation was left, with its trimmed end.
    pending: Option<(usize, usize)>,
}

impl Pairing {
    pub(super) fn new(text: &str, style: QuoteStyle) -> Pairing {
        Pairing {
            pairer: Pairer {
                style,
                stack: Vec::new(),
                slots: Vec::new(),
                // News prose has a quotation every 200-700 bytes; regrowth is rare and spare
                // capacity small.
                done: Vec::with_capacity(text.len() / 160 + 4),
                errors: Vec::new(),
            },
            pending: None,
        }
    }

    /// Pair the marks of `block`, the one at `bi` in the parse, with its tokens `inlines`.
    /// Every block but comments goes through here, in order.
    pub(super) fn block(&mut self, text: &str, bi: usize, block: &Block, inlines: &[Inline]) {
        let pairer = &mut self.pairer;
        // The token that continued a quotation from the previous paragraph.
        let mut skip: Option<usize> = None;
        if let Some((last, end)) = self.pending.take() {
            let lead = match block {
                Block::Paragraph(_) => leading_mark(inlines, text),
                _ => None,
            };
            match lead {
                Some((m, span)) if continues(pairer.stack[0].style, m) => {
                    pairer.stack[0].continuation_marks.push(span);
                    skip = Some(span.start);
                }
                _ => pairer.unclosed(end, last),
            }
        }
        // What the previous token was: a mark that closed the quotation stored there, or a
        // mark that closed nothing.
        let mut prev_mark: Option<Option<Closed>> = None;
        for tok in inlines {
            let after_mark = prev_mark.take();
            match &tok.kind {
                InlineKind::Mark(_) if skip == Some(tok.span.start) => prev_mark = Some(None),
                InlineKind::Mark(m) => prev_mark = Some(pairer.mark(*m, tok.span, bi)),
                InlineKind::Attr(a) => match after_mark {
                    Some(Some(closed)) => {
                        if let Some(q) = pairer.closed_mut(closed) {
                            q.attr = Some(a.clone());
                        }
                    }
                    Some(None) => pairer.errors.push(SyntaxError {
                        span: a.span,
                        message: "the mark before this attribute block closes no quotation (an opening mark, an apostrophe or an unpaired mark), so the block is not attached".into(),
                    }),
                    None => pairer.errors.push(SyntaxError {
                        span: a.span,
                        message: "an attribute block must directly follow a closing quotation mark"
                            .into(),
                    }),
                },
                _ => {}
            }
        }
        if pairer.stack.is_empty() {
            return;
        }
        let end = trim_end(text, block.span().end);
        match block {
            Block::Paragraph(_) => {
                // Only the outermost quotation may go on into the next paragraph.
                pairer.drop_above(0, end, bi);
                self.pending = Some((bi, end));
            }
            _ => pairer.unclosed(end, bi),
        }
    }

    /// Close what is still open and store the quotations; the pairing errors come after the
    /// lexer's.
    pub(super) fn finish(mut self, parse: &mut Parse) {
        if let Some((last, end)) = self.pending {
            self.pairer.unclosed(end, last);
        }
        parse.quotes = self.pairer.done;
        parse.errors.append(&mut self.pairer.errors);
    }
}

/// `end` moved back over trailing white space.
fn trim_end(text: &str, end: usize) -> usize {
    text[..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    use crate::syntax::{parse, AttrContent, MarkStyle, Parse, ParseOptions, QuoteStyle};

    fn p(text: &str) -> Parse {
        parse(text, &ParseOptions::default())
    }

    fn british(text: &str) -> Parse {
        parse(
            text,
            &ParseOptions {
                quote_style: QuoteStyle::Single,
            },
        )
    }

    /// (content, closed, nested) of each quotation.
    fn quotes(r: &Parse, text: &str) -> Vec<(String, bool, bool)> {
        r.quotes
            .iter()
            .map(|q| {
                (
                    q.content.slice(text).to_string(),
                    q.close.is_some(),
                    q.nested,
                )
            })
            .collect()
    }

    fn q(s: &str, closed: bool, nested: bool) -> (String, bool, bool) {
        (s.to_string(), closed, nested)
    }

    #[test]
    fn four_styles() {
        let t = "\"one\" “two” «three» „four“ „five”";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            quotes(&r, t),
            [
                q("one", true, false),
                q("two", true, false),
                q("three", true, false),
                q("four", true, false),
                q("five", true, false)
            ]
        );
        let styles: Vec<_> = r.quotes.iter().map(|q| q.style).collect();
        assert_eq!(
            styles,
            [
                MarkStyle::Straight,
                MarkStyle::Curly,
                MarkStyle::Guillemets,
                MarkStyle::LowHigh,
                MarkStyle::LowHigh
            ]
        );
    }

    #[test]
    fn straight_marks_open_and_close_by_context() {
        let t = "\"We agree,\" he said, \"and (\"so\" do they).\"";
        let r = p(t);
        // The `"` after `(` opens inside an open straight quotation: an error, skipped; so
        // `so"` closes the second quotation and the last `"` has nothing to close.
        assert_eq!(quotes(&r, t)[0], q("We agree,", true, false));
        assert_eq!(quotes(&r, t)[1], q("and (\"so", true, false));
        let msgs: Vec<_> = r.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("same marks"));
        assert!(msgs[1].contains("no open quotation"));
    }

    #[test]
    fn closing_mark_with_nothing_open() {
        let t = "He is 6' 2\" tall and said” no»";
        let r = p(t);
        assert!(r.quotes.is_empty());
        assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
        assert_eq!(r.errors[0].span.slice(t), "\"");
        assert_eq!(r.errors[1].span.slice(t), "”");
        assert_eq!(r.errors[2].span.slice(t), "»");
    }

    #[test]
    fn nested_singles_and_apostrophes() {
        let t = "\"I don't think 'never' is the Tories' word,\" she said.";
        let r = p(t);
        assert!(r.errors.is_empty());
        assert_eq!(
            quotes(&r, t),
            [
                q("I don't think 'never' is the Tories' word,", true, false),
                q("never", true, true)
            ]
        );
        // Outside a double quotation single marks are not quotations at all.
        let t = "The 'cold calls' and the Tories' plans";
        assert!(p(t).quotes.is_empty());
        // An inner single left open (an apostrophe after all) goes quietly.
        let t = "\"the '90s and 'em\" x";
        let r = p(t);
        assert!(r.errors.is_empty());
        assert_eq!(quotes(&r, t), [q("the '90s and 'em", true, false)]);
    }

    #[test]
    fn nested_doubles_in_other_marks() {
        let t = "«He said “no” and „nein“ to me»";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            quotes(&r, t),
            [
                q("He said “no” and „nein“ to me", true, false),
                q("no", true, true),
                q("nein", true, true)
            ]
        );
        // Three levels: double, single, double.
        let t = "\"a 'b \"c\" d' e\"";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(quotes(&r, t).len(), 3);
    }

    #[test]
    fn closers_prefer_their_own_marks_but_mismatches_still_close() {
        let t = "«a “b» c";
        let r = p(t);
        // `»` closes the guillemets; the curly quotation inside never closed.
        assert_eq!(quotes(&r, t), [q("a “b", true, false), q("b", false, true)]);
        let t = "“Hello,\" he said.";
        let r = p(t);
        assert!(r.errors.is_empty());
        assert_eq!(quotes(&r, t), [q("Hello,", true, false)]);
    }

    #[test]
    fn british_style() {
        let t = "'We will not \"negotiate\" with them,' he said of the Tories' plans.";
        let r = british(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            quotes(&r, t),
            [
                q("We will not \"negotiate\" with them,", true, false),
                q("negotiate", true, true)
            ]
        );
        assert_eq!(r.quotes[0].style, MarkStyle::Single);
        // ‘…’ too, and a double quotation on its own is still a quotation.
        let t = "‘Yes,’ she said. \"No,\" he said.";
        assert_eq!(
            quotes(&british(t), t),
            [q("Yes,", true, false), q("No,", true, false)]
        );
    }

    #[test]
    fn multi_paragraph_quotation() {
        let t = "\"First part.\n\n\"Second part.\n\n\"Third part,\" he said.\n";
        let r = p(t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.quotes.len(), 1);
        let qt = &r.quotes[0];
        assert!(qt.close.is_some());
        assert_eq!(qt.blocks, (0, 2));
        assert_eq!(qt.continuation_marks.len(), 2);
        assert_eq!(qt.continuation_marks[0].slice(t), "\"");
        assert_eq!(
            qt.content.slice(t),
            "First part.\n\n\"Second part.\n\n\"Third part,"
        );
    }

    #[test]
    fn multi_paragraph_with_comment_between_and_british_singles() {
        let t = "'One.\n\n%% note\n\n'Two,' he said.";
        let r = british(t);
        assert_eq!(r.quotes.len(), 1);
        assert!(r.quotes[0].close.is_some());
    }

    #[test]
    fn unclosed_quotation_is_cut_at_its_paragraph() {
        let t = "\"Never closed   \n\nNext paragraph \"is quoted\" properly.\n";
        let r = p(t);
        assert_eq!(
            quotes(&r, t),
            [q("Never closed", false, false), q("is quoted", true, false)]
        );
        assert_eq!(r.quotes[0].blocks, (0, 0));
        // A continuation that is itself left open ends at its own paragraph.
        let t = "\"A\n\n\"B\n\nC \"d\"";
        let r = p(t);
        assert_eq!(
            quotes(&r, t),
            [q("A\n\n\"B", false, false), q("d", true, false)]
        );
    }

    #[test]
    fn unclosed_at_heading_definition_and_end() {
        let t = "# \"Title  \n\"Para\n@a: person \"A\"\n\"End";
        let r = p(t);
        assert_eq!(
            quotes(&r, t),
            [
                q("Title", false, false),
                q("Para", false, false),
                q("End", false, false)
            ]
        );
    }

    #[test]
    fn nested_double_left_open_at_paragraph_end_is_reported() {
        let t = "\"He said “no\n\n\"More,\" he said.";
        let r = p(t);
        assert_eq!(
            quotes(&r, t),
            [
                q("He said “no\n\n\"More,", true, false),
                q("no", false, true)
            ]
        );
    }

    #[test]
    fn attribute_block_binds_to_the_quotation_just_closed() {
        let t = "\"Outer 'inner'{@a} text\"{@b} and \"x\" {@c}";
        let r = p(t);
        let speaker = |i: usize| match &r.quotes[i].attr.as_ref().map(|a| &a.content) {
            Some(AttrContent::Speaker { speaker, .. }) => Some(speaker.id.clone()),
            _ => None,
        };
        assert_eq!(r.quotes.len(), 3);
        assert_eq!(speaker(0).as_deref(), Some("b"));
        assert_eq!(speaker(1).as_deref(), Some("a"));
        assert_eq!(speaker(2), None);
        assert_eq!(r.errors.len(), 1, "the spaced block is stray");
        assert_eq!(
            r.quotes[0].span().slice(t),
            "\"Outer 'inner'{@a} text\"{@b}"
        );
        // A block after a mark that closes nothing is an error.
        let r = p("the Tories'{@a} plans");
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].message.contains("closes no quotation"));
    }
}
