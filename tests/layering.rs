//! The layering rule, checked: `syntax` and `analysis` are plain data and pure functions. They
//! never name LSP types, the async runtime, or the file system (tests beside them may read
//! fixtures; everything after a file's first `#[cfg(test)]` is skipped).

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "tower_lsp",
    "ls_types",
    "lsp_types",
    "tokio",
    "std::fs",
    "std::net",
    "std::process",
    "crate::lsp",
    "crate::cli",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn syntax_and_analysis_know_nothing_of_lsp_or_io() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join("syntax"), &mut files);
    rust_files(&root.join("analysis"), &mut files);
    assert!(files.len() > 20, "only {} files found", files.len());
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable source");
        let production = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in production.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                if code.contains(word) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "layer crossed:\n{}", found.join("\n"));
}
