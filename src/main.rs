//! terraform-provider-sigsentry: serves the SigSentry provider to Terraform or OpenTofu.

use sigsentry_provider::framework::ProviderAdapter;
use sigsentry_provider::provider::{SigSentryProvider, PROVIDER_ADDRESS};
use sigsentry_provider::tfplugin::{logging, serve};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--debug" => debug = true,
            "--version" | "-v" => {
                println!("terraform-provider-sigsentry {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!(
                    "terraform-provider-sigsentry {}\n\nA Terraform/OpenTofu plugin: terraform starts it.\n\n  --debug    serve for TF_REATTACH_PROVIDERS (prints the value to set)\n  --version  print the version",
                    env!("CARGO_PKG_VERSION")
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; see --help");
                return ExitCode::FAILURE;
            }
        }
    }
    logging::init("provider.sigsentry");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let opts = serve::ServeOptions {
        debug,
        provider_address: PROVIDER_ADDRESS.to_string(),
    };
    let result = runtime.block_on(serve::serve(
        ProviderAdapter::new(SigSentryProvider::new()),
        opts,
    ));
    // Don't wait for idle connections or blocking tasks: Terraform expects a prompt exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    report_usage();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// For benchmarks: appends a line `<peak RSS in kB> <CPU time in ms>` for this process to
/// the file named by `SIGSENTRY_USAGE_FILE`, when set. Linux only (read from /proc); the
/// line is skipped where /proc is missing.
fn report_usage() {
    let Some(path) = std::env::var_os("SIGSENTRY_USAGE_FILE") else {
        return;
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    let cpu_ms = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| cpu_ms_from_stat(&stat));
    if let (Some(kb), Some(ms)) = (peak_kb, cpu_ms) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{kb} {ms}");
        }
    }
}

/// User plus system CPU time, in ms, from a `/proc/<pid>/stat` line. The fields after the
/// command name (which may hold spaces) are counted from its closing parenthesis; utime and
/// stime are fields 14 and 15, in USER_HZ ticks, which Linux fixes at 100 per second.
fn cpu_ms_from_stat(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so field n is at index n - 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10)
}

#[cfg(test)]
mod tests {
    use super::cpu_ms_from_stat;

    #[test]
    fn cpu_time_is_read_past_a_command_name_with_spaces() {
        let stat = "4242 (a b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 25 7 0 0 20 0 3 0";
        assert_eq!(cpu_ms_from_stat(stat), Some(320));
        assert_eq!(cpu_ms_from_stat("garbage"), None);
    }
}
