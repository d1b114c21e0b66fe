//! Checked property values: `wikidata`, `url`, dates, and front matter `lang`.

/// Keys whose values are ISO 8601 dates (or a year or year-month prefix).
pub const DATE_KEYS: &[&str] = &["date", "signed", "born", "died", "founded", "published"];

/// A problem with a checked property value, or `None` when it is fine (or not checked).
pub fn check_property(key: &str, value: &str) -> Option<String> {
    match key {
        "wikidata" => (!is_wikidata(value)).then(|| {
            format!("`{value}` is not a Wikidata ID (`Q` followed by digits, as in `Q7747`)")
        }),
        "url" => (!is_url(value)).then(|| format!("`{value}` is not an http(s) URL")),
        "lang" => (!is_language_tag(value))
            .then(|| format!("`{value}` is not a BCP 47 language tag (as in `en` or `pt-BR`)")),
        k if DATE_KEYS.contains(&k) => (!is_iso_date_prefix(value)).then(|| {
            format!("`{value}` is not an ISO 8601 date (`2016`, `2016-12` or `2016-12-15`)")
        }),
        _ => None,
    }
}

pub fn is_wikidata(v: &str) -> bool {
    v.len() > 1 && v.starts_with('Q') && v[1..].bytes().all(|b| b.is_ascii_digit())
}

pub fn is_url(v: &str) -> bool {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

pub fn is_language_tag(v: &str) -> bool {
    let mut parts = v.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a real month and day.
pub fn is_iso_date_prefix(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let num = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, d] => {
            if !(num(y, 4) && num(m, 2) && num(d, 2)) {
                return false;
            }
            let (y, m, d): (u32, u32, u32) = (
                y.parse().unwrap_or(0),
                m.parse().unwrap_or(0),
                d.parse().unwrap_or(0),
            );
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return false,
            };
            (1..=days).contains(&d)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for ok in ["2016", "2016-12", "2016-12-15", "2016-02-29", "1956-10-19"] {
            assert!(is_iso_date_prefix(ok), "{ok}");
        }
        for bad in [
            "16",
            "2016-13",
            "2015-02-29",
            "2016-12-32",
            "December 2016",
            "2016-1-1",
            "",
        ] {
            assert!(!is_iso_date_prefix(bad), "{bad}");
        }
    }

    #[test]
    fn others() {
        assert!(check_property("wikidata", "Q7747").is_none());
        assert!(check_property("wikidata", "7747").is_some());
        assert!(check_property("url", "https://tass.com/x").is_none());
        assert!(check_property("url", "tass.com").is_some());
        assert!(check_property("lang", "en").is_none());
        assert!(check_property("lang", "pt-BR").is_none());
        assert!(check_property("lang", "english!").is_some());
        assert!(check_property("role", "anything at all").is_none());
    }
}
