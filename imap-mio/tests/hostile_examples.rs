//! The `notify` example against servers that misbehave on purpose (garbage
//! or BYE greeting, endless line, literal bomb, EOF mid-literal, injected
//! bytes after STARTTLS): each run ends on its own with a non-zero exit and
//! an `error:` line naming the problem, never a panic or a hang, in bounded
//! memory. (A flood during IDLE is news, not an error: left out.)

use imap_conformance::hostile::{self, Hostile};

const MAX_RSS: u64 = 64 << 20;

#[test]
fn notify_against_hostile_servers() {
    for case in Hostile::ALL.into_iter().filter(|&c| c != Hostile::Flood) {
        let server = hostile::serve(case);
        let run =
            hostile::run_example(hostile::example("imap-mio", "notify"), &server, &["--connections", "2"]);
        eprintln!(
            "notify vs {case:?}: exit {:?} in {:?}, peak {} KiB",
            run.code, run.elapsed, run.max_rss_kib
        );
        eprintln!("  {}", run.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("(no error line)"));
        run.assert_clean_failure(case, MAX_RSS);
    }
}
