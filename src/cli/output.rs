//! The output directory, shared between meshc and its user: writes the
//! files of a build (relative path → contents) so that meshc replaces
//! exactly the files it wrote before, removes only the ones it wrote before
//! and no longer writes, and never moves, rewrites or deletes anything else:
//! Terraform state and lock files, `.terraform/`, `terraform.tfvars`, the
//! user's own `.tf` files, the input.
//!
//! What meshc wrote is recorded in `.meshc/manifest.json` (each file with
//! the SHA-256 of its contents). An update is made crash-safe by a journal:
//!
//! 1. the changed files are written (and synced) under `.meshc/staging/`;
//! 2. `.meshc/journal.json` names the files to move into place, the files to
//!    remove and the manifest that results, and is renamed into place (the
//!    commit point);
//! 3. each staged file is renamed over its target, each file no longer
//!    written is removed, the new manifest is renamed into place, and the
//!    journal and the staging directory are removed.
//!
//! Before the commit point a kill leaves only the staging directory, which
//! the next run removes (the update is rolled back); after it, the next run
//! completes the journal, every step of which can be repeated. Either way
//! no staging directory and no half-updated set of files survives that run.
//! A lock on `.meshc/lock` keeps two builds out of each other's way.
//!
//! A directory with no manifest is taken over only when it is empty, or
//! when it looks like the output of an earlier meshc that kept no manifest
//! (nothing but `terraform/`, `cloudformation/` and `stepfunctions/` beside
//! hidden entries): then the files at paths meshc writes are adopted as its
//! own, and everything else in it is the user's.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs::{self, File};
use std::io::{self, ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The directory, inside the output directory, where meshc keeps its
/// records.
pub const STATE_DIRECTORY: &str = ".meshc";
const MANIFEST: &str = "manifest.json";
const JOURNAL: &str = "journal.json";
const STAGING: &str = "staging";
const LOCK: &str = "lock";
/// The version of the manifest and journal formats.
const FORMAT: u32 = 1;

/// Why the output directory was not updated, or not completely.
#[derive(Debug)]
pub enum OutputError {
    /// A filesystem operation failed.
    Io { path: PathBuf, error: io::Error },
    /// `-o` names something that is not a directory.
    NotADirectory(PathBuf),
    /// The directory holds files meshc did not write, and no manifest.
    Foreign {
        directory: PathBuf,
        entries: Vec<String>,
    },
    /// Files meshc is about to write exist, and meshc did not write them.
    Collision {
        directory: PathBuf,
        paths: Vec<String>,
    },
    /// Files meshc wrote were changed since.
    Edited {
        directory: PathBuf,
        paths: Vec<String>,
    },
    /// A file meshc would write or remove is the input.
    Input { path: PathBuf },
    /// The manifest or journal cannot be read.
    Record { path: PathBuf, reason: String },
    /// The update was committed but could not be completed; the next build
    /// completes it.
    Incomplete {
        directory: PathBuf,
        error: Box<OutputError>,
    },
}

impl OutputError {
    fn io(path: &Path, error: io::Error) -> Self {
        OutputError::Io {
            path: path.to_path_buf(),
            error,
        }
    }

    /// What the user can do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            OutputError::Io { .. } | OutputError::Record { .. } => None,
            OutputError::NotADirectory(_) => {
                Some("`-o` names the directory to write the output into".to_string())
            }
            OutputError::Foreign { .. } => Some(
                "build into an empty directory or one meshc wrote before (the default is `out`)"
                    .to_string(),
            ),
            OutputError::Collision { .. } => Some(
                "rename these files: meshc writes files of these names now, and never replaces a \
                 file it did not write"
                    .to_string(),
            ),
            OutputError::Edited { .. } => Some(
                "meshc replaces its own files on every build: move the change into a file of your \
                 own (for Terraform, any other `.tf` file, or `NAME_override.tf`), then restore or \
                 delete the changed file"
                    .to_string(),
            ),
            OutputError::Input { .. } => {
                Some("choose an output directory that does not hold the input".to_string())
            }
            OutputError::Incomplete { .. } => {
                Some("run `meshc build` again: it completes the update first".to_string())
            }
        }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Io { path, error } => {
                write!(f, "cannot write `{}`: {error}", path.display())
            }
            OutputError::NotADirectory(path) => {
                write!(f, "`{}` exists and is not a directory", path.display())
            }
            OutputError::Foreign { directory, entries } => write!(
                f,
                "`{}` holds files meshc did not write ({}); meshc does not take over a directory \
                 that is not empty",
                directory.display(),
                quoted_list(entries)
            ),
            OutputError::Collision { directory, paths } => write!(
                f,
                "`{}` already holds {} that meshc did not write",
                directory.display(),
                quoted_list(paths)
            ),
            OutputError::Edited { directory, paths } => write!(
                f,
                "{} in `{}` changed since meshc wrote {}",
                quoted_list(paths),
                directory.display(),
                if paths.len() == 1 { "it" } else { "them" }
            ),
            OutputError::Input { path } => write!(
                f,
                "`{}` is the input; meshc never writes or removes it",
                path.display()
            ),
            OutputError::Record { path, reason } => {
                write!(f, "cannot read `{}`: {reason}", path.display())
            }
            OutputError::Incomplete { directory, error } => write!(
                f,
                "the update of `{}` is not complete: {error}",
                directory.display()
            ),
        }
    }
}

fn quoted_list(items: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = items
        .iter()
        .take(SHOWN)
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        let _ = write!(text, " and {} more", items.len() - SHOWN);
    }
    text
}

/// What a build did to the output directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Files written (new or changed).
    pub written: usize,
    /// Files meshc writes whose contents were already right.
    pub unchanged: usize,
    /// Files meshc wrote before and no longer writes, removed.
    pub removed: usize,
}

/// What a run found left by an interrupted one, and did about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// A committed update was completed.
    Completed,
    /// An update interrupted before its commit point was undone.
    RolledBack,
}

/// The record of what meshc wrote: each file with the SHA-256 of its
/// contents, in hexadecimal.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    files: BTreeMap<String, String>,
}

/// An update between its commit point and its completion.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    format: u32,
    /// Files staged under `.meshc/staging/`, to be renamed into place.
    write: Vec<String>,
    /// Files to remove.
    remove: Vec<String>,
    /// The manifest once the update is complete.
    manifest: Manifest,
}

fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Whether a path read from a record is one meshc could have written:
/// relative, made of plain names, and outside `.meshc`.
fn is_plain_relative(path: &str) -> bool {
    let mut segments = path.split('/');
    segments.clone().next() != Some(STATE_DIRECTORY)
        && segments.all(|segment| {
            !segment.is_empty() && segment != "." && segment != ".." && !segment.contains('\\')
        })
}

/// The output directory and its records.
struct Directory<'a> {
    root: &'a Path,
    state: PathBuf,
}

impl<'a> Directory<'a> {
    fn new(root: &'a Path) -> Self {
        Directory {
            root,
            state: root.join(STATE_DIRECTORY),
        }
    }

    fn file(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn staging(&self) -> PathBuf {
        self.state.join(STAGING)
    }

    fn journal(&self) -> PathBuf {
        self.state.join(JOURNAL)
    }

    fn manifest_path(&self) -> PathBuf {
        self.state.join(MANIFEST)
    }

    /// Whether an interrupted update left something behind.
    fn interrupted(&self) -> bool {
        exists(&self.journal()) || exists(&self.staging())
    }

    /// Takes the lock that keeps two builds out of each other's way; it is
    /// released when the returned file is closed (or the process ends).
    fn lock(&self) -> Result<File, OutputError> {
        fs::create_dir_all(&self.state).map_err(|error| OutputError::io(&self.state, error))?;
        let path = self.state.join(LOCK);
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| OutputError::io(&path, error))?;
        fs4::fs_std::FileExt::lock_exclusive(&file)
            .map_err(|error| OutputError::io(&path, error))?;
        Ok(file)
    }

    fn read_record<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, OutputError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(OutputError::io(path, error)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|error| OutputError::Record {
                path: path.to_path_buf(),
                reason: error.to_string(),
            })
    }

    fn manifest(&self) -> Result<Option<Manifest>, OutputError> {
        let path = self.manifest_path();
        let Some(manifest) = Self::read_record::<Manifest>(&path)? else {
            return Ok(None);
        };
        validate(&path, manifest.format, manifest.files.keys())?;
        Ok(Some(manifest))
    }

    /// Completes a committed update, or undoes one interrupted before its
    /// commit point. The caller holds the lock.
    fn recover(&self) -> Result<Option<Recovery>, OutputError> {
        let journal_path = self.journal();
        let recovery = if let Some(journal) = Self::read_record::<Journal>(&journal_path)? {
            validate(
                &journal_path,
                journal.format,
                journal
                    .write
                    .iter()
                    .chain(&journal.remove)
                    .chain(journal.manifest.files.keys()),
            )?;
            self.complete(&journal)?;
            Some(Recovery::Completed)
        } else if exists(&self.staging()) {
            remove_tree(&self.staging())?;
            Some(Recovery::RolledBack)
        } else {
            None
        };
        for leftover in [MANIFEST, JOURNAL].map(|name| self.state.join(format!("{name}.tmp"))) {
            remove_file_if_present(&leftover)?;
        }
        Ok(recovery)
    }

    /// Carries out a committed journal. Every step can be repeated, so a
    /// run interrupted here is completed by the next one.
    fn complete(&self, journal: &Journal) -> Result<(), OutputError> {
        let staging = self.staging();
        for relative in &journal.write {
            let staged = staging.join(relative);
            if !exists(&staged) {
                // Moved into place before an interruption.
                continue;
            }
            let target = self.file(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(|error| OutputError::io(parent, error))?;
            }
            move_file(&staged, &target)?;
        }
        for relative in &journal.remove {
            let target = self.file(relative);
            remove_file_if_present(&target)?;
            self.prune(relative);
        }
        write_atomically(
            &self.manifest_path(),
            &record_text(&journal.manifest)?,
            &self.state,
        )?;
        // The staging directory goes before the journal, so that a staging
        // directory without a journal always means an update that was never
        // committed.
        remove_tree(&staging)?;
        remove_file_if_present(&self.journal())?;
        sync_directory(&self.state)
    }

    /// Removes the directories between a removed file and the root that are
    /// left empty. A directory that still holds anything (a file of the
    /// user's) stays.
    fn prune(&self, relative: &str) {
        let mut directory = Path::new(relative).parent();
        while let Some(parent) = directory.filter(|parent| !parent.as_os_str().is_empty()) {
            if fs::remove_dir(self.root.join(parent)).is_err() {
                break;
            }
            directory = parent.parent();
        }
    }
}

fn validate<'p>(
    path: &Path,
    format: u32,
    files: impl IntoIterator<Item = &'p String>,
) -> Result<(), OutputError> {
    if format != FORMAT {
        return Err(OutputError::Record {
            path: path.to_path_buf(),
            reason: format!("format {format} is not one this meshc writes ({FORMAT})"),
        });
    }
    if let Some(bad) = files.into_iter().find(|file| !is_plain_relative(file)) {
        return Err(OutputError::Record {
            path: path.to_path_buf(),
            reason: format!("`{bad}` is not a path inside the output directory"),
        });
    }
    Ok(())
}

fn record_text<T: Serialize>(record: &T) -> Result<String, OutputError> {
    serde_json::to_string_pretty(record)
        .map(|text| text + "\n")
        .map_err(|error| OutputError::Record {
            path: PathBuf::from(STATE_DIRECTORY),
            reason: error.to_string(),
        })
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn remove_file_if_present(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != ErrorKind::NotFound => Err(OutputError::io(path, error)),
        _ => Ok(()),
    }
}

fn remove_tree(path: &Path) -> Result<(), OutputError> {
    match fs::remove_dir_all(path) {
        Err(error) if error.kind() != ErrorKind::NotFound => Err(OutputError::io(path, error)),
        _ => Ok(()),
    }
}

fn sync_directory(path: &Path) -> Result<(), OutputError> {
    File::open(path)
        .and_then(|directory| directory.sync_all())
        .map_err(|error| OutputError::io(path, error))
}

/// Writes a file and flushes it to the disk.
fn write_synced(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    let written = File::create(path).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    written.map_err(|error| OutputError::io(path, error))
}

/// Replaces `path` by writing a sibling and renaming it over the original.
fn write_atomically(path: &Path, contents: &str, directory: &Path) -> Result<(), OutputError> {
    let mut staged = path.as_os_str().to_owned();
    staged.push(".tmp");
    let staged = PathBuf::from(staged);
    write_synced(&staged, contents.as_bytes())?;
    fs::rename(&staged, path).map_err(|error| OutputError::io(path, error))?;
    sync_directory(directory)
}

/// Moves a staged file over its target. Across filesystems (a target
/// directory the user mounted) the file is copied beside the target and
/// renamed over it, so the target is never half-written.
fn move_file(staged: &Path, target: &Path) -> Result<(), OutputError> {
    match fs::rename(staged, target) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == ErrorKind::CrossesDevices => {
            let contents = fs::read(staged).map_err(|error| OutputError::io(staged, error))?;
            let mut beside = target.as_os_str().to_owned();
            beside.push(".meshc-tmp");
            let beside = PathBuf::from(beside);
            write_synced(&beside, &contents)?;
            fs::rename(&beside, target).map_err(|error| OutputError::io(target, error))?;
            fs::remove_file(staged).map_err(|error| OutputError::io(staged, error))
        }
        Err(error) => Err(OutputError::io(target, error)),
    }
}

/// Completes or undoes an update of `root` that a killed or failed run left
/// behind; does nothing (and writes nothing) when there is none.
pub fn recover(root: &Path) -> Result<Option<Recovery>, OutputError> {
    let directory = Directory::new(root);
    if !directory.interrupted() {
        return Ok(None);
    }
    let _lock = directory.lock()?;
    directory.recover()
}

/// The entries of `root` other than hidden ones, sorted; none when it does
/// not exist.
fn visible_entries(root: &Path) -> Result<Vec<String>, OutputError> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(OutputError::io(root, error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| OutputError::io(root, error))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The top-level directories an earlier meshc wrote.
const BACKEND_DIRECTORIES: [&str; 3] = ["terraform", "cloudformation", "stepfunctions"];

/// The files meshc owns in a directory without a manifest: none when it is
/// empty; the files at paths meshc writes when it holds nothing but the
/// backend directories (the output of an earlier meshc); otherwise the
/// directory is not meshc's to write.
fn adopt(root: &Path) -> Result<BTreeMap<String, Option<String>>, OutputError> {
    let entries = visible_entries(root)?;
    let foreign: Vec<String> = entries
        .iter()
        .filter(|name| {
            !BACKEND_DIRECTORIES.contains(&name.as_str()) || !root.join(name.as_str()).is_dir()
        })
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(OutputError::Foreign {
            directory: root.to_path_buf(),
            entries: foreign,
        });
    }
    let mut owned = BTreeMap::new();
    for backend in entries {
        let directory = root.join(&backend);
        let listing =
            fs::read_dir(&directory).map_err(|error| OutputError::io(&directory, error))?;
        for entry in listing {
            let entry = entry.map_err(|error| OutputError::io(&directory, error))?;
            let relative = format!("{backend}/{}", entry.file_name().to_string_lossy());
            let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
            if is_file && crate::emit::is_output_path(&relative) {
                owned.insert(relative, None);
            }
        }
    }
    Ok(owned)
}

/// The SHA-256 of a file's contents; `None` when there is no file.
fn hash_of(path: &Path) -> Result<Option<String>, OutputError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(sha256(&bytes))),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(OutputError::io(path, error)),
    }
}

/// Whether `path` names the same file as one of `inputs`.
fn is_input(path: &Path, inputs: &[PathBuf]) -> bool {
    fs::canonicalize(path).is_ok_and(|path| inputs.contains(&path))
}

/// Writes `files` (relative path → contents) into the output directory
/// `root`, replacing exactly the files meshc wrote there before. `inputs`
/// are the source files, which are never written or removed. Nothing is
/// changed when the update is refused or fails before its commit point.
pub fn write(
    root: &Path,
    files: &BTreeMap<String, String>,
    inputs: &[PathBuf],
) -> Result<Update, OutputError> {
    match fs::metadata(root) {
        Ok(metadata) if !metadata.is_dir() => {
            return Err(OutputError::NotADirectory(root.to_path_buf()));
        }
        Err(error) if error.kind() != ErrorKind::NotFound => {
            return Err(OutputError::io(root, error));
        }
        _ => {}
    }
    let inputs: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|input| fs::canonicalize(input).ok())
        .collect();
    let directory = Directory::new(root);
    let had_state = exists(&directory.state);
    // Decide whether the directory is meshc's before creating anything in
    // it.
    let adopted = if had_state { None } else { Some(adopt(root)?) };
    let created_root = !exists(root);
    let _lock = directory.lock()?;
    let result = update(&directory, files, &inputs, adopted);
    if result.is_err() && !had_state {
        // Leave no trace of a first build that changed nothing.
        let _ = fs::remove_file(directory.state.join(LOCK));
        let _ = fs::remove_dir(&directory.state);
        if created_root {
            let _ = fs::remove_dir(root);
        }
    }
    result
}

fn update(
    directory: &Directory<'_>,
    files: &BTreeMap<String, String>,
    inputs: &[PathBuf],
    adopted: Option<BTreeMap<String, Option<String>>>,
) -> Result<Update, OutputError> {
    directory.recover()?;
    let previous = directory.manifest()?;
    // What meshc owns, with the hash it recorded (none for adopted files).
    let owned: BTreeMap<String, Option<String>> = match (&previous, adopted) {
        (Some(manifest), _) => manifest
            .files
            .iter()
            .map(|(path, hash)| (path.clone(), Some(hash.clone())))
            .collect(),
        (None, Some(adopted)) => adopted,
        (None, None) => adopt(directory.root)?,
    };

    let mut edited = Vec::new();
    let mut on_disk = BTreeMap::new();
    for (relative, recorded) in &owned {
        let path = directory.file(relative);
        if is_input(&path, inputs) {
            return Err(OutputError::Input { path });
        }
        let current = hash_of(&path)?;
        if let (Some(recorded), Some(current)) = (recorded, &current) {
            if recorded != current {
                edited.push(relative.clone());
            }
        }
        on_disk.insert(relative.as_str(), current);
    }
    if !edited.is_empty() {
        return Err(OutputError::Edited {
            directory: directory.root.to_path_buf(),
            paths: edited,
        });
    }

    let mut collisions = Vec::new();
    let mut to_write = Vec::new();
    let mut manifest = Manifest {
        format: FORMAT,
        files: BTreeMap::new(),
    };
    for (relative, contents) in files {
        let hash = sha256(contents.as_bytes());
        let path = directory.file(relative);
        match on_disk.get(relative.as_str()) {
            Some(Some(current)) if *current == hash => {}
            None if exists(&path) || blocked_by_file(directory.root, relative) => {
                collisions.push(relative.clone());
            }
            Some(_) | None => to_write.push((relative, contents)),
        }
        manifest.files.insert(relative.clone(), hash);
    }
    if !collisions.is_empty() {
        return Err(OutputError::Collision {
            directory: directory.root.to_path_buf(),
            paths: collisions,
        });
    }
    let to_remove: Vec<String> = on_disk
        .iter()
        .filter(|(relative, current)| current.is_some() && !files.contains_key(**relative))
        .map(|(relative, _)| (*relative).to_string())
        .collect();
    let summary = Update {
        written: to_write.len(),
        unchanged: files.len() - to_write.len(),
        removed: to_remove.len(),
    };
    if to_write.is_empty() && to_remove.is_empty() {
        if previous.as_ref() != Some(&manifest) {
            write_atomically(
                &directory.manifest_path(),
                &record_text(&manifest)?,
                &directory.state,
            )?;
        }
        return Ok(summary);
    }

    // Stage the new contents; until the journal exists, undoing is
    // removing the staging directory.
    let staging = directory.staging();
    let staged = (|| {
        for (relative, contents) in &to_write {
            let path = staging.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|error| OutputError::io(parent, error))?;
            }
            write_synced(&path, contents.as_bytes())?;
        }
        let journal = Journal {
            format: FORMAT,
            write: to_write
                .iter()
                .map(|(relative, _)| (*relative).clone())
                .collect(),
            remove: to_remove.clone(),
            manifest,
        };
        write_atomically(
            &directory.journal(),
            &record_text(&journal)?,
            &directory.state,
        )?;
        Ok(journal)
    })();
    let journal = match staged {
        Ok(journal) => journal,
        Err(error) => {
            let _ = fs::remove_file(directory.state.join(format!("{JOURNAL}.tmp")));
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    directory
        .complete(&journal)
        .map_err(|error| OutputError::Incomplete {
            directory: directory.root.to_path_buf(),
            error: Box::new(error),
        })?;
    Ok(summary)
}

/// Whether a directory on the way to `relative` exists as something other
/// than a directory, so that the file could not be written.
fn blocked_by_file(root: &Path, relative: &str) -> bool {
    let mut path = root.to_path_buf();
    let mut components = Path::new(relative).components().peekable();
    while let Some(component) = components.next() {
        if components.peek().is_none() {
            break;
        }
        path.push(component);
        if fs::metadata(&path).is_ok_and(|metadata| !metadata.is_dir()) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths() {
        assert!(is_plain_relative("terraform/main.tf"));
        assert!(!is_plain_relative("../x"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative("a/./b"));
        assert!(!is_plain_relative("a//b"));
        assert!(!is_plain_relative("a\\b"));
        assert!(!is_plain_relative(""));
        assert!(!is_plain_relative(".meshc/manifest.json"));
    }

    #[test]
    fn sha256_of_nothing() {
        assert_eq!(
            sha256(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
