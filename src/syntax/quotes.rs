//! Pairing quotation marks into quotations, across paragraphs in the news convention.

use super::{
    AttrBlock, Block, InlineKind, Mark, MarkStyle, Parse, Quote, QuoteStyle, Span, SyntaxError,
};

#[derive(Clone, Debug)]
struct Open {
    style: MarkStyle,
    open: Span,
    first_block: usize,
    continuation_marks: Vec<Span>,
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
        (MarkStyle::Single, true) => "'",
        (MarkStyle::Single, false) => "'",
    }
}

struct Pairer<'a> {
    style: QuoteStyle,
    stack: Vec<Open>,
    quotes: Vec<Quote>,
    errors: &'a mut Vec<SyntaxError>,
}

impl Pairer<'_> {
    fn is_primary(&self, style: MarkStyle) -> bool {
        match self.style {
            QuoteStyle::Double => style != MarkStyle::Single,
            QuoteStyle::Single => style == MarkStyle::Single,
        }
    }

    fn innermost_double(&self) -> Option<usize> {
        self.stack
            .iter()
            .rposition(|o| o.style != MarkStyle::Single)
    }

    fn close(&mut self, at: usize, close: Option<Span>, content_end: usize, block: usize) {
        // Quotations opened inside and left open were apostrophes or typos: drop them quietly.
        self.stack.truncate(at + 1);
        let o = self.stack.pop().expect("index from the stack");
        self.quotes.push(Quote {
            open: o.open,
            close,
            content: Span::new(o.open.end, content_end.max(o.open.end)),
            style: o.style,
            nested: at > 0,
            attr: None,
            blocks: (o.first_block, block),
            continuation_marks: o.continuation_marks,
        });
    }

    fn open_double(&mut self, style: MarkStyle, span: Span, block: usize) {
        if self.stack.iter().any(|o| o.style == style) {
            let m = mark_char(style, true);
            self.errors.push(SyntaxError {
                span,
                message: format!(
                    "`{m}` opens a quotation inside an open quotation with the same marks; skipped"
                ),
            });
            return;
        }
        if !self.is_primary(style) && self.stack.is_empty() && self.style == QuoteStyle::Single {
            // British style: a double quotation outside any single one still counts.
        }
        self.stack.push(Open {
            style,
            open: span,
            first_block: block,
            continuation_marks: Vec::new(),
        });
    }

    /// Returns whether the mark closed a quotation.
    fn mark(&mut self, mark: Mark, span: Span, block: usize) -> bool {
        match mark {
            Mark::StraightOpen => self.open_double(MarkStyle::Straight, span, block),
            Mark::GuillemetOpen => self.open_double(MarkStyle::Guillemets, span, block),
            Mark::LowOpen => self.open_double(MarkStyle::LowHigh, span, block),
            Mark::CurlyOpen => {
                if let Some(i) = self.innermost_double() {
                    if self.stack[i].style == MarkStyle::LowHigh {
                        self.close(i, Some(span), span.start, block);
                        return true;
                    }
                }
                self.open_double(MarkStyle::Curly, span, block)
            }
            Mark::StraightClose | Mark::CurlyClose | Mark::GuillemetClose => {
                match self.innermost_double() {
                    Some(i) => {
                        self.close(i, Some(span), span.start, block);
                        return true;
                    }
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
                let inside = !self.stack.is_empty();
                let same_open = self
                    .stack
                    .last()
                    .is_some_and(|o| o.style == MarkStyle::Single);
                if (inside || self.style == QuoteStyle::Single) && !same_open {
                    self.stack.push(Open {
                        style: MarkStyle::Single,
                        open: span,
                        first_block: block,
                        continuation_marks: Vec::new(),
                    });
                }
            }
            Mark::SingleClose => {
                if self
                    .stack
                    .last()
                    .is_some_and(|o| o.style == MarkStyle::Single)
                {
                    let i = self.stack.len() - 1;
                    self.close(i, Some(span), span.start, block);
                    return true;
                }
            }
        }
        false
    }

    fn unclosed(&mut self, content_end: usize, block: usize) {
        if !self.stack.is_empty() {
            self.close(0, None, content_end, block);
        }
    }
}

/// Whether the first token of a block's inline content is an opening primary mark.
fn opening_mark(block: &Block, style: QuoteStyle) -> Option<(Mark, Span)> {
    let Block::Paragraph(p) = block else {
        return None;
    };
    let first = p.inlines.first()?;
    match first.kind {
        InlineKind::Mark(m) => {
            let opens = match style {
                QuoteStyle::Double => matches!(
                    m,
                    Mark::StraightOpen | Mark::CurlyOpen | Mark::GuillemetOpen | Mark::LowOpen
                ),
                QuoteStyle::Single => m == Mark::SingleOpen,
            };
            opens.then_some((m, first.span))
        }
        _ => None,
    }
}

pub(super) fn pair_quotes(text: &str, parse: &mut Parse, style: QuoteStyle) {
    let _ = text;
    parse.blocks.sort_by_key(|b| b.span().start);
    let mut pairer = Pairer {
        style,
        stack: Vec::new(),
        quotes: Vec::new(),
        errors: &mut parse.errors,
    };
    // Index of the prose block where a still-open quotation was left, with its end offset.
    let mut pending: Option<(usize, usize)> = None;
    for (bi, block) in parse.blocks.iter().enumerate() {
        if matches!(block, Block::Comment(_)) {
            continue;
        }
        let mut skip_first = false;
        if let Some((last, end)) = pending.take() {
            match opening_mark(block, style) {
                Some((_, span)) => {
                    pairer.stack[0].continuation_marks.push(span);
                    skip_first = true;
                }
                None => pairer.unclosed(end, last),
            }
        }
        let Some(inlines) = block.inlines() else {
            continue;
        };
        let mut last_closed: Option<usize> = None; // index into quotes of a quote closed by the previous token
        for (ti, tok) in inlines.iter().enumerate() {
            if skip_first && ti == 0 {
                continue;
            }
            let closed_by_prev = last_closed.take();
            match &tok.kind {
                InlineKind::Mark(m) => {
                    let before = pairer.quotes.len();
                    if pairer.mark(*m, tok.span, bi) {
                        last_closed = Some(before);
                    }
                }
                InlineKind::Attr(a) => match closed_by_prev {
                    Some(qi) => pairer.quotes[qi].attr = Some(AttrBlock::clone(a)),
                    None => pairer.errors.push(SyntaxError {
                        span: a.span,
                        message: "an attribute block must directly follow a closing quotation mark"
                            .into(),
                    }),
                },
                _ => {}
            }
        }
        let end = block.span().end;
        match block {
            Block::Paragraph(_) if !pairer.stack.is_empty() => {
                // Keep only the primary quotation open; the next paragraph decides.
                pairer.stack.truncate(1);
                pending = Some((bi, trim_end(text, end)));
            }
            _ => pairer.unclosed(end, bi),
        }
    }
    if let Some((last, end)) = pending {
        pairer.unclosed(end, last);
    }
    let mut quotes = pairer.quotes;
    quotes.sort_by_key(|q| q.open.start);
    parse.quotes = quotes;
}

fn trim_end(text: &str, end: usize) -> usize {
    end - (text[..end].len() - text[..end].trim_end().len())
}
