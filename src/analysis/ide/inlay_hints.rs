//! Inlay hints: the inferred speaker after a quotation.

use crate::analysis::{AttributionKind, FileAnalysis, FileId, Workspace};
use crate::syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint stands: right after the quotation's closing mark.
    pub offset: usize,
    /// `— Sergey Lavrov (said)`.
    pub label: String,
    /// Longer explanation (speaker ID, attribution kind, cue).
    pub tooltip: String,
    /// Index into `Parse::quotes`.
    pub quote: usize,
}

/// A hint after each quotation of `file` whose speaker is inferred or carried over
/// (continuation), naming the speaker and the cue: `— Sergey Lavrov (said)`. Explicitly
/// attributed quotations need none (the `{@id}` is in the text); quotations without a speaker
/// get none either (their diagnostic says so). Only quotations overlapping `range` (all when
/// `None`), in text order. An unclosed quotation has its hint at the end of its content.
pub fn inlay_hints(
    ws: &Workspace,
    file: FileId,
    analysis: &FileAnalysis,
    range: Option<Span>,
) -> Vec<InlayHint> {
    let Some(data) = ws.file(file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (qi, (q, a)) in data
        .parse
        .quotes
        .iter()
        .zip(&analysis.attributions)
        .enumerate()
    {
        if !matches!(
            a.kind,
            AttributionKind::Inferred | AttributionKind::Continuation
        ) {
            continue;
        }
        let Some(speaker) = &a.speaker else { continue };
        let span = q.span();
        if range.is_some_and(|r| span.end < r.start || span.start > r.end) {
            continue;
        }
        let name = ws.resolve_entity(file, speaker).map_or_else(
            || format!("@{speaker}"),
            |(_, e)| e.display_name().to_string(),
        );
        let cue = match (a.kind, a.cue.as_deref()) {
            (AttributionKind::Continuation, _) => "continued".to_string(),
            (_, Some(c)) => c.to_string(),
            (_, None) => a.kind.as_str().to_string(),
        };
        let mut tooltip = format!("Speaker `@{speaker}` ({}", a.kind.as_str());
        if let Some(c) = &a.cue {
            tooltip.push_str(&format!(", cue: {c}"));
        }
        tooltip.push(')');
        if let Some(v) = &a.via {
            tooltip.push_str(&format!(", via `@{v}`"));
        }
        out.push(InlayHint {
            offset: q.close.map_or(q.content.end, |c| c.end),
            label: format!("— {name} ({cue})"),
            tooltip,
            quote: qi,
        });
    }
    out
}
