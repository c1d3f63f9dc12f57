use std::fmt;
use std::ops::{RangeFrom, RangeFull, RangeInclusive};
use std::str::FromStr;

/// One end of a range in a [`SequenceSet`]: a number or `*`, the largest
/// number in use.
///
/// ```abnf
/// seq-number = nz-number / "*"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SeqNum {
    /// A message sequence number or UID (never 0).
    Value(u32),
    /// `*`: the largest number in the mailbox.
    Largest,
}

impl SeqNum {
    /// The number, with `*` resolved to `largest`.
    pub fn resolve(self, largest: u32) -> u32 {
        match self {
            SeqNum::Value(v) => v,
            SeqNum::Largest => largest,
        }
    }
}

impl fmt::Display for SeqNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeqNum::Value(v) => write!(f, "{v}"),
            SeqNum::Largest => f.write_str("*"),
        }
    }
}

/// An inclusive range `a:b` of a [`SequenceSet`]; `a` may be larger than `b`
/// (the order of ends does not matter in IMAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SeqRange {
    /// First end as given.
    pub start: SeqNum,
    /// Second end as given (equal to `start` for a single number).
    pub end: SeqNum,
}

impl SeqRange {
    /// Whether `n` is in the range, with `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let (a, b) = (self.start.resolve(largest), self.end.resolve(largest));
        a.min(b) <= n && n <= a.max(b)
    }

    fn bounds(&self) -> Option<(u32, u32)> {
        match (self.start, self.end) {
            (SeqNum::Value(a), SeqNum::Value(b)) => Some((a.min(b), a.max(b))),
            _ => None,
        }
    }
}

/// A set of message sequence numbers or UIDs.
///
/// ```abnf
/// sequence-set = (seq-number / seq-range) ["," sequence-set]
/// seq-range    = seq-number ":" seq-number
/// ```
///
/// Built from numbers, ranges and iterators, or parsed from text. It is
/// encoded normalised: numeric ranges sorted ascending and merged (some
/// servers reject descending sets), ranges with `*` last.
///
/// ```
/// use imap_core::types::SequenceSet;
/// let set: SequenceSet = [9, 3, 4, 5, 1].into_iter().collect();
/// assert_eq!(set.to_string(), "1,3:5,9");
/// assert_eq!(SequenceSet::from(12..).to_string(), "12:*");
/// let parsed: SequenceSet = "2,4:7,9,12:*".parse().unwrap();
/// assert!(parsed.contains(5, 20) && !parsed.contains(8, 20) && parsed.contains(20, 20));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SequenceSet {
    ranges: Vec<SeqRange>,
}

/// Text that is not a valid sequence set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid sequence set {0:?}")]
pub struct SequenceSetError(pub String);

impl SequenceSet {
    /// An empty set (not valid on the wire: commands refuse it).
    pub fn new() -> Self {
        Self::default()
    }

    /// `1:*`: every message.
    pub fn all() -> Self {
        Self::range(SeqNum::Value(1), SeqNum::Largest)
    }

    /// `*`: the last message.
    pub fn last() -> Self {
        Self::range(SeqNum::Largest, SeqNum::Largest)
    }

    /// One range.
    pub fn range(start: SeqNum, end: SeqNum) -> Self {
        Self { ranges: vec![SeqRange { start, end }] }
    }

    /// Adds a number (0 is ignored: it is not a valid message number).
    pub fn push(&mut self, n: u32) {
        if n != 0 {
            self.ranges.push(SeqRange { start: SeqNum::Value(n), end: SeqNum::Value(n) });
        }
    }

    /// Adds a range.
    pub fn push_range(&mut self, start: SeqNum, end: SeqNum) {
        if start == SeqNum::Value(0) || end == SeqNum::Value(0) {
            return;
        }
        self.ranges.push(SeqRange { start, end });
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges as given (not normalised).
    pub fn ranges(&self) -> &[SeqRange] {
        &self.ranges
    }

    /// Whether `n` is in the set, with `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.ranges.iter().any(|r| r.contains(n, largest))
    }

    /// Whether any range uses `*`.
    pub fn has_largest(&self) -> bool {
        self.ranges.iter().any(|r| r.start == SeqNum::Largest || r.end == SeqNum::Largest)
    }

    /// The normalised form: numeric ranges ascending and merged where they
    /// overlap or touch, then ranges with `*` (deduplicated) in given order.
    pub fn normalized(&self) -> SequenceSet {
        let mut numeric: Vec<(u32, u32)> = self.ranges.iter().filter_map(SeqRange::bounds).collect();
        numeric.sort_unstable();
        let mut ranges: Vec<SeqRange> = Vec::with_capacity(numeric.len());
        let mut current: Option<(u32, u32)> = None;
        for (a, b) in numeric {
            current = match current {
                Some((ca, cb)) if a <= cb.saturating_add(1) => Some((ca, cb.max(b))),
                Some((ca, cb)) => {
                    ranges.push(SeqRange { start: SeqNum::Value(ca), end: SeqNum::Value(cb) });
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some((ca, cb)) = current {
            ranges.push(SeqRange { start: SeqNum::Value(ca), end: SeqNum::Value(cb) });
        }
        for r in self.ranges.iter().filter(|r| r.bounds().is_none()) {
            // Put the number first: "5:*", never "*:5".
            let r = match (r.start, r.end) {
                (SeqNum::Largest, v @ SeqNum::Value(_)) => SeqRange { start: v, end: SeqNum::Largest },
                _ => *r,
            };
            if !ranges.contains(&r) {
                ranges.push(r);
            }
        }
        SequenceSet { ranges }
    }

    /// Iterates the numbers of the set in normalised (ascending) order, with
    /// `*` resolved to `largest`. Lazy: a huge range costs nothing until
    /// iterated. Numbers may repeat when a `*` range overlaps a numeric one.
    pub fn iter(&self, largest: u32) -> impl Iterator<Item = u32> + '_ {
        let normalized = self.normalized();
        normalized
            .ranges
            .into_iter()
            .flat_map(move |r| {
                let (a, b) = (r.start.resolve(largest), r.end.resolve(largest));
                a.min(b)..=a.max(b)
            })
            .filter(|&n| n != 0)
    }

    /// The number of messages the set designates when nothing uses `*`
    /// (after normalisation). `None` if it uses `*`.
    pub fn count(&self) -> Option<u64> {
        if self.has_largest() {
            return None;
        }
        Some(
            self.normalized()
                .ranges
                .iter()
                .filter_map(SeqRange::bounds)
                .map(|(a, b)| u64::from(b - a) + 1)
                .sum(),
        )
    }

    /// Parses the wire syntax, e.g. `1,3:5,9:*`.
    pub fn parse(text: &[u8]) -> Result<Self, SequenceSetError> {
        let err = || SequenceSetError(String::from_utf8_lossy(text).into_owned());
        if text.is_empty() {
            return Err(err());
        }
        let mut ranges = Vec::new();
        for part in text.split(|&c| c == b',') {
            let mut ends = part.splitn(2, |&c| c == b':');
            let start = parse_seq_num(ends.next().unwrap_or_default()).ok_or_else(err)?;
            let end = match ends.next() {
                Some(e) => parse_seq_num(e).ok_or_else(err)?,
                None => start,
            };
            ranges.push(SeqRange { start, end });
        }
        Ok(Self { ranges })
    }
}

pub(crate) fn parse_seq_num(text: &[u8]) -> Option<SeqNum> {
    if text == b"*" {
        return Some(SeqNum::Largest);
    }
    if text.is_empty() || text.len() > 10 || text[0] == b'0' || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = text.iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    u32::try_from(n).ok().map(SeqNum::Value)
}

impl fmt::Display for SequenceSet {
    /// Writes the normalised wire form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.normalized().ranges.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if r.start == r.end {
                write!(f, "{}", r.start)?;
            } else {
                write!(f, "{}:{}", r.start, r.end)?;
            }
        }
        Ok(())
    }
}

impl FromStr for SequenceSet {
    type Err = SequenceSetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}

impl From<u32> for SequenceSet {
    fn from(n: u32) -> Self {
        let mut set = SequenceSet::new();
        set.push(n);
        set
    }
}

impl From<RangeInclusive<u32>> for SequenceSet {
    fn from(r: RangeInclusive<u32>) -> Self {
        let mut set = SequenceSet::new();
        set.push_range(SeqNum::Value(*r.start()), SeqNum::Value(*r.end()));
        set
    }
}

impl From<RangeFrom<u32>> for SequenceSet {
    fn from(r: RangeFrom<u32>) -> Self {
        let mut set = SequenceSet::new();
        set.push_range(SeqNum::Value(r.start), SeqNum::Largest);
        set
    }
}

impl From<RangeFull> for SequenceSet {
    fn from(_: RangeFull) -> Self {
        SequenceSet::all()
    }
}

impl From<&[u32]> for SequenceSet {
    fn from(ns: &[u32]) -> Self {
        ns.iter().copied().collect()
    }
}

impl From<Vec<u32>> for SequenceSet {
    fn from(ns: Vec<u32>) -> Self {
        ns.into_iter().collect()
    }
}

impl<const N: usize> From<[u32; N]> for SequenceSet {
    fn from(ns: [u32; N]) -> Self {
        ns.into_iter().collect()
    }
}

impl From<&SequenceSet> for SequenceSet {
    fn from(s: &SequenceSet) -> Self {
        s.clone()
    }
}

impl FromIterator<u32> for SequenceSet {
    fn from_iter<I: IntoIterator<Item = u32>>(iter: I) -> Self {
        let mut set = SequenceSet::new();
        for n in iter {
            set.push(n);
        }
        set.normalized()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalises_ascending_and_merged() {
        let set: SequenceSet = "9,1:3,4,2,7:6,*,12:*,*:12".parse().unwrap();
        assert_eq!(set.to_string(), "1:4,6:7,9,*,12:*");
        assert_eq!(SequenceSet::from(5).to_string(), "5");
        assert_eq!(SequenceSet::all().to_string(), "1:*");
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", "0", "1,", ":", "1:", "a", "01", "4294967296", "1::2", "1,,2"] {
            assert!(bad.parse::<SequenceSet>().is_err(), "{bad:?}");
        }
        assert!("4294967295".parse::<SequenceSet>().is_ok());
    }

    #[test]
    fn iterates_resolving_star() {
        let set: SequenceSet = "3:1,8:*".parse().unwrap();
        assert_eq!(set.iter(10).collect::<Vec<_>>(), vec![1, 2, 3, 8, 9, 10]);
        assert_eq!(set.count(), None);
        assert_eq!(SequenceSet::from(1..=4294967295).count(), Some(4294967295));
    }

    proptest! {
        #[test]
        fn round_trips_and_keeps_members(ns in proptest::collection::vec(1u32..200, 1..50)) {
            let set: SequenceSet = ns.iter().copied().collect();
            let text = set.to_string();
            let back: SequenceSet = text.parse().unwrap();
            prop_assert_eq!(back.to_string(), text);
            let mut sorted = ns.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(back.iter(0).collect::<Vec<_>>(), sorted);
        }

        #[test]
        fn parse_display_parse_is_stable(text in "[1-9][0-9]{0,3}(:([1-9][0-9]{0,3}|\\*))?(,([1-9][0-9]{0,3}|\\*)(:[1-9][0-9]{0,2})?){0,5}") {
            let set: SequenceSet = text.parse().unwrap();
            let once = set.to_string();
            let again: SequenceSet = once.parse().unwrap();
            prop_assert_eq!(again.to_string(), once.clone());
            for n in 1..2000u32 {
                prop_assert_eq!(set.contains(n, 1500), again.contains(n, 1500), "{} in {}", n, once);
            }
        }
    }
}
