//! The plug-in traits: a [`Detector`] looks at an [`Input`] and pushes findings into a
//! [`FindingSink`].

use crate::error::Error;
use crate::finding::Finding;

/// One object to look at: a file, an archive member, a decoded stream, a message part.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// Display name: a path, or `outer.zip!inner/member` for nested objects.
    pub name: &'a str,
    /// The bytes (already read under the caller's size cap).
    pub data: &'a [u8],
    /// Container nesting depth (0 for a top-level file).
    pub depth: u32,
}

impl<'a> Input<'a> {
    /// A top-level input.
    pub fn new(name: &'a str, data: &'a [u8]) -> Self {
        Input {
            name,
            data,
            depth: 0,
        }
    }
}

/// Receives findings. Returning `false` asks the detector to stop early.
pub trait FindingSink {
    /// Takes one finding; `false` means "enough, stop".
    fn finding(&mut self, finding: Finding) -> bool;
}

impl FindingSink for Vec<Finding> {
    fn finding(&mut self, finding: Finding) -> bool {
        self.push(finding);
        true
    }
}

impl<F: FnMut(Finding) -> bool> FindingSink for F {
    fn finding(&mut self, finding: Finding) -> bool {
        self(finding)
    }
}

/// A detector, built from its configuration struct, run on many inputs (possibly in parallel).
pub trait Detector: Send + Sync {
    /// Stable id of the detector (`pdf`, `vba`, `beacon`, `pii.phone`).
    fn id(&self) -> &'static str;
    /// Looks at one input. Malformed input is a finding or a per-item error, never a panic.
    fn scan(&self, input: &Input<'_>, sink: &mut dyn FindingSink) -> Result<(), Error>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    struct Needle;
    impl Detector for Needle {
        fn id(&self) -> &'static str {
            "needle"
        }
        fn scan(&self, input: &Input<'_>, sink: &mut dyn FindingSink) -> Result<(), Error> {
            for (i, w) in input.data.windows(6).enumerate() {
                if w == b"needle"
                    && !sink.finding(
                        Finding::new("test.needle", Severity::Low, "needle").at_offset(i as u64),
                    )
                {
                    break;
                }
            }
            Ok(())
        }
    }

    #[test]
    fn sink_can_stop_a_detector() {
        let data = b"needle needle needle";
        let mut all = Vec::new();
        Needle.scan(&Input::new("x", data), &mut all).unwrap();
        assert_eq!(all.len(), 3);
        let mut first = Vec::new();
        let mut stop_after_one = |f: Finding| {
            first.push(f);
            false
        };
        Needle
            .scan(&Input::new("x", data), &mut stop_after_one)
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(Needle.id(), "needle");
    }
}
