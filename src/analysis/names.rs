//! Finding entity names and aliases in prose, for `unlinked-mention`.
//!
//! Names are indexed by a hash of their first four bytes (shorter ones by their first byte)
//! and tried longest first at each position that starts a word, so a search costs a table
//! lookup or two per word and nothing to build: an automaton (Aho-Corasick) searched no faster
//! on article-sized casts and cost more to build than the whole search, for every analysis.

/// A set of names, each with an owner index.
pub struct NameMatcher<'p> {
    /// Names of four bytes or more, grouped by bucket, longest first within a bucket; a name
    /// given twice keeps its first owner.
    long: Vec<Pattern<'p>>,
    /// `long[long_starts[h]..long_starts[h + 1]]` are in bucket `h`.
    long_starts: Vec<u32>,
    /// The bucket of a name is the top `bucket_bits` of a hash of its first four bytes.
    bucket_bits: u32,
    /// Names of one to three bytes, grouped by first byte, longest first.
    short: Vec<Pattern<'p>>,
    /// `short[short_starts[b]..short_starts[b + 1]]` begin with byte `b`.
    short_starts: Vec<u32>,
    /// Whether any name begins with this byte: most positions are rejected by this alone.
    first: [bool; 256],
}

struct Pattern<'p> {
    name: &'p str,
    owner: usize,
    /// The name's first (up to) 8 bytes and a mask of them, to reject most candidates with
    /// one comparison.
    prefix: u64,
    mask: u64,
}

/// At most 2^12 buckets; a cast of n long names gets about 2n (a table built for every
/// analysis must cost in proportion to the cast, not to its largest size).
const MAX_BUCKET_BITS: u32 = 12;
const MIN_BUCKET_BITS: u32 = 4;

fn bucket(four: u32, bits: u32) -> usize {
    (four.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize
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

/// Group `patterns` by `key`, longest first within a group (stable: the first given wins
/// among equals); returns the group start offsets.
fn group<'p>(
    patterns: &mut [Pattern<'p>],
    groups: usize,
    key: impl Fn(&Pattern<'p>) -> usize,
) -> Vec<u32> {
    patterns.sort_by_key(|p| (key(p), std::cmp::Reverse(p.name.len())));
    let mut starts = vec![0u32; groups + 1];
    for p in patterns.iter() {
        starts[key(p) + 1] += 1;
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    starts
}

impl<'p> NameMatcher<'p> {
    pub fn new(names: impl IntoIterator<Item = (&'p str, usize)>) -> NameMatcher<'p> {
        let mut seen = std::collections::HashSet::new();
        let mut first = [false; 256];
        let (mut long, mut short): (Vec<Pattern<'p>>, Vec<Pattern<'p>>) = names
            .into_iter()
            .filter(|(n, _)| !n.is_empty() && seen.insert(*n))
            .map(|(name, owner)| {
                first[name.as_bytes()[0] as usize] = true;
                let (prefix, mask) = word(name.as_bytes());
                Pattern {
                    name,
                    owner,
                    prefix,
                    mask,
                }
            })
            .partition(|p| p.name.len() >= 4);
        let bucket_bits =
            (usize::BITS - long.len().leading_zeros() + 1).clamp(MIN_BUCKET_BITS, MAX_BUCKET_BITS);
        let long_starts = group(&mut long, 1 << bucket_bits, |p| {
            bucket(p.prefix as u32, bucket_bits)
        });
        let short_starts = group(&mut short, 256, |p| p.name.as_bytes()[0] as usize);
        NameMatcher {
            long,
            long_starts,
            bucket_bits,
            short,
            short_starts,
            first,
        }
    }

    fn candidates(&self, b: &[u8]) -> impl Iterator<Item = &Pattern<'p>> {
        let (here, _) = word(b);
        let long = if b.len() >= 4 {
            let h = bucket(here as u32, self.bucket_bits);
            &self.long[self.long_starts[h] as usize..self.long_starts[h + 1] as usize]
        } else {
            &[]
        };
        let f = b[0] as usize;
        let short = &self.short[self.short_starts[f] as usize..self.short_starts[f + 1] as usize];
        // Long names first: they are longer than any short one.
        long.iter()
            .chain(short)
            .filter(move |p| here & p.mask == p.prefix)
    }

    pub fn is_empty(&self) -> bool {
        self.long.is_empty() && self.short.is_empty()
    }

    /// Call `found(start, end, owner)` for each whole-word occurrence in `s`, left to right,
    /// longest first, not overlapping.
    pub fn find(&self, s: &str, mut found: impl FnMut(usize, usize, usize)) {
        let b = s.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // Skip to the next byte that can begin a name (a tight loop: most bytes cannot).
            match b[i..].iter().position(|&x| self.first[x as usize]) {
                Some(skip) => i += skip,
                None => return,
            }
            // A name's first byte is ASCII or a UTF-8 lead byte, so `i` is a char boundary.
            if !word_char_before(s, i) {
                let hit = self.candidates(&b[i..]).find(|p| {
                    b[i..].starts_with(p.name.as_bytes()) && !word_char_after(s, i + p.name.len())
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
    match i.checked_sub(1).map(|p| s.as_bytes()[p]) {
        None => false,
        // An ASCII byte is a whole character.
        Some(x) if x.is_ascii() => x.is_ascii_alphanumeric(),
        Some(_) => s[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric),
    }
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

    /// The same semantics, done the slow way: at each word start, the longest name that
    /// ends a word (first given among equals), then skip past it.
    fn naive(names: &[(&str, usize)], s: &str) -> Vec<(usize, usize, usize)> {
        let mut uniq: Vec<(&str, usize)> = Vec::new();
        for (n, o) in names {
            if !n.is_empty() && !uniq.iter().any(|(u, _)| u == n) {
                uniq.push((n, *o));
            }
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < s.len() {
            if s.is_char_boundary(i) && !word_char_before(s, i) {
                let best = uniq
                    .iter()
                    .filter(|(n, _)| s[i..].starts_with(n) && !word_char_after(s, i + n.len()))
                    .fold(None::<(&str, usize)>, |b, c| match b {
                        Some(b) if b.0.len() >= c.0.len() => Some(b),
                        _ => Some(*c),
                    });
                if let Some((n, o)) = best {
                    out.push((i, i + n.len(), o));
                    i += n.len();
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_naive_search(
            names in proptest::collection::vec("[A-Ea-c É]{1,9}", 0..12),
            text in "[A-Ea-c É.,]{0,80}",
        ) {
            let names: Vec<(&str, usize)> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
            let m = NameMatcher::new(names.iter().copied());
            let mut got = Vec::new();
            m.find(&text, |a, b, o| got.push((a, b, o)));
            proptest::prop_assert_eq!(got, naive(&names, &text));
        }
    }

    #[test]
    fn a_longer_name_that_is_not_a_whole_word_falls_back_to_a_shorter_one() {
        let m = NameMatcher::new([("Brown", 0), ("Brown Ltd", 1)]);
        assert_eq!(all(&m, "Brown Ltda"), [("Brown".to_string(), 0)]);
        // Short names (under four bytes) and long ones sharing a first byte.
        let m = NameMatcher::new([("EU", 0), ("Eurostat", 1), ("Abe", 2), ("UN", 3)]);
        assert_eq!(
            all(
                &m,
                "The EU, Eurostat, Abe and the UN; EUR and Abel are not."
            ),
            [
                ("EU".to_string(), 0),
                ("Eurostat".to_string(), 1),
                ("Abe".to_string(), 2),
                ("UN".to_string(), 3)
            ]
        );
        assert!(NameMatcher::new([("", 0)]).is_empty());
        // The same name for two entities: the first one given wins.
        let m = NameMatcher::new([("Abe", 7), ("Abe", 8)]);
        assert_eq!(all(&m, "Abe"), [("Abe".to_string(), 7)]);
    }
}
