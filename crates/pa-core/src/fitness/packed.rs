//! An activity's streams packed as bytes, for stores to keep beside the activity's JSON: a 1 MB
//! FIT file's streams are 2.1 MB of JSON numbers, slow to write, read and hash, where their
//! bytes are each value's eight, copied. Exact by construction (every float by its bits).
//!
//! Layout (all little-endian): a version byte (1); the number of samples `n` (u64); a byte
//! whose bit `i` says channel `i` of [`CHANNELS`] is present, bit 6 the position; `n` times
//! (f64); then for each present channel in order, a presence bitmap of `⌈n/8⌉` bytes (bit `j`
//! of byte `j/8`: sample `j` has a value) followed by `n` values (f64, 0 where missing), the
//! position's as `n` (latitude, longitude) pairs.

use super::{LatLon, Streams};
use crate::error::{Error, Result};

const VERSION: u8 = 1;

/// A number channel: its field, read and written.
type Channel = (
    fn(&Streams) -> Option<&Vec<Option<f64>>>,
    fn(&mut Streams) -> &mut Option<Vec<Option<f64>>>,
);

/// The number channels, in their bit order.
const CHANNELS: [Channel; 6] = [
    (|s| s.heart_rate.as_ref(), |s| &mut s.heart_rate),
    (|s| s.power.as_ref(), |s| &mut s.power),
    (|s| s.speed.as_ref(), |s| &mut s.speed),
    (|s| s.cadence.as_ref(), |s| &mut s.cadence),
    (|s| s.altitude.as_ref(), |s| &mut s.altitude),
    (|s| s.temperature.as_ref(), |s| &mut s.temperature),
];

/// The position's bit.
const POSITION: u8 = 1 << CHANNELS.len();

impl Streams {
    /// The streams packed as bytes (the module's layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.len();
        let present = |values: &mut dyn Iterator<Item = bool>, out: &mut Vec<u8>| {
            let mut bits = vec![0u8; n.div_ceil(8)];
            for (j, has) in values.enumerate() {
                bits[j / 8] |= u8::from(has) << (j % 8);
            }
            out.extend_from_slice(&bits);
        };
        let mut mask = 0u8;
        let mut size = 10 + 8 * n;
        for (i, (get, _)) in CHANNELS.iter().enumerate() {
            if get(self).is_some() {
                mask |= 1 << i;
                size += n.div_ceil(8) + 8 * n;
            }
        }
        if self.position.is_some() {
            mask |= POSITION;
            size += n.div_ceil(8) + 16 * n;
        }
        let mut out = Vec::with_capacity(size);
        out.push(VERSION);
        out.extend_from_slice(&(n as u64).to_le_bytes());
        out.push(mask);
        for t in &self.time_s {
            out.extend_from_slice(&t.to_le_bytes());
        }
        for (get, _) in &CHANNELS {
            if let Some(values) = get(self) {
                present(&mut values.iter().map(Option::is_some), &mut out);
                for v in values {
                    out.extend_from_slice(&v.unwrap_or(0.0).to_le_bytes());
                }
            }
        }
        if let Some(points) = &self.position {
            present(&mut points.iter().map(Option::is_some), &mut out);
            for p in points {
                let p = p.unwrap_or(LatLon { lat: 0.0, lon: 0.0 });
                out.extend_from_slice(&p.lat.to_le_bytes());
                out.extend_from_slice(&p.lon.to_le_bytes());
            }
        }
        out
    }

    /// Streams from [`Streams::to_bytes`]'s bytes; anything else (another version, a cut or
    /// padded buffer) is an error naming what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Streams> {
        let bad = |why: String| Error::invalid("stored streams", why);
        let mut r = Reader { bytes, at: 0 };
        let version = r.take(1).map_err(&bad)?[0];
        if version != VERSION {
            return Err(bad(format!("version {version} is not known (1 is)")));
        }
        let n = u64::from_le_bytes(r.array().map_err(&bad)?);
        let n = usize::try_from(n)
            .ok()
            .filter(|n| n.checked_mul(8).is_some_and(|b| b <= bytes.len()))
            .ok_or_else(|| bad(format!("{n} samples cannot fit in {} bytes", bytes.len())))?;
        let mask = r.take(1).map_err(&bad)?[0];
        if mask & !(POSITION | (POSITION - 1)) != 0 {
            return Err(bad(format!(
                "channel bits {mask:#010b} name unknown channels"
            )));
        }
        let mut s = Streams {
            time_s: r.f64s(n).map_err(&bad)?,
            ..Streams::default()
        };
        for (i, (_, set)) in CHANNELS.iter().enumerate() {
            if mask & (1 << i) != 0 {
                let has = r.take(n.div_ceil(8)).map_err(&bad)?;
                let values = r.f64s(n).map_err(&bad)?;
                *set(&mut s) = Some(
                    values
                        .into_iter()
                        .enumerate()
                        .map(|(j, v)| (has[j / 8] >> (j % 8) & 1 == 1).then_some(v))
                        .collect(),
                );
            }
        }
        if mask & POSITION != 0 {
            let has = r.take(n.div_ceil(8)).map_err(&bad)?;
            let pairs = r.f64s(2 * n).map_err(&bad)?;
            s.position = Some(
                pairs
                    .chunks_exact(2)
                    .enumerate()
                    .map(|(j, p)| {
                        (has[j / 8] >> (j % 8) & 1 == 1).then_some(LatLon {
                            lat: p[0],
                            lon: p[1],
                        })
                    })
                    .collect(),
            );
        }
        if r.at != bytes.len() {
            return Err(bad(format!(
                "{} bytes follow the last channel",
                bytes.len() - r.at
            )));
        }
        Ok(s)
    }
}

/// Reads a buffer front to back.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> std::result::Result<&'a [u8], String> {
        let part = self
            .at
            .checked_add(len)
            .and_then(|end| self.bytes.get(self.at..end))
            .ok_or_else(|| {
                format!(
                    "cut short: {len} bytes wanted at byte {} of {}",
                    self.at,
                    self.bytes.len()
                )
            })?;
        self.at += len;
        Ok(part)
    }

    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn f64s(&mut self, n: usize) -> std::result::Result<Vec<f64>, String> {
        let len = n
            .checked_mul(8)
            .ok_or_else(|| format!("{n} values are too many"))?;
        Ok(self
            .take(len)?
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Streams {
        Streams {
            time_s: vec![0.0, 1.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            heart_rate: Some(vec![
                Some(120.0),
                None,
                Some(0.1 + 0.2),
                None,
                None,
                None,
                None,
                None,
                Some(-0.0),
            ]),
            power: None,
            speed: Some(vec![Some(f64::MIN_POSITIVE); 9]),
            cadence: None,
            altitude: Some(vec![None; 9]),
            position: Some(vec![
                Some(LatLon {
                    lat: 52.5,
                    lon: 13.4,
                }),
                None,
                Some(LatLon {
                    lat: -90.0,
                    lon: 180.0,
                }),
                None,
                None,
                None,
                None,
                None,
                Some(LatLon {
                    lat: 1e-300,
                    lon: -1e-300,
                }),
            ]),
            temperature: Some(vec![Some(21.0); 9]),
        }
    }

    fn bits(s: &Streams) -> String {
        // Debug of floats shows every bit that matters; -0.0 and 0.0 differ in it.
        format!("{s:?}")
    }

    #[test]
    fn streams_come_back_bit_for_bit() {
        for s in [
            sample(),
            Streams::default(),
            Streams {
                time_s: vec![0.0],
                ..Streams::default()
            },
        ] {
            let back = Streams::from_bytes(&s.to_bytes()).unwrap();
            assert_eq!(back, s);
            assert_eq!(bits(&back), bits(&s));
        }
        let s = sample();
        let hr = Streams::from_bytes(&s.to_bytes())
            .unwrap()
            .heart_rate
            .unwrap();
        assert_eq!(hr[8].unwrap().to_bits(), (-0.0f64).to_bits());
        assert_eq!(hr[2].unwrap().to_bits(), (0.1f64 + 0.2).to_bits());
        // 9 samples: header 10, times 72, four number channels of 2 + 72, position 2 + 144.
        assert_eq!(s.to_bytes().len(), 10 + 72 + 4 * 74 + 146);
    }

    #[test]
    fn damaged_bytes_are_errors() {
        let good = sample().to_bytes();
        let err = |bytes: &[u8]| Streams::from_bytes(bytes).unwrap_err();
        assert_eq!(
            err(&good[..good.len() - 1]),
            Error::invalid(
                "stored streams",
                format!(
                    "cut short: 144 bytes wanted at byte {} of {}",
                    good.len() - 144,
                    good.len() - 1
                )
            )
        );
        let mut longer = good.clone();
        longer.push(0);
        assert_eq!(
            err(&longer),
            Error::invalid("stored streams", "1 bytes follow the last channel")
        );
        let mut version = good.clone();
        version[0] = 2;
        assert_eq!(
            err(&version),
            Error::invalid("stored streams", "version 2 is not known (1 is)")
        );
        let mut huge = good.clone();
        huge[1..9].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(
            err(&huge),
            Error::invalid(
                "stored streams",
                format!(
                    "18446744073709551615 samples cannot fit in {} bytes",
                    good.len()
                )
            )
        );
        let mut unknown = good.clone();
        unknown[9] |= 0x80;
        assert_eq!(
            err(&unknown),
            Error::invalid(
                "stored streams",
                "channel bits 0b11110101 name unknown channels"
            )
        );
        assert_eq!(
            err(&[]),
            Error::invalid("stored streams", "cut short: 1 bytes wanted at byte 0 of 0")
        );
    }
}
