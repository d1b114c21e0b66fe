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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ide::fixture::Fixture;

    /// Hints of the fixture's last file after giving each quotation (by index) the attribution.
    fn check(
        fixture: &str,
        set: &[(usize, AttributionKind, &str, Option<&str>)],
        range: Option<Span>,
    ) -> String {
        let f = Fixture::new(fixture);
        let file = f.files.last().unwrap().1;
        let mut analysis = f.analysis(file);
        for (qi, kind, speaker, cue) in set {
            // Field by field, so that new fields of `Attribution` keep their values.
            let a = &mut analysis.attributions[*qi];
            a.speaker = Some(speaker.to_string());
            a.via = None;
            a.kind = *kind;
            a.cue = cue.map(String::from);
        }
        let text = f.text(file);
        inlay_hints(&f.ws, file, &analysis, range)
            .iter()
            .map(|h| {
                assert!(text.is_char_boundary(h.offset));
                format!(
                    "{}|{} {} ({})\n",
                    &text[..h.offset]
                        .chars()
                        .rev()
                        .take(8)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<String>(),
                    h.quote,
                    h.label,
                    h.tooltip
                )
            })
            .collect()
    }

    const TEXT: &str = "//- /r.nmk\n@lavrov: person \"Sergey Lavrov\"\n//- /a.nmk\n@putin: person \"Vladimir Putin\"\n\n“Мы готовы — 😀,” said @lavrov. “And more words,” he added.\n\n«Ещё цитата»{@putin} said @putin.\n";

    #[test]
    fn inferred_and_continuation_speakers_after_the_closing_mark() {
        insta::assert_snapshot!(check(
            TEXT,
            &[
                (0, AttributionKind::Inferred, "lavrov", Some("said")),
                (1, AttributionKind::Continuation, "lavrov", Some("continuation")),
            ],
            None
        ), @r#"
            вы — 😀,”|0 — Sergey Lavrov (said) (Speaker `@lavrov` (inferred, cue: said))
             words,”|1 — Sergey Lavrov (continued) (Speaker `@lavrov` (continuation, cue: continuation))
            "#);
    }

    #[test]
    fn explicit_and_unattributed_quotations_have_no_hint() {
        // Whatever inference finds, explicit `{@putin}` needs no hint and the default
        // (unattributed) quotations get none.
        let f = Fixture::new(TEXT);
        let file = f.files.last().unwrap().1;
        let mut analysis = f.analysis(file);
        for a in &mut analysis.attributions {
            if a.kind != AttributionKind::Explicit {
                a.speaker = None;
                a.via = None;
                a.kind = AttributionKind::None;
                a.cue = None;
            }
        }
        assert_eq!(analysis.attributions[2].kind, AttributionKind::Explicit);
        assert!(inlay_hints(&f.ws, file, &analysis, None).is_empty());
    }

    #[test]
    fn range_filter_and_undefined_speaker() {
        let set = [
            (0, AttributionKind::Inferred, "ghost", Some("said")),
            (1, AttributionKind::Inferred, "lavrov", None),
        ];
        assert_eq!(check(TEXT, &set, Some(Span::new(0, 10))), "");
        insta::assert_snapshot!(check(TEXT, &set, Some(Span::new(60, 61))), @r#"вы — 😀,”|0 — @ghost (said) (Speaker `@ghost` (inferred, cue: said))"#);
    }
}
