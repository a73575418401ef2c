//! Which walk of a terraform command this process serves, as far as a provider can tell.
//! Terraform runs each walk (plan, then apply) in a process of its own, and before 1.16
//! no request says which one it is; yet plan-time advice is true only in the plan walk,
//! the one walk that reads every object of the state (the apply walk touches only what
//! it changes). Two facts stand in:
//!
//! - the command line of the terraform process that started us: `apply PLANFILE` runs an
//!   apply walk only, `plan` a plan walk only;
//! - a marker left by an earlier walk of the same terraform process (its pid and start
//!   time) for the same state: the walk that gave the advice marks it, later walks of the
//!   command see it. Markers live in a private directory of the user's temp dir, hold
//!   nothing, and are cleared after a day.
//!
//! Where neither can be read (Windows, a sandbox without `/proc`), every walk may advise:
//! the advice then repeats after apply and may name sources that unchanged objects hold,
//! which its wording allows for.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How long a marker is kept.
const MARKER_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What this process knows of the command it serves.
#[derive(Debug, Default)]
pub struct CommandWalks {
    /// The marker of this command and state, when the parent can be identified.
    marker: Option<PathBuf>,
    /// The command runs an apply walk only (`apply PLANFILE`).
    apply_only: bool,
}

impl CommandWalks {
    /// The command that started this process, serving state `scope`.
    pub fn current(scope: &str) -> CommandWalks {
        let parent = parent::identity();
        let apply_only = parent
            .as_ref()
            .is_some_and(|p| applies_a_saved_plan(&p.args));
        let marker = parent.and_then(|p| {
            let dir = std::env::temp_dir().join(format!("sigsentry-walks-{}", p.user));
            private_dir(&dir)?;
            let tag = short_hash(&format!("{}|{}|{scope}", p.pid, p.started));
            Some(dir.join(tag))
        });
        CommandWalks { marker, apply_only }
    }

    /// True when plan-time advice about `project` belongs in this walk: not an apply of a
    /// saved plan, and no earlier walk of this command gave it.
    pub fn may_advise(&self, project: Option<&str>) -> bool {
        !self.apply_only && !self.marker(project).is_some_and(|m| m.exists())
    }

    /// True when an earlier walk of this command (the plan walk) gave the advice about
    /// `project`, and so also checked it; never for an apply of a saved plan, made earlier.
    pub fn earlier_walk_advised(&self, project: Option<&str>) -> bool {
        !self.apply_only && self.marker(project).is_some_and(|m| m.exists())
    }

    /// Marks that this walk gave the advice about `project`, for the later walks.
    pub fn advised(&self, project: Option<&str>) {
        let Some(marker) = self.marker(project) else {
            return;
        };
        if std::fs::write(&marker, b"").is_err() {
            return;
        }
        if let Some(dir) = marker.parent() {
            clear_old(dir);
        }
    }
}

impl CommandWalks {
    /// The marker of `project` for this command and state.
    fn marker(&self, project: Option<&str>) -> Option<PathBuf> {
        let base = self.marker.as_ref()?;
        let name = base.file_name()?.to_string_lossy();
        Some(base.with_file_name(short_hash(&format!("{name}|{}", project.unwrap_or("")))))
    }
}

/// Flags of `terraform apply` that take a value, which may follow as the next argument.
const VALUE_FLAGS: [&str; 11] = [
    "-backup",
    "-lock-timeout",
    "-parallelism",
    "-state",
    "-state-out",
    "-var",
    "-var-file",
    "-target",
    "-replace",
    "-invoke",
    "-exclude",
];

/// True for `terraform apply PLANFILE`: an argument after the `apply` subcommand that is
/// neither a flag nor a flag's value, and names a file (Terraform runs the provider in its
/// working directory, `-chdir` applied).
fn applies_a_saved_plan(args: &[String]) -> bool {
    let Some(at) = args.iter().position(|a| a == "apply") else {
        return false;
    };
    let mut rest = args[at + 1..].iter();
    while let Some(a) = rest.next() {
        if VALUE_FLAGS.contains(&a.as_str()) {
            rest.next();
        } else if !a.starts_with('-') && std::path::Path::new(a).is_file() {
            return true;
        }
    }
    false
}

/// A short stable name for `text` (FNV-1a; not a secret, only a file name).
fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Creates `dir` private to the user (0700) or checks that it is; `None` otherwise.
fn private_dir(dir: &std::path::Path) -> Option<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        let _ = std::fs::DirBuilder::new().mode(0o700).create(dir);
        let meta = std::fs::symlink_metadata(dir).ok()?;
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        (meta.is_dir() && meta.uid() == me && meta.permissions().mode() & 0o077 == 0).then_some(())
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Removes markers older than [`MARKER_LIFETIME`].
fn clear_old(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > MARKER_LIFETIME);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

mod parent {
    /// The terraform process that started this one.
    pub struct Parent {
        pub pid: u32,
        /// When it started, in clock ticks since boot (Linux), so a reused pid differs.
        pub started: String,
        pub args: Vec<String>,
        pub user: u32,
    }

    #[cfg(target_os = "linux")]
    pub fn identity() -> Option<Parent> {
        let pid = std::os::unix::process::parent_id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Field 22, counted after the command name, which may hold spaces and parens.
        let after = &stat[stat.rfind(')')? + 1..];
        let started = after.split_whitespace().nth(19)?.to_string();
        let args = std::fs::read(format!("/proc/{pid}/cmdline"))
            .ok()?
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // SAFETY: geteuid has no preconditions.
        let user = unsafe { libc::geteuid() };
        Some(Parent {
            pid,
            started,
            args,
            user,
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn identity() -> Option<Parent> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_plan_is_a_file_named_after_apply() {
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("tfplan");
        std::fs::write(&plan, b"").unwrap();
        let plan = plan.display().to_string();
        let args = |s: &str| {
            s.replace("PLAN", &plan)
                .split(' ')
                .map(String::from)
                .collect::<Vec<_>>()
        };
        assert!(applies_a_saved_plan(&args(
            "terraform apply -auto-approve PLAN"
        )));
        assert!(applies_a_saved_plan(&args("python -c x apply PLAN")));
        assert!(!applies_a_saved_plan(&args(
            "terraform apply -auto-approve -no-color"
        )));
        assert!(!applies_a_saved_plan(&args(
            "terraform apply -var-file PLAN"
        )));
        assert!(!applies_a_saved_plan(&args("terraform apply -var a=b")));
        assert!(!applies_a_saved_plan(&args("terraform plan -out PLAN")));
        assert!(!applies_a_saved_plan(&args(
            "terraform destroy -auto-approve"
        )));
    }

    #[test]
    fn a_later_walk_of_the_same_command_sees_the_mark() {
        let dir = tempfile::tempdir().unwrap();
        let walks = CommandWalks {
            marker: Some(dir.path().join("m")),
            apply_only: false,
        };
        assert!(walks.may_advise(None));
        walks.advised(None);
        assert!(!walks.may_advise(None));
        // Each project is advised about once.
        assert!(walks.may_advise(Some("prj_b")));
        let saved = CommandWalks {
            marker: None,
            apply_only: true,
        };
        assert!(!saved.may_advise(None));
        assert!(CommandWalks::default().may_advise(None));
    }
}
