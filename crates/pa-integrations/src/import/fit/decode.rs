//! A lean FIT decoder for the messages pa reads: `file_id` (0), `session` (18), `lap` (19),
//! `record` (20) and `device_info` (23).
//!
//! FIT (Garmin's Flexible and Interoperable Data Transfer protocol) is a header, a stream of
//! definition and data messages, and a CRC-16 (the ARC polynomial, through the `crc` crate); files
//! may be chained back to back. A definition says, for one of 16 local message numbers, which
//! global message follows and the number, size and base type of each field; data messages then
//! carry just the bytes. This decoder follows the definitions for every message (it must, to find
//! the next one) but builds values only for the fields of sessions and records that pa keeps, with
//! the profile's scale and offset, so that it does a small fraction of the work of a general
//! decoder (fitparser builds every field of every message by name).
//!
//! Rules, as in the FIT SDK: a field holding its base type's invalid value (`0xFF…`, `0x7F…`, 0
//! for the `z` types) is absent; a field whose size is not a whole number of its base type's size
//! (COROS writes some) is absent; of an array field the first element is read; compressed
//! timestamp headers add a 5-bit offset to the last full timestamp, rolling over. A wrong CRC, a
//! data size beyond the file, a data message for an undefined local number or a message cut
//! short is an error: the file is refused whole.

use chrono::{DateTime, Utc};

/// Seconds from the Unix epoch to the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH: i64 = 631_065_600;

const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_ARC);

/// Why a file cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError(pub(crate) String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

fn fail<T>(why: impl Into<String>) -> Result<T> {
    Err(DecodeError(why.into()))
}

/// A `session` or `lap` message: the totals pa reads (`sport` and `normalized_power` only in
/// sessions).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Totals {
    pub(crate) start_time: Option<DateTime<Utc>>,
    /// The `sport` enum value.
    pub(crate) sport: Option<u8>,
    pub(crate) total_elapsed_time: Option<f64>,
    pub(crate) total_timer_time: Option<f64>,
    pub(crate) total_distance: Option<f64>,
    pub(crate) total_calories: Option<f64>,
    pub(crate) avg_heart_rate: Option<f64>,
    pub(crate) max_heart_rate: Option<f64>,
    pub(crate) avg_power: Option<f64>,
    pub(crate) total_ascent: Option<f64>,
    pub(crate) normalized_power: Option<f64>,
}

impl Totals {
    /// Sets the field numbered `num` in message `kind` (18 session, 19 lap: the profile numbers
    /// the same totals differently in the two).
    fn set(&mut self, kind: u16, num: u8, v: f64) {
        let lap = kind == 19;
        match (num, lap) {
            (2, _) => self.start_time = timestamp(v),
            (5, false) => self.sport = Some(v as u8),
            (7, _) => self.total_elapsed_time = Some(v / 1000.0),
            (8, _) => self.total_timer_time = Some(v / 1000.0),
            (9, _) => self.total_distance = Some(v / 100.0),
            (11, _) => self.total_calories = Some(v),
            (15, true) | (16, false) => self.avg_heart_rate = Some(v),
            (16, true) | (17, false) => self.max_heart_rate = Some(v),
            (19, true) | (20, false) => self.avg_power = Some(v),
            (21, true) | (22, false) => self.total_ascent = Some(v),
            (34, false) => self.normalized_power = Some(v),
            _ => {}
        }
    }
}

/// The device that recorded the file: `file_id`'s manufacturer and product, and the creator's
/// `device_info` product name when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Device {
    pub(crate) manufacturer: Option<u16>,
    pub(crate) product: Option<u16>,
    pub(crate) product_name: Option<String>,
}

/// A `record` message: the fields pa reads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Record {
    pub(crate) timestamp: Option<DateTime<Utc>>,
    /// Semicircles.
    pub(crate) position_lat: Option<f64>,
    /// Semicircles.
    pub(crate) position_long: Option<f64>,
    /// `enhanced_altitude`, else `altitude`, in metres.
    pub(crate) altitude: Option<f64>,
    pub(crate) heart_rate: Option<f64>,
    pub(crate) cadence: Option<f64>,
    pub(crate) power: Option<f64>,
    /// `enhanced_speed`, else `speed`, in m/s.
    pub(crate) speed: Option<f64>,
    /// °C.
    pub(crate) temperature: Option<f64>,
}

/// What a file holds, in file order.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub(crate) sessions: Vec<Totals>,
    pub(crate) laps: Vec<Totals>,
    pub(crate) records: Vec<Record>,
    pub(crate) device: Device,
}

/// One field of a definition.
#[derive(Debug, Clone, Copy)]
struct FieldDef {
    num: u8,
    size: u8,
    base: u8,
}

/// A definition: the global message and its fields.
#[derive(Debug, Clone, Default)]
struct Definition {
    global: u16,
    big_endian: bool,
    fields: Vec<FieldDef>,
    /// Bytes of a data message, developer fields included.
    size: usize,
}

/// Decodes every file in `bytes` (chained files one after another).
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded> {
    let mut out = Decoded::default();
    let mut at = 0;
    while at < bytes.len() {
        at = decode_one(bytes, at, &mut out)?;
        // Some writers pad a file with zeros after its CRC.
        if bytes[at..].iter().all(|b| *b == 0) {
            break;
        }
    }
    Ok(out)
}

/// Decodes the file that starts at `start`; returns where the next one would start.
fn decode_one(bytes: &[u8], start: usize, out: &mut Decoded) -> Result<usize> {
    let rest = &bytes[start..];
    let Some(&header_size) = rest.first() else {
        return fail("empty");
    };
    if !matches!(header_size, 12 | 14) || rest.len() < usize::from(header_size) {
        return fail(format!("a FIT header is 12 or 14 bytes, not {header_size}"));
    }
    if &rest[8..12] != b".FIT" {
        return fail("no \".FIT\" signature");
    }
    let data_size = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
    let h = usize::from(header_size);
    let end = h
        .checked_add(data_size)
        .filter(|e| {
            e.checked_add(2)
                .is_some_and(|with_crc| with_crc <= rest.len())
        })
        .ok_or_else(|| {
            DecodeError(format!(
                "the header declares {data_size} bytes of data, but the file ends before them \
                 (truncated?)"
            ))
        })?;
    if header_size == 14 {
        let stated = u16::from_le_bytes([rest[12], rest[13]]);
        if stated != 0 && stated != CRC.checksum(&rest[..12]) {
            return fail("the header's CRC is wrong (damaged file)");
        }
    }
    let stated = u16::from_le_bytes([rest[end], rest[end + 1]]);
    if stated != CRC.checksum(&rest[..end]) {
        return fail("the file's CRC is wrong (damaged file)");
    }
    messages(&rest[h..end], out)?;
    Ok(start + end + 2)
}

fn messages(data: &[u8], out: &mut Decoded) -> Result<()> {
    let mut defs: [Option<Definition>; 16] = Default::default();
    let mut last_timestamp: Option<u32> = None;
    let mut at = 0;
    while at < data.len() {
        let header = data[at];
        at += 1;
        if header & 0x80 != 0 {
            // Compressed timestamp header: a data message with a 5-bit time offset.
            let local = usize::from((header >> 5) & 0x03);
            let offset = u32::from(header & 0x1F);
            let ts = last_timestamp.map(|last| {
                let mut t = (last & !0x1F) + offset;
                if offset < (last & 0x1F) {
                    t += 0x20;
                }
                t
            });
            if let Some(t) = ts {
                last_timestamp = Some(t);
            }
            at = data_message(data, at, defs[local].as_ref(), ts, &mut last_timestamp, out)?;
        } else if header & 0x40 != 0 {
            let local = usize::from(header & 0x0F);
            let developer = header & 0x20 != 0;
            let (def, next) = definition(data, at, developer)?;
            // Room for as many records as the rest could hold (at most 2^20), reserved once:
            // growing by doubling would copy them and touch fresh memory each time. Pages never
            // written cost nothing, and a reservation refused is only a lost shortcut.
            if def.global == 20 && out.records.capacity() == 0 {
                let room = data.len().saturating_sub(next) / (def.size + 1);
                let _ = out.records.try_reserve(room.min(1 << 20));
            }
            defs[local] = Some(def);
            at = next;
        } else {
            let local = usize::from(header & 0x0F);
            at = data_message(
                data,
                at,
                defs[local].as_ref(),
                None,
                &mut last_timestamp,
                out,
            )?;
        }
    }
    Ok(())
}

fn take(data: &[u8], at: usize, n: usize) -> Result<&[u8]> {
    data.get(at..at.saturating_add(n))
        .ok_or_else(|| DecodeError("a message is cut short (truncated or damaged file)".into()))
}

fn definition(data: &[u8], at: usize, developer: bool) -> Result<(Definition, usize)> {
    let head = take(data, at, 5)?;
    let big_endian = head[1] == 1;
    let global = if big_endian {
        u16::from_be_bytes([head[2], head[3]])
    } else {
        u16::from_le_bytes([head[2], head[3]])
    };
    let n = usize::from(head[4]);
    let raw = take(data, at + 5, n * 3)?;
    let fields: Vec<FieldDef> = raw
        .chunks_exact(3)
        .map(|f| FieldDef {
            num: f[0],
            size: f[1],
            base: f[2],
        })
        .collect();
    let mut size: usize = fields.iter().map(|f| usize::from(f.size)).sum();
    let mut next = at + 5 + n * 3;
    if developer {
        let count = usize::from(take(data, next, 1)?[0]);
        let dev = take(data, next + 1, count * 3)?;
        size += dev
            .chunks_exact(3)
            .map(|f| usize::from(f[1]))
            .sum::<usize>();
        next += 1 + count * 3;
    }
    Ok((
        Definition {
            global,
            big_endian,
            fields,
            size,
        },
        next,
    ))
}

/// A field's first value as an unsigned or signed integer, or `None` when invalid.
fn integer(bytes: &[u8], base: u8, big_endian: bool) -> Option<f64> {
    macro_rules! read {
        ($t:ty, $n:expr) => {{
            let mut b = [0u8; $n];
            b.copy_from_slice(bytes.get(..$n)?);
            if big_endian {
                <$t>::from_be_bytes(b)
            } else {
                <$t>::from_le_bytes(b)
            }
        }};
    }
    // Base type numbers (the low five bits name the type) and their invalid values.
    match base & 0x1F {
        0x00 | 0x02 | 0x0D => Some(bytes[0]).filter(|v| *v != 0xFF).map(f64::from),
        0x01 => Some(i8::from_le_bytes([bytes[0]]))
            .filter(|v| *v != 0x7F)
            .map(f64::from),
        0x0A => Some(bytes[0]).filter(|v| *v != 0).map(f64::from),
        0x03 => Some(read!(i16, 2)).filter(|v| *v != 0x7FFF).map(f64::from),
        0x04 => Some(read!(u16, 2)).filter(|v| *v != 0xFFFF).map(f64::from),
        0x0B => Some(read!(u16, 2)).filter(|v| *v != 0).map(f64::from),
        0x05 => Some(read!(i32, 4))
            .filter(|v| *v != 0x7FFF_FFFF)
            .map(f64::from),
        0x06 => Some(read!(u32, 4))
            .filter(|v| *v != 0xFFFF_FFFF)
            .map(f64::from),
        0x0C => Some(read!(u32, 4)).filter(|v| *v != 0).map(f64::from),
        0x08 => Some(read!(f32, 4)).filter(|v| v.is_finite()).map(f64::from),
        0x09 => Some(read!(f64, 8)).filter(|v| v.is_finite()),
        _ => None,
    }
}

/// The size in bytes of one value of a base type.
fn base_size(base: u8) -> usize {
    match base & 0x1F {
        0x03 | 0x04 | 0x0B => 2,
        0x05 | 0x06 | 0x0C | 0x08 => 4,
        0x09 | 0x0E | 0x0F | 0x10 => 8,
        _ => 1,
    }
}

fn timestamp(seconds: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(FIT_EPOCH + seconds as i64, 0)
}

fn data_message(
    data: &[u8],
    at: usize,
    def: Option<&Definition>,
    compressed_ts: Option<u32>,
    last_timestamp: &mut Option<u32>,
    out: &mut Decoded,
) -> Result<usize> {
    let Some(def) = def else {
        return fail("a data message for a local message number never defined (damaged file)");
    };
    let body = take(data, at, def.size)?;
    let kind = def.global;
    if !matches!(kind, 0 | 18 | 19 | 20 | 23) {
        // Other messages still carry the timestamp compressed headers count from.
        if let Some(t) = field_value(body, def, 253) {
            *last_timestamp = Some(t as u32);
        }
        return Ok(at + def.size);
    }
    let mut totals = Totals::default();
    let mut record = Record::default();
    let (mut device_index, mut product_name) = (None, None);
    let (mut altitude, mut enhanced_altitude, mut speed, mut enhanced_speed) =
        (None, None, None, None);
    let mut pos = 0;
    for f in &def.fields {
        let size = usize::from(f.size);
        let bytes = &body[pos..pos + size];
        pos += size;
        // device_info's product_name: a string (base type 7), NUL-terminated.
        if kind == 23 && f.num == 27 && f.base & 0x1F == 0x07 {
            let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
            let name = String::from_utf8_lossy(&bytes[..end]).trim().to_owned();
            product_name = Some(name).filter(|n| !n.is_empty());
            continue;
        }
        // A field whose size is not a whole number of values is unreadable (COROS writes some).
        let unit = base_size(f.base);
        if size < unit || size % unit != 0 {
            continue;
        }
        let Some(v) = integer(bytes, f.base, def.big_endian) else {
            continue;
        };
        if f.num == 253 {
            *last_timestamp = Some(v as u32);
        }
        if kind == 0 {
            match f.num {
                1 => out.device.manufacturer = Some(v as u16),
                2 => out.device.product = Some(v as u16),
                _ => {}
            }
        } else if kind == 23 {
            if f.num == 0 {
                device_index = Some(v as u8);
            }
        } else if kind == 18 || kind == 19 {
            totals.set(kind, f.num, v);
        } else if kind == 20 {
            match f.num {
                253 => record.timestamp = timestamp(v),
                0 => record.position_lat = Some(v),
                1 => record.position_long = Some(v),
                2 => altitude = Some(v / 5.0 - 500.0),
                3 => record.heart_rate = Some(v),
                4 => record.cadence = Some(v),
                6 => speed = Some(v / 1000.0),
                7 => record.power = Some(v),
                13 => record.temperature = Some(v),
                73 => enhanced_speed = Some(v / 1000.0),
                78 => enhanced_altitude = Some(v / 5.0 - 500.0),
                _ => {}
            }
        }
    }
    if kind == 20 {
        if record.timestamp.is_none() {
            record.timestamp = compressed_ts.and_then(|t| timestamp(f64::from(t)));
        }
        record.altitude = enhanced_altitude.or(altitude);
        record.speed = enhanced_speed.or(speed);
        out.records.push(record);
    } else if kind == 18 {
        out.sessions.push(totals);
    } else if kind == 19 {
        out.laps.push(totals);
    } else if kind == 23 && device_index == Some(0) && product_name.is_some() {
        // Device index 0 is the creator: the device that wrote the file.
        out.device.product_name = product_name;
    }
    Ok(at + def.size)
}

/// The value of field `num` in a data message, when it is a readable integer.
fn field_value(body: &[u8], def: &Definition, num: u8) -> Option<f64> {
    let mut pos = 0;
    for f in &def.fields {
        let size = usize::from(f.size);
        if f.num == num {
            let unit = base_size(f.base);
            if size < unit || size % unit != 0 {
                return None;
            }
            return integer(body.get(pos..pos + size)?, f.base, def.big_endian);
        }
        pos += size;
    }
    None
}

/// The name the FIT profile gives a manufacturer, for the common ones; others by number.
pub(crate) fn manufacturer_name(value: u16) -> String {
    let name = match value {
        1 => "garmin",
        13 | 15 => "dynastream",
        23 => "suunto",
        32 => "wahoo_fitness",
        38 => "bryton",
        41 => "shimano",
        67 => "srm",
        69 => "stages_cycling",
        70 => "sigmasport",
        89 => "tacx",
        123 => "polar",
        255 => "development",
        260 => "zwift",
        263 => "hammerhead",
        265 => "strava",
        294 => "coros",
        _ => return format!("manufacturer {value}"),
    };
    name.to_owned()
}

/// The name the FIT profile gives a `sport` value.
pub(crate) fn sport_name(value: u8) -> String {
    const NAMES: [&str; 20] = [
        "generic",
        "running",
        "cycling",
        "transition",
        "fitness_equipment",
        "swimming",
        "basketball",
        "soccer",
        "tennis",
        "american_football",
        "training",
        "walking",
        "cross_country_skiing",
        "alpine_skiing",
        "snowboarding",
        "rowing",
        "mountaineering",
        "hiking",
        "multisport",
        "paddling",
    ];
    NAMES
        .get(usize::from(value))
        .map_or_else(|| value.to_string(), |n| (*n).to_owned())
}
