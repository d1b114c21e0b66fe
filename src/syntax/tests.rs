use super::*;

fn p(text: &str) -> Parse {
    parse(text, &ParseOptions::default())
}

#[test]
fn smoke() {
    let t = "---\ntitle: X\n---\n@a: person \"A B\"\n  aka: A\n\n[A]{@a} said: \"Hello there.\"\n";
    let r = p(t);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.quotes.len(), 1);
}

fn span_mentions(r: &Parse) -> Vec<(String, Option<String>)> {
    r.blocks
        .iter()
        .flat_map(|b| b.inlines().unwrap_or_default())
        .filter_map(|i| match &i.kind {
            InlineKind::SpanMention { surface, target } => Some((
                format!("{}..{}", surface.start, surface.end),
                target.as_ref().map(|t| t.id.clone()),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn brackets_close_at_the_first_bracket_whatever_the_nesting() {
    // `[x [y]{@a}`: the outer `[` reaches the first `]`, so its surface is `x [y`.
    let r = p("[x [y]{@a} and [b] [c]{@c}\n");
    assert_eq!(
        span_mentions(&r),
        vec![
            ("1..5".to_string(), Some("a".to_string())),
            ("20..21".to_string(), Some("c".to_string()))
        ]
    );
    // Deep nesting with no mention at all is plain text, and each unclosed `[` is reported.
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let r = p(&deep);
    assert!(span_mentions(&r).is_empty());
    assert!(r.errors.is_empty(), "{:?}", r.errors.first());
    let r = p(&"[".repeat(3000));
    assert_eq!(r.errors.len(), 3000);
}
