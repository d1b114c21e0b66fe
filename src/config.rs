//! Configuration: `newsmark.toml` at the workspace root, overridable by editor settings.
//!
//! ```toml
//! [severity]
//! unattributed-quote = "error"   # error | warning | info | hint | off
//!
//! [attribution]
//! reporting-verbs = ["quipped"]  # added to the built-in list, for every language
//! min-quote-words = 4
//! quote-style = "double"         # or "single" (British: '…' primary, "…" nested)
//!
//! [attribution.languages.de]
//! reporting-verbs = ["sagte"]
//! ```

use crate::analysis::{Code, Severity};
use crate::syntax::QuoteStyle;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A severity setting: a level or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Hint,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Hint => Some(Severity::Hint),
            Level::Off => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LanguageConfig {
    #[serde(default)]
    pub reporting_verbs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct AttributionConfig {
    /// Extra reporting verbs for every language.
    pub reporting_verbs: Vec<String>,
    /// Extra reporting verbs by language tag (`en`, `de`, …).
    pub languages: BTreeMap<String, LanguageConfig>,
    /// A speakerless quotation shorter than this is a term or scare quote, not flagged.
    pub min_quote_words: usize,
    pub quote_style: QuoteStyle,
}

impl Default for AttributionConfig {
    fn default() -> Self {
        AttributionConfig {
            reporting_verbs: Vec::new(),
            languages: BTreeMap::new(),
            min_quote_words: 4,
            quote_style: QuoteStyle::Double,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Severity overrides by rule code.
    #[serde(deserialize_with = "severity_map")]
    pub severity: BTreeMap<Code, Level>,
    pub attribution: AttributionConfig,
}

fn severity_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<Code, Level>, D::Error> {
    let raw: BTreeMap<RuleKey, Level> = BTreeMap::deserialize(d)?;
    Ok(raw.into_iter().map(|(k, v)| (k.0, v)).collect())
}

/// A rule code as a map key: checked while the key is read, so that the error points at the key
/// (its line), not at the whole `[severity]` table.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct RuleKey(Code);

impl<'de> Deserialize<'de> for RuleKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let k = String::deserialize(d)?;
        Code::parse(&k).map(RuleKey).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown rule code `{k}`; known codes: {}",
                Code::ALL.map(Code::as_str).join(", ")
            ))
        })
    }
}

/// A configuration error with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The dotted key the error is about (`severity.unattributed-quote`), when known.
    pub key: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// The dotted key of the `key = value` line (or `[table]` header) at byte `at` of a TOML text:
/// the table header above it joined with the key before `=`.
fn key_at(text: &str, at: usize) -> Option<String> {
    let at = crate::analysis::floor_char_boundary(text, at);
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[line_start..line_end].trim();
    let header = |l: &str| -> Option<String> {
        let l = l.trim();
        let inner = l.strip_prefix('[')?.split(']').next()?;
        Some(inner.trim_matches('[').trim().to_string())
    };
    if line.starts_with('[') {
        return header(line);
    }
    let key = line.split('=').next()?.trim().trim_matches('"').trim();
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('['))
        .and_then(header);
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

impl Config {
    /// Parse `newsmark.toml` text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        toml::from_str::<Config>(text).map_err(|e| {
            let start = e.span().map(|s| s.start.min(text.len()));
            ConfigError {
                line: start.map(|s| text[..s].matches('\n').count() + 1),
                key: start.and_then(|s| key_at(text, s)),
                message: e.message().trim().replace('\n', "; "),
            }
        })
    }

    /// Overlay editor settings (the same shape as JSON) on this configuration.
    pub fn overlay_json(&self, settings: &serde_json::Value) -> Result<Config, ConfigError> {
        let mut base = serde_json::to_value(ConfigSer::from(self)).unwrap_or_default();
        merge(&mut base, settings);
        serde_json::from_value::<Config>(base).map_err(|e| ConfigError {
            line: None,
            key: None,
            message: e.to_string(),
        })
    }

    /// The effective severity of a rule (`None` when it is off).
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.severity.get(&code) {
            Some(level) => level.severity(),
            None => Some(code.default_severity()),
        }
    }
}

fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    continue;
                }
                merge(b.entry(k.clone()).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// Serialisable mirror of [`Config`], used to overlay settings.
#[derive(serde::Serialize)]
#[serde(rename_all = "kebab-case")]
struct ConfigSer {
    severity: BTreeMap<String, String>,
    attribution: serde_json::Value,
}

impl From<&Config> for ConfigSer {
    fn from(c: &Config) -> Self {
        let level = |l: &Level| format!("{l:?}").to_lowercase();
        let a = &c.attribution;
        ConfigSer {
            severity: c
                .severity
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), level(v)))
                .collect(),
            attribution: serde_json::json!({
                "reporting-verbs": a.reporting_verbs,
                "languages": a.languages.iter().map(|(k, v)| (k.clone(), serde_json::json!({"reporting-verbs": v.reporting_verbs}))).collect::<serde_json::Map<_, _>>(),
                "min-quote-words": a.min_quote_words,
                "quote-style": match a.quote_style { QuoteStyle::Double => "double", QuoteStyle::Single => "single" },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_config() {
        let c = Config::from_toml(
            "[severity]\nunattributed-quote = \"error\"\nunused-entity = \"off\"\n\n[attribution]\nreporting-verbs = [\"quipped\"]\nmin-quote-words = 3\nquote-style = \"single\"\n[attribution.languages.de]\nreporting-verbs = [\"sagte\"]\n",
        )
        .unwrap();
        assert_eq!(c.severity(Code::UnattributedQuote), Some(Severity::Error));
        assert_eq!(c.severity(Code::UnusedEntity), None);
        assert_eq!(c.severity(Code::Syntax), Some(Severity::Error));
        assert_eq!(c.attribution.min_quote_words, 3);
        assert_eq!(c.attribution.quote_style, QuoteStyle::Single);
        assert_eq!(c.attribution.languages["de"].reporting_verbs, vec!["sagte"]);
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = Config::from_toml("[severity]\nunattributed-quote = \"loud\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("loud"), "{e}");
        let e = Config::from_toml("[attribution]\nmin-words = 3\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("min-words"), "{e}");
        let e = Config::from_toml("[severity]\nno-such-rule = \"off\"\n").unwrap_err();
        assert!(e.message.contains("no-such-rule"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn errors_name_the_dotted_key() {
        let cases = [
            (
                "[severity]\nunattributed-quote = \"loud\"\n",
                2,
                "severity.unattributed-quote",
            ),
            (
                "# c\n[attribution]\n\nmin-quote-words = \"x\"\n",
                4,
                "attribution.min-quote-words",
            ),
            ("[attribution]\nmin-words = 3\n", 2, "attribution.min-words"),
            (
                "[attribution.languages.de]\nverbs = [\"x\"]\n",
                2,
                "attribution.languages.de.verbs",
            ),
            (
                "[severity]\n\"no-such-rule\" = \"off\"\n",
                2,
                "severity.no-such-rule",
            ),
            ("foo = 1\n", 1, "foo"),
        ];
        for (text, line, key) in cases {
            let e = Config::from_toml(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert_eq!(e.key.as_deref(), Some(key), "{text}: {e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("line {line}: `{key}`: ")),
                "{e}"
            );
        }
        // A syntax error has a line but may have no key.
        let e = Config::from_toml("[attribution\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn json_overlay_keeps_file_settings() {
        let base = Config::from_toml("[attribution]\nmin-quote-words = 6\n").unwrap();
        let c = base
            .overlay_json(&serde_json::json!({"severity": {"unattributed-quote": "off"}}))
            .unwrap();
        assert_eq!(c.attribution.min_quote_words, 6);
        assert_eq!(c.severity(Code::UnattributedQuote), None);
        assert!(base
            .overlay_json(&serde_json::json!({"attribution": {"quote-style": 3}}))
            .is_err());
    }
}
