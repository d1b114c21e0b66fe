//! Finding entity names and aliases in prose, for `unlinked-mention`.
//!
//! Names are indexed by a hash of their first four bytes (shorter ones by their first byte)
//! and tried longest first at each position that starts a word, so a search costs a table
//! lookup or two per word and nothing to build.
//!
//! Not the `aho-corasick` crate: measured in session 6 with the same semantics (leftmost-longest,
//! then the word-boundary and fallback rules here; `docs/benchmarks.md`, "Session 6: name
//! scan"), its search alone cost 2.5x these instructions on the 1 MB document (a cast of
//! hundreds of names gets no prefilter, so the automaton steps through every byte) and 1.5x on
//! the 40 articles, and building it for each analysis cost more than the whole search.

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
    /// A filter of the names' first two bytes (every pair after `b0` for a one-byte name):
    /// rejects most capitalised words that begin no name (`The`, `But`, `In`) before the
    /// name table is read. 4,096 bits, so that building it costs little for a small cast.
    pairs: [u64; 64],
    /// A superset of `first` that SSE2 tests 16 bytes at a time, when the names' first bytes
    /// allow one (see [`Prefilter`]).
    prefilter: Option<Prefilter>,
}

/// The bytes that may begin a name, as SSE2 can test them: the ASCII capitals (all of them,
/// if any name begins with one), the bytes of 0x80 and above (idem: UTF-8 lead bytes), and
/// at most [`Prefilter::MAX_OTHERS`] other bytes (`t` of `the Kremlin`). A cast with more
/// other first bytes scans byte by byte.
#[derive(Clone, Copy)]
struct Prefilter {
    upper: bool,
    high: bool,
    others: [u8; Prefilter::MAX_OTHERS],
    n_others: usize,
}

impl Prefilter {
    const MAX_OTHERS: usize = 4;

    fn new(first: &[bool; 256]) -> Option<Prefilter> {
        let mut p = Prefilter {
            upper: false,
            high: false,
            others: [0; Prefilter::MAX_OTHERS],
            n_others: 0,
        };
        for b in (0..=255u8).filter(|&b| first[b as usize]) {
            if b.is_ascii_uppercase() {
                p.upper = true;
            } else if b >= 0x80 {
                p.high = true;
            } else if p.n_others < Prefilter::MAX_OTHERS {
                p.others[p.n_others] = b;
                p.n_others += 1;
            } else {
                return None;
            }
        }
        Some(p)
    }
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
    // The usual case, a position with 8 bytes or more left: one load, no `memcpy` call.
    if let Some(eight) = b.first_chunk::<8>() {
        return (u64::from_le_bytes(*eight), u64::MAX);
    }
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

/// Group `patterns` by `key`, longest first within a group, and keep the first given of a
/// name given twice; returns the group start offsets. (Names of one length are ordered by
/// name, not as given: two different ones never both match at one place.)
fn group<'p>(
    patterns: &mut Vec<Pattern<'p>>,
    groups: usize,
    key: impl Fn(&Pattern<'p>) -> usize,
) -> Vec<u32> {
    // Stable, so that equal names stay in the order given and `dedup_by` keeps the first;
    // cheaper than a hash set of the names for a cast of a few dozen.
    patterns.sort_by_key(|p| (key(p), std::cmp::Reverse(p.name.len()), p.name));
    patterns.dedup_by(|later, earlier| later.name == earlier.name);
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
        let mut first = [false; 256];
        let mut pairs = [0u64; 64];
        let (mut long, mut short): (Vec<Pattern<'p>>, Vec<Pattern<'p>>) = names
            .into_iter()
            .filter(|(n, _)| !n.is_empty())
            .map(|(name, owner)| {
                let b = name.as_bytes();
                first[b[0] as usize] = true;
                match b.get(1) {
                    Some(&b1) => set_pair(&mut pairs, b[0], b1),
                    None => (0..=255).for_each(|b1| set_pair(&mut pairs, b[0], b1)),
                }
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
            pairs,
            prefilter: Prefilter::new(&first),
        }
    }

    /// Whether a name may begin at the start of `b` (not empty), judging by its first two
    /// bytes; at the last byte, only one-byte names are left and the table decides.
    #[inline(always)]
    fn may_begin(&self, b: &[u8]) -> bool {
        match b {
            [b0, b1, ..] => {
                let k = pair_bit(*b0, *b1);
                self.pairs[k / 64] & (1 << (k % 64)) != 0
            }
            _ => true,
        }
    }

    /// The first offset in `i..end` whose bytes may begin a name (by the first byte and the
    /// pair filter). The vector loads may read past `end` (up to the end of `b`), so that a
    /// short run of text costs no byte-by-byte tail; a word character just before `start`
    /// does not count (a run begins a word).
    #[inline(always)]
    fn next_start(&self, b: &[u8], start: usize, mut i: usize, end: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(p) = self.prefilter {
            use std::arch::x86_64::{
                __m128i, _mm_add_epi8, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
                _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
            };
            // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always
            // available; each unaligned 16-byte load starts at `i` (or `i - 1` with `i > 0`)
            // with `i + 16 <= b.len()`.
            unsafe {
                // Bytes in `lo..lo + n`: shifted to the bottom of the signed range, then one
                // signed comparison.
                let in_range = |v: __m128i, lo: u8, n: u8| {
                    let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
                    _mm_cmplt_epi8(shifted, _mm_set1_epi8((0x80u8 + n) as i8))
                };
                let ascii_alnum = |v: __m128i| {
                    let digits = in_range(v, b'0', 10);
                    let upper = in_range(v, b'A', 26);
                    let lower = in_range(v, b'a', 26);
                    _mm_movemask_epi8(_mm_or_si128(digits, _mm_or_si128(upper, lower))) as u32
                };
                let others = p.others.map(|o| _mm_set1_epi8(o as i8));
                while i < end && i + 16 <= b.len() {
                    let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                    let mut mask = 0u32;
                    if p.upper {
                        mask |= _mm_movemask_epi8(in_range(v, b'A', 26)) as u32;
                    }
                    if p.high {
                        mask |= _mm_movemask_epi8(v) as u32;
                    }
                    for o in &others[..p.n_others] {
                        mask |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, *o)) as u32;
                    }
                    // Only positions before `end`.
                    if end - i < 16 {
                        mask &= (1u32 << (end - i)) - 1;
                    }
                    // Not after an ASCII letter or digit: a name begins a word (`find`
                    // still tests the character before, this only skips sure misses). The
                    // run's first position has no character before it.
                    if mask != 0 && i > 0 {
                        let prev = _mm_loadu_si128(b.as_ptr().add(i - 1) as *const __m128i);
                        let mut after_word = ascii_alnum(prev);
                        if i == start {
                            after_word &= !1;
                        }
                        mask &= !after_word;
                    }
                    // The superset's hits, in order, checked against the exact table and the
                    // pair filter.
                    while mask != 0 {
                        let k = i + mask.trailing_zeros() as usize;
                        if self.first[b[k] as usize] && self.may_begin(&b[k..]) {
                            return Some(k);
                        }
                        mask &= mask - 1;
                    }
                    i += 16;
                }
            }
        }
        (i..end).find(|&k| self.first[b[k] as usize] && self.may_begin(&b[k..]))
    }

    /// The names that may begin at the start of `b`, of which `left` bytes are in the run.
    #[inline(always)]
    fn candidates(&self, b: &[u8], left: usize) -> impl Iterator<Item = &Pattern<'p>> {
        let (here, _) = word(b);
        let long = if left >= 4 {
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
    #[cfg(test)]
    pub fn find(&self, s: &str, found: impl FnMut(usize, usize, usize)) {
        self.find_in(s, 0, s.len(), found);
    }

    /// [`NameMatcher::find`] of `&text[start..end]` (char boundaries), with offsets into
    /// `text`: the run's ends are word boundaries whatever stands beyond them, but the scan
    /// may read beyond them, so that many short runs cost no byte-by-byte tails.
    ///
    /// Always inlined into its caller's loop over the text runs: whether the compiler did so on
    /// its own changed with unrelated edits of the caller, and the call cost about 1.2 M
    /// instructions per megabyte of prose when it did not.
    #[inline(always)]
    pub fn find_in(
        &self,
        text: &str,
        start: usize,
        end: usize,
        mut found: impl FnMut(usize, usize, usize),
    ) {
        let b = text.as_bytes();
        let mut i = start;
        while i < end {
            // Skip to the next byte that can begin a name (most bytes cannot).
            match self.next_start(b, start, i, end) {
                Some(at) => i = at,
                None => return,
            }
            // A name's first byte is ASCII or a UTF-8 lead byte, so `i` is a char boundary.
            if i == start || !word_char_before(text, i) {
                let rest = &b[i..end];
                let hit = self.candidates(&b[i..], rest.len()).find(|p| {
                    let e = i + p.name.len();
                    rest.starts_with(p.name.as_bytes()) && (e == end || !word_char_after(text, e))
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

/// The filter bit of a pair of bytes: distinct for a capital followed by a small letter.
fn pair_bit(b0: u8, b1: u8) -> usize {
    ((b0 as usize) << 6 ^ b1 as usize) & 4095
}

fn set_pair(pairs: &mut [u64; 64], b0: u8, b1: u8) {
    let k = pair_bit(b0, b1);
    pairs[k / 64] |= 1 << (k % 64);
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

        /// A run inside a longer text is searched as if it stood alone, whatever is around
        /// it (the vector loads read beyond it).
        #[test]
        fn a_run_is_searched_as_its_own_text(
            names in proptest::collection::vec("[A-Ca-b É]{1,6}", 0..8),
            text in "[A-Ca-b É.,]{0,70}",
            a in 0usize..80,
            b in 0usize..80,
        ) {
            let names: Vec<(&str, usize)> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
            let m = NameMatcher::new(names.iter().copied());
            let bound = |k: usize| (0..=k.min(text.len())).rev().find(|&k| text.is_char_boundary(k)).unwrap_or(0);
            let (start, end) = (bound(a.min(b)), bound(a.max(b)));
            let mut got = Vec::new();
            m.find_in(&text, start, end, |x, y, o| got.push((x - start, y - start, o)));
            proptest::prop_assert_eq!(got, naive(&names, &text[start..end]));
        }
    }

    #[test]
    fn long_texts_with_and_without_the_vector_prefilter() {
        // Up to four lowercase first bytes take the SSE2 prefilter, more the byte loop: both
        // must find the same names, at the start, in the middle and in the tail of 16-byte
        // blocks, and never inside a word.
        let text = "the Kremlin said a deal with de Gaulle's heirs and Élysée aides was \
                    near; xthe Kremlin and Élyséex were not, but the Kremlin was";
        let want = [
            ("the Kremlin".to_string(), 0),
            ("de Gaulle".to_string(), 1),
            ("Élysée".to_string(), 2),
            ("the Kremlin".to_string(), 0),
        ];
        let few = [("the Kremlin", 0), ("de Gaulle", 1), ("Élysée", 2)];
        assert!(NameMatcher::new(few).prefilter.is_some());
        assert_eq!(all(&NameMatcher::new(few), text), want);
        let many = few
            .into_iter()
            .chain([("ab X", 3), ("bc X", 4), ("cd X", 5), ("ef X", 6)]);
        let m = NameMatcher::new(many);
        assert!(m.prefilter.is_none());
        assert_eq!(all(&m, text), want);
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
