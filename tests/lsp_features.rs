//! Every feature end to end over stdio, on text with curly quotes, em dashes, Cyrillic and emoji,
//! with VS Code's capabilities (UTF-16 positions, push diagnostics) and Neovim 0.11's (UTF-8
//! positions, pull diagnostics).

mod support;

use serde_json::{json, Value};
use support::{pos_in, range_of, Client, NEOVIM, VSCODE};

const URI: &str = "file:///tmp/newsmark-features/article.nmk";

const ARTICLE: &str = "---
title: Лавров в Токио 😀
date: 2024-05-01
---
# Переговоры — Tokyo 😀

@lavrov: person \"Сергей Лавров\"
  role: Minister of Foreign Affairs — Russia
  member-of: @mfa

@mfa: org \"МИД России\"

@kishida: person \"Fumio Kishida\"
  aka: Kishida

😀 Сегодня [Сергей Лавров]{@lavrov} прибыл — в Токио. “Мы готовы к диалогу с японскими партнёрами,” said @lavrov.

“Это важный шаг для обеих стран и для региона”{@mfa} — 😀 @mfa.

Погода в Токио была хорошей, и 😀 переговоры шли медленно.

«Мы не согласны с этим подходом к переговорам», — сказал @ghost.

😀 Kishida — не комментировал.
";

fn start(fixture: &str) -> Client {
    let mut c = Client::start(fixture, None, None);
    c.open(URI, ARTICLE);
    c
}

fn td() -> Value {
    json!({"uri": URI})
}

fn at(c: &Client, needle: &str, delta: usize) -> Value {
    json!({"textDocument": td(), "position": c.pos(ARTICLE, needle, delta)})
}

fn range(c: &Client, needle: &str) -> Value {
    range_of(ARTICLE, needle, 0, c.utf8)
}

/// Range of `len` characters starting `delta` characters into the first `needle`.
fn sub_range(c: &Client, needle: &str, delta: usize, len: usize) -> Value {
    json!({"start": pos_in(ARTICLE, needle, 0, delta, c.utf8), "end": pos_in(ARTICLE, needle, 0, delta + len, c.utf8)})
}

fn both(check: impl Fn(&mut Client)) {
    for fx in [VSCODE, NEOVIM] {
        let mut c = start(fx);
        check(&mut c);
    }
}

fn diagnostics(c: &mut Client) -> Vec<Value> {
    if c.pull {
        let r = c.call("textDocument/diagnostic", json!({"textDocument": td()}));
        assert_eq!(r["kind"], "full");
        r["items"].as_array().unwrap().clone()
    } else {
        c.diagnostics(URI, 1)
    }
}

#[test]
fn diagnostics_carry_code_severity_tags_and_fix_data() {
    both(|c| {
        let d = diagnostics(c);
        let find = |code: &str| {
            d.iter()
                .find(|x| x["code"] == code)
                .unwrap_or_else(|| panic!("{code} in {d:#?}"))
                .clone()
        };
        for x in &d {
            assert_eq!(x["source"], "newsmark");
        }
        let ghost = find("undefined-entity");
        assert_eq!(ghost["severity"], 1);
        assert_eq!(ghost["range"], range(c, "ghost"));
        assert_eq!(
            ghost["data"],
            json!({"fix": "define-entity", "id": "ghost"})
        );
        let unused = find("unused-entity");
        assert_eq!(unused["severity"], 4);
        assert_eq!(unused["tags"], json!([1]), "Unnecessary tag");
        assert_eq!(unused["range"], sub_range(c, "@kishida:", 1, 7));
        let unlinked = find("unlinked-mention");
        assert_eq!(unlinked["range"], sub_range(c, "Kishida —", 0, 7));
        assert_eq!(unlinked["data"]["id"], "kishida");
        // The guillemet quotation has no speaker.
        let unattributed = d
            .iter()
            .find(|x| {
                x["code"] == "unattributed-quote"
                    && x["message"].as_str().unwrap().contains("не согласны")
            })
            .expect("unattributed guillemet quotation");
        assert_eq!(unattributed["severity"], 2);
        assert_eq!(unattributed["range"]["start"], c.pos(ARTICLE, "«", 0));
        if c.pull {
            // A second pull with the previous result id: unchanged.
            let first = c.call("textDocument/diagnostic", json!({"textDocument": td()}));
            let again = c.call(
                "textDocument/diagnostic",
                json!({"textDocument": td(), "previousResultId": first["resultId"]}),
            );
            assert_eq!(again["kind"], "unchanged");
        } else {
            assert!(c
                .log
                .iter()
                .any(|m| m["method"] == "textDocument/publishDiagnostics"));
        }
    });
    // Neovim 0.11 cannot be told to pull again: it is not offered pull, diagnostics are pushed.
    assert!(start(NEOVIM).diagnostics(URI, 1).len() >= 4);
    // A client that pulls (and can be refreshed) pulls and gets nothing pushed.
    let mut c = Client::start_with(support::pull_client(), None, None);
    assert!(c.pull);
    c.open(URI, ARTICLE);
    let d = diagnostics(&mut c);
    assert!(d.iter().any(|x| x["code"] == "undefined-entity"));
    assert!(c
        .try_wait_for(
            "textDocument/publishDiagnostics",
            std::time::Duration::from_millis(300),
            |_| true
        )
        .is_none());
}

#[test]
fn hover_on_mentions_and_quotations() {
    both(|c| {
        let h = c.call("textDocument/hover", at(c, "said @lavrov", 6));
        assert_eq!(h["range"], sub_range(c, "said @lavrov", 5, 7));
        let md = h["contents"]["value"].as_str().unwrap();
        assert_eq!(h["contents"]["kind"], "markdown");
        assert!(
            md.contains("**Сергей Лавров** · person · `@lavrov`"),
            "{md}"
        );
        assert!(md.contains("Mentions: 2 in this file"), "{md}");
        // Inside the Cyrillic surface text of a span mention (after an emoji on the line).
        let h = c.call("textDocument/hover", at(c, "Сергей Лавров]", 3));
        assert_eq!(h["range"], range(c, "[Сергей Лавров]{@lavrov}"));
        // A quotation with an explicit speaker.
        let h = c.call("textDocument/hover", at(c, "важный шаг", 2));
        let md = h["contents"]["value"].as_str().unwrap();
        assert!(md.contains("МИД России") && md.contains("explicit"), "{md}");
        assert_eq!(
            h["range"],
            range(c, "“Это важный шаг для обеих стран и для региона”{@mfa}")
        );
        // Plain prose: nothing.
        let h = c.call("textDocument/hover", at(c, "прибыл", 2));
        assert!(h.is_null(), "{h}");
    });
}

#[test]
fn definition_references_and_highlights() {
    both(|c| {
        let def = c.call("textDocument/definition", at(c, "said @lavrov", 6));
        assert_eq!(def["uri"], URI);
        assert_eq!(def["range"], sub_range(c, "@lavrov:", 1, 6));
        // On the definition: every mention, to jump between them.
        let ms = c.call("textDocument/definition", at(c, "@lavrov:", 2));
        let ranges: Vec<&Value> = ms.as_array().unwrap().iter().map(|l| &l["range"]).collect();
        assert_eq!(
            ranges,
            [
                &range(c, "[Сергей Лавров]{@lavrov}"),
                &sub_range(c, "said @lavrov", 5, 7)
            ]
        );
        let mut p = at(c, "Лавров]{@lavrov}", 1);
        p["context"] = json!({"includeDeclaration": true});
        let refs = c.call("textDocument/references", p.clone());
        assert_eq!(refs.as_array().unwrap().len(), 3, "{refs}");
        assert_eq!(refs[0]["range"], sub_range(c, "@lavrov:", 0, 7));
        p["context"] = json!({"includeDeclaration": false});
        let refs = c.call("textDocument/references", p);
        assert_eq!(refs.as_array().unwrap().len(), 2, "{refs}");
        let hl = c.call("textDocument/documentHighlight", at(c, "@mfa.", 2));
        let kinds: Vec<i64> = hl
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["kind"].as_i64().unwrap())
            .collect();
        // member-of: @mfa, the definition, {@mfa}, @mfa.
        assert_eq!(
            kinds.iter().filter(|k| **k == 3).count(),
            1,
            "one write: {hl}"
        );
        assert_eq!(kinds.len(), 4, "{hl}");
    });
}

#[test]
fn rename_and_prepare_rename() {
    both(|c| {
        let p = c.call("textDocument/prepareRename", at(c, "said @lavrov", 3 + 5));
        assert_eq!(p["placeholder"], "lavrov");
        assert_eq!(p["range"], sub_range(c, "said @lavrov", 6, 6));
        let mut r = at(c, "said @lavrov", 6);
        r["newName"] = json!("sergey-lavrov");
        let edit = c.call("textDocument/rename", r.clone());
        let edits = edit["changes"][URI].as_array().unwrap().clone();
        assert_eq!(edits.len(), 3, "{edit}");
        let mut text = ARTICLE.to_string();
        for e in edits.iter().rev() {
            support::apply_edit(
                &mut text,
                &e["range"],
                e["newText"].as_str().unwrap(),
                c.utf8,
            );
        }
        assert!(
            text.contains("@sergey-lavrov: person")
                && text.contains("{@sergey-lavrov}")
                && text.contains("said @sergey-lavrov.")
        );
        assert!(!text.contains("@lavrov"));
        // A taken ID and an invalid one are refused with a message.
        r["newName"] = json!("mfa");
        let e = c.request("textDocument/rename", r.clone()).unwrap_err();
        assert!(
            e["message"].as_str().unwrap().contains("already defined"),
            "{e}"
        );
        r["newName"] = json!("not an id!");
        let e = c.request("textDocument/rename", r).unwrap_err();
        assert!(e["message"].as_str().unwrap().contains("not an id!"), "{e}");
        // Nothing to rename in prose.
        let p = c.call("textDocument/prepareRename", at(c, "прибыл", 1));
        assert!(p.is_null());
    });
}

#[test]
fn completion_after_at_and_brace() {
    both(|c| {
        let v2 = format!("{ARTICLE}\n😀 «Да» — @");
        c.change(URI, 2, json!([{"text": v2}]));
        let end = support::position_of(&v2, v2.len(), c.utf8);
        let r = c.call(
            "textDocument/completion",
            json!({"textDocument": td(), "position": end, "context": {"triggerKind": 2, "triggerCharacter": "@"}}),
        );
        let items = r["items"].as_array().unwrap();
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        for id in ["lavrov", "mfa", "kishida"] {
            assert!(labels.contains(&id), "{labels:?}");
        }
        let lav = items.iter().find(|i| i["label"] == "lavrov").unwrap();
        assert_eq!(lav["textEdit"]["range"]["end"], end);
        assert_eq!(lav["kind"], 6, "person → Variable");
        // After `{@` in an attribute block.
        let v3 = format!("{ARTICLE}\n“Мы готовы к этому разговору — 😀 сейчас”{{@");
        c.change(URI, 3, json!([{"text": v3}]));
        let end = support::position_of(&v3, v3.len(), c.utf8);
        let r = c.call(
            "textDocument/completion",
            json!({"textDocument": td(), "position": end}),
        );
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["label"] == "mfa"),
            "{r}"
        );
    });
}

#[test]
fn symbols_outline_and_workspace() {
    both(|c| {
        let s = c.call("textDocument/documentSymbol", json!({"textDocument": td()}));
        let top = s.as_array().unwrap();
        assert_eq!(top[0]["name"], "front matter");
        let section = top
            .iter()
            .find(|x| x["name"].as_str().unwrap().contains("Переговоры"))
            .unwrap();
        assert_eq!(section["selectionRange"], range(c, "Переговоры — Tokyo 😀"));
        let lav = section["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "@lavrov")
            .unwrap();
        assert_eq!(lav["selectionRange"], sub_range(c, "@lavrov:", 1, 6));
        let ws = c.call("workspace/symbol", json!({"query": "Лавров"}));
        assert_eq!(ws[0]["name"], "@lavrov");
        assert_eq!(ws[0]["location"]["range"], sub_range(c, "@lavrov:", 1, 6));
    });
}

#[test]
fn code_actions_fix_diagnostics() {
    both(|c| {
        let r = c.call(
            "textDocument/codeAction",
            json!({"textDocument": td(), "range": range(c, "Kishida —"), "context": {"diagnostics": []}}),
        );
        let link = r
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "quickfix")
            .unwrap();
        let e = &link["edit"]["changes"][URI][0];
        let mut text = ARTICLE.to_string();
        support::apply_edit(
            &mut text,
            &e["range"],
            e["newText"].as_str().unwrap(),
            c.utf8,
        );
        assert!(text.contains("😀 [Kishida]{@kishida} — не"), "{text}");
        assert_eq!(link["diagnostics"][0]["code"], "unlinked-mention");
        // Define an undefined entity.
        let r = c.call(
            "textDocument/codeAction",
            json!({"textDocument": td(), "range": range(c, "ghost"), "context": {"diagnostics": [], "only": ["quickfix"]}}),
        );
        let define = r
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().unwrap().contains("Define"))
            .unwrap();
        let e = &define["edit"]["changes"][URI][0];
        let mut text = ARTICLE.to_string();
        support::apply_edit(
            &mut text,
            &e["range"],
            e["newText"].as_str().unwrap(),
            c.utf8,
        );
        assert!(text.contains("\n@ghost: person"), "{text}");
        // Attribute the unattributed quotation to a nearby speaker.
        let r = c.call(
            "textDocument/codeAction",
            json!({"textDocument": td(), "range": range(c, "не согласны"), "context": {"diagnostics": []}}),
        );
        let titles: Vec<&str> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert!(titles.iter().any(|t| t.contains("@lavrov")), "{titles:?}");
        // A kind filter that matches nothing.
        let r = c.call(
            "textDocument/codeAction",
            json!({"textDocument": td(), "range": range(c, "ghost"), "context": {"diagnostics": [], "only": ["source"]}}),
        );
        assert_eq!(r, json!([]));
    });
}

/// Decode LSP semantic tokens into (line, start, length, type name).
fn decode(data: &Value, legend: &[String]) -> Vec<(u64, u64, u64, String)> {
    let d: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut start) = (0, 0);
    d.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                start = 0;
            }
            line += t[0];
            start += t[1];
            (line, start, t[2], legend[t[3] as usize].clone())
        })
        .collect()
}

#[test]
fn semantic_tokens_full_and_range() {
    for fx in [VSCODE, NEOVIM] {
        let mut c = Client::spawn();
        let f = support::fixture(fx);
        let res = c.call(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": f["capabilities"]}),
        );
        c.utf8 = res["capabilities"]["positionEncoding"] == "utf-8";
        let legend: Vec<String> = res["capabilities"]["semanticTokensProvider"]["legend"]
            ["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        c.notify("initialized", json!({}));
        c.open(URI, ARTICLE);
        let full = c.call(
            "textDocument/semanticTokens/full",
            json!({"textDocument": td()}),
        );
        let toks = decode(&full["data"], &legend);
        let p = c.pos(ARTICLE, "said @lavrov", 5);
        let bare = toks
            .iter()
            .find(|t| t.0 == p["line"].as_u64().unwrap() && t.1 == p["character"].as_u64().unwrap())
            .unwrap_or_else(|| panic!("token at {p}: {toks:?}"));
        assert_eq!((bare.2, bare.3.as_str()), (7, "person"));
        let p = c.pos(ARTICLE, "@mfa.", 0);
        let org = toks
            .iter()
            .find(|t| t.0 == p["line"].as_u64().unwrap() && t.1 == p["character"].as_u64().unwrap())
            .unwrap();
        assert_eq!((org.2, org.3.as_str()), (4, "organization"));
        // A range request returns the tokens of those lines only, the same as in the full set.
        let line = p["line"].as_u64().unwrap();
        let part = c.call(
            "textDocument/semanticTokens/range",
            json!({"textDocument": td(), "range": {"start": {"line": line, "character": 0}, "end": {"line": line + 1, "character": 0}}}),
        );
        let part = decode(&part["data"], &legend);
        let expected: Vec<_> = toks.iter().filter(|t| t.0 == line).cloned().collect();
        assert_eq!(part, expected);
    }
}

#[test]
fn inlay_hints_follow_inferred_attribution() {
    both(|c| {
        let all =
            json!({"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}});
        let hints = c.call(
            "textDocument/inlayHint",
            json!({"textDocument": td(), "range": all}),
        );
        let hints = hints.as_array().unwrap();
        // Only a quotation whose speaker is inferred gets a hint: ask the hover card.
        let h = c.call("textDocument/hover", at(c, "готовы", 1));
        let md = h["contents"]["value"].as_str().unwrap();
        let inferred =
            md.contains("Attribution: inferred") || md.contains("Attribution: continuation");
        let after_quote = c.pos(ARTICLE, "партнёрами,”", "партнёрами,”".chars().count());
        let here: Vec<&Value> = hints
            .iter()
            .filter(|x| x["position"] == after_quote)
            .collect();
        assert_eq!(here.len(), usize::from(inferred), "{md} / {hints:?}");
        // The explicitly attributed quotation never has one.
        let explicit_end = c.pos(ARTICLE, "региона”{@mfa}", "региона”".chars().count());
        assert!(hints.iter().all(|x| x["position"] != explicit_end));
    });
}

#[test]
fn folding_ranges_by_line() {
    both(|c| {
        let f = c.call("textDocument/foldingRange", json!({"textDocument": td()}));
        let f = f.as_array().unwrap();
        assert!(
            f.iter().any(|r| r["startLine"] == 0 && r["endLine"] == 3),
            "front matter: {f:?}"
        );
        assert!(
            f.iter().any(|r| r["startLine"] == 6 && r["endLine"] == 8),
            "@lavrov: {f:?}"
        );
        assert!(
            f.iter()
                .any(|r| r["startLine"] == 4 && r["kind"] == "region"),
            "section: {f:?}"
        );
    });
}
