//! Reading the files a command names: folders walked for `.nmk` files, the configuration found.

use crate::analysis::Workspace;
use crate::config::Config;
use std::path::{Path, PathBuf};

pub struct LoadedWorkspace {
    pub workspace: Workspace,
    /// Files that could not be read, each with a message naming the path.
    pub problems: Vec<String>,
    /// A named path did not exist or could not be read at all.
    pub fatal: bool,
}

/// The nearest `newsmark.toml` in `start` or its ancestors.
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

pub fn read_config(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read configuration: {e}", path.display()))?;
    Config::from_toml(&text).map_err(|e| format!("{}:{}", path.display(), e))
}

pub fn load_workspace(paths: &[PathBuf], config: Option<&Path>) -> Result<LoadedWorkspace, String> {
    let config_path = match config {
        Some(p) => Some(p.to_path_buf()),
        None => find_config(paths.first().map_or(Path::new("."), PathBuf::as_path)),
    };
    let config = match &config_path {
        Some(p) => read_config(p)?,
        None => Config::default(),
    };
    let mut ws = Workspace::new(config);
    let mut problems = Vec::new();
    let mut fatal = false;
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            for entry in walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name()
            {
                match entry {
                    Ok(e)
                        if e.file_type().is_file()
                            && e.path().extension().is_some_and(|x| x == "nmk") =>
                    {
                        files.push(e.path().to_path_buf())
                    }
                    Ok(_) => {}
                    Err(e) => problems.push(format!("{}: {e}", e.path().unwrap_or(p).display())),
                }
            }
        } else if p.exists() {
            files.push(p.clone());
        } else {
            problems.push(format!("{}: no such file or folder", p.display()));
            fatal = true;
        }
    }
    for f in files {
        match std::fs::read(&f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    ws.set_file(&f.display().to_string(), text);
                }
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let bytes = e.as_bytes();
                    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                    problems.push(format!(
                        "{}:{line}: not UTF-8 (invalid byte at offset {at}); file skipped",
                        f.display()
                    ));
                }
            },
            Err(e) => problems.push(format!("{}: cannot read: {e}", f.display())),
        }
    }
    Ok(LoadedWorkspace {
        workspace: ws,
        problems,
        fatal,
    })
}
