//! Importers: files people already have, turned into pa-core values.

pub mod loads;
