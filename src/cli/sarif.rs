//! `newsmark check --format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers.
//!
//! One run; `tool.driver` lists a rule for every diagnostic code with its default level;
//! locations are URIs relative to the working directory (`uriBaseId` `%SRCROOT%`, whose absolute
//! value is given in `originalUriBaseIds`), or absolute `file://` URIs for files outside it.
//! Columns count Unicode code points (`columnKind`), as in the other formats.

use super::check::Report;
use super::load::LoadedWorkspace;
use super::paths::{file_uri, uri_ref, UriRef};
use crate::analysis::{Code, Severity};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const SRCROOT: &str = "%SRCROOT%";

/// Where the tool is documented. Cargo's `homepage` or `repository` when the manifest has one.
const INFORMATION_URI: &str = match (
    option_env!("CARGO_PKG_HOMEPAGE"),
    option_env!("CARGO_PKG_REPOSITORY"),
) {
    (Some(h), _) if !h.is_empty() => h,
    (_, Some(r)) if !r.is_empty() => r,
    _ => "https://crates.io/crates/newsmark",
};

pub fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info | Severity::Hint => ResultLevel::Note,
    }
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note => "note",
        ResultLevel::None => "none",
    }
}

fn rules() -> Vec<ReportingDescriptor> {
    Code::ALL
        .iter()
        .map(|&code| {
            let default = code.default_severity();
            ReportingDescriptor::builder()
                .id(code.as_str())
                .name(pascal_case(code.as_str()))
                .short_description(
                    MultiformatMessageString::builder()
                        .text(sentence(code.description()))
                        .build(),
                )
                .full_description(
                    MultiformatMessageString::builder()
                        .text(format!(
                            "{} Default severity: {}; configurable in newsmark.toml under [severity].",
                            sentence(code.description()),
                            default.as_str()
                        ))
                        .build(),
                )
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::json!(level_name(default)))
                        .build(),
                )
                .build()
        })
        .collect()
}

/// `unattributed-quote` → `UnattributedQuote` (SARIF rule names are identifiers).
fn pascal_case(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// A description as a sentence: capitalised, ending with a full stop.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn artifact(path: &str, base: &Path) -> ArtifactLocation {
    match uri_ref(path, base) {
        UriRef::Relative(uri) => ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id(SRCROOT)
            .build(),
        UriRef::Absolute(uri) => ArtifactLocation::builder().uri(uri).build(),
    }
}

fn region(line: usize, column: usize, end_line: usize, end_column: usize) -> Region {
    Region::builder()
        .start_line(line as i64)
        .start_column(column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build()
}

fn location(path: &str, region: Region, base: &Path) -> Location {
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(path, base))
                .region(region)
                .build(),
        )
        .build()
}

/// The SARIF log for these reports, with paths relative to `base`.
pub fn sarif(loaded: &LoadedWorkspace, reports: &[Report], exit_code: u8, base: &Path) -> Sarif {
    let rule_index: BTreeMap<&str, i64> = Code::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as i64))
        .collect();
    let results: Vec<SarifResult> = reports
        .iter()
        .map(|r| {
            let b = SarifResult::builder()
                .rule_id(r.code)
                .level(level(r.severity))
                .message(Message::builder().text(r.message.clone()).build())
                .locations(vec![location(
                    &r.path,
                    region(r.line, r.column, r.end.line, r.end.column),
                    base,
                )]);
            let related: Vec<Location> = r
                .related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    let mut l = location(
                        &rel.path,
                        region(rel.line, rel.column, rel.end.line, rel.end.column),
                        base,
                    );
                    l.id = Some(i as i64);
                    l.message = Some(Message::builder().text(rel.message.clone()).build());
                    l
                })
                .collect();
            let mut result = b.build();
            result.rule_index = rule_index.get(r.code).copied();
            if !related.is_empty() {
                result.related_locations = Some(related);
            }
            result
        })
        .collect();

    let notifications: Vec<Notification> = loaded
        .problems
        .iter()
        .map(|p| {
            let mut n = Notification::builder()
                .message(Message::builder().text(p.message.clone()).build())
                .level(serde_json::json!("error"))
                .build();
            let mut region = Region::builder().build();
            region.start_line = p.line.map(|l| l as i64);
            region.start_column = p.column.map(|c| c as i64);
            let mut physical = PhysicalLocation::builder()
                .artifact_location(artifact(&p.path, base))
                .build();
            if p.line.is_some() {
                physical.region = Some(region);
            }
            n.locations = Some(vec![Location::builder()
                .physical_location(physical)
                .build()]);
            n
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(loaded.problems.is_empty())
        .exit_code(i64::from(exit_code))
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }

    let driver = ToolComponent::builder()
        .name("newsmark")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules())
        .build();
    let mut base_dir = file_uri(&super::paths::normalize(base));
    if !base_dir.ends_with('/') {
        base_dir.push('/');
    }
    let mut bases = BTreeMap::new();
    bases.insert(
        SRCROOT.to_string(),
        ArtifactLocation::builder().uri(base_dir).build(),
    );
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .original_uri_base_ids(bases)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

pub fn write(loaded: &LoadedWorkspace, reports: &[Report], exit_code: u8) -> std::io::Result<()> {
    let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let log = sarif(loaded, reports, exit_code, &base);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &log)?;
    writeln!(out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_descriptions() {
        assert_eq!(pascal_case("unattributed-quote"), "UnattributedQuote");
        assert_eq!(pascal_case("syntax"), "Syntax");
        assert_eq!(sentence("malformed markup"), "Malformed markup.");
        assert_eq!(level_name(Severity::Hint), "note");
        assert_eq!(rules().len(), Code::ALL.len());
        assert!(INFORMATION_URI.starts_with("https://"));
    }
}
