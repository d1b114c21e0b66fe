//! The command line: `newsmark check` and `newsmark export` run the same analysis in batch.
//!
//! Exit codes: 0 fine, 1 `check` found an error-severity diagnostic, 2 usage, configuration or
//! I/O problems (a path that cannot be read, an output that cannot be written). See `docs/cli.md`.

mod brat;
mod check;
mod export;
mod load;
mod paths;
mod sarif;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

pub use check::{reports, Report};
pub use load::{find_config, load_workspace, read_config, LoadedWorkspace, Problem};

#[derive(Parser, Debug)]
#[command(
    name = "newsmark",
    version,
    about = "Check and export newsmark annotated news articles (*.nmk)",
    after_help = "Examples:\n  newsmark check                      check every .nmk file under the current folder\n  newsmark check articles/ --format sarif > newsmark.sarif\n  newsmark export articles/ --format brat --out brat/\n\nExit codes: 0 fine, 1 errors found (check), 2 usage, configuration or I/O problem."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files and folders and print diagnostics; exits 1 when any error is found.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Export the annotations as data: plain text with standoff offsets.
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Run the language server on stdin/stdout (LSP 3.17).
    Lsp {
        /// Accepted and ignored: stdio is the only transport (editors often pass it).
        #[arg(long)]
        stdio: bool,
    },
}

const CHECK_EXAMPLES: &str = "\
Examples:
  newsmark check                            every .nmk file under the current folder
  newsmark check registry.nmk articles/     definitions in registry.nmk resolve mentions in articles/
  newsmark check articles/ --format json    machine-readable diagnostics
  newsmark check . --format sarif > newsmark.sarif   for GitHub code scanning
  newsmark check articles/ --config ci/newsmark.toml

Output: `path:line:column: severity[code]: message` (1-based; columns count Unicode characters),
and a summary on stderr.
Exit codes: 0 no error (warnings, infos and hints do not fail), 1 at least one error,
2 usage, configuration or I/O problem (a path that cannot be read; the rest is still checked).";

const EXPORT_EXAMPLES: &str = "\
Examples:
  newsmark export article.nmk                         one JSON array on stdout
  newsmark export articles/ --format jsonl > docs.jsonl   one document per line
  newsmark export articles/ --format brat --out brat/     NAME.txt + NAME.ann per document,
                                                          plus annotation.conf and tools.conf
Exit codes: 0 exported, 2 usage, configuration or I/O problem.";

#[derive(Args, Debug)]
pub struct Inputs {
    /// Files and folders to read; folders are walked recursively for `.nmk` files
    /// (hidden folders are skipped). Definitions in any of them resolve mentions in all.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Configuration file [default: the nearest `newsmark.toml` in or above the first path].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Where to write: a folder for `brat` (required), a file for `json` and `jsonl`
    /// [default: stdout]. Never an input file.
    #[arg(long, value_name = "PATH", required_if_eq("format", "brat"))]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: severity[code]: message`, one per line, summary on stderr.
    Human,
    /// One JSON object with every diagnostic (see docs/cli.md).
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON array of documents.
    Json,
    /// One JSON document per line.
    Jsonl,
    /// brat standoff: NAME.txt and NAME.ann per document in the `--out` folder.
    Brat,
}

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Lsp { stdio: _ } => crate::lsp::run(),
    }
}

/// Exit status 2: usage, configuration or I/O problem.
pub(crate) const EXIT_TROUBLE: u8 = 2;
