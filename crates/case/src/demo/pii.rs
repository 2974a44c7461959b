//! Steps 3-5: the data file the intruder staged on the server, restored by the investigators
//! (a CP932 CSV with every item of the reference incident), the same file in a zip, and a raw
//! image of the server's volume where the file was deleted (its blocks still hold it), scanned
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
const IMAGE: &str = "server/disk/volume.img";
/// Where the deleted file's blocks lie in the image (a 4 KiB block boundary).
const IMAGE_OFFSET: usize = 3 << 20;

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
        write(dir, IMAGE, &volume(&g.data))?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let scanner = Scanner::new(Options::default());
        let mut found = Vec::new();
        let mut errors = Vec::new();
        let inputs = [dir.join(CSV), dir.join(ZIP), dir.join(IMAGE)];
        scanner.scan_paths(&inputs, &mut |item| match item {
            Item::Found(r) => found.push(r),
            Item::Failed { path, error } => errors.push(format!("{path}: {error}")),
        });
        let mut summary = Vec::new();
        let carved = format!("{IMAGE}!@{IMAGE_OFFSET}");
        let mut ok = errors.is_empty()
            && found.len() == 3
            && found.iter().any(|r| r.path.ends_with(&carved));
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
            inputs: vec![CSV.into(), ZIP.into(), IMAGE.into()],
            findings: found.iter().map(|r| r.total() as usize).sum(),
            summary,
            ok,
        })
    }
}

/// A raw image of the server's volume after the intruder deleted the staged file: 8 MiB of
/// blocks, some holding binary data (a deterministic pattern), the file's
/// bytes at [`IMAGE_OFFSET`] and zeros after them, as a file system leaves a deleted file's
/// blocks until it reuses them.
fn volume(file: &[u8]) -> Vec<u8> {
    let mut img = vec![0u8; 8 << 20];
    let mut x = SEED | 1;
    // The file's own blocks, its last one zero-filled after its end as the kernel writes it.
    let (first, last) = (IMAGE_OFFSET / 4096, (IMAGE_OFFSET + file.len()) / 4096);
    let others = img
        .chunks_mut(4096)
        .enumerate()
        .filter(|(k, _)| *k < first || *k > last)
        .map(|(_, b)| b);
    for block in others.step_by(3).take(400) {
        for (i, b) in block.iter_mut().enumerate() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // A zero byte every eight: no text run in it (real binary data has some).
            *b = if i % 8 == 0 { 0 } else { x as u8 };
        }
    }
    let end = (IMAGE_OFFSET + file.len()).min(img.len());
    if let Some(dst) = img.get_mut(IMAGE_OFFSET..end) {
        dst.copy_from_slice(file.get(..end - IMAGE_OFFSET).unwrap_or_default());
    }
    img
}
