//! Reading the files a command names: folders walked for `.nmk` files, the configuration found,
//! and everything that cannot be read reported by path without stopping the rest.

use super::paths::display_path;
use crate::analysis::{FileData, Workspace};
use crate::config::Config;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Something that could not be read, with the path (and line) it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl Problem {
    fn new(path: &Path, message: impl Into<String>) -> Problem {
        Problem {
            path: display_path(path),
            line: None,
            column: None,
            message: message.into(),
        }
    }
}

pub struct LoadedWorkspace {
    /// Files in sorted path order; their `FileId`s follow that order.
    pub workspace: Workspace,
    /// The configuration file used, if any.
    pub config_path: Option<PathBuf>,
    /// Canonical paths of every input file read (outputs must never be one of them).
    pub inputs: HashSet<PathBuf>,
    /// Paths that could not be read, or files that could not be decoded; they are skipped.
    pub problems: Vec<Problem>,
}

/// The nearest `newsmark.toml` in `start` (a folder, or a file's folder) or its ancestors.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join("newsmark.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Reads and parses a configuration file; the error names the file, line and key.
pub fn read_config(path: &Path) -> Result<Config, String> {
    let shown = display_path(path);
    let bytes =
        std::fs::read(path).map_err(|e| format!("{shown}: cannot read configuration: {e}"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{shown}: configuration is not valid UTF-8"))?;
    Config::from_toml(&text).map_err(|e| {
        let mut s = shown;
        if let Some(l) = e.line {
            s.push_str(&format!(":{l}"));
        }
        s.push_str(": invalid configuration: ");
        if let Some(k) = &e.key {
            s.push_str(&format!("`{k}`: "));
        }
        s.push_str(&e.message);
        s
    })
}

/// Reads the configuration, walks `paths` and parses every file found.
/// `Err` only for a configuration that cannot be used (exit 2 before any checking).
pub fn load_workspace(paths: &[PathBuf], config: Option<&Path>) -> Result<LoadedWorkspace, String> {
    let config_path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => find_config(paths.first().map_or(Path::new("."), PathBuf::as_path)),
    };
    let config = match &config_path {
        Some(p) => read_config(p)?,
        None => Config::default(),
    };
    let mut problems = Vec::new();
    let files = collect_files(paths, &mut problems);
    let mut ws = Workspace::new(config);
    let opts = ws.parse_options();
    let mut inputs = HashSet::new();
    let parsed = parse_all(&files, &opts);
    for (file, result) in files.iter().zip(parsed) {
        inputs.insert(file.canonical.clone());
        match result {
            Ok(data) => {
                ws.insert(&file.key, data);
            }
            Err(p) => problems.push(p),
        }
    }
    problems.sort_by(|a, b| {
        (Path::new(&a.path), a.line, a.column).cmp(&(Path::new(&b.path), b.line, b.column))
    });
    Ok(LoadedWorkspace {
        workspace: ws,
        config_path,
        inputs,
        problems,
    })
}

struct Input {
    path: PathBuf,
    key: String,
    canonical: PathBuf,
}

/// Every file to read, sorted by path, each once (a file named twice or reached through a
/// symbolic link is read once).
fn collect_files(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<Input> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => problems.push(Problem::new(p, format!("cannot read: {}", io_reason(&e)))),
            Ok(m) if m.is_dir() => walk(p, &mut found, problems),
            Ok(m) if m.is_file() => found.push(p.clone()),
            // A FIFO or a device would block or never end.
            Ok(_) => problems.push(Problem::new(p, "not a regular file; skipped")),
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for path in found {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(canonical.clone()) {
            out.push(Input {
                key: display_path(&path),
                path,
                canonical,
            });
        }
    }
    out.sort_by(|a, b| Path::new(&a.key).cmp(Path::new(&b.key)));
    out
}

fn is_nmk(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "nmk")
}

fn walk(root: &Path, found: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    // Symbolic links are followed; walkdir detects loops and reports them as errors.
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || !e.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if is_nmk(e.path()) {
                    found.push(e.into_path());
                }
            }
            Ok(e) if !e.file_type().is_dir() && is_nmk(e.path()) => {
                problems.push(Problem::new(e.path(), "not a regular file; skipped"));
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                if let Some(ancestor) = e.loop_ancestor() {
                    problems.push(Problem::new(
                        &path,
                        format!(
                            "symbolic link loop (back to {}); not followed",
                            display_path(ancestor)
                        ),
                    ));
                    continue;
                }
                let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
                // A broken link named `x.png` is none of our business; one named `x.nmk`,
                // or a folder that cannot be listed, is.
                if is_nmk(&path) || is_dir {
                    let broken_link = std::fs::symlink_metadata(&path)
                        .is_ok_and(|m| m.file_type().is_symlink())
                        && std::fs::metadata(&path).is_err();
                    let reason = if broken_link {
                        "broken symbolic link".to_string()
                    } else {
                        e.io_error().map_or_else(|| e.to_string(), io_reason)
                    };
                    problems.push(Problem::new(&path, format!("cannot read: {reason}")));
                }
            }
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads and parses the files, on all cores (each file's parse is independent).
fn parse_all(
    files: &[Input],
    opts: &crate::syntax::ParseOptions,
) -> Vec<Result<Arc<FileData>, Problem>> {
    super::check::parallel_map(files, |f| {
        read_text(&f.path).map(|text| Arc::new(FileData::new(text, opts)))
    })
}

/// `check` and `export` read files under this size. The syntax tree keeps byte offsets in 32
/// bits, attribution's tokens in 30 (it infers nothing in a file of 1 GiB or more), and an
/// analysis takes about 14 bytes of memory per byte of text, so a file this large is reported
/// and skipped rather than read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The file's text, or why it cannot be analysed.
pub fn read_text(path: &Path) -> Result<String, Problem> {
    // Checked before reading, so that a huge file is not loaded only to be refused.
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    if len >= MAX_FILE_BYTES {
        return Err(Problem::new(
            path,
            format!(
                "{:.1} GB, at or over the {} GiB limit for one file, so the file is skipped",
                len as f64 / 1e9,
                MAX_FILE_BYTES >> 30
            ),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Problem::new(path, format!("cannot read: {}", io_reason(&e))))?;
    decode(path, bytes)
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Problem> {
    let at = |bytes: &[u8], offset: usize, message: String| {
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Problem {
            path: display_path(path),
            line: Some(line),
            column: Some(column),
            message,
        }
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Problem::new(
            path,
            "UTF-16 text; newsmark files are UTF-8, so the file is skipped (save it as UTF-8)",
        ));
    }
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(at(
            &bytes,
            nul,
            "binary file (NUL byte); not a newsmark text, skipped".into(),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let bad = bytes[offset];
        let problem = at(
            bytes,
            offset,
            format!("not valid UTF-8 (byte 0x{bad:02X}); newsmark files are UTF-8, so the file is skipped"),
        );
        problem
    })
}

/// Load the inputs of a command, printing each unreadable file on stderr; `Err` carries the
/// exit code when nothing could be loaded (a bad configuration, say).
pub fn load_reporting(inputs: &super::Inputs) -> Result<LoadedWorkspace, std::process::ExitCode> {
    match load_workspace(&inputs.paths, inputs.config.as_deref()) {
        Ok(loaded) => {
            for p in &loaded.problems {
                eprintln!("newsmark: {p}");
            }
            Ok(loaded)
        }
        Err(e) => {
            eprintln!("newsmark: {e}");
            Err(std::process::ExitCode::from(super::EXIT_TROUBLE))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_reports_the_first_bad_byte() {
        let p = Path::new("x.nmk");
        let e = decode(p, b"ok\nab\xffc\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.message.contains("0xFF"), "{e}");
        assert_eq!(e.to_string().split(": ").next(), Some("x.nmk:2:3"));
        let e = decode(p, b"\xc3\xa9\xc3".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (Some(1), Some(2)));
        let e = decode(p, b"abc\0def".to_vec()).unwrap_err();
        assert!(e.message.starts_with("binary"), "{e}");
        let e = decode(p, b"\xff\xfea\0".to_vec()).unwrap_err();
        assert!(e.message.contains("UTF-16"), "{e}");
        assert_eq!(decode(p, "\u{feff}é".into()).unwrap(), "\u{feff}é");
    }
}
