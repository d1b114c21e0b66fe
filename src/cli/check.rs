//! `newsmark check`: diagnostics as text, JSON or SARIF.

use super::load::{load_reporting, LoadedWorkspace, Problem};
use super::{CheckArgs, CheckFormat, EXIT_TROUBLE};
use crate::analysis::{Severity, Workspace};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// One diagnostic with its place in 1-based lines and columns (Unicode scalar values; a BOM is
/// not counted). `end_*` is the position just after the last character.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end: Position,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedReport>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct RelatedReport {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end: Position,
    pub message: String,
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

impl Summary {
    fn add(&mut self, s: Severity) {
        match s {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
            Severity::Hint => self.hints += 1,
        }
    }
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let loaded = match load_reporting(&args.inputs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if loaded.workspace.is_empty() && loaded.problems.is_empty() {
        eprintln!(
            "newsmark: no .nmk files found in {}",
            shown_paths(&args.inputs.paths)
        );
    }
    let reports = reports(&loaded.workspace);
    let mut summary = Summary::default();
    for r in &reports {
        summary.add(r.severity);
    }
    let code = if !loaded.problems.is_empty() {
        EXIT_TROUBLE
    } else {
        u8::from(summary.errors > 0)
    };
    let written = match args.format {
        CheckFormat::Human => write_human(&reports),
        CheckFormat::Json => write_json(&loaded, &reports, summary),
        CheckFormat::Sarif => super::sarif::write(&loaded, &reports, code),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("newsmark: cannot write the output: {e}");
            return ExitCode::from(EXIT_TROUBLE);
        }
    }
    if args.format == CheckFormat::Human {
        eprintln!(
            "{}",
            summary_line(summary, loaded.workspace.len(), &loaded.problems)
        );
    }
    ExitCode::from(code)
}

fn shown_paths(paths: &[std::path::PathBuf]) -> String {
    paths
        .iter()
        .map(|p| super::paths::display_path(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `3 errors, 2 warnings, 1 info, 4 hints in 4 files` (info and hints only when there are any).
pub fn summary_line(s: Summary, files: usize, problems: &[Problem]) -> String {
    let n = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let mut parts = vec![
        n(s.errors, "error", "errors"),
        n(s.warnings, "warning", "warnings"),
    ];
    if s.infos > 0 {
        parts.push(n(s.infos, "info", "infos"));
    }
    if s.hints > 0 {
        parts.push(n(s.hints, "hint", "hints"));
    }
    let mut line = format!("{} in {}", parts.join(", "), n(files, "file", "files"));
    if !problems.is_empty() {
        line.push_str(&format!(
            "; {} could not be read",
            n(problems.len(), "path", "paths")
        ));
    }
    line
}

/// Every diagnostic of every file, files in workspace (sorted path) order, each file's in
/// position order.
pub fn reports(ws: &Workspace) -> Vec<Report> {
    let ids: Vec<_> = ws.files().map(|(id, _)| id).collect();
    parallel_map(&ids, |&id| file_reports(ws, id))
        .into_iter()
        .flatten()
        .collect()
}

fn file_reports(ws: &Workspace, id: crate::analysis::FileId) -> Vec<Report> {
    let Some(data) = ws.file(id) else {
        return Vec::new();
    };
    let position = |data: &crate::analysis::FileData, offset: usize| {
        let (l, c) = data.line_col(offset);
        Position {
            line: l + 1,
            column: c + 1,
        }
    };
    let analysis = ws.analyze(id);
    analysis
        .diagnostics
        .into_iter()
        .map(|d| {
            let start = position(data, d.span.start);
            let related = d
                .related
                .iter()
                .filter_map(|r| {
                    let other = ws.file(ws.file_id(&r.file)?)?;
                    let s = position(other, r.span.start);
                    Some(RelatedReport {
                        path: r.file.clone(),
                        line: s.line,
                        column: s.column,
                        end: position(other, r.span.end),
                        message: r.message.clone(),
                    })
                })
                .collect();
            Report {
                path: ws.key(id).to_string(),
                line: start.line,
                column: start.column,
                end: position(data, d.span.end),
                severity: d.severity,
                code: d.code.as_str(),
                message: d.message,
                related,
            }
        })
        .collect()
}

fn write_human(reports: &[Report]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for r in reports {
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            r.path,
            r.line,
            r.column,
            r.severity.as_str(),
            r.code,
            r.message
        )?;
    }
    out.flush()
}

/// The `--format json` document (its shape is documented in docs/cli.md; `version` changes
/// only when a field is removed or changes meaning).
#[derive(Serialize)]
struct JsonOutput<'a> {
    version: u32,
    files: usize,
    summary: Summary,
    diagnostics: &'a [Report],
    problems: Vec<JsonProblem<'a>>,
}

#[derive(Serialize)]
struct JsonProblem<'a> {
    path: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
}

fn write_json(
    loaded: &LoadedWorkspace,
    reports: &[Report],
    summary: Summary,
) -> std::io::Result<()> {
    let doc = JsonOutput {
        version: 1,
        files: loaded.workspace.len(),
        summary,
        diagnostics: reports,
        problems: loaded
            .problems
            .iter()
            .map(|p| JsonProblem {
                path: &p.path,
                line: p.line,
                column: p.column,
                message: &p.message,
            })
            .collect(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &doc)?;
    writeln!(out)?;
    out.flush()
}

/// `f` over `items` on every available core, results in input order. Work is handed out one
/// item at a time so that one big file does not hold up a whole share.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(
            parallel_map(&items, |i| i * 2),
            (0..1000).map(|i| i * 2).collect::<Vec<_>>()
        );
        assert!(parallel_map(&[] as &[u8], |_| 0).is_empty());
    }

    #[test]
    fn summary_wording() {
        let s = Summary {
            errors: 3,
            warnings: 1,
            infos: 0,
            hints: 2,
        };
        assert_eq!(
            summary_line(s, 4, &[]),
            "3 errors, 1 warning, 2 hints in 4 files"
        );
        assert_eq!(
            summary_line(Summary::default(), 1, &[]),
            "0 errors, 0 warnings in 1 file"
        );
    }
}
