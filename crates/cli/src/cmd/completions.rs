//! `kizuki completions SHELL` and `kizuki man`.

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;

use crate::args::{Args, CompletionsArgs, ManArgs};
use crate::output::Exit;

/// Prints completions for a shell.
pub fn run(c: &CompletionsArgs) -> anyhow::Result<Exit> {
    let mut cmd = Args::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(c.shell, &mut cmd, "kizuki", &mut out);
    out.flush().context("writing completions")?;
    Ok(Exit::Clean)
}

/// Prints the man page, or writes one page per command into a folder.
pub fn man(m: &ManArgs) -> anyhow::Result<Exit> {
    let cmd = Args::command();
    match &m.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("writing the man page")?;
            out.flush().context("writing the man page")?;
        }
    }
    Ok(Exit::Clean)
}
