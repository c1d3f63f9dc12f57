//! Protocol extensions with client-side machinery: SASL mechanisms and
//! COMPRESS=DEFLATE.

#[cfg(feature = "compress")]
pub(crate) mod compress;
pub mod sasl;
