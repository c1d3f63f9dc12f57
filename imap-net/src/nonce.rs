//! The client nonce of SCRAM (RFC 5802): randomness is I/O, so it lives
//! here and not in the engine, which takes the nonce as an argument.

use base64::Engine as _;
use imap_core::ext::sasl::{Scram, ScramHash};

/// Random bytes in a nonce: 192 bits, well above what RFC 5802 needs.
const NONCE_BYTES: usize = 24;

/// A fresh SCRAM client nonce: 24 bytes from the operating system's secure
/// random source, base64-encoded (32 printable characters, no comma, as
/// RFC 5802 requires).
///
/// ```
/// let nonce = imap_net::scram_nonce()?;
/// assert_eq!(nonce.len(), 32);
/// # Ok::<(), imap_net::NonceError>(())
/// ```
pub fn scram_nonce() -> Result<String, NonceError> {
    let mut raw = [0u8; NONCE_BYTES];
    getrandom::fill(&mut raw).map_err(NonceError)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(raw))
}

/// A SCRAM-SHA-256 (or SCRAM-SHA-1 with `sha1`) mechanism with a fresh
/// nonce, for [`Commands::authenticate`](imap_core::Commands::authenticate).
///
/// ```
/// use imap_core::ext::sasl::SaslMechanism;
/// let mechanism = imap_net::scram("alice", "secret", false)?;
/// assert_eq!(mechanism.name(), "SCRAM-SHA-256");
/// # Ok::<(), imap_net::NonceError>(())
/// ```
pub fn scram(user: &str, password: &str, sha1: bool) -> Result<Scram, NonceError> {
    let hash = if sha1 { ScramHash::Sha1 } else { ScramHash::Sha256 };
    Ok(Scram::new(hash, user, password, scram_nonce()?))
}

/// The operating system gave no randomness.
#[derive(Debug, thiserror::Error)]
#[error("the operating system gave no randomness for the SCRAM nonce: {0}")]
pub struct NonceError(getrandom::Error);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_printable_and_fresh() {
        let a = scram_nonce().unwrap();
        let b = scram_nonce().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_graphic() && c != b','), "{a}");
    }
}
