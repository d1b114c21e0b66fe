//! Entity IDs: `[A-Za-z0-9_]+` runs joined by single `-` or `.`.

/// `[A-Za-z0-9_]`, as a table: IDs are scanned for every mention.
static ID_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_';
        i += 1;
    }
    t
};

fn is_id_byte(b: u8) -> bool {
    ID_BYTE[b as usize]
}

/// Length in bytes of the longest ID at the start of `s` (0 when there is none).
/// A trailing `.` or `-` is never part of an ID, so `@lavrov.` mentions `lavrov`.
pub fn scan_id(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let mut end = 0;
    loop {
        let run_start = i;
        while i < b.len() && is_id_byte(b[i]) {
            i += 1;
        }
        if i == run_start {
            return end;
        }
        end = i;
        if i + 1 < b.len() && (b[i] == b'-' || b[i] == b'.') && is_id_byte(b[i + 1]) {
            i += 1;
        } else {
            return end;
        }
    }
}

/// Whether the whole of `s` is one valid ID.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty() && scan_id(s) == s.len()
}

/// Whether a bare `@` may start a mention after `prev` (the previous char, `None` at the start
/// of a line): `reporter@example.com` is not a mention.
pub fn may_precede_mention(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '(' | '[' | '{' | '"' | '“' | '«' | '\'' | '‘' | '—' | '–' | '„'
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stop_before_trailing_punctuation() {
        assert_eq!(scan_id("lavrov."), 6);
        assert_eq!(scan_id("mfa-ru said"), 6);
        assert_eq!(scan_id("u.n"), 3);
        assert_eq!(scan_id("a--b"), 1);
        assert_eq!(scan_id("declaration-1956-"), 16);
        assert_eq!(scan_id("-x"), 0);
        assert_eq!(scan_id(""), 0);
        assert_eq!(scan_id("é"), 0);
    }

    #[test]
    fn validity() {
        assert!(is_valid_id("mfa-ru"));
        assert!(!is_valid_id("mfa-"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a b"));
    }

    #[test]
    fn mention_context() {
        assert!(may_precede_mention(None));
        assert!(may_precede_mention(Some(' ')));
        assert!(may_precede_mention(Some('“')));
        assert!(!may_precede_mention(Some('r')));
    }
}
