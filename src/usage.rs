//! This process's resource usage, read from Linux's /proc, for the benchmarks: the provider
//! reports its own at exit, and the benchmark reads what the terraform runs it waited for
//! used. Elsewhere every reading is `None`.

/// Field `n` of a `/proc/<pid>/stat` line, numbered from 1 as in proc(5). The command name
/// (field 2) may hold spaces and parentheses, so fields are counted from its closing one.
pub fn stat_field(stat: &str, n: usize) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // `rest` starts at field 3.
    rest.split_whitespace().nth(n.checked_sub(3)?)?.parse().ok()
}

/// Linux reports CPU times in /proc in USER_HZ ticks, fixed at 100 per second.
const TICKS_PER_SECOND: f64 = 100.0;

fn own_stat() -> Option<String> {
    std::fs::read_to_string("/proc/self/stat").ok()
}

/// User plus system CPU time of this process so far, in seconds (utime + stime).
pub fn cpu_seconds() -> Option<f64> {
    let stat = own_stat()?;
    Some((stat_field(&stat, 14)? + stat_field(&stat, 15)?) as f64 / TICKS_PER_SECOND)
}

/// User plus system CPU time of the children this process has waited for, and of theirs,
/// in seconds (cutime + cstime).
pub fn children_cpu_seconds() -> Option<f64> {
    let stat = own_stat()?;
    Some((stat_field(&stat, 16)? + stat_field(&stat, 17)?) as f64 / TICKS_PER_SECOND)
}

/// Peak resident set size of this process, in kB (VmHWM).
pub fn peak_rss_kb() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_counted_past_a_command_name_with_spaces() {
        let stat = "4242 (a b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 25 7 3 1 20 0 3 0";
        assert_eq!(stat_field(stat, 3), None); // "S" is not a number
        assert_eq!(stat_field(stat, 4), Some(1));
        assert_eq!(stat_field(stat, 14), Some(25));
        assert_eq!(stat_field(stat, 15), Some(7));
        assert_eq!(stat_field(stat, 17), Some(1));
        assert_eq!(stat_field(stat, 2), None);
        assert_eq!(stat_field("garbage", 14), None);
    }

    #[test]
    fn readings_exist_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(cpu_seconds().is_some());
            assert!(children_cpu_seconds().is_some());
            assert!(peak_rss_kb().is_some_and(|kb| kb > 0));
        }
    }
}
