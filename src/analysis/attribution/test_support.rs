//! Building tokens and sentences from a snippet of markup, for the modules' unit tests.

use super::lexicon::Lexicon;
use super::prose::{self, Prose};
use super::referents::Resolver;
use super::sentences::{self, Sentence};
use super::subject::{Clause, Subject};
use super::Lookup;
use crate::analysis::entity::Entity;
use crate::analysis::file::FileData;
use crate::syntax::ParseOptions;

/// Entities the snippets mention.
const CAST: &str = "@smith: person \"John Smith\"\n  aka: Mr Smith\n@jones: person \"Mary Jones\"\n  aka: Ms Jones\n@acme: org \"Acme\"\n@paris: place \"Paris\"\n\n";

pub(super) struct Snippet {
    pub file: &'static FileData,
    pub prose: Prose<'static>,
    pub sents: Vec<Sentence>,
    pub lex: Lexicon,
}

impl Snippet {
    pub(super) fn new(text: &str) -> Snippet {
        // Leaked so that the tokens can borrow from the snippet (a test's few bytes).
        let file: &'static FileData = Box::leak(Box::new(FileData::new(
            format!("{CAST}{text}"),
            &ParseOptions::default(),
        )));
        let lowered: &'static str = Box::leak(file.text.to_ascii_lowercase().into_boxed_str());
        let lex = Lexicon::default();
        let lookup = |id: &str| -> Option<&Entity> { file.entity(id).map(|(_, e)| e) };
        let owned: &'static prose::Owned = Box::leak(Box::default());
        let prose = prose::build(file, lowered, owned, &lookup);
        let sents = sentences::split(&prose, &lex, |q| {
            sentences::end_mark(file.parse().quotes[q].content.slice(&file.text))
        });
        Snippet {
            file,
            prose,
            sents,
            lex,
        }
    }

    pub(super) fn lookup<'s>(&'s self) -> impl Fn(&str) -> Option<&'s Entity> + 's {
        |id: &str| self.file.entity(id).map(|(_, e)| e)
    }

    /// A pronoun resolver over the snippet's tokens and sentences.
    pub(super) fn resolver<'s>(&'s self, lookup: &Lookup<'_>) -> Resolver<'s> {
        Resolver::new(
            &self.prose.toks,
            &self.prose.ids,
            &self.prose.mention_at,
            &self.prose.persons,
            &self.sents,
            lookup,
        )
    }

    pub(super) fn clause(&self, s: usize) -> Clause<'_> {
        let sent = self.sents[s];
        Clause {
            toks: &self.prose.toks,
            lo: sent.start,
            hi: sent.end,
            lex: &self.lex,
        }
    }

    /// The source text of a token.
    pub(super) fn text(&self, i: usize) -> &str {
        self.prose.toks[i].span().slice(&self.file.text)
    }

    /// A subject as the text of its token (a mention shows its surface in brackets), or the
    /// name of its variant.
    pub(super) fn show(&self, subject: Subject) -> String {
        match subject.pos() {
            Some(i) => {
                let t = self.text(i);
                match t.find("]{") {
                    Some(end) => t[..end + 1].to_string(),
                    None => t.to_string(),
                }
            }
            None => format!("{subject:?}"),
        }
    }
}
