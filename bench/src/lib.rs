//! Parser throughput of imap-core against imap-proto and imap-codec, on the
//! same generated corpora, fed whole and in socket-sized reads.
//!
//! ```text
//! cargo run --release -p imap-bench --bin parse-bench
//! ```
//!
//! [`corpus`] builds the byte streams; [`drivers`] feeds them to each parser
//! the way its API is used from a socket reader. The binary times them and
//! prints the table.
//!
//! [`nagle_proxy`] is the loopback proxy of `delayed-ack-bench`, which shows
//! what TCP_QUICKACK saves against a server that leaves Nagle on;
//! [`delay_proxy`], the delay line of `concurrency-bench`, which sets
//! pipelined commands from many tasks against one after another.

pub mod corpus;
pub mod delay_proxy;
pub mod drivers;
pub mod nagle_proxy;
pub mod replay;

#[cfg(test)]
mod tests {
    use super::corpus::{self, Corpus};
    use super::drivers::{Feed, Parser};

    /// Every parser reads every response of every corpus (small versions),
    /// whole and however the reads split it.
    #[test]
    fn all_parsers_parse_every_response() {
        let corpora = [
            corpus::headers(60),
            corpus::bodies(600_000),
            corpus::zero_literals_one_response(6_000),
            corpus::zero_literals_many_responses(6_000),
        ];
        for corpus in &corpora {
            for feed in [Feed::Whole, Feed::Chunks(4096), Feed::Chunks(61)] {
                check(corpus, feed);
            }
        }
    }

    #[test]
    fn corpora_have_the_intended_sizes() {
        let headers = corpus::headers(1_500);
        assert!(headers.bytes.len() > 1_000_000, "{}", headers.bytes.len());
        let zero = corpus::zero_literals_one_response(100 * 1024);
        assert!((100 * 1024..101 * 1024).contains(&zero.bytes.len()));
        assert_eq!(corpus::headers(10).bytes, corpus::headers(10).bytes, "deterministic");
        for (name, build) in &corpus::ALL[2..] {
            assert_eq!(build().name, *name);
        }
        let small: Vec<usize> = (0..12).map(|i| corpus::small_message(i).len()).collect();
        assert!(small.iter().all(|n| (700..2_000).contains(n)), "{small:?}");
    }

    fn check(corpus: &Corpus, feed: Feed) {
        for parser in Parser::ALL {
            let got = parser.run(&corpus.bytes, feed);
            let want = if parser.is_copy() { corpus.bytes.len() } else { corpus.responses };
            assert_eq!(got, Ok(want), "{} on {} fed {}", parser.name(), corpus.name, feed.label());
        }
    }
}
