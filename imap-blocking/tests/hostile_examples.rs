//! The demo against servers that misbehave on purpose (garbage or BYE
//! greeting, endless line, literal bomb, EOF mid-literal, injected bytes
//! after STARTTLS, a flood of untagged data): each run ends on its own with
//! a non-zero exit and an `error:` line naming the problem, never a panic
//! or a hang, in bounded memory.

use imap_conformance::hostile::{self, Hostile};

/// Peak memory allowed for one run: the 8 MiB line limit and one read on
/// top of a debug build's baseline.
const MAX_RSS: u64 = 64 << 20;

#[test]
fn demo_against_every_hostile_server() {
    for case in Hostile::ALL {
        let server = hostile::serve(case);
        let run = hostile::run_example(hostile::example("imap-blocking", "demo"), &server, &[]);
        eprintln!("demo vs {case:?}: exit {:?} in {:?}, peak {} KiB", run.code, run.elapsed, run.max_rss_kib);
        eprintln!("  {}", run.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("(no error line)"));
        run.assert_clean_failure(case, MAX_RSS);
    }
}
