//! The command line: `newsmark check` and `newsmark export` run the same analysis in batch.

mod load;

use crate::analysis::{export::export_document, Severity};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub use load::{load_workspace, LoadedWorkspace};

#[derive(Parser, Debug)]
#[command(
    name = "newsmark",
    version,
    about = "Check and export newsmark annotated news articles"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files and folders and print diagnostics; exits 1 when any error is found.
    Check {
        /// Files or folders (walked recursively for `.nmk` files).
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
        /// Configuration file (default: the nearest `newsmark.toml` above the first path).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Export the annotations as data: plain text with standoff offsets.
    Export {
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the language server on stdin/stdout (LSP 3.17).
    Lsp {
        /// Accepted and ignored: stdio is the only transport (editors often pass it).
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    Json,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check {
            paths,
            format,
            config,
        } => check(&paths, format, config.as_deref()),
        Command::Export {
            paths,
            format,
            config,
        } => export(&paths, format, config.as_deref()),
        Command::Lsp { stdio: _ } => crate::lsp::run(),
    }
}

fn check(paths: &[PathBuf], format: CheckFormat, config: Option<&std::path::Path>) -> ExitCode {
    let loaded = match load_workspace(paths, config) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("newsmark: {e}");
            return ExitCode::from(2);
        }
    };
    for p in &loaded.problems {
        eprintln!("newsmark: {p}");
    }
    let ws = &loaded.workspace;
    let mut errors = 0;
    let mut out = std::io::stdout().lock();
    let mut json = Vec::new();
    for (id, data) in ws.files() {
        let analysis = ws.analyze(id);
        for d in &analysis.diagnostics {
            if d.severity == Severity::Error {
                errors += 1;
            }
            let (line, col) = data.line_col(d.span.start);
            match format {
                CheckFormat::Human => {
                    let _ = writeln!(
                        out,
                        "{}:{}:{}: {}[{}]: {}",
                        ws.key(id),
                        line + 1,
                        col + 1,
                        d.severity.as_str(),
                        d.code.as_str(),
                        d.message
                    );
                }
                CheckFormat::Json => json.push(serde_json::json!({
                    "path": ws.key(id), "line": line + 1, "column": col + 1,
                    "severity": d.severity.as_str(), "code": d.code.as_str(), "message": d.message,
                })),
            }
        }
    }
    if let CheckFormat::Json = format {
        let _ = writeln!(out, "{}", serde_json::Value::Array(json));
    }
    if loaded.fatal {
        return ExitCode::from(2);
    }
    ExitCode::from(u8::from(errors > 0))
}

fn export(paths: &[PathBuf], format: ExportFormat, config: Option<&std::path::Path>) -> ExitCode {
    let loaded = match load_workspace(paths, config) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("newsmark: {e}");
            return ExitCode::from(2);
        }
    };
    for p in &loaded.problems {
        eprintln!("newsmark: {p}");
    }
    let ws = &loaded.workspace;
    let docs: Vec<_> = ws
        .files()
        .filter_map(|(id, _)| export_document(ws, id, &ws.analyze(id)))
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        ExportFormat::Json => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&docs).unwrap_or_default()
            );
        }
    }
    ExitCode::from(if loaded.fatal { 2 } else { 0 })
}
