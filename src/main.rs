//! terraform-provider-sigsentry: serves the SigSentry provider to Terraform or OpenTofu.

use sigsentry_provider::framework::ProviderAdapter;
use sigsentry_provider::provider::{SigSentryProvider, PROVIDER_ADDRESS};
use sigsentry_provider::tfplugin::{logging, server};
use sigsentry_provider::usage;
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
    logging::init(
        "provider.sigsentry",
        &["sigsentry_provider", "terraform_provider_sigsentry"],
    );
    // A provider whose declarations contradict themselves is never served.
    let adapter = match ProviderAdapter::new(SigSentryProvider::new()) {
        Ok(adapter) => adapter,
        Err(e) => {
            eprintln!("terraform-provider-sigsentry cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
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
    let opts = server::ServeOptions {
        debug,
        provider_address: PROVIDER_ADDRESS.to_string(),
    };
    let result = runtime.block_on(server::serve(adapter, opts));
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
/// the file named by `SIGSENTRY_USAGE_FILE`, when set (Linux only; see [`usage`]).
fn report_usage() {
    let Some(path) = std::env::var_os("SIGSENTRY_USAGE_FILE") else {
        return;
    };
    if let (Some(kb), Some(cpu)) = (usage::peak_rss_kb(), usage::cpu_seconds()) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{kb} {}", (cpu * 1000.0).round() as u64);
        }
    }
}
