//! Python bindings for pa: the private native module `pa._pa`, wrapped by the `pa` package.
//!
//! Thin by rule: this crate converts Python values to pa-core types and back and maps errors to
//! Python exceptions. Every rule lives in pa-core or pa-integrations. The full Python API is grown
//! here as the engine grows; today it offers the store (import, today's briefing, export, backup) and the
//! Performance Manager Chart.

mod columns;
mod errors;
mod finance;
mod fitness;
mod frames;
mod planning;
mod reads;
mod records;
mod review;
mod store;
mod sync;
mod training;
mod writes;

use pyo3::prelude::*;

// Rust's allocations in the module: glibc maps every block over 128 KiB afresh (a ten-year
// PMC's columns are 146 KiB), paying page faults on each call; mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native module.
#[pymodule]
mod _pa {
    #[pymodule_export]
    use crate::fitness::{hr_stress, normalized_power, power_load, run_load, trimp};
    #[pymodule_export]
    use crate::frames::frame_columns;
    #[pymodule_export]
    use crate::planning::{expand_rrule, read_calendar, schedule_runs};
    #[pymodule_export]
    use crate::records::{
        PyOccurrence, PyTransaction, occurrence_from_json, transaction_from_json,
    };
    #[pymodule_export]
    use crate::store::{Store, User, Vault};
    #[pymodule_export]
    use crate::training::{form, pmc, pmc_block, pmc_series};

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
