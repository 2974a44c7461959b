//! `kizuki`: the command-line tool.
//!
//! This crate is deliberately thin (after ripgrep): argument parsing (clap derive), output
//! writers (JSON Lines or aligned, coloured text), exit codes, logging and progress set-up. All
//! analysis lives in the library crates (`kizuki-core`, `kizuki-case`, one crate per area).
//!
//! Exit codes of every scan command: 0 nothing at or above the threshold, 1 findings, 2 usage or
//! I/O error (findings win over errors). A closed stdout (`kizuki … | head`) exits 0.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod args;
mod cmd;
mod logging;
mod output;
mod progress;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Args, Command};
use crate::output::Exit;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            // Printing help or a usage error; a closed pipe is not worth reporting.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    logging::init(&args.global);
    match run(&args) {
        Ok(exit) => exit.into(),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("kizuki: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> anyhow::Result<Exit> {
    match &args.command {
        Command::Config(c) => cmd::config::run(&args.global, c),
        Command::Demo(d) => cmd::demo::run(&args.global, d),
        Command::Pii(c) => cmd::pii::run(&args.global, c),
        Command::Net(n) => cmd::net::run(&args.global, n),
        Command::File(c) => cmd::file::run(&args.global, c),
        Command::Completions(c) => cmd::completions::run(c),
        Command::Man(m) => cmd::completions::man(m),
        Command::Mail(args::MailCmd::Scan(a)) => cmd::mail::scan(&args.global, a),
    }
}

/// An error chain as one line: `what: why: root cause`.
fn one_line(e: &anyhow::Error) -> String {
    let mut s = String::new();
    for (i, cause) in e.chain().enumerate() {
        let c = cause.to_string();
        if i > 0 {
            if s.contains(&c) {
                continue;
            }
            s.push_str(": ");
        }
        s.push_str(&c);
    }
    s.replace('\n', " ")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
