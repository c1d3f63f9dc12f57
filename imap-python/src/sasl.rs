//! The core's SASL mechanisms by name, for the binding's
//! `authenticate(mechanism, username, password, ...)`: PLAIN, LOGIN,
//! CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2 and OAUTHBEARER, each the
//! object of [`imap_core::ext::sasl`] (SCRAM verifies the server's
//! signature), and the SCRAM client nonce.
//!
//! The nonce is made as `imap_net::scram_nonce` makes it for the Rust
//! drivers (24 bytes from the operating system through `getrandom`,
//! base64): the extension does its TLS with Python's `ssl`, and imap-net
//! would bring rustls and its crypto library into it for these few lines.
//!
//! Pure Rust, no Python: tested with plain `cargo test`.

use base64::Engine as _;
use imap_core::ext::sasl::{CramMd5, Login, OAuthBearer, Plain, Scram, ScramHash, XOAuth2};
use imap_core::request::{self, Request};

/// The mechanisms [`authenticate`] knows, as their names are written.
pub const MECHANISMS: &[&str] =
    &["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER"];

/// Random bytes in a SCRAM nonce: 192 bits, as imap-net's.
const NONCE_BYTES: usize = 24;

/// What some mechanisms take besides the user name and the secret.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// PLAIN: act as this user (authorisation identity).
    pub authorization_identity: Option<String>,
    /// OAUTHBEARER: the host and port the client connected to (RFC 7628).
    pub host: Option<String>,
    /// OAUTHBEARER: see `host`.
    pub port: Option<u16>,
    /// SCRAM: the client nonce; `None` draws a fresh one from the
    /// operating system. Only tests give one (e.g. RFC 5802's example): a
    /// nonce must never be reused.
    pub nonce: Option<String>,
}

/// `AUTHENTICATE` with the core's mechanism named `mechanism`
/// (case-insensitive; see [`MECHANISMS`]) for `user`, whose `secret` is
/// the password, or the access token for XOAUTH2 and OAUTHBEARER.
///
/// ```
/// use imap_python::sasl::{authenticate, Options};
/// let request = authenticate("cram-md5", "tim", "tanstaaftanstaaf", Options::default()).unwrap();
/// assert!(format!("{request:?}").contains("CRAM-MD5"));
/// assert!(authenticate("GSSAPI", "tim", "x", Options::default()).is_err());
/// ```
///
/// # Errors
/// An unknown mechanism, an option the mechanism does not take, OAUTHBEARER
/// without host and port, a SCRAM nonce with a comma, or no randomness.
pub fn authenticate(
    mechanism: &str,
    user: &str,
    secret: &str,
    options: Options,
) -> Result<Request<()>, String> {
    let name = mechanism.to_ascii_uppercase();
    if options.authorization_identity.is_some() && name != "PLAIN" {
        return Err(format!("authorization_identity is for PLAIN, not {name}"));
    }
    if options.nonce.is_some() && !name.starts_with("SCRAM-") {
        return Err(format!("a nonce is for SCRAM, not {name}"));
    }
    if (options.host.is_some() || options.port.is_some()) && name != "OAUTHBEARER" {
        return Err(format!("host and port are for OAUTHBEARER, not {name}"));
    }
    let request = match name.as_str() {
        "PLAIN" => {
            let plain = Plain::new(user, secret);
            match options.authorization_identity {
                Some(authzid) => request::authenticate(plain.with_authzid(authzid)),
                None => request::authenticate(plain),
            }
        }
        "LOGIN" => request::authenticate(Login::new(user, secret)),
        "CRAM-MD5" => request::authenticate(CramMd5::new(user, secret)),
        "SCRAM-SHA-1" | "SCRAM-SHA-256" => {
            let hash = if name == "SCRAM-SHA-1" { ScramHash::Sha1 } else { ScramHash::Sha256 };
            let nonce = match options.nonce {
                Some(n) if n.is_empty() || n.contains(',') => {
                    return Err("a SCRAM nonce is printable and holds no comma".to_owned())
                }
                Some(n) => n,
                None => scram_nonce()?,
            };
            request::authenticate(Scram::new(hash, user, secret, nonce))
        }
        "XOAUTH2" => request::authenticate(XOAuth2::new(user, secret)),
        "OAUTHBEARER" => {
            let (Some(host), Some(port)) = (options.host, options.port) else {
                return Err("OAUTHBEARER needs the host and port connected to".to_owned());
            };
            request::authenticate(OAuthBearer::new(user, host, port, secret))
        }
        _ => {
            return Err(format!(
                "no built-in SASL mechanism {name} (these are: {}); answer the challenges \
                 yourself with sasl_login",
                MECHANISMS.join(", ")
            ))
        }
    };
    Ok(request)
}

/// A fresh SCRAM client nonce: 24 bytes from the operating system's secure
/// random source, base64-encoded (32 printable characters, no comma).
///
/// # Errors
/// If the operating system gives no randomness.
pub fn scram_nonce() -> Result<String, String> {
    let mut raw = [0u8; NONCE_BYTES];
    getrandom::fill(&mut raw)
        .map_err(|e| format!("the operating system gave no randomness for the SCRAM nonce: {e}"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_mechanism_is_built() {
        for name in MECHANISMS {
            let options = Options {
                host: (*name == "OAUTHBEARER").then(|| "imap.example.org".to_owned()),
                port: (*name == "OAUTHBEARER").then_some(993),
                ..Options::default()
            };
            let request = authenticate(&name.to_ascii_lowercase(), "alice", "secret", options);
            let request = request.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(format!("{request:?}").contains(name), "{name}: {request:?}");
        }
    }

    #[test]
    fn options_a_mechanism_does_not_take_are_refused() {
        let with = |o: Options, name: &str| authenticate(name, "alice", "secret", o).unwrap_err();
        let authzid = Options { authorization_identity: Some("bob".into()), ..Options::default() };
        assert!(with(authzid.clone(), "LOGIN").contains("PLAIN"));
        assert!(authenticate("PLAIN", "alice", "secret", authzid).is_ok());
        let nonce = Options { nonce: Some("abc".into()), ..Options::default() };
        assert!(with(nonce, "PLAIN").contains("SCRAM"));
        let comma = Options { nonce: Some("a,b".into()), ..Options::default() };
        assert!(with(comma, "SCRAM-SHA-256").contains("comma"));
        assert!(with(Options::default(), "OAUTHBEARER").contains("host"));
        assert!(with(Options::default(), "X-UNKNOWN").contains("sasl_login"));
    }

    #[test]
    fn nonces_are_printable_and_fresh() {
        let (a, b) = (scram_nonce().unwrap(), scram_nonce().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_graphic() && c != b','), "{a}");
    }
}
