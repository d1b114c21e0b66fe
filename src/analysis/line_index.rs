//! Byte offset → line and column (in Unicode scalar values) in O(log n), so that reporting many
//! positions in a big file stays linear: counting from the start of the file (or of a very long
//! line) for every diagnostic is quadratic.

/// Bytes between two char-count checkpoints.
const STEP: usize = 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts (lines end with `\n`).
    line_starts: Vec<usize>,
    /// `(byte offset, chars before it)` at char boundaries about every [`STEP`] bytes; empty when
    /// the text is ASCII (chars = bytes).
    checkpoints: Vec<(usize, usize)>,
    len: usize,
    bom: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut checkpoints = Vec::new();
        if !text.is_ascii() {
            let mut chars = 0;
            let mut at = 0;
            checkpoints.push((0, 0));
            while at < text.len() {
                let next = ceil_char_boundary(text, (at + STEP).min(text.len()));
                chars += text[at..next].chars().count();
                at = next;
                checkpoints.push((at, chars));
            }
        }
        LineIndex {
            line_starts,
            checkpoints,
            len: text.len(),
            bom: text.starts_with('\u{feff}'),
        }
    }

    /// Number of Unicode scalar values in `text[..offset]` (`text` is the indexed text).
    pub fn char_offset(&self, text: &str, offset: usize) -> usize {
        let offset = super::floor_char_boundary(text, offset.min(self.len));
        if self.checkpoints.is_empty() {
            return offset;
        }
        let i = self.checkpoints.partition_point(|&(b, _)| b <= offset) - 1;
        let (b, c) = self.checkpoints[i];
        c + text[b..offset].chars().count()
    }

    /// 0-based line and column (in Unicode scalar values) of a byte offset; a leading byte order
    /// mark is not counted.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = super::floor_char_boundary(text, offset.min(self.len));
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut col = self.char_offset(text, offset) - self.char_offset(text, start);
        if line == 0 && self.bom && offset > 0 {
            col -= 1;
        }
        (line, col)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::line_col;

    #[test]
    fn agrees_with_counting_from_the_start() {
        let mut text = String::from("\u{feff}first «line» é\r\nsecond\n\nфёдор said “да”\n");
        // A long non-ASCII line crosses several checkpoints.
        for i in 0..3000 {
            text.push(if i % 7 == 0 { 'ж' } else { 'a' });
        }
        text.push_str("\nend");
        let index = LineIndex::new(&text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line_col(&text, offset),
                line_col(&text, offset),
                "at byte {offset}"
            );
        }
        assert_eq!(index.line_count(), 6);
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}ab";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 3), (0, 0));
        assert_eq!(index.line_col(text, 4), (0, 1));
        assert_eq!(index.char_offset(text, 4), 2);
    }

    #[test]
    fn ascii_fast_path() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 4), (1, 1));
        assert_eq!(index.line_col(text, 99), (1, 2));
        assert_eq!(index.char_offset(text, 4), 4);
    }
}
