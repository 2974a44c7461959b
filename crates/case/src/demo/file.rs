//! Step 1: the PDF e-ticket attachment, triaged by kizuki-files.

use std::path::Path;

use kizuki_files::{Analyzer, Options, synth};

use super::{Stage, StageReport, write};
use crate::Error;
use crate::scenario::Scenario;

/// Analyses the phishing mail's PDF attachment.
pub struct FileStage;

fn rel(scenario: &Scenario) -> String {
    format!("attachments/{}", scenario.attachment_name)
}

impl Stage for FileStage {
    fn name(&self) -> &'static str {
        "file"
    }

    fn step(&self) -> &'static str {
        "1"
    }

    fn prepare(&self, scenario: &Scenario, dir: &Path) -> Result<(), Error> {
        // The e-ticket: a text page and an /OpenAction running (inert) JavaScript.
        write(dir, &rel(scenario), &synth::pdf_eticket("SAMPLE/TARO MR"))?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let analyzer = Analyzer::new(Options::default()).map_err(|e| Error::Stage {
            stage: "file",
            message: e.to_string(),
        })?;
        let path = dir.join(rel(scenario));
        let report = analyzer.analyze_path(&path).map_err(|e| Error::Stage {
            stage: "file",
            message: e.to_string(),
        })?;
        let findings = report.all_findings();
        let mut summary = vec![format!(
            "{}: {} (score {}), type {}, sha256 {}…",
            scenario.attachment_name,
            report.verdict,
            report.score,
            report.file_type,
            &report.sha256[..16]
        )];
        summary.extend(
            findings
                .iter()
                .map(|f| format!("{:<8} {:<18} {}", f.severity.as_str(), f.rule, f.detail)),
        );
        Ok(StageReport {
            stage: self.name(),
            step: self.step(),
            inputs: vec![rel(scenario)],
            findings: findings.len(),
            summary,
            ok: report.verdict == kizuki_core::Verdict::Malicious
                && report.has_rule("pdf.open_action")
                && report.has_rule("pdf.javascript"),
        })
    }
}
