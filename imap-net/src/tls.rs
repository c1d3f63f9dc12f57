//! The rustls configuration: web PKI roots by default, added CAs, the OS
//! trust store on request, client certificates, and one loudly named way to
//! skip verification for test servers.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WantsClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ConfigBuilder, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{PemOrigin, TlsConfigError, TlsError};

/// How to verify the server, and the client certificate to show it.
///
/// By default the server's certificate must chain to a root of the web PKI
/// (Mozilla's set, bundled through `webpki-roots`, so it is the same on every
/// machine) and name the host connected to.
///
/// ```
/// use imap_net::TlsOptions;
/// // A private CA only, and a client certificate (imaplib's certfile/keyfile).
/// let tls = TlsOptions::new()
///     .add_ca_file("/etc/imap/ca.pem")
///     .only_added_cas()
///     .client_cert_files("/etc/imap/client.pem", "/etc/imap/client.key");
/// ```
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    roots: Roots,
    ca_files: Vec<PathBuf>,
    ca_pems: Vec<Vec<u8>>,
    client_cert: Option<ClientCert>,
    skip_verification: bool,
}

/// The trust anchors besides the added CAs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Roots {
    #[default]
    WebPki,
    Os,
    None,
}

#[derive(Clone)]
enum ClientCert {
    Files { cert: PathBuf, key: PathBuf },
    Pem { cert: Vec<u8>, key: Vec<u8> },
}

impl fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientCert::Files { cert, key } => {
                f.debug_struct("Files").field("cert", cert).field("key", key).finish()
            }
            // The key is a secret: never in Debug output.
            ClientCert::Pem { cert, .. } => {
                f.debug_struct("Pem").field("cert_len", &cert.len()).field("key", &"<redacted>").finish()
            }
        }
    }
}

impl TlsOptions {
    /// Web PKI roots, no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also trusts the CA certificates in this PEM file (e.g. a self-signed
    /// test server's CA). The file is read when the configuration is built.
    pub fn add_ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.ca_files.push(path.as_ref().to_owned());
        self
    }

    /// Also trusts the CA certificates in this PEM text.
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pems.push(pem.into());
        self
    }

    /// Trusts only the CAs added with [`add_ca_file`](Self::add_ca_file) and
    /// [`add_ca_pem`](Self::add_ca_pem): neither the web PKI nor the OS
    /// store. Replaces [`os_trust_store`](Self::os_trust_store).
    pub fn only_added_cas(mut self) -> Self {
        self.roots = Roots::None;
        self
    }

    /// Trusts what the operating system trusts, instead of the bundled web
    /// PKI roots (added CAs still count). Verification is the OS's own on
    /// macOS, iOS, Windows and Android (enterprise roots, revocation); on
    /// Linux and the BSDs the system's CA bundle (`SSL_CERT_FILE` and
    /// `SSL_CERT_DIR` override it) with webpki. Replaces
    /// [`only_added_cas`](Self::only_added_cas).
    pub fn os_trust_store(mut self) -> Self {
        self.roots = Roots::Os;
        self
    }

    /// Shows this client certificate when the server asks for one:
    /// `cert` is a PEM file with the certificate chain (leaf first), `key`
    /// a PEM file with its private key (PKCS#8, PKCS#1 or SEC1); the same
    /// file may hold both (imaplib's `certfile`/`keyfile`).
    pub fn client_cert_files(mut self, cert: impl AsRef<Path>, key: impl AsRef<Path>) -> Self {
        self.client_cert =
            Some(ClientCert::Files { cert: cert.as_ref().to_owned(), key: key.as_ref().to_owned() });
        self
    }

    /// Shows this client certificate: PEM text of the chain (leaf first) and
    /// of its private key. The key never appears in `Debug` output.
    pub fn client_cert_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.client_cert = Some(ClientCert::Pem { cert: cert.into(), key: key.into() });
        self
    }

    /// **Disables certificate and host-name verification.** Anyone on the
    /// path can read and change the session, password included. For test
    /// servers only.
    pub fn dangerously_skip_verification(mut self) -> Self {
        self.skip_verification = true;
        self
    }

    /// Builds the rustls configuration: reads and checks every CA and client
    /// certificate file. Uses the process's default crypto provider if one is
    /// installed (`CryptoProvider::install_default`), else aws-lc-rs.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsConfigError> {
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(TlsConfigError::Provider)?;
        let builder = if self.skip_verification {
            builder.dangerous().with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
        } else {
            let added = self.added_cas()?;
            match self.roots {
                Roots::WebPki | Roots::None => {
                    if self.roots == Roots::None && added.is_empty() {
                        return Err(TlsConfigError::NoTrustAnchors);
                    }
                    let mut roots = RootCertStore::empty();
                    if self.roots == Roots::WebPki {
                        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                    }
                    add_roots(&mut roots, added)?;
                    builder.with_root_certificates(roots)
                }
                Roots::Os => {
                    let verifier = os_verifier(added, provider)?;
                    builder.dangerous().with_custom_certificate_verifier(verifier)
                }
            }
        };
        Ok(Arc::new(self.with_client_cert(builder)?))
    }

    /// Every added CA certificate, with where it came from.
    fn added_cas(&self) -> Result<Vec<(PemOrigin, CertificateDer<'static>)>, TlsConfigError> {
        let mut certs = Vec::new();
        for path in &self.ca_files {
            let origin = PemOrigin::File(path.clone());
            certs.extend(certificates(&read(path)?, &origin)?.into_iter().map(|c| (origin.clone(), c)));
        }
        for pem in &self.ca_pems {
            certs.extend(certificates(pem, &PemOrigin::Text)?.into_iter().map(|c| (PemOrigin::Text, c)));
        }
        Ok(certs)
    }

    fn with_client_cert(
        &self,
        builder: ConfigBuilder<ClientConfig, WantsClientCert>,
    ) -> Result<ClientConfig, TlsConfigError> {
        let (chain, key) = match &self.client_cert {
            None => return Ok(builder.with_no_client_auth()),
            Some(ClientCert::Files { cert, key }) => (
                certificates(&read(cert)?, &PemOrigin::File(cert.clone()))?,
                private_key(&read(key)?, PemOrigin::File(key.clone()))?,
            ),
            Some(ClientCert::Pem { cert, key }) => {
                (certificates(cert, &PemOrigin::Text)?, private_key(key, PemOrigin::Text)?)
            }
        };
        builder.with_client_auth_cert(chain, key).map_err(TlsConfigError::ClientCertificate)
    }
}

/// The rustls configuration and the name to verify: what a driver needs to
/// start TLS, at once or after STARTTLS. Cheap to clone.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    client_config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
}

impl TlsConfig {
    /// Pairs a configuration (e.g. from [`TlsOptions::client_config`]) with
    /// the name to verify (from [`server_name`]).
    pub fn new(client_config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Self {
        Self { client_config, server_name }
    }

    /// The rustls configuration (for `futures-rustls`' or `tokio-rustls`'
    /// `TlsConnector::from`).
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.client_config
    }

    /// The name the server's certificate must carry.
    pub fn server_name(&self) -> &ServerName<'static> {
        &self.server_name
    }

    /// A new rustls client connection (for `rustls::StreamOwned`, or driven
    /// by hand as in mio), handshake not yet started.
    pub fn connection(&self) -> Result<rustls::ClientConnection, TlsError> {
        Ok(rustls::ClientConnection::new(self.client_config.clone(), self.server_name.clone())?)
    }

    /// The configuration and the name.
    pub fn into_parts(self) -> (Arc<ClientConfig>, ServerName<'static>) {
        (self.client_config, self.server_name)
    }
}

/// The name to verify the server's certificate against: a DNS name or an IP
/// address.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsConfigError> {
    ServerName::try_from(host.to_owned())
        .map_err(|_| TlsConfigError::InvalidServerName { host: host.to_owned() })
}

fn read(path: &Path) -> Result<Vec<u8>, TlsConfigError> {
    std::fs::read(path).map_err(|error| TlsConfigError::ReadFile { path: path.to_owned(), error })
}

/// Every certificate in a PEM text; at least one.
fn certificates(pem: &[u8], origin: &PemOrigin) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| TlsConfigError::Pem { origin: origin.clone(), error })?;
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate { origin: origin.clone() });
    }
    Ok(certs)
}

/// The first private key in a PEM text.
fn private_key(pem: &[u8], origin: PemOrigin) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|error| match error {
        pem::Error::NoItemsFound => TlsConfigError::NoPrivateKey { origin },
        error => TlsConfigError::Pem { origin, error },
    })
}

fn add_roots(
    roots: &mut RootCertStore,
    certs: Vec<(PemOrigin, CertificateDer<'static>)>,
) -> Result<(), TlsConfigError> {
    for (origin, cert) in certs {
        roots.add(cert).map_err(|error| TlsConfigError::BadCaCertificate { origin, error })?;
    }
    Ok(())
}

/// The platform verifier, with the added CAs as extra roots.
fn os_verifier(
    added: Vec<(PemOrigin, CertificateDer<'static>)>,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, TlsConfigError> {
    // Checked here first, so that a bad CA is reported with its origin.
    add_roots(&mut RootCertStore::empty(), added.clone())?;
    #[cfg(not(target_os = "android"))]
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        added.into_iter().map(|(_, cert)| cert),
        provider,
    );
    #[cfg(target_os = "android")]
    let verifier = if added.is_empty() {
        rustls_platform_verifier::Verifier::new(provider)
    } else {
        return Err(TlsConfigError::OsTrustStoreWithAddedCas);
    };
    Ok(Arc::new(verifier.map_err(TlsConfigError::OsTrustStore)?))
}

/// Accepts any certificate for any name; still checks that the server holds
/// the certificate's key, which costs nothing and keeps the handshake honest.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::server::WebPkiClientVerifier;
    use rustls::{ClientConnection, ServerConfig, ServerConnection};

    use super::*;

    /// A CA, a server certificate it signed for `localhost`, and a client
    /// certificate it signed, all in PEM.
    struct Pki {
        ca: String,
        server_cert: String,
        server_key: String,
        client_cert: String,
        client_key: String,
    }

    fn pki() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let leaf = |name: &str| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(vec![name.to_owned()]).unwrap().signed_by(&key, &ca).unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = leaf("localhost");
        let (client_cert, client_key) = leaf("client.example");
        Pki { ca: ca.pem(), server_cert, server_key, client_cert, client_key }
    }

    fn server_config(pki: &Pki, require_client_cert: bool) -> Arc<ServerConfig> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder =
            ServerConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions();
        let builder = builder.unwrap();
        let builder = if require_client_cert {
            let mut roots = RootCertStore::empty();
            roots.add(CertificateDer::from_pem_slice(pki.ca.as_bytes()).unwrap()).unwrap();
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build().unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let chain = certificates(pki.server_cert.as_bytes(), &PemOrigin::Text).unwrap();
        let key = private_key(pki.server_key.as_bytes(), PemOrigin::Text).unwrap();
        Arc::new(builder.with_single_cert(chain, key).unwrap())
    }

    /// Runs a handshake in memory between a client built from `tls` for
    /// `host` and a server with the PKI's certificate.
    fn handshake(tls: &TlsOptions, host: &str, server: Arc<ServerConfig>) -> Result<(), TlsError> {
        let config = TlsConfig::new(tls.client_config().unwrap(), server_name(host).unwrap());
        let mut client: ClientConnection = config.connection()?;
        let mut server = ServerConnection::new(server).unwrap();
        let mut wire = Vec::new();
        while client.is_handshaking() || server.is_handshaking() {
            wire.clear();
            while client.wants_write() {
                client.write_tls(&mut wire).unwrap();
            }
            let mut data = &wire[..];
            while !data.is_empty() {
                server.read_tls(&mut data).unwrap();
            }
            let server_result = server.process_new_packets();
            wire.clear();
            while server.wants_write() {
                server.write_tls(&mut wire).unwrap();
            }
            let mut data = &wire[..];
            while !data.is_empty() {
                client.read_tls(&mut data).unwrap();
            }
            client.process_new_packets()?;
            if let Err(e) = server_result {
                return Err(TlsError::Handshake(e));
            }
        }
        Ok(())
    }

    #[test]
    fn added_ca_verifies_the_server_and_unknown_ca_is_named() {
        let pki = pki();
        let server = server_config(&pki, false);
        let trusted = TlsOptions::new().add_ca_pem(pki.ca.clone());
        handshake(&trusted, "localhost", server.clone()).unwrap();
        handshake(&trusted.clone().only_added_cas(), "localhost", server.clone()).unwrap();

        let err = handshake(&TlsOptions::new(), "localhost", server.clone()).unwrap_err();
        assert!(matches!(err, TlsError::UnknownIssuer(_)), "{err:?}");

        let err = handshake(&trusted, "imap.example.org", server.clone()).unwrap_err();
        assert!(matches!(err, TlsError::WrongName(_)), "{err:?}");

        handshake(&TlsOptions::new().dangerously_skip_verification(), "imap.example.org", server).unwrap();
    }

    #[test]
    fn os_trust_store_takes_added_cas() {
        let pki = pki();
        let server = server_config(&pki, false);
        let tls = TlsOptions::new().add_ca_pem(pki.ca.clone()).os_trust_store();
        handshake(&tls, "localhost", server).unwrap();
    }

    #[test]
    fn client_certificate_is_shown_when_asked_for() {
        let pki = pki();
        let server = server_config(&pki, true);
        let trusted = TlsOptions::new().add_ca_pem(pki.ca.clone());
        let err = handshake(&trusted, "localhost", server.clone()).unwrap_err();
        assert!(matches!(err, TlsError::Handshake(_)), "{err:?}");
        let with_cert = trusted.client_cert_pem(pki.client_cert.clone(), pki.client_key.clone());
        handshake(&with_cert, "localhost", server).unwrap();
    }

    #[test]
    fn client_certificate_from_files_one_or_two() {
        let pki = pki();
        let dir = std::env::temp_dir().join(format!("imap-net-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key, both) = (dir.join("client.pem"), dir.join("client.key"), dir.join("both.pem"));
        std::fs::write(&cert, &pki.client_cert).unwrap();
        std::fs::write(&key, &pki.client_key).unwrap();
        std::fs::write(&both, format!("{}{}", pki.client_key, pki.client_cert)).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, &pki.ca).unwrap();

        let server = server_config(&pki, true);
        let files = TlsOptions::new().add_ca_file(&ca).client_cert_files(&cert, &key);
        handshake(&files, "localhost", server.clone()).unwrap();
        let one_file = TlsOptions::new().add_ca_file(&ca).client_cert_files(&both, &both);
        handshake(&one_file, "localhost", server).unwrap();

        let err = TlsOptions::new().client_cert_files(&cert, &cert).client_config().unwrap_err();
        assert!(matches!(&err, TlsConfigError::NoPrivateKey { origin: PemOrigin::File(p) } if *p == cert));
        let err = TlsOptions::new().client_cert_files(&key, &key).client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::NoCertificate { .. }), "{err:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mismatched_client_key_is_refused_when_built() {
        let pki = pki();
        let err =
            TlsOptions::new().client_cert_pem(pki.client_cert, pki.server_key).client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::ClientCertificate(_)), "{err:?}");
        assert!(err.to_string().starts_with("the client certificate and key cannot be used"), "{err}");
    }

    #[test]
    fn the_client_key_never_reaches_debug() {
        let pki = pki();
        let tls = TlsOptions::new().client_cert_pem(pki.client_cert, pki.client_key.clone());
        let debug = format!("{tls:?}");
        assert!(!debug.contains("PRIVATE KEY") && debug.contains("<redacted>"), "{debug}");
    }

    #[test]
    fn bad_ca_settings_are_typed() {
        let err = TlsOptions::new().only_added_cas().client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::NoTrustAnchors), "{err:?}");

        let missing = Path::new("/nonexistent/ca.pem");
        let err = TlsOptions::new().add_ca_file(missing).client_config().unwrap_err();
        assert!(matches!(&err, TlsConfigError::ReadFile { path, .. } if path == missing), "{err:?}");
        assert!(err.to_string().starts_with("cannot read /nonexistent/ca.pem: "), "{err}");

        let err = TlsOptions::new().add_ca_pem("not PEM at all").client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::NoCertificate { origin: PemOrigin::Text }), "{err:?}");

        let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        let err = TlsOptions::new().add_ca_pem(truncated).client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::Pem { .. }), "{err:?}");

        let garbage = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        let err = TlsOptions::new().add_ca_pem(garbage).client_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::BadCaCertificate { .. }), "{err:?}");
    }

    #[test]
    fn server_names_are_dns_names_or_addresses() {
        assert!(matches!(server_name("imap.example.org"), Ok(ServerName::DnsName(_))));
        assert!(matches!(server_name("127.0.0.1"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(server_name("::1"), Ok(ServerName::IpAddress(_))));
        let err = server_name("not a host").unwrap_err();
        assert!(matches!(&err, TlsConfigError::InvalidServerName { host } if host == "not a host"));
    }
}
