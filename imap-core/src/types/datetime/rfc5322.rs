//! RFC 5322 dates (`Date:` headers, the ENVELOPE's date), with the obsolete
//! forms of its section 4.3 and what real mail adds to them.

use super::{parse_month, Date, DateTime};

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const FULL_DAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

const FULL_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Named zones of RFC 5322 section 4.3 (and `UTC`, which mail uses as
/// often as `UT`), with their offsets in minutes.
const ZONES: [(&str, i16); 11] = [
    ("UT", 0),
    ("UTC", 0),
    ("GMT", 0),
    ("EST", -5 * 60),
    ("EDT", -4 * 60),
    ("CST", -6 * 60),
    ("CDT", -5 * 60),
    ("MST", -7 * 60),
    ("MDT", -6 * 60),
    ("PST", -8 * 60),
    ("PDT", -7 * 60),
];

impl DateTime {
    /// Parses an RFC 5322 date-time, as `Date:` headers and ENVELOPE dates
    /// carry it, or `None` if it is not one:
    ///
    /// ```abnf
    /// date-time   = [ day-of-week "," ] date time [CFWS]
    /// date        = day month year
    /// time        = hour ":" minute [ ":" second ] FWS zone
    /// zone        = ( "+" / "-" ) 4DIGIT / obs-zone
    /// ```
    ///
    /// with what RFC 5322 section 4.3 calls obsolete and real mail still
    /// has: two-digit years (00-49 are 20xx, 50-99 19xx) and three-digit
    /// ones (plus 1900); the named zones `UT`, `GMT`, `EST`/`EDT`,
    /// `CST`/`CDT`, `MST`/`MDT`, `PST`/`PDT`; military zone letters, which
    /// RFC 5322 says to read as `-0000` since RFC 822 defined their signs
    /// backwards (so they give offset 0, as `UTC` does too). And beyond it:
    /// comments anywhere (`(CET)` after the zone), any amount of
    /// whitespace, a day name without its comma or in full, month names in
    /// any case or in full. A zone name RFC 5322 does not define (`JST`, in
    /// 1992 mail MailKit replays) or no zone at all carries no offset
    /// information: offset 0, where Python's `email.utils` (which IMAPClient
    /// uses) gives a naive time. A day name is not checked against the
    /// date.
    ///
    /// ```
    /// use imap_core::types::DateTime;
    /// let t = DateTime::parse_rfc5322(b"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)").unwrap();
    /// assert_eq!(t, DateTime::parse(b"17-Jul-1996 02:23:25 -0700").unwrap());
    /// let old = DateTime::parse_rfc5322(b"17 jul 96 02:23 PDT").unwrap();
    /// assert_eq!(old.to_rfc5322(), "Wed, 17 Jul 1996 02:23:00 -0700");
    /// assert_eq!(DateTime::parse_rfc5322(b"yesterday"), None);
    /// ```
    pub fn parse_rfc5322(text: &[u8]) -> Option<Self> {
        let text = without_comments(text)?;
        let mut tokens = text
            .split(|&c| c == b' ' || c == b'\t' || c == b'\r' || c == b'\n' || c == b',')
            .filter(|t| !t.is_empty());
        let mut token = tokens.next()?;
        if token[0].is_ascii_alphabetic() {
            if !is_day_name(token) {
                return None;
            }
            token = tokens.next()?;
        }
        let day = digits(token, 1, 2)?;
        let month = month(tokens.next()?)?;
        let year = year(tokens.next()?)?;
        let (hour, minute, second) = time(tokens.next()?)?;
        let offset = match tokens.next() {
            None => 0,
            Some(zone_token) => zone(zone_token)?,
        };
        if tokens.next().is_some() {
            return None;
        }
        let date = Date::new(year, month, u8::try_from(day).ok()?)?;
        Self::new(date, hour, minute, second, offset)
    }

    /// The date-time as RFC 5322 writes it, for `Date:` headers:
    /// `Wed, 17 Jul 1996 02:23:25 -0700` (the day name computed, the year
    /// in four digits). [`DateTime::parse_rfc5322`] reads it back.
    pub fn to_rfc5322(&self) -> String {
        let date = self.date();
        // 1970-01-01 was a Thursday.
        let weekday = (date.days_since_epoch() + 4).rem_euclid(7) as usize;
        let month = std::str::from_utf8(super::MONTHS[usize::from(date.month() - 1)]).unwrap_or("???");
        let (hour, minute, second) = self.time();
        let sign = if self.offset_minutes() < 0 { '-' } else { '+' };
        let off = self.offset_minutes().unsigned_abs();
        format!(
            "{}, {} {month} {:04} {hour:02}:{minute:02}:{second:02} {sign}{:02}{:02}",
            DAYS[weekday],
            date.day(),
            date.year(),
            off / 60,
            off % 60
        )
    }
}

/// The text with comments (nested, with quoted pairs) turned into spaces
/// and the white space around the colons of the time dropped (RFC 5322
/// A.6.3: `09(comment):   55  :  06`); `None` if a comment is not closed.
fn without_comments(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut depth = 0usize;
    let mut after_colon = false;
    let mut bytes = text.iter();
    while let Some(&c) = bytes.next() {
        match c {
            b'(' => depth += 1,
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 && !after_colon {
                    out.push(b' ');
                }
            }
            b'\\' if depth > 0 => {
                bytes.next();
            }
            _ if depth > 0 => {}
            b' ' | b'\t' | b'\r' | b'\n' if after_colon => {}
            b':' => {
                while out.last().is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
                    out.pop();
                }
                out.push(c);
                after_colon = true;
            }
            _ => {
                out.push(c);
                after_colon = false;
            }
        }
    }
    (depth == 0).then_some(out)
}

fn is_day_name(token: &[u8]) -> bool {
    DAYS.iter().any(|d| token.eq_ignore_ascii_case(d.as_bytes()))
        || FULL_DAYS.iter().any(|d| token.eq_ignore_ascii_case(d.as_bytes()))
}

fn month(token: &[u8]) -> Option<u8> {
    parse_month(token).or_else(|| {
        let i = FULL_MONTHS.iter().position(|m| token.eq_ignore_ascii_case(m.as_bytes()))?;
        u8::try_from(i + 1).ok()
    })
}

/// `min..=max` ASCII digits as a number.
fn digits(token: &[u8], min: usize, max: usize) -> Option<u32> {
    super::parse_digits(token, min, max)
}

/// A year of four digits, or an obsolete two- or three-digit one.
fn year(token: &[u8]) -> Option<u16> {
    let n = digits(token, 2, 4)?;
    let year = match token.len() {
        2 if n < 50 => n + 2000,
        2 | 3 => n + 1900,
        _ => n,
    };
    u16::try_from(year).ok()
}

/// `hour ":" minute [":" second]`, each one or two digits.
fn time(token: &[u8]) -> Option<(u8, u8, u8)> {
    let mut parts = token.split(|&c| c == b':');
    let mut part = || -> Option<u8> { u8::try_from(digits(parts.next()?, 1, 2)?).ok() };
    let hour = part()?;
    let minute = part()?;
    let second = match parts.next() {
        None => 0,
        Some(p) => u8::try_from(digits(p, 1, 2)?).ok()?,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((hour, minute, second))
}

/// `(+ / -) 4DIGIT`, a named zone or a military letter, in minutes east.
fn zone(token: &[u8]) -> Option<i16> {
    if let [sign @ (b'+' | b'-'), rest @ ..] = token {
        let hhmm = i16::try_from(digits(rest, 4, 4)?).ok()?;
        let (hours, minutes) = (hhmm / 100, hhmm % 100);
        if minutes > 59 {
            return None;
        }
        let offset = hours * 60 + minutes;
        return Some(if *sign == b'-' { -offset } else { offset });
    }
    if let Some(&(_, offset)) = ZONES.iter().find(|(name, _)| token.eq_ignore_ascii_case(name.as_bytes())) {
        return Some(offset);
    }
    // Military letters and names RFC 5322 does not know: no information.
    (token.len() <= 5 && token.iter().all(u8::is_ascii_alphabetic)).then_some(0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn t(text: &str) -> Option<String> {
        DateTime::parse_rfc5322(text.as_bytes()).map(|t| t.to_rfc5322())
    }

    #[test]
    fn rfc5322_examples() {
        // RFC 5322 appendix A.
        assert_eq!(t("Fri, 21 Nov 1997 09:55:06 -0600").as_deref(), Some("Fri, 21 Nov 1997 09:55:06 -0600"));
        assert_eq!(t("Tue, 1 Jul 2003 10:52:37 +0200").as_deref(), Some("Tue, 1 Jul 2003 10:52:37 +0200"));
        assert_eq!(t("Thu, 13 Feb 1969 23:32:54 -0330").as_deref(), Some("Thu, 13 Feb 1969 23:32:54 -0330"));
        // A.5, with folding white space and comments.
        assert_eq!(
            t("Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)")
                .as_deref(),
            Some("Thu, 13 Feb 1969 23:32:00 -0330")
        );
        // A.6.2: obsolete dates.
        assert_eq!(t("21 Nov 97 09:55:06 GMT").as_deref(), Some("Fri, 21 Nov 1997 09:55:06 +0000"));
        // A.6.3: comments and white space inside the time.
        assert_eq!(
            t("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600").as_deref(),
            Some("Fri, 21 Nov 1997 09:55:06 -0600")
        );
    }

    #[test]
    fn obsolete_and_real_world_forms() {
        let same = |a: &str, b: &str| assert_eq!(t(a), t(b), "{a} vs {b}");
        // Optional and full day names, missing comma.
        same("1 Feb 2024 10:00:00 +0000", "Thu, 01 Feb 2024 10:00:00 +0000");
        same("Thu 1 Feb 2024 10:00:00 +0000", "Thu, 01 Feb 2024 10:00:00 +0000");
        same("thursday, 1 Feb 2024 10:00:00 +0000", "Thu, 01 Feb 2024 10:00:00 +0000");
        // Years.
        assert_eq!(t("1 Feb 24 10:00:00 +0000").as_deref(), Some("Thu, 1 Feb 2024 10:00:00 +0000"));
        assert_eq!(t("1 Feb 49 10:00:00 +0000").as_deref(), Some("Mon, 1 Feb 2049 10:00:00 +0000"));
        assert_eq!(t("1 Feb 50 10:00:00 +0000").as_deref(), Some("Wed, 1 Feb 1950 10:00:00 +0000"));
        assert_eq!(t("1 Feb 124 10:00:00 +0000").as_deref(), Some("Thu, 1 Feb 2024 10:00:00 +0000"));
        // Named zones and military letters.
        for (zone, offset) in [
            ("UT", "+0000"),
            ("GMT", "+0000"),
            ("utc", "+0000"),
            ("EST", "-0500"),
            ("EDT", "-0400"),
            ("CST", "-0600"),
            ("CDT", "-0500"),
            ("MST", "-0700"),
            ("MDT", "-0600"),
            ("PST", "-0800"),
            ("PDT", "-0700"),
            ("Z", "+0000"),
            ("A", "+0000"),
            ("y", "+0000"),
            // Not RFC 5322's: no offset information.
            ("JST", "+0000"),
            ("CEST", "+0000"),
        ] {
            assert_eq!(
                t(&format!("Thu, 1 Feb 2024 10:00:00 {zone}")),
                Some(format!("Thu, 1 Feb 2024 10:00:00 {offset}")),
                "{zone}"
            );
        }
        // Missing seconds, trailing comments, extra whitespace, lowercase
        // and full month names, no zone.
        same("Thu, 1 Feb 2024 10:00 +0100", "Thu, 1 Feb 2024 10:00:00 +0100");
        same("Thu, 1 Feb 2024 10:00:00 +0100 (CET)", "Thu, 1 Feb 2024 10:00:00 +0100");
        same("Thu, 1 Feb 2024 10:00:00 +0100 (CET (nested \\) still))", "Thu, 1 Feb 2024 10:00:00 +0100");
        same("  Thu,   1\tfeb  2024   10:00:00   +0100  ", "Thu, 1 Feb 2024 10:00:00 +0100");
        same("Thu, 1 FEBRUARY 2024 10:00:00 +0100", "Thu, 1 Feb 2024 10:00:00 +0100");
        same("Thu, 1 Feb 2024 9:5:7 +0100", "Thu, 1 Feb 2024 09:05:07 +0100");
        same("Thu, 1 Feb 2024 10:00:00", "Thu, 1 Feb 2024 10:00:00 +0000");
        // MailKit's capture gmail/search-summary (1992 mail).
        assert_eq!(t("Tue, 9 Jun 92 03:45:24 JST").as_deref(), Some("Tue, 9 Jun 1992 03:45:24 +0000"));
        // Leap second.
        assert_eq!(t("31 Dec 2016 23:59:60 +0000").as_deref(), Some("Sat, 31 Dec 2016 23:59:60 +0000"));
    }

    #[test]
    fn garbage_is_none() {
        for bad in [
            "",
            "   ",
            "(comment only)",
            "yesterday",
            "Thu, 1 Feb",
            "Thu, 32 Jan 2024 10:00:00 +0000",
            "Thu, 29 Feb 2023 10:00:00 +0000",
            "Thu, 1 Foo 2024 10:00:00 +0000",
            "Thu, 1 Feb 2024 24:00:00 +0000",
            "Thu, 1 Feb 2024 10:60:00 +0000",
            "Thu, 1 Feb 2024 10:00:61 +0000",
            "Thu, 1 Feb 2024 10:00:00 +0060",
            "Thu, 1 Feb 2024 10:00:00 +01",
            "Thu, 1 Feb 2024 10:00:00 ABCDEF",
            "Thu, 1 Feb 2024 10:00:00 +01:00",
            "Thu, 1 Feb 2024 10:00:00 +0100 extra",
            "Thu, 1 Feb 2024 10:00:00 +0100 (unclosed",
            "Thu, 1 Feb 2024 10:00:00:00 +0100",
            "Thu, 1 Feb 2024 10 +0100",
            "Thu, 1 Feb 0 10:00:00 +0100",
            "Thu, 1 Feb 10000 10:00:00 +0100",
            "Thu, 100 Feb 2024 10:00:00 +0100",
            "Funday, 1 Feb 2024 10:00:00 +0100",
            "1 Feb 2024 10:00:00 +9999999999",
        ] {
            assert_eq!(t(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = DateTime::parse_rfc5322(&bytes);
        }

        #[test]
        fn date_like_text_never_panics(
            tokens in proptest::collection::vec(prop_oneof![
                "[A-Za-z]{1,9},?",
                "[0-9]{1,5}",
                "[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?",
                "[+-][0-9]{0,5}",
                "\\([ -~]{0,8}\\)?",
                "[ \t\r\n]{1,3}",
            ], 0..10),
        ) {
            let _ = DateTime::parse_rfc5322(tokens.join(" ").as_bytes());
        }

        #[test]
        fn formats_and_parses_back(secs in -62_000_000_000i64..253_000_000_000, off in -5999i16..=5999) {
            if let Some(t) = DateTime::from_unix_timestamp(secs, off) {
                let text = t.to_rfc5322();
                prop_assert_eq!(DateTime::parse_rfc5322(text.as_bytes()), Some(t), "{}", text);
            }
        }

        #[test]
        fn any_field_values_round_trip(
            year in 1u16..=9999, month in 1u8..=12, day in 1u8..=31,
            hour in 0u8..24, minute in 0u8..60, second in 0u8..=60, off in -5999i16..=5999,
        ) {
            let date = Date::new(year, month, day);
            if let Some(t) = date.and_then(|d| DateTime::new(d, hour, minute, second, off)) {
                let text = t.to_rfc5322();
                prop_assert_eq!(DateTime::parse_rfc5322(text.as_bytes()), Some(t), "{}", text);
            }
        }
    }
}
