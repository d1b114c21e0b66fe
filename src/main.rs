use clap::Parser;

fn main() -> std::process::ExitCode {
    newsmark::cli::run(newsmark::cli::Cli::parse())
}
