//! Configuration: a TOML file, the environment, a `.env` file, and the command line.
//!
//! Precedence, highest first: a flag on the command line; an environment variable (a `.env` file
//! in the current directory fills in variables that are not already set, never overriding one);
//! the config file (`$XDG_CONFIG_HOME/pa/config.toml` or the platform's config directory, or
//! `PA_CONFIG`); the built-in default. The config file holds settings, never secrets: service
//! tokens and passwords come from the environment (or `.env`), and a secret-looking key in the
//! file is refused. `pa config show` prints the effective settings and where each came from, and
//! for each credential only whether it is set.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use crate::output::Format;

/// The config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The store file.
    pub(crate) db: Option<PathBuf>,
    /// Whose data.
    pub(crate) user: Option<String>,
    /// The IANA zone days and times are shown in.
    pub(crate) zone: Option<String>,
    /// The athlete's thresholds, for scores on import.
    #[serde(default)]
    pub(crate) athlete: Athlete,
    /// Service settings (not secrets), by service.
    #[serde(default)]
    pub(crate) services: std::collections::BTreeMap<String, toml::Table>,
}

/// `[athlete]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Athlete {
    pub(crate) ftp: Option<f64>,
    pub(crate) hr_rest: Option<f64>,
    pub(crate) hr_max: Option<f64>,
    pub(crate) lthr: Option<f64>,
    pub(crate) sex: Option<String>,
}

/// A setting: its name, the flag it defaults, the environment variable that sets it.
struct Setting {
    key: &'static str,
    arg: &'static str,
    env: &'static str,
}

const SETTINGS: [Setting; 12] = [
    Setting {
        key: "db",
        arg: "db",
        env: "PA_DB",
    },
    Setting {
        key: "user",
        arg: "user",
        env: "PA_USER",
    },
    Setting {
        key: "zone",
        arg: "tz",
        env: "PA_ZONE",
    },
    Setting {
        key: "athlete.ftp",
        arg: "ftp",
        env: "PA_FTP",
    },
    Setting {
        key: "athlete.hr_rest",
        arg: "hr_rest",
        env: "PA_HR_REST",
    },
    Setting {
        key: "athlete.hr_max",
        arg: "hr_max",
        env: "PA_HR_MAX",
    },
    Setting {
        key: "athlete.lthr",
        arg: "lthr",
        env: "PA_LTHR",
    },
    Setting {
        key: "athlete.sex",
        arg: "sex",
        env: "PA_SEX",
    },
    Setting {
        key: "services.google.calendar_url",
        arg: "google_url",
        env: "PA_GOOGLE_CALENDAR_URL",
    },
    Setting {
        key: "services.google.token_url",
        arg: "google_token_url",
        env: "PA_GOOGLE_TOKEN_URL",
    },
    Setting {
        key: "services.airtable.url",
        arg: "airtable_url",
        env: "PA_AIRTABLE_URL",
    },
    Setting {
        key: "services.airtable.base_id",
        arg: "base",
        env: "AIRTABLE_BASE_ID",
    },
];

/// The services pa will sync with, and the environment variables that carry their settings and
/// secrets (the seed systems' names, so existing `.env` files work).
const SERVICES: [(&str, &[(&str, bool)]); 5] = [
    (
        "airtable",
        &[("AIRTABLE_ACCESS_TOKEN", true), ("AIRTABLE_BASE_ID", false)],
    ),
    (
        "google",
        &[
            ("GOOGLE_CLIENT_SECRET_FILE", false),
            ("GOOGLE_CALENDAR_ID", false),
        ],
    ),
    (
        "garmin",
        &[("GARMIN_EMAIL", false), ("GARMIN_PASSWORD", true)],
    ),
    (
        "plaid",
        &[
            ("PLAID_CLIENT_ID", false),
            ("PLAID_SECRET", true),
            ("PLAID_ENV", false),
        ],
    ),
    ("anthropic", &[("ANTHROPIC_API_KEY", true)]),
];

/// Where the config file is: `PA_CONFIG`, else the platform's config directory.
pub(crate) fn path() -> Option<PathBuf> {
    match std::env::var_os("PA_CONFIG") {
        Some(p) => Some(PathBuf::from(p)),
        None => dirs::config_dir().map(|d| d.join("pa").join("config.toml")),
    }
}

/// Reads the config file; an absent file is an empty config. A secret-looking key anywhere in it
/// is refused, naming the key only; no error shows a value from the file.
pub(crate) fn load(path: Option<&Path>) -> Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let file = path.display().to_string();
    let table: toml::Table = toml::from_str(&text).map_err(|e| invalid(&file, &text, &e))?;
    if let Some(key) = secret_key(&table, "") {
        return Err(pa_core::Error::invalid(
            file,
            format!(
                "{key}: secrets do not belong in the config file; set them in the environment \
                 or a .env file"
            ),
        )
        .into());
    }
    let config = Config::deserialize(table).map_err(|e| invalid(&file, &text, &e))?;
    Ok(config)
}

/// The first secret-looking key in `table`, at any depth, as a dotted path.
fn secret_key(table: &toml::Table, prefix: &str) -> Option<String> {
    table.iter().find_map(|(k, v)| {
        let key = format!("{prefix}{k}");
        if secret_like(k) {
            return Some(key);
        }
        match v {
            toml::Value::Table(t) => secret_key(t, &format!("{key}.")),
            _ => None,
        }
    })
}

/// A config file error that names the file and line but never echoes the file's text: the
/// parser's message without its snippet, with anything quoted in it and every value written in
/// the file taken out (a secret put where a setting belongs must not reach the terminal).
fn invalid(file: &str, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let mut message = scrub_quoted(e.message());
    for line in text.lines() {
        if let Some((_, value)) = line.split_once('=') {
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            if value.len() >= 3 && message.contains(value) {
                message = message.replace(value, "…");
            }
        }
    }
    let at = e
        .span()
        .and_then(|s| text.get(..s.start))
        .map(|before| format!(", line {}", before.matches('\n').count() + 1))
        .unwrap_or_default();
    pa_core::Error::invalid(format!("{file}{at}"), message.trim().to_owned()).into()
}

/// `message` with the contents of every `"…"` replaced by an ellipsis (the parser quotes values
/// that way; key names stay in backticks).
fn scrub_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '"' {
            if inside {
                out.push('…');
            }
            inside = !inside;
            out.push(c);
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// The built-in default of a setting, as `pa` uses it.
fn built_in(key: &str) -> Option<String> {
    match key {
        "db" => dirs::data_dir().map(|d| d.join("pa").join("pa.db").display().to_string()),
        "user" => Some("me".into()),
        "zone" => Some("UTC".into()),
        "athlete.sex" => Some("male".into()),
        _ => None,
    }
}

fn secret_like(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "api_key", "apikey"]
        .iter()
        .any(|s| k.contains(s) && !k.ends_with("_file"))
}

impl Config {
    /// The config's value for a setting key, as text.
    fn value(&self, key: &str) -> Option<String> {
        let num = |v: Option<f64>| v.map(|v| v.to_string());
        match key {
            "db" => self.db.as_ref().map(|p| p.display().to_string()),
            "user" => self.user.clone(),
            "zone" => self.zone.clone(),
            "athlete.ftp" => num(self.athlete.ftp),
            "athlete.hr_rest" => num(self.athlete.hr_rest),
            "athlete.hr_max" => num(self.athlete.hr_max),
            "athlete.lthr" => num(self.athlete.lthr),
            "athlete.sex" => self.athlete.sex.clone(),
            // Service settings: `[services.NAME] key = "text"`.
            other => {
                let (service, field) = other.strip_prefix("services.")?.split_once('.')?;
                self.services
                    .get(service)?
                    .get(field)?
                    .as_str()
                    .map(str::to_owned)
            }
        }
    }

    /// `cmd` with the config's values as the defaults of the flags they set, in every
    /// subcommand that has them: a flag or an environment variable still wins.
    pub(crate) fn apply(&self, mut cmd: clap::Command) -> clap::Command {
        for s in &SETTINGS {
            if let Some(v) = self.value(s.key)
                && cmd.get_arguments().any(|a| a.get_id() == s.arg)
            {
                cmd = cmd.mut_arg(s.arg, |a| a.default_value(v));
            }
        }
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect();
        for name in names {
            cmd = cmd.mut_subcommand(name, |sub| self.apply(sub));
        }
        // `pa import --zone` is the same setting as `--tz`.
        if let Some(zone) = &self.zone
            && cmd.get_arguments().any(|a| a.get_id() == "zone")
        {
            cmd = cmd.mut_arg("zone", |a| a.default_value(zone.clone()));
        }
        cmd
    }
}

/// `pa config …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// The effective settings and where each comes from; credentials only as set or not.
    #[command(after_help = "Examples:
  pa config show
  PA_ZONE=Asia/Tokyo pa config show --format json")]
    Show(ShowArgs),
    /// The config file's path.
    #[command(after_help = "Example:
  $EDITOR \"$(pa config path)\"")]
    Path,
}

/// `pa config show`.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {}

#[derive(Debug, Serialize)]
struct Row {
    key: String,
    value: Option<String>,
    source: String,
}

pub(crate) fn run(cmd: ConfigCommand, config: &Config, format: Format) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match cmd {
        ConfigCommand::Path => {
            let p = path().ok_or_else(|| anyhow::anyhow!("no config directory on this system"))?;
            writeln!(out, "{}", p.display())?;
            Ok(())
        }
        ConfigCommand::Show(_) => {
            let mut rows = Vec::new();
            for s in &SETTINGS {
                let (value, source) = match std::env::var(s.env) {
                    Ok(v) => (Some(v), format!("environment {}", s.env)),
                    Err(_) => match config.value(s.key) {
                        Some(v) => (Some(v), "config file".to_owned()),
                        None => (built_in(s.key), "default".to_owned()),
                    },
                };
                rows.push(Row {
                    key: s.key.to_owned(),
                    value,
                    source,
                });
            }
            for (service, vars) in SERVICES {
                let table = config.services.get(service);
                for (var, secret) in vars {
                    let short = var
                        .split_once('_')
                        .map_or(var.to_ascii_lowercase(), |(_, r)| r.to_ascii_lowercase());
                    let key = format!("services.{service}.{short}");
                    let from_file = table.and_then(|t| t.get(&short)).map(|v| match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    let (value, source) = match (std::env::var(var), from_file) {
                        (Ok(v), _) => (
                            Some(if *secret {
                                "(set, not shown)".to_owned()
                            } else {
                                v
                            }),
                            format!("environment {var}"),
                        ),
                        (Err(_), Some(v)) => (Some(v), "config file".to_owned()),
                        (Err(_), None) => (None, "not set".to_owned()),
                    };
                    rows.push(Row { key, value, source });
                }
            }
            crate::output::write_rows(&mut out, format, &["key", "value", "source"], &rows, |r| {
                vec![
                    r.key.clone(),
                    r.value.clone().unwrap_or_else(|| "–".into()),
                    r.source.clone(),
                ]
            })
        }
    }
}
