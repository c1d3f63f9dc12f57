//! Properties checked by the fuzz targets, one module per target. Every
//! `check` takes the raw fuzz input and panics when a property fails.
//!
//! This directory is compiled twice: by the cargo-fuzz crate (`fuzz/`) and,
//! through `#[path]`, by `imap-core/tests/fuzz_corpus.rs`, which replays
//! every committed corpus file. So it may only use `imap_core`, `bytes` and
//! `std`.
//!
//! Inputs are plain bytes with a small documented layout (a few header
//! bytes, then the payload) rather than `arbitrary`-derived structures: the
//! seeds in `fuzz/corpus/` are written by `fuzz/seeds.py` from RFC examples
//! and the project's captures, which needs a layout a person can write.

pub mod client;
pub mod encode;
pub mod framer;
pub mod response;
pub mod utf7;

/// Reads a fuzz input front to back; past the end every read gives zero
/// (or nothing), so any input is a valid one.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }

    /// The next byte, or 0 past the end.
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// A little-endian u16 (two bytes).
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.byte(), self.byte()])
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let start = self.at.min(self.data.len());
        let end = start.saturating_add(n).min(self.data.len());
        self.at = self.at.saturating_add(n);
        &self.data[start..end]
    }

    /// Everything up to and including the next LF (or the end).
    pub fn line(&mut self) -> &'a [u8] {
        let start = self.at.min(self.data.len());
        let end = match self.data[start..].iter().position(|&c| c == b'\n') {
            Some(i) => start + i + 1,
            None => self.data.len(),
        };
        self.at = end;
        &self.data[start..end]
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(usize::MAX)
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }
}

/// Chunk sizes from a seed (xorshift): mostly small, sometimes large, so
/// that splits fall everywhere, inside CRLF, announcements and literals.
pub fn chunk_sizes(seed: u64, total: usize) -> Vec<usize> {
    let mut state = seed | 1;
    let mut sizes = Vec::new();
    let mut covered = 0;
    while covered < total {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = match state % 8 {
            0..=4 => 1 + (state >> 8) as usize % 4,
            5 | 6 => 1 + (state >> 8) as usize % 64,
            _ => 1 + (state >> 8) as usize % 4096,
        };
        sizes.push(n);
        covered += n;
    }
    sizes
}

/// Splits `data` at the given sizes (the last chunk takes what is left).
pub fn chunks<'a>(data: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(sizes.len());
    let mut at = 0;
    for &n in sizes {
        if at >= data.len() {
            break;
        }
        let end = (at + n.max(1)).min(data.len());
        out.push(&data[at..end]);
        at = end;
    }
    if at < data.len() {
        out.push(&data[at..]);
    }
    out
}
