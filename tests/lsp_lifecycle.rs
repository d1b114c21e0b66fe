//! Starting and stopping `newsmark lsp` like VS Code and Neovim do.

mod support;

use serde_json::{json, Value};
use support::{Client, NEOVIM, VSCODE};

#[test]
fn vscode_gets_utf16_and_neovim_utf8() {
    let c = Client::start(VSCODE, None, None);
    assert!(!c.utf8, "VS Code 1.65 offers no position encodings: utf-16");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
    let c = Client::start(NEOVIM, None, None);
    assert!(c.utf8, "Neovim 0.11 offers utf-8");
    assert_eq!(c.shutdown_and_exit().code(), Some(0));
}

#[test]
fn advertised_capabilities() {
    let mut c = Client::spawn();
    let fx = support::fixture(VSCODE);
    let res = c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": fx["capabilities"]}),
    );
    let caps = &res["capabilities"];
    assert_eq!(res["serverInfo"]["name"], "newsmark");
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "renameProvider",
        "completionProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "codeActionProvider",
        "semanticTokensProvider",
        "inlayHintProvider",
        "foldingRangeProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} advertised: {caps}");
    }
    // Nothing the server does not implement.
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["@", "{"])
    );
    assert_eq!(caps["semanticTokensProvider"]["range"], true);
    assert_eq!(caps["semanticTokensProvider"]["full"], true);
    assert_eq!(
        caps["semanticTokensProvider"]["legend"]["tokenTypes"][0],
        "person"
    );
    // VS Code 1.65 does not pull diagnostics: they are pushed, pull is not offered.
    assert!(caps["diagnosticProvider"].is_null());
    for cap in [
        "signatureHelpProvider",
        "documentFormattingProvider",
        "codeLensProvider",
        "callHierarchyProvider",
    ] {
        assert!(caps[cap].is_null(), "{cap} must not be advertised");
    }
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut c = Client::start(VSCODE, None, None);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

#[test]
fn closed_stdin_ends_the_server() {
    let mut c = Client::start(NEOVIM, None, None);
    c.open("file:///tmp/x.nmk", "Hello.\n");
    c.close_stdin();
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(1), "no shutdown came first");
}

#[test]
fn requests_after_shutdown_are_refused() {
    let mut c = Client::start(VSCODE, None, None);
    c.call("shutdown", Value::Null);
    let err = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///tmp/x.nmk"}, "position": {"line": 0, "character": 0}}),
        )
        .unwrap_err();
    assert_eq!(err["code"], -32600, "{err}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));
}
