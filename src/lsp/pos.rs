//! Byte offsets ↔ LSP positions, in the negotiated encoding (UTF-8 or UTF-16 code units).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as LSP counts them. Every conversion clamps: a
//! column past a line's end lands on the end of that line (before its line break), a line past
//! the last one lands on the end of the text, and an offset inside a character moves back to its
//! start. Nothing here panics on any input.
//!
//! A byte-order mark at the very start is not part of line 0's columns: editors strip it before
//! they count.

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, Range};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    #[cfg(test)]
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Bytes between two UTF-16 checkpoints.
const STEP: usize = 1024;

/// Texts up to this size get no checkpoints: counting a column from its line's start costs less
/// than indexing the whole text, which requests naming a few spans in many files do.
const SMALL: usize = 8 * STEP;

/// The start of every line of a text, for fast conversions on large documents.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset of each line's first character; `starts[0]` skips a BOM.
    starts: Vec<usize>,
    /// `(byte offset, UTF-16 units before it)` at char boundaries about every [`STEP`] bytes;
    /// empty for ASCII text and for texts up to [`SMALL`] bytes. Columns on a 10 MB line would
    /// otherwise be counted from the line's start for every position: quadratic.
    checkpoints: Vec<(usize, usize)>,
    ascii: bool,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex::build(text, SMALL)
    }

    /// An index with checkpoints when `text` is longer than `small` bytes (and not ASCII).
    fn build(text: &str, small: usize) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![if text.starts_with('\u{feff}') { 3 } else { 0 }];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if !ascii && text.len() > small {
            let (mut at, mut units) = (0, 0);
            checkpoints.push((0, 0));
            while at < text.len() {
                let mut next = (at + STEP).min(text.len());
                while !text.is_char_boundary(next) {
                    next += 1;
                }
                units += utf16_len(&text[at..next]);
                at = next;
                checkpoints.push((at, units));
            }
        }
        LineIndex {
            starts,
            checkpoints,
            ascii,
            len: text.len(),
        }
    }

    /// UTF-16 units in `text[..offset]` (`offset` on a char boundary).
    fn units(&self, text: &str, offset: usize) -> usize {
        if self.ascii {
            return offset;
        }
        if self.checkpoints.is_empty() {
            return utf16_len(&text[..offset]);
        }
        let i = self.checkpoints.partition_point(|&(b, _)| b <= offset) - 1;
        let (b, u) = self.checkpoints[i];
        u + utf16_len(&text[b..offset])
    }

    /// The byte offset `col` UTF-16 units into the line `start..end` (clamped to the line, and
    /// before a character whose surrogate pair `col` splits).
    fn utf16_col_to_byte(&self, text: &str, start: usize, end: usize, col: usize) -> usize {
        if self.ascii {
            return start + col.min(end - start);
        }
        // Count from the line's start (no checkpoints, or a line of ordinary length), or from
        // the last checkpoint before the column on a long line.
        let (b, mut u, target) = if self.checkpoints.is_empty() || end - start <= STEP {
            (start, 0, col)
        } else {
            let base = self.units(text, start);
            let target = base.saturating_add(col);
            let i = self.checkpoints.partition_point(|&(_, u)| u <= target) - 1;
            let (b, u) = self.checkpoints[i];
            if b < start {
                (start, base, target)
            } else {
                (b, u, target)
            }
        };
        if b >= end {
            return end;
        }
        for (i, c) in text[b..end].char_indices() {
            if u >= target {
                return b + i;
            }
            u += c.len_utf16();
            if u > target {
                return b + i;
            }
        }
        end
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of a line's content, without its line break.
    fn line_content(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let b = text.as_bytes();
        if end > start && b.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && b.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// The byte offset of an LSP position in `text` (the text this index was built from).
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.len;
        }
        let (start, end) = self.line_content(text, line);
        match enc {
            Encoding::Utf8 => start + column_to_bytes(&text[start..end], pos.character as usize),
            Encoding::Utf16 => self.utf16_col_to_byte(text, start, end, pos.character as usize),
        }
    }

    /// The LSP position of a byte offset in `text`.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = floor_boundary(text, offset.min(self.len));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line].min(offset);
        let col = match enc {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 if self.ascii => offset - start,
            // Near the line's start (the usual case) count from there; on a long line from
            // checkpoints.
            Encoding::Utf16 if self.checkpoints.is_empty() || offset - start <= STEP => {
                utf16_len(&text[start..offset])
            }
            Encoding::Utf16 => self.units(text, offset) - self.units(text, start),
        };
        Position::new(line as u32, col as u32)
    }

    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> Range {
        Range::new(
            self.position(text, start, enc),
            self.position(text, end, enc),
        )
    }

    /// Byte offsets of an LSP range, ordered and clamped.
    pub fn span(&self, text: &str, range: Range, enc: Encoding) -> (usize, usize) {
        let a = self.offset(text, range.start, enc);
        let b = self.offset(text, range.end, enc);
        (a.min(b), a.max(b))
    }
}

/// UTF-16 code units of `s`: one per character, two for those of four UTF-8 bytes. Counted on
/// bytes (which the compiler vectorises) rather than by decoding: positions of long lines
/// count many bytes.
fn utf16_len(s: &str) -> usize {
    s.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Bytes taken by the first `col` UTF-8 units of `line` (clamped, floored to a character).
fn column_to_bytes(line: &str, col: usize) -> usize {
    floor_boundary(line, col.min(line.len()))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The char index in `rope` of an LSP position, clamped like [`LineIndex::offset`]. O(log n):
/// no scan from the start of a (possibly 10 MB) line.
pub fn rope_char(rope: &Rope, pos: Position, enc: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let mut line_start = rope.line_to_char(line);
    let slice = rope.line(line);
    let mut content = slice.len_chars();
    // Drop the line break: `\n`, `\r\n` or `\r`.
    if content > 0 && slice.char(content - 1) == '\n' {
        content -= 1;
    }
    if content > 0 && slice.char(content - 1) == '\r' {
        content -= 1;
    }
    if line == 0 && content > 0 && slice.char(0) == '\u{feff}' {
        line_start += 1;
        content -= 1;
    }
    let line_end = line_start + content;
    let col = pos.character as usize;
    // Both conversions floor inside a character, as the LSP clamping rules want.
    let ch = match enc {
        Encoding::Utf8 => {
            let b = rope.char_to_byte(line_start).saturating_add(col);
            rope.byte_to_char(b.min(rope.char_to_byte(line_end)))
        }
        Encoding::Utf16 => {
            let u = rope.char_to_utf16_cu(line_start).saturating_add(col);
            rope.utf16_cu_to_char(u.min(rope.char_to_utf16_cu(line_end)))
        }
    };
    ch.min(line_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEXT: &str = "“Да,” he said — 😀 ok\r\nline2 é\rline3\n\nend";

    fn p(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn utf16_and_utf8_columns() {
        let idx = LineIndex::new(TEXT);
        assert_eq!(idx.line_count(), 5);
        let smile = TEXT.find('😀').unwrap();
        // “ = 1 unit/3 bytes, Д а = 1/2 each, `,` 1, ” 1/3, ` he said ` 9, — 1/3, space 1.
        assert_eq!(idx.position(TEXT, smile, Encoding::Utf16), p(0, 16));
        assert_eq!(
            idx.position(TEXT, smile, Encoding::Utf8),
            p(0, smile as u32)
        );
        let after = smile + '😀'.len_utf8();
        assert_eq!(idx.position(TEXT, after, Encoding::Utf16), p(0, 18));
        assert_eq!(idx.offset(TEXT, p(0, 16), Encoding::Utf16), smile);
        assert_eq!(idx.offset(TEXT, p(0, 18), Encoding::Utf16), after);
        // The middle of the surrogate pair stays before the emoji.
        assert_eq!(idx.offset(TEXT, p(0, 17), Encoding::Utf16), smile);
        // The middle of a UTF-8 sequence too.
        assert_eq!(
            idx.offset(TEXT, p(0, smile as u32 + 2), Encoding::Utf8),
            smile
        );
    }

    #[test]
    fn line_breaks_crlf_and_lone_cr() {
        let idx = LineIndex::new(TEXT);
        let l2 = TEXT.find("line2").unwrap();
        let l3 = TEXT.find("line3").unwrap();
        assert_eq!(idx.position(TEXT, l2, Encoding::Utf16), p(1, 0));
        assert_eq!(idx.position(TEXT, l3, Encoding::Utf16), p(2, 0));
        assert_eq!(idx.offset(TEXT, p(1, 0), Encoding::Utf16), l2);
        assert_eq!(idx.offset(TEXT, p(2, 0), Encoding::Utf8), l3);
        assert_eq!(idx.offset(TEXT, p(4, 3), Encoding::Utf16), TEXT.len());
    }

    #[test]
    fn clamps_past_line_and_file_end() {
        let idx = LineIndex::new(TEXT);
        let crlf = TEXT.find("\r\n").unwrap();
        // Past the end of line 0 → before its `\r\n`.
        assert_eq!(idx.offset(TEXT, p(0, 999), Encoding::Utf16), crlf);
        assert_eq!(idx.offset(TEXT, p(0, 999), Encoding::Utf8), crlf);
        // Past the last line → end of text.
        assert_eq!(idx.offset(TEXT, p(99, 0), Encoding::Utf16), TEXT.len());
        assert_eq!(idx.position(TEXT, usize::MAX, Encoding::Utf16), p(4, 3));
        // An empty text.
        let e = LineIndex::new("");
        assert_eq!(e.offset("", p(3, 3), Encoding::Utf16), 0);
        assert_eq!(e.position("", 10, Encoding::Utf8), p(0, 0));
        // Reversed range comes back ordered.
        assert_eq!(
            idx.span(TEXT, Range::new(p(1, 2), p(0, 1)), Encoding::Utf16),
            (TEXT.find('Д').unwrap(), TEXT.find("ne2").unwrap())
        );
    }

    #[test]
    fn bom_is_not_a_column() {
        let t = "\u{feff}@a: person \"A\"\n";
        let idx = LineIndex::new(t);
        assert_eq!(idx.position(t, 3, Encoding::Utf16), p(0, 0));
        assert_eq!(idx.position(t, 0, Encoding::Utf16), p(0, 0));
        assert_eq!(idx.offset(t, p(0, 1), Encoding::Utf16), 4);
        let rope = Rope::from_str(t);
        assert_eq!(rope_char(&rope, p(0, 1), Encoding::Utf16), 2);
    }

    #[test]
    fn rope_agrees_with_line_index() {
        let rope = Rope::from_str(TEXT);
        let idx = LineIndex::new(TEXT);
        for line in 0..7 {
            for col in 0..30 {
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    let byte = idx.offset(TEXT, p(line, col), enc);
                    let ch = rope_char(&rope, p(line, col), enc);
                    assert_eq!(rope.char_to_byte(ch), byte, "{line}:{col} {enc:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn roundtrip_and_never_panics(text in "[a-zé😀“\r\n—Д ]{0,40}", line in 0u32..8, col in 0u32..50) {
            let idx = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for enc in [Encoding::Utf8, Encoding::Utf16] {
                let off = idx.offset(&text, p(line, col), enc);
                prop_assert!(text.is_char_boundary(off));
                let back = idx.position(&text, off, enc);
                prop_assert_eq!(idx.offset(&text, back, enc), off);
                prop_assert_eq!(rope.char_to_byte(rope_char(&rope, p(line, col), enc)), off);
            }
            for (i, _) in text.char_indices() {
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    let pos = idx.position(&text, i, enc);
                    let back = idx.offset(&text, pos, enc);
                    // Offsets inside a CRLF pair map to the line end, before the `\r`.
                    prop_assert!(back == i || (text.as_bytes()[i] == b'\n' && back + 1 == i));
                }
            }
        }
    }

    /// The straightforward conversions the indexed ones must agree with.
    fn naive_offset(text: &str, idx: &LineIndex, pos: Position, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= idx.starts.len() {
            return text.len();
        }
        let (start, end) = idx.line_content(text, line);
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += enc.width(c);
            if units > pos.character as usize {
                return start + i;
            }
        }
        end
    }

    proptest! {
        #[test]
        fn utf16_len_counts_like_encoding(s in "\\PC*") {
            prop_assert_eq!(utf16_len(&s), s.encode_utf16().count());
        }

        #[test]
        fn checkpoints_agree_with_counting_on_long_lines(
            pieces in prop::collection::vec(prop::sample::select(vec!["a", "é", "😀", "“", "\n", "\r\n", "\u{feff}", "bcdefgh"]), 0..600),
            probes in prop::collection::vec((0u32..4, 0u32..2000), 1..20),
        ) {
            let text: String = pieces.concat();
            let rope = Rope::from_str(&text);
            // With and without checkpoints (small texts have none).
            for idx in [LineIndex::new(&text), LineIndex::build(&text, 0)] {
            for (line, col) in &probes {
                let (line, col) = (*line, *col);
                for enc in [Encoding::Utf8, Encoding::Utf16] {
                    let pos = p(line, col);
                    let off = idx.offset(&text, pos, enc);
                    prop_assert_eq!(off, naive_offset(&text, &idx, pos, enc));
                    prop_assert_eq!(rope.char_to_byte(rope_char(&rope, pos, enc)), off);
                    let back = idx.position(&text, off, enc);
                    let start = idx.starts[back.line as usize];
                    let naive_col: usize = text[start.min(off)..off].chars().map(|c| enc.width(c)).sum();
                    prop_assert_eq!(back.character as usize, naive_col);
                }
            }
            }
        }
    }
}
