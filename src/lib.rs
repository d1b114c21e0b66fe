//! newsmark: an annotated markup for news articles, its checker and its language server.
//!
//! Layers, data flowing one way: [`syntax`] (text to blocks and tokens) → [`analysis`]
//! (entities, mentions, quotations, attribution, diagnostics, IDE features as plain data) →
//! [`cli`] and [`lsp`] (batch output and protocol glue).

pub mod analysis;
pub mod cli;
pub mod config;
pub mod lsp;
pub mod syntax;
