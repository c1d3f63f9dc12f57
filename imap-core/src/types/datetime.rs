use std::fmt;

mod rfc5322;

const MONTHS: [&[u8; 3]; 12] =
    [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];

/// A calendar date, as SEARCH keys use it.
///
/// ```abnf
/// date      = date-text / DQUOTE date-text DQUOTE
/// date-text = date-day "-" date-month "-" date-year
/// ```
///
/// ```
/// use imap_core::types::Date;
/// let d = Date::new(1994, 2, 1).unwrap();
/// assert_eq!(d.to_string(), "1-Feb-1994");
/// assert_eq!(Date::parse(b"01-feb-1994"), Some(d));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A valid date (year 1..=9999), or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Self { year, month, day })
    }

    /// Year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Day of month, 1..=31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Parses `d-Mon-yyyy` (month name case-insensitive; one or two day digits).
    pub fn parse(text: &[u8]) -> Option<Self> {
        let mut parts = text.split(|&c| c == b'-');
        let day = parse_digits(parts.next()?, 1, 2)?;
        let month = parse_month(parts.next()?)?;
        let year = parse_digits(parts.next()?, 4, 4)?;
        if parts.next().is_some() {
            return None;
        }
        Self::new(year as u16, month, day as u8)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(i64::from(self.year), i64::from(self.month), i64::from(self.day))
    }

    fn from_days_since_epoch(days: i64) -> Option<Self> {
        let (y, m, d) = civil_from_days(days);
        u16::try_from(y).ok().and_then(|y| Self::new(y, m as u8, d as u8))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let month = std::str::from_utf8(MONTHS[usize::from(self.month - 1)]).unwrap_or("???");
        write!(f, "{}-{}-{:04}", self.day, month, self.year)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:04}-{:02}-{:02}", self.year, self.month, self.day))
    }
}

/// A date and time with its zone offset, as INTERNALDATE and APPEND use it.
///
/// ```abnf
/// date-time      = DQUOTE date-day-fixed "-" date-month "-" date-year
///                  SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time           = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone           = ("+" / "-") 4DIGIT
/// ```
///
/// The equivalents of imaplib's `Internaldate2tuple` and `Time2Internaldate`
/// are [`DateTime::parse`] + [`DateTime::unix_timestamp`] and
/// [`DateTime::from_unix_timestamp`] + `to_string`.
///
/// ```
/// use imap_core::types::DateTime;
/// let t = DateTime::parse(b"17-Jul-1996 02:44:25 -0700").unwrap();
/// assert_eq!(t.unix_timestamp(), 837596665);
/// assert_eq!(t.to_string(), "17-Jul-1996 02:44:25 -0700");
/// let back = DateTime::from_unix_timestamp(837596665, -7 * 60).unwrap();
/// assert_eq!(back, t);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    offset_minutes: i16,
}

impl DateTime {
    /// A valid date-time (offset within +-99:59), or `None`.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8, offset_minutes: i16) -> Option<Self> {
        // Leap seconds: RFC 5322 allows 60.
        if hour > 23 || minute > 59 || second > 60 || offset_minutes.unsigned_abs() > 99 * 60 + 59 {
            return None;
        }
        Some(Self { date, hour, minute, second, offset_minutes })
    }

    /// The date part (in the zone of the offset).
    pub fn date(&self) -> Date {
        self.date
    }

    /// Hour, minute, second (in the zone of the offset).
    pub fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// Offset from UTC, in minutes (east positive).
    pub fn offset_minutes(&self) -> i16 {
        self.offset_minutes
    }

    /// Seconds since the Unix epoch (UTC).
    pub fn unix_timestamp(&self) -> i64 {
        let local = self.date.days_since_epoch() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        local - i64::from(self.offset_minutes) * 60
    }

    /// The date-time for a Unix timestamp, shown in the zone `offset_minutes`.
    pub fn from_unix_timestamp(secs: i64, offset_minutes: i16) -> Option<Self> {
        if offset_minutes.unsigned_abs() > 99 * 60 + 59 {
            return None;
        }
        let local = secs.checked_add(i64::from(offset_minutes) * 60)?;
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400);
        let date = Date::from_days_since_epoch(days)?;
        Self::new(date, (rem / 3600) as u8, (rem % 3600 / 60) as u8, (rem % 60) as u8, offset_minutes)
    }

    /// Parses the content of a date-time (without the quotes). Accepts a
    /// one-digit day with or without the leading space, and any case of the
    /// month name.
    pub fn parse(text: &[u8]) -> Option<Self> {
        Self::parse_fixed(text).or_else(|| Self::parse_general(text))
    }

    /// The canonical layout, `dd-Mon-yyyy hh:mm:ss +zzzz` (day padded with a
    /// digit or a space), read by position: every server sends this.
    #[inline]
    fn parse_fixed(text: &[u8]) -> Option<Self> {
        let t: &[u8; 26] = text.try_into().ok()?;
        if t[2] != b'-' || t[6] != b'-' || t[11] != b' ' || t[14] != b':' || t[17] != b':' || t[20] != b' ' {
            return None;
        }
        let two = |a: u8, b: u8| -> Option<u8> {
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
        };
        let day = if t[0] == b' ' { two(b'0', t[1])? } else { two(t[0], t[1])? };
        let month = parse_month(&t[3..6])?;
        let year = u16::from(two(t[7], t[8])?) * 100 + u16::from(two(t[9], t[10])?);
        let sign: i16 = match t[21] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let (zh, zm) = (two(t[22], t[23])?, two(t[24], t[25])?);
        if zm > 59 {
            return None;
        }
        let date = Date::new(year, month, day)?;
        Self::new(
            date,
            two(t[12], t[13])?,
            two(t[15], t[16])?,
            two(t[18], t[19])?,
            sign * (i16::from(zh) * 60 + i16::from(zm)),
        )
    }

    fn parse_general(text: &[u8]) -> Option<Self> {
        let text = text.strip_prefix(b" ").unwrap_or(text);
        let mut parts = text.split(|&c| c == b' ');
        let date = Date::parse(parts.next()?)?;
        let time = parts.next()?;
        let zone = parts.next()?;
        if parts.next().is_some() || time.len() != 8 || time[2] != b':' || time[5] != b':' {
            return None;
        }
        let hour = parse_digits(&time[0..2], 2, 2)? as u8;
        let minute = parse_digits(&time[3..5], 2, 2)? as u8;
        let second = parse_digits(&time[6..8], 2, 2)? as u8;
        if zone.len() != 5 {
            return None;
        }
        let sign = match zone[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hh = parse_digits(&zone[1..3], 2, 2)? as i16;
        let mm = parse_digits(&zone[3..5], 2, 2)? as i16;
        if mm > 59 {
            return None;
        }
        Self::new(date, hour, minute, second, sign * (hh * 60 + mm))
    }
}

impl fmt::Display for DateTime {
    /// The wire form without quotes, day always two digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let month = std::str::from_utf8(MONTHS[usize::from(self.date.month - 1)]).unwrap_or("???");
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        write!(
            f,
            "{:02}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            self.date.day,
            month,
            self.date.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for DateTime {
    /// RFC 3339, e.g. `1996-07-17T02:44:25-07:00`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let off = self.offset_minutes.unsigned_abs();
        s.serialize_str(&format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
            self.date.year,
            self.date.month,
            self.date.day,
            self.hour,
            self.minute,
            self.second,
            sign,
            off / 60,
            off % 60
        ))
    }
}

fn parse_digits(text: &[u8], min: usize, max: usize) -> Option<u32> {
    if text.len() < min || text.len() > max || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |acc, &d| acc * 10 + u32::from(d - b'0')))
}

fn parse_month(text: &[u8]) -> Option<u8> {
    MONTHS.iter().position(|m| m.eq_ignore_ascii_case(text)).map(|i| i as u8 + 1)
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_variants() {
        let a = DateTime::parse(b" 1-Feb-2024 00:00:00 +0000").unwrap();
        let b = DateTime::parse(b"1-feb-2024 00:00:00 +0000").unwrap();
        let c = DateTime::parse(b"01-FEB-2024 00:00:00 +0000").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(a.unix_timestamp(), 1_706_745_600);
        assert_eq!(a.to_string(), "01-Feb-2024 00:00:00 +0000");
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            &b"31-Feb-2024 00:00:00 +0000"[..],
            b"29-Feb-2023 00:00:00 +0000",
            b"1-Foo-2024 00:00:00 +0000",
            b"1-Feb-2024 24:00:00 +0000",
            b"1-Feb-2024 00:00:00 0000",
            b"1-Feb-2024 00:00:00 +0060",
            b"1-Feb-2024 00:00 +0000",
            b"1-Feb-2024",
            b"",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
        assert!(Date::parse(b"29-Feb-2024").is_some());
        assert!(Date::parse(b"29-Feb-1900").is_none());
    }

    #[test]
    fn fixed_and_general_paths_agree() {
        for text in
            [&b"17-Jul-1996 02:44:25 -0700"[..], b" 7-Jul-1996 02:44:25 +0000", b"07-jul-1996 02:44:25 +0130"]
        {
            assert_eq!(DateTime::parse_fixed(text), DateTime::parse_general(text), "{text:?}");
            assert!(DateTime::parse_fixed(text).is_some());
        }
        assert!(DateTime::parse_fixed(b"7-Jul-1996 02:44:25 -0700").is_none());
        assert!(DateTime::parse(b"7-Jul-1996 02:44:25 -0700").is_some(), "general path");
        assert!(DateTime::parse(b"17-Jul-1996 02:44:25 -0760").is_none());
        assert!(DateTime::parse(b"17-Jul-1996 0a:44:25 -0700").is_none());
    }

    proptest! {
        #[test]
        fn fixed_path_agrees_with_general(bytes in proptest::collection::vec(proptest::sample::select(b" 0123456789-+:JulFebxy".to_vec()), 26)) {
            if let Some(fixed) = DateTime::parse_fixed(&bytes) {
                prop_assert_eq!(Some(fixed), DateTime::parse_general(&bytes));
            }
        }

        #[test]
        fn unix_round_trip(secs in -62_000_000_000i64..253_000_000_000, off in -5999i16..=5999) {
            if let Some(t) = DateTime::from_unix_timestamp(secs, off) {
                prop_assert_eq!(t.unix_timestamp(), secs);
                let text = t.to_string();
                prop_assert_eq!(DateTime::parse(text.as_bytes()), Some(t));
            }
        }
    }
}
