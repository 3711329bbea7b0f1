//! Files only their owner can read: the settings hold API tokens, and the store holds captured
//! `Authorization` headers and Reestr secrets.

use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) as needed, 0700. A folder that exists is left as it is: it
/// may be one the user chose (`--data-dir .`), and the files in it are private anyway.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Creates `path` empty when it is missing, 0600 from the start, so that what a library
/// writes into it later (SQLite's WAL and shared-memory files copy its mode) is private too.
pub fn create_file(path: &Path) -> std::io::Result<()> {
    open_private(path, false)?;
    restrict(path)
}

/// Opens `path` for writing from the start, emptied, 0600 from the first byte (an export holds
/// captured customer data, like the store it came from).
pub fn create(path: &Path) -> std::io::Result<std::fs::File> {
    let file = open_private(path, true)?;
    restrict(path)?;
    Ok(file)
}

/// Replaces `path`'s contents, 0600 from the first byte, and syncs them to disk.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = open_private(path, true)?;
    restrict(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn open_private(path: &Path, truncate: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Takes every permission of group and others away from an existing file or folder.
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
