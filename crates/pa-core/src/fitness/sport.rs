//! The kinds of sport pa distinguishes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A sport. Sources with finer categories (trail running, gravel) map onto the nearest one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Sport {
    /// Running, on road, trail or treadmill.
    Run,
    /// Cycling, outdoors or on a trainer.
    Ride,
    /// Swimming.
    Swim,
    /// Walking.
    Walk,
    /// Hiking.
    Hike,
    /// Rowing.
    Row,
    /// Skiing of any kind.
    Ski,
    /// Strength training.
    Strength,
    /// Yoga, pilates, mobility.
    Yoga,
    /// Anything else.
    Other,
}

impl Sport {
    /// Every sport, in declaration order.
    pub const ALL: [Sport; 10] = [
        Sport::Run,
        Sport::Ride,
        Sport::Swim,
        Sport::Walk,
        Sport::Hike,
        Sport::Row,
        Sport::Ski,
        Sport::Strength,
        Sport::Yoga,
        Sport::Other,
    ];

    /// The snake_case name used in JSON and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sport::Run => "run",
            Sport::Ride => "ride",
            Sport::Swim => "swim",
            Sport::Walk => "walk",
            Sport::Hike => "hike",
            Sport::Row => "row",
            Sport::Ski => "ski",
            Sport::Strength => "strength",
            Sport::Yoga => "yoga",
            Sport::Other => "other",
        }
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Sport {
    type Err = Error;

    /// Accepts the names above, case-insensitively, plus common synonyms (`running`, `cycling`, `bike`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let lower = s.trim().to_ascii_lowercase();
        let sport = match lower.as_str() {
            "run" | "running" | "trail_running" | "treadmill_running" => Sport::Run,
            "ride" | "cycling" | "bike" | "biking" | "virtual_ride" | "indoor_cycling" => {
                Sport::Ride
            }
            "swim" | "swimming" | "lap_swimming" | "open_water_swimming" => Sport::Swim,
            "walk" | "walking" => Sport::Walk,
            "hike" | "hiking" => Sport::Hike,
            "row" | "rowing" => Sport::Row,
            "ski" | "skiing" | "cross_country_skiing" | "alpine_skiing" => Sport::Ski,
            "strength" | "strength_training" | "weights" => Sport::Strength,
            "yoga" | "pilates" | "mobility" => Sport::Yoga,
            "other" => Sport::Other,
            _ => {
                return Err(Error::invalid(
                    "sport",
                    format!("'{s}' is not a known sport"),
                ));
            }
        };
        Ok(sport)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Sport::ALL {
            assert_eq!(s.as_str().parse::<Sport>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!("Cycling".parse::<Sport>().unwrap(), Sport::Ride);
        assert!("quidditch".parse::<Sport>().is_err());
    }
}
