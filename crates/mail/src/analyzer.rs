//! The message analyser: one message in, one [`MailReport`] out; and the [`Session`] that
//! carries state across the messages of one scan (the PPAP pair).

use std::collections::VecDeque;

use kizuki_core::config::MailConfig;
use kizuki_core::mask::mask;
use kizuki_core::{Category, Config, Finding, Scoring, Severity};
use mail_parser::{MessageParser, PartType};

use crate::auth;
use crate::brands::BrandTable;
use crate::content;
use crate::dns::DnsMode;
use crate::domain::{Watched, domain_of, registered};
use crate::report::MailReport;
use crate::sender::{self, Hop, SenderContext, SenderView};

/// Caps on one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest message read (bytes); larger ones are an error for that message.
    pub max_message: u64,
    /// MIME parts looked at.
    pub max_parts: usize,
    /// Attachments looked at.
    pub max_attachments: usize,
    /// Characters of a header value analysed (subject, display name).
    pub max_header_chars: usize,
    /// `Received` hops looked at.
    pub max_hops: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: 64 * 1024 * 1024,
            max_parts: 1_000,
            max_attachments: 64,
            max_header_chars: 4_096,
            max_hops: 64,
        }
    }
}

/// What the analyser needs.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `[mail]`.
    pub mail: MailConfig,
    /// The attachment analyser's options (`[files]`).
    pub files: kizuki_files::Options,
    /// DNS for verification.
    pub dns: DnsMode,
    /// Caps.
    pub limits: Limits,
}

impl Options {
    /// Options from the configuration, DNS off.
    pub fn from_config(cfg: &Config) -> Self {
        Options {
            mail: cfg.mail.clone(),
            files: kizuki_files::Options::from_config(&cfg.files),
            dns: DnsMode::Off,
            limits: Limits::default(),
        }
    }
}

/// The analyser. Cheap to share; `Send + Sync`.
pub struct Analyzer {
    opts: Options,
    brands: BrandTable,
    watched: Watched,
    trusted: Vec<String>,
    scoring: Scoring,
    verifier: Option<auth::Verifier>,
    parser: MessageParser,
    files: kizuki_files::Analyzer,
}

/// The parts of a message the session needs for the PPAP pair.
#[derive(Debug, Default)]
struct Extras {
    sender: Option<String>,
    encrypted: Vec<(String, Vec<u8>)>,
    /// Some of `encrypted` are Office documents, not archives.
    documents: bool,
    passwords: Vec<String>,
}

impl Analyzer {
    /// Builds the analyser; fails only when DNS verification cannot be set up.
    pub fn new(opts: Options) -> Result<Analyzer, crate::Error> {
        let brands = BrandTable::new(&opts.mail.brands);
        let trusted: Vec<String> = opts
            .mail
            .trusted_domains
            .iter()
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        let watched = Watched::new(
            trusted
                .iter()
                .map(String::as_str)
                .chain(brands.all_domains()),
        );
        let scoring = opts.mail.scoring.clone();
        let verifier = auth::Verifier::new(&opts.dns)?;
        let files = kizuki_files::Analyzer::new(opts.files.clone())
            .map_err(|e| crate::Error::Files(e.to_string()))?;
        Ok(Analyzer {
            opts,
            brands,
            watched,
            trusted,
            scoring,
            verifier,
            parser: MessageParser::default(),
            files,
        })
    }

    /// The caps in use.
    pub fn limits(&self) -> &Limits {
        &self.opts.limits
    }

    /// Analyses one message on its own (no PPAP pairing).
    pub fn analyze(&self, source: &str, raw: &[u8]) -> MailReport {
        self.analyze_inner(source, raw, &|_| Vec::new()).0
    }

    /// A session for a scan over many messages.
    pub fn session(&self) -> Session<'_> {
        Session {
            analyzer: self,
            pending: VecDeque::new(),
            pending_bytes: 0,
            passwords: VecDeque::new(),
        }
    }

    /// `passwords_for(sender)`: PPAP passwords seen earlier in the scan from this sender.
    fn analyze_inner(
        &self,
        source: &str,
        raw: &[u8],
        passwords_for: &dyn Fn(&str) -> Vec<String>,
    ) -> (MailReport, Extras) {
        let lim = &self.opts.limits;
        let mut findings: Vec<Finding> = Vec::new();
        let mut extras = Extras::default();
        let mut report = MailReport {
            source: source.to_string(),
            message_id: None,
            from: None,
            subject: None,
            date: None,
            verdict: kizuki_core::Verdict::Clean,
            score: 0,
            findings: Vec::new(),
            attachments: Vec::new(),
        };
        let Some(msg) = self.parser.parse(raw) else {
            findings.push(Finding::new(
                "mime.unparsable",
                Severity::Info,
                "no message headers found",
            ));
            self.finish(&mut report, findings);
            return (report, extras);
        };
        report.message_id = msg.message_id().map(|s| cap(s, 256));
        // Japanese in the header as it is (ISO-2022-JP, Shift_JIS): read from its bytes.
        let raw_subject = crate::raw::header(&msg, mail_parser::HeaderName::Subject);
        report.subject = raw_subject
            .as_deref()
            .or(msg.subject())
            .map(|s| cap(s, 512));
        report.date = msg.date().map(|d| d.to_rfc3339());
        let from = msg.from().and_then(|a| a.first());
        let from_addr = from.and_then(|a| a.address()).map(|s| cap(s, 320));
        let raw_from = crate::raw::header(&msg, mail_parser::HeaderName::From)
            .and_then(|v| crate::raw::addresses(&v).into_iter().next());
        let from_name = match raw_from {
            Some((name, _)) => name.map(|s| cap(&s, lim.max_header_chars)),
            None => from
                .and_then(|a| a.name())
                .map(|s| cap(s, lim.max_header_chars)),
        };
        report.from = from_addr.as_deref().map(|a| mask(Category::Email, a));
        extras.sender = from_addr.as_deref().map(str::to_ascii_lowercase);
        let extra_pw = extras
            .sender
            .as_deref()
            .map(passwords_for)
            .unwrap_or_default();

        // Sender.
        let hops: Vec<Hop> = msg
            .received_all()
            .take(lim.max_hops)
            .map(|r| Hop {
                ip: r.from_ip(),
                helo: r.helo().map(host_str),
                rdns: r
                    .from_iprev()
                    .map(str::to_string)
                    .or_else(|| r.from().map(host_str))
                    .filter(|h| h.parse::<std::net::IpAddr>().is_err() && h != "unknown"),
                by: r.by().map(host_str),
            })
            .collect();
        let view = SenderView {
            from_name,
            from_addr: from_addr.clone(),
            reply_to: msg
                .reply_to()
                .map(|a| {
                    a.iter()
                        .take(16)
                        .filter_map(|x| x.address().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            return_path: msg.return_address().map(str::to_string),
            hops,
        };
        let ctx = SenderContext {
            brands: &self.brands,
            trusted: &self.trusted,
            watched: &self.watched,
        };
        let envelope = sender::analyze(&view, &ctx, &mut findings);

        // Authentication.
        let from_domain = from_addr.as_deref().and_then(domain_of);
        let strong = from_domain
            .as_deref()
            .is_some_and(|d| sender::is_trusted_or_brand(d, &ctx));
        let ar: Vec<String> = msg
            .headers_raw()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Authentication-Results"))
            .take(32)
            .map(|(_, v)| cap(v, 8192))
            .collect();
        let trusted_ar =
            auth::from_headers(&ar, self.opts.mail.authserv_id.as_deref(), &mut findings);
        let verified = self
            .verifier
            .as_ref()
            .and_then(|v| v.verify(raw, from_domain.as_deref(), envelope.as_ref()));
        if let Some(r) = verified.or(trusted_ar) {
            auth::findings(
                &r,
                from_domain.as_deref().unwrap_or("-"),
                strong,
                &mut findings,
            );
        }

        // Parts: bodies, attachments.
        if msg.parts.len() > lim.max_parts {
            findings.push(Finding::new(
                "mime.too_many_parts",
                Severity::Low,
                format!(
                    "{} MIME parts; only the first {} are looked at",
                    msg.parts.len(),
                    lim.max_parts
                ),
            ));
        }
        if msg
            .parts
            .iter()
            .take(lim.max_parts)
            .any(|p| p.is_encoding_problem)
        {
            findings.push(Finding::new(
                "mime.encoding_problem",
                Severity::Info,
                "a part could not be decoded as declared (bad base64, charset or encoding)",
            ));
        }
        let mut visible = 0usize;
        let mut links = Vec::new();
        let mut text_for_passwords = String::new();
        let mut body_ids: Vec<u32> = Vec::new();
        for id in msg.text_body.iter().chain(msg.html_body.iter()) {
            if !body_ids.contains(id) && body_ids.len() < lim.max_parts {
                body_ids.push(*id);
            }
        }
        for id in &body_ids {
            let Some(part) = msg.parts.get(*id as usize) else {
                continue;
            };
            match &part.body {
                PartType::Text(t) => {
                    visible += content::visible_chars(t, false);
                    content::links(t, false, content::MAX_URLS, &mut links);
                    if text_for_passwords.len() < 64 * 1024 {
                        text_for_passwords.push_str(&cap(t, 16 * 1024));
                    }
                }
                PartType::Html(h) => {
                    visible += content::visible_chars(h, true);
                    content::links(h, true, content::MAX_URLS, &mut links);
                }
                _ => {}
            }
        }
        let mut attachments = 0usize;
        for (i, id) in msg.attachments.iter().enumerate() {
            if i >= lim.max_attachments || (*id as usize) >= lim.max_parts {
                break;
            }
            let Some(part) = msg.parts.get(*id as usize) else {
                continue;
            };
            let data: &[u8] = match &part.body {
                PartType::Binary(b) | PartType::InlineBinary(b) => b,
                PartType::Text(t) | PartType::Html(t) => t.as_bytes(),
                PartType::Message(m) => m.raw_message(),
                PartType::Multipart(_) => continue,
            };
            attachments += 1;
            let name = crate::raw::attachment_name(&msg, part)
                .map(|n| cap(&n, 255))
                .unwrap_or_else(|| format!("part{id}"));
            let fr = self
                .files
                .analyze_bytes(&format!("{source}!{name}"), data, &extra_pw);
            // An encrypted zip, or an Office document encrypted with a password (the other
            // PPAP: `パスワード付きExcel`), waits for its password mail.
            // A PDF waits when it has a password to open (not an owner's restrictions only).
            let document = fr.findings.iter().any(|f| {
                matches!(
                    f.rule.as_ref(),
                    "office.encrypted" | "office.password_opened" | "pdf.password_opened"
                ) || (f.rule == "pdf.encrypted" && f.severity > Severity::Info)
            });
            if content::is_encrypted_zip(data) || document {
                extras.encrypted.push((name.clone(), data.to_vec()));
                extras.documents |= document;
            }
            for f in fr.all_findings() {
                findings.push(f.clone().prefixed("attachment."));
            }
            report.attachments.push(fr);
        }
        if attachments > 0 && visible < content::NEAR_EMPTY {
            findings.push(Finding::new(
                "body.empty_with_attachment",
                Severity::Medium,
                format!("{visible} visible characters of body text, {attachments} attachment(s)"),
            ));
        }
        content::url_findings(&links, &self.watched, &mut findings);
        if let Some(fd) = from_domain.as_deref() {
            let fr = registered(fd);
            let free = crate::domain::is_free_mail(&fr);
            content::signature_findings(&text_for_passwords, &fr, free, &mut findings);
        }
        if let Some(s) = report.subject.as_deref()
            && let Some(w) = content::lure_word(s)
        {
            findings.push(Finding::new(
                "lure.subject",
                Severity::Low,
                format!("subject contains the lure word 「{w}」"),
            ));
        }
        if !extras.encrypted.is_empty() {
            findings.push(Finding::new(
                "ppap.encrypted_archive",
                Severity::Low,
                format!(
                    "encrypted {} attached ({}): its content cannot be checked without the password",
                    if extras.documents { "archive or document" } else { "archive" },
                    extras.encrypted.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if attachments == 0 {
            extras.passwords = content::password_candidates(&text_for_passwords);
        }
        self.finish(&mut report, findings);
        (report, extras)
    }

    fn finish(&self, report: &mut MailReport, mut findings: Vec<Finding>) {
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.rule.cmp(&b.rule))
        });
        let a = self.scoring.assess(&findings);
        report.score = a.score;
        report.verdict = a.verdict;
        report.findings = findings;
    }
}

/// Carries state across the messages of one scan: encrypted archives waiting for their
/// password mail, and passwords waiting for their archive (the PPAP pair). Bounded: the last
/// 32 of each are kept.
pub struct Session<'a> {
    analyzer: &'a Analyzer,
    pending: VecDeque<Pending>,
    pending_bytes: usize,
    passwords: VecDeque<(String, Vec<String>, String)>,
}

/// An encrypted archive waiting for its password mail.
struct Pending {
    sender: String,
    name: String,
    source: String,
    data: Vec<u8>,
}

const PPAP_KEEP: usize = 32;
/// Bytes of encrypted archives kept while waiting for their password mail.
const PPAP_KEEP_BYTES: usize = 64 * 1024 * 1024;

impl Session<'_> {
    /// Analyses the next message of the scan.
    pub fn scan(&mut self, source: &str, raw: &[u8]) -> MailReport {
        let known = &self.passwords;
        let passwords_for = |sender: &str| -> Vec<String> {
            known
                .iter()
                .filter(|(s, _, _)| s == sender)
                .flat_map(|(_, p, _)| p.iter().cloned())
                .collect()
        };
        let (mut report, extras) = self.analyzer.analyze_inner(source, raw, &passwords_for);
        let Some(sender) = extras.sender else {
            return report;
        };
        let mut extra = Vec::new();
        if !extras.passwords.is_empty() {
            // A password mail: open the archives this sender sent earlier with it.
            for p in self.pending.iter().filter(|p| p.sender == sender) {
                let path = format!("{}!{}", p.source, p.name);
                let fr = self
                    .analyzer
                    .files
                    .analyze_bytes(&path, &p.data, &extras.passwords);
                extra.push(Finding::new(
                    "ppap.password_mail",
                    Severity::Info,
                    format!(
                        "carries the password of encrypted archive {} in {}; the archive was analysed with it",
                        p.name, p.source
                    ),
                ));
                for f in fr.all_findings() {
                    extra.push(f.clone().prefixed("attachment."));
                }
                report.attachments.push(fr);
            }
            self.passwords.push_back((
                sender.clone(),
                extras.passwords.clone(),
                source.to_string(),
            ));
            if self.passwords.len() > PPAP_KEEP {
                self.passwords.pop_front();
            }
        }
        for (name, data) in extras.encrypted {
            if let Some((_, _, psrc)) = self.passwords.iter().rev().find(|(s, _, _)| *s == sender) {
                extra.push(Finding::new(
                    "ppap.password_mail",
                    Severity::Info,
                    format!("the password of {name} was sent in {psrc}; the archive was analysed with it"),
                ));
            }
            self.pending_bytes += data.len();
            self.pending.push_back(Pending {
                sender: sender.clone(),
                name,
                source: source.to_string(),
                data,
            });
            while self.pending.len() > PPAP_KEEP || self.pending_bytes > PPAP_KEEP_BYTES {
                match self.pending.pop_front() {
                    Some(p) => self.pending_bytes -= p.data.len(),
                    None => break,
                }
            }
        }
        if !extra.is_empty() {
            let mut all = std::mem::take(&mut report.findings);
            all.extend(extra);
            self.analyzer.finish(&mut report, all);
        }
        report
    }
}

fn host_str(h: &mail_parser::Host<'_>) -> String {
    match h {
        mail_parser::Host::Name(n) => cap(n, 255).to_ascii_lowercase(),
        mail_parser::Host::IpAddr(ip) => ip.to_string(),
    }
}

/// The first `n` characters of `s`.
fn cap(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The registered domain of a message's From address (for callers that group by sender).
pub fn sender_org(raw: &[u8]) -> Option<String> {
    let msg = MessageParser::default().parse(raw)?;
    let a = msg.from()?.first()?.address()?;
    domain_of(a).map(|d| registered(&d))
}
