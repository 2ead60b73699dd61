//! Files pa writes with personal data: exports, charts, backups.
//!
//! Every such file is readable by its owner only (0600) whatever the umask, is written whole to a
//! temporary file beside it and then renamed into place (a reader never sees half a file, a failed
//! write leaves nothing behind), never replaces an existing file unless asked to, and is never the
//! store itself: a path that names the store or one of its companion files (`-wal`, `-shm`,
//! `-journal`), through any spelling or link, is refused before anything is opened for writing.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The files SQLite keeps beside a database, by suffix of its name.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// Whether `candidate` names the store at `store` or one of its companion files: compared as
/// canonical paths (symbolic links and `..` resolved) and, for files that exist, as the same file
/// (so a hard link counts too).
pub fn is_store_file(store: &Path, candidate: &Path) -> bool {
    let wanted = canonical_target(candidate);
    COMPANIONS.iter().any(|suffix| {
        let mut name = store.as_os_str().to_owned();
        name.push(suffix);
        let companion = PathBuf::from(name);
        canonical_target(&companion) == wanted
            || same_file::is_same_file(&companion, candidate).unwrap_or(false)
    })
}

/// The folder a file at `path` is in (`.` for a bare name): where its temporary file goes.
pub(crate) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The canonical form of a path that may not exist yet: its directory canonicalised, then its
/// name (itself resolved when it is a link).
fn canonical_target(path: &Path) -> PathBuf {
    if let Ok(full) = path.canonicalize() {
        return full;
    }
    match (folder_of(path).canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}

/// How an output file treats an existing file at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse to write ([`Error::Output`]); the file is left as it is.
    Refuse,
    /// Replace it, atomically, once the new file is complete.
    Replace,
}

/// A private file being written; it appears at its path only on [`OutputFile::commit`].
#[derive(Debug)]
pub struct OutputFile {
    temp: std::io::BufWriter<tempfile::NamedTempFile>,
    dest: PathBuf,
    existing: Existing,
}

impl OutputFile {
    /// Starts writing `dest`, after checking it is not the store at `store` (nor its companion
    /// files) and, unless `existing` is [`Existing::Replace`], that nothing is there yet.
    pub fn create(dest: &Path, store: Option<&Path>, existing: Existing) -> Result<Self> {
        check_target(dest, store, existing)?;
        // tempfile creates with mode 0600 on Unix, whatever the umask.
        let temp = tempfile::Builder::new()
            .prefix(".pa-out-")
            .tempfile_in(folder_of(dest))
            .map_err(|e| cannot_write(dest, &e))?;
        Ok(Self {
            temp: std::io::BufWriter::new(temp),
            dest: dest.to_owned(),
            existing,
        })
    }

    /// Where the file is written until [`OutputFile::commit`], for writers that open it by name
    /// (SQLite's backup).
    pub(crate) fn temp_path(&self) -> &Path {
        self.temp.get_ref().path()
    }

    /// Flushes the file to disk and moves it into place. Dropped without this, nothing appears.
    pub fn commit(self) -> Result<()> {
        let io = |e: std::io::Error| cannot_write(&self.dest, &e);
        let temp = self.temp.into_inner().map_err(|e| io(e.into_error()))?;
        temp.as_file().sync_all().map_err(io)?;
        let persisted = match self.existing {
            Existing::Replace => temp.persist(&self.dest),
            Existing::Refuse => temp.persist_noclobber(&self.dest),
        };
        persisted.map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                exists(&self.dest)
            } else {
                cannot_write(&self.dest, &e.error)
            }
        })?;
        Ok(())
    }

    /// Writes `bytes` as the whole file at `dest` (see [`OutputFile::create`]).
    pub fn write_whole(
        dest: &Path,
        store: Option<&Path>,
        existing: Existing,
        bytes: &[u8],
    ) -> Result<()> {
        let mut file = Self::create(dest, store, existing)?;
        file.write_all(bytes).map_err(|e| cannot_write(dest, &e))?;
        file.commit()
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

/// Checks, before anything is opened, that `dest` may be written.
pub fn check_target(dest: &Path, store: Option<&Path>, existing: Existing) -> Result<()> {
    if let Some(store) = store
        && is_store_file(store, dest)
    {
        return Err(Error::Output {
            path: dest.to_owned(),
            reason: format!(
                "it is the store {} (or one of its files); choose another path",
                store.display()
            ),
        });
    }
    if dest.is_dir() {
        return Err(Error::Output {
            path: dest.to_owned(),
            reason: "it is a directory".into(),
        });
    }
    if existing == Existing::Refuse && std::fs::symlink_metadata(dest).is_ok() {
        return Err(exists(dest));
    }
    Ok(())
}

/// A failure to write `dest` (no such directory, no permission, a full disk), as
/// [`Error::Output`]: output that cannot be made, not input that cannot be read.
fn cannot_write(dest: &Path, e: &std::io::Error) -> Error {
    // The OS's words, without tempfile's mention of the temporary file (which hides the OS error
    // code, so its kind is said instead).
    use std::io::ErrorKind as K;
    let reason = match (e.raw_os_error(), e.kind()) {
        (Some(code), _) => std::io::Error::from_raw_os_error(code).to_string(),
        (None, K::NotFound) => "its folder does not exist".to_owned(),
        (None, K::PermissionDenied) => "permission denied".to_owned(),
        (None, K::StorageFull) => "no space left on the device".to_owned(),
        (None, K::ReadOnlyFilesystem) => "the file system is read-only".to_owned(),
        (None, kind) => kind.to_string(),
    };
    Error::Output {
        path: dest.to_owned(),
        reason,
    }
}

fn exists(dest: &Path) -> Error {
    Error::Output {
        path: dest.to_owned(),
        reason: "the file exists; use --force to replace it".into(),
    }
}

/// Creates `dir` and its missing parents readable by their owner only (0700), whatever the umask.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_store_and_its_files_are_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("z.db");
        std::fs::write(&store, b"precious").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let spellings = [
            store.clone(),
            dir.path().join("sub/../z.db"),
            dir.path().join("./z.db"),
            dir.path().join("z.db-wal"),
            dir.path().join("z.db-shm"),
        ];
        #[cfg(unix)]
        let spellings = {
            let mut s = spellings.to_vec();
            std::os::unix::fs::symlink(&store, dir.path().join("link.db")).unwrap();
            std::fs::hard_link(&store, dir.path().join("hard.db")).unwrap();
            s.push(dir.path().join("link.db"));
            s.push(dir.path().join("hard.db"));
            s
        };
        for p in spellings {
            for existing in [Existing::Refuse, Existing::Replace] {
                let err = OutputFile::create(&p, Some(&store), existing).unwrap_err();
                assert_eq!(
                    err.to_string(),
                    format!(
                        "cannot write {}: it is the store {} (or one of its files); choose another path",
                        p.display(),
                        store.display()
                    )
                );
            }
        }
        assert_eq!(std::fs::read(&store).unwrap(), b"precious");
    }

    #[test]
    fn an_existing_file_is_replaced_only_when_asked_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        std::fs::write(&out, b"old").unwrap();
        let err = OutputFile::write_whole(&out, None, Existing::Refuse, b"new").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "cannot write {}: the file exists; use --force to replace it",
                out.display()
            )
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        // Until committed, the old file is intact; a dropped file leaves no trace.
        let mut f = OutputFile::create(&out, None, Existing::Replace).unwrap();
        f.write_all(b"half").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        drop(f);
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        OutputFile::write_whole(&out, None, Existing::Replace, b"new").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        #[cfg(unix)]
        assert_eq!(mode(&out), 0o600);
    }

    #[test]
    fn a_file_that_cannot_be_made_is_an_output_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("no/such/dir/x.csv");
        let err = OutputFile::write_whole(&out, None, Existing::Refuse, b"1").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot write {}: its folder does not exist", out.display())
        );
    }

    /// Under the usual umask (022) a plain create would give 0755 and 0644; the CLI tests run
    /// `pa` under `umask 000` as well.
    #[cfg(unix)]
    #[test]
    fn files_and_directories_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_private_dir(&nested).unwrap();
        let out = nested.join("x.csv");
        OutputFile::write_whole(&out, None, Existing::Refuse, b"1").unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&out), 0o600);
    }
}
