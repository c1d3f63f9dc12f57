use std::fmt;

use super::ByteStr;

/// A server capability.
///
/// ```abnf
/// capability = ("AUTH=" auth-type) / atom
/// ```
///
/// Known capabilities get their own variant (matched case-insensitively);
/// everything else is kept as [`Capability::Other`].
///
/// ```
/// use imap_core::types::Capability;
/// assert_eq!(Capability::from_wire(b"auth=plain"), Capability::Auth("PLAIN".into()));
/// assert_eq!(Capability::from_wire(b"LITERAL+"), Capability::LiteralPlus);
/// assert_eq!(Capability::from_wire(b"X-FOO").to_string(), "X-FOO");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `IMAP4rev1` (RFC 3501).
    Imap4Rev1,
    /// `IMAP4rev2` (RFC 9051).
    Imap4Rev2,
    /// `STARTTLS`.
    StartTls,
    /// `LOGINDISABLED`: LOGIN is refused (usually before TLS).
    LoginDisabled,
    /// `AUTH=<mechanism>`; the mechanism name upper-cased.
    Auth(ByteStr),
    /// `SASL-IR` (RFC 4959).
    SaslIr,
    /// `IDLE` (RFC 2177).
    Idle,
    /// `LITERAL+` (RFC 7888).
    LiteralPlus,
    /// `LITERAL-` (RFC 7888).
    LiteralMinus,
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `UIDPLUS` (RFC 4315).
    UidPlus,
    /// `MOVE` (RFC 6851).
    Move,
    /// `CONDSTORE` (RFC 7162).
    CondStore,
    /// `QRESYNC` (RFC 7162).
    QResync,
    /// `ENABLE` (RFC 5161).
    Enable,
    /// `ID` (RFC 2971).
    Id,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `CHILDREN` (RFC 3348).
    Children,
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended,
    /// `LIST-STATUS` (RFC 5819).
    ListStatus,
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse,
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse,
    /// `ESEARCH` (RFC 4731).
    ESearch,
    /// `SEARCHRES` (RFC 5182).
    SearchRes,
    /// `SORT` (RFC 5256).
    Sort,
    /// `SORT=DISPLAY` (RFC 5957).
    SortDisplay,
    /// `THREAD=<algorithm>` (RFC 5256); the algorithm upper-cased.
    Thread(ByteStr),
    /// `COMPRESS=<algorithm>` (RFC 4978); the algorithm upper-cased.
    Compress(ByteStr),
    /// `QUOTA` (RFC 2087 / 9208).
    Quota,
    /// `QUOTA=RES-<resource>` (RFC 9208).
    QuotaRes(ByteStr),
    /// `QUOTASET` (RFC 9208).
    QuotaSet,
    /// `ACL` (RFC 4314).
    Acl,
    /// `RIGHTS=<letters>` (RFC 4314).
    Rights(ByteStr),
    /// `METADATA` (RFC 5464).
    Metadata,
    /// `METADATA-SERVER` (RFC 5464).
    MetadataServer,
    /// `ANNOTATEMORE` (Cyrus draft) or `ANNOTATE-EXPERIMENT-1` (RFC 5257).
    Annotate,
    /// `BINARY` (RFC 3516).
    Binary,
    /// `UTF8=ACCEPT` (RFC 6855).
    Utf8Accept,
    /// `UTF8=ONLY` (RFC 6855).
    Utf8Only,
    /// `OBJECTID` (RFC 8474).
    ObjectId,
    /// `STATUS=SIZE` (RFC 8438).
    StatusSize,
    /// `APPENDLIMIT` or `APPENDLIMIT=<n>` (RFC 7889).
    AppendLimit(Option<u64>),
    /// `MULTIAPPEND` (RFC 3502).
    MultiAppend,
    /// `CATENATE` (RFC 4469).
    Catenate,
    /// `NOTIFY` (RFC 5465).
    Notify,
    /// `PREVIEW` (RFC 8970).
    Preview,
    /// `SAVEDATE` (RFC 8514).
    SaveDate,
    /// `WITHIN` (RFC 5032).
    Within,
    /// `UIDONLY` (RFC 9586).
    UidOnly,
    /// `X-GM-EXT-1`: Gmail's labels, message and thread ids.
    GmailExt1,
    /// `XLIST`: Gmail's pre-SPECIAL-USE folder roles.
    XList,
    /// Any other capability, as sent.
    Other(ByteStr),
}

impl Capability {
    /// Classifies a capability atom.
    pub fn from_wire(raw: &[u8]) -> Self {
        Self::from_bytes(ByteStr::from(raw))
    }

    pub(crate) fn from_bytes(raw: ByteStr) -> Self {
        let b = raw.as_bytes();
        let upper = |from: usize| ByteStr::from(b[from..].to_ascii_uppercase());
        let eq = |name: &str| b.eq_ignore_ascii_case(name.as_bytes());
        let prefix = |p: &str| b.len() > p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if prefix("AUTH=") {
            return Capability::Auth(upper(5));
        }
        if prefix("THREAD=") {
            return Capability::Thread(upper(7));
        }
        if prefix("COMPRESS=") {
            return Capability::Compress(upper(9));
        }
        if prefix("QUOTA=RES-") {
            return Capability::QuotaRes(upper(10));
        }
        if prefix("RIGHTS=") {
            return Capability::Rights(ByteStr::from(&b[7..]));
        }
        if prefix("APPENDLIMIT=") {
            let n = std::str::from_utf8(&b[12..]).ok().and_then(|s| s.parse().ok());
            return match n {
                Some(n) => Capability::AppendLimit(Some(n)),
                None => Capability::Other(raw),
            };
        }
        const SIMPLE: &[(&str, Capability)] = &[
            ("IMAP4REV1", Capability::Imap4Rev1),
            ("IMAP4REV2", Capability::Imap4Rev2),
            ("STARTTLS", Capability::StartTls),
            ("LOGINDISABLED", Capability::LoginDisabled),
            ("SASL-IR", Capability::SaslIr),
            ("IDLE", Capability::Idle),
            ("LITERAL+", Capability::LiteralPlus),
            ("LITERAL-", Capability::LiteralMinus),
            ("NAMESPACE", Capability::Namespace),
            ("UIDPLUS", Capability::UidPlus),
            ("MOVE", Capability::Move),
            ("CONDSTORE", Capability::CondStore),
            ("QRESYNC", Capability::QResync),
            ("ENABLE", Capability::Enable),
            ("ID", Capability::Id),
            ("UNSELECT", Capability::Unselect),
            ("CHILDREN", Capability::Children),
            ("LIST-EXTENDED", Capability::ListExtended),
            ("LIST-STATUS", Capability::ListStatus),
            ("SPECIAL-USE", Capability::SpecialUse),
            ("CREATE-SPECIAL-USE", Capability::CreateSpecialUse),
            ("ESEARCH", Capability::ESearch),
            ("SEARCHRES", Capability::SearchRes),
            ("SORT", Capability::Sort),
            ("SORT=DISPLAY", Capability::SortDisplay),
            ("QUOTA", Capability::Quota),
            ("QUOTASET", Capability::QuotaSet),
            ("ACL", Capability::Acl),
            ("METADATA", Capability::Metadata),
            ("METADATA-SERVER", Capability::MetadataServer),
            ("ANNOTATEMORE", Capability::Annotate),
            ("ANNOTATE-EXPERIMENT-1", Capability::Annotate),
            ("BINARY", Capability::Binary),
            ("UTF8=ACCEPT", Capability::Utf8Accept),
            ("UTF8=ONLY", Capability::Utf8Only),
            ("OBJECTID", Capability::ObjectId),
            ("STATUS=SIZE", Capability::StatusSize),
            ("APPENDLIMIT", Capability::AppendLimit(None)),
            ("MULTIAPPEND", Capability::MultiAppend),
            ("CATENATE", Capability::Catenate),
            ("NOTIFY", Capability::Notify),
            ("PREVIEW", Capability::Preview),
            ("SAVEDATE", Capability::SaveDate),
            ("WITHIN", Capability::Within),
            ("UIDONLY", Capability::UidOnly),
            ("X-GM-EXT-1", Capability::GmailExt1),
            ("XLIST", Capability::XList),
        ];
        for (name, cap) in SIMPLE {
            if eq(name) {
                return cap.clone();
            }
        }
        Capability::Other(raw)
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Capability::Imap4Rev1 => "IMAP4rev1",
            Capability::Imap4Rev2 => "IMAP4rev2",
            Capability::StartTls => "STARTTLS",
            Capability::LoginDisabled => "LOGINDISABLED",
            Capability::Auth(m) => return write!(f, "AUTH={m}"),
            Capability::SaslIr => "SASL-IR",
            Capability::Idle => "IDLE",
            Capability::LiteralPlus => "LITERAL+",
            Capability::LiteralMinus => "LITERAL-",
            Capability::Namespace => "NAMESPACE",
            Capability::UidPlus => "UIDPLUS",
            Capability::Move => "MOVE",
            Capability::CondStore => "CONDSTORE",
            Capability::QResync => "QRESYNC",
            Capability::Enable => "ENABLE",
            Capability::Id => "ID",
            Capability::Unselect => "UNSELECT",
            Capability::Children => "CHILDREN",
            Capability::ListExtended => "LIST-EXTENDED",
            Capability::ListStatus => "LIST-STATUS",
            Capability::SpecialUse => "SPECIAL-USE",
            Capability::CreateSpecialUse => "CREATE-SPECIAL-USE",
            Capability::ESearch => "ESEARCH",
            Capability::SearchRes => "SEARCHRES",
            Capability::Sort => "SORT",
            Capability::SortDisplay => "SORT=DISPLAY",
            Capability::Thread(a) => return write!(f, "THREAD={a}"),
            Capability::Compress(a) => return write!(f, "COMPRESS={a}"),
            Capability::Quota => "QUOTA",
            Capability::QuotaRes(r) => return write!(f, "QUOTA=RES-{r}"),
            Capability::QuotaSet => "QUOTASET",
            Capability::Acl => "ACL",
            Capability::Rights(r) => return write!(f, "RIGHTS={r}"),
            Capability::Metadata => "METADATA",
            Capability::MetadataServer => "METADATA-SERVER",
            Capability::Annotate => "ANNOTATEMORE",
            Capability::Binary => "BINARY",
            Capability::Utf8Accept => "UTF8=ACCEPT",
            Capability::Utf8Only => "UTF8=ONLY",
            Capability::ObjectId => "OBJECTID",
            Capability::StatusSize => "STATUS=SIZE",
            Capability::AppendLimit(None) => "APPENDLIMIT",
            Capability::AppendLimit(Some(n)) => return write!(f, "APPENDLIMIT={n}"),
            Capability::MultiAppend => "MULTIAPPEND",
            Capability::Catenate => "CATENATE",
            Capability::Notify => "NOTIFY",
            Capability::Preview => "PREVIEW",
            Capability::SaveDate => "SAVEDATE",
            Capability::Within => "WITHIN",
            Capability::UidOnly => "UIDONLY",
            Capability::GmailExt1 => "X-GM-EXT-1",
            Capability::XList => "XLIST",
            Capability::Other(o) => return write!(f, "{o}"),
        };
        f.write_str(name)
    }
}

impl fmt::Debug for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Capability({self})")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The set of capabilities a server announced.
///
/// ```
/// use imap_core::types::{Capabilities, Capability};
/// let caps = Capabilities::from_iter([Capability::Imap4Rev1, Capability::Auth("PLAIN".into())]);
/// assert!(caps.has(&Capability::Imap4Rev1));
/// assert!(caps.has_auth("plain"));
/// assert!(caps.has_name("imap4rev1"));
/// let caps = Capabilities::from_iter([Capability::from_wire(b"X-CUSTOM")]);
/// assert!(caps.has_name("x-custom"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Capabilities {
    list: Vec<Capability>,
}

impl Capabilities {
    /// No capabilities.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the server has this capability.
    pub fn has(&self, cap: &Capability) -> bool {
        self.list.iter().any(|c| match (c, cap) {
            // Capability names are case-insensitive, unknown ones included.
            (Capability::Other(a), Capability::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        })
    }

    /// The same capabilities, none of them a slice of a receive buffer
    /// (see `ByteStr::detached`).
    pub(crate) fn detached(&self) -> Capabilities {
        let detach = |c: &Capability| match c {
            Capability::Other(raw) => Capability::Other(raw.detached()),
            other => other.clone(),
        };
        Capabilities { list: self.list.iter().map(detach).collect() }
    }

    /// Whether the server has a capability of this name (case-insensitive).
    pub fn has_name(&self, name: &str) -> bool {
        self.has(&Capability::from_wire(name.as_bytes()))
    }

    /// Whether the server offers this SASL mechanism (case-insensitive).
    pub fn has_auth(&self, mechanism: &str) -> bool {
        self.list.iter().any(|c| matches!(c, Capability::Auth(m) if m.eq_ignore_ascii_case(mechanism)))
    }

    /// The SASL mechanisms offered, upper-cased.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &ByteStr> {
        self.list.iter().filter_map(|c| match c {
            Capability::Auth(m) => Some(m),
            _ => None,
        })
    }

    /// Whether the server speaks IMAP4rev2 (RFC 9051).
    pub fn is_rev2(&self) -> bool {
        self.has(&Capability::Imap4Rev2)
    }

    /// All capabilities, in the server's order.
    pub fn iter(&self) -> std::slice::Iter<'_, Capability> {
        self.list.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether none are known.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Adds one (ignored if present).
    pub fn insert(&mut self, cap: Capability) {
        if !self.has(&cap) {
            self.list.push(cap);
        }
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        let mut caps = Capabilities::new();
        for c in iter {
            caps.insert(c);
        }
        caps
    }
}

impl<'a> IntoIterator for &'a Capabilities {
    type Item = &'a Capability;
    type IntoIter = std::slice::Iter<'a, Capability>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}
