//! `imap-conformance serve <scenario-file> [--ca-file PATH]`: serves one
//! scenario on an ephemeral port of 127.0.0.1 for a driver in another
//! language. Prints the port on stdout (one line), writes the test CA's PEM
//! to PATH if asked, serves one session, and exits 0 if the client did what
//! the script expects, else 1 with the reason on stderr. Exit 2: bad usage
//! or a scenario that does not parse.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use imap_conformance::{ca_pem, Script, ScriptServer};

/// How long the client may take to connect (an interpreter starting up).
const FIRST_CLIENT: Duration = Duration::from_secs(30);

const USAGE: &str = "usage: imap-conformance serve <scenario-file> [--ca-file PATH]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (file, ca_file) = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve", file] => (file.to_string(), None),
        ["serve", file, "--ca-file", path] => (file.to_string(), Some(path.to_string())),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match serve(&file, ca_file.as_deref()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("imap-conformance: {e}");
            ExitCode::from(2)
        }
    }
}

/// Serves the scenario; whether the client passed it.
fn serve(file: &str, ca_file: Option<&str>) -> Result<bool, Box<dyn std::error::Error>> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let name = std::path::Path::new(file).file_stem().map_or(file.into(), |s| s.to_string_lossy());
    let script = Script::parse(&name, &text)?;
    if let Some(path) = ca_file {
        std::fs::write(path, ca_pem()).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    let server = ScriptServer::start(script)?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", server.port())?;
    stdout.flush()?;
    match server.finish_within(FIRST_CLIENT) {
        Ok(()) => Ok(true),
        Err(failure) => {
            eprintln!("{failure}");
            Ok(false)
        }
    }
}
