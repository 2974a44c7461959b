//! The generated corpus: the reference mail, its variants and ordinary business mail.
//!
//! Everything here is deterministic (seeded [`kizuki_core::rng::Rng`], fixed dates, DKIM
//! signatures with an Ed25519 key derived from a fixed seed and a fixed `t=`), so golden files,
//! the demo and the benchmarks can regenerate byte-identical inputs. The hostile pieces are
//! inert: the PDF's OpenAction JavaScript only calls `app.alert`.
//!
//! Names and domains are invented (`.example`), following the reference incident
//! (shared/scenario.md): the imitated partner airline is `partner-air.example`, the victim's
//! border MTA is `mx.sample-travel.example`.

use kizuki_core::rng::Rng;
use mail_auth::common::crypto::{Ed25519Key, SigningKey};
use mail_auth::common::headers::{HeaderWriter, Writable};
use mail_auth::dkim::DkimSigner;

/// The partner airline the reference mail imitates.
pub const PARTNER: &str = "partner-air.example";
/// An ordinary, non-partner business correspondent with DNS records.
pub const SHOJI: &str = "tokyo-shoji.example";
/// A correspondent without any DNS records.
pub const KIKAI: &str = "osaka-kikai.example";
/// The victim's border MTA (the trusted authserv-id).
pub const MX: &str = "mx.sample-travel.example";
/// The DKIM selector used by the generated senders.
pub const SELECTOR: &str = "k1";
/// The subject of the reference mail.
pub const REF_SUBJECT: &str = "航空券控え 添付のご連絡";
/// The attachment name of the reference mail.
pub const REF_ATTACHMENT: &str = "北京行きのEチケット.pdf";
/// The PPAP password used in the generated pair.
pub const PPAP_PASSWORD: &str = "Xk7pq29a";
/// The fixed DKIM `t=` (2016-03-15 01:00 UTC): ten digits, like the current time.
const FIXED_T: u64 = 1_458_003_600;

/// The configuration the corpus is meant to be scanned with (`kizuki.toml`).
pub const CONFIG: &str = r#"[mail]
trusted_domains = ["partner-air.example"]
authserv_id = "mx.sample-travel.example"

[[mail.brands]]
name = "パートナー航空"
domains = ["partner-air.example"]
"#;

/// Line endings of a generated message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eol {
    /// `\n`.
    Lf,
    /// `\r\n`.
    Crlf,
}

fn seed_of(domain: &str) -> [u8; 32] {
    let mut r = Rng::new(
        domain
            .bytes()
            .fold(0x6b69_7a75_6b69_u64, |h, b| h.rotate_left(5) ^ u64::from(b)),
    );
    let mut s = [0u8; 32];
    for chunk in s.chunks_mut(8) {
        chunk.copy_from_slice(&r.next_u64().to_le_bytes());
    }
    s
}

fn key_of(domain: &str) -> Option<Ed25519Key> {
    // PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410): fixed prefix + 32 bytes.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed_of(domain));
    Ed25519Key::from_pkcs8_der(&der).ok()
}

/// Base64 (RFC 4648, padded, one line).
pub fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Base64 in 76-column lines.
fn b64_lines(data: &[u8], eol: &str) -> String {
    let s = b64(data);
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push_str(eol);
    }
    out
}

/// The DNS records file for the corpus (`--dns-records`).
pub fn dns_records() -> String {
    let mut s = String::from("# DNS records of the generated corpus (kizuki mail synth)\n");
    for (d, net, policy) in [
        (PARTNER, "192.0.2.0/25", "none"),
        (SHOJI, "192.0.2.128/25", "quarantine"),
    ] {
        s.push_str(&format!("{d} TXT \"v=spf1 ip4:{net} -all\"\n"));
        s.push_str(&format!("_dmarc.{d} TXT \"v=DMARC1; p={policy}\"\n"));
        if let Some(k) = key_of(d) {
            s.push_str(&format!(
                "{SELECTOR}._domainkey.{d} TXT \"v=DKIM1; k=ed25519; p={}\"\n",
                b64(&k.public_key())
            ));
        }
    }
    s
}

/// Signs with a fixed `t=` so that output is reproducible.
struct FixedTime(Ed25519Key);

impl SigningKey for FixedTime {
    type Hasher = <Ed25519Key as SigningKey>::Hasher;

    fn sign(&self, input: impl Writable) -> mail_auth::Result<Vec<u8>> {
        let mut buf: Vec<u8> = Vec::new();
        input.write(&mut buf);
        let fixed = fix_t(&buf);
        self.0.sign(fixed.as_slice())
    }

    fn algorithm(&self) -> mail_auth::common::crypto::Algorithm {
        self.0.algorithm()
    }
}

/// Replaces the `t=` value of the (last) DKIM-Signature in canonical header data.
fn fix_t(buf: &[u8]) -> Vec<u8> {
    let lower = buf.to_ascii_lowercase();
    let start = lower
        .windows(15)
        .rposition(|w| w == b"dkim-signature:")
        .unwrap_or(0);
    let mut out = buf.to_vec();
    let mut i = start;
    while i + 2 < out.len() {
        if out[i] == b't'
            && out[i + 1] == b'='
            && i > 0
            && matches!(out[i - 1], b' ' | b';' | b'\t' | b'\n')
        {
            let ds = i + 2;
            let mut de = ds;
            while de < out.len() && out[de].is_ascii_digit() {
                de += 1;
            }
            let fixed = FIXED_T.to_string();
            if de - ds == fixed.len() {
                out[ds..de].copy_from_slice(fixed.as_bytes());
            }
            break;
        }
        i += 1;
    }
    out
}

/// Prepends a DKIM-Signature for `domain` (Ed25519, selector `k1`).
pub fn dkim_sign(domain: &str, message: &[u8]) -> Vec<u8> {
    let Some(key) = key_of(domain) else {
        return message.to_vec();
    };
    let signer = DkimSigner::from_key(FixedTime(key))
        .domain(domain)
        .selector(SELECTOR)
        .headers(["From", "To", "Subject", "Date", "Message-ID"]);
    match signer.sign(message) {
        Ok(mut sig) => {
            sig.t = FIXED_T;
            let mut out = sig.to_header().into_bytes();
            let crlf = message.windows(2).any(|w| w == b"\r\n");
            if !crlf {
                out.retain(|&b| b != b'\r');
            }
            out.extend_from_slice(message);
            out
        }
        Err(_) => message.to_vec(),
    }
}

/// RFC 2047 B-encoding in UTF-8 (or ISO-2022-JP when `jis`).
fn encode_word(s: &str, jis: bool) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    if jis {
        let (b, _, _) = encoding_rs::ISO_2022_JP.encode(s);
        format!("=?ISO-2022-JP?B?{}?=", b64(&b))
    } else {
        format!("=?UTF-8?B?{}?=", b64(s.as_bytes()))
    }
}

/// An attachment to put in a generated message.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// Content type.
    pub ctype: String,
    /// Bytes.
    pub data: Vec<u8>,
}

/// A message to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Display name.
    pub from_name: String,
    /// Address.
    pub from_addr: String,
    /// To.
    pub to: String,
    /// Reply-To.
    pub reply_to: Option<String>,
    /// Return-Path (None: same as From).
    pub return_path: Option<String>,
    /// Subject.
    pub subject: String,
    /// Date (RFC 5322).
    pub date: String,
    /// Message-ID without brackets.
    pub message_id: String,
    /// Plain-text body (empty: none).
    pub text: String,
    /// HTML body (empty: none).
    pub html: String,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Client (first external hop) address and HELO.
    pub client: (String, String),
    /// Extra headers written above everything else (e.g. a forged Authentication-Results).
    pub extra_headers: Vec<String>,
    /// ISO-2022-JP instead of UTF-8.
    pub jis: bool,
    /// DKIM-sign as this domain.
    pub sign: Option<String>,
}

impl Spec {
    fn new(from_name: &str, from_addr: &str, subject: &str) -> Spec {
        Spec {
            from_name: from_name.into(),
            from_addr: from_addr.into(),
            to: "eigyo@sample-travel.example".into(),
            reply_to: None,
            return_path: None,
            subject: subject.into(),
            date: "Tue, 15 Mar 2016 10:12:00 +0900".into(),
            message_id: String::new(),
            text: String::new(),
            html: String::new(),
            attachments: Vec::new(),
            client: ("192.0.2.25".into(), "mail.partner-air.example".into()),
            extra_headers: Vec::new(),
            jis: false,
            sign: None,
        }
    }
}

fn encode_body(text: &str, jis: bool, eol: &str) -> (String, String) {
    if jis {
        let (b, _, _) = encoding_rs::ISO_2022_JP.encode(text);
        let s = String::from_utf8_lossy(&b).replace('\n', eol);
        (
            "text/plain; charset=ISO-2022-JP".into(),
            format!("Content-Transfer-Encoding: 7bit{eol}{eol}{s}"),
        )
    } else {
        (
            "text/plain; charset=UTF-8".into(),
            format!(
                "Content-Transfer-Encoding: base64{eol}{eol}{}",
                b64_lines(text.as_bytes(), eol)
            ),
        )
    }
}

/// Renders a spec to message bytes.
pub fn render(spec: &Spec, eol: Eol) -> Vec<u8> {
    let nl = if eol == Eol::Crlf { "\r\n" } else { "\n" };
    let mut h = String::new();
    let rp = spec
        .return_path
        .clone()
        .unwrap_or_else(|| spec.from_addr.clone());
    // What our border MTA adds on top.
    h.push_str(&format!("Return-Path: <{rp}>{nl}"));
    for x in &spec.extra_headers {
        h.push_str(x);
        h.push_str(nl);
    }
    h.push_str(&format!(
        "Received: from {helo} ({helo} [{ip}]){nl}\tby {MX} with ESMTPS id 4Q2kZx1a2b; {date}{nl}",
        helo = spec.client.1,
        ip = spec.client.0,
        date = spec.date
    ));
    let mut body_h = String::new();
    body_h.push_str(&format!(
        "From: {} <{}>{nl}",
        encode_word(&spec.from_name, spec.jis),
        spec.from_addr
    ));
    body_h.push_str(&format!("To: <{}>{nl}", spec.to));
    if let Some(r) = &spec.reply_to {
        body_h.push_str(&format!("Reply-To: <{r}>{nl}"));
    }
    body_h.push_str(&format!(
        "Subject: {}{nl}",
        encode_word(&spec.subject, spec.jis)
    ));
    body_h.push_str(&format!("Date: {}{nl}", spec.date));
    body_h.push_str(&format!("Message-ID: <{}>{nl}", spec.message_id));
    body_h.push_str(&format!("MIME-Version: 1.0{nl}"));
    let boundary = "----=_kizuki_boundary_0001";
    let mut body = String::new();
    let has_text = !spec.text.is_empty();
    let has_html = !spec.html.is_empty();
    if spec.attachments.is_empty() && !has_html {
        let (ct, rest) = encode_body(&spec.text, spec.jis, nl);
        body_h.push_str(&format!("Content-Type: {ct}{nl}"));
        let (cte, content) = rest.split_once(nl).unwrap_or(("", ""));
        body_h.push_str(cte);
        body_h.push_str(nl);
        body.push_str(content.strip_prefix(nl).unwrap_or(content));
    } else {
        body_h.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{boundary}\"{nl}"
        ));
        body.push_str(&format!(
            "This is a multi-part message in MIME format.{nl}{nl}"
        ));
        if has_text || !has_html {
            let (ct, rest) = encode_body(&spec.text, spec.jis, nl);
            body.push_str(&format!("--{boundary}{nl}Content-Type: {ct}{nl}{rest}{nl}"));
        }
        if has_html {
            body.push_str(&format!(
                "--{boundary}{nl}Content-Type: text/html; charset=UTF-8{nl}Content-Transfer-Encoding: base64{nl}{nl}{}{nl}",
                b64_lines(spec.html.as_bytes(), nl)
            ));
        }
        for a in &spec.attachments {
            let name = encode_word(&a.name, spec.jis);
            body.push_str(&format!(
                "--{boundary}{nl}Content-Type: {}; name=\"{name}\"{nl}Content-Disposition: attachment; filename=\"{name}\"{nl}Content-Transfer-Encoding: base64{nl}{nl}{}{nl}",
                a.ctype,
                b64_lines(&a.data, nl)
            ));
        }
        body.push_str(&format!("--{boundary}--{nl}"));
    }
    let signed_part = format!("{body_h}{nl}{body}").into_bytes();
    let signed_part = match &spec.sign {
        Some(d) => dkim_sign(d, &signed_part),
        None => signed_part,
    };
    let mut out = h.into_bytes();
    out.extend_from_slice(&signed_part);
    out
}

/// An inert PDF whose OpenAction runs JavaScript (`app.alert` only).
pub fn pdf_with_openaction_js() -> Vec<u8> {
    pdf(Some("app.alert\\('kizuki test sample: inert'\\);"))
}

/// A plain, benign one-page PDF.
pub fn pdf_benign() -> Vec<u8> {
    pdf(None)
}

fn pdf(js: Option<&str>) -> Vec<u8> {
    let mut objs: Vec<String> = Vec::new();
    let open = if js.is_some() {
        "/OpenAction 4 0 R "
    } else {
        ""
    };
    objs.push(format!("<< /Type /Catalog /Pages 2 0 R {open}>>"));
    objs.push("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into());
    objs.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".into());
    if let Some(j) = js {
        objs.push(format!("<< /Type /Action /S /JavaScript /JS ({j}) >>"));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// ZipCrypto ("traditional PKWARE") keys.
struct ZipCrypto([u32; 3]);

impl ZipCrypto {
    fn new(password: &[u8]) -> Self {
        let mut z = ZipCrypto([0x1234_5678, 0x2345_6789, 0x3456_7890]);
        for &b in password {
            z.update(b);
        }
        z
    }
    fn crc_byte(c: u32, b: u8) -> u32 {
        let mut c = c ^ u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
        c
    }
    fn update(&mut self, b: u8) {
        self.0[0] = Self::crc_byte(self.0[0], b);
        self.0[1] = self.0[1]
            .wrapping_add(self.0[0] & 0xff)
            .wrapping_mul(134_775_813)
            .wrapping_add(1);
        self.0[2] = Self::crc_byte(self.0[2], (self.0[1] >> 24) as u8);
    }
    fn encrypt(&mut self, b: u8) -> u8 {
        let t = (self.0[2] | 2) as u16;
        let k = (t.wrapping_mul(t ^ 1) >> 8) as u8;
        self.update(b);
        b ^ k
    }
}

/// A stored (uncompressed) zip of `files`; encrypted with ZipCrypto when `password` is given.
pub fn zip(files: &[(&str, &[u8])], password: Option<&str>, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let crc = crc32(data);
        let flags: u16 = if password.is_some() { 0x0801 } else { 0x0800 };
        let payload = match password {
            Some(p) => {
                let mut z = ZipCrypto::new(p.as_bytes());
                let mut header = [0u8; 12];
                for h in header.iter_mut().take(11) {
                    *h = rng.next_u64() as u8;
                }
                header[11] = (crc >> 24) as u8;
                let mut v: Vec<u8> = header.iter().map(|&b| z.encrypt(b)).collect();
                v.extend(data.iter().map(|&b| z.encrypt(b)));
                v
            }
            None => data.to_vec(),
        };
        let offset = out.len() as u32;
        let local = |sig: &[u8], central: bool| {
            let mut h = sig.to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            h.extend_from_slice(&20u16.to_le_bytes());
            h.extend_from_slice(&flags.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&0x5000u16.to_le_bytes()); // 10:00
            h.extend_from_slice(&0x486fu16.to_le_bytes()); // 2016-03-15
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h
        };
        out.extend(local(b"PK\x03\x04", false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&payload);
        let mut c = local(b"PK\x01\x02", true);
        c.extend_from_slice(&[0u8; 8]); // comment len, disk, internal attrs
        c.extend_from_slice(&0u32.to_le_bytes()); // external attrs (with the 2 bytes above: 4+2+2)
        c.truncate(c.len() - 2);
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        central.push(c);
    }
    let cd_start = out.len() as u32;
    let mut cd_len = 0u32;
    for c in &central {
        cd_len += c.len() as u32;
        out.extend_from_slice(c);
    }
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(central.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A minimal benign .docx (an OOXML zip).
pub fn docx_benign(text: &str, rng: &mut Rng) -> Vec<u8> {
    let ct = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"#
    );
    zip(
        &[
            ("[Content_Types].xml", ct),
            ("word/document.xml", doc.as_bytes()),
        ],
        None,
        rng,
    )
}

/// One generated case: a file name (`.eml` or `.mbox`) and its bytes.
#[derive(Clone, Debug)]
pub struct Case {
    /// File name in testdata.
    pub name: String,
    /// Bytes.
    pub data: Vec<u8>,
    /// True when the case must stay clean (ordinary business mail).
    pub clean: bool,
}

/// The reference mail of the incident.
pub fn reference_spec() -> Spec {
    let mut s = Spec::new("佐藤", "sato@partner-air.example", REF_SUBJECT);
    s.return_path = Some("sato@relay-mailer.example".into());
    s.client = ("198.51.100.23".into(), "relay-mailer.example".into());
    s.message_id = "20160315101200.4821@partner-air.example".into();
    s.attachments.push(Attachment {
        name: REF_ATTACHMENT.into(),
        ctype: "application/pdf".into(),
        data: pdf_with_openaction_js(),
    });
    s
}

/// The reference mail, rendered.
pub fn reference(eol: Eol) -> Vec<u8> {
    render(&reference_spec(), eol)
}

fn mbox_of(msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend_from_slice(b"From MAILER-DAEMON Tue Mar 15 10:12:00 2016\n");
        for line in m.split_inclusive(|&b| b == b'\n') {
            let q = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
            if line[q..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

const SURNAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const BUSINESS_SUBJECTS: &[&str] = &[
    "定例会議の議事録送付",
    "来月の出張手配について",
    "団体旅行のお見積り",
    "請求書送付のご連絡",
    "打ち合わせ日程のご相談",
    "座席手配の件",
];
const BUSINESS_BODIES: &[&str] = &[
    "いつもお世話になっております。\n先日の打ち合わせの議事録をお送りいたします。\nご確認のほど、よろしくお願いいたします。\n",
    "お世話になっております。\n来月の出張の件、航空便とホテルの手配をお願いできますでしょうか。\n詳細は添付をご覧ください。\n",
    "いつも大変お世話になっております。\nご依頼の団体旅行のお見積りを添付にてお送りします。\n何卒よろしくお願い申し上げます。\n",
];

fn business(rng: &mut Rng, i: usize, domain: &str, jis: bool, eol: Eol) -> Vec<u8> {
    let surname = rng.pick(SURNAMES).copied().unwrap_or("佐藤");
    let subject = rng.pick(BUSINESS_SUBJECTS).copied().unwrap_or("ご連絡");
    let body = rng
        .pick(BUSINESS_BODIES)
        .copied()
        .unwrap_or("お世話になっております。\n");
    let local = ["sato", "suzuki", "takahashi", "tanaka", "ito"][i % 5];
    let mut s = Spec::new(surname, &format!("{local}@{domain}"), subject);
    s.jis = jis;
    s.message_id = format!("biz{i}.{}@{domain}", rng.next_u64() % 1_000_000);
    s.text = format!("株式会社サンプル旅行\n営業部 御中\n\n{body}\n{surname}\n");
    s.date = format!(
        "Mon, {} Mar 2016 {:02}:{:02}:00 +0900",
        1 + i % 28,
        9 + i % 9,
        rng.below(60)
    );
    match domain {
        PARTNER => {
            s.client = (
                format!("192.0.2.{}", 10 + i % 100),
                "mail.partner-air.example".into(),
            );
            s.sign = Some(PARTNER.into());
        }
        SHOJI => {
            s.client = (
                format!("192.0.2.{}", 130 + i % 100),
                "smtp.tokyo-shoji.example".into(),
            );
            s.sign = Some(SHOJI.into());
        }
        _ => {
            s.client = ("203.0.113.80".into(), format!("mail.{domain}"));
        }
    }
    match i % 4 {
        0 => s.attachments.push(Attachment {
            name: "議事録.pdf".into(),
            ctype: "application/pdf".into(),
            data: pdf_benign(),
        }),
        1 => s.attachments.push(Attachment {
            name: "見積書.docx".into(),
            ctype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
            data: docx_benign("お見積り", rng),
        }),
        2 => s.attachments.push(Attachment {
            name: "資料.zip".into(),
            ctype: "application/zip".into(),
            data: zip(
                &[("資料/行程表.txt", "3月20日 羽田発\n".as_bytes())],
                None,
                rng,
            ),
        }),
        _ => {}
    }
    render(&s, eol)
}

/// The whole golden corpus: attack cases and ordinary business mail.
pub fn corpus() -> Vec<Case> {
    let mut rng = Rng::new(0x6d61_696c); // "mail"
    let mut v = Vec::new();
    let mut push = |name: &str, data: Vec<u8>, clean: bool| {
        v.push(Case {
            name: name.into(),
            data,
            clean,
        });
    };
    push("reference.eml", reference(Eol::Lf), false);
    push("reference-crlf.eml", reference(Eol::Crlf), false);

    // Brand in the display name, free-mail address.
    let mut s = reference_spec();
    s.from_name = "日本航空 予約センター".into();
    s.from_addr = "jal-reserve-center@gmail.com".into();
    s.return_path = None;
    s.message_id = "brand-freemail.1@mail.gmail.com".into();
    s.client = ("198.51.100.40".into(), "mail-sor-f41.google.example".into());
    push("brand-freemail.eml", render(&s, Eol::Lf), false);

    // Free-mail sender with the partner's signature (IPA: From unlike the signature).
    let mut s = Spec::new("山田", "yamada.partnerair@gmail.com", "請求書の件");
    s.client = ("198.51.100.41".into(), "mail-sor-f41.google.example".into());
    s.message_id = "freemail-signature.1@mail.gmail.com".into();
    s.text = "いつもお世話になっております。\n今月分の請求書をお送りします。\n\n--\nパートナー航空株式会社 営業部\n山田\nyamada@partner-air.example\n".into();
    s.attachments.push(Attachment {
        name: "請求書.pdf".into(),
        ctype: "application/pdf".into(),
        data: pdf_benign(),
    });
    push("freemail-signature.eml", render(&s, Eol::Lf), false);

    // Lookalike partner domain and a lookalike brand link.
    let mut s = reference_spec();
    s.from_addr = "sato@partner-alr.example".into();
    s.return_path = None;
    s.message_id = "lookalike.1@partner-alr.example".into();
    s.text = "eチケットは下記よりご確認ください。\nhttps://jal-co.jp/eticket/confirm\n".into();
    push("lookalike.eml", render(&s, Eol::Lf), false);

    // BEC: a real, signed partner mail whose Reply-To goes elsewhere.
    let mut s = Spec::new(
        "経理部 鈴木",
        "keiri@partner-air.example",
        "お振込先変更のお願い",
    );
    s.reply_to = Some("partner-air.keiri@gmail.com".into());
    s.message_id = "bec.1@partner-air.example".into();
    s.text = "いつもお世話になっております。\n弊社の振込先口座が変更となりました。\n新しい口座情報は本メールへのご返信にてお知らせいたします。\n".into();
    s.sign = Some(PARTNER.into());
    push("bec-reply-to.eml", render(&s, Eol::Lf), false);

    // Forged Authentication-Results claiming a pass.
    let mut s = reference_spec();
    s.extra_headers.push(
        "Authentication-Results: mx.partner-air.example; spf=pass smtp.mailfrom=partner-air.example; dkim=pass header.d=partner-air.example; dmarc=pass header.from=partner-air.example".into(),
    );
    s.message_id = "forged-ar.1@partner-air.example".into();
    push("forged-auth-results.eml", render(&s, Eol::Crlf), false);

    // Delivery lure: brand display name, IP-literal link behind a real-looking text, punycode.
    let mut s = Spec::new(
        "ヤマト運輸",
        "info@yamato-delivery.example",
        "お荷物お届けのお知らせ",
    );
    s.client = ("198.51.100.77".into(), "yamato-delivery.example".into());
    s.message_id = "delivery.1@yamato-delivery.example".into();
    s.html = "<html><body><p>お荷物のお届けにあがりましたが不在のため持ち帰りました。</p><p><a href=\"http://198.51.100.77/redelivery\">https://www.kuronekoyamato.co.jp/</a></p><p><a href=\"https://xn--yamato-7ya.example/\">再配達のお申し込み</a></p></body></html>".into();
    push("delivery-lure.eml", render(&s, Eol::Lf), false);

    // PPAP: an encrypted zip holding the reference PDF, then the password mail.
    let pdf = pdf_with_openaction_js();
    let mut a = Spec::new("田中", "tanaka@osaka-kikai.example", "資料送付の件");
    a.client = ("203.0.113.80".into(), "mail.osaka-kikai.example".into());
    a.message_id = "ppap.1@osaka-kikai.example".into();
    a.text =
        "お世話になっております。\n資料を送付いたします。\nパスワードは別途お送りします。\n".into();
    a.attachments.push(Attachment {
        name: "資料.zip".into(),
        ctype: "application/zip".into(),
        data: zip(&[("eチケット.pdf", &pdf)], Some(PPAP_PASSWORD), &mut rng),
    });
    let mut b = Spec::new(
        "田中",
        "tanaka@osaka-kikai.example",
        "資料送付の件（パスワード）",
    );
    b.client = a.client.clone();
    b.message_id = "ppap.2@osaka-kikai.example".into();
    b.date = "Tue, 15 Mar 2016 10:13:00 +0900".into();
    b.text = format!(
        "先ほどお送りしたファイルのパスワードをお知らせします。\n\nパスワード：{PPAP_PASSWORD}\n"
    );
    push(
        "ppap-pair.mbox",
        mbox_of(&[render(&a, Eol::Lf), render(&b, Eol::Lf)]),
        false,
    );

    // PPAP with a Word document encrypted with a password (not a zip): its settings load a
    // remote template, which only its password shows.
    let lure = kizuki_files::synth::docx(
        &kizuki_files::synth::para("請求書をご確認ください。"),
        "",
        Some(
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/>"#,
        ),
        &[],
    );
    let mut a = Spec::new("佐藤", "sato@kobe-shoji.example", "請求書送付の件");
    a.client = ("203.0.113.81".into(), "mail.kobe-shoji.example".into());
    a.message_id = "ppap.3@kobe-shoji.example".into();
    a.text = "請求書を送付いたします。\nパスワードは別途お送りします。\n".into();
    a.attachments.push(Attachment {
        name: "請求書.docx".into(),
        ctype: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        data: kizuki_files::synth::office_encrypted(&lure, PPAP_PASSWORD, 16),
    });
    let mut b = Spec::new("佐藤", "sato@kobe-shoji.example", "パスワードのお知らせ");
    b.client = a.client.clone();
    b.message_id = "ppap.4@kobe-shoji.example".into();
    b.date = "Tue, 15 Mar 2016 10:14:00 +0900".into();
    b.text = format!("請求書のパスワード：{PPAP_PASSWORD}\n");
    push(
        "ppap-office.mbox",
        mbox_of(&[render(&a, Eol::Lf), render(&b, Eol::Lf)]),
        false,
    );

    // Ordinary business mail: partners (signed), other firms, ISO-2022-JP and UTF-8, LF and CRLF.
    for i in 0..12 {
        let domain = [PARTNER, SHOJI, KIKAI][i % 3];
        let jis = i % 2 == 0;
        let eol = if i % 4 < 2 { Eol::Lf } else { Eol::Crlf };
        let enc = if jis { "jis" } else { "utf8" };
        let e = if eol == Eol::Crlf { "crlf" } else { "lf" };
        let data = business(&mut rng, i, domain, jis, eol);
        push(&format!("business-{i:02}-{enc}-{e}.eml"), data, true);
    }
    let biz: Vec<Vec<u8>> = (20..26)
        .map(|i| {
            business(
                &mut rng,
                i,
                [PARTNER, SHOJI, KIKAI][i % 3],
                i % 2 == 0,
                Eol::Lf,
            )
        })
        .collect();
    push("business.mbox", mbox_of(&biz), true);
    v
}

/// A mixed corpus of `n` messages for benchmarks: business mail with some attacks.
pub fn mixed(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let attacks: Vec<Vec<u8>> = corpus()
        .into_iter()
        .filter(|c| !c.clean && c.name.ends_with(".eml"))
        .map(|c| c.data)
        .collect();
    (0..n)
        .map(|i| {
            if i % 5 == 4 && !attacks.is_empty() {
                attacks[i / 5 % attacks.len()].clone()
            } else {
                let d = [PARTNER, SHOJI, KIKAI][i % 3];
                business(
                    &mut rng,
                    i,
                    d,
                    i % 2 == 0,
                    if i % 3 == 0 { Eol::Crlf } else { Eol::Lf },
                )
            }
        })
        .collect()
}

/// An mbox of the given messages.
pub fn to_mbox(msgs: &[Vec<u8>]) -> Vec<u8> {
    mbox_of(msgs)
}
