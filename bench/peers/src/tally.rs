//! What a raw reply holds, counted the way the clients' results are: the
//! FETCH responses, the bytes of their `BODY[]` literals and the sum of
//! their `RFC822.SIZE`. The raw floor counts its first (warm-up) reply
//! with this, untimed; its timed runs only drain.

/// The counts every row is checked against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    /// `* n FETCH` responses.
    pub(crate) messages: u64,
    /// Bytes of the `BODY[]` literals.
    pub(crate) body_bytes: u64,
    /// The sum of `RFC822.SIZE`.
    pub(crate) size_sum: u64,
}

/// Counts a reply fed in any chunks, holding only the current line (never
/// a literal): the floor's first run counts as it reads.
#[derive(Debug)]
pub(crate) struct Counter {
    tally: Tally,
    /// The current line so far (outside literals).
    line: Vec<u8>,
    /// Literal bytes still to skip.
    literal_left: u64,
    /// The next line starts a response (not a line after a literal).
    response_start: bool,
}

impl Default for Counter {
    fn default() -> Self {
        Counter { tally: Tally::default(), line: Vec::new(), literal_left: 0, response_start: true }
    }
}

impl Counter {
    pub(crate) fn feed(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            if self.literal_left > 0 {
                let skip = self.literal_left.min(chunk.len() as u64);
                self.literal_left -= skip;
                chunk = &chunk[skip as usize..];
                continue;
            }
            let Some(lf) = chunk.iter().position(|&b| b == b'\n') else {
                self.line.extend_from_slice(chunk);
                return;
            };
            self.line.extend_from_slice(&chunk[..lf]);
            chunk = &chunk[lf + 1..];
            let line = std::mem::take(&mut self.line);
            if self.response_start && is_fetch(&line) {
                self.tally.messages += 1;
            }
            self.tally.size_sum += size_items(&line);
            match literal(&line) {
                Some((len, before)) => {
                    if before.ends_with(b"BODY[] ") || before.ends_with(b"BODY[]") {
                        self.tally.body_bytes += len;
                    }
                    self.literal_left = len;
                    self.response_start = false;
                }
                None => self.response_start = true,
            }
            self.line = line;
            self.line.clear();
        }
    }

    pub(crate) fn tally(&self) -> Tally {
        self.tally
    }
}

/// `* <digits> FETCH ` at a response's start.
fn is_fetch(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"* ") else { return false };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest[digits..].starts_with(b" FETCH ")
}

/// The sum of the `RFC822.SIZE <n>` items in one line (outside literals).
fn size_items(line: &[u8]) -> u64 {
    const KEY: &[u8] = b"RFC822.SIZE ";
    let mut sum = 0;
    let mut from = 0;
    while let Some(i) = line[from..].windows(KEY.len()).position(|w| w == KEY) {
        let digits = &line[from + i + KEY.len()..];
        let n =
            digits.iter().take_while(|b| b.is_ascii_digit()).fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        sum += n;
        from += i + KEY.len();
    }
    sum
}

/// A line ending in `{n}\r`: `n` and what comes before the brace.
fn literal(line: &[u8]) -> Option<(u64, &[u8])> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(digits).ok()?.parse().ok()?, &inner[..open]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(reply: &[u8], chunk: usize) -> Tally {
        let mut c = Counter::default();
        reply.chunks(chunk).for_each(|piece| c.feed(piece));
        c.tally()
    }

    #[test]
    fn counts_fetches_bodies_and_sizes_skipping_literal_text() {
        let reply = b"* 1 FETCH (UID 1 BODY[] {13}\r\n* 9 FETCH (\r\n)\r\n\
            * 2 FETCH (UID 2 RFC822.SIZE 40 ENVELOPE (NIL {3}\r\nabc NIL) FLAGS ())\r\n\
            * 3 EXISTS\r\n* 4 FETCH (UID 4 BODY[] {0}\r\n)\r\nZ1 OK done\r\n";
        for chunk in [1, 2, 5, 64, reply.len()] {
            assert_eq!(
                tally(reply, chunk),
                Tally { messages: 3, body_bytes: 13, size_sum: 40 },
                "chunks of {chunk}"
            );
        }
    }
}
