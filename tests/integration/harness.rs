//! Shared helpers: a `kizuki` command in a sandbox, JSON Lines parsing, repo paths.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A sandboxed working directory with a `kizuki` command builder.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `kizuki` with a clean environment, run inside the sandbox.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("kizuki").expect("kizuki binary");
        c.current_dir(self.dir.path())
            .env_remove("KIZUKI_LOG")
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", self.dir.path().join("xdg"))
            .env("HOME", self.dir.path());
        c
    }

    pub fn write(&self, rel: &str, data: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, data).expect("write");
        p
    }
}

/// Parses JSON Lines, failing the test on any line that is not one JSON object.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    let s = std::str::from_utf8(stdout).expect("stdout is UTF-8");
    s.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
            assert!(v.is_object(), "not an object: {l}");
            v
        })
        .collect()
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared public data folder (../shared/data beside the checkout).
pub fn shared_data() -> PathBuf {
    repo_root().join("../shared/data")
}
