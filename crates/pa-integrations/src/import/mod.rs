//! Importers: files people already have, turned into pa-core values.

mod csv_table;
pub mod finance;
pub mod habits;
pub mod loads;
