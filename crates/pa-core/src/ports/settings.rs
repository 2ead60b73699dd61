//! Per-person settings and preferences.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fitness::load::Thresholds;

/// A per-person setting or preference: a dotted key and a JSON value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// `[a-z0-9_.-]`, 1–128 characters (`units.distance`, `zone`).
    pub key: String,
    /// The value as JSON text; `None` removes the setting.
    pub value: Option<String>,
}

impl Setting {
    /// Checks the key's form.
    pub fn validate(&self) -> Result<()> {
        let ok = !self.key.is_empty()
            && self.key.len() <= 128
            && self.key.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
            });
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(
                "setting key",
                format!("'{}' must be 1–128 of a-z, 0-9, '_', '.', '-'", self.key),
            ))
        }
    }
}

/// Units of distance and height, as a person reads them and as files that do not say use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Kilometres and metres.
    #[default]
    Metric,
    /// Miles, feet and yards.
    Statute,
}

impl Units {
    /// Metres in one long distance unit: a kilometre or a mile.
    pub fn long_m(self) -> f64 {
        match self {
            Units::Metric => 1000.0,
            Units::Statute => 1609.344,
        }
    }

    /// Metres in one short distance unit (pool lengths): a metre or a yard.
    pub fn short_m(self) -> f64 {
        match self {
            Units::Metric => 1.0,
            Units::Statute => 0.9144,
        }
    }

    /// Metres in one height unit: a metre or a foot.
    pub fn height_m(self) -> f64 {
        match self {
            Units::Metric => 1.0,
            Units::Statute => 0.3048,
        }
    }

    /// Kilograms in one weight unit: a kilogram or a pound.
    pub fn weight_kg(self) -> f64 {
        match self {
            Units::Metric => 1.0,
            Units::Statute => 0.453_592_37,
        }
    }
}

impl std::str::FromStr for Units {
    type Err = Error;
    /// `metric`, or `statute` (also `imperial`).
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "metric" => Ok(Units::Metric),
            "statute" | "imperial" => Ok(Units::Statute),
            _ => Err(Error::invalid(
                "units",
                format!("'{s}' is not metric or statute"),
            )),
        }
    }
}

/// The key the [`Profile`] is kept under.
pub const PROFILE_KEY: &str = "profile";

/// Who the person is, as every front end needs it to compute the same answers: the zone their
/// days are counted in and the athlete's thresholds activities are scored with. Kept in the
/// person's settings under [`PROFILE_KEY`] as JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The IANA zone "today" and the week are counted in; `None` means UTC.
    #[serde(default)]
    pub zone: Option<chrono_tz::Tz>,
    /// FTP and heart-rate profile; activities imported without thresholds of their own are
    /// scored with these.
    #[serde(default)]
    pub athlete: Thresholds,
    /// The currency money written by hand is in unless it says (an expense, a budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<crate::money::Currency>,
    /// The units files that do not say are read in (a Garmin CSV's distances), and the person's
    /// preference for front ends to show; pa's own reports are metric for now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Units>,
    /// The time of day of the daily check-in, in the profile's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_in_time: Option<chrono::NaiveTime>,
}

impl Profile {
    /// The zone days are counted in: the profile's, else UTC.
    pub fn zone_or_utc(&self) -> chrono_tz::Tz {
        self.zone.unwrap_or(chrono_tz::UTC)
    }

    /// This profile with the parts `changes` gives (zone, FTP, heart-rate profile) put in place
    /// of its own.
    #[must_use]
    pub fn overridden_by(self, changes: Profile) -> Self {
        Self {
            zone: changes.zone.or(self.zone),
            athlete: self.athlete.overridden_by(changes.athlete),
            currency: changes.currency.or(self.currency),
            units: changes.units.or(self.units),
            check_in_time: changes.check_in_time.or(self.check_in_time),
        }
    }

    /// Checks the thresholds.
    pub fn validate(&self) -> Result<()> {
        self.athlete.validate()
    }

    /// The profile among `settings`: the default when none is stored; an error naming the key
    /// when the stored value is not a valid profile.
    pub fn from_settings(settings: &[Setting]) -> Result<Self> {
        let Some(text) = settings
            .iter()
            .find(|s| s.key == PROFILE_KEY)
            .and_then(|s| s.value.as_deref())
        else {
            return Ok(Self::default());
        };
        let profile: Self = serde_json::from_str(text)
            .map_err(|e| Error::invalid(PROFILE_KEY, format!("not a valid profile: {e}")))?;
        profile.validate()?;
        Ok(profile)
    }

    /// The setting that stores this profile (after checking it).
    pub fn to_setting(&self) -> Result<Setting> {
        self.validate()?;
        let text =
            serde_json::to_string(self).map_err(|e| Error::invalid(PROFILE_KEY, e.to_string()))?;
        Ok(Setting {
            key: PROFILE_KEY.to_owned(),
            value: Some(text),
        })
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn unit_factors_are_the_international_definitions() {
        assert_eq!(
            (
                Units::Metric.long_m(),
                Units::Metric.short_m(),
                Units::Metric.height_m(),
                Units::Metric.weight_kg()
            ),
            (1000.0, 1.0, 1.0, 1.0)
        );
        // The 1959 international yard and pound: a mile is 1760 yards, a yard 3 feet.
        assert_eq!(Units::Statute.long_m(), 1760.0 * Units::Statute.short_m());
        assert!((Units::Statute.short_m() - 3.0 * Units::Statute.height_m()).abs() < 1e-15);
        assert_eq!(Units::Statute.weight_kg(), 0.453_592_37);
    }

    use super::*;
    use crate::fitness::load::{HeartRateProfile, Sex};

    #[test]
    fn a_profile_round_trips_through_its_setting() {
        let profile = Profile {
            zone: Some(chrono_tz::Europe::Berlin),
            athlete: Thresholds {
                ftp_w: Some(250.0),
                heart_rate: Some(
                    HeartRateProfile::new(48.0, 188.0, Some(170.0), Sex::Female).unwrap(),
                ),
            },
            currency: Some(crate::money::parse_currency("eur").unwrap()),
            units: Some(Units::Statute),
            check_in_time: chrono::NaiveTime::from_hms_opt(21, 30, 0),
        };
        let setting = profile.to_setting().unwrap();
        assert_eq!(setting.key, "profile");
        assert_eq!(Profile::from_settings(&[setting]).unwrap(), profile);
        assert_eq!(Profile::from_settings(&[]).unwrap(), Profile::default());
        assert_eq!(Profile::default().zone_or_utc(), chrono_tz::UTC);
    }

    #[test]
    fn a_bad_profile_is_refused_by_name() {
        let stored = |text: &str| {
            Profile::from_settings(&[Setting {
                key: PROFILE_KEY.into(),
                value: Some(text.into()),
            }])
        };
        let err = stored(r#"{"zone":"Mars/Olympus"}"#).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, .. } if field == "profile"),
            "{err}"
        );
        assert_eq!(
            stored(r#"{"athlete":{"ftp_w":-5.0,"heart_rate":null}}"#).unwrap_err(),
            Thresholds {
                ftp_w: Some(-5.0),
                heart_rate: None
            }
            .validate()
            .unwrap_err()
        );
        let bad = Profile {
            zone: None,
            athlete: Thresholds {
                ftp_w: Some(0.0),
                heart_rate: None,
            },
            ..Profile::default()
        };
        assert_eq!(
            bad.to_setting().unwrap_err(),
            bad.athlete.validate().unwrap_err()
        );
    }

    #[test]
    fn setting_keys_are_checked() {
        let s = |k: &str| Setting {
            key: k.into(),
            value: None,
        };
        assert!(s("units.distance").validate().is_ok());
        for bad in ["", "Units", "a b", &"x".repeat(129)] {
            assert!(s(bad).validate().is_err(), "{bad}");
        }
    }
}
