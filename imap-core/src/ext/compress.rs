//! COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (no zlib header) in both
//! directions, with a sync flush after every command so the server can read
//! it at once.

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::stream::InflateState;
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use crate::error::CompressError;

/// Output growth step for the inflater.
const CHUNK: usize = 32 * 1024;

/// The receive side: inflates server bytes.
pub(crate) struct Inflater {
    state: Box<InflateState>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inflater")
    }
}

impl Inflater {
    pub(crate) fn new() -> Self {
        Self { state: InflateState::new_boxed(DataFormat::Raw), buf: vec![0; CHUNK] }
    }

    /// Inflates `input`, handing the plain bytes to `sink` as they come.
    pub(crate) fn inflate(
        &mut self,
        mut input: &[u8],
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), CompressError> {
        loop {
            let r =
                miniz_oxide::inflate::stream::inflate(&mut self.state, input, &mut self.buf, MZFlush::None);
            input = &input[r.bytes_consumed..];
            if r.bytes_written > 0 {
                sink(&self.buf[..r.bytes_written]);
            }
            match r.status {
                Ok(MZStatus::Ok) => {}
                Ok(MZStatus::StreamEnd) => {
                    if !input.is_empty() {
                        return Err(CompressError::TrailingData);
                    }
                    return Ok(());
                }
                // No progress possible: all input consumed and output not full.
                Err(MZError::Buf) => return Ok(()),
                Ok(MZStatus::NeedDict) => return Err(CompressError::NeedsDictionary),
                Err(_) => return Err(CompressError::Corrupt),
            }
            if input.is_empty() && r.bytes_written < self.buf.len() {
                return Ok(());
            }
        }
    }
}

/// The send side: deflates client bytes.
pub(crate) struct Deflater {
    state: Box<CompressorOxide>,
}

impl std::fmt::Debug for Deflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Deflater")
    }
}

impl Deflater {
    pub(crate) fn new() -> Self {
        // Level 6, raw DEFLATE (negative window bits), default strategy.
        let flags = create_comp_flags_from_zip_params(6, -15, 0);
        Self { state: Box::new(CompressorOxide::new(flags)) }
    }

    /// Compresses `input` with a sync flush, appending to `out`.
    pub(crate) fn deflate(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressError> {
        let mut buf = vec![0u8; (input.len() + 64).clamp(256, CHUNK)];
        loop {
            let (status, consumed, written) = compress(&mut self.state, input, &mut buf, TDEFLFlush::Sync);
            out.extend_from_slice(&buf[..written]);
            input = &input[consumed..];
            match status {
                TDEFLStatus::Okay if input.is_empty() && written < buf.len() => return Ok(()),
                TDEFLStatus::Okay | TDEFLStatus::Done => {
                    if input.is_empty() && written < buf.len() {
                        return Ok(());
                    }
                }
                _ => return Err(CompressError::Deflate),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_pieces() {
        let mut d = Deflater::new();
        let mut wire = Vec::new();
        let msgs: Vec<Vec<u8>> = (0..50)
            .map(|i| format!("A{i} FETCH 1:* (FLAGS {})\r\n", "x".repeat(i * 97)).into_bytes())
            .collect();
        let mut boundaries = Vec::new();
        for m in &msgs {
            d.deflate(m, &mut wire).unwrap();
            boundaries.push(wire.len());
        }
        let mut i = Inflater::new();
        let mut plain = Vec::new();
        for chunk in wire.chunks(7) {
            i.inflate(chunk, |b| plain.extend_from_slice(b)).unwrap();
        }
        assert_eq!(plain, msgs.concat());
        // A sync flush makes each message decodable on its own arrival.
        let mut i = Inflater::new();
        let mut plain = Vec::new();
        i.inflate(&wire[..boundaries[0]], |b| plain.extend_from_slice(b)).unwrap();
        assert_eq!(plain, msgs[0]);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        let mut i = Inflater::new();
        assert!(i.inflate(&[0xff; 64], |_| {}).is_err());
    }
}
