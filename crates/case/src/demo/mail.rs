//! Stage `mail` (step 1): the spear-phishing mail in the sales team's inbox.
//!
//! Prepares `mail/inbox.mbox` (three ordinary business mails and the reference mail imitating
//! the partner airline), `mail/dns-records.txt` (the partner's real SPF, DKIM and DMARC
//! records) and runs `kizuki mail scan` logic on them. Ok when the reference mail is malicious
//! with sender, authentication and body reasons and the business mail stays clean.

use std::path::Path;
use std::sync::Arc;

use kizuki_core::config::{Brand, MailConfig};
use kizuki_core::{Report, Verdict};
use kizuki_mail::synth::{self, Eol};
use kizuki_mail::{Analyzer, DnsMode, DnsRecords, Options};

use super::{Stage, StageReport, write};
use crate::Error;
use crate::scenario::Scenario;

/// The mail stage.
pub struct Mail;

const INBOX: &str = "mail/inbox.mbox";
const RECORDS: &str = "mail/dns-records.txt";

fn fail(message: String) -> Error {
    Error::Stage {
        stage: "mail",
        message,
    }
}

impl Stage for Mail {
    fn name(&self) -> &'static str {
        "mail"
    }

    fn step(&self) -> &'static str {
        "1"
    }

    fn prepare(&self, scenario: &Scenario, dir: &Path) -> Result<(), Error> {
        let mut spec = synth::reference_spec();
        spec.subject = scenario.mail_subject.to_string();
        spec.from_addr = format!("sato@{}", scenario.imitated_partner_domain);
        if let Some(a) = spec.attachments.first_mut() {
            a.name = scenario.attachment_name.to_string();
        }
        let mut msgs: Vec<Vec<u8>> = synth::mixed(3, super::SEED).into_iter().collect();
        msgs.push(synth::render(&spec, Eol::Crlf));
        write(dir, INBOX, &synth::to_mbox(&msgs))?;
        write(dir, RECORDS, synth::dns_records().as_bytes())?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let records = DnsRecords::load(&dir.join(RECORDS)).map_err(|e| fail(e.to_string()))?;
        let opts = Options {
            mail: MailConfig {
                trusted_domains: vec![scenario.imitated_partner_domain.to_string()],
                authserv_id: Some(synth::MX.to_string()),
                brands: vec![Brand {
                    name: "パートナー航空".into(),
                    domains: vec![scenario.imitated_partner_domain.to_string()],
                }],
                ..MailConfig::default()
            },
            dns: DnsMode::Records(Arc::new(records)),
            ..Options::default()
        };
        let an = Analyzer::new(opts).map_err(|e| fail(e.to_string()))?;
        let mut session = an.session();
        let mut reports = Vec::new();
        let mut errors = Vec::new();
        kizuki_mail::input::walk(&dir.join(INBOX), an.limits().max_message, &mut |item| {
            match item {
                Ok((src, bytes)) => {
                    let short = src.rsplit('/').next().unwrap_or(&src).to_string();
                    reports.push(session.scan(&short, &bytes));
                }
                Err(e) => errors.push(e.to_string()),
            }
            true
        });
        if let Some(e) = errors.first() {
            return Err(fail(e.clone()));
        }
        let mut summary = Vec::new();
        let mut findings = 0;
        let mut ok = !reports.is_empty();
        for r in &reports {
            let is_ref = r.subject.as_deref() == Some(scenario.mail_subject);
            summary.push(format!(
                "{}  {} (score {})  「{}」 from {}",
                r.source,
                r.verdict,
                r.score,
                r.subject.as_deref().unwrap_or("-"),
                r.from.as_deref().unwrap_or("-")
            ));
            if is_ref {
                findings += r.findings.len();
                for f in &r.findings {
                    summary.push(format!(
                        "    {:<8} {:<28} {}",
                        f.severity.as_str(),
                        f.rule,
                        f.detail
                    ));
                }
                for a in &r.attachments {
                    summary.push(format!(
                        "    attachment {} ({}, {} bytes): {} ({})",
                        a.path, a.file_type, a.size, a.verdict, a.score
                    ));
                }
                let has = |p: &str| r.findings.iter().any(|f| f.rule.starts_with(p));
                ok &= r.verdict == Verdict::Malicious
                    && has("sender.")
                    && has("auth.")
                    && has("body.")
                    && has("attachment.");
            } else {
                ok &= !r.is_hit();
            }
        }
        ok &= reports
            .iter()
            .any(|r| r.subject.as_deref() == Some(scenario.mail_subject));
        Ok(StageReport {
            stage: self.name(),
            step: self.step(),
            inputs: vec![INBOX.into(), RECORDS.into()],
            findings,
            summary,
            ok,
        })
    }
}
