//! Limits on what a server may make the client buffer, and parser leniency.

/// Every size a server controls is bounded here. A breach is reported as a
/// typed error for the response concerned; the rest of that response is
/// skipped without being buffered, so the stream is never mis-framed and the
/// session goes on.
///
/// ```
/// let mut limits = imap_core::Limits::default();
/// limits.max_literal_len = 64 << 20;
/// assert_eq!(limits.max_line_len, 8 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest single line (between literals), in bytes. Default 8 MiB:
    /// `* SEARCH` on a mailbox of a million messages is about 7 MiB on one line.
    pub max_line_len: usize,
    /// Largest literal, in bytes. Default 256 MiB, above the message size
    /// limits of common providers.
    pub max_literal_len: u64,
    /// Largest whole response (all lines and literals), in bytes. Default 512 MiB.
    pub max_response_len: u64,
    /// Deepest nesting of parenthesised lists (BODYSTRUCTURE of nested
    /// multiparts, THREAD trees, extension data). Default 100. Bounds the
    /// parser's recursion.
    pub max_nesting: usize,
    /// Most bytes of untagged data one command's result collects (a FETCH
    /// of many messages, a LIST, a SEARCH), each response counted at its
    /// size plus 384 bytes for its parsed form, so that memory stays near
    /// the limit. Default 1 GiB (ENVELOPE and FLAGS of about a million
    /// messages). A server that answers without end costs at most this
    /// much (measured: 1.1 GiB peak for endless LIST entries): the command
    /// then fails with [`CommandError::Limit`](crate::CommandError::Limit)
    /// and the rest of its data is dropped. Streamed FETCH data is not
    /// collected, so not counted.
    pub max_result_len: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_len: 8 << 20,
            max_literal_len: 256 << 20,
            max_response_len: 512 << 20,
            max_nesting: 100,
            max_result_len: 1 << 30,
        }
    }
}

/// Which deviations from the grammar the parser accepts. Each knob names the
/// kind of server that needs it. [`Leniency::default`] is lenient (everything
/// on); [`Leniency::strict`] turns everything off, for testing servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Leniency {
    /// Accept a bare LF as a line end. Needed for hand-written test servers,
    /// scripts piping responses through text tools and some proxies.
    pub bare_lf: bool,
    /// Accept doubled spaces, spaces before `)` and trailing spaces at the end
    /// of a line: Yahoo ends SEARCH results with a space (`* SEARCH 1 2 `),
    /// imap.qq.com sends `(UID 19436 )` (jakartaee/mail-api#209), SurgeMail
    /// `FLAGS (\Seen $Forwarded )`, DavMail two spaces between FETCH items
    /// (`FLAGS (\Seen)  RFC822.HEADER`, davmail#454) and in `*  522 EXISTS`
    /// (modern-email/defects#45), Domino in BODYSTRUCTUREs (MailKit#944),
    /// Dovecot after a multipart's `(` (MailKit's tests), and some providers
    /// double the spaces in CAPABILITY lists.
    pub extra_spaces: bool,
    /// Accept status and continuation responses with nothing after them, or
    /// nothing after the response code: Yandex sends `+` alone, iCloud
    /// `* BYE`, ppops.net a bare `A6 OK`, many servers `* OK [UIDNEXT 5]`.
    pub missing_text: bool,
    /// Accept BODYSTRUCTUREs (and BODYs) that break the grammar in ways
    /// servers are known for:
    /// - NIL where a string is required (types, subtypes, encodings,
    ///   parameter values from broken MIME parsers; Office 365's
    ///   `(NIL NIL NIL NIL NIL "7BIT" 0 ...)`, MailKit#1446; mail.ru's
    ///   `("boundary" NIL)`, vmime#159);
    /// - `-1` as a size or line count, which Exchange sends for parts it
    ///   could not measure, and NIL there (DavMail before its PR#239); both
    ///   read as 0;
    /// - a multipart without parts, which Gmail, Yandex and QQ Mail send
    ///   for a multipart they could not split (`("ALTERNATIVE")`,
    ///   `("RELATED" NIL ("ATTACHMENT" NIL) NIL)`, MailKit#205, #777, #1861,
    ///   #1076), others with NIL for the parts (`(NIL "alternative" ...)`,
    ///   MailKit#1393) and Domino as `()` (MailKit#944);
    /// - a message/rfc822 part without envelope, body and line count
    ///   (Gmail, MailKit#59), read as a basic part;
    /// - a disposition that is only its type, `"inline"` (Exchange,
    ///   MailKit#503, #919), or `(NIL NIL)` (read as none);
    /// - extension data in shapes of its own (a parameter list as MD5,
    ///   libetpan#217; `()` as location; disposition and language swapped):
    ///   the part's extension data from the first item that does not parse
    ///   is skipped;
    /// - an empty address list `()` in an envelope.
    pub body_structure: bool,
    /// Accept 8-bit bytes (usually UTF-8) in quoted strings, atoms and status
    /// text, which RFC 3501 forbids without UTF8=ACCEPT. Dovecot and Gmail
    /// pass raw 8-bit header bytes through into ENVELOPE.
    pub eight_bit: bool,
    /// Accept `\*` and `]` inside FLAGS lists (flags compare
    /// case-insensitively either way). Some servers echo `\*` from
    /// PERMANENTFLAGS into FLAGS; keywords with brackets come from clients
    /// that stored them (`[Gmail]` labels).
    pub flags: bool,
    /// Keep a response code whose arguments do not parse as
    /// [`ResponseCode::Other`](crate::types::ResponseCode::Other) instead of
    /// rejecting the whole response: `[UNSEEN 0]`, which some servers send
    /// for an empty mailbox, `[UIDVALIDITY 0]` and `[COPYUID 0 35 41]`
    /// (MailKit#240), and Office 365's codes with quoted text right after
    /// the name, spaces, `:` and `]` included (`[Error="Microsoft.Exchange
    /// ...WrongServerException:Cross Server access is not allowed ..."
    /// AuthResultFromPopImapEnd=0 Service=Imap4]`, ruby/net-imap#597), read
    /// up to the first `]` outside a quoted string.
    pub response_codes: bool,
    /// Keep a known FETCH item whose value does not parse as
    /// [`FetchItem::Other`](crate::types::FetchItem::Other) (its name and raw
    /// value) instead of rejecting the whole FETCH, so that UID, FLAGS and
    /// the other items survive: Zoho's `MODSEQ (-1)` (MailKit#495, #1686),
    /// BODYSTRUCTUREs beyond what [`body_structure`](Self::body_structure)
    /// reads (a part without its subtype, `("TEXT" ("CHARSET" "x") ...)`,
    /// from MailKit's tests; NetEase's unescaped quotes, `""""`,
    /// go-imap#659) and ENVELOPEs with fields missing. The raw value only
    /// has to balance its parentheses within the line.
    pub fetch_items: bool,
    /// Accept FETCH items wrapped in an extra pair of parentheses, read as
    /// if unwrapped: Lotus Domino sends
    /// `* 2 FETCH (UID 14935 (ENVELOPE (...)) BODYSTRUCTURE (...))`
    /// (MailKit#943).
    pub wrapped_fetch_items: bool,
    /// Accept a `BODY[section]` or `BINARY[part]` item with no value before
    /// the `)` that closes the FETCH data, read as NIL: Yandex sends
    /// `* 1 FETCH (UID 3016 BODY[2.MIME] {145} ... BODY[2] )` for an empty
    /// part (MailKit#1708).
    pub missing_section_data: bool,
    /// Accept a line break after a literal before the `)` that closes FETCH
    /// data: `* 1 FETCH (... BODY[HEADER] {515}\r\n...\r\n \r\n)\r\n` from
    /// Gmail (MailKit's capture gmail/headers.1+unsolicited-info), and the
    /// same with an empty line reported to imapclient (imapclient#162, from
    /// Nylas). The framer keeps the `)` line with the FETCH in either mode
    /// (see [`Framer`](crate::parse::Framer)); strictly the response is then
    /// malformed.
    pub blank_line_in_fetch: bool,
    /// Accept a response code on a line of its own, with no `* OK` before
    /// it, read as the untagged OK it stands for: Office 365 answers
    /// `UID MOVE` with `[COPYUID 55 31 6]` before its EXPUNGEs (MailKit#115).
    /// Only where the line does not parse as a tagged response (a tag may
    /// start with `[`).
    pub bare_response_codes: bool,
    /// Accept `""` as a hierarchy delimiter in LIST, LSUB and NAMESPACE
    /// responses, read as NIL (a flat name): `* LIST (\HasNoChildren) ""
    /// "Folder2"`, in MailKit's test captures (common/list-nil-folder-delim).
    pub empty_delimiter: bool,
    /// Accept a tagged BYE (`a1 BYE ...`): wp.pl answers LOGOUT with one.
    /// For LOGOUT it is the logout succeeding; for any other command it ends
    /// the command and the connection.
    pub tagged_bye: bool,
    /// Accept NUL bytes in the human-readable text of a status response
    /// (after the response code): it is text for a person, never
    /// interpreted. Servers echo what a user typed there (a mailbox name,
    /// a login), NULs included; refusing it lost a whole greeting and left
    /// the client waiting for the timeout (issue 9).
    pub nul_in_text: bool,
}

impl Leniency {
    /// Accept every known deviation (the default).
    pub const fn lenient() -> Self {
        Self {
            bare_lf: true,
            extra_spaces: true,
            missing_text: true,
            body_structure: true,
            eight_bit: true,
            flags: true,
            response_codes: true,
            fetch_items: true,
            wrapped_fetch_items: true,
            missing_section_data: true,
            blank_line_in_fetch: true,
            bare_response_codes: true,
            empty_delimiter: true,
            tagged_bye: true,
            nul_in_text: true,
        }
    }

    /// Follow RFC 9051 / RFC 3501 to the letter.
    pub const fn strict() -> Self {
        Self {
            bare_lf: false,
            extra_spaces: false,
            missing_text: false,
            body_structure: false,
            eight_bit: false,
            flags: false,
            response_codes: false,
            fetch_items: false,
            wrapped_fetch_items: false,
            missing_section_data: false,
            blank_line_in_fetch: false,
            bare_response_codes: false,
            empty_delimiter: false,
            tagged_bye: false,
            nul_in_text: false,
        }
    }
}

impl Default for Leniency {
    fn default() -> Self {
        Self::lenient()
    }
}

/// Everything the response parser needs to know: limits and leniency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Size limits.
    pub limits: Limits,
    /// Accepted deviations from the grammar.
    pub leniency: Leniency,
}

impl ParseOptions {
    /// Strict parsing with default limits.
    pub fn strict() -> Self {
        Self { limits: Limits::default(), leniency: Leniency::strict() }
    }
}
