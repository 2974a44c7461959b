//! The first stage: the incident's facts and timeline, written as `incident.json`.

use std::path::Path;

use super::{Stage, StageReport, write};
use crate::Error;
use crate::scenario::Scenario;

/// Writes and checks the incident facts.
pub struct Timeline;

impl Stage for Timeline {
    fn name(&self) -> &'static str {
        "scenario"
    }

    fn step(&self) -> &'static str {
        "timeline"
    }

    fn prepare(&self, scenario: &Scenario, dir: &Path) -> Result<(), Error> {
        let json = serde_json::to_vec_pretty(scenario).map_err(|e| Error::Stage {
            stage: "scenario",
            message: e.to_string(),
        })?;
        write(dir, "incident.json", &json)?;
        Ok(())
    }

    fn run(&self, scenario: &Scenario, dir: &Path) -> Result<StageReport, Error> {
        let path = dir.join("incident.json");
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| Error::Stage {
            stage: "scenario",
            message: format!("incident.json: {e}"),
        })?;
        let events = v["timeline"].as_array().map_or(0, Vec::len);
        let mut summary = vec![format!(
            "{} — infection via \"{}\" ({})",
            scenario.company, scenario.mail_subject, scenario.attachment_name
        )];
        summary.extend(
            scenario
                .timeline
                .iter()
                .map(|e| format!("{}  step {:<2} {}", e.date, e.step, e.what)),
        );
        Ok(StageReport {
            stage: self.name(),
            step: self.step(),
            inputs: vec!["incident.json".into()],
            findings: 0,
            summary,
            ok: events == scenario.timeline.len(),
        })
    }
}
