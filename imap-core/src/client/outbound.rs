//! The outbound byte queue: small command text is coalesced into one
//! buffer, large literals stay separate `Bytes` (never copied). With
//! COMPRESS active every byte goes through the deflater.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};

/// Below this size a chunk is copied into the coalescing buffer.
const COALESCE_MAX: usize = 16 * 1024;

#[derive(Default)]
pub(crate) struct Outbound {
    chunks: VecDeque<Bytes>,
    tail: BytesMut,
    /// Bytes of the front chunk already written.
    offset: usize,
    #[cfg(feature = "compress")]
    deflater: Option<crate::ext::compress::Deflater>,
}

impl std::fmt::Debug for Outbound {
    /// Sizes only: the bytes may hold a password or SASL data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").field("len", &self.len()).field("chunks", &self.chunks.len()).finish()
    }
}

impl Outbound {
    pub(crate) fn push(&mut self, data: Bytes) -> Result<(), crate::error::CompressError> {
        #[cfg(feature = "compress")]
        if let Some(d) = self.deflater.as_mut() {
            let mut out = Vec::with_capacity(data.len() / 2 + 64);
            d.deflate(&data, &mut out)?;
            self.push_plain(Bytes::from(out));
            return Ok(());
        }
        self.push_plain(data);
        Ok(())
    }

    fn push_plain(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        if data.len() <= COALESCE_MAX {
            self.tail.extend_from_slice(&data);
        } else {
            self.seal();
            self.chunks.push_back(data);
        }
    }

    fn seal(&mut self) {
        if !self.tail.is_empty() {
            self.chunks.push_back(self.tail.split().freeze());
        }
    }

    /// Compress everything pushed from now on.
    #[cfg(feature = "compress")]
    pub(crate) fn start_compression(&mut self) {
        self.deflater = Some(crate::ext::compress::Deflater::new());
    }

    /// The next bytes to write, shared with the queue (no copy).
    pub(crate) fn peek(&mut self) -> Option<Bytes> {
        if self.chunks.is_empty() {
            self.seal();
        }
        self.chunks.front().map(|c| c.slice(self.offset..))
    }

    pub(crate) fn advance(&mut self, mut n: usize) {
        while n > 0 {
            if self.chunks.is_empty() {
                self.seal();
            }
            let Some(front) = self.chunks.front() else { return };
            let left = front.len() - self.offset;
            if n < left {
                self.offset += n;
                return;
            }
            n -= left;
            self.offset = 0;
            self.chunks.pop_front();
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty() && self.tail.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.chunks.iter().map(Bytes::len).sum::<usize>() - self.offset + self.tail.len()
    }

    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.tail.clear();
        self.offset = 0;
    }
}
