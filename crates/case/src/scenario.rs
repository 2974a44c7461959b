//! The reference incident as data: the facts every stage of the demo builds on.
//!
//! Names and domains are invented (`.example` domains, fictitious companies) but the shape follows
//! the public facts of the 2016 case summarised in shared/scenario.md.

use serde::Serialize;

/// One event on the incident timeline.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// ISO date.
    pub date: &'static str,
    /// Step of the scenario (1..7, or `notice`, `hotline`, `report`).
    pub step: &'static str,
    /// What happened.
    pub what: &'static str,
}

/// Facts of the demo incident.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// The victim company (fictitious).
    pub company: &'static str,
    /// Its online-sales subsidiary, where the infection started.
    pub subsidiary: &'static str,
    /// The partner airline the phishing mail imitated (fictitious, real-looking domain).
    pub imitated_partner_domain: &'static str,
    /// Subject of the phishing mail.
    pub mail_subject: &'static str,
    /// Name of the PDF attachment.
    pub attachment_name: &'static str,
    /// The infected PC.
    pub pc_ip: &'static str,
    /// The server that must never talk to the outside.
    pub server_ip: &'static str,
    /// The attacker's command-and-control address (documentation range).
    pub c2_ip: &'static str,
    /// The attacker's C2 domain.
    pub c2_domain: &'static str,
    /// People in the restored file at the scale of the real case.
    pub people_real_case: u64,
    /// Passport numbers in the real case, and how many were still valid.
    pub passports_real_case: (u64, u64),
    /// The timeline.
    pub timeline: Vec<Event>,
}

/// The bundled scenario.
pub fn reference() -> Scenario {
    Scenario {
        company: "株式会社サンプル旅行 (Sample Travel Co., Ltd.)",
        subsidiary: "サンプル旅行オンライン販売 (online sales)",
        imitated_partner_domain: "partner-air.example",
        mail_subject: "航空券控え 添付のご連絡",
        attachment_name: "北京行きのEチケット.pdf",
        pc_ip: "10.10.5.23",
        server_ip: "10.20.0.15",
        c2_ip: "203.0.113.45",
        c2_domain: "update-check.example",
        people_real_case: 7_930_000,
        passports_real_case: (9_000, 4_300),
        timeline: vec![
            Event {
                date: "2016-03-15",
                step: "1",
                what: "Spear-phishing mail posing as a partner airline, one PDF e-ticket; a sales PC is infected",
            },
            Event {
                date: "2016-03-19",
                step: "2",
                what: "Suspicious outbound traffic begins from a server that must not talk out (until 03-24)",
            },
            Event {
                date: "2016-03-21",
                step: "3",
                what: "The intruder creates a data file on that server and deletes it",
            },
            Event {
                date: "2016-04-01",
                step: "3",
                what: "Traces of the deleted file are found",
            },
            Event {
                date: "2016-05-13",
                step: "5",
                what: "The restored file is confirmed to hold personal data; incident HQ set up",
            },
            Event {
                date: "2016-06-14",
                step: "6",
                what: "Records normalised: about 7.93 million people, ~4,300 valid passports",
            },
        ],
    }
}
