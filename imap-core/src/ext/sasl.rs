//! SASL mechanisms for AUTHENTICATE (RFC 4422): PLAIN (RFC 4616), LOGIN,
//! CRAM-MD5 (RFC 2195), XOAUTH2 (Google), OAUTHBEARER (RFC 7628) and
//! SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677).
//!
//! The engine has no randomness: SCRAM's client nonce is passed in by the
//! caller (drivers take it from the OS).

use std::fmt;

use crate::types::Secret;

/// A failure on the client side of a SASL exchange; the engine cancels the
/// exchange (`*`) and reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The server sent a challenge the mechanism did not expect here.
    #[error("{mechanism}: unexpected challenge from the server")]
    UnexpectedChallenge {
        /// The mechanism.
        mechanism: &'static str,
    },
    /// A server message does not follow the mechanism's format.
    #[error("{mechanism}: malformed server message ({what})")]
    Malformed {
        /// The mechanism.
        mechanism: &'static str,
        /// What is wrong with it.
        what: &'static str,
    },
    /// SCRAM: the server requires an extension this client does not know.
    #[error("SCRAM: the server requires an unsupported extension")]
    UnsupportedExtension,
    /// SCRAM: an iteration count outside 1..=10,000,000 (a hostile server
    /// could make the client hash for hours).
    #[error("SCRAM: unreasonable iteration count {0}")]
    IterationCount(u32),
    /// SCRAM: the server's nonce does not extend the client's.
    #[error("SCRAM: the server's nonce does not extend the client's")]
    NonceMismatch,
    /// SCRAM: the server reported an error (`e=...`, RFC 5802 section 7).
    #[error("SCRAM: the server reported {0:?}")]
    ServerError(String),
    /// The server's signature does not verify: it does not know the
    /// password, or someone is in the middle.
    #[error("{mechanism}: the server's signature does not verify")]
    BadServerSignature {
        /// The mechanism.
        mechanism: &'static str,
    },
    /// The server accepted without proving it knows the password.
    #[error("{mechanism}: the server accepted without proving it knows the password")]
    NoServerProof {
        /// The mechanism.
        mechanism: &'static str,
    },
    /// The application gave no answer ([`Custom`]'s callback returned `None`).
    #[error("the application cancelled the exchange")]
    Cancelled,
}

/// A SASL mechanism: produces the initial response and answers challenges.
///
/// Implement it for mechanisms this crate does not have, use [`Custom`] to
/// answer challenges with a closure, or
/// [`request::authenticate_interactive`](crate::request::authenticate_interactive)
/// to answer them through events.
pub trait SaslMechanism: Send + fmt::Debug {
    /// The mechanism name, e.g. `PLAIN`.
    fn name(&self) -> &str;

    /// The initial response (sent with SASL-IR, or after the first empty
    /// challenge otherwise); `None` if the mechanism starts with a challenge.
    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>>;

    /// The answer to a server challenge (already base64-decoded).
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError>;

    /// Called on the server's OK: a mechanism with mutual authentication
    /// fails here if the server never proved itself.
    fn verify_success(&mut self) -> Result<(), SaslError> {
        Ok(())
    }
}

/// A mechanism whose challenges a closure answers (imaplib's
/// `authenticate(mechanism, authobject)`): it gets each decoded challenge
/// and returns the answer, or `None` to cancel the exchange.
///
/// ```
/// use imap_core::ext::sasl::{Custom, SaslMechanism};
/// let mut m = Custom::new("X-TOKEN", None, |challenge: &[u8]| {
///     Some(challenge.iter().rev().copied().collect())
/// });
/// assert_eq!(m.name(), "X-TOKEN");
/// assert_eq!(m.respond(b"abc").unwrap().expose_secret(), b"cba");
/// ```
pub struct Custom {
    name: String,
    initial_response: Option<Secret<Vec<u8>>>,
    answer: Answer,
}

/// [`Custom`]'s answerer of challenges.
type Answer = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send>;

impl Custom {
    /// A mechanism named `name` (sent as is), with an optional initial
    /// response and a closure answering each challenge.
    pub fn new(
        name: impl Into<String>,
        initial_response: Option<Vec<u8>>,
        answer: impl FnMut(&[u8]) -> Option<Vec<u8>> + Send + 'static,
    ) -> Self {
        Custom {
            name: name.into(),
            initial_response: initial_response.map(Secret::new),
            answer: Box::new(answer),
        }
    }
}

impl fmt::Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Custom").field("name", &self.name).finish_non_exhaustive()
    }
}

impl SaslMechanism for Custom {
    fn name(&self) -> &str {
        &self.name
    }

    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        self.initial_response.take()
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        // Without SASL-IR the initial response answers the first challenge.
        if let Some(ir) = self.initial_response.take() {
            return Ok(ir);
        }
        (self.answer)(challenge).map(Secret::new).ok_or(SaslError::Cancelled)
    }
}

/// PLAIN (RFC 4616): `authzid NUL user NUL password` in one step.
pub struct Plain {
    authzid: String,
    user: String,
    password: Secret<String>,
}

impl Plain {
    /// PLAIN for `user` with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self { authzid: String::new(), user: user.into(), password: Secret::new(password.into()) }
    }

    /// Acts as `authzid` (for admins who may log in as other users).
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = authzid.into();
        self
    }

    fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(self.user.len() + self.password.expose_secret().len() + 2);
        m.extend_from_slice(self.authzid.as_bytes());
        m.push(0);
        m.extend_from_slice(self.user.as_bytes());
        m.push(0);
        m.extend_from_slice(self.password.expose_secret().as_bytes());
        m
    }
}

impl fmt::Debug for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plain").field("user", &self.user).finish_non_exhaustive()
    }
}

impl SaslMechanism for Plain {
    fn name(&self) -> &str {
        "PLAIN"
    }

    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        Some(Secret::new(self.message()))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        // Without SASL-IR the server starts with an empty challenge.
        if challenge.is_empty() {
            Ok(Secret::new(self.message()))
        } else {
            Err(SaslError::UnexpectedChallenge { mechanism: "PLAIN" })
        }
    }
}

/// LOGIN (draft-murchison-sasl-login): user name, then password, each in
/// answer to a challenge.
pub struct Login {
    user: String,
    password: Secret<String>,
    step: u8,
}

impl Login {
    /// LOGIN for `user` with `password`.
    pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
        Self { user: user.into(), password: Secret::new(password.into()), step: 0 }
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login").field("user", &self.user).finish_non_exhaustive()
    }
}

impl SaslMechanism for Login {
    fn name(&self) -> &str {
        "LOGIN"
    }

    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        None
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        self.step += 1;
        match self.step {
            1 => Ok(Secret::new(self.user.clone().into_bytes())),
            2 => Ok(Secret::new(self.password.expose_secret().clone().into_bytes())),
            _ => Err(SaslError::UnexpectedChallenge { mechanism: "LOGIN" }),
        }
    }
}

/// XOAUTH2 (Google, Microsoft): `user=...^Aauth=Bearer token^A^A`.
pub struct XOAuth2 {
    user: String,
    token: Secret<String>,
}

impl XOAuth2 {
    /// XOAUTH2 for `user` with an OAuth 2.0 access token.
    pub fn new(user: impl Into<String>, token: impl Into<String>) -> Self {
        Self { user: user.into(), token: Secret::new(token.into()) }
    }
}

impl fmt::Debug for XOAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XOAuth2").field("user", &self.user).finish_non_exhaustive()
    }
}

impl SaslMechanism for XOAuth2 {
    fn name(&self) -> &str {
        "XOAUTH2"
    }

    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        Some(Secret::new(
            format!("user={}\x01auth=Bearer {}\x01\x01", self.user, self.token.expose_secret()).into_bytes(),
        ))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if challenge.is_empty() {
            return Ok(self.initial_response().unwrap_or(Secret::new(Vec::new())));
        }
        // A challenge after the token is a JSON error; the server expects an
        // empty response and then answers NO with the reason.
        Ok(Secret::new(Vec::new()))
    }
}

/// OAUTHBEARER (RFC 7628).
pub struct OAuthBearer {
    user: String,
    host: String,
    port: u16,
    token: Secret<String>,
}

impl OAuthBearer {
    /// OAUTHBEARER for `user` connecting to `host:port` with a bearer token.
    pub fn new(
        user: impl Into<String>,
        host: impl Into<String>,
        port: u16,
        token: impl Into<String>,
    ) -> Self {
        Self { user: user.into(), host: host.into(), port, token: Secret::new(token.into()) }
    }
}

impl fmt::Debug for OAuthBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBearer")
            .field("user", &self.user)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl SaslMechanism for OAuthBearer {
    fn name(&self) -> &str {
        "OAUTHBEARER"
    }

    fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
        let user = self.user.replace('=', "=3D").replace(',', "=2C");
        Some(Secret::new(
            format!(
                "n,a={user},\x01host={}\x01port={}\x01auth=Bearer {}\x01\x01",
                self.host,
                self.port,
                self.token.expose_secret()
            )
            .into_bytes(),
        ))
    }

    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if challenge.is_empty() {
            return Ok(self.initial_response().unwrap_or(Secret::new(Vec::new())));
        }
        // RFC 7628 3.2.3: answer an error challenge with a dummy ^A.
        Ok(Secret::new(vec![0x01]))
    }
}

#[cfg(feature = "cram-md5")]
pub use cram::CramMd5;

#[cfg(feature = "cram-md5")]
mod cram {
    use std::fmt;

    use hmac::{Hmac, KeyInit, Mac};
    use md5::Md5;

    use super::{SaslError, SaslMechanism};
    use crate::types::Secret;

    /// CRAM-MD5 (RFC 2195): `user HEX(HMAC-MD5(password, challenge))`.
    pub struct CramMd5 {
        user: String,
        password: Secret<String>,
    }

    impl CramMd5 {
        /// CRAM-MD5 for `user` with `password`.
        pub fn new(user: impl Into<String>, password: impl Into<String>) -> Self {
            Self { user: user.into(), password: Secret::new(password.into()) }
        }
    }

    impl fmt::Debug for CramMd5 {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("CramMd5").field("user", &self.user).finish_non_exhaustive()
        }
    }

    impl SaslMechanism for CramMd5 {
        fn name(&self) -> &str {
            "CRAM-MD5"
        }

        fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
            None
        }

        fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
            let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(self.password.expose_secret().as_bytes())
                .map_err(|_| SaslError::Malformed { mechanism: "CRAM-MD5", what: "key" })?;
            mac.update(challenge);
            let digest = mac.finalize().into_bytes();
            let mut out = self.user.clone().into_bytes();
            out.push(b' ');
            for b in digest.iter() {
                out.extend_from_slice(format!("{b:02x}").as_bytes());
            }
            Ok(Secret::new(out))
        }
    }
}

#[cfg(feature = "scram")]
pub use scram::{Scram, ScramHash};

#[cfg(feature = "scram")]
mod scram {
    use std::fmt;

    use base64::Engine as _;
    use hmac::{Hmac, KeyInit, Mac};
    use sha1::Sha1;
    use sha2::{Digest, Sha256};

    use super::{SaslError, SaslMechanism};
    use crate::types::Secret;

    /// The hash of a SCRAM mechanism.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum ScramHash {
        /// SCRAM-SHA-1 (RFC 5802).
        Sha1,
        /// SCRAM-SHA-256 (RFC 7677).
        Sha256,
    }

    /// SCRAM-SHA-1 or SCRAM-SHA-256 without channel binding (`n,,`). The
    /// server's signature is verified: a server that does not know the
    /// password cannot complete the exchange.
    pub struct Scram {
        hash: ScramHash,
        user: String,
        password: Secret<String>,
        nonce: String,
        state: State,
    }

    enum State {
        Start,
        SentFirst { client_first_bare: String },
        SentFinal { server_signature: Vec<u8> },
        Verified,
    }

    impl Scram {
        /// A SCRAM exchange. `nonce` must be fresh and unpredictable (e.g.
        /// 24 random bytes, base64-encoded); it may not contain `,`.
        pub fn new(
            hash: ScramHash,
            user: impl Into<String>,
            password: impl Into<String>,
            nonce: impl Into<String>,
        ) -> Self {
            Self {
                hash,
                user: user.into(),
                password: Secret::new(password.into()),
                nonce: nonce.into(),
                state: State::Start,
            }
        }

        fn hmac(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
            match self.hash {
                ScramHash::Sha1 => {
                    let mut m =
                        <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                ScramHash::Sha256 => {
                    let mut m =
                        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
            }
        }

        fn h(&self, data: &[u8]) -> Vec<u8> {
            match self.hash {
                ScramHash::Sha1 => Sha1::digest(data).to_vec(),
                ScramHash::Sha256 => Sha256::digest(data).to_vec(),
            }
        }

        /// Hi() of RFC 5802: PBKDF2 with HMAC.
        fn salted_password(&self, salt: &[u8], iterations: u32) -> Vec<u8> {
            let password = self.password.expose_secret().as_bytes();
            match self.hash {
                ScramHash::Sha1 => pbkdf2::pbkdf2_hmac_array::<Sha1, 20>(password, salt, iterations).to_vec(),
                ScramHash::Sha256 => {
                    pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations).to_vec()
                }
            }
        }

        fn client_final(&mut self, server_first: &[u8]) -> Result<Vec<u8>, SaslError> {
            let State::SentFirst { client_first_bare } = &self.state else {
                return Err(SaslError::UnexpectedChallenge { mechanism: "SCRAM" });
            };
            let server_first = std::str::from_utf8(server_first).map_err(|_| SaslError::Malformed {
                mechanism: "SCRAM",
                what: "server-first-message is not UTF-8",
            })?;
            let mut nonce = None;
            let mut salt = None;
            let mut iterations = None;
            for attr in server_first.split(',') {
                match attr.split_once('=') {
                    Some(("r", v)) => nonce = Some(v),
                    Some(("s", v)) => salt = Some(v),
                    Some(("i", v)) => iterations = v.parse::<u32>().ok(),
                    Some(("m", _)) => return Err(SaslError::UnsupportedExtension),
                    _ => {}
                }
            }
            let (Some(nonce), Some(salt), Some(iterations)) = (nonce, salt, iterations) else {
                return Err(SaslError::Malformed { mechanism: "SCRAM", what: "server-first-message" });
            };
            if !nonce.starts_with(&self.nonce) || nonce.len() == self.nonce.len() {
                return Err(SaslError::NonceMismatch);
            }
            if iterations == 0 || iterations > 10_000_000 {
                return Err(SaslError::IterationCount(iterations));
            }
            let salt = base64::engine::general_purpose::STANDARD
                .decode(salt)
                .map_err(|_| SaslError::Malformed { mechanism: "SCRAM", what: "salt is not base64" })?;
            let salted = self.salted_password(&salt, iterations);
            let client_key = self.hmac(&salted, b"Client Key");
            let stored_key = self.h(&client_key);
            let without_proof = format!("c=biws,r={nonce}");
            let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
            let client_signature = self.hmac(&stored_key, auth_message.as_bytes());
            let proof: Vec<u8> = client_key.iter().zip(&client_signature).map(|(a, b)| a ^ b).collect();
            let server_key = self.hmac(&salted, b"Server Key");
            let server_signature = self.hmac(&server_key, auth_message.as_bytes());
            self.state = State::SentFinal { server_signature };
            let proof = base64::engine::general_purpose::STANDARD.encode(proof);
            Ok(format!("{without_proof},p={proof}").into_bytes())
        }

        fn verify(&mut self, server_final: &[u8]) -> Result<(), SaslError> {
            let State::SentFinal { server_signature } = &self.state else {
                return Err(SaslError::UnexpectedChallenge { mechanism: "SCRAM" });
            };
            let text = std::str::from_utf8(server_final).map_err(|_| SaslError::Malformed {
                mechanism: "SCRAM",
                what: "server-final-message is not UTF-8",
            })?;
            if let Some(err) = text.strip_prefix("e=") {
                return Err(SaslError::ServerError(err.to_owned()));
            }
            let v = text.split(',').find_map(|a| a.strip_prefix("v=")).ok_or(SaslError::Malformed {
                mechanism: "SCRAM",
                what: "server-final-message without signature",
            })?;
            let v = base64::engine::general_purpose::STANDARD.decode(v).map_err(|_| {
                SaslError::Malformed { mechanism: "SCRAM", what: "server signature is not base64" }
            })?;
            if &v != server_signature {
                return Err(SaslError::BadServerSignature { mechanism: "SCRAM" });
            }
            self.state = State::Verified;
            Ok(())
        }
    }

    impl fmt::Debug for Scram {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Scram")
                .field("hash", &self.hash)
                .field("user", &self.user)
                .finish_non_exhaustive()
        }
    }

    impl SaslMechanism for Scram {
        fn name(&self) -> &str {
            match self.hash {
                ScramHash::Sha1 => "SCRAM-SHA-1",
                ScramHash::Sha256 => "SCRAM-SHA-256",
            }
        }

        fn initial_response(&mut self) -> Option<Secret<Vec<u8>>> {
            let user = self.user.replace('=', "=3D").replace(',', "=2C");
            let bare = format!("n={user},r={}", self.nonce);
            let first = format!("n,,{bare}");
            self.state = State::SentFirst { client_first_bare: bare };
            Some(Secret::new(first.into_bytes()))
        }

        fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
            match self.state {
                State::Start if challenge.is_empty() => {
                    Ok(self.initial_response().unwrap_or(Secret::new(Vec::new())))
                }
                State::SentFirst { .. } => self.client_final(challenge).map(Secret::new),
                State::SentFinal { .. } => {
                    self.verify(challenge)?;
                    Ok(Secret::new(Vec::new()))
                }
                _ => Err(SaslError::UnexpectedChallenge { mechanism: "SCRAM" }),
            }
        }

        fn verify_success(&mut self) -> Result<(), SaslError> {
            match self.state {
                State::Verified => Ok(()),
                _ => Err(SaslError::NoServerProof { mechanism: "SCRAM" }),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// RFC 5802 section 5 and RFC 7677 section 3 test vectors.
        #[test]
        fn rfc_vectors() {
            let mut s = Scram::new(ScramHash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
            assert_eq!(
                s.initial_response().unwrap().expose_secret(),
                b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
            );
            let fin =
                s.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096").unwrap();
            assert_eq!(
                fin.expose_secret(),
                b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
            );
            s.respond(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap();
            s.verify_success().unwrap();

            let mut s = Scram::new(ScramHash::Sha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
            s.initial_response();
            let fin = s
                .respond(
                    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                )
                .unwrap();
            assert_eq!(
                fin.expose_secret(),
                b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
            );
            s.respond(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").unwrap();
            s.verify_success().unwrap();
        }

        #[test]
        fn rejects_forged_server_signature() {
            let mut s = Scram::new(ScramHash::Sha1, "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
            s.initial_response();
            s.respond(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096").unwrap();
            assert!(s.respond(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=").is_err());
            assert!(s.verify_success().is_err());
            let mut s = Scram::new(ScramHash::Sha1, "user", "pencil", "abc");
            s.initial_response();
            assert!(s.respond(b"r=xyz,s=QSXCR+Q6sek8bf92,i=4096").is_err(), "nonce must extend ours");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_login() {
        let mut p = Plain::new("tim", "tanstaaftanstaaf");
        assert_eq!(p.initial_response().unwrap().expose_secret(), b"\0tim\0tanstaaftanstaaf");
        assert!(!format!("{p:?}").contains("tanstaaf"));
        let mut l = Login::new("tim", "secret");
        assert!(l.initial_response().is_none());
        assert_eq!(l.respond(b"Username:").unwrap().expose_secret(), b"tim");
        assert_eq!(l.respond(b"Password:").unwrap().expose_secret(), b"secret");
        assert!(l.respond(b"?").is_err());
    }

    #[cfg(feature = "cram-md5")]
    #[test]
    fn cram_md5_rfc2195_example() {
        let mut c = CramMd5::new("tim", "tanstaaftanstaaf");
        let r = c.respond(b"<1896.697170952@postoffice.reston.mci.net>").unwrap();
        assert_eq!(r.expose_secret(), b"tim b913a602c7eda7a495b4e6e7334d3890");
    }

    #[test]
    fn oauth_formats() {
        let mut x = XOAuth2::new("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
        assert_eq!(
            x.initial_response().unwrap().expose_secret(),
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert!(x.respond(b"{\"status\":\"401\"}").unwrap().expose_secret().is_empty());
        let mut o = OAuthBearer::new(
            "user@example.com",
            "server.example.com",
            143,
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
        );
        assert_eq!(
            o.initial_response().unwrap().expose_secret(),
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
        );
    }
}
