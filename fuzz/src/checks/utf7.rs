//! `utf7`: modified UTF-7 (mailbox names) both ways.
//!
//! Input: the bytes, used both as a wire name and (when UTF-8) as a name.
//!
//! Properties:
//! - `decode_utf7` never panics; when it succeeds, encoding the result
//!   gives the input back (only the canonical form decodes);
//! - any string encodes to printable US-ASCII that decodes back to it;
//! - a [`Mailbox`] from server bytes keeps those bytes exactly, and one from
//!   a name round-trips through its wire form.

use bytes::Bytes;
use imap_core::types::{decode_utf7, encode_utf7, Mailbox};

/// Runs the properties on one input.
pub fn check(data: &[u8]) {
    if let Ok(name) = decode_utf7(data) {
        assert_eq!(encode_utf7(&name).as_bytes(), data, "decoded {name:?} does not encode back");
    }
    let lossy = String::from_utf8_lossy(data);
    for name in [lossy.as_ref(), std::str::from_utf8(data).unwrap_or("")] {
        let wire = encode_utf7(name);
        assert!(wire.bytes().all(|c| (0x20..=0x7e).contains(&c)), "{wire:?} is not printable ASCII");
        assert_eq!(decode_utf7(wire.as_bytes()).as_deref(), Ok(name), "{name:?} via {wire:?}");

        let mailbox = Mailbox::new(name);
        if mailbox.is_inbox() {
            assert!(name.eq_ignore_ascii_case("INBOX"));
        } else {
            assert_eq!(mailbox.as_str(), name);
            assert_eq!(mailbox.wire(), wire.as_bytes());
            assert_eq!(Mailbox::from_wire(Bytes::from(wire)), mailbox);
        }
    }
    let received = Mailbox::from_wire(Bytes::copy_from_slice(data));
    if !data.eq_ignore_ascii_case(b"INBOX") {
        assert_eq!(received.wire(), data, "a received name must be kept byte for byte");
    }
    let _ = format!("{received:?} {}", received.as_str());
}
