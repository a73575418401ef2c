//! Our provider against Terraform's own floor, in one run: for N log sources on the fake
//! API and N built-in `terraform_data` resources, time `apply` (create), `plan` (refresh
//! of everything), an update of all, and `destroy`, and print medians and ratios.
//!
//! `cargo bench --bench terraform_floor [-- --sizes 10,100,1000 --runs 3]` (release build).
//! Run by `cargo test` (no `--bench` argument) it does a quick N=10 pass, so it never rots.
//! Ratios are reported, never asserted: this machine is shared and noisy.
//!
//! A second table puts ours against ours at API latencies (`--latency-sizes 100,1000`,
//! `--latencies 0,50,100` ms on the fake API; medians of `--runs` runs, the latencies'
//! order turning), with the requests each operation made and the 429s it met, then a plan of 5 sources in a project of 2,000 and applies of 300
//! creates under a limit of 20 requests a second (the fake sending `RateLimit-*` headers,
//! or `Retry-After` alone to a tenant key spreading them over three projects) and with no
//! limit. `--skip-floor` runs only that part;
//! `--rate-only [--creates 300] [--runs N] [--against BINARY]` only the applies, N times,
//! with `--against` timing another build of the provider's no-limit apply beside ours.

#[path = "../tests/support/mod.rs"]
mod support;

use sigsentry_mock::{ApiKey, FakeApi, RateLimitHeaders, Settings};
use sigsentry_provider::sigsentry::{Pacer, Signal};
use sigsentry_provider::usage::children_cpu_seconds;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::fake::Fake;
use support::terraform::{terraform_bin, Workspace};

const OPS: [&str; 4] = ["apply (create)", "plan (refresh)", "update all", "destroy"];

fn ours(n: usize, suffix: &str) -> String {
    format!(
        r#"
resource "sigsentry_log_source" "s" {{
  count       = {n}
  type        = "splunk"
  name        = "bench-${{count.index}}{suffix}"
  credentials = {{ host = "https://splunk.example.com", token = "tok" }}
  sources     = ["main"]
}}
"#
    )
}

fn floor(n: usize, suffix: &str) -> String {
    format!(
        r#"
resource "terraform_data" "s" {{
  count = {n}
  input = "bench-${{count.index}}{suffix}"
}}
"#
    )
}

/// The floor again, with an input as large as a log source's state (same attributes, a
/// sensitive credentials map, a set): Terraform core's own cost grows with value size and
/// sensitive marks, so this is the like-for-like floor.
fn floor_shaped(n: usize, suffix: &str) -> String {
    format!(
        r#"
resource "terraform_data" "s" {{
  count = {n}
  input = {{
    type        = "splunk"
    name        = "bench-${{count.index}}{suffix}"
    credentials = sensitive({{ host = "https://splunk.example.com", token = "tok" }})
    sources     = toset(["main"])
    is_active   = true
  }}
}}
"#
    )
}

/// What one operation cost.
#[derive(Clone, Copy, Default)]
struct Cost {
    /// Wall-clock seconds.
    wall: f64,
    /// CPU seconds of `terraform` and every process it ran (the provider included).
    cpu: f64,
    /// CPU seconds of the provider processes alone (from their usage reports).
    provider_cpu: f64,
}

/// The provider usage lines (`<peak RSS kB> <CPU ms>`) written so far.
fn usage_lines(file: &std::path::Path) -> Vec<(u64, u64)> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace().map(|n| n.parse::<u64>().ok());
            Some((it.next()??, it.next()??))
        })
        .collect()
}

/// One workspace under test: its configuration and, for ours, the provider's usage file.
struct Case<'a> {
    ws: &'a Workspace,
    config: &'a dyn Fn(&str) -> String,
    usage: Option<&'a std::path::Path>,
}

/// Times one terraform command in `case`.
fn timed(case: &Case, args: &[&str]) -> Cost {
    let before = case.usage.map(|f| usage_lines(f).len()).unwrap_or(0);
    let cpu_before = children_cpu_seconds().unwrap_or(0.0);
    let started = Instant::now();
    let r = case.ws.run(args);
    let wall = started.elapsed().as_secs_f64();
    assert!(
        r.code == 0 || r.code == 2,
        "terraform {args:?} failed:\n{}",
        r.all()
    );
    let provider_ms: u64 = case
        .usage
        .map(|f| usage_lines(f).iter().skip(before).map(|l| l.1).sum())
        .unwrap_or(0);
    Cost {
        wall,
        cpu: children_cpu_seconds().unwrap_or(0.0) - cpu_before,
        provider_cpu: provider_ms as f64 / 1000.0,
    }
}

/// Times the four operations once in every case. Each operation runs in all the cases
/// before the next one starts, so the numbers compared were taken close together: the
/// speed of a shared machine drifts over the minutes a 1000-resource run takes.
fn run_ops(cases: &[Case]) -> Vec<[Cost; 4]> {
    let mut out = vec![[Cost::default(); 4]; cases.len()];
    let apply = ["apply", "-auto-approve", "-no-color"];
    let steps: [(&str, &[&str]); 4] = [
        ("", &apply),
        ("", &["plan", "-no-color"]),
        ("-v2", &apply),
        ("-v2", &["destroy", "-auto-approve", "-no-color"]),
    ];
    for (op, (suffix, args)) in steps.iter().enumerate() {
        for (i, case) in cases.iter().enumerate() {
            case.ws.config(&(case.config)(suffix));
            out[i][op] = timed(case, args);
        }
    }
    out
}

/// Bytes of state file one more resource adds (the state at 20 resources minus that at 10,
/// over 10). Terraform re-encodes the whole state after every resource it changes, so
/// this size drives the cost of large applies and destroys.
fn state_bytes_per_resource(config: &dyn Fn(usize, &str) -> String) -> f64 {
    let fake = Fake::start();
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    let size = |n: usize| {
        ws.config(&config(n, ""));
        ws.run(&["apply", "-auto-approve", "-no-color"]).ok();
        ws.state_file().len() as f64
    };
    let ten = size(10);
    let twenty = size(20);
    ws.run(&["destroy", "-auto-approve", "-no-color"]).ok();
    (twenty - ten) / 10.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// What one operation asked of the API.
struct Traffic {
    wall: f64,
    requests: usize,
    limited: usize,
    lists: usize,
    gets: usize,
}

/// Runs `args` in `ws` and counts what it asked of `fake`.
fn traffic(fake: &Fake, ws: &Workspace, args: &[&str]) -> Traffic {
    fake.handle().clear_log();
    let started = Instant::now();
    let r = ws.run(args);
    let wall = started.elapsed().as_secs_f64();
    assert!(
        r.code == 0 || r.code == 2,
        "terraform {args:?} failed:\n{}",
        r.all()
    );
    let log = fake.requests();
    let lists = log
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/v1/config/log-sources")
        .count();
    Traffic {
        wall,
        requests: log.len(),
        limited: log.iter().filter(|r| r.status == 429).count(),
        lists,
        gets: log.iter().filter(|r| r.method == "GET").count() - lists,
    }
}

fn list_arg(value: Option<String>, default: &str) -> Vec<u64> {
    value
        .unwrap_or_else(|| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Ours at API latencies, then the small-state and rate-limited cases. Each run times
/// every latency, the order turning from run to run; the table gives medians, and each
/// latency's ratio to 0 ms is the median of the runs' own ratios (a run's machine load is
/// shared by its latencies).
fn latency_axis(sizes: &[u64], latencies: &[u64], runs: usize, big_project: bool) {
    println!(
        "\n| N | latency | operation | wall (s) | vs 0 ms | requests | list requests | GETs | 429s |\n|---|---|---|---|---|---|---|---|---|"
    );
    let apply = ["apply", "-auto-approve", "-no-color"];
    let ops: [(&str, &[&str]); 3] = [
        ("apply (create)", &apply),
        ("plan (refresh)", &["plan", "-no-color"]),
        ("destroy", &["destroy", "-auto-approve", "-no-color"]),
    ];
    for &n in sizes {
        // [run][latency][operation]
        let mut seen: Vec<Vec<Vec<Traffic>>> = Vec::new();
        for run in 0..runs.max(1) {
            let mut by_latency: Vec<Option<Vec<Traffic>>> =
                latencies.iter().map(|_| None).collect();
            for k in 0..latencies.len() {
                let at = (k + run) % latencies.len();
                let fake = Fake::start_with(FakeApi::new().pacing(Settings {
                    latency_ms: latencies[at],
                    rate_limit: 0,
                    ..Settings::default()
                }));
                let ws = Workspace::new(&fake.url(), support::fake::KEY);
                ws.config(&ours(n as usize, ""));
                by_latency[at] = Some(ops.iter().map(|(_, a)| traffic(&fake, &ws, a)).collect());
            }
            seen.push(by_latency.into_iter().flatten().collect());
        }
        let zero = latencies.iter().position(|&ms| ms == 0);
        for (l, ms) in latencies.iter().enumerate() {
            for (i, (name, _)) in ops.iter().enumerate() {
                let wall = median(seen.iter().map(|r| r[l][i].wall).collect());
                let vs = zero.map_or(1.0, |z| {
                    median(seen.iter().map(|r| r[l][i].wall / r[z][i].wall).collect())
                });
                let t = &seen[seen.len() / 2][l][i];
                println!(
                    "| {n} | {ms} ms | {name} | {wall:.2} | {vs:.2}x | {} | {} | {} | {} |",
                    t.requests, t.lists, t.gets, t.limited
                );
            }
        }
    }

    // A few sources in a big project: read one by one, never the whole list.
    let (few, project) = if big_project { (5, 2000) } else { (5, 200) };
    let fake = Fake::start_with(FakeApi::new().quota(project + 10));
    for i in 0..project - few {
        fake.create_out_of_band("loki", &format!("other-{i}"), &["{a=\"b\"}"]);
    }
    let ws = Workspace::new(&fake.url(), support::fake::KEY);
    ws.config(&ours(few, ""));
    ws.run(&apply).ok();
    let t = traffic(&fake, &ws, &["plan", "-no-color"]);
    println!(
        "\n| case | wall (s) | requests | list requests | GETs | 429s |\n|---|---|---|---|---|---|"
    );
    println!(
        "| plan of {few} in a project of {project} | {:.2} | {} | {} | {} | {} |",
        t.wall, t.requests, t.lists, t.gets, t.limited
    );

    rate_limited_creates(if big_project { 300 } else { 60 }, 1, None);
}

/// Creates under a limit of 20 requests a second at `-parallelism=20`: with the
/// `RateLimit-*` headers, with `Retry-After` alone, and with no limit (where the pacer must
/// cost nothing), each `runs` times; with `against`, another build of the provider (the one
/// before a change, say) also makes the no-limit apply in every run, for a ratio.
fn rate_limited_creates(creates: usize, runs: usize, against: Option<&Path>) {
    println!(
        "\n| case | wall (s) | requests | 429s | share answered 429 | sources made | each once |\n|---|---|---|---|---|---|---|"
    );
    // (what, limit, headers, projects, build): the `Retry-After` case spreads the creates
    // over three projects of one tenant key, whose one limit is the key's; the no-limit
    // cases keep to one project so that a build from before projects can run them too.
    let mut cases = vec![
        ("RateLimit headers", 20, RateLimitHeaders::Full, 1, None),
        (
            "Retry-After only, three projects",
            20,
            RateLimitHeaders::None,
            3,
            None,
        ),
        ("no limit", 0, RateLimitHeaders::Full, 1, None),
    ];
    if let Some(other) = against {
        cases.push((
            "no limit, the other build",
            0,
            RateLimitHeaders::Full,
            1,
            Some(other),
        ));
    }
    let (mut unlimited, mut other_unlimited) = (Vec::new(), Vec::new());
    let mut unlimited_requests = Vec::new();
    for run in 0..runs {
        // Which of the two no-limit applies goes first alternates, so that neither gains
        // from its place (a warmer cache, a quieter machine after a rate-limited run).
        let mut order = cases.clone();
        if run % 2 == 1 && against.is_some() {
            order.swap(2, 3);
        }
        for &(what, limit, headers, projects, binary) in &order {
            let (fake, ws) = rate_limited_workspace(limit, headers, projects);
            if let Some(b) = binary {
                ws.use_provider_binary(b);
            }
            let config = ours(creates, "");
            if projects > 1 {
                let spread = (0..projects)
                    .map(|p| format!("\"prj_bench_{p}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                ws.config(&config.replace(
                    "  type        = \"splunk\"",
                    &format!("  project_id  = element([{spread}], count.index)\n  type        = \"splunk\""),
                ));
            } else {
                ws.config(&config);
            }
            let t = traffic(
                &fake,
                &ws,
                &["apply", "-auto-approve", "-no-color", "-parallelism=20"],
            );
            let sources = fake.sources();
            let mut names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            let once = names.len() == sources.len() && sources.len() == creates;
            match (limit, binary) {
                (0, None) => {
                    unlimited.push(t.wall);
                    unlimited_requests.push(t.requests as f64);
                }
                (0, Some(_)) => other_unlimited.push(t.wall),
                _ => {}
            }
            let at = if limit == 0 {
                String::new()
            } else {
                format!(" at {limit} requests/s")
            };
            println!(
                "| apply of {creates} creates{at}, {what} | {:.2} | {} | {} | {:.1}% | {} | {} |",
                t.wall,
                t.requests,
                t.limited,
                100.0 * t.limited as f64 / t.requests.max(1) as f64,
                sources.len(),
                if once { "yes" } else { "no" }
            );
        }
    }
    let ns = pacer_cost_ns();
    let unlimited_runs = unlimited.clone();
    let ours = median(unlimited);
    let per_request = ours / median(unlimited_requests).max(1.0) * 1e9;
    println!(
        "\n| measure | value |\n|---|---|\n| the pacer's cost per request with no limit (one slot, one answer) | {ns:.0} ns, {:.4}% of a request's share of the no-limit apply ({:.2} ms) |",
        100.0 * ns / per_request,
        per_request / 1e6
    );
    if !other_unlimited.is_empty() {
        // Each run's pair was taken seconds apart, so their ratio drifts less than either.
        let pairs: Vec<f64> = unlimited_runs
            .iter()
            .zip(&other_unlimited)
            .map(|(a, b)| a / b)
            .collect();
        let other = median(other_unlimited);
        println!(
            "| no-limit apply, this build against the other ({runs} interleaved runs, each first in turn) | medians {ours:.2} s and {other:.2} s; median of the runs' ratios {:.2}x (from {:.2}x to {:.2}x) |",
            median(pairs.clone()),
            pairs.iter().cloned().fold(f64::INFINITY, f64::min),
            pairs.iter().cloned().fold(0.0, f64::max)
        );
    }
}

/// A fake under `limit` requests a second (0: none) and a workspace for it: with one
/// project, the acceptance key; with more, a tenant key over projects `prj_bench_0`...
fn rate_limited_workspace(
    limit: u32,
    headers: RateLimitHeaders,
    projects: usize,
) -> (Fake, Workspace) {
    const TENANT_KEY: &str = "ss_secret_tenant_bench";
    let mut api = FakeApi::new().pacing(Settings {
        rate_limit: limit,
        rate_limit_headers: headers,
        ..Settings::default()
    });
    if projects > 1 {
        for p in 0..projects {
            api = api.project(&format!("prj_bench_{p}"));
        }
        api = api.key(ApiKey::tenant(TENANT_KEY));
    }
    let fake = Fake::start_with(api);
    let key = if projects > 1 {
        TENANT_KEY
    } else {
        support::fake::KEY
    };
    let ws = Workspace::new(&fake.url(), key);
    (fake, ws)
}

/// What the pacer costs a request while no limit was ever met: taking a slot and
/// learning from the answer, on one thread, in nanoseconds.
fn pacer_cost_ns() -> f64 {
    let pacer = Pacer::default();
    let far = Instant::now() + Duration::from_secs(3600);
    let n = 1_000_000;
    let started = Instant::now();
    for _ in 0..n {
        std::hint::black_box(pacer.reserve(far));
        pacer.observe(Instant::now(), Signal::default());
    }
    started.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = if full {
        value("--sizes")
            .unwrap_or_else(|| "10,100,1000".into())
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    } else {
        vec![10]
    };
    let runs: usize = value("--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(if full { 3 } else { 1 });
    if terraform_bin().is_none() {
        println!("SKIP terraform_floor: no terraform CLI");
        return;
    }
    let (latency_sizes, latencies) = if full {
        (
            list_arg(value("--latency-sizes"), "100,1000"),
            list_arg(value("--latencies"), "0,50,100"),
        )
    } else {
        (vec![10], vec![0, 50])
    };
    if args.iter().any(|a| a == "--rate-only") {
        let creates = value("--creates")
            .and_then(|c| c.parse().ok())
            .unwrap_or(300);
        let against = value("--against").map(PathBuf::from);
        rate_limited_creates(creates, runs, against.as_deref());
        return;
    }
    if args.iter().any(|a| a == "--skip-floor") {
        latency_axis(&latency_sizes, &latencies, runs, full);
        return;
    }
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-sigsentry"));
    println!(
        "provider binary: {} ({:.1} MB)",
        binary.display(),
        std::fs::metadata(binary)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0)
    );
    println!(
        "| N | operation | ours (s) | terraform_data (s) | ratio | shaped terraform_data (s) | ratio | terraform CPU, ours (s) | provider CPU (s) | fake API share |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    let bytes = [
        state_bytes_per_resource(&ours),
        state_bytes_per_resource(&floor),
        state_bytes_per_resource(&floor_shaped),
    ];
    let mut footers = Vec::new();
    for &n in &sizes {
        let mut ours_t: Vec<Vec<Cost>> = vec![Vec::new(); 4];
        let mut floor_t: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut shaped_t: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut fake_share: Vec<f64> = Vec::new();
        let mut peak_rss_kb = 0u64;
        for _ in 0..runs {
            let fake = Fake::start();
            let mut ws = Workspace::new(&fake.url(), support::fake::KEY);
            let usage_file = ws.path().join("provider-usage");
            ws.set_env("SIGSENTRY_USAGE_FILE", &usage_file.display().to_string());
            let ws_floor = Workspace::new(&fake.url(), support::fake::KEY);
            let ws_shaped = Workspace::new(&fake.url(), support::fake::KEY);
            let (c_ours, c_floor, c_shaped) = (
                |s: &str| ours(n, s),
                |s: &str| floor(n, s),
                |s: &str| floor_shaped(n, s),
            );
            let results = run_ops(&[
                Case {
                    ws: &ws,
                    config: &c_ours,
                    usage: Some(&usage_file),
                },
                Case {
                    ws: &ws_floor,
                    config: &c_floor,
                    usage: None,
                },
                Case {
                    ws: &ws_shaped,
                    config: &c_shaped,
                    usage: None,
                },
            ]);
            let (t, f, g) = (results[0], results[1], results[2]);
            // Only ours calls the fake API; its time is not separable per operation.
            let fake_secs: f64 = fake.requests().iter().map(|r| r.micros as f64 / 1e6).sum();
            let total: f64 = t.iter().map(|c| c.wall).sum();
            fake_share.push(fake_secs / total);
            peak_rss_kb = peak_rss_kb.max(
                usage_lines(&usage_file)
                    .iter()
                    .map(|l| l.0)
                    .max()
                    .unwrap_or(0),
            );
            for i in 0..4 {
                ours_t[i].push(t[i]);
                floor_t[i].push(f[i].wall);
                shaped_t[i].push(g[i].wall);
            }
        }
        for i in 0..4 {
            let o = median(ours_t[i].iter().map(|c| c.wall).collect());
            let cpu = median(ours_t[i].iter().map(|c| c.cpu - c.provider_cpu).collect());
            let pcpu = median(ours_t[i].iter().map(|c| c.provider_cpu).collect());
            let f = median(floor_t[i].clone());
            let g = median(shaped_t[i].clone());
            println!(
                "| {n} | {} | {o:.2} | {f:.2} | {:.2}x | {g:.2} | {:.2}x | {cpu:.2} | {pcpu:.2} | {:.1}% |",
                OPS[i],
                o / f,
                o / g,
                100.0 * median(fake_share.clone())
            );
        }
        footers.push(format!(
            "| {n} | provider peak RSS | {:.1} MB |",
            peak_rss_kb as f64 / 1024.0
        ));
    }
    footers.push(format!(
        "| | state file bytes per resource | ours {:.0}, terraform_data {:.0}, shaped {:.0} |",
        bytes[0], bytes[1], bytes[2]
    ));
    println!("\n| N | measure | value |\n|---|---|---|");
    for f in footers {
        println!("{f}");
    }
    latency_axis(&latency_sizes, &latencies, runs, full);
}
