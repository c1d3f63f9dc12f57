//! Runs one example binary against one hostile case and prints how it
//! ended: `hostile_probe PATH CASE [ARGS...]` (CASE as in `Hostile`'s
//! Debug form, e.g. EndlessAnswer).

use imap_conformance::hostile::{self, Hostile};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(case)) = (args.next(), args.next()) else {
        eprintln!("usage: hostile_probe PATH CASE [ARGS...]");
        std::process::exit(2);
    };
    let all = Hostile::ALL.into_iter().chain([Hostile::EndlessAnswer]);
    let Some(case) = all.into_iter().find(|c| format!("{c:?}") == case) else {
        eprintln!("unknown case {case}");
        std::process::exit(2);
    };
    let rest: Vec<String> = args.collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let run = hostile::run_example(path, &hostile::serve(case), &rest);
    println!("{case:?}: exit {:?} in {:.1?}, peak {} MiB", run.code, run.elapsed, run.max_rss_kib / 1024);
    println!("{}", run.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or("(no error line)"));
}
