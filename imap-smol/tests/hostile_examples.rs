//! The examples against servers that misbehave on purpose (garbage or BYE
//! greeting, endless line, literal bomb, EOF mid-literal, injected bytes
//! after STARTTLS, a flood of untagged data): each run ends on its own with
//! a non-zero exit and an `error:` line naming the problem, never a panic
//! or a hang, in bounded memory.

use imap_conformance::hostile::{self, Hostile};

/// Peak memory allowed for one run: the 8 MiB line limit and one read on
/// top of a debug build's baseline.
const MAX_RSS: u64 = 64 << 20;

fn check(name: &str, case: Hostile, args: &[&str]) {
    let server = hostile::serve(case);
    let run = hostile::run_example(hostile::example("imap-smol", name), &server, args);
    eprintln!("{name} vs {case:?}: exit {:?} in {:?}, peak {} KiB", run.code, run.elapsed, run.max_rss_kib);
    eprintln!("  {}", run.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("(no error line)"));
    run.assert_clean_failure(case, MAX_RSS);
}

#[test]
fn concurrent_fetch_against_every_hostile_server() {
    for case in Hostile::ALL {
        check("concurrent_fetch", case, &["--tasks", "4"]);
    }
}

#[test]
fn watch_against_hostile_greetings_and_streams() {
    // IDLE is news by definition, so a flood during it is not an error;
    // everything else is.
    for case in Hostile::ALL.into_iter().filter(|&c| c != Hostile::Flood) {
        check("watch", case, &[]);
    }
}
