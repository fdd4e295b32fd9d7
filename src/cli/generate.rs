//! `iskp-map generate`: a deterministic synthetic data directory for scale tests.

use super::{CliError, Failure};
use std::path::Path;

/// Writes `count` synthetic records (seeded by `seed`) to `out`, with the boundaries and gazetteer
/// of `data`.
pub fn run(data: &Path, out: &Path, count: usize, seed: u64) -> Result<(), CliError> {
    let n = crate::synth::directory::write_dataset(data, out, count, seed)
        .map_err(|e| CliError::new(Failure::Io, e.to_string()))?;
    println!("wrote {n} synthetic records to {}", out.display());
    Ok(())
}
