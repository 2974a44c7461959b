//! Step 2: the infected PC beacons to the C2 and the server that must never talk out does.
//! Zeek logs of the office for 19-20 March are generated from the scenario facts, then
//! `kizuki net scan`'s analysis runs on them.

use std::net::Ipv4Addr;
use std::path::Path;

use kizuki_net::read::Format;
use kizuki_net::synth::{self, Layout, Plan};
use kizuki_net::{Kind, Options};

use super::{SEED, Stage, StageReport};
use crate::Error;
use crate::scenario::Scenario;

/// The network stage.
pub struct Net;

fn fail(message: String) -> Error {
    Error::Stage {
        stage: "net",
        message,
    }
}

fn ip(s: &str) -> Result<Ipv4Addr, Error> {
    s.parse()
        .map_err(|_| fail(format!("scenario address '{s}' is not IPv4")))
}

fn plan(s: &Scenario) -> Result<Plan, Error> {
    Ok(Plan {
        pc: ip(s.pc_ip)?,
        server: ip(s.server_ip)?,
        c2: ip(s.c2_ip)?,
        c2_name: s.c2_domain.to_string(),
        ..Plan::office(SEED ^ 0x6e6574)
    })
}

const LOGS: [&str; 5] = [
    "conn.log",
    "open_conn.log",
    "dns.log",
    "ssl.log",
    "http.log",
];

impl Stage for Net {
    fn name(&self) -> &'static str {
        "net"
    }

    fn step(&self) -> &'static str {
        "2"
    }

    fn prepare(&self, scenario: &Scenario, dir: &Path) -> Result<(), Error> {
        let out = dir.join("net");
        let layout = Layout {
            format: Format::Tsv,
            gzip: false,
            rotate: false,
        };
        synth::write(&plan(scenario)?, &out, layout).map_err(|source| Error::Io {
            path: out.clone(),
            source,
        })?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let plan = plan(scenario)?;
        let cfg = synth::config(&plan);
        let res = kizuki_net::scan(&[dir.join("net")], &cfg, &Options::default())
            .map_err(|e| fail(e.to_string()))?;
        let found = |kind: Kind, src: &str, dst: &str| {
            res.findings
                .iter()
                .position(|f| f.kind == kind && f.src == src && f.dst == dst)
        };
        let beacon = found(Kind::Beacon, scenario.pc_ip, scenario.c2_ip);
        let egress = found(Kind::EgressViolation, scenario.server_ip, scenario.c2_ip);
        let mut summary = vec![format!(
            "{} records in {} Zeek logs; {} findings",
            res.records(),
            res.files.len(),
            res.findings.len()
        )];
        for f in res.findings.iter().take(6) {
            summary.push(format!(
                "{:.3}  {:<16} {} -> {}  ({} conns)",
                f.score,
                f.kind.as_str(),
                f.src,
                f.dst,
                f.connections
            ));
        }
        let rank =
            |p: Option<usize>| p.map_or("not found".to_string(), |i| format!("rank {}", i + 1));
        summary.push(format!(
            "infected PC {} beaconing to the C2 {}: {}",
            scenario.pc_ip,
            scenario.c2_ip,
            rank(beacon)
        ));
        summary.push(format!(
            "server {} (role egress=deny) talking out: {}",
            scenario.server_ip,
            rank(egress)
        ));
        Ok(StageReport {
            stage: self.name(),
            step: self.step(),
            inputs: LOGS.iter().map(|l| format!("net/{l}")).collect(),
            findings: res.findings.len(),
            summary,
            ok: beacon.is_some() && egress.is_some(),
        })
    }
}
