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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line_len: 8 << 20,
            max_literal_len: 256 << 20,
            max_response_len: 512 << 20,
            max_nesting: 100,
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
    /// imap.qq.com sends `(UID 19436 )`, SurgeMail `FLAGS (\Seen $Forwarded )`,
    /// and some providers double the spaces in CAPABILITY lists.
    pub extra_spaces: bool,
    /// Accept status and continuation responses with nothing after them, or
    /// nothing after the response code: Yandex sends `+` alone, iCloud
    /// `* BYE`, ppops.net a bare `A6 OK`, many servers `* OK [UIDNEXT 5]`.
    pub missing_text: bool,
    /// Accept NIL where a string is required in BODYSTRUCTURE (types,
    /// subtypes, encodings, parameter values from broken MIME parsers), and
    /// `-1` as a size or line count, which Exchange sends for parts it could
    /// not measure.
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
    /// [`ResponseCode::Other`](crate::ResponseCode::Other) instead of
    /// rejecting the whole response: `[UNSEEN 0]`, which some servers send
    /// for an empty mailbox, `[UIDVALIDITY 0]` and `[COPYUID 0 35 41]`
    /// (MailKit#240), and Office 365's codes with quoted
    /// text right after the name, spaces, `:` and `]` included
    /// (`[Error="Microsoft.Exchange...WrongServerException:Cross Server
    /// access is not allowed ..." AuthResultFromPopImapEnd=0 Service=Imap4]`,
    /// ruby/net-imap#597), read up to the first `]` outside a quoted string.
    pub response_codes: bool,
    /// Accept a tagged BYE (`a1 BYE ...`): wp.pl answers LOGOUT with one.
    /// For LOGOUT it is the logout succeeding; for any other command it ends
    /// the command and the connection.
    pub tagged_bye: bool,
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
            tagged_bye: true,
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
            tagged_bye: false,
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
