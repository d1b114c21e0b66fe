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
