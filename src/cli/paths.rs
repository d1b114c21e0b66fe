//! How paths are shown and turned into URIs and output names.

use std::path::{Component, Path, PathBuf};

/// A path as shown in output: `./` steps dropped, so `newsmark check .` prints `a.nmk`, not
/// `./a.nmk`.
pub fn display_path(p: &Path) -> String {
    let out: PathBuf = p
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if out.as_os_str().is_empty() {
        ".".into()
    } else {
        out.to_string_lossy().into_owned()
    }
}

/// `..` and `.` resolved without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Percent-encodes a path for a URI (RFC 3986: unreserved characters and `/` kept).
pub fn percent_encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a file is, for SARIF: a URI relative to `base` (the working directory, given as
/// `%SRCROOT%`) when the file is under it, else an absolute `file://` URI.
pub enum UriRef {
    Relative(String),
    Absolute(String),
}

pub fn uri_ref(path: &str, base: &Path) -> UriRef {
    let p = Path::new(path);
    let abs = normalize(&if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    });
    let base = normalize(base);
    match abs.strip_prefix(&base) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            UriRef::Relative(percent_encode_path(&slashes(rel)))
        }
        _ => UriRef::Absolute(file_uri(&abs)),
    }
}

/// `file:///abs/path` (a folder gets a trailing `/`, as SARIF base URIs need).
pub fn file_uri(abs: &Path) -> String {
    let s = slashes(abs);
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    format!("file://{}", percent_encode_path(&s))
}

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The path of a document's output files under the output folder, without extension: the
/// input path with `.nmk` dropped, made relative (root and `..` steps become plain names), so
/// that `a/x.nmk` and `b/x.nmk` do not collide.
pub fn output_stem(path: &str) -> PathBuf {
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => out.push("__"),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    if out.extension().is_some_and(|e| e == "nmk") {
        out.set_extension("");
    }
    if out.as_os_str().is_empty() {
        out.push("document");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_paths_drop_dot_steps() {
        assert_eq!(display_path(Path::new("./a/./b.nmk")), "a/b.nmk");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("/x/y.nmk")), "/x/y.nmk");
    }

    #[test]
    fn uris_are_relative_under_the_base() {
        let base = Path::new("/work/repo");
        match uri_ref("news/a b#1.nmk", base) {
            UriRef::Relative(u) => assert_eq!(u, "news/a%20b%231.nmk"),
            UriRef::Absolute(u) => panic!("{u}"),
        }
        match uri_ref("/work/repo/x/ü.nmk", base) {
            UriRef::Relative(u) => assert_eq!(u, "x/%C3%BC.nmk"),
            UriRef::Absolute(u) => panic!("{u}"),
        }
        match uri_ref("../other/a.nmk", base) {
            UriRef::Absolute(u) => assert_eq!(u, "file:///work/other/a.nmk"),
            UriRef::Relative(u) => panic!("{u}"),
        }
    }

    #[test]
    fn output_stems_stay_inside_the_output_folder() {
        assert_eq!(output_stem("news/a.nmk"), PathBuf::from("news/a"));
        assert_eq!(output_stem("../x/a.nmk"), PathBuf::from("__/x/a"));
        assert_eq!(output_stem("/abs/a.txt"), PathBuf::from("abs/a.txt"));
        assert_eq!(output_stem("."), PathBuf::from("document"));
    }
}
