//! What IMAPClient's callers write, turned into the core's typed values:
//! FETCH data items as text (`"BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>"`)
//! and SEARCH criteria as token lists (`["FROM", "alice", ["NOT", "SEEN"]]`).
//!
//! Pure Rust, no Python: the binding converts Python values into
//! [`Criterion`] tokens and strings first, so this is tested with plain
//! `cargo test`.

use imap_core::types::{Date, FetchAttr, SearchKey, Section, SectionText, SequenceSet};

/// A fetch item list as IMAPClient takes it: each string may hold several
/// items separated by spaces (outside brackets). Items are upper-cased, as
/// IMAPClient sends them, so the server echoes the same keys.
///
/// ```
/// use imap_python::args::fetch_attrs;
/// let attrs = fetch_attrs(&["flags envelope", "BODY.PEEK[HEADER.FIELDS (Subject)]<0.10>"]).unwrap();
/// assert_eq!(attrs.len(), 3);
/// ```
pub fn fetch_attrs<S: AsRef<str>>(items: &[S]) -> Result<Vec<FetchAttr>, String> {
    let mut out = Vec::new();
    for item in items {
        for word in split_top_level(item.as_ref()) {
            out.push(fetch_attr(&word.to_ascii_uppercase())?);
        }
    }
    if out.is_empty() {
        return Err("no FETCH data items given".to_owned());
    }
    Ok(out)
}

/// Splits at spaces that are not inside `[...]` or `(...)`.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut words, mut word, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in text.chars() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            _ => {}
        }
        if c.is_ascii_whitespace() && depth <= 0 {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// One upper-cased FETCH data item.
fn fetch_attr(text: &str) -> Result<FetchAttr, String> {
    let simple = match text {
        "ALL" => Some(FetchAttr::All),
        "FAST" => Some(FetchAttr::Fast),
        "FULL" => Some(FetchAttr::Full),
        "ENVELOPE" => Some(FetchAttr::Envelope),
        "FLAGS" => Some(FetchAttr::Flags),
        "INTERNALDATE" => Some(FetchAttr::InternalDate),
        "RFC822" => Some(FetchAttr::Rfc822),
        "RFC822.HEADER" => Some(FetchAttr::Rfc822Header),
        "RFC822.SIZE" => Some(FetchAttr::Rfc822Size),
        "RFC822.TEXT" => Some(FetchAttr::Rfc822Text),
        "UID" => Some(FetchAttr::Uid),
        "BODY" => Some(FetchAttr::Body),
        "BODYSTRUCTURE" => Some(FetchAttr::BodyStructure),
        "MODSEQ" => Some(FetchAttr::ModSeq),
        "EMAILID" => Some(FetchAttr::EmailId),
        "THREADID" => Some(FetchAttr::ThreadId),
        "SAVEDATE" => Some(FetchAttr::SaveDate),
        "PREVIEW" => Some(FetchAttr::Preview),
        "X-GM-MSGID" => Some(FetchAttr::GmMsgId),
        "X-GM-THRID" => Some(FetchAttr::GmThrId),
        "X-GM-LABELS" => Some(FetchAttr::GmLabels),
        _ => None,
    };
    if let Some(attr) = simple {
        return Ok(attr);
    }
    let bad = || format!("cannot read the FETCH data item {text:?}");
    let Some(open) = text.find('[') else {
        // An extension item: sent as an atom (the encoder checks it).
        return Ok(FetchAttr::Other(text.into()));
    };
    let close = text.rfind(']').filter(|&c| c > open).ok_or_else(bad)?;
    let (name, inside, tail) = (&text[..open], &text[open + 1..close], &text[close + 1..]);
    let partial = partial(tail).ok_or_else(bad)?;
    match name {
        "BODY" | "BODY.PEEK" => {
            let section = section(inside).ok_or_else(bad)?;
            Ok(FetchAttr::BodySection { section, partial, peek: name == "BODY.PEEK" })
        }
        "BINARY" | "BINARY.PEEK" => Ok(FetchAttr::Binary {
            part: part_numbers(inside).ok_or_else(bad)?,
            partial,
            peek: name == "BINARY.PEEK",
        }),
        "BINARY.SIZE" if partial.is_none() => {
            Ok(FetchAttr::BinarySize { part: part_numbers(inside).ok_or_else(bad)? })
        }
        _ => Err(bad()),
    }
}

/// `<offset.length>` or nothing.
fn partial(tail: &str) -> Option<Option<(u32, u32)>> {
    if tail.is_empty() {
        return Some(None);
    }
    let (offset, length) = tail.strip_prefix('<')?.strip_suffix('>')?.split_once('.')?;
    Some(Some((offset.parse().ok()?, length.parse().ok()?)))
}

/// `1.2` (possibly empty).
fn part_numbers(text: &str) -> Option<Vec<u32>> {
    if text.is_empty() {
        return Some(Vec::new());
    }
    text.split('.').map(|n| n.parse::<u32>().ok().filter(|&n| n > 0)).collect()
}

/// The section spec between the brackets.
fn section(text: &str) -> Option<Section> {
    let mut part = Vec::new();
    let mut rest = text;
    while let Some(first) = rest.chars().next().filter(char::is_ascii_digit) {
        let _ = first;
        let end = rest.find('.').unwrap_or(rest.len());
        part.push(rest[..end].parse::<u32>().ok().filter(|&n| n > 0)?);
        rest = rest.get(end + 1..).unwrap_or("");
    }
    let text = match rest {
        "" => None,
        "HEADER" => Some(SectionText::Header),
        "TEXT" => Some(SectionText::Text),
        "MIME" if !part.is_empty() => Some(SectionText::Mime),
        _ => {
            let (name, fields) = rest.split_once(' ')?;
            let fields = fields.trim().strip_prefix('(')?.strip_suffix(')')?;
            let fields = fields.split_ascii_whitespace().map(|f| f.trim_matches('"').into()).collect();
            match name {
                "HEADER.FIELDS" => Some(SectionText::HeaderFields(fields)),
                "HEADER.FIELDS.NOT" => Some(SectionText::HeaderFieldsNot(fields)),
                _ => return None,
            }
        }
    };
    Some(Section { part, text })
}

/// One item of an IMAPClient search criteria list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criterion {
    /// A string (`str` encoded with the charset, or `bytes`).
    Text(Vec<u8>),
    /// An `int`.
    Number(u64),
    /// A `date` or `datetime` (its date).
    Date(Date),
    /// A nested list: its keys, parenthesised.
    List(Vec<Criterion>),
}

/// Search criteria as IMAPClient takes them, as a list: each item a key
/// name, or the argument of the key before it; nested lists group keys.
/// Keys this reader does not know are sent as given (atoms only).
///
/// ```
/// use imap_python::args::{search_key, Criterion};
/// let t = |s: &str| Criterion::Text(s.as_bytes().to_vec());
/// let key = search_key(&[t("FROM"), t("alice smith"), Criterion::List(vec![t("NOT"), t("SEEN")])]).unwrap();
/// assert_eq!(key.to_string(), "FROM \"alice smith\" NOT SEEN"); // a group of one needs no parentheses
/// ```
pub fn search_key(items: &[Criterion]) -> Result<SearchKey, String> {
    let mut keys = Vec::new();
    let mut rest = items;
    while !rest.is_empty() {
        let (key, after) = one_key(rest)?;
        keys.push(key);
        rest = after;
    }
    match keys.len() {
        0 => Err("no search criteria specified".to_owned()),
        1 => Ok(keys.pop().unwrap_or(SearchKey::All)),
        _ => Ok(SearchKey::And(keys)),
    }
}

fn one_key(items: &[Criterion]) -> Result<(SearchKey, &[Criterion]), String> {
    let (first, rest) = items.split_first().ok_or("a search key is missing its arguments")?;
    let word = match first {
        Criterion::List(inner) => {
            let key = search_key(inner)?;
            // A nested list is always a group, even of one key.
            let key = match key {
                SearchKey::And(keys) => SearchKey::And(keys),
                one => SearchKey::And(vec![one]),
            };
            return Ok((key, rest));
        }
        Criterion::Number(n) => return Ok((SearchKey::SequenceSet(SequenceSet::from(*n as u32)), rest)),
        Criterion::Date(_) => {
            return Err("a date must follow a date search key (SINCE, BEFORE...)".to_owned())
        }
        Criterion::Text(t) => String::from_utf8_lossy(t).to_ascii_uppercase(),
    };
    let unit = match word.as_str() {
        "ALL" => Some(SearchKey::All),
        "ANSWERED" => Some(SearchKey::Answered),
        "DELETED" => Some(SearchKey::Deleted),
        "DRAFT" => Some(SearchKey::Draft),
        "FLAGGED" => Some(SearchKey::Flagged),
        "NEW" => Some(SearchKey::New),
        "OLD" => Some(SearchKey::Old),
        "RECENT" => Some(SearchKey::Recent),
        "SEEN" => Some(SearchKey::Seen),
        "UNANSWERED" => Some(SearchKey::Unanswered),
        "UNDELETED" => Some(SearchKey::Undeleted),
        "UNDRAFT" => Some(SearchKey::Undraft),
        "UNFLAGGED" => Some(SearchKey::Unflagged),
        "UNSEEN" => Some(SearchKey::Unseen),
        _ => None,
    };
    if let Some(key) = unit {
        return Ok((key, rest));
    }
    let string = |rest: &[Criterion]| -> Result<(Vec<u8>, usize), String> {
        match rest.first() {
            Some(Criterion::Text(t)) => Ok((t.clone(), 1)),
            Some(Criterion::Number(n)) => Ok((n.to_string().into_bytes(), 1)),
            _ => Err(format!("{word} needs a string argument")),
        }
    };
    let number = |rest: &[Criterion]| -> Result<u64, String> {
        match rest.first() {
            Some(Criterion::Number(n)) => Ok(*n),
            Some(Criterion::Text(t)) => std::str::from_utf8(t)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(format!("{word} needs a number")),
            _ => Err(format!("{word} needs a number")),
        }
    };
    let date = |rest: &[Criterion]| -> Result<Date, String> {
        match rest.first() {
            Some(Criterion::Date(d)) => Ok(*d),
            Some(Criterion::Text(t)) => Date::parse(t).ok_or(format!("{word} needs a date (d-Mon-yyyy)")),
            _ => Err(format!("{word} needs a date")),
        }
    };
    let text_key: Option<fn(imap_core::types::ByteStr) -> SearchKey> = match word.as_str() {
        "BCC" => Some(SearchKey::Bcc),
        "BODY" => Some(SearchKey::Body),
        "CC" => Some(SearchKey::Cc),
        "FROM" => Some(SearchKey::From),
        "SUBJECT" => Some(SearchKey::Subject),
        "TEXT" => Some(SearchKey::Text),
        "TO" => Some(SearchKey::To),
        "KEYWORD" => Some(SearchKey::Keyword),
        "UNKEYWORD" => Some(SearchKey::Unkeyword),
        "X-GM-RAW" => Some(SearchKey::GmRaw),
        "X-GM-LABELS" => Some(SearchKey::GmLabels),
        "EMAILID" => Some(SearchKey::EmailId),
        "THREADID" => Some(SearchKey::ThreadId),
        _ => None,
    };
    if let Some(make) = text_key {
        let (value, used) = string(rest)?;
        return Ok((make(value.into()), &rest[used..]));
    }
    let date_key: Option<fn(Date) -> SearchKey> = match word.as_str() {
        "BEFORE" => Some(SearchKey::Before),
        "ON" => Some(SearchKey::On),
        "SINCE" => Some(SearchKey::Since),
        "SENTBEFORE" => Some(SearchKey::SentBefore),
        "SENTON" => Some(SearchKey::SentOn),
        "SENTSINCE" => Some(SearchKey::SentSince),
        "SAVEDBEFORE" => Some(SearchKey::SavedBefore),
        "SAVEDON" => Some(SearchKey::SavedOn),
        "SAVEDSINCE" => Some(SearchKey::SavedSince),
        _ => None,
    };
    if let Some(make) = date_key {
        return Ok((make(date(rest)?), &rest[1..]));
    }
    let key = match word.as_str() {
        "LARGER" => SearchKey::Larger(number(rest)?),
        "SMALLER" => SearchKey::Smaller(number(rest)?),
        "MODSEQ" => SearchKey::ModSeq(number(rest)?),
        "X-GM-MSGID" => SearchKey::GmMsgId(number(rest)?),
        "X-GM-THRID" => SearchKey::GmThrId(number(rest)?),
        "OLDER" => SearchKey::Older(number(rest)? as u32),
        "YOUNGER" => SearchKey::Younger(number(rest)? as u32),
        "UID" => {
            let (set, _) = string(rest)?;
            SearchKey::Uid(SequenceSet::parse(&set).map_err(|e| format!("UID {e}"))?)
        }
        "HEADER" => {
            let (name, _) = string(rest)?;
            let (value, _) = string(&rest[1..])?;
            return Ok((SearchKey::Header(name.into(), value.into()), &rest[2..]));
        }
        "NOT" => {
            let (key, after) = one_key(rest)?;
            return Ok((SearchKey::Not(Box::new(key)), after));
        }
        "OR" => {
            let (a, after) = one_key(rest)?;
            let (b, after) = one_key(after)?;
            return Ok((SearchKey::Or(Box::new(a), Box::new(b)), after));
        }
        _ => {
            if let Ok(set) = SequenceSet::parse(word.as_bytes()) {
                return Ok((SearchKey::SequenceSet(set), rest));
            }
            // Unknown to this reader: sent as given, as IMAPClient does.
            return Ok((SearchKey::Raw(word.into()), rest));
        }
    };
    Ok((key, &rest[1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Criterion {
        Criterion::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn fetch_items_read_back_as_written() {
        let attrs = fetch_attrs(&[
            "FLAGS",
            "body.peek[]<0.100>",
            "BODY[1.2.MIME]",
            "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]",
            "binary.peek[1]",
            "X-CUSTOM",
        ])
        .unwrap();
        assert_eq!(attrs[0], FetchAttr::Flags);
        assert_eq!(
            attrs[1],
            FetchAttr::BodySection { section: Section::full(), partial: Some((0, 100)), peek: true }
        );
        assert_eq!(
            attrs[2],
            FetchAttr::BodySection { section: Section::part([1, 2]).mime(), partial: None, peek: false }
        );
        assert_eq!(
            attrs[3],
            FetchAttr::BodySection {
                section: Section::header_fields(["SUBJECT", "FROM"]),
                partial: None,
                peek: true
            }
        );
        assert_eq!(attrs[4], FetchAttr::Binary { part: vec![1], partial: None, peek: true });
        assert_eq!(attrs[5], FetchAttr::Other("X-CUSTOM".into()));
        assert_eq!(fetch_attrs(&["FLAGS BODY[HEADER.FIELDS (A B)] UID"]).unwrap().len(), 3);
    }

    #[test]
    fn bad_fetch_items_are_refused() {
        for bad in ["BODY[", "BODY[]<1>", "BODY[0]", "BINARY.SIZE[1]<0.1>", "BODY[X]"] {
            assert!(fetch_attrs(&[bad]).is_err(), "{bad}");
        }
        assert!(fetch_attrs::<&str>(&[]).is_err());
    }

    #[test]
    fn criteria_forms() {
        let d = Date::new(2024, 1, 3).unwrap();
        let key = search_key(&[text("SINCE"), Criterion::Date(d), text("SMALLER"), Criterion::Number(500)])
            .unwrap();
        assert_eq!(key.to_string(), "SINCE 3-Jan-2024 SMALLER 500");
        let key =
            search_key(&[text("or"), text("seen"), Criterion::List(vec![text("FLAGGED"), text("DELETED")])]);
        assert_eq!(key.unwrap().to_string(), "OR SEEN (FLAGGED DELETED)");
        let key = search_key(&[text("HEADER"), text("X-Tag"), text("a b"), text("1:5")]).unwrap();
        assert_eq!(key.to_string(), "HEADER X-Tag \"a b\" 1:5");
        let key = search_key(&[text("UID"), text("3:*"), text("X-UNKNOWN")]).unwrap();
        assert_eq!(key.to_string(), "UID 3:* X-UNKNOWN");
        assert!(search_key(&[]).is_err());
        assert!(search_key(&[text("FROM")]).is_err());
        assert!(search_key(&[text("SINCE"), text("yesterday")]).is_err());
    }
}
