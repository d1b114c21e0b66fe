//! Entities as defined by `@ID: kind "Name"` blocks.

use crate::syntax::{Definition, Span};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Org,
    Place,
    Agreement,
    Event,
    Work,
    Other,
}

impl EntityKind {
    pub const ALL: [EntityKind; 7] = [
        EntityKind::Person,
        EntityKind::Org,
        EntityKind::Place,
        EntityKind::Agreement,
        EntityKind::Event,
        EntityKind::Work,
        EntityKind::Other,
    ];

    pub fn parse(s: &str) -> Option<EntityKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Org => "org",
            EntityKind::Place => "place",
            EntityKind::Agreement => "agreement",
            EntityKind::Event => "event",
            EntityKind::Work => "work",
            EntityKind::Other => "other",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            EntityKind::Person => "a person",
            EntityKind::Org => "an organisation",
            EntityKind::Place => "a place",
            EntityKind::Agreement => "an agreement, treaty or format",
            EntityKind::Event => "an event",
            EntityKind::Work => "a document, report, law or publication",
            EntityKind::Other => "anything else",
        }
    }

    /// Kinds that can say or write a quotation.
    pub fn can_speak(self) -> bool {
        matches!(
            self,
            EntityKind::Person | EntityKind::Org | EntityKind::Agreement | EntityKind::Work
        )
    }
}

/// A property of a definition, `key: value`.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyValue {
    pub key: String,
    pub value: String,
    #[serde(skip)]
    pub key_span: Span,
    #[serde(skip)]
    pub value_span: Span,
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub id: String,
    /// The ID in the definition line (without `@`).
    pub id_span: Span,
    /// The whole definition, header and properties.
    pub span: Span,
    /// `None` when the kind is missing or not one of the known kinds.
    pub kind: Option<EntityKind>,
    /// The kind as written, for messages about unknown kinds.
    pub kind_text: Option<(String, Span)>,
    pub name: Option<String>,
    pub aliases: Vec<String>,
    pub properties: Vec<PropertyValue>,
}

impl Entity {
    pub fn from_definition(def: &Definition) -> Entity {
        let mut aliases = Vec::new();
        let mut properties = Vec::new();
        for p in &def.properties {
            if p.key.text == "aka" {
                aliases.extend(
                    p.value
                        .text
                        .split(';')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(String::from),
                );
            }
            properties.push(PropertyValue {
                key: p.key.text.as_str().to_owned(),
                value: p.value.text.as_str().to_owned(),
                key_span: p.key.span,
                value_span: p.value.span,
            });
        }
        Entity {
            id: def.id.id.as_str().to_owned(),
            id_span: def.id.span,
            span: def.span,
            kind: def.kind.as_ref().and_then(|k| EntityKind::parse(&k.text)),
            kind_text: def
                .kind
                .as_ref()
                .map(|k| (k.text.as_str().to_owned(), k.span)),
            name: def.name.as_ref().map(|n| n.text.as_str().to_owned()),
            aliases,
            properties,
        }
    }

    /// The display name, or the ID when the definition has none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.as_str())
    }

    /// The name and every alias: the words by which prose names this entity.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.name
            .as_deref()
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
    }
}
