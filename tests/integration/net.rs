//! `kizuki net scan`: generated office logs, RITA's own test data, malformed input, exit codes.

use kizuki_net::read::Format;
use kizuki_net::synth::{self, Layout, Plan};

use crate::harness::{Sandbox, json_lines, shared_data};

const FIELDS: [&str; 10] = [
    "kind",
    "src",
    "dst",
    "score",
    "first_seen",
    "last_seen",
    "connections",
    "bytes_out",
    "bytes_in",
    "evidence",
];

fn office(sb: &Sandbox, format: Format, gzip: bool) -> Plan {
    let plan = Plan::office(7);
    synth::write(
        &plan,
        &sb.path().join("logs"),
        Layout {
            format,
            gzip,
            rotate: true,
        },
    )
    .expect("generate logs");
    sb.write(
        "kizuki.toml",
        format!(
            "[net]\nallow_domains = [\"{}\"]\n\n[[net.role]]\nname = \"db-server\"\nhosts = [\"{}/32\"]\negress = \"deny\"\n",
            synth::CDN_DOMAIN,
            plan.server
        ),
    );
    plan
}

fn find<'a>(
    v: &'a [serde_json::Value],
    kind: &str,
    src: &str,
    dst: &str,
) -> Option<&'a serde_json::Value> {
    v.iter()
        .find(|f| f["kind"] == kind && f["src"] == src && f["dst"] == dst)
}

#[test]
fn office_logs_planted_patterns_found_sorted_with_exact_fields() {
    let sb = Sandbox::new();
    let plan = office(&sb, Format::Tsv, true);
    let out = sb
        .cmd()
        .args(["net", "scan", "--format", "json", "logs"])
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    assert!(!v.is_empty());
    for f in &v {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = FIELDS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
    }
    let scores: Vec<f64> = v.iter().map(|f| f["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "sorted by score");
    for (kind, src, dst) in plan.labels() {
        assert!(
            find(&v, kind.as_str(), &src, &dst).is_some(),
            "{kind:?} {src} -> {dst}"
        );
    }
    // The same logs as JSON lines give the same findings.
    let sb2 = Sandbox::new();
    office(&sb2, Format::Json, false);
    let out2 = sb2
        .cmd()
        .args(["net", "scan", "--format", "json", "logs"])
        .assert()
        .code(1);
    assert_eq!(json_lines(&out2.get_output().stdout), v);
}

#[test]
fn since_until_and_text_output() {
    let sb = Sandbox::new();
    office(&sb, Format::Tsv, false);
    // Only the second day: the exfiltration (hour 34) is in it, the first-day egress too is not.
    let out = sb
        .cmd()
        .args([
            "net",
            "scan",
            "--format",
            "json",
            "--since",
            "2016-03-20",
            "--until",
            "2016-03-20T12:00:00Z",
            "logs",
        ])
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    for f in &v {
        let first = f["first_seen"].as_str().unwrap();
        assert!(("2016-03-20".."2016-03-20T12").contains(&first), "{first}");
    }
    assert!(find(&v, "exfiltration", "10.10.5.61", "198.51.100.200").is_some());
    let text = sb.cmd().args(["net", "scan", "logs"]).assert().code(1);
    let s = String::from_utf8_lossy(&text.get_output().stdout).to_string();
    assert!(
        s.contains("beacon") && s.contains("10.10.5.23 -> 203.0.113.45"),
        "{s}"
    );
    sb.cmd()
        .args(["net", "scan", "--since", "last tuesday", "logs"])
        .assert()
        .code(2);
}

#[test]
fn exit_codes_clean_error_and_malformed() {
    let sb = Sandbox::new();
    // Clean: a few benign connections.
    sb.write(
        "clean/conn.log",
        "#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tconn_state\n1.0\t10.0.0.1\t93.184.216.34\t443\tSF\n",
    );
    sb.cmd().args(["net", "scan", "clean"]).assert().code(0);
    sb.cmd().args(["net", "scan", "missing"]).assert().code(2);
    // Truncated gzip and bad rows: reported per file on stderr, exit 2 without findings.
    sb.write(
        "bad/conn.log.gz",
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xab],
    );
    sb.write(
        "bad/dns.log",
        "#separator \\x09\n#path\tdns\n#fields\tts\tid.orig_h\tquery\nxx\t10.0.0.1\ta.example\n1\t10.0.0.1\n",
    );
    let out = sb
        .cmd()
        .args(["net", "scan", "--format", "json", "bad"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("conn.log.gz") && err.contains("deflate"),
        "{err}"
    );
    assert!(err.contains("dns.log: 2 malformed row(s)"), "{err}");
    let v = json_lines(&out.get_output().stdout);
    assert!(v.iter().all(|o| o.get("error").is_some()));
}

#[test]
fn rita_missing_host_beacon_and_open_ssh_session() {
    let dir = shared_data().join("zeek-public/missing_host");
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["net", "scan", "--format", "json"])
        .arg(&dir)
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    let b = find(&v, "beacon", "73.54.23.243", "64.225.56.201")
        .expect("the HTTP beacon RITA scores 0.963");
    assert!(b["evidence"]["rita_score"].as_f64().unwrap() >= 0.9, "{b}");
    assert!(b["score"].as_f64().unwrap() >= 0.85, "{b}");
    let l = find(&v, "long_connection", "73.54.23.243", "64.225.56.201").expect("the SSH session");
    assert_eq!(
        l["evidence"]["open"], true,
        "seen only in open_conn logs: {l}"
    );
    assert!(
        l["evidence"]["longest_secs"].as_f64().unwrap() > 2.0 * 86_400.0,
        "{l}"
    );
}

#[test]
fn rita_proxy_beacon_through_connect() {
    let dir = shared_data().join("zeek-public/proxy");
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["net", "scan", "--format", "json"])
        .arg(&dir)
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    let b = find(&v, "beacon", "10.136.0.18", "www.honestimnotevil.com").expect("proxy beacon");
    assert!(b["score"].as_f64().unwrap() >= 0.85, "{b}");
    assert_eq!(v[0]["dst"], "www.honestimnotevil.com", "ranks first");
}

#[test]
fn threat_intel_files_and_config_errors() {
    let sb = Sandbox::new();
    office(&sb, Format::Tsv, false);
    sb.write("intel.txt", "# feed\n203.0.113.45\ntunnel-dns.example\n");
    let cfg = std::fs::read_to_string(sb.path().join("kizuki.toml")).expect("config");
    sb.write(
        "kizuki.toml",
        cfg.replace("[net]\n", "[net]\nintel = [\"intel.txt\"]\n"),
    );
    let out = sb
        .cmd()
        .args(["net", "scan", "--format", "json", "logs"])
        .assert()
        .code(1);
    let v = json_lines(&out.get_output().stdout);
    assert!(find(&v, "threat_intel", "10.10.5.23", "203.0.113.45").is_some());
    assert!(find(&v, "threat_intel", "10.10.5.52", "tunnel-dns.example").is_some());
    // A missing intel file is an error (exit 2), not a silent empty list.
    sb.write("kizuki.toml", "[net]\nintel = [\"nope.txt\"]\n");
    sb.cmd().args(["net", "scan", "logs"]).assert().code(2);
}

#[test]
fn thresholds_come_from_the_config_file() {
    let sb = Sandbox::new();
    office(&sb, Format::Tsv, false);
    let scan = |sb: &Sandbox| {
        let out = sb
            .cmd()
            .args(["net", "scan", "--format", "json", "logs"])
            .assert()
            .code(1);
        json_lines(&out.get_output().stdout)
    };
    let base = scan(&sb);
    let longs =
        |v: &[serde_json::Value]| v.iter().filter(|f| f["kind"] == "long_connection").count();
    assert!(longs(&base) > 0, "the plan has a long connection");
    let cfg = std::fs::read_to_string(sb.path().join("kizuki.toml")).expect("config");
    // A long connection must now last a week: none is left; a higher floor keeps fewer findings.
    sb.write(
        "kizuki.toml",
        format!("{cfg}\n[net.thresholds]\nlong_min_secs = 604800.0\nmin_score = 0.9\n"),
    );
    let strict = scan(&sb);
    assert_eq!(longs(&strict), 0);
    assert!(
        strict.len() < base.len(),
        "{} vs {}",
        strict.len(),
        base.len()
    );
    assert!(strict.iter().all(|f| f["score"].as_f64().unwrap() >= 0.9));
    // An out-of-range value is one error line with the file and line, exit 2.
    sb.write("kizuki.toml", "[net.thresholds]\nmin_score = 1.5\n");
    let out = sb.cmd().args(["net", "scan", "logs"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("kizuki.toml:2: net.thresholds.min_score: "),
        "{err}"
    );
}

/// Suricata eve.json flows and the same connections as a Zeek conn.log give the same
/// findings: a jittered 5-minute beacon over a day, failed handshakes and background.
#[test]
fn suricata_eve_flows_match_zeek_conn() {
    let sb = Sandbox::new();
    let mut rng = kizuki_core::rng::Rng::new(42);
    let mut eve = String::new();
    let mut conn = String::from(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\n",
    );
    let iso = |t: f64| {
        let secs = t.floor() as i64;
        let micros = ((t - t.floor()) * 1e6).round() as i64;
        let (d, s) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // 2016-03-19 is day 16879 since the epoch; the test stays within two days of it.
        let day = 19 + (d - 16_879);
        format!(
            "2016-03-{day:02}T{:02}:{:02}:{:02}.{micros:06}+0000",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    };
    let mut row = |t: f64, src: &str, dst: &str, dur: f64, out: u64, inb: u64, failed: bool| {
        eve.push_str(&format!(
            r#"{{"timestamp":"{}","event_type":"flow","src_ip":"{src}","src_port":50000,"dest_ip":"{dst}","dest_port":443,"proto":"TCP","flow":{{"pkts_toserver":3,"pkts_toclient":{},"bytes_toserver":{out},"bytes_toclient":{inb},"start":"{}","end":"{}"}}}}"#,
            iso(t + dur),
            if failed { 0 } else { 4 },
            iso(t),
            iso(t + dur),
        ));
        eve.push('\n');
        conn.push_str(&format!(
            "{t:.6}\tC{}\t{src}\t50000\t{dst}\t443\ttcp\tssl\t{dur:.6}\t{out}\t{inb}\t{}\n",
            conn.len(),
            if failed { "S0" } else { "SF" }
        ));
    };
    let t0 = 1_458_345_600.0;
    let mut t = t0;
    let mut n = 0;
    while t < t0 + 86_400.0 {
        row(t, "10.1.2.3", "203.0.113.66", 0.5, 420, 1_337, false);
        n += 1;
        if n % 10 == 0 {
            // A retry that got no answer: a failed handshake, not a connection.
            row(t + 1.0, "10.1.2.3", "203.0.113.66", 3.0, 60, 0, true);
        }
        t += 300.0 * (0.8 + 0.4 * (rng.next_u64() % 1000) as f64 / 1000.0);
    }
    for i in 0..400u64 {
        let t = t0 + (rng.next_u64() % 86_400) as f64;
        let host = format!("10.1.3.{}", i % 50);
        let dst = format!("198.51.100.{}", rng.next_u64() % 200);
        row(t, &host, &dst, 1.0, 2_000 + i, 40_000, i % 17 == 0);
    }
    sb.write("eve/eve.json", &eve);
    sb.write("zeek/conn.log", &conn);
    let scan = |dir: &str| {
        let out = sb
            .cmd()
            .args(["net", "scan", "--format", "json", dir])
            .assert()
            .code(1);
        json_lines(&out.get_output().stdout)
    };
    let (from_eve, from_zeek) = (scan("eve"), scan("zeek"));
    let b = find(&from_eve, "beacon", "10.1.2.3", "203.0.113.66").expect("beacon");
    assert_eq!(b["connections"], n, "failed handshakes are not connections");
    assert_eq!(b["evidence"]["failed_handshakes"], n / 10);
    assert_eq!(from_eve, from_zeek);
}
