//! One writer per store: a second `serve`, or `import` while the app runs, would interleave its
//! writes and prune by its own count. The lock is an `flock` on a file beside the store, so it
//! goes away with the process, however that ends; the file names the holder's process id.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::StoreError;
use crate::owner_only;

pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    pub fn take(store: &Path) -> Result<WriterLock, StoreError> {
        let path = store.with_extension("lock");
        let busy = |pid| StoreError::InUse {
            path: store.to_owned(),
            pid,
        };
        let open = || -> std::io::Result<File> {
            owner_only::create_file(&path)?;
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
        };
        let mut file = open().map_err(|source| StoreError::Lock {
            path: path.clone(),
            source,
        })?;
        if !lock(&file) {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(busy(holder.trim().parse().ok()));
        }
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()));
        Ok(WriterLock { _file: file })
    }
}

#[cfg(unix)]
fn lock(file: &File) -> bool {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
}

#[cfg(not(unix))]
fn lock(_file: &File) -> bool {
    true
}
