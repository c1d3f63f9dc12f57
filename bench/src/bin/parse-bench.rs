//! Prints a table of parser throughput (MB/s) for imap-core, imap-proto and
//! imap-codec on the same corpora, fed whole and in 4 KiB reads.
//!
//! ```text
//! cargo run --release -p imap-bench --bin parse-bench -- [--time SECS] [--corpus TEXT] [--parser NAME] [--feed whole|chunks]
//! ```
//!
//! The parsers of a row are timed by turns, in rounds of at least 10 ms each,
//! for about `--time` seconds per parser (default 1); each cell is the median
//! over rounds. Every run's count of responses is checked against the
//! corpus, so no parser skips anything. The filters pick a subset, e.g. to
//! run one cell under a profiler:
//! `--corpus headers --parser imap-core --feed chunks --time 20`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use imap_bench::corpus::{self, Corpus};
use imap_bench::drivers::{Feed, Parser};

const USAGE: &str =
    "usage: parse-bench [--time SECS] [--corpus TEXT]... [--parser NAME]... [--feed whole|chunks]";

/// The read size of the chunked rows: a typical socket read.
const CHUNK: usize = 4 * 1024;

/// Fewest timed rounds per cell.
const MIN_ROUNDS: usize = 5;

/// Least time a parser runs for in one round.
const SLICE: Duration = Duration::from_millis(10);

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("parse-bench: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("parse-bench: built without optimisations; the figures mean nothing (use --release)");
    }
    let wanted = |name: &str| {
        options.corpora.is_empty()
            || options
                .corpora
                .iter()
                .any(|t| name == t || (!corpus::ALL.iter().any(|(n, _)| n == t) && name.contains(t.as_str())))
    };
    let corpora: Vec<Corpus> =
        corpus::ALL.iter().filter(|(name, _)| wanted(name)).map(|(_, build)| build()).collect();
    let feeds: Vec<Feed> = [Feed::Whole, Feed::Chunks(CHUNK)]
        .into_iter()
        .filter(|f| options.feed.is_none_or(|want| want == matches!(f, Feed::Chunks(_))))
        .collect();
    let parsers: Vec<Parser> = Parser::ALL
        .into_iter()
        .filter(|p| options.parsers.is_empty() || options.parsers.iter().any(|n| n == p.name()))
        .collect();
    if corpora.is_empty() || feeds.is_empty() || parsers.is_empty() {
        eprintln!("parse-bench: the filters leave nothing to measure\n{USAGE}");
        return ExitCode::from(2);
    }

    let mut rows = Vec::new();
    for corpus in &corpora {
        for &feed in &feeds {
            // Copying whole is a single memcpy: nothing to compare with.
            let measured: Vec<Parser> =
                parsers.iter().copied().filter(|p| !(p.is_copy() && feed == Feed::Whole)).collect();
            if measured.is_empty() {
                continue;
            }
            eprintln!("{} / {} ...", corpus.name, feed.label());
            match measure_row(corpus, feed, &measured, options.budget) {
                Ok(cells) => {
                    for (parser, m) in &cells {
                        let mb_s = figure(m.mb_per_s(corpus.bytes.len()));
                        eprintln!("  {}: {mb_s} MB/s, median of {} rounds", parser.name(), m.rounds);
                    }
                    rows.push(Row { corpus, feed, cells });
                }
                Err(e) => {
                    eprintln!("parse-bench: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    print_report(&rows, &parsers, options.budget);
    ExitCode::SUCCESS
}

#[derive(Debug)]
struct Options {
    budget: Duration,
    corpora: Vec<String>,
    parsers: Vec<String>,
    /// `Some(true)` for chunks only, `Some(false)` for whole only.
    feed: Option<bool>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options =
            Options { budget: Duration::from_secs(1), corpora: Vec::new(), parsers: Vec::new(), feed: None };
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--time" => {
                    let secs: f64 = value()?.parse().map_err(|e| format!("--time: {e}"))?;
                    options.budget = Duration::try_from_secs_f64(secs).map_err(|e| format!("--time: {e}"))?;
                }
                "--corpus" => options.corpora.push(value()?),
                "--parser" => {
                    let name = value()?;
                    if !Parser::ALL.iter().any(|p| p.name() == name) {
                        let names: Vec<_> = Parser::ALL.iter().map(|p| p.name()).collect();
                        return Err(format!("unknown parser {name:?}; one of {names:?}"));
                    }
                    options.parsers.push(name);
                }
                "--feed" => {
                    options.feed = Some(match value()?.as_str() {
                        "whole" => false,
                        "chunks" => true,
                        other => return Err(format!("unknown feed {other:?}")),
                    })
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(options)
    }
}

/// The median over rounds of the time one run takes.
#[derive(Debug, Clone, Copy)]
struct Measurement {
    median: Duration,
    rounds: usize,
}

impl Measurement {
    fn mb_per_s(&self, bytes: usize) -> f64 {
        bytes as f64 / self.median.as_secs_f64() / 1e6
    }
}

/// Times the parsers of one row by turns, so that a slow spell of the
/// machine weighs on all of them alike. Each round runs each parser for at
/// least [`SLICE`] and records its mean time per run; rounds go on until the
/// row has had `budget` per parser (and at least [`MIN_ROUNDS`]). The first,
/// untimed run of each parser checks its count of responses and warms up.
fn measure_row(
    corpus: &Corpus,
    feed: Feed,
    parsers: &[Parser],
    budget: Duration,
) -> Result<Vec<(Parser, Measurement)>, String> {
    for &parser in parsers {
        run_checked(parser, corpus, feed)?;
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); parsers.len()];
    let started = Instant::now();
    let total = budget * parsers.len() as u32;
    while times[0].len() < MIN_ROUNDS || started.elapsed() < total {
        for (i, &parser) in parsers.iter().enumerate() {
            let t = Instant::now();
            let mut runs = 0;
            while runs == 0 || t.elapsed() < SLICE {
                run_checked(parser, corpus, feed)?;
                runs += 1;
            }
            times[i].push(t.elapsed() / runs);
        }
    }
    Ok(parsers
        .iter()
        .zip(times)
        .map(|(&parser, mut t)| {
            t.sort();
            (parser, Measurement { median: t[t.len() / 2], rounds: t.len() })
        })
        .collect())
}

fn run_checked(parser: Parser, corpus: &Corpus, feed: Feed) -> Result<(), String> {
    let want = if parser.is_copy() { corpus.bytes.len() } else { corpus.responses };
    let got = parser.run(&corpus.bytes, feed)?;
    if got != want {
        return Err(format!(
            "{} parsed {got} responses of {} fed {}, expected {want}",
            parser.name(),
            corpus.name,
            feed.label()
        ));
    }
    Ok(())
}

struct Row<'a> {
    corpus: &'a Corpus,
    feed: Feed,
    cells: Vec<(Parser, Measurement)>,
}

impl Row<'_> {
    fn get(&self, parser: Parser) -> Option<&Measurement> {
        self.cells.iter().find(|(p, _)| *p == parser).map(|(_, m)| m)
    }

    fn mb_per_s(&self, parser: Parser) -> Option<f64> {
        self.get(parser).map(|m| m.mb_per_s(self.corpus.bytes.len()))
    }

    /// How many times faster imap-core is than `other` here.
    fn core_over(&self, other: Parser) -> Option<f64> {
        Some(self.mb_per_s(Parser::Core)? / self.mb_per_s(other)?)
    }
}

fn print_report(rows: &[Row<'_>], parsers: &[Parser], budget: Duration) {
    println!(
        "Parser throughput in MB/s (10^6 bytes of server stream per second), median over rounds; \
         ~{budget:?} per cell"
    );
    if let Some(cpu) = cpu_model() {
        println!("CPU: {cpu}");
    }
    println!();
    let mut header = String::from("| corpus | size | feed | responses |");
    let mut rule = String::from("|---|---:|---|---:|");
    for parser in parsers {
        header.push_str(&format!(" {} |", parser.name()));
        rule.push_str("---:|");
    }
    header.push_str(" core ÷ proto | core ÷ codec | core ÷ copy | core ÷ reused copy |");
    rule.push_str("---:|---:|---:|---:|");
    println!("{header}\n{rule}");
    for row in rows {
        let mut line = format!(
            "| {} | {} | {} | {} |",
            row.corpus.name,
            size(row.corpus.bytes.len()),
            row.feed.label(),
            row.corpus.responses
        );
        for &parser in parsers {
            match row.mb_per_s(parser) {
                Some(v) => line.push_str(&format!(" {} |", figure(v))),
                None => line.push_str(" – |"),
            }
        }
        for other in [Parser::Proto, Parser::Codec, Parser::Copy, Parser::CopyReused] {
            match row.core_over(other) {
                Some(r) => line.push_str(&format!(" {r:.2}× |")),
                None => line.push_str(" – |"),
            }
        }
        println!("{line}");
    }
    println!();
    for corpus in corpus_names(rows) {
        if let Some(row) = rows.iter().find(|r| r.corpus.name == corpus) {
            println!("- {}: {}", row.corpus.name, row.corpus.description);
        }
    }
    print_targets(rows);
}

fn print_targets(rows: &[Row<'_>]) {
    let find = |name: &str, chunked: bool| {
        rows.iter().find(|r| r.corpus.name == name && matches!(r.feed, Feed::Chunks(_)) == chunked)
    };
    println!();
    println!("Targets:");
    for chunked in [false, true] {
        if let Some(r) = find("headers", chunked).and_then(|row| Some((row, row.core_over(Parser::Proto)?))) {
            let (row, ratio) = r;
            println!(
                "- headers, {}: imap-core at least 2× imap-proto: {ratio:.2}× — {}",
                row.feed.label(),
                verdict(ratio >= 2.0)
            );
        }
    }
    if let Some(row) = find("bodies", true) {
        for copy in [Parser::Copy, Parser::CopyReused] {
            if let Some(ratio) = row.core_over(copy) {
                println!(
                    "- bodies, {}: imap-core within 2× of the {}: takes {:.2}× its time — {}",
                    row.feed.label(),
                    copy.name(),
                    1.0 / ratio,
                    verdict(ratio >= 0.5)
                );
            }
        }
    }
    let small = find("zero-lit 1 resp", true);
    let large = find("zero-lit 1 resp, 1 MiB", true);
    if let (Some(small), Some(large)) = (small, large) {
        println!(
            "- `{{0}}` literals linear: MB/s on one response of 1 MiB ÷ MB/s on 100 KiB, {} \
             (1.0 = linear, 0.1 = quadratic):",
            small.feed.label()
        );
        for parser in [Parser::Core, Parser::Proto, Parser::Codec] {
            if let (Some(a), Some(b)) = (small.mb_per_s(parser), large.mb_per_s(parser)) {
                let ratio = b / a;
                let note = if parser == Parser::Core {
                    format!(" — {}", verdict(ratio >= 0.5))
                } else {
                    String::new()
                };
                println!("  - {}: {} → {} MB/s, {ratio:.2}{note}", parser.name(), figure(a), figure(b));
            }
        }
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn corpus_names<'a>(rows: &'a [Row<'_>]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for row in rows {
        if !names.contains(&row.corpus.name) {
            names.push(row.corpus.name);
        }
    }
    names
}

/// Three significant digits.
fn figure(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}
