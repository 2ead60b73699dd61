//! `pa export`, `pa import-jsonl`, `pa backup`: the store from the command line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow};
use clap::Args;
use pa_core::ids::UserId;
use pa_integrations::storage::sqlite::Store;
use pa_integrations::storage::transfer::{export_jsonl, import_jsonl};

use crate::{Context, StoreArgs};

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE.jsonl")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// A file written by `pa export`.
    file: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    /// The new file (must not exist).
    out: PathBuf,
}

/// Opens the store, creating it and its directory on first use.
pub(crate) fn open(args: &StoreArgs) -> Result<Store> {
    let path = match &args.db {
        Some(p) => p.clone(),
        None => dirs::data_dir()
            .ok_or_else(|| anyhow!("no data directory on this system: pass --db"))?
            .join("pa")
            .join("pa.db"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    Ok(Store::open(&path)?)
}

pub(crate) fn user(
    store: &Store,
    args: &StoreArgs,
) -> Result<pa_integrations::storage::sqlite::UserHandle> {
    let id = UserId::new(&args.user)?;
    store.create_user(&id)?;
    Ok(store.user(&id)?)
}

pub(crate) fn export(args: ExportArgs, store_args: &StoreArgs) -> Result<()> {
    let store = open(store_args)?;
    let handle = user(&store, store_args)?;
    match &args.out {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|source| pa_integrations::Error::Io {
                    path: path.clone(),
                    source,
                })?;
            let mut w = std::io::BufWriter::new(file);
            export_jsonl(&handle, &mut w, &[])?;
            w.flush()?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            export_jsonl(&handle, &mut out, &[])?;
        }
    }
    Ok(())
}

pub(crate) fn import(args: ImportArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let file = std::fs::File::open(&args.file).map_err(|source| pa_integrations::Error::Io {
        path: args.file.clone(),
        source,
    })?;
    let store = open(store_args)?;
    let handle = user(&store, store_args)?;
    let report = import_jsonl(
        &handle,
        std::io::BufReader::new(file),
        &args.file.display().to_string(),
    )?;
    if !ctx.quiet {
        println!(
            "{} added, {} updated, {} unchanged",
            report.added, report.updated, report.unchanged
        );
    }
    Ok(())
}

pub(crate) fn backup(args: BackupArgs, store_args: &StoreArgs, ctx: Context) -> Result<()> {
    let store = open(store_args)?;
    store.backup_to(&args.out)?;
    if !ctx.quiet {
        eprintln!("backed up to {}", args.out.display());
    }
    Ok(())
}
