//! Word and Excel 97-2003 documents encrypted with RC4 (`kizuki_files::bincrypt`): files
//! Office wrote (msoffcrypto-tool's test files, `testdata/msoffcrypto`, MIT) decrypted as
//! msoffcrypto-tool decrypts them, stream for stream; the Office 97/2000 key derivation
//! against msoffcrypto-tool's published vector; the tests' own writer
//! (`synth::binary_encrypted`) both ways; hostile files without a panic.

#![allow(clippy::unwrap_used, reason = "test helpers")]

mod common;

use std::io::{Cursor, Write};

use common::{analyze, rules};
use kizuki_files::bincrypt::{self, Opened};
use kizuki_files::synth;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/msoffcrypto/");
/// The password of msoffcrypto-tool's test files.
const PASSWORD: &str = "Password1234_";

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).unwrap()
}

fn streams(ole: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut cf = cfb::CompoundFile::open(Cursor::new(ole)).unwrap();
    let paths: Vec<_> = cf
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    let mut v: Vec<(String, Vec<u8>)> = paths
        .into_iter()
        .map(|p| {
            let s = cf.open_stream(&p).unwrap();
            let b = kizuki_core::io::read_capped(s, 1 << 30).unwrap().unwrap();
            (p.display().to_string(), b)
        })
        .collect();
    v.sort();
    v
}

fn stream(ole: &[u8], path: &str) -> Vec<u8> {
    streams(ole)
        .into_iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .1
}

fn open(data: &[u8], passwords: &[&str]) -> Opened {
    let p: Vec<String> = passwords.iter().map(|p| p.to_string()).collect();
    bincrypt::find(data)
        .expect("an encrypted binary document")
        .unwrap()
        .open(data, &p)
        .unwrap()
}

fn plain(o: Opened) -> (Vec<u8>, Option<usize>) {
    match o {
        Opened::Plain { data, by } => (data, by),
        other => panic!("not opened: {other:?}"),
    }
}

/// Files Word and Excel wrote with RC4 CryptoAPI: every stream as msoffcrypto-tool gives it.
#[test]
fn office_written_documents_decrypt_as_msoffcrypto_tool_decrypts_them() {
    for (enc, expected, changed) in [
        (
            "rc4cryptoapi_password.xls",
            "rc4cryptoapi_password_plain.xls",
            &["/Workbook"][..],
        ),
        (
            "rc4cryptoapi_password.doc",
            "rc4cryptoapi_password_plain.doc",
            &["/WordDocument", "/1Table", "/Data"][..],
        ),
    ] {
        let data = file(enc);
        let found = bincrypt::find(&data).unwrap().unwrap();
        assert!(
            found.describe().ends_with(", RC4 CryptoAPI, 128-bit key"),
            "{}",
            found.describe()
        );
        assert_eq!(
            found.verify(&["wrong".into(), PASSWORD.into()]),
            Some(Some(1))
        );
        assert_eq!(found.verify(&["wrong".into()]), None);
        assert!(matches!(
            found.open(&data, &[]).unwrap(),
            Opened::NoPassword
        ));
        assert!(matches!(
            found.open(&data, &["password".into()]).unwrap(),
            Opened::NoPassword
        ));
        let (out, by) = plain(open(&data, &["wrong", PASSWORD]));
        assert_eq!(by, Some(1), "{enc}");
        let want = streams(&file(expected));
        let got = streams(&out);
        assert_eq!(
            got.iter().map(|s| &s.0).collect::<Vec<_>>(),
            want.iter().map(|s| &s.0).collect::<Vec<_>>(),
            "{enc}"
        );
        let before = streams(&data);
        for ((path, g), (_, w)) in got.iter().zip(&want) {
            assert!(g == w, "{enc}: {path} differs from msoffcrypto-tool's");
            let was = &before.iter().find(|s| &s.0 == path).unwrap().1;
            assert_eq!(
                changed.contains(&path.as_str()),
                g != was,
                "{enc}: {path} decrypted or not"
            );
        }
        // Plain now: not found encrypted again.
        assert!(bincrypt::find(&out).is_none(), "{enc}");
        // Each entry's class, state bits and times kept.
        let meta = |ole: &[u8]| -> Vec<String> {
            let cf = cfb::CompoundFile::open(Cursor::new(ole)).unwrap();
            cf.walk()
                .map(|e| {
                    format!(
                        "{} {} {} {:?} {:?}",
                        e.path().display(),
                        e.clsid(),
                        e.state_bits(),
                        e.created(),
                        e.modified()
                    )
                })
                .collect()
        };
        assert_eq!(meta(&out), meta(&data), "{enc}");
    }
    // file scan: opened with the password, told without.
    let xls = file("rc4cryptoapi_password.xls");
    let r = rules(&analyze("a.xls", &xls, &[PASSWORD]));
    assert!(r.contains(&"office.password_opened".into()), "{r:?}");
    let r = rules(&analyze("a.xls", &xls, &[]));
    assert!(r.contains(&"office.encrypted".into()), "{r:?}");
    assert!(!r.contains(&"office.password_opened".into()), "{r:?}");
}

/// A presentation PowerPoint encrypted (RC4 CryptoAPI): every live persistent object as
/// msoffcrypto-tool decrypts it (which also rewrites the edit's and the directory's counts:
/// those records are left as they are here), read as a plain one; file scan: opened.
#[test]
fn an_office_written_presentation_decrypts_as_msoffcrypto_tool_decrypts_it() {
    let data = file("rc4cryptoapi_password.ppt");
    let found = bincrypt::find(&data).unwrap().unwrap();
    assert_eq!(
        found.describe(),
        "PowerPoint 97-2003 presentation, RC4 CryptoAPI, 128-bit key"
    );
    assert_eq!(found.verify(&["x".into()]), None);
    let (out, by) = plain(open(&data, &["x", PASSWORD]));
    assert_eq!(by, Some(1));
    let ours = stream(&out, "/PowerPoint Document");
    let theirs = stream(
        &file("rc4cryptoapi_password_plain.ppt"),
        "/PowerPoint Document",
    );
    let user = stream(&out, "/Current User");
    let (token, edit) = kizuki_files::ppt::current_user(&user).unwrap();
    assert_eq!(token, kizuki_files::ppt::NOT_ENCRYPTED);
    let map = kizuki_files::ppt::persist_map(&ours, edit).unwrap();
    assert_eq!(map.len(), 4, "{map:?}");
    for (id, at) in map {
        let (_, _, len) = kizuki_files::ppt::record(&ours, at).unwrap();
        assert!(
            ours[at..at + 8 + len] == theirs[at..at + 8 + len],
            "persistent object {id} at {at}"
        );
    }
    let show = kizuki_files::ppt::read(&out, 1 << 30).unwrap().unwrap();
    assert_eq!(show.text, "Lorem ipsum\n");
    assert!(bincrypt::find(&out).is_none());
    let r = rules(&analyze("a.ppt", &data, &[PASSWORD]));
    assert!(r.contains(&"office.password_opened".into()), "{r:?}");
}

/// A presentation's VBA project is encrypted with it (a workbook's is not): opened with a
/// candidate password, or PowerPoint's built-in one, its macro is seen; without, it is not.
#[test]
fn encrypted_presentations_show_their_macros_once_opened() {
    let vba = synth::vba_project(synth::VBA_AUTO_OPEN_PPT);
    let ppt = synth::ppt(&["ご提案"], &[&vba], None).unwrap();
    assert!(rules(&analyze("a.ppt", &ppt, &[])).contains(&"office.autoexec".into()));
    let sealed = synth::binary_encrypted(&ppt, "提案2024", true, 21).unwrap();
    let r = rules(&analyze("a.ppt", &sealed, &[]));
    assert!(r.contains(&"office.encrypted".into()), "{r:?}");
    assert!(!r.contains(&"office.autoexec".into()), "{r:?}");
    let r = rules(&analyze("a.ppt", &sealed, &["提案2024"]));
    assert!(
        r.contains(&"office.password_opened".into()) && r.contains(&"office.autoexec".into()),
        "{r:?}"
    );
    let silent = synth::binary_encrypted(&ppt, bincrypt::PPT_DEFAULT_PASSWORD, true, 22).unwrap();
    let report = analyze("a.ppt", &silent, &[]);
    let r = rules(&report);
    assert!(
        r.contains(&"office.default_password".into()) && r.contains(&"office.autoexec".into()),
        "{r:?}"
    );
    assert_eq!(report.children[0].path, "a.ppt!object1");
}

/// Office 97/2000's RC4: the password `password1` against the salt and verifier of
/// msoffcrypto-tool's published example (`DocumentRC4.verifypw`).
#[test]
fn office_97_rc4_keys_match_the_published_vector() {
    let salt = b"\xe8w,\x1d\x91\xc5j7\x96Ga\xb2\x80\x182\x17";
    let verifier = b"\xc9\xe9\x97\xd4T\x97=1\x0b\xb1\xbap\x14&\x83~";
    let hash = b"\xb1\xde\x17\x8f\x07\xe9\x89\xc4M\xae^L\xf9j\xc4\x07";
    let mut header = vec![1, 0, 1, 0];
    header.extend_from_slice(salt);
    header.extend_from_slice(verifier);
    header.extend_from_slice(hash);
    // A workbook: BOF, FILEPASS (RC4), EOF.
    let mut book = vec![0x09, 0x08, 16, 0];
    book.extend_from_slice(&[0u8; 16]);
    book.extend_from_slice(&[0x2F, 0x00, (header.len() + 2) as u8, 0, 1, 0]);
    book.extend_from_slice(&header);
    book.extend_from_slice(&[0x0A, 0x00, 0, 0]);
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/Workbook")
        .unwrap()
        .write_all(&book)
        .unwrap();
    cf.flush().unwrap();
    let xls = cf.into_inner().into_inner();
    let found = bincrypt::find(&xls).unwrap().unwrap();
    assert!(found.describe() == "Excel 97-2003 workbook, RC4, 128-bit key");
    assert!(matches!(
        found.open(&xls, &["password2".into()]).unwrap(),
        Opened::NoPassword
    ));
    let (out, _) = plain(open(&xls, &["password1"]));
    let b = stream(&out, "/Workbook");
    // FILEPASS: type 0, its size, zeros; the rest as it was.
    assert_eq!(&b[..20], &book[..20]);
    assert_eq!(&b[20..22], &[0, 0]);
    assert_eq!(&b[22..24], &book[22..24]);
    assert!(b[24..24 + header.len() + 2].iter().all(|&x| x == 0));
    assert_eq!(&b[b.len() - 4..], &book[book.len() - 4..]);
}

/// A workbook: BOF, a BOUNDSHEET pointing at the sheet, a label, EOF; the sheet's BOF, a
/// LABEL cell, EOF.
fn workbook(text: &str) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    let mut b = Vec::new();
    let bof = |dt: u16| [&[0u8, 6][..], &dt.to_le_bytes(), &[0; 12]].concat();
    record(&mut b, 0x0809, &bof(5));
    record(&mut b, 0x00E1, &[0xB0, 0x04]);
    let entry_at = b.len() + 4;
    record(&mut b, 0x0085, &[0, 0, 0, 0, 0, 0, 2, 0, b'S', b'1']);
    record(&mut b, 0x000A, &[]);
    let sheet = b.len() as u32;
    b[entry_at..entry_at + 4].copy_from_slice(&sheet.to_le_bytes());
    record(&mut b, 0x0809, &bof(0x10));
    let mut label = vec![0, 0, 0, 0, 0, 0];
    label.extend_from_slice(&(text.len() as u16).to_le_bytes());
    label.push(0);
    label.extend_from_slice(text.as_bytes());
    record(&mut b, 0x0204, &label);
    record(&mut b, 0x000A, &[]);
    b
}

fn ole(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_storage("/_VBA_PROJECT_CUR").unwrap();
    for (p, d) in streams {
        cf.create_stream(p).unwrap().write_all(d).unwrap();
    }
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// The tests' writer and the reader agree both ways, for both schemes; Excel's built-in
/// password is tried first for workbooks (and told high), never for Word documents.
#[test]
fn written_documents_open_and_excels_built_in_password_is_told() {
    let text = "secret label ".repeat(200);
    let book = workbook(&text);
    let xls = ole(&[("/Workbook", &book)]);
    for cryptoapi in [false, true] {
        let enc = synth::binary_encrypted(&xls, "ひみつ", cryptoapi, 7).unwrap();
        let wb = stream(&enc, "/Workbook");
        assert!(!wb.windows(13).any(|w| w == b"secret label "), "encrypted");
        let (out, by) = plain(open(&enc, &["x", "ひみつ"]));
        assert_eq!(by, Some(1));
        let got = stream(&out, "/Workbook");
        // The plain workbook with a FILEPASS of type 0 after its BOF.
        let bof = 4 + 16;
        assert_eq!(&got[..bof], &book[..bof]);
        let fp = 4 + usize::from(u16::from_le_bytes([got[bof + 2], got[bof + 3]]));
        assert_eq!(&got[bof..bof + 2], &[0, 0]);
        assert_eq!(got.len(), book.len() + fp);
        assert!(got[bof + fp..].windows(13).any(|w| w == b"secret label "));
        // The storage copied over.
        let mut cf = cfb::CompoundFile::open(Cursor::new(&out)).unwrap();
        assert!(cf.is_storage("/_VBA_PROJECT_CUR"));
        assert!(cf.open_stream("/Workbook").is_ok());

        let r = rules(&analyze("a.xls", &enc, &["ひみつ"]));
        assert!(r.contains(&"office.password_opened".into()), "{r:?}");
        let d = synth::binary_encrypted(&xls, bincrypt::DEFAULT_PASSWORD, cryptoapi, 8).unwrap();
        let (_, by) = plain(open(&d, &[]));
        assert_eq!(by, None);
        let r = rules(&analyze("a.xls", &d, &[]));
        assert!(r.contains(&"office.default_password".into()), "{r:?}");

        // Word: a FIB (its table stream's places move past the header), text, table.
        let mut word = vec![0u8; 2048];
        word[..4].copy_from_slice(&[0xEC, 0xA5, 0xC1, 0x00]);
        word[0x0A..0x0C].copy_from_slice(&0x1200u16.to_le_bytes());
        word[32..34].copy_from_slice(&14u16.to_le_bytes());
        word[62..64].copy_from_slice(&22u16.to_le_bytes());
        word[152..154].copy_from_slice(&93u16.to_le_bytes());
        word[0x1A2..0x1A6].copy_from_slice(&16u32.to_le_bytes());
        word[0x1A6..0x1AA].copy_from_slice(&8u32.to_le_bytes());
        word[1024..1024 + 11].copy_from_slice(b"hello world");
        let table = [&[0xAAu8; 16][..], b"CLXCLXCL", &[0xBB; 600]].concat();
        let data = vec![0x5Au8; 700];
        let doc = ole(&[
            ("/WordDocument", &word),
            ("/1Table", &table),
            ("/Data", &data),
        ]);
        let enc = synth::binary_encrypted(&doc, "pw", cryptoapi, 9).unwrap();
        assert!(
            !stream(&enc, "/WordDocument")
                .windows(11)
                .any(|w| w == b"hello world")
        );
        let (out, by) = plain(open(&enc, &["pw"]));
        assert_eq!(by, Some(0));
        let w = stream(&out, "/WordDocument");
        let lkey = u32::from_le_bytes(
            stream(&enc, "/WordDocument")[0x0E..0x12]
                .try_into()
                .unwrap(),
        );
        // The same document, its fcClx moved past the encryption header.
        let mut want = word.clone();
        want[0x1A2..0x1A6].copy_from_slice(&(16 + lkey).to_le_bytes());
        assert!(w == want, "WordDocument decrypted, its flags plain again");
        let t = stream(&out, "/1Table");
        assert!(
            t[lkey as usize..] == table[..],
            "the table after its header"
        );
        assert!(stream(&out, "/Data") == data);
        // Word does not try Excel's password.
        let d = synth::binary_encrypted(&doc, bincrypt::DEFAULT_PASSWORD, cryptoapi, 10).unwrap();
        assert!(matches!(open(&d, &[]), Opened::NoPassword));
        let r = rules(&analyze("a.doc", &d, &[]));
        assert!(r.contains(&"office.encrypted".into()), "{r:?}");
    }
}

/// XOR obfuscation (and unknown encryptions) are told, not read; hostile files: cut and
/// changed bytes give an error or nothing, never a panic.
#[test]
fn obfuscated_and_hostile_documents_are_told() {
    let mut book = vec![0x09, 0x08, 16, 0];
    book.extend_from_slice(&[0u8; 16]);
    book.extend_from_slice(&[0x2F, 0x00, 6, 0, 0, 0, 0x34, 0x12, 0x78, 0x56]);
    book.extend_from_slice(&[0x0A, 0x00, 0, 0]);
    let xls = ole(&[("/Workbook", &book)]);
    let e = bincrypt::find(&xls).unwrap().unwrap_err();
    assert!(e.contains("XOR"), "{e}");
    let r = rules(&analyze("a.xls", &xls, &[]));
    assert!(r.contains(&"office.encrypted".into()), "{r:?}");
    // PowerPoint: the CurrentUserAtom's token.
    let mut user = vec![0, 0, 0xF6, 0x0F, 20, 0, 0, 0, 20, 0, 0, 0];
    user.extend_from_slice(&0xF3D1C4DFu32.to_le_bytes());
    user.resize(28, 0);
    let ppt = ole(&[
        ("/Current User", &user),
        ("/PowerPoint Document", &[0u8; 64]),
    ]);
    let e = bincrypt::find(&ppt).unwrap().unwrap_err();
    assert!(e.contains("PowerPoint"), "{e}");
    let r = rules(&analyze("a.ppt", &ppt, &[]));
    assert!(r.contains(&"office.encrypted".into()), "{r:?}");
    user[12..16].copy_from_slice(&0xE391C05Fu32.to_le_bytes());
    let ppt = ole(&[
        ("/Current User", &user),
        ("/PowerPoint Document", &[0u8; 64]),
    ]);
    assert!(bincrypt::find(&ppt).is_none());
    for name in ["rc4cryptoapi_password.xls", "rc4cryptoapi_password.doc"] {
        let good = file(name);
        for step in [331usize, 389, 1031] {
            let mut bad = good.clone();
            for i in (0..bad.len()).step_by(step) {
                bad[i] ^= 0x5A;
            }
            if let Some(Ok(b)) = bincrypt::find(&bad) {
                let _ = b.open(&bad, &[PASSWORD.into()]);
            }
            let _ = analyze(name, &bad, &[PASSWORD]);
        }
        for cut in (0..good.len()).step_by(997) {
            if let Some(Ok(b)) = bincrypt::find(&good[..cut]) {
                let _ = b.open(&good[..cut], &[PASSWORD.into()]);
            }
        }
    }
    // A CryptoAPI header declaring a size past its record: refused, not followed.
    let enc =
        synth::binary_encrypted(&ole(&[("/Workbook", &workbook("x"))]), "pw", true, 3).unwrap();
    let mut wb = stream(&enc, "/Workbook");
    assert_eq!(&wb[20..22], &[0x2F, 0]);
    wb[34..38].copy_from_slice(&u32::MAX.to_le_bytes());
    let bad = ole(&[("/Workbook", &wb)]);
    let e = bincrypt::find(&bad).unwrap().unwrap_err();
    assert!(e.contains("cut short"), "{e}");
}
