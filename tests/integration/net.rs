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
