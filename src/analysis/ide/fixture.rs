//! Test fixtures (texlab style): several files in one string, a cursor and marked ranges.
//!
//! ```text
//! //- /registry.nmk
//! @⟦lavrov⟧: person "Sergey Lavrov"
//! //- /a.nmk
//! [Lavrov]{@lav$0rov} said.
//! ```
//!
//! A line `//- /path` starts a file (without one the whole string is `/main.nmk`); `$0` marks
//! the cursor; `⟦…⟧` mark expected ranges. The markers are removed and their byte offsets kept,
//! so texts with curly quotes, Cyrillic or emoji keep exact byte spans.

use crate::analysis::{FileAnalysis, FileId, Workspace};
use crate::config::Config;
use crate::syntax::Span;
use std::sync::Arc;

pub struct Fixture {
    pub ws: Workspace,
    /// Paths in fixture order.
    pub files: Vec<(String, FileId)>,
    pub cursor: Option<(FileId, usize)>,
    /// Marked ranges, sorted by file and offset.
    pub ranges: Vec<(FileId, Span)>,
}

impl Fixture {
    pub fn new(fixture: &str) -> Fixture {
        let mut parts: Vec<(String, String)> = Vec::new();
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                parts.push((path.trim().to_string(), String::new()));
            } else {
                if parts.is_empty() {
                    parts.push(("/main.nmk".into(), String::new()));
                }
                parts.last_mut().unwrap().1.push_str(line);
            }
        }
        if parts.is_empty() {
            parts.push(("/main.nmk".into(), String::new()));
        }
        let mut ws = Workspace::new(Config::default());
        let mut files = Vec::new();
        let mut cursor = None;
        let mut ranges = Vec::new();
        for (path, raw) in parts {
            let mut text = String::with_capacity(raw.len());
            let mut marks = Vec::new();
            let mut open = None;
            let mut rest = raw.as_str();
            while let Some(c) = rest.chars().next() {
                if rest.starts_with("$0") {
                    marks.push(('c', text.len()));
                    rest = &rest[2..];
                    continue;
                }
                match c {
                    '⟦' => open = Some(text.len()),
                    '⟧' => {
                        marks.push(('s', open.take().expect("⟧ without ⟦")));
                        marks.push(('e', text.len()));
                    }
                    _ => text.push(c),
                }
                rest = &rest[c.len_utf8()..];
            }
            let id = ws.set_file(&path, text).file.unwrap();
            files.push((path, id));
            let mut start = None;
            for (k, off) in marks {
                match k {
                    'c' => cursor = Some((id, off)),
                    's' => start = Some(off),
                    'e' => ranges.push((id, Span::new(start.take().unwrap(), off))),
                    _ => {}
                }
            }
        }
        ranges.sort();
        Fixture {
            ws,
            files,
            cursor,
            ranges,
        }
    }

    pub fn cursor(&self) -> (FileId, usize) {
        self.cursor.expect("fixture has no $0 cursor")
    }

    pub fn file(&self, path: &str) -> FileId {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no file {path} in the fixture"))
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.ws.file(file).unwrap().text
    }

    pub fn analysis(&self, file: FileId) -> FileAnalysis {
        self.ws.analyze(file)
    }

    /// The analysis of any file, freshly computed (what a server's cache would hold).
    pub fn analysis_of(&self) -> impl Fn(FileId) -> Option<Arc<FileAnalysis>> + '_ {
        |f| Some(Arc::new(self.ws.analyze(f)))
    }

    /// `/a.nmk 3..9 "text"` for a span.
    pub fn show(&self, file: FileId, span: Span) -> String {
        format!(
            "{} {}..{} {:?}",
            self.ws.key(file),
            span.start,
            span.end,
            span.slice(self.text(file))
        )
    }

    /// The marked ranges, shown like [`Fixture::show`].
    pub fn marked(&self) -> Vec<String> {
        self.ranges.iter().map(|(f, s)| self.show(*f, *s)).collect()
    }

    /// Apply edits to the workspace texts and show every changed file.
    pub fn apply(&self, change: &crate::analysis::ide::SourceChange) -> String {
        let mut out = String::new();
        for (file, edits) in change {
            let mut text = self.text(*file).to_string();
            for e in edits.iter().rev() {
                text.replace_range(e.span.start..e.span.end, &e.new_text);
            }
            out.push_str(&format!("//- {}\n{text}", self.ws.key(*file)));
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

#[test]
fn fixture_markers_give_byte_offsets() {
    let f = Fixture::new("//- /a.nmk\n«Привет» ⟦@x⟧ 😀$0\n//- /b.nmk\n⟦b⟧\n");
    let a = f.file("/a.nmk");
    assert_eq!(f.text(a), "«Привет» @x 😀\n");
    assert_eq!(
        f.marked(),
        vec!["/a.nmk 17..19 \"@x\"", "/b.nmk 0..1 \"b\""]
    );
    assert_eq!(f.cursor(), (a, 24));
}
