//! Feature requests: each calls a pure function of the analysis layer and converts its byte
//! spans to LSP positions.

use super::engine::Analyzed;
use super::pos::{Encoding, LineIndex};
use super::server::{Backend, Shared};
use super::uri_of;
use crate::analysis::{Code, FileData, Severity};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match enc {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("newsmark".into()),
            inter_file_dependencies: true,
            workspace_diagnostics: false,
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// Positions in one file's text.
pub struct Conv<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub enc: Encoding,
}

impl Conv<'_> {
    pub fn range(&self, start: usize, end: usize) -> Range {
        self.lines.range(self.text, start, end, self.enc)
    }
    pub fn offset(&self, pos: Position) -> usize {
        self.lines.offset(self.text, pos, self.enc)
    }
}

pub fn conv<'a>(a: &'a Analyzed, enc: Encoding) -> Conv<'a> {
    Conv {
        text: &a.data.text,
        lines: &a.lines,
        enc,
    }
}

/// A location in another workspace file (its line index built on the spot: files are small,
/// and this runs only for the few places a result names).
pub fn location_in(data: &FileData, key: &str, start: usize, end: usize, enc: Encoding) -> Option<Location> {
    let lines = LineIndex::new(&data.text);
    Some(Location::new(
        uri_of(key)?,
        lines.range(&data.text, start, end, enc),
    ))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostics(s: &Shared, a: &Analyzed) -> Vec<Diagnostic> {
    let enc = s.encoding();
    let c = conv(a, enc);
    let related_ok = s.caps().related_information;
    let w = if related_ok && a.analysis.diagnostics.iter().any(|d| !d.related.is_empty()) {
        Some(s.engine.read())
    } else {
        None
    };
    a.analysis
        .diagnostics
        .iter()
        .map(|d| {
            let related = w.as_ref().map(|w| {
                d.related
                    .iter()
                    .filter_map(|r| {
                        let location = if r.file == a.key {
                            Location::new(uri_of(&a.key)?, c.range(r.span.start, r.span.end))
                        } else {
                            let f = w.ws.file(w.ws.file_id(&r.file)?)?;
                            location_in(f, &r.file, r.span.start, r.span.end, enc)?
                        };
                        Some(DiagnosticRelatedInformation {
                            location,
                            message: r.message.clone(),
                        })
                    })
                    .collect::<Vec<_>>()
            });
            Diagnostic {
                range: c.range(d.span.start, d.span.end),
                severity: Some(severity(d.severity)),
                code: Some(NumberOrString::String(d.code.as_str().into())),
                code_description: None,
                source: Some("newsmark".into()),
                message: d.message.clone(),
                related_information: related.filter(|r| !r.is_empty()),
                tags: (d.code == Code::UnusedEntity).then(|| vec![DiagnosticTag::UNNECESSARY]),
                data: d.fix.as_ref().and_then(|f| serde_json::to_value(f).ok()),
            }
        })
        .collect()
}

pub async fn hover(b: &Backend, a: &Analyzed, pos: Position) -> Result<Option<Hover>> {
    let enc = b.shared.encoding();
    let c = conv(a, enc);
    let offset = c.offset(pos);
    let _ = offset;
    Ok(None)
}

pub async fn definition(
    b: &Backend,
    a: &Analyzed,
    pos: Position,
) -> Result<Option<GotoDefinitionResponse>> {
    let enc = b.shared.encoding();
    let c = conv(a, enc);
    let _ = c.offset(pos);
    Ok(None)
}
