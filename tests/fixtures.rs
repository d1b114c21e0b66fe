//! Snapshot tests over `tests/fixtures/`: each `.nmk` file is a one-file workspace, each folder
//! a workspace of the `.nmk` files in it (with its `newsmark.toml`, if any). The snapshot shows
//! every diagnostic (place, severity, code, message) and the parse outline.

#[path = "support/outline.rs"]
mod outline;

use newsmark::analysis::Workspace;
use newsmark::config::Config;
use std::path::Path;

fn workspace(path: &Path) -> Workspace {
    if path.is_dir() {
        let config = match std::fs::read_to_string(path.join("newsmark.toml")) {
            Ok(t) => Config::from_toml(&t)
                .unwrap_or_else(|e| panic!("{}/newsmark.toml: {e}", path.display())),
            Err(_) => Config::default(),
        };
        let mut ws = Workspace::new(config);
        let mut files: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "nmk"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: no .nmk files", path.display());
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            ws.set_file(&name, std::fs::read_to_string(&f).unwrap());
        }
        ws
    } else {
        let mut ws = Workspace::new(Config::default());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        ws.set_file(&name, std::fs::read_to_string(path).unwrap());
        ws
    }
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/*", |path| {
        if path.is_file() && path.extension().is_none_or(|x| x != "nmk") {
            return;
        }
        // `fixtures/clients/` holds editors' LSP `initialize` capabilities, not a workspace.
        if path.file_name().is_some_and(|n| n == "clients") {
            return;
        }
        let ws = workspace(path);
        insta::assert_snapshot!(outline::dump(&ws));
    });
}
