//! A deterministic generator of labelled Zeek logs: an office's benign background (diurnal
//! browsing with DNS and TLS, periodic update traffic to a CDN, NTP) plus planted patterns —
//! a jittered beacon with sleep windows, a slow hourly beacon, a long SSH session seen only in
//! open_conn.log, a DNS tunnel, an exfiltration and a server whose role forbids egress talking
//! out. Used by the golden tests, the demo and the benchmark (`examples/zeekgen.rs`).
//!
//! Logs are generated hour by hour, so a benchmark of tens of millions of rows streams to disk
//! without holding them in memory.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use kizuki_core::rng::Rng;

use crate::finding::Kind;
use crate::read::Format;
use crate::stats::rfc3339;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Seed of the random stream.
    pub seed: u64,
    /// First hour (epoch seconds, on an hour boundary).
    pub start: f64,
    /// Hours of logs.
    pub hours: u32,
    /// Office PCs (10.10.5.10 upward; 10.10.6.x… when more than 240).
    pub hosts: u32,
    /// Web visits per PC per working hour.
    pub visits: f64,
    /// Plant the attack patterns.
    pub planted: bool,
    /// The infected PC.
    pub pc: Ipv4Addr,
    /// The server whose role denies egress.
    pub server: Ipv4Addr,
    /// The C2 address.
    pub c2: Ipv4Addr,
    /// The C2 name (TLS SNI and DNS).
    pub c2_name: String,
}

impl Plan {
    /// Two days of a 20-PC office with every pattern planted (tests, demo).
    pub fn office(seed: u64) -> Plan {
        Plan {
            seed,
            start: 1_458_345_600.0, // 2016-03-19T00:00:00Z
            hours: 48,
            hosts: 20,
            visits: 12.0,
            planted: true,
            pc: Ipv4Addr::new(10, 10, 5, 23),
            server: Ipv4Addr::new(10, 20, 0, 15),
            c2: Ipv4Addr::new(203, 0, 113, 45),
            c2_name: "update-check.example".into(),
        }
    }

    /// The patterns planted, as (kind, src, dst) — dst is an address, a name (SNI/Host
    /// beacons) or the registered domain (DNS tunnel).
    pub fn labels(&self) -> Vec<(Kind, String, String)> {
        if !self.planted {
            return Vec::new();
        }
        vec![
            (Kind::Beacon, self.pc.to_string(), self.c2.to_string()),
            (Kind::Beacon, self.pc.to_string(), self.c2_name.clone()),
            (Kind::Beacon, SLOW_SRC.into(), SLOW_DST.into()),
            (Kind::Beacon, SLOW_SRC.into(), SLOW_NAME.into()),
            (Kind::LongConnection, LONG_SRC.into(), LONG_DST.into()),
            (Kind::DnsTunnel, TUNNEL_SRC.into(), TUNNEL_DOMAIN.into()),
            (Kind::Exfiltration, EXFIL_SRC.into(), EXFIL_DST.into()),
            (
                Kind::EgressViolation,
                self.server.to_string(),
                self.c2.to_string(),
            ),
        ]
    }
}

const SLOW_SRC: &str = "10.10.5.41";
const SLOW_DST: &str = "198.51.100.77";
const SLOW_NAME: &str = "telemetry.stats-collector.example";
const LONG_SRC: &str = "10.10.5.30";
const LONG_DST: &str = "192.0.2.200";
const TUNNEL_SRC: &str = "10.10.5.52";
const TUNNEL_DOMAIN: &str = "tunnel-dns.example";
const EXFIL_SRC: &str = "10.10.5.61";
const EXFIL_DST: &str = "198.51.100.200";
const RESOLVER: &str = "10.10.0.2";
const CDN_IP: &str = "192.0.2.10";
const CDN_NAME: &str = "dl.cdn-vendor.example";
const NTP_IP: &str = "198.51.100.123";
/// The domain of the benign CDN update traffic (allow-listed in the golden config).
pub const CDN_DOMAIN: &str = "cdn-vendor.example";

/// One conn / open_conn row.
#[derive(Clone, Debug)]
pub struct ConnRow {
    ts: f64,
    uid: String,
    src: String,
    sport: u16,
    dst: String,
    dport: u16,
    proto: &'static str,
    service: &'static str,
    duration: Option<f64>,
    orig_bytes: Option<u64>,
    resp_bytes: Option<u64>,
    state: &'static str,
}

/// One dns row.
#[derive(Clone, Debug)]
pub struct DnsRow {
    ts: f64,
    uid: String,
    src: String,
    sport: u16,
    query: String,
    answers: Vec<String>,
}

/// One ssl or http row.
#[derive(Clone, Debug)]
pub struct NameRow {
    ts: f64,
    uid: String,
    src: String,
    sport: u16,
    dst: String,
    dport: u16,
    name: String,
}

/// One hour of logs.
#[derive(Clone, Debug, Default)]
pub struct Hour {
    /// conn.log rows.
    pub conn: Vec<ConnRow>,
    /// open_conn.log rows.
    pub open_conn: Vec<ConnRow>,
    /// dns.log rows.
    pub dns: Vec<DnsRow>,
    /// ssl.log rows.
    pub ssl: Vec<NameRow>,
    /// http.log rows.
    pub http: Vec<NameRow>,
}

impl Hour {
    /// conn rows (for counting).
    pub fn conn_rows(&self) -> usize {
        self.conn.len()
    }
}

/// The generator: call [`Generator::hour`] for each hour in order.
pub struct Generator {
    plan: Plan,
    rng: Rng,
    sites: Vec<(String, String)>,
    next_beacon: f64,
    next_slow: f64,
    next_cdn: Vec<f64>,
    next_ntp: Vec<f64>,
    uid: u64,
}

fn host_ip(i: u32) -> String {
    let n = 10 + i;
    format!("10.10.{}.{}", 5 + n / 250, n % 250)
}

impl Generator {
    /// A generator for a plan.
    pub fn new(plan: Plan) -> Self {
        let mut rng = Rng::new(plan.seed);
        let sites = (0..60u32)
            .map(|i| {
                (
                    format!("www.site{i:02}.example"),
                    format!("198.18.{}.{}", i / 200, 10 + i % 200),
                )
            })
            .collect();
        let n = plan.hosts as usize;
        let next_cdn = (0..n).map(|_| plan.start + rng.unit() * 1800.0).collect();
        let next_ntp = (0..n).map(|_| plan.start + rng.unit() * 1024.0).collect();
        Generator {
            next_beacon: plan.start + 17.0,
            next_slow: plan.start + 1234.5,
            plan,
            rng,
            sites,
            next_cdn,
            next_ntp,
            uid: 0,
        }
    }

    fn uid(&mut self) -> String {
        self.uid += 1;
        let mut x = self.uid.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.plan.seed;
        let mut s = String::from("C");
        for _ in 0..17 {
            let c = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                [(x % 62) as usize];
            s.push(char::from(c));
            x /= 62;
            if x == 0 {
                x = self.uid.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            }
        }
        s
    }

    fn sport(&mut self) -> u16 {
        49_152 + self.rng.below(16_000) as u16
    }

    #[allow(clippy::too_many_arguments)]
    fn conn(
        &mut self,
        h: &mut Hour,
        ts: f64,
        src: &str,
        dst: &str,
        dport: u16,
        service: &'static str,
        dur: f64,
        out: u64,
        inb: u64,
        state: &'static str,
    ) -> (String, u16) {
        let uid = self.uid();
        let sport = self.sport();
        let failed = state != "SF";
        h.conn.push(ConnRow {
            ts,
            uid: uid.clone(),
            src: src.into(),
            sport,
            dst: dst.into(),
            dport,
            proto: if dport == 123 || dport == 53 {
                "udp"
            } else {
                "tcp"
            },
            service: if failed { "" } else { service },
            duration: (!failed).then_some(dur),
            orig_bytes: (!failed).then_some(out),
            resp_bytes: (!failed).then_some(inb),
            state,
        });
        (uid, sport)
    }

    fn dns(&mut self, h: &mut Hour, ts: f64, src: &str, query: &str, answers: Vec<String>) {
        let uid = self.uid();
        let sport = self.sport();
        h.dns.push(DnsRow {
            ts,
            uid,
            src: src.into(),
            sport,
            query: query.into(),
            answers,
        });
    }

    /// Generates hour `i` (0-based).
    pub fn hour(&mut self, i: u32) -> Hour {
        let mut h = Hour::default();
        let t0 = self.plan.start + f64::from(i) * 3600.0;
        let t1 = t0 + 3600.0;
        // Working hours in Japan (UTC+9): 08:00-20:00, lunch dip.
        let local = (i + 9 + ((self.plan.start / 3600.0) as u32 % 24)) % 24;
        let activity = match local {
            8 | 19 => 0.4,
            12 => 0.5,
            9..=18 => 1.0,
            _ => 0.03,
        };
        let rng_hosts = self.plan.hosts;
        for host in 0..rng_hosts {
            let src = host_ip(host);
            // Browsing.
            let visits = self.plan.visits * activity;
            let n = (visits * (0.5 + self.rng.unit())).round() as u32;
            for _ in 0..n {
                let ts = t0 + self.rng.unit() * 3600.0;
                let idx = if self.rng.chance(0.6) {
                    self.rng.below(8) as usize
                } else {
                    self.rng.below(self.sites.len() as u64) as usize
                };
                let Some((name, ip)) = self.sites.get(idx).cloned() else {
                    continue;
                };
                let qname = if self.rng.chance(0.3) {
                    let sub = self.rng.below(20);
                    name.replacen("www", &format!("img{sub}"), 1)
                } else {
                    name.clone()
                };
                self.dns(&mut h, ts, &src, &qname, vec![ip.clone()]);
                let k = 1 + self.rng.below(4);
                for j in 0..k {
                    let t = ts + 0.05 + j as f64 * self.rng.unit() * 3.0;
                    let state = if self.rng.chance(0.04) { "S0" } else { "SF" };
                    let out = 400 + self.rng.below(3000);
                    let inb = 2000 + self.rng.below(1_500_000);
                    let dur = 0.05 + self.rng.unit() * 40.0;
                    let (uid, sport) =
                        self.conn(&mut h, t, &src, &ip, 443, "ssl", dur, out, inb, state);
                    if state == "SF" {
                        h.ssl.push(NameRow {
                            ts: t + 0.01,
                            uid,
                            src: src.clone(),
                            sport,
                            dst: ip.clone(),
                            dport: 443,
                            name: qname.clone(),
                        });
                    }
                }
            }
            // Periodic update check to a CDN, every 30 minutes from every PC.
            while self.next_cdn[host as usize] < t1 {
                let ts = self.next_cdn[host as usize];
                self.next_cdn[host as usize] += 1800.0 * (0.97 + 0.06 * self.rng.unit());
                if ts < t0 {
                    continue;
                }
                let (out, inb) = (600 + self.rng.below(40), 4000 + self.rng.below(200));
                let (uid, sport) =
                    self.conn(&mut h, ts, &src, CDN_IP, 443, "ssl", 0.4, out, inb, "SF");
                h.ssl.push(NameRow {
                    ts: ts + 0.01,
                    uid,
                    src: src.clone(),
                    sport,
                    dst: CDN_IP.into(),
                    dport: 443,
                    name: CDN_NAME.into(),
                });
                if self.rng.chance(0.2) {
                    self.dns(&mut h, ts - 0.02, &src, CDN_NAME, vec![CDN_IP.into()]);
                }
            }
            // NTP every 1024 s.
            while self.next_ntp[host as usize] < t1 {
                let ts = self.next_ntp[host as usize];
                self.next_ntp[host as usize] += 1024.0;
                self.conn(&mut h, ts, &src, NTP_IP, 123, "ntp", 0.02, 48, 48, "SF");
            }
        }
        if self.plan.planted {
            self.planted(&mut h, i, t0, t1);
        }
        h.conn.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        h.open_conn.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        h.dns.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        h.ssl.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        h.http.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        h
    }

    fn planted(&mut self, h: &mut Hour, i: u32, t0: f64, t1: f64) {
        let pc = self.plan.pc.to_string();
        let c2 = self.plan.c2.to_string();
        let c2_name = self.plan.c2_name.clone();
        // Beacon: every 300 s ±30 %, asleep 00:00-06:00 local (15:00-21:00 UTC).
        while self.next_beacon < t1 {
            let ts = self.next_beacon;
            self.next_beacon += 300.0 * (0.7 + 0.6 * self.rng.unit());
            let utc_hour = ((ts / 3600.0) as u64) % 24;
            if (15..21).contains(&utc_hour) {
                continue;
            }
            if self.rng.chance(1.0 / 12.0) {
                self.dns(h, ts - 0.03, &pc, &c2_name, vec![c2.clone()]);
            }
            let out = 380 + self.rng.below(60);
            let inb = 220 + self.rng.below(400);
            let (uid, sport) = self.conn(h, ts, &pc, &c2, 443, "ssl", 0.8, out, inb, "SF");
            h.ssl.push(NameRow {
                ts: ts + 0.01,
                uid,
                src: pc.clone(),
                sport,
                dst: c2.clone(),
                dport: 443,
                name: c2_name.clone(),
            });
        }
        // Slow beacon over plain HTTP: hourly ±5 %, missing one call-back in ten.
        while self.next_slow < t1 {
            let ts = self.next_slow;
            self.next_slow += 3600.0 * (0.95 + 0.1 * self.rng.unit());
            if self.rng.chance(0.1) {
                continue;
            }
            let (uid, sport) =
                self.conn(h, ts, SLOW_SRC, SLOW_DST, 80, "http", 0.3, 900, 350, "SF");
            h.http.push(NameRow {
                ts: ts + 0.01,
                uid,
                src: SLOW_SRC.into(),
                sport,
                dst: SLOW_DST.into(),
                dport: 80,
                name: SLOW_NAME.into(),
            });
        }
        // A long SSH session, still open: open_conn.log snapshots every hour.
        let start = self.plan.start + 600.0;
        if t1 > start {
            let dur = t1 - start - 1.0;
            h.open_conn.push(ConnRow {
                ts: start,
                uid: "CLongSsh0000000001".into(),
                src: LONG_SRC.into(),
                sport: 50_022,
                dst: LONG_DST.into(),
                dport: 22,
                proto: "tcp",
                service: "ssh",
                duration: Some(dur),
                orig_bytes: Some((dur * 12.0) as u64),
                resp_bytes: Some((dur * 30.0) as u64),
                state: "S1",
            });
        }
        // DNS tunnel: 40 long random names an hour below one domain, never connected to.
        for _ in 0..40 {
            let ts = t0 + self.rng.unit() * 3600.0;
            let mut label = String::new();
            for _ in 0..48 {
                let c = b"abcdefghijklmnopqrstuvwxyz234567"[self.rng.below(32) as usize];
                label.push(char::from(c));
            }
            let q = format!("{}.{}.t.{TUNNEL_DOMAIN}", &label[..32], &label[32..]);
            self.dns(h, ts, TUNNEL_SRC, &q, Vec::new());
        }
        // Exfiltration: one evening, big uploads.
        if i == 34 {
            for k in 0..4 {
                let ts = t0 + 300.0 + f64::from(k) * 700.0;
                let out = 250_000_000 + self.rng.below(100_000_000);
                self.conn(
                    h, ts, EXFIL_SRC, EXFIL_DST, 443, "ssl", 600.0, out, 40_000, "SF",
                );
            }
        }
        // The server whose role denies egress talks to the C2 a few times a day.
        if i % 6 == 2 {
            let srv = self.plan.server.to_string();
            let ts = t0 + self.rng.unit() * 3000.0;
            let out = 5_000 + self.rng.below(5000);
            self.conn(h, ts, &srv, &c2, 443, "ssl", 2.5, out, 1200, "SF");
        }
    }
}

/// How to write logs.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// TSV or JSON lines.
    pub format: Format,
    /// gzip each file.
    pub gzip: bool,
    /// One file per log and hour in dated folders (`2016-03-19/conn.00:00:00-01:00:00.log.gz`),
    /// as Zeek rotates them; otherwise one file per log.
    pub rotate: bool,
}

type Sink = Box<dyn Write>;

struct Writers {
    layout: Layout,
    dir: PathBuf,
    open: Vec<(&'static str, PathBuf, Sink)>,
    written: Vec<PathBuf>,
}

impl Writers {
    fn get(
        &mut self,
        log: &'static str,
        rel: String,
        fields: &str,
        types: &str,
    ) -> io::Result<&mut Sink> {
        let pos = match self.open.iter().position(|(l, _, _)| *l == log) {
            Some(p) => p,
            None => {
                let path = self.dir.join(rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                let f = BufWriter::with_capacity(1 << 16, File::create(&path)?);
                let mut w: Sink = if self.layout.gzip {
                    Box::new(GzEncoder::new(f, Compression::new(6)))
                } else {
                    Box::new(f)
                };
                if matches!(self.layout.format, Format::Tsv) {
                    write!(
                        w,
                        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t{log}\n#open\t2016-03-19-00-00-00\n#fields\t{fields}\n#types\t{types}\n"
                    )?;
                }
                self.written.push(path.clone());
                self.open.push((log, path, w));
                self.open.len() - 1
            }
        };
        Ok(&mut self.open[pos].2)
    }

    fn close_all(&mut self) -> io::Result<()> {
        for (_, _, mut w) in self.open.drain(..) {
            if matches!(self.layout.format, Format::Tsv) {
                w.write_all(b"#close\t2016-03-21-00-00-00\n")?;
            }
            w.flush()?;
            drop(w);
        }
        Ok(())
    }
}

const CONN_FIELDS: &str = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents";
const CONN_TYPES: &str = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]";
const DNS_FIELDS: &str = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\tquery\tqtype_name\trcode_name\tanswers\tTTLs";
const DNS_TYPES: &str = "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tstring\tstring\tvector[string]\tvector[interval]";
const SSL_FIELDS: &str =
    "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tserver_name\testablished";
const SSL_TYPES: &str = "time\tstring\taddr\tport\taddr\tport\tstring\tstring\tbool";
const HTTP_FIELDS: &str = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\tuser_agent\tstatus_code\ttags";
const HTTP_TYPES: &str =
    "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tcount\tset[enum]";

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn conn_line(r: &ConnRow, fmt: Format, s: &mut String) {
    s.clear();
    let service = if r.service.is_empty() {
        None
    } else {
        Some(r.service)
    };
    let dur = r.duration.map(|d| format!("{d:.6}"));
    match fmt {
        Format::Tsv => {
            let _ = writeln!(
                s,
                "{:.6}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\tT\tF\t0\t{}\t{}\t{}\t{}\t{}\t(empty)",
                r.ts,
                r.uid,
                r.src,
                r.sport,
                r.dst,
                r.dport,
                r.proto,
                opt(service),
                opt(dur),
                opt(r.orig_bytes),
                opt(r.resp_bytes),
                r.state,
                if r.state == "SF" { "ShADadFf" } else { "S" },
                3,
                r.orig_bytes.unwrap_or(0) + 120,
                2,
                r.resp_bytes.unwrap_or(0) + 80
            );
        }
        Format::Json => {
            let _ = write!(
                s,
                "{{\"ts\":{:.6},\"uid\":\"{}\",\"id.orig_h\":\"{}\",\"id.orig_p\":{},\"id.resp_h\":\"{}\",\"id.resp_p\":{},\"proto\":\"{}\"",
                r.ts, r.uid, r.src, r.sport, r.dst, r.dport, r.proto
            );
            if let Some(sv) = service {
                let _ = write!(s, ",\"service\":\"{sv}\"");
            }
            if let Some(d) = &dur {
                let _ = write!(s, ",\"duration\":{d}");
            }
            if let (Some(o), Some(i)) = (r.orig_bytes, r.resp_bytes) {
                let _ = write!(s, ",\"orig_bytes\":{o},\"resp_bytes\":{i}");
            }
            let _ = writeln!(
                s,
                ",\"conn_state\":\"{}\",\"local_orig\":true,\"local_resp\":false,\"missed_bytes\":0,\"history\":\"S\"}}",
                r.state
            );
        }
    }
}

fn dns_line(r: &DnsRow, fmt: Format, s: &mut String) {
    s.clear();
    match fmt {
        Format::Tsv => {
            let ans = if r.answers.is_empty() {
                "-".to_string()
            } else {
                r.answers.join(",")
            };
            let ttl = if r.answers.is_empty() {
                "-".to_string()
            } else {
                vec!["300.000000"; r.answers.len()].join(",")
            };
            let _ = writeln!(
                s,
                "{:.6}\t{}\t{}\t{}\t{RESOLVER}\t53\tudp\t{}\t{}\tA\t{}\t{ans}\t{ttl}",
                r.ts,
                r.uid,
                r.src,
                r.sport,
                r.sport,
                r.query,
                if r.answers.is_empty() {
                    "NXDOMAIN"
                } else {
                    "NOERROR"
                }
            );
        }
        Format::Json => {
            let _ = write!(
                s,
                "{{\"ts\":{:.6},\"uid\":\"{}\",\"id.orig_h\":\"{}\",\"id.orig_p\":{},\"id.resp_h\":\"{RESOLVER}\",\"id.resp_p\":53,\"proto\":\"udp\",\"trans_id\":{},\"query\":\"{}\",\"qtype_name\":\"A\",\"rcode_name\":\"{}\"",
                r.ts,
                r.uid,
                r.src,
                r.sport,
                r.sport,
                r.query,
                if r.answers.is_empty() {
                    "NXDOMAIN"
                } else {
                    "NOERROR"
                }
            );
            if !r.answers.is_empty() {
                let a: Vec<String> = r.answers.iter().map(|x| format!("\"{x}\"")).collect();
                let _ = write!(
                    s,
                    ",\"answers\":[{}],\"TTLs\":[{}]",
                    a.join(","),
                    vec!["300.0"; a.len()].join(",")
                );
            }
            s.push_str("}\n");
        }
    }
}

fn name_line(r: &NameRow, http: bool, fmt: Format, s: &mut String) {
    s.clear();
    match (fmt, http) {
        (Format::Tsv, false) => {
            let _ = writeln!(
                s,
                "{:.6}\t{}\t{}\t{}\t{}\t{}\tTLSv12\t{}\tT",
                r.ts, r.uid, r.src, r.sport, r.dst, r.dport, r.name
            );
        }
        (Format::Tsv, true) => {
            let _ = writeln!(
                s,
                "{:.6}\t{}\t{}\t{}\t{}\t{}\t1\tGET\t{}\t/api/v1/ping\tMozilla/5.0\t200\t(empty)",
                r.ts, r.uid, r.src, r.sport, r.dst, r.dport, r.name
            );
        }
        (Format::Json, false) => {
            let _ = writeln!(
                s,
                "{{\"ts\":{:.6},\"uid\":\"{}\",\"id.orig_h\":\"{}\",\"id.orig_p\":{},\"id.resp_h\":\"{}\",\"id.resp_p\":{},\"version\":\"TLSv12\",\"server_name\":\"{}\",\"established\":true}}",
                r.ts, r.uid, r.src, r.sport, r.dst, r.dport, r.name
            );
        }
        (Format::Json, true) => {
            let _ = writeln!(
                s,
                "{{\"ts\":{:.6},\"uid\":\"{}\",\"id.orig_h\":\"{}\",\"id.orig_p\":{},\"id.resp_h\":\"{}\",\"id.resp_p\":{},\"trans_depth\":1,\"method\":\"GET\",\"host\":\"{}\",\"uri\":\"/api/v1/ping\",\"user_agent\":\"Mozilla/5.0\",\"status_code\":200,\"tags\":[]}}",
                r.ts, r.uid, r.src, r.sport, r.dst, r.dport, r.name
            );
        }
    }
}

/// Generates the whole plan into `dir`; returns the files written and the conn rows.
pub fn write(plan: &Plan, dir: &Path, layout: Layout) -> io::Result<(Vec<PathBuf>, u64)> {
    let mut g = Generator::new(plan.clone());
    let mut w = Writers {
        layout,
        dir: dir.to_path_buf(),
        open: Vec::new(),
        written: Vec::new(),
    };
    let ext = match (layout.format, layout.gzip) {
        (Format::Tsv, false) => "log",
        (Format::Tsv, true) => "log.gz",
        (Format::Json, false) => "json",
        (Format::Json, true) => "json.gz",
    };
    let mut rows = 0u64;
    let mut line = String::new();
    for i in 0..plan.hours {
        let h = g.hour(i);
        rows += h.conn.len() as u64;
        let t0 = plan.start + f64::from(i) * 3600.0;
        let name = |log: &str| {
            if layout.rotate {
                let day = &rfc3339(t0)[..10];
                let hh = (i + (plan.start / 3600.0) as u32) % 24;
                format!("{day}/{log}.{hh:02}:00:00-{:02}:00:00.{ext}", (hh + 1) % 24)
            } else {
                format!("{log}.{ext}")
            }
        };
        let logs: [(&'static str, usize); 5] = [
            ("conn", h.conn.len()),
            ("open_conn", h.open_conn.len()),
            ("dns", h.dns.len()),
            ("ssl", h.ssl.len()),
            ("http", h.http.len()),
        ];
        for (log, n) in logs {
            if n == 0 {
                continue;
            }
            let (fields, types) = match log {
                "conn" | "open_conn" => (CONN_FIELDS, CONN_TYPES),
                "dns" => (DNS_FIELDS, DNS_TYPES),
                "ssl" => (SSL_FIELDS, SSL_TYPES),
                _ => (HTTP_FIELDS, HTTP_TYPES),
            };
            let out = w.get(log, name(log), fields, types)?;
            match log {
                "conn" | "open_conn" => {
                    let rows = if log == "conn" { &h.conn } else { &h.open_conn };
                    for r in rows {
                        conn_line(r, layout.format, &mut line);
                        out.write_all(line.as_bytes())?;
                    }
                }
                "dns" => {
                    for r in &h.dns {
                        dns_line(r, layout.format, &mut line);
                        out.write_all(line.as_bytes())?;
                    }
                }
                _ => {
                    let http = log == "http";
                    for r in if http { &h.http } else { &h.ssl } {
                        name_line(r, http, layout.format, &mut line);
                        out.write_all(line.as_bytes())?;
                    }
                }
            }
        }
        if layout.rotate {
            w.close_all()?;
        }
    }
    w.close_all()?;
    Ok((w.written, rows))
}

/// The `[net]` configuration matching a plan: the server's role denies egress, the CDN is
/// allow-listed.
pub fn config(plan: &Plan) -> kizuki_core::config::NetConfig {
    kizuki_core::config::NetConfig {
        role: vec![kizuki_core::config::NetRole {
            name: "db-server".into(),
            hosts: vec![format!("{}/32", plan.server)],
            egress: kizuki_core::config::Egress::Deny,
        }],
        allow_domains: vec![CDN_DOMAIN.into()],
        ..kizuki_core::config::NetConfig::default()
    }
}
