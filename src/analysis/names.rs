//! Finding entity names and aliases in prose, for `unlinked-mention`.
//!
//! Patterns are indexed by their first byte and tried longest first at each position that
//! starts a word, so a search costs one table lookup per byte and nothing to build: an
//! automaton (Aho-Corasick) searched no faster on article-sized casts and cost more to build
//! than the whole search, for every analysis.

/// A set of names, each with an owner index.
pub struct NameMatcher<'p> {
    /// Sorted by first byte, then longest first; a name given twice keeps its first owner.
    patterns: Vec<Pattern<'p>>,
    /// `patterns[starts[b]..starts[b + 1]]` begin with byte `b`.
    starts: Vec<u32>,
}

struct Pattern<'p> {
    name: &'p str,
    owner: usize,
    /// The name's first (up to) 8 bytes and a mask of them, to reject most candidates with
    /// one comparison.
    prefix: u64,
    mask: u64,
}

/// Up to 8 bytes from the start of `b`, little-endian, with the mask of those present.
fn word(b: &[u8]) -> (u64, u64) {
    let n = b.len().min(8);
    let mut buf = [0u8; 8];
    buf[..n].copy_from_slice(&b[..n]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    (u64::from_le_bytes(buf), mask)
}

impl<'p> NameMatcher<'p> {
    pub fn new(names: impl IntoIterator<Item = (&'p str, usize)>) -> NameMatcher<'p> {
        let mut seen = std::collections::HashSet::new();
        let mut patterns: Vec<Pattern<'p>> = names
            .into_iter()
            .filter(|(n, _)| !n.is_empty() && seen.insert(*n))
            .map(|(name, owner)| {
                let (prefix, mask) = word(name.as_bytes());
                Pattern {
                    name,
                    owner,
                    prefix,
                    mask,
                }
            })
            .collect();
        // Stable: among names of one length, the first given wins.
        patterns.sort_by_key(|p| (p.name.as_bytes()[0], std::cmp::Reverse(p.name.len())));
        let mut starts = vec![0u32; 257];
        for p in &patterns {
            starts[p.name.as_bytes()[0] as usize + 1] += 1;
        }
        for b in 0..256 {
            starts[b + 1] += starts[b];
        }
        NameMatcher { patterns, starts }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Call `found(start, end, owner)` for each whole-word occurrence in `s`, left to right,
    /// longest first, not overlapping.
    pub fn find(&self, s: &str, mut found: impl FnMut(usize, usize, usize)) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let first = b[i] as usize;
            let (lo, hi) = (self.starts[first] as usize, self.starts[first + 1] as usize);
            // A pattern's first byte is ASCII or a UTF-8 lead byte, so `i` is a char boundary.
            if lo < hi && !word_char_before(s, i) {
                let (here, _) = word(&b[i..]);
                let hit = self.patterns[lo..hi].iter().find(|p| {
                    here & p.mask == p.prefix
                        && b[i..].starts_with(p.name.as_bytes())
                        && !word_char_after(s, i + p.name.len())
                });
                if let Some(p) = hit {
                    found(i, i + p.name.len(), p.owner);
                    i += p.name.len();
                    continue;
                }
            }
            i += 1;
        }
    }
}

fn word_char_before(s: &str, i: usize) -> bool {
    s[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn word_char_after(s: &str, i: usize) -> bool {
    s[i..].chars().next().is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(m: &NameMatcher<'_>, s: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        m.find(s, |a, b, o| out.push((s[a..b].to_string(), o)));
        out
    }

    #[test]
    fn whole_words_longest_first() {
        let m = NameMatcher::new([
            ("Lavrov", 0),
            ("Sergey Lavrov", 0),
            ("Tokyo", 1),
            ("Élysée", 2),
            ("the Kremlin", 3),
        ]);
        assert_eq!(
            all(
                &m,
                "Sergey Lavrov met Lavrov's aide in Tokyo, not TokyoX or Lavrovs."
            ),
            [
                ("Sergey Lavrov".to_string(), 0),
                ("Lavrov".to_string(), 0),
                ("Tokyo".to_string(), 1)
            ]
        );
        assert_eq!(
            all(&m, "l'Élysée et the Kremlin"),
            [("Élysée".into(), 2), ("the Kremlin".into(), 3)]
        );
        assert!(all(&m, "xLavrov Lavrov2 Tokyo9").is_empty());
    }

    #[test]
    fn a_longer_name_that_is_not_a_whole_word_falls_back_to_a_shorter_one() {
        let m = NameMatcher::new([("Brown", 0), ("Brown Ltd", 1)]);
        assert_eq!(all(&m, "Brown Ltda"), [("Brown".to_string(), 0)]);
        assert!(NameMatcher::new([("", 0)]).is_empty());
        // The same name for two entities: the first one given wins.
        let m = NameMatcher::new([("Abe", 7), ("Abe", 8)]);
        assert_eq!(all(&m, "Abe"), [("Abe".to_string(), 7)]);
    }
}
