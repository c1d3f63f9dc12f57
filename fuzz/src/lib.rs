//! The fuzz targets' properties. Each `fuzz_targets/<name>.rs` calls
//! `checks::<name>::check`; `imap-core/tests/fuzz_corpus.rs` compiles the
//! same files to replay the committed corpora (`fuzz/corpus/<name>/`) as
//! ordinary tests.

pub mod checks;
