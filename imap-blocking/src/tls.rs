//! TLS with rustls: web PKI roots by default, custom CAs on request, and one
//! loudly named way to skip verification for test servers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{Error, Result};

/// How to verify the server's certificate.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    extra_ca_files: Vec<PathBuf>,
    extra_ca_pem: Vec<Vec<u8>>,
    no_web_pki: bool,
    danger_skip_verification: bool,
}

impl TlsOptions {
    /// Web PKI roots (the Mozilla set bundled with `webpki-roots`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Also trusts the CA certificates in this PEM file (e.g. a
    /// self-signed test server's CA).
    pub fn add_ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.extra_ca_files.push(path.as_ref().to_owned());
        self
    }

    /// Also trusts the CA certificates in this PEM text.
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    /// Trusts only the CAs added explicitly, not the web PKI.
    pub fn only_added_cas(mut self) -> Self {
        self.no_web_pki = true;
        self
    }

    /// **Disables certificate and host-name verification.** Anyone on the
    /// path can read and change the session, password included. For test
    /// servers only.
    pub fn dangerously_skip_verification(mut self) -> Self {
        self.danger_skip_verification = true;
        self
    }

    pub(crate) fn client_config(&self) -> Result<Arc<rustls::ClientConfig>> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let config = if self.danger_skip_verification {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
                .with_no_client_auth()
        } else {
            let mut roots = RootCertStore::empty();
            if !self.no_web_pki {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            for path in &self.extra_ca_files {
                let certs = CertificateDer::pem_file_iter(path)
                    .map_err(|e| Error::Config(format!("CA file {}: {e}", path.display())))?;
                add_certs(
                    &mut roots,
                    certs.map(|c| c.map_err(|e| e.to_string())),
                    &path.display().to_string(),
                )?;
            }
            for pem in &self.extra_ca_pem {
                let certs = CertificateDer::pem_slice_iter(pem).map(|c| c.map_err(|e| e.to_string()));
                add_certs(&mut roots, certs, "CA PEM")?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        Ok(Arc::new(config))
    }
}

fn add_certs(
    roots: &mut RootCertStore,
    certs: impl Iterator<Item = std::result::Result<CertificateDer<'static>, String>>,
    source: &str,
) -> Result<()> {
    let mut n = 0;
    for cert in certs {
        let cert = cert.map_err(|e| Error::Config(format!("{source}: {e}")))?;
        roots.add(cert).map_err(|e| Error::Config(format!("{source}: {e}")))?;
        n += 1;
    }
    if n == 0 {
        return Err(Error::Config(format!("{source}: no certificate found")));
    }
    Ok(())
}

/// The server name to verify: a DNS name or an IP address.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(host.to_owned()).map_err(|e| Error::Config(format!("server name {host:?}: {e}")))
}

#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
