//! sigsentry-mock: the bundled fake SigSentry API as a server, for demos and pipelines.

use clap::Parser;
use sigsentry_provider::fake_api::{ApiKey, FakeApi, RateLimitHeaders, SeedSource, Settings};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A stateful fake of the SigSentry log-source API on a loopback address.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Address to listen on (port 0 picks a free port). Anything but loopback lets other
    /// machines use the fake and, with --admin, read the credentials it stores.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Accepted API key: TOKEN[:project=P|:tenant][:read|:write|:rw]; repeatable.
    /// Prefer the environment variable, which `ps` does not show.
    /// Default: ss_secret_demo_key (project prj_default, read+write).
    #[arg(
        long = "key",
        env = "SIGSENTRY_MOCK_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    keys: Vec<String>,
    /// Serve the /_fake admin routes (no key needed; they return stored credentials).
    #[arg(long, env = "SIGSENTRY_MOCK_ADMIN")]
    admin: bool,
    /// Milliseconds of latency added to every API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Requests per second allowed (answered 429 with Retry-After beyond); 0: no limit.
    #[arg(long, default_value_t = 0)]
    rate_limit: u32,
    /// Under a rate limit, send the RateLimit-Limit, -Remaining and -Reset headers on every
    /// answer (full), or only Retry-After on a 429 (none).
    #[arg(long, value_enum, default_value_t = RateLimitHeaders::Full)]
    rate_limit_headers: RateLimitHeaders,
    /// Extra projects of the tenant (for tenant-scoped keys).
    #[arg(long = "project")]
    projects: Vec<String>,
    /// The plan's logSourcesPerProject quota.
    #[arg(long, default_value_t = 1000)]
    quota: usize,
    /// Keep state in this file across restarts (written atomically after each change).
    #[arg(long)]
    state_file: Option<PathBuf>,
    /// Preload the log sources in this JSON file: an array of {"type", "name", "sources",
    /// "isActive" (optional, default true), "projectId" (optional, default prj_default)}.
    /// Ignored when --state-file names a file that already exists.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "sigsentry-mock: warning: listening on {}, not a loopback address: anyone who can \
             reach it can use the fake{}",
            args.listen,
            if args.admin {
                " and read every stored credential"
            } else {
                ""
            }
        );
    }
    let mut api = FakeApi::new()
        .quota(args.quota)
        .admin(args.admin)
        .pacing(Settings {
            latency_ms: args.latency_ms,
            rate_limit: args.rate_limit,
            rate_limit_headers: args.rate_limit_headers,
        });
    let keys = if args.keys.is_empty() {
        vec!["ss_secret_demo_key".to_string()]
    } else {
        args.keys
    };
    for spec in &keys {
        match ApiKey::parse(spec) {
            Ok(k) => api = api.key(k),
            Err(e) => {
                eprintln!("sigsentry-mock: bad --key: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for p in &args.projects {
        api = api.project(p);
    }
    if let Some(path) = args.state_file {
        api = api.state_file(path);
    }
    if let Some(path) = &args.seed {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| SeedSource::parse_list(&text));
        match parsed {
            Ok(list) => api = api.seed(list),
            Err(e) => {
                eprintln!("sigsentry-mock: bad --seed {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sigsentry-mock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let handle = match api.start(args.listen).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("sigsentry-mock: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Signal handlers first: a script may stop us as soon as it reads the address.
        #[cfg(unix)]
        use tokio::signal::unix::{signal, SignalKind};
        #[cfg(unix)]
        let (mut term, mut int) = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(t), Ok(i)) => (t, i),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("sigsentry-mock: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Windows: Ctrl-C or Ctrl-Break (what a console or a job runner sends).
        #[cfg(windows)]
        let (mut int, mut brk) = match (
            tokio::signal::windows::ctrl_c(),
            tokio::signal::windows::ctrl_break(),
        ) {
            (Ok(i), Ok(b)) => (i, b),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("sigsentry-mock: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", handle.url());
        let _ = out.flush();
        drop(out);
        #[cfg(unix)]
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
        #[cfg(windows)]
        tokio::select! {
            _ = int.recv() => {}
            _ = brk.recv() => {}
        }
        handle.shutdown().await;
        ExitCode::SUCCESS
    })
}
