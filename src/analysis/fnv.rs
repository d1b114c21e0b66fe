//! FNV-1a hashing for the analysis' tables keyed by short strings (words, IDs), looked up once
//! or more per token or reference, where SipHash's per-call setup costs more than the probe.
//! The tables live for one analysis of one file and hold its own words and IDs, so a file
//! that makes them collide only slows its own analysis, like any long file.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keep_their_entries() {
        let mut m: FnvMap<&str, usize> = FnvMap::default();
        for (i, w) in ["said", "says", "", "saying", "said"].iter().enumerate() {
            m.insert(w, i);
        }
        assert_eq!(m.len(), 4);
        assert_eq!(m.get("said"), Some(&4));
        assert_eq!(m.get(""), Some(&2));
        assert_eq!(m.get("say"), None);
    }
}
