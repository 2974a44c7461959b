//! Golden tests: the generated corpus in testdata/ against its `.out.json` files.
//! `UPDATE_GOLDEN=1 cargo test -p kizuki-mail --test golden` regenerates inputs and outputs.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kizuki_core::Config;
use kizuki_mail::{Analyzer, DnsMode, DnsRecords, MailReport, Options, synth};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn analyzer() -> Analyzer {
    let cfg = Config::parse(synth::CONFIG, Path::new("kizuki.toml")).unwrap();
    let mut opts = Options::from_config(&cfg);
    let records = DnsRecords::parse(&synth::dns_records()).unwrap();
    opts.dns = DnsMode::Records(Arc::new(records));
    Analyzer::new(opts).unwrap()
}

fn scan(an: &Analyzer, path: &Path) -> Vec<MailReport> {
    let mut s = an.session();
    let mut out = Vec::new();
    kizuki_mail::input::walk(path, an.limits().max_message, &mut |item| {
        let (src, bytes) = item.unwrap();
        let src = Path::new(&src)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        out.push(s.scan(&src, &bytes));
        true
    });
    out
}

#[test]
fn golden_corpus() {
    let dir = testdata();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let corpus = synth::corpus();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
        for c in &corpus {
            std::fs::write(dir.join(&c.name), &c.data).unwrap();
        }
        std::fs::write(dir.join("dns-records.txt"), synth::dns_records()).unwrap();
        std::fs::write(dir.join("kizuki.toml"), synth::CONFIG).unwrap();
    }
    // The stored inputs are exactly what the generator makes.
    for c in &corpus {
        let stored = std::fs::read(dir.join(&c.name)).unwrap();
        assert!(
            stored == c.data,
            "{}: generator output changed; UPDATE_GOLDEN=1",
            c.name
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("dns-records.txt")).unwrap(),
        synth::dns_records()
    );
    let an = analyzer();
    let mut ran = 0;
    for c in &corpus {
        let reports = scan(&an, &dir.join(&c.name));
        assert!(!reports.is_empty(), "{}", c.name);
        let json = serde_json::to_string_pretty(&reports).unwrap() + "\n";
        let out = dir.join(format!("{}.out.json", c.name));
        if update {
            std::fs::write(&out, &json).unwrap();
        }
        let want = std::fs::read_to_string(&out).unwrap_or_default();
        assert_eq!(
            json,
            want,
            "{}: output differs from {}",
            c.name,
            out.display()
        );
        for r in &reports {
            for f in &r.findings {
                assert!(
                    kizuki_core::finding::is_valid_rule_id(&f.rule),
                    "{}",
                    f.rule
                );
            }
            if c.clean {
                assert_eq!(
                    r.verdict,
                    kizuki_core::Verdict::Clean,
                    "false positive {}: {:?}",
                    r.source,
                    r.findings
                );
            }
        }
        if !c.clean {
            assert!(
                reports
                    .iter()
                    .any(|r| r.verdict != kizuki_core::Verdict::Clean),
                "{} was not caught",
                c.name
            );
        }
        ran += 1;
    }
    assert!(ran > 0);
}

#[test]
fn reference_mail_is_malicious_with_every_kind_of_reason() {
    let an = analyzer();
    for eol in [synth::Eol::Lf, synth::Eol::Crlf] {
        let r = an.analyze("reference.eml", &synth::reference(eol));
        assert_eq!(r.verdict, kizuki_core::Verdict::Malicious, "{r:?}");
        for prefix in ["sender.", "auth.", "body.", "attachment."] {
            assert!(
                r.findings.iter().any(|f| f.rule.starts_with(prefix)),
                "{prefix} missing: {r:?}"
            );
        }
        assert_eq!(r.subject.as_deref(), Some(synth::REF_SUBJECT));
        assert_eq!(r.from.as_deref(), Some("s****@partner-air.example"));
        assert_eq!(r.attachments.len(), 1);
        assert!(r.attachments[0].path.ends_with(synth::REF_ATTACHMENT));
    }
}

#[test]
fn forged_pass_is_ignored_and_real_signatures_pass() {
    let an = analyzer();
    let corpus = synth::corpus();
    let forged = corpus
        .iter()
        .find(|c| c.name == "forged-auth-results.eml")
        .unwrap();
    let r = an.analyze("f", &forged.data);
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_ref()).collect();
    assert!(rules.contains(&"auth.untrusted_results"), "{rules:?}");
    assert!(rules.contains(&"auth.dmarc_fail"), "{rules:?}");
    let bec = corpus
        .iter()
        .find(|c| c.name == "bec-reply-to.eml")
        .unwrap();
    let r = an.analyze("b", &bec.data);
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_ref()).collect();
    assert_eq!(
        rules,
        [
            "sender.reply_to_mismatch",
            "lure.subject",
            "auth.results",
            "sender.first_external_hop"
        ],
        "{r:?}"
    );
    let auth = r
        .findings
        .iter()
        .find(|f| f.rule == "auth.results")
        .unwrap();
    assert_eq!(auth.detail, "spf=pass dkim=pass dmarc=pass (verified)");
    // Tampering with a signed message breaks DKIM and so DMARC.
    let tampered = String::from_utf8_lossy(&bec.data)
        .replace("bec.1@partner-air.example", "bec.2@partner-air.example");
    let r = an.analyze("t", tampered.as_bytes());
    let rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_ref()).collect();
    assert!(rules.contains(&"auth.dkim_fail"), "{rules:?}");
}

#[test]
fn malformed_mime_is_analysed_as_far_as_possible() {
    let an = analyzer();
    let head = "From: a <a@b.example>\nSubject: x\nMIME-Version: 1.0\n";
    let mut cases: Vec<Vec<u8>> = Vec::new();
    cases.push(format!("{head}Content-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nhello\n--zz\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK").into_bytes());
    let mut many = format!("{head}Content-Type: multipart/mixed; boundary=b\n\n");
    for i in 0..10_000 {
        many.push_str(&format!("--b\nContent-Type: application/octet-stream; name=\"p{i}.bin\"\nContent-Disposition: attachment\n\nx\n"));
    }
    many.push_str("--b--\n");
    cases.push(many.into_bytes());
    let mut long = format!(
        "From: a <a@b.example>\nSubject: {}\nX-Long: ",
        "あ".repeat(100)
    );
    long.push_str(&"y".repeat(1 << 20));
    long.push_str("\n\nbody\n");
    cases.push(long.into_bytes());
    cases.push(format!("{head}Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64@@@\n").into_bytes());
    let mut wrong =
        format!("{head}Content-Type: text/plain; charset=x-unknown-charset\n\n\x1b$B$3$s\x1b(B")
            .into_bytes();
    wrong.extend_from_slice(b"\xff\xfe\n");
    cases.push(wrong);
    cases.push(b"Subject: =?ISO-2022-JP?B?GyRCOVJLNjM0OVQbKEI=?=\n\n".to_vec());
    cases.push(b"\xff\xfe\x00garbage".to_vec());
    cases.push(Vec::new());
    let mut nested = String::new();
    for _ in 0..200 {
        nested.push_str("Content-Type: message/rfc822\n\n");
    }
    cases.push(nested.into_bytes());
    // Deep nesting: multiparts and messages 5,000 levels down.
    let mut deep = String::new();
    for i in 0..5_000 {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\nContent-Type: message/rfc822\n\n"
        ));
    }
    deep.push_str("Subject: bottom\n\nx\n");
    cases.push(deep.into_bytes());
    for (i, c) in cases.iter().enumerate() {
        let r = an.analyze(&format!("m{i}"), c);
        assert!(r.score <= 100);
    }
    let r = an.analyze("many", &cases[1]);
    assert!(
        r.findings.iter().any(|f| f.rule == "mime.too_many_parts"),
        "{:?}",
        r.findings
    );
    assert!(r.attachments.len() <= an.limits().max_attachments);
}

/// The other PPAP: a Word document encrypted with a password, its password in the next
/// mail. The first mail tells it encrypted; the second opens it, and the remote template
/// its settings load is found.
#[test]
fn ppap_password_mail_opens_the_earlier_document() {
    let an = analyzer();
    let reports = scan(&an, &testdata().join("ppap-office.mbox"));
    assert_eq!(reports.len(), 2);
    let (doc, pw) = (&reports[0], &reports[1]);
    let rules = |r: &MailReport| {
        r.findings
            .iter()
            .map(|f| f.rule.to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        rules(doc).contains(&"attachment.office.encrypted".into()),
        "{:?}",
        rules(doc)
    );
    assert!(
        rules(doc).contains(&"ppap.encrypted_archive".into()),
        "{:?}",
        rules(doc)
    );
    assert!(!rules(doc).contains(&"attachment.office.remote_template".into()));
    assert!(
        rules(pw).contains(&"ppap.password_mail".into()),
        "{:?}",
        rules(pw)
    );
    assert!(
        rules(pw).contains(&"attachment.office.remote_template".into()),
        "{:?}",
        rules(pw)
    );
    assert_eq!(pw.attachments[0].path, "ppap-office.mbox#1!請求書.docx");
    assert_eq!(
        pw.attachments[0].children[0].path,
        "ppap-office.mbox#1!請求書.docx!EncryptedPackage"
    );
}

#[test]
fn ppap_password_mail_opens_the_earlier_archive() {
    let an = analyzer();
    let reports = scan(&an, &testdata().join("ppap-pair.mbox"));
    assert_eq!(reports.len(), 2);
    let (zip, pw) = (&reports[0], &reports[1]);
    assert!(
        zip.findings
            .iter()
            .any(|f| f.rule == "attachment.archive.encrypted")
    );
    assert!(pw.findings.iter().any(|f| f.rule == "ppap.password_mail"));
    assert!(
        pw.findings
            .iter()
            .any(|f| f.rule == "attachment.pdf.javascript"),
        "{pw:?}"
    );
    assert_eq!(pw.attachments[0].path, "ppap-pair.mbox#1!資料.zip");
    assert_eq!(pw.verdict, kizuki_core::Verdict::Malicious);
    // Password first, archive second: the archive mail is opened with it.
    let corpus = std::fs::read(testdata().join("ppap-pair.mbox")).unwrap();
    let mut msgs = Vec::new();
    kizuki_mail::input::read_stream("p", &corpus[..], 1 << 30, &mut |i| {
        msgs.push(i.unwrap().1);
        true
    });
    let mut s = an.session();
    let first = s.scan("pw", &msgs[1]);
    let second = s.scan("zip", &msgs[0]);
    assert_eq!(first.verdict, kizuki_core::Verdict::Clean);
    assert!(
        second
            .findings
            .iter()
            .any(|f| f.rule == "attachment.pdf.javascript"),
        "{second:?}"
    );
}

/// An attachment named and a subject written in the header as a Japanese mailer writes them
/// (Shift_JIS bytes, or ISO-2022-JP with its escapes, no RFC 2047 or 2231 encoding): the
/// report names them as the recipient saw them, the name checks see the ideographic spaces
/// before the `.exe`, and the subject's lure word is found.
#[test]
fn raw_japanese_headers_are_read_as_sent() {
    let lure = "請求書.pdf\u{3000}\u{3000}\u{3000}\u{3000}.exe";
    let b64 = synth::b64(&kizuki_files::synth::pe_stub());
    for enc in [encoding_rs::SHIFT_JIS, encoding_rs::ISO_2022_JP] {
        let raw = enc.encode(lure).0;
        let mut m = b"From: sales@example.jp\r\nTo: b@example.jp\r\nSubject: ".to_vec();
        m.extend_from_slice(&enc.encode("【請求書】ご確認ください").0);
        m.extend_from_slice(
            b"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n\
            --XX\r\nContent-Type: text/plain\r\n\r\nplease see the attachment\r\n--XX\r\n\
            Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"",
        );
        m.extend_from_slice(&raw);
        m.extend_from_slice(b"\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        m.extend_from_slice(b64.as_bytes());
        m.extend_from_slice(b"\r\n--XX--\r\n");
        let r = analyzer().analyze("lure.eml", &m);
        assert_eq!(r.attachments.len(), 1, "{}", enc.name());
        assert_eq!(r.attachments[0].path, format!("lure.eml!{lure}"));
        assert_eq!(r.subject.as_deref(), Some("【請求書】ご確認ください"));
        assert!(
            r.findings.iter().any(|f| f.rule == "lure.subject"),
            "{:?}",
            r.findings
        );
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule == "attachment.name.double_extension"),
            "{}: {:?}",
            enc.name(),
            r.findings
        );
    }
}

/// A PDF encrypted with a password (as qpdf writes one), its password in the next mail: it
/// waits as an encrypted zip does. One with an owner's restrictions alone opens at once and
/// waits for nothing.
#[test]
fn ppap_password_mail_opens_the_earlier_pdf() {
    fn mail(id: u32, text: &str, pdf: Option<&[u8]>) -> Vec<u8> {
        let mut m = format!(
            "From: 佐藤 <sato@kobe-shoji.example>\r\nTo: keiri@example.co.jp\r\nSubject: invoice {id}\r\nDate: Tue, 15 Mar 2016 10:1{id}:00 +0900\r\nMessage-ID: <pdf.{id}@kobe-shoji.example>\r\nMIME-Version: 1.0\r\n"
        );
        match pdf {
            None => m.push_str(&format!(
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n"
            )),
            Some(p) => m.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n--b\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
                synth::b64(p)
            )),
        }
        m.into_bytes()
    }
    fn qpdf(plain: &[u8], user: &str) -> Vec<u8> {
        kizuki_files::synth::qpdf_encrypted(plain, &["--encrypt", user, "owner", "256", "--"])
            .unwrap()
    }
    let mut b = kizuki_files::synth::PdfBuilder::new();
    let act = b.obj("<< /S /JavaScript /JS (util.printf\\(\"%45000f\", 1\\);) >>");
    let root =
        kizuki_files::synth::pdf_text_with(&["Invoice"], &format!("/OpenAction {act} 0 R"), &mut b);
    let plain = b.finish(root);
    let an = analyzer();
    let rules = |r: &MailReport| {
        r.findings
            .iter()
            .map(|f| f.rule.to_string())
            .collect::<Vec<_>>()
    };
    let mut s = an.session();
    let first = s.scan(
        "a",
        &mail(1, "請求書を送付します。", Some(&qpdf(&plain, "Xk7pq29a"))),
    );
    assert!(
        rules(&first).contains(&"ppap.encrypted_archive".into()),
        "{:?}",
        rules(&first)
    );
    assert!(!rules(&first).contains(&"attachment.pdf.js_exploit_api".into()));
    let second = s.scan("b", &mail(2, "パスワード：Xk7pq29a", None));
    assert!(
        rules(&second).contains(&"ppap.password_mail".into()),
        "{:?}",
        rules(&second)
    );
    assert!(
        rules(&second).contains(&"attachment.pdf.js_exploit_api".into()),
        "{:?}",
        rules(&second)
    );
    // Restrictions only: read at once, nothing waits.
    let mut s = an.session();
    let only = s.scan(
        "c",
        &mail(3, "請求書を送付します。", Some(&qpdf(&plain, ""))),
    );
    assert!(
        rules(&only).contains(&"attachment.pdf.js_exploit_api".into()),
        "{:?}",
        rules(&only)
    );
    assert!(
        !rules(&only).contains(&"ppap.encrypted_archive".into()),
        "{:?}",
        rules(&only)
    );
}
