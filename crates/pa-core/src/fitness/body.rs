//! Body composition measurements (a smart scale, or typed in).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, positive};
use crate::time::ZonedInstant;

/// One body composition measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyComposition {
    /// When it was measured.
    pub measured_at: ZonedInstant,
    /// Weight, kilograms.
    pub weight_kg: f64,
    /// Body fat, percent.
    pub body_fat_pct: Option<f64>,
    /// Muscle mass, kilograms.
    pub muscle_mass_kg: Option<f64>,
    /// Body mass index, kg/m², as the scale reported it.
    pub bmi: Option<f64>,
    /// Body water, percent.
    pub water_pct: Option<f64>,
}

impl BodyComposition {
    /// A measurement of weight alone.
    pub fn weight(measured_at: ZonedInstant, weight_kg: f64) -> Self {
        Self {
            measured_at,
            weight_kg,
            body_fat_pct: None,
            muscle_mass_kg: None,
            bmi: None,
            water_pct: None,
        }
    }

    /// BMI from the weight and a height in metres.
    pub fn bmi_for_height(&self, height_m: f64) -> Result<f64> {
        let h = positive("height_m", height_m)?;
        Ok(self.weight_kg / (h * h))
    }

    /// Checks ranges: weight above zero, percentages 0–100, muscle mass below weight.
    pub fn validate(&self) -> Result<()> {
        positive("weight_kg", self.weight_kg)?;
        for (f, v) in [
            ("body_fat_pct", self.body_fat_pct),
            ("water_pct", self.water_pct),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && (0.0..=100.0).contains(&v))
            {
                return Err(Error::invalid(f, format!("{v} is outside 0–100")));
            }
        }
        if let Some(m) = self.muscle_mass_kg
            && !(m.is_finite() && m >= 0.0 && m <= self.weight_kg)
        {
            return Err(Error::invalid(
                "muscle_mass_kg",
                format!("{m} kg is not between 0 and the weight"),
            ));
        }
        if let Some(b) = self.bmi {
            positive("bmi", b)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    #[test]
    fn validation_and_bmi() {
        let at = ZonedInstant::new(
            "2026-01-01T07:00:00Z".parse().unwrap(),
            parse_zone("UTC").unwrap(),
        );
        let mut b = BodyComposition::weight(at, 72.0);
        assert!(b.validate().is_ok());
        assert!((b.bmi_for_height(1.8).unwrap() - 22.222_222).abs() < 1e-5);
        assert!(b.bmi_for_height(0.0).is_err());
        b.muscle_mass_kg = Some(80.0);
        assert!(b.validate().is_err());
        b.muscle_mass_kg = None;
        b.body_fat_pct = Some(-3.0);
        assert!(b.validate().is_err());
    }
}
