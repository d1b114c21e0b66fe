//! Open documents, edited in wire order.
//!
//! The store is changed only from [`super::ordered`], synchronously, in the order the messages
//! arrive, so the text never depends on how the runtime schedules handlers. Every change takes a
//! new generation number from one counter shared by all documents, so "newer" is well defined
//! even across a close and a reopen.

use super::pos::{rope_char, Encoding};
use ropey::Rope;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

#[derive(Clone, Debug)]
pub struct Doc {
    pub uri: Uri,
    pub rope: Rope,
    pub version: i32,
    /// Generation of the latest change.
    pub gen: u64,
    pub last_edit: Instant,
}

/// A cheap copy of a document as it was at one moment (ropes share their chunks).
#[derive(Clone, Debug)]
pub struct DocSnapshot {
    pub rope: Rope,
    pub version: i32,
    pub gen: u64,
}

#[derive(Debug, Default)]
pub struct DocStore {
    docs: HashMap<String, Doc>,
    next_gen: u64,
    /// [`DocStore::snapshots`] until the next change (every request takes it).
    snapshots: Option<Arc<Vec<(String, DocSnapshot)>>>,
}

impl DocStore {
    fn bump(&mut self) -> u64 {
        self.snapshots = None;
        self.next_gen += 1;
        self.next_gen
    }

    pub fn open(&mut self, key: &str, uri: Uri, text: &str, version: i32) -> u64 {
        let gen = self.bump();
        self.docs.insert(
            key.to_string(),
            Doc {
                uri,
                rope: Rope::from_str(text),
                version,
                gen,
                last_edit: Instant::now(),
            },
        );
        gen
    }

    /// Apply changes in order; positions are clamped. Returns the new generation, or `None` when
    /// the document is not open.
    pub fn change(
        &mut self,
        key: &str,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        enc: Encoding,
    ) -> Option<u64> {
        let gen = self.bump();
        let doc = self.docs.get_mut(key)?;
        for c in changes {
            match c.range {
                Some(range) => {
                    let a = rope_char(&doc.rope, range.start, enc);
                    let b = rope_char(&doc.rope, range.end, enc);
                    let (a, b) = (a.min(b), a.max(b));
                    doc.rope.remove(a..b);
                    doc.rope.insert(a, &c.text);
                }
                None => doc.rope = Rope::from_str(&c.text),
            }
        }
        doc.version = version;
        doc.gen = gen;
        doc.last_edit = Instant::now();
        Some(gen)
    }

    pub fn close(&mut self, key: &str) -> Option<Doc> {
        self.bump();
        self.docs.remove(key)
    }

    pub fn get(&self, key: &str) -> Option<&Doc> {
        self.docs.get(key)
    }

    pub fn is_open(&self, key: &str) -> bool {
        self.docs.contains_key(key)
    }

    pub fn snapshot(&self, key: &str) -> Option<DocSnapshot> {
        self.docs.get(key).map(|d| DocSnapshot {
            rope: d.rope.clone(),
            version: d.version,
            gen: d.gen,
        })
    }

    /// Snapshots of every open document (shared until the next change).
    pub fn snapshots(&mut self) -> Arc<Vec<(String, DocSnapshot)>> {
        let docs = &self.docs;
        self.snapshots
            .get_or_insert_with(|| {
                let all = docs.iter().map(|(k, d)| {
                    let snap = DocSnapshot {
                        rope: d.rope.clone(),
                        version: d.version,
                        gen: d.gen,
                    };
                    (k.clone(), snap)
                });
                Arc::new(all.collect())
            })
            .clone()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.docs.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn edit(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_both_encodings() {
        let uri: Uri = "file:///t.nmk".parse().unwrap();
        let mut s = DocStore::default();
        s.open("k", uri, "“Привет” 😀 x\nsecond", 1);
        // After the emoji: utf-16 column 11, utf-8 column 25.
        s.change("k", 2, &[edit(0, 11, 0, 11, "!")], Encoding::Utf16);
        assert_eq!(
            s.get("k").unwrap().rope.to_string(),
            "“Привет” 😀! x\nsecond"
        );
        // “ 3 bytes, Привет 12, ” 3, space 1, 😀 4: the `!` is at byte 23.
        s.change("k", 3, &[edit(0, 23, 0, 24, "?")], Encoding::Utf8);
        assert_eq!(
            s.get("k").unwrap().rope.to_string(),
            "“Привет” 😀? x\nsecond"
        );
        // Past the end of a line and of the file: clamped, no panic.
        s.change(
            "k",
            4,
            &[edit(0, 500, 0, 900, "<"), edit(40, 0, 41, 0, ">")],
            Encoding::Utf16,
        );
        let d = s.get("k").unwrap();
        assert_eq!(d.rope.to_string(), "“Привет” 😀? x<\nsecond>");
        assert_eq!(d.version, 4);
        // A full replacement.
        s.change(
            "k",
            5,
            &[TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            }],
            Encoding::Utf16,
        );
        assert_eq!(s.get("k").unwrap().rope.to_string(), "new");
    }

    #[test]
    fn generations_grow_across_reopen() {
        let uri: Uri = "file:///t.nmk".parse().unwrap();
        let mut s = DocStore::default();
        let g1 = s.open("k", uri.clone(), "a", 1);
        assert!(s.close("k").is_some());
        assert_eq!(s.change("k", 2, &[], Encoding::Utf16), None);
        let g2 = s.open("k", uri, "b", 1);
        assert!(g2 > g1);
    }
}
