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

#[test]
fn unescape_resolves_every_escape() {
    assert_eq!(unescape("a \\] b \\\\ c \\\""), "a ] b \\ c \"");
    assert_eq!(unescape("trailing \\"), "trailing \\");
    assert!(matches!(
        unescape("plain"),
        std::borrow::Cow::Borrowed("plain")
    ));
}

#[test]
fn surface_text_joins_wrapped_lines() {
    assert_eq!(surface_text("Sergey\r\nLavrov"), "Sergey\nLavrov");
    assert_eq!(
        surface_text("Sergey\n%% note\nLavrov \\]"),
        "Sergey\nLavrov ]"
    );
    assert_eq!(surface_text("one line"), "one line");
}

#[test]
fn parse_is_total_on_odd_input() {
    for t in [
        "",
        "\u{feff}",
        "\r",
        "\r\n\r\n",
        "---",
        "@",
        "@:",
        "[",
        "{",
        "\\",
        "\"",
        "„",
        "'",
        "’",
        "#",
        "%%",
        "  aka: x",
        "\u{feff}---\r\n",
        "[a\n\n]{@x}",
        "\"{",
        "«{@",
    ] {
        let r = p(t);
        for b in &r.blocks {
            assert!(b.span().end <= t.len(), "{t:?}");
        }
    }
}

/// Tokens are the bulk of a parse's memory (several per sentence): keep them small.
#[test]
fn tokens_stay_small() {
    assert!(
        std::mem::size_of::<Inline>() <= 80,
        "{}",
        std::mem::size_of::<Inline>()
    );
}

#[test]
fn mentions_lists_the_mention_tokens_with_an_id_in_text_order() {
    let t = "@a: person \"A\"\n  member-of: @o\n\n# [A]{@a} in @o\n\n[A]{ @a } met [B]{@} and @o.\n%% @c\nThen @b.\n";
    let r = p(t);
    let walked: Vec<&Inline> = r
        .blocks
        .iter()
        .flat_map(|b| b.inlines().unwrap_or_default())
        .filter(|i| {
            matches!(
                i.kind,
                InlineKind::SpanMention(SpanMention {
                    target: Some(_),
                    ..
                }) | InlineKind::BareMention(_)
            )
        })
        .collect();
    let listed: Vec<&Inline> = r.mentions().collect();
    assert_eq!(listed, walked);
    let ids: Vec<&str> = listed
        .iter()
        .map(|i| match i.kind {
            InlineKind::SpanMention(SpanMention {
                target: Some(id), ..
            })
            | InlineKind::BareMention(id) => id.id(t),
            _ => unreachable!("only mentions with an ID are listed"),
        })
        .collect();
    // The definition's `@o` is a property reference, `[B]{@}` has no ID, `%% @c` is a comment.
    assert_eq!(ids, ["a", "o", "a", "o", "b"]);
    assert_eq!(p("No mentions here.\n").mentions().count(), 0);
}
