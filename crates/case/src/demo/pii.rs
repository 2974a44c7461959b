//! Steps 3-5: the data file the intruder staged on the server, restored by the investigators
//! (a CP932 CSV with every item of the reference incident) and the same file in a zip, scanned
//! with the real `pii scan`.

use std::path::Path;

use kizuki_core::Category;
use kizuki_pii::synth::{self, Form};
use kizuki_pii::{Item, Options, Scanner};

use super::{SEED, Stage, StageReport, write};
use crate::Error;
use crate::scenario::Scenario;

/// Persons in the demo's restored file (the real one held about 7.93 million).
pub const PERSONS: usize = 500;
const CSV: &str = "server/restored/customers_20160321.csv";
const ZIP: &str = "server/restored/customers_20160321.zip";

/// The items of the reference incident.
const LEAKED: [Category; 11] = [
    Category::NameKanji,
    Category::NameKana,
    Category::NameRomaji,
    Category::Gender,
    Category::BirthDate,
    Category::Email,
    Category::Address,
    Category::PostalCode,
    Category::Phone,
    Category::PassportNumber,
    Category::PassportIssueDate,
];

/// Finds the personal data in the restored file.
pub struct Pii;

impl Stage for Pii {
    fn name(&self) -> &'static str {
        "pii"
    }

    fn step(&self) -> &'static str {
        "3-5"
    }

    fn prepare(&self, _scenario: &Scenario, dir: &Path) -> Result<(), Error> {
        let g = synth::persons_file(SEED ^ 0x9115, PERSONS, Form::Csv, encoding_rs::SHIFT_JIS);
        write(dir, CSV, &g.data)?;
        let zip =
            synth::zip_of(&[("customers_20160321.csv", &g.data)]).map_err(|e| Error::Stage {
                stage: "pii",
                message: e.to_string(),
            })?;
        write(dir, ZIP, &zip)?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let scanner = Scanner::new(Options::default());
        let mut found = Vec::new();
        let mut errors = Vec::new();
        scanner.scan_paths(&[dir.join(CSV), dir.join(ZIP)], &mut |item| match item {
            Item::Found(r) => found.push(r),
            Item::Failed { path, error } => errors.push(format!("{path}: {error}")),
        });
        let mut summary = Vec::new();
        let mut ok = errors.is_empty() && found.len() == 2;
        for r in &found {
            let rel = r
                .path
                .strip_prefix(&dir.display().to_string())
                .unwrap_or(&r.path)
                .trim_start_matches('/');
            summary.push(format!(
                "{rel}: {} records, ~{} persons, {}",
                r.records.unwrap_or(0),
                r.persons_estimate,
                r.encoding.as_deref().unwrap_or("-")
            ));
            let cats: Vec<String> = r
                .categories
                .iter()
                .map(|(c, n)| format!("{}={n}", c.id()))
                .collect();
            summary.push(format!("  {}", cats.join(" ")));
            ok &= r.records == Some(PERSONS as u64)
                && r.persons_estimate == PERSONS as u64
                && LEAKED.iter().all(|c| r.categories.contains_key(c))
                && r.categories.len() == LEAKED.len();
        }
        summary.push(format!(
            "at the real case's scale: ~{} people",
            scenario.people_real_case
        ));
        summary.extend(errors);
        Ok(StageReport {
            stage: self.name(),
            step: self.step(),
            inputs: vec![CSV.into(), ZIP.into()],
            findings: found.iter().map(|r| r.total() as usize).sum(),
            summary,
            ok,
        })
    }
}
