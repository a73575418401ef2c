//! The `sigsentry-mock` binary as a child process, for the tests of the binary itself.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

/// A running `sigsentry-mock`; killed when dropped.
pub struct MockProcess {
    child: Child,
    /// Its base URL, from the `listening on URL` line it prints.
    pub url: String,
}

impl MockProcess {
    /// Starts `sigsentry-mock ARGS` and waits for its address line.
    pub fn start<I, S>(args: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Self::start_in(Path::new("."), args)
    }

    /// Starts `sigsentry-mock ARGS` in `dir`, as a user runs it there, and waits for its
    /// address line.
    pub fn start_in<I, S>(dir: &Path, args: I) -> MockProcess
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigsentry-mock"))
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("sigsentry-mock starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("an address line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("address line: {line:?}"))
            .to_string();
        MockProcess { child, url }
    }

    /// Sends SIGTERM, as a pipeline stops it, and waits for it to exit.
    pub fn terminate(mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("sigsentry-mock exits")
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
