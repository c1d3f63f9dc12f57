//! Worker processes seen from the orchestrator: start one (this binary or
//! the Python script), tell it to run, read its JSON lines with a timeout,
//! and read its memory from `/proc/<pid>/status` (`VmRSS` once it is
//! ready, `VmHWM`, the kernel's peak, before it quits).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::clients::{Client, Op, Runner};
use crate::worker::Outcome;

/// Where and how workers reach the server, and how to start them.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: String,
    /// The venv's interpreter and the script; `None`: no Python rows.
    pub(crate) python: Option<(PathBuf, PathBuf)>,
    /// How long one run (or the start) may take before the worker is
    /// stopped and its row reports a timeout.
    pub(crate) timeout: Duration,
}

/// One running worker.
#[derive(Debug)]
pub(crate) struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    timeout: Duration,
    /// Resident memory once logged in, before the first run (KiB).
    pub(crate) baseline_kib: u64,
}

impl Worker {
    /// Starts `client`'s worker for `op` on `mailbox` (through `port`, which
    /// may be a proxy's) and waits until it is logged in.
    pub(crate) fn start(
        setup: &Setup,
        client: &Client,
        op: Op,
        mailbox: &str,
        uids: (u32, u32),
        port: u16,
    ) -> Result<Worker, String> {
        let args = [
            client.id.to_owned(),
            op.arg().to_owned(),
            mailbox.to_owned(),
            uids.0.to_string(),
            uids.1.to_string(),
        ];
        let mut command = match client.runner {
            Runner::Rust => {
                let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
                let mut c = Command::new(exe);
                c.arg("worker");
                c
            }
            Runner::Python => {
                let (python, script) = setup.python.as_ref().ok_or("no Python environment")?;
                let mut c = Command::new(python);
                c.arg(script).arg("worker");
                c
            }
        };
        command
            .args(args)
            .env("IMAP_HOST", &setup.host)
            .env("IMAP_PORT", port.to_string())
            .env("IMAP_USER", &setup.user)
            .env("IMAP_PASSWORD", &setup.password)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().map_err(|e| format!("start the {} worker: {e}", client.id))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no worker stdout")?;
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut worker = Worker { child, stdin, lines, timeout: setup.timeout, baseline_kib: 0 };
        let ready = worker.next_message()?;
        if ready.get("ready").and_then(Value::as_bool) != Some(true) {
            return Err(message_error(&ready));
        }
        worker.baseline_kib = worker.status_kib("VmRSS").unwrap_or(0);
        Ok(worker)
    }

    /// Runs the operation once; also the CPU time the worker's threads
    /// spent meanwhile (from `/proc/<pid>/task/*/schedstat`, in ns: the
    /// client's own cost, which a busy machine does not inflate as it does
    /// wall time).
    pub(crate) fn run(&mut self) -> Result<(Outcome, Duration), String> {
        let cpu_before = self.cpu_ns();
        let stdin = self.stdin.as_mut().ok_or("the worker's input is closed")?;
        stdin.write_all(b"run\n").and_then(|()| stdin.flush()).map_err(|e| format!("worker gone: {e}"))?;
        let v = self.next_message()?;
        let (Some(ms), Some(messages), Some(bytes)) = (
            v.get("ms").and_then(Value::as_f64),
            v.get("messages").and_then(Value::as_u64),
            v.get("bytes").and_then(Value::as_u64),
        ) else {
            return Err(message_error(&v));
        };
        let reply = v.get("reply").and_then(Value::as_u64).unwrap_or(0);
        let cpu = Duration::from_nanos(self.cpu_ns().saturating_sub(cpu_before));
        Ok((Outcome { elapsed: Duration::from_secs_f64(ms / 1e3), messages, bytes, reply }, cpu))
    }

    /// Nanoseconds on CPU so far, all threads.
    fn cpu_ns(&self) -> u64 {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.child.id())) else { return 0 };
        tasks
            .filter_map(Result::ok)
            .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
            .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .sum()
    }

    /// The local ports of the worker's TCP connections to `remote_port`
    /// (its sockets, from `/proc/<pid>/fd`, looked up in `/proc/net/tcp`).
    pub(crate) fn ports_to(&self, remote_port: u16) -> Vec<u16> {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())) else { return Vec::new() };
        let inodes: Vec<u64> = fds
            .filter_map(Result::ok)
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .filter_map(|link| link.to_str()?.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok())
            .collect();
        imap_bench::nagle_proxy::tcp_sockets()
            .into_iter()
            .filter(|e| e.remote_port == remote_port && inodes.contains(&e.inode))
            .map(|e| e.local_port)
            .collect()
    }

    /// The peak resident memory so far (KiB).
    pub(crate) fn peak_kib(&self) -> Option<u64> {
        self.status_kib("VmHWM")
    }

    /// Tells the worker to log out and waits for it (a little).
    pub(crate) fn quit(mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"quit\n");
        }
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn next_message(&mut self) -> Result<Value, String> {
        loop {
            let line = match self.lines.recv_timeout(self.timeout) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    return Err(format!("timeout ({} s)", self.timeout.as_secs()));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                    return Err(format!("the worker ended ({status})"));
                }
            };
            // Anything not JSON (a library's print) is passed on, not parsed.
            match serde_json::from_str::<Value>(&line) {
                Ok(v) if v.is_object() => return Ok(v),
                _ => eprintln!("  worker: {line}"),
            }
        }
    }

    fn status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn message_error(v: &Value) -> String {
    v.get("error").and_then(Value::as_str).map_or_else(|| format!("unexpected answer {v}"), str::to_owned)
}
