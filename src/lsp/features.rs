//! Feature requests: each calls a pure function of [`crate::analysis::ide`] and converts its
//! byte spans to LSP positions. Runs under the engine's read lock (see `Engine::with_file`), so
//! the workspace, the analysis and the line index all describe the same text.

use super::engine::{Analyzed, Engine, World};
use super::memo::Json;
use super::pos::{Encoding, LineIndex};
use super::server::ClientCaps;
use super::uri_of;
use crate::analysis::ide;
use crate::analysis::FileData;
use crate::analysis::{Code, EntityKind, FileId, Severity};
use crate::syntax::Span;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::*;

/// Completion lists longer than this are cut and marked incomplete (the client asks again as
/// the user types, with a longer prefix).
const MAX_COMPLETIONS: usize = 100;
const MAX_WORKSPACE_SYMBOLS: usize = 256;

/// `pull`: the client pulls diagnostics (and can be asked to pull again); others get them
/// pushed, and are not offered pull so that they do not show both.
pub fn capabilities(enc: Encoding, pull: bool) -> ServerCapabilities {
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
        diagnostic_provider: pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("newsmark".into()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                ..Default::default()
            })
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["@".into(), "{".into()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            ..Default::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..Default::default()
            },
        )),
        inlay_hint_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// The semantic token legend, in the ide module's order.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: ide::TokenType::ALL
            .iter()
            .map(|t| SemanticTokenType::new(t.name()))
            .collect(),
        token_modifiers: ide::TokenModifier::ALL
            .iter()
            .map(|m| SemanticTokenModifier::new(m.name()))
            .collect(),
    }
}

/// Line indexes of workspace files, kept across requests: a `references` answer names a
/// hundred files, and indexing each of them again for every request was a fifth of the
/// server's time under load. An entry is valid while its file's data is the same allocation
/// (the `Weak` keeps the allocation's address from being reused).
/// A file's data (by address) and its line index.
type LineEntry = (Weak<FileData>, Arc<LineIndex>);

#[derive(Default)]
pub struct LineCache {
    map: Mutex<HashMap<FileId, LineEntry>>,
    /// URIs of workspace files by key (making one from a path percent-encodes and re-parses
    /// it: a seventh of a `references` answer's time).
    uris: Mutex<HashMap<FileId, (String, Uri)>>,
}

/// Entries kept before the cache starts over (a line index is about 1 % of its text).
const LINE_CACHE_MAX: usize = 8192;

impl LineCache {
    pub fn get(&self, file: FileId, data: &Arc<FileData>) -> Arc<LineIndex> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((weak, idx)) = map.get(&file) {
            if std::ptr::eq(weak.as_ptr(), Arc::as_ptr(data)) {
                return idx.clone();
            }
        }
        if map.len() >= LINE_CACHE_MAX {
            map.clear();
        }
        let idx = Arc::new(LineIndex::new(&data.text));
        map.insert(file, (Arc::downgrade(data), idx.clone()));
        idx
    }

    /// The URI of the workspace file `file`, whose key is `key`.
    pub fn uri(&self, file: FileId, key: &str) -> Option<Uri> {
        let mut map = self.uris.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, uri)) = map.get(&file) {
            if k == key {
                return Some(uri.clone());
            }
        }
        let uri = uri_of(key)?;
        if map.len() >= LINE_CACHE_MAX {
            map.clear();
        }
        map.insert(file, (key.to_string(), uri.clone()));
        Some(uri)
    }
}

/// What one request works with.
pub struct Ctx<'a> {
    pub w: &'a World,
    pub a: &'a Arc<Analyzed>,
    pub engine: &'a Engine,
    pub enc: Encoding,
    pub caps: &'a ClientCaps,
    /// Line indexes of other files.
    lines: &'a LineCache,
}

impl<'a> Ctx<'a> {
    pub fn new(
        w: &'a World,
        a: &'a Arc<Analyzed>,
        engine: &'a Engine,
        enc: Encoding,
        caps: &'a ClientCaps,
        lines: &'a LineCache,
    ) -> Ctx<'a> {
        Ctx {
            w,
            a,
            engine,
            enc,
            caps,
            lines,
        }
    }

    fn text(&self) -> &str {
        &self.a.data.text
    }

    pub fn offset(&self, pos: Position) -> usize {
        self.a.lines.offset(self.text(), pos, self.enc)
    }

    pub fn range(&self, span: Span) -> Range {
        self.a
            .lines
            .range(self.text(), span.start, span.end, self.enc)
    }

    pub fn span(&self, range: Range) -> Span {
        let (a, b) = self.a.lines.span(self.text(), range, self.enc);
        Span::new(a, b)
    }

    /// The range of a span of any workspace file.
    pub fn range_in(&self, file: FileId, span: Span) -> Option<Range> {
        if file == self.a.file {
            return Some(self.range(span));
        }
        let data = self.w.ws.file(file)?;
        let lines = self.lines.get(file, data);
        Some(lines.range(&data.text, span.start, span.end, self.enc))
    }

    pub fn location(&self, file: FileId, span: Span) -> Option<Location> {
        Some(Location::new(
            self.lines.uri(file, self.w.ws.key(file))?,
            self.range_in(file, span)?,
        ))
    }

    /// Another file's analysis if it is cached and current (no analysis is run).
    fn cached_analysis_of(&self, f: FileId) -> Option<Arc<crate::analysis::FileAnalysis>> {
        if f == self.a.file {
            return Some(self.a.analysis.clone());
        }
        self.engine
            .cached_analysis_in(self.w, f)
            .map(|a| a.analysis.clone())
    }

    fn workspace_edit(&self, change: ide::SourceChange) -> WorkspaceEdit {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (file, edits) in change {
            let Some(uri) = self.lines.uri(file, self.w.ws.key(file)) else {
                continue;
            };
            let edits: Vec<TextEdit> = edits
                .into_iter()
                .filter_map(|e| Some(TextEdit::new(self.range_in(file, e.span)?, e.new_text)))
                .collect();
            changes.entry(uri).or_default().extend(edits);
        }
        WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }
    }
}

/// An error the user should read (a refused rename, say): LSP's `RequestFailed`.
pub fn request_failed(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

fn diagnostic(c: &Ctx<'_>, d: &crate::analysis::Diagnostic) -> Diagnostic {
    let related = c.caps.related_information.then(|| {
        d.related
            .iter()
            .filter_map(|r| {
                let file = c.w.ws.file_id(&r.file)?;
                Some(DiagnosticRelatedInformation {
                    location: c.location(file, r.span)?,
                    message: r.message.clone(),
                })
            })
            .collect::<Vec<_>>()
    });
    Diagnostic {
        range: c.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.as_str().into())),
        code_description: None,
        source: Some("newsmark".into()),
        message: d.message.clone(),
        related_information: related.filter(|r| !r.is_empty()),
        tags: (d.code == Code::UnusedEntity).then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: d.fix.as_ref().and_then(|f| serde_json::to_value(f).ok()),
    }
}

pub fn diagnostics(c: &Ctx<'_>) -> Vec<Diagnostic> {
    c.a.analysis
        .diagnostics
        .iter()
        .map(|d| diagnostic(c, d))
        .collect()
}

pub fn hover(c: &Ctx<'_>, pos: Position) -> Option<Hover> {
    let offset = c.offset(pos);
    let kind = if c.caps.markdown_hover {
        MarkupKind::Markdown
    } else {
        MarkupKind::PlainText
    };
    // An entity's card is the same from each of its mentions in a file: kept per (file, ID)
    // while nothing it depends on changes (see `memo`).
    if let Some((id, range)) = ide::hover_entity(&c.w.ws, c.a.file, offset) {
        let card = c
            .engine
            .memo
            .hover((c.a.file, id.clone()), c.w.stamps.card(&id), || {
                // The counts from references, kept while the ID's references stay as they
                // are; the quotation counts are read from the analyses at hand.
                let counts = c.engine.memo.mention_counts(
                    (c.a.file, id.clone()),
                    c.w.stamps.refs(&id),
                    || Some(Arc::new(ide::mention_counts(&c.w.ws, c.a.file, &id))),
                )?;
                // Only cached analyses: analysing every file that mentions the entity made
                // first hovers slow (see `ide::hover` for how the workspace count is bounded
                // then).
                let card =
                    ide::entity_card_with(&c.w.ws, c.a.file, &c.a.analysis, &id, &counts, &|f| {
                        c.cached_analysis_of(f)
                    });
                Some(Arc::from(card))
            })?;
        return Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind,
                value: card.to_string(),
            }),
            range: Some(c.range(range)),
        });
    }
    let h = ide::hover(&c.w.ws, c.a.file, &c.a.analysis, offset, &|f| {
        c.cached_analysis_of(f)
    })?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind,
            value: h.markdown,
        }),
        range: Some(c.range(h.range)),
    })
}

pub fn definition(c: &Ctx<'_>, pos: Position) -> Option<GotoDefinitionResponse> {
    let targets = ide::goto_definition(&c.w.ws, c.a.file, c.offset(pos));
    let locs: Vec<Location> = targets
        .iter()
        .filter_map(|t| c.location(t.file, t.focus))
        .collect();
    match locs.len() {
        0 => None,
        1 => locs.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locs)),
    }
}

pub fn references(c: &Ctx<'_>, pos: Position, declaration: bool) -> Vec<Location> {
    let refs = ide::references(&c.w.ws, c.a.file, c.offset(pos), declaration);
    locations(c, &refs)
}

fn locations(c: &Ctx<'_>, refs: &[ide::Location]) -> Vec<Location> {
    // Locations come grouped by file: one URI per file, cloned for its locations.
    let mut uri: Option<(FileId, Option<Uri>)> = None;
    refs.iter()
        .filter_map(|l| {
            if uri.as_ref().is_none_or(|(f, _)| *f != l.file) {
                uri = Some((l.file, uri_of(c.w.ws.key(l.file))));
            }
            let u = uri.as_ref()?.1.clone()?;
            Some(Location::new(u, c.range_in(l.file, l.span)?))
        })
        .collect()
}

/// [`references`] as JSON: the answer for an ID is the same from each of its mentions in a
/// file, kept per (file, ID) while nothing it depends on changes (see `memo`).
pub fn references_json(c: &Ctx<'_>, pos: Position, declaration: bool) -> serde_json::Result<Json> {
    let Some(id) = ide::id_at(&c.w.ws, c.a.file, c.offset(pos)) else {
        return Ok(Arc::from(&b"[]"[..]));
    };
    let stamp = c.w.stamps.refs(&id);
    c.engine
        .memo
        .references((c.a.file, id.clone(), declaration), stamp, || {
            let refs = ide::references_of(&c.w.ws, c.a.file, &id, declaration);
            serde_json::to_vec(&locations(c, &refs)).map(Arc::from)
        })
}

pub fn highlights(c: &Ctx<'_>, pos: Position) -> Vec<DocumentHighlight> {
    ide::document_highlight(&c.w.ws, c.a.file, c.offset(pos))
        .iter()
        .map(|h| DocumentHighlight {
            range: c.range(h.span),
            kind: Some(match h.kind {
                ide::HighlightKind::Read => DocumentHighlightKind::READ,
                ide::HighlightKind::Write => DocumentHighlightKind::WRITE,
            }),
        })
        .collect()
}

pub fn prepare_rename(c: &Ctx<'_>, pos: Position) -> Result<Option<PrepareRenameResponse>, Error> {
    match ide::prepare_rename(&c.w.ws, c.a.file, c.offset(pos)) {
        Ok(Some(p)) => Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
            range: c.range(p.span),
            placeholder: p.placeholder,
        })),
        Ok(None) => Ok(None),
        Err(e) => Err(request_failed(e.message)),
    }
}

pub fn rename(c: &Ctx<'_>, pos: Position, new_name: &str) -> Result<WorkspaceEdit, Error> {
    let new_id = new_name.trim().trim_start_matches('@');
    match ide::rename(&c.w.ws, c.a.file, c.offset(pos), new_id) {
        Ok(change) => Ok(c.workspace_edit(change)),
        Err(e) => Err(request_failed(e.message)),
    }
}

fn entity_item_kind(k: Option<EntityKind>) -> CompletionItemKind {
    match k {
        Some(EntityKind::Person) => CompletionItemKind::VARIABLE,
        Some(EntityKind::Org) => CompletionItemKind::CLASS,
        Some(EntityKind::Place) => CompletionItemKind::MODULE,
        Some(EntityKind::Agreement) => CompletionItemKind::INTERFACE,
        Some(EntityKind::Event) => CompletionItemKind::EVENT,
        Some(EntityKind::Work) => CompletionItemKind::FILE,
        Some(EntityKind::Other) | None => CompletionItemKind::VALUE,
    }
}

/// [`completion`] as JSON, kept per (file, position) while the index of IDs, the file's
/// references (which IDs, mentions or not) and its text up to the end of the position's
/// paragraph do not change (see `memo`): clients ask again at the same place, and typing
/// further down the file leaves the list as it was.
pub fn completion_json(c: &Ctx<'_>, pos: Position) -> serde_json::Result<Json> {
    let (stamp, gen) = c.w.stamps.file(c.a.file);
    c.engine.memo.completion(
        (c.a.file, pos.line, pos.character),
        stamp,
        |g, end| c.w.stamps.text_unchanged(c.a.file, g, end),
        || {
            let json = serde_json::to_vec(&completion(c, pos)).map(Arc::from)?;
            Ok((
                json,
                gen,
                ide::completion_depends_on(&c.a.data, c.offset(pos)),
            ))
        },
    )
}

pub fn completion(c: &Ctx<'_>, pos: Position) -> CompletionResponse {
    let offset = c.offset(pos);
    // With thousands of entities, send only the best matches of the word typed so far.
    let (items, incomplete) = ide::completion_limited(&c.w.ws, c.a.file, offset, MAX_COMPLETIONS);
    // Every item replaces the same word: its range is converted once.
    let mut range: Option<(Span, Range)> = None;
    let mut range_of = |span: Span| match range {
        Some((s, r)) if s == span => r,
        _ => {
            let r = c.range(span);
            range = Some((span, r));
            r
        }
    };
    let items = items
        .into_iter()
        .map(|i| CompletionItem {
            label: i.label,
            kind: Some(match i.kind {
                ide::CompletionKind::Entity(k) => entity_item_kind(k),
                ide::CompletionKind::EntityKind => CompletionItemKind::KEYWORD,
                ide::CompletionKind::PropertyKey => CompletionItemKind::PROPERTY,
                ide::CompletionKind::FrontMatterKey => CompletionItemKind::FIELD,
            }),
            detail: i.detail,
            documentation: i.documentation.map(|d| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: d,
                })
            }),
            filter_text: Some(i.filter_text),
            sort_text: Some(i.sort_text),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range_of(i.edit.span),
                i.edit.new_text,
            ))),
            ..Default::default()
        })
        .collect();
    CompletionResponse::List(CompletionList {
        is_incomplete: incomplete,
        items,
    })
}

fn symbol_kind(k: ide::SymbolKind) -> SymbolKind {
    match k {
        ide::SymbolKind::Section => SymbolKind::NAMESPACE,
        ide::SymbolKind::Quotation => SymbolKind::STRING,
        ide::SymbolKind::FrontMatter => SymbolKind::PACKAGE,
        ide::SymbolKind::Entity(k) => match k {
            Some(EntityKind::Person) => SymbolKind::VARIABLE,
            Some(EntityKind::Org) => SymbolKind::CLASS,
            Some(EntityKind::Place) => SymbolKind::MODULE,
            Some(EntityKind::Agreement) => SymbolKind::INTERFACE,
            Some(EntityKind::Event) => SymbolKind::EVENT,
            Some(EntityKind::Work) => SymbolKind::FILE,
            Some(EntityKind::Other) | None => SymbolKind::OBJECT,
        },
    }
}

#[allow(deprecated)]
fn document_symbol(c: &Ctx<'_>, s: ide::DocumentSymbol) -> DocumentSymbol {
    DocumentSymbol {
        name: if s.name.is_empty() {
            "·".into()
        } else {
            s.name
        },
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: c.range(s.span),
        selection_range: c.range(s.selection_span),
        children: Some(
            s.children
                .into_iter()
                .map(|ch| document_symbol(c, ch))
                .collect(),
        )
        .filter(|v: &Vec<_>| !v.is_empty()),
    }
}

pub fn document_symbols(c: &Ctx<'_>) -> DocumentSymbolResponse {
    DocumentSymbolResponse::Nested(
        ide::document_symbols(&c.w.ws, c.a.file, &c.a.analysis)
            .into_iter()
            .map(|s| document_symbol(c, s))
            .collect(),
    )
}

#[allow(deprecated)]
pub fn workspace_symbols(
    w: &World,
    enc: Encoding,
    lines: &LineCache,
    query: &str,
) -> Vec<SymbolInformation> {
    ide::workspace_symbols(&w.ws, query, MAX_WORKSPACE_SYMBOLS)
        .into_iter()
        .filter_map(|s| {
            let data = w.ws.file(s.file)?;
            let idx = lines.get(s.file, data);
            let range = idx.range(
                &data.text,
                s.selection_span.start,
                s.selection_span.end,
                enc,
            );
            Some(SymbolInformation {
                name: s.name,
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                location: Location::new(lines.uri(s.file, w.ws.key(s.file))?, range),
                container_name: Some(s.detail),
            })
        })
        .collect()
}

pub fn code_actions(
    c: &Ctx<'_>,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> CodeActionResponse {
    let span = c.span(range);
    ide::code_actions(&c.w.ws, c.a.file, &c.a.analysis, span)
        .into_iter()
        .filter_map(|a| {
            let kind = match a.kind {
                ide::ActionKind::QuickFix => CodeActionKind::QUICKFIX,
                ide::ActionKind::RefactorRewrite => CodeActionKind::REFACTOR_REWRITE,
            };
            if let Some(only) = only {
                let k = kind.as_str();
                if !only
                    .iter()
                    .any(|o| k == o.as_str() || k.starts_with(&format!("{}.", o.as_str())))
                {
                    return None;
                }
            }
            let diagnostics: Vec<Diagnostic> =
                a.diagnostics.iter().map(|d| diagnostic(c, d)).collect();
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(kind),
                diagnostics: Some(diagnostics).filter(|d| !d.is_empty()),
                edit: Some(c.workspace_edit(a.edits)),
                is_preferred: Some(a.is_preferred),
                ..Default::default()
            }))
        })
        .collect()
}

pub fn semantic_tokens(c: &Ctx<'_>, range: Option<Range>) -> SemanticTokens {
    let span = range.map(|r| c.span(r));
    let toks = ide::semantic_tokens(&c.w.ws, c.a.file, &c.a.analysis, span);
    let text = c.text();
    let mut data = Vec::with_capacity(toks.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for t in toks {
        let start = c.a.lines.position(text, t.span.start, c.enc);
        let end = c.a.lines.position(text, t.span.end, c.enc);
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - prev_line;
        let delta_start = if delta_line == 0 {
            start.character - prev_start
        } else {
            start.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: t.token_type.index(),
            token_modifiers_bitset: t.modifiers,
        });
        prev_line = start.line;
        prev_start = start.character;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}

pub fn inlay_hints(c: &Ctx<'_>, range: Range) -> Vec<InlayHint> {
    let span = c.span(range);
    ide::inlay_hints(&c.w.ws, c.a.file, &c.a.analysis, Some(span))
        .into_iter()
        .map(|h| InlayHint {
            position: c.range(Span::new(h.offset, h.offset)).start,
            label: InlayHintLabel::String(h.label),
            kind: None,
            text_edits: None,
            tooltip: Some(InlayHintTooltip::String(h.tooltip)),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}

pub fn folding_ranges(c: &Ctx<'_>) -> Vec<FoldingRange> {
    ide::folding_ranges(&c.w.ws, c.a.file)
        .into_iter()
        .filter_map(|f| {
            let r = c.range(f.span);
            (r.end.line > r.start.line).then_some(FoldingRange {
                start_line: r.start.line,
                start_character: None,
                end_line: r.end.line,
                end_character: None,
                kind: Some(match f.kind {
                    ide::FoldingKind::Comment => FoldingRangeKind::Comment,
                    ide::FoldingKind::FrontMatter => FoldingRangeKind::Imports,
                    _ => FoldingRangeKind::Region,
                }),
                collapsed_text: None,
            })
        })
        .collect()
}
