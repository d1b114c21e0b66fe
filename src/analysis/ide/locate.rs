//! What stands at an offset: a reference, a definition's ID or a quotation.

use super::clamp_offset;
use crate::analysis::FileData;
use crate::syntax::Span;

/// The thing under the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into `FileData::references`: a span or bare mention, a property reference or the
    /// speaker or `via` of an attribute block.
    Reference(usize),
    /// Index into `FileData::entities`: the cursor is on the `@ID` of a definition line.
    Definition(usize),
    /// Index into `Parse::quotes`: the cursor is inside a quotation (marks and attribute block
    /// included) but on no reference.
    Quote(usize),
}

/// The innermost target at `offset`. A cursor touching a token counts as on it (at its start,
/// just after its `@`, or right after its end), so a cursor at the end of a word still finds it;
/// when two tokens touch the offset, the one that strictly contains it wins.
pub fn target_at(data: &FileData, offset: usize) -> Option<Target> {
    let offset = clamp_offset(&data.text, offset);
    let mut best: Option<(bool, Target)> = None;
    let mut consider = |span: Span, t: Target| {
        if !span.touches(offset) {
            return;
        }
        let strict = span.contains(offset);
        if best.is_none_or(|(s, _)| strict && !s) {
            best = Some((strict, t));
        }
    };
    for (i, r) in data.references.iter().enumerate() {
        consider(r.full_span(), Target::Reference(i));
    }
    for (i, e) in data.entities.iter().enumerate() {
        // The `@` before the ID belongs to it.
        consider(
            Span::new(e.id_span.start.saturating_sub(1), e.id_span.end),
            Target::Definition(i),
        );
    }
    if let Some((_, t)) = best {
        return Some(t);
    }
    // The innermost (last opened) quotation that contains the offset.
    data.parse()
        .quotes
        .iter()
        .enumerate()
        .filter(|(_, q)| q.span().contains(offset))
        .max_by_key(|(_, q)| q.open.start)
        .map(|(i, _)| Target::Quote(i))
}

/// The `@ID` at `offset` (of a reference or of a definition) with the ID's span.
pub(crate) fn id_at(data: &FileData, offset: usize) -> Option<(String, Span, Target)> {
    match target_at(data, offset)? {
        t @ Target::Reference(i) => {
            let r = &data.references[i];
            Some((r.id.to_string(), r.span, t))
        }
        t @ Target::Definition(i) => {
            let e = &data.entities[i];
            Some((e.id.clone(), e.id_span, t))
        }
        Target::Quote(_) => None,
    }
}
