//! sigsentry-mock: the bundled fake SigSentry API as a server, for demos and pipelines.

use clap::builder::NonEmptyStringValueParser;
use clap::Parser;
use sigsentry_mock::{ApiKey, ApiMode, FakeApi, RateLimitHeaders, SeedSource, Settings, ALL_MODES};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// A stateful fake of the SigSentry log-source API, for testing Terraform modules offline.
/// It serves only requests whose Host is a loopback name or address, the address it listens
/// on, or a name given with --allow-host, and prints `listening on URL` as its first line.
#[derive(Parser)]
#[command(version, next_line_help = true)]
struct Args {
    /// Listen on this address; port 0 picks a free port, which the first line printed
    /// gives. A non-loopback address lets other machines use the fake, and it warns so.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Also serve requests whose Host header is NAME (any port), for clients that reach the
    /// fake by another name, such as its service name in a container network; repeatable.
    /// Other names are refused so that a web page cannot reach it through DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    allow_hosts: Vec<String>,
    /// Accept this API key, TOKEN[:project=P|:tenant][:read|:write|:rw]; repeatable, or
    /// comma-separated in the environment variable, which `ps` does not show. Without any,
    /// it accepts ss_secret_demo_key (project prj_default, read and write).
    #[arg(
        long = "key",
        value_name = "KEY",
        env = "SIGSENTRY_MOCK_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    keys: Vec<String>,
    /// Serve the /_fake admin routes, which take no key: anyone who can reach the port can
    /// then read every stored log source with its credentials and the request log, create,
    /// change and delete sources, inject faults, and set latency and the rate limit. Off by
    /// default; requests from browsers are refused.
    #[arg(long, env = "SIGSENTRY_MOCK_ADMIN")]
    admin: bool,
    /// Let web browsers use the admin routes too (requests with an Origin header or a
    /// form body), which are refused otherwise so that no web page can drive the fake;
    /// only for a dashboard of your own on a trusted machine.
    #[arg(long, requires = "admin")]
    admin_from_browsers: bool,
    /// Wait this many milliseconds before answering each API request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Allow this many API requests per second and answer 429 with Retry-After beyond;
    /// 0 means no limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    rate_limit: u32,
    /// Add this project to the fake tenant, for tenant-scoped keys; repeatable.
    #[arg(long = "project", value_name = "ID")]
    /// Under a rate limit, send the RateLimit-Limit, -Remaining and -Reset headers on every
    /// answer (full), or only Retry-After on a 429 (none).
    #[arg(long, value_enum, default_value_t = RateLimitHeaders::Full)]
    rate_limit_headers: RateLimitHeaders,
    /// Extra projects of the tenant (for tenant-scoped keys).
    #[arg(long = "project")]
    projects: Vec<String>,
    /// Refuse to create more than this many log sources in a project (the plan's
    /// logSourcesPerProject quota).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    quota: usize,
    /// Keep the log sources in FILE across restarts; it is created readable by its owner
    /// only and replaced atomically after each change.
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
    /// How far idempotency follows the API contract: contract (as published and assumed),
    /// or one departure to test a client against: patch-ignores-keys, replays-unmarked,
    /// short-patch-window (PATCH keys kept 60 s), refuses-empty-patch.
    #[arg(long, value_name = "MODE", default_value = "contract", value_parser = parse_mode)]
    api_mode: ApiMode,
    /// Preload the log sources in FILE, a JSON array of {"type", "name", "sources",
    /// "isActive" (default true), "projectId" (default prj_default)}; ignored when
    /// --state-file names a file that already exists.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
}

/// An API mode by its name.
fn parse_mode(name: &str) -> Result<ApiMode, String> {
    ApiMode::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ALL_MODES.iter().map(|m| m.name()).collect();
        format!("not an API mode; use one of {}", names.join(", "))
    })
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
        .mode(args.api_mode)
        .quota(args.quota)
        .admin(args.admin)
        .admin_from_browsers(args.admin_from_browsers)
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
    for name in &args.allow_hosts {
        api = api.allow_host(name);
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
