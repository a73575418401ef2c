//! Our provider against Terraform's own floor, in one run: for N log sources on the fake
//! API and N built-in `terraform_data` resources, time `apply` (create), `plan` (refresh
//! of everything), an update of all, and `destroy`, and print medians and ratios.
//!
//! `cargo bench --bench terraform_floor [-- --sizes 10,100,1000 --runs 3]` (release build).
//! Run by `cargo test` (no `--bench` argument) it does a quick N=10 pass, so it never rots.
//! Ratios are reported, never asserted: this machine is shared and noisy.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;
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

/// Times the four operations once; returns seconds per op.
fn run_ops(ws: &Workspace, config: &dyn Fn(&str) -> String) -> [f64; 4] {
    let timed = |args: &[&str]| {
        let started = Instant::now();
        let r = ws.run(args);
        assert!(
            r.code == 0 || r.code == 2,
            "terraform {args:?} failed:\n{}",
            r.all()
        );
        started.elapsed().as_secs_f64()
    };
    ws.config(&config(""));
    let create = timed(&["apply", "-auto-approve", "-no-color"]);
    let plan = timed(&["plan", "-no-color"]);
    ws.config(&config("-v2"));
    let update = timed(&["apply", "-auto-approve", "-no-color"]);
    let destroy = timed(&["destroy", "-auto-approve", "-no-color"]);
    [create, plan, update, destroy]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
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
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_terraform-provider-sigsentry"));
    println!(
        "provider binary: {} ({:.1} MB)",
        binary.display(),
        std::fs::metadata(binary)
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0)
    );
    println!(
        "| N | operation | ours (s) | terraform_data (s) | ratio | shaped terraform_data (s) | ratio | fake API share |\n|---|---|---|---|---|---|---|---|"
    );
    for &n in &sizes {
        let mut ours_t: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut floor_t: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut shaped_t: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut fake_share: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut peak_rss_kb = 0u64;
        for _ in 0..runs {
            let fake = Fake::start();
            let mut ws = Workspace::new(&fake.url(), support::fake::KEY);
            let rss_file = ws.path().join("peak_rss");
            ws.set_env("SIGSENTRY_PEAK_RSS_FILE", &rss_file.display().to_string());
            let t = run_ops(&ws, &|s| ours(n, s));
            // Fake API time per operation is not separable per op here; report it overall.
            let fake_secs: f64 = fake.requests().iter().map(|r| r.micros as f64 / 1e6).sum();
            let total: f64 = t.iter().sum();
            for i in 0..4 {
                ours_t[i].push(t[i]);
                fake_share[i].push(fake_secs / total);
            }
            peak_rss_kb = peak_rss_kb.max(
                std::fs::read_to_string(&rss_file)
                    .unwrap_or_default()
                    .lines()
                    .filter_map(|l| l.trim().parse::<u64>().ok())
                    .max()
                    .unwrap_or(0),
            );
            let ws_floor = Workspace::new(&fake.url(), support::fake::KEY);
            let f = run_ops(&ws_floor, &|s| floor(n, s));
            let ws_shaped = Workspace::new(&fake.url(), support::fake::KEY);
            let g = run_ops(&ws_shaped, &|s| floor_shaped(n, s));
            for i in 0..4 {
                floor_t[i].push(f[i]);
                shaped_t[i].push(g[i]);
            }
        }
        for i in 0..4 {
            let o = median(ours_t[i].clone());
            let f = median(floor_t[i].clone());
            let g = median(shaped_t[i].clone());
            println!(
                "| {n} | {} | {o:.2} | {f:.2} | {:.2}x | {g:.2} | {:.2}x | {:.1}% |",
                OPS[i],
                o / f,
                o / g,
                100.0 * median(fake_share[i].clone())
            );
        }
        println!(
            "| {n} | provider peak RSS | {:.1} MB | | | |",
            peak_rss_kb as f64 / 1024.0
        );
    }
}
