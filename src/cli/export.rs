//! `newsmark export`: documents as JSON, JSON lines or brat standoff files.

use super::check::parallel_map;
use super::load::load_reporting;
use super::paths::{display_path, output_stem};
use super::{brat, ExportArgs, ExportFormat, EXIT_TROUBLE};
use crate::analysis::export::{export_document, ExportDocument};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(args: &ExportArgs) -> ExitCode {
    let loaded = match load_reporting(&args.inputs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let ws = &loaded.workspace;
    let ids: Vec<_> = ws.files().map(|(id, _)| id).collect();
    let docs: Vec<ExportDocument> =
        parallel_map(&ids, |&id| export_document(ws, id, &ws.analyze(id)))
            .into_iter()
            .flatten()
            .collect();
    let written = match (args.format, &args.out) {
        (ExportFormat::Brat, Some(dir)) => write_brat(&docs, dir, &loaded.inputs),
        (ExportFormat::Brat, None) => Err("--format brat needs --out DIR".to_string()),
        (format, out) => write_json(&docs, format, out.as_deref(), &loaded.inputs),
    };
    match written {
        Err(e) => {
            eprintln!("newsmark: {e}");
            ExitCode::from(EXIT_TROUBLE)
        }
        Ok(()) if !loaded.problems.is_empty() => ExitCode::from(EXIT_TROUBLE),
        Ok(()) => ExitCode::SUCCESS,
    }
}

fn write_json(
    docs: &[ExportDocument],
    format: ExportFormat,
    out: Option<&Path>,
    inputs: &HashSet<PathBuf>,
) -> Result<(), String> {
    let mut sink: Box<dyn Write> = match out {
        Some(path) => {
            refuse_input(path, inputs)?;
            let f = std::fs::File::create(path)
                .map_err(|e| format!("{}: cannot write: {e}", display_path(path)))?;
            Box::new(std::io::BufWriter::new(f))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let result = (|| -> std::io::Result<()> {
        match format {
            ExportFormat::Jsonl => {
                for d in docs {
                    serde_json::to_writer(&mut sink, d)?;
                    sink.write_all(b"\n")?;
                }
            }
            _ => {
                serde_json::to_writer_pretty(&mut sink, docs)?;
                sink.write_all(b"\n")?;
            }
        }
        sink.flush()
    })();
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && out.is_none() => Ok(()),
        Err(e) => Err(format!(
            "{}: cannot write: {e}",
            out.map_or("stdout".into(), display_path)
        )),
        Ok(()) => Ok(()),
    }
}

/// The canonical form a path would have: its nearest existing ancestor resolved, the rest
/// appended (the file need not exist yet).
fn would_be(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let abs = super::paths::normalize(&abs);
    let mut rest = Vec::new();
    let mut at = abs.as_path();
    loop {
        if let Ok(c) = std::fs::canonicalize(at) {
            return rest.iter().rev().fold(c, |acc: PathBuf, n| acc.join(n));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return abs,
        }
    }
}

fn refuse_input(path: &Path, inputs: &HashSet<PathBuf>) -> Result<(), String> {
    if inputs.contains(&would_be(path)) {
        return Err(format!(
            "{}: is an input file; refusing to overwrite it",
            display_path(path)
        ));
    }
    Ok(())
}

fn write_brat(
    docs: &[ExportDocument],
    dir: &Path,
    inputs: &HashSet<PathBuf>,
) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{}: --out for brat must be a folder, and this is a file",
            display_path(dir)
        ));
    }
    // Plan every file first, so that nothing is written when any of them is refused.
    let mut plan: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    plan.insert(
        dir.join("annotation.conf"),
        (String::new(), brat::ANNOTATION_CONF.to_string()),
    );
    plan.insert(
        dir.join("tools.conf"),
        (String::new(), brat::TOOLS_CONF.to_string()),
    );
    for d in docs {
        let stem = dir.join(output_stem(&d.path));
        let (txt, ann) = brat::to_brat(d);
        for (ext, content) in [("txt", txt), ("ann", ann)] {
            let mut name = stem.clone().into_os_string();
            name.push(".");
            name.push(ext);
            let path = PathBuf::from(name);
            if let Some((other, _)) = plan.get(&path) {
                return Err(format!(
                    "{} and {} would both be written to {}; export them separately",
                    other,
                    d.path,
                    display_path(&path)
                ));
            }
            plan.insert(path, (d.path.clone(), content));
        }
    }
    for path in plan.keys() {
        refuse_input(path, inputs)?;
    }
    for (path, (_, content)) in &plan {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("{}: cannot create folder: {e}", display_path(parent)))?;
        }
        std::fs::write(path, content)
            .map_err(|e| format!("{}: cannot write: {e}", display_path(path)))?;
    }
    Ok(())
}
