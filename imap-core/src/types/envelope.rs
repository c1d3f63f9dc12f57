use super::{ByteStr, DateTime};

/// The ENVELOPE of a message: its RFC 5322 headers as the server parsed them.
///
/// ```abnf
/// envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
///            env-reply-to SP env-to SP env-cc SP env-bcc SP
///            env-in-reply-to SP env-message-id ")"
/// env-from = "(" 1*address ")" / nil     ; likewise the other address lists
/// ```
///
/// Header values are raw (RFC 2047 encoded words are not decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Envelope {
    /// `Date:`.
    pub date: Option<ByteStr>,
    /// `Subject:`.
    pub subject: Option<ByteStr>,
    /// `From:`.
    pub from: Vec<Address>,
    /// `Sender:` (the server fills it from From when absent).
    pub sender: Vec<Address>,
    /// `Reply-To:` (the server fills it from From when absent).
    pub reply_to: Vec<Address>,
    /// `To:`.
    pub to: Vec<Address>,
    /// `Cc:`.
    pub cc: Vec<Address>,
    /// `Bcc:`.
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`.
    pub in_reply_to: Option<ByteStr>,
    /// `Message-ID:`.
    pub message_id: Option<ByteStr>,
}

/// One address of an envelope address list.
///
/// ```abnf
/// address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
/// ```
///
/// RFC 5322 group syntax is flattened into the list: a group starts with
/// an address whose host is NIL and whose mailbox is the group name, and
/// ends with one whose mailbox and host are both NIL. [`group_addresses`]
/// rebuilds the structure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Address {
    /// Display name (phrase).
    pub name: Option<ByteStr>,
    /// Source route (obsolete).
    pub adl: Option<ByteStr>,
    /// Local part, or the group name at a group start.
    pub mailbox: Option<ByteStr>,
    /// Domain; NIL marks group syntax.
    pub host: Option<ByteStr>,
}

impl Envelope {
    /// The `Date:` header parsed ([`DateTime::parse_rfc5322`], with the
    /// obsolete forms real mail has), or `None` if there is none or it is
    /// not a date; [`date`](Self::date) keeps the raw bytes either way.
    ///
    /// ```
    /// use imap_core::types::Envelope;
    /// let env = Envelope { date: Some("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)".into()), ..Default::default() };
    /// assert_eq!(env.parsed_date().unwrap().unix_timestamp(), 837595405);
    /// let env = Envelope { date: Some("soon".into()), ..Default::default() };
    /// assert_eq!(env.parsed_date(), None);
    /// ```
    pub fn parsed_date(&self) -> Option<DateTime> {
        DateTime::parse_rfc5322(self.date.as_ref()?)
    }

    /// The subject with RFC 2047 encoded words decoded, for display.
    pub fn subject_text(&self) -> Option<String> {
        self.subject.as_ref().map(|s| super::decode_rfc2047(s))
    }
}

impl Address {
    /// The display name with RFC 2047 encoded words decoded.
    pub fn name_text(&self) -> Option<String> {
        self.name.as_ref().map(|n| super::decode_rfc2047(n))
    }

    /// `Name <mailbox@host>` (or just the address), decoded for display.
    pub fn display(&self) -> String {
        match (self.name_text(), self.email()) {
            (Some(n), Some(e)) if !n.is_empty() => format!("{n} <{e}>"),
            (_, Some(e)) => e,
            (Some(n), None) => n,
            (None, None) => String::new(),
        }
    }

    /// `mailbox@host`, for an ordinary address.
    pub fn email(&self) -> Option<String> {
        match (&self.mailbox, &self.host) {
            (Some(m), Some(h)) => Some(format!("{}@{}", m.to_str_lossy(), h.to_str_lossy())),
            _ => None,
        }
    }

    /// Whether this marks the start of a group (its name is `mailbox`).
    pub fn is_group_start(&self) -> bool {
        self.host.is_none() && self.mailbox.is_some()
    }

    /// Whether this marks the end of a group.
    pub fn is_group_end(&self) -> bool {
        self.host.is_none() && self.mailbox.is_none()
    }
}

/// An entry of an address list with group syntax rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum AddressEntry {
    /// An ordinary address.
    Single(Address),
    /// A named group (`undisclosed-recipients:;` is a group with no members).
    Group {
        /// The group's display name.
        name: ByteStr,
        /// Its member addresses.
        members: Vec<Address>,
    },
}

/// Rebuilds RFC 5322 groups from a flattened envelope address list.
///
/// ```
/// use imap_core::types::{group_addresses, Address, AddressEntry};
/// let s = |v: &str| Some(v.into());
/// let list = vec![
///     Address { mailbox: s("friends"), ..Default::default() },
///     Address { mailbox: s("ann"), host: s("example.org"), ..Default::default() },
///     Address::default(),
///     Address { mailbox: s("bob"), host: s("example.org"), ..Default::default() },
/// ];
/// let entries = group_addresses(&list);
/// assert!(matches!(&entries[0], AddressEntry::Group { members, .. } if members.len() == 1));
/// assert!(matches!(&entries[1], AddressEntry::Single(a) if a.email().unwrap() == "bob@example.org"));
/// ```
pub fn group_addresses(list: &[Address]) -> Vec<AddressEntry> {
    let mut out = Vec::new();
    let mut group: Option<(ByteStr, Vec<Address>)> = None;
    for addr in list {
        if addr.is_group_start() {
            if let Some((name, members)) = group.take() {
                out.push(AddressEntry::Group { name, members });
            }
            group = Some((addr.mailbox.clone().unwrap_or_default(), Vec::new()));
        } else if addr.is_group_end() {
            if let Some((name, members)) = group.take() {
                out.push(AddressEntry::Group { name, members });
            }
        } else if let Some((_, members)) = group.as_mut() {
            members.push(addr.clone());
        } else {
            out.push(AddressEntry::Single(addr.clone()));
        }
    }
    if let Some((name, members)) = group {
        out.push(AddressEntry::Group { name, members });
    }
    out
}
