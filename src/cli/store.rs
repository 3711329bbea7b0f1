//! `hookscope store check` and `store set-aside`.

use hookscope::config::Paths;
use hookscope::store::StoreReader;

pub fn check(paths: &Paths) -> anyhow::Result<()> {
    let store = paths.store_file();
    let started = std::time::Instant::now();
    let reader = StoreReader::open(&store)?;
    reader.check()?;
    println!(
        "{} is sound: {} captures, every page read in {:.1} s",
        store.display(),
        reader.count()?,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn set_aside(paths: &Paths) -> anyhow::Result<()> {
    let moved = hookscope::store::damage::set_aside(&paths.store_file())?;
    println!(
        "moved the store to {}; the next start creates a fresh one",
        moved.display()
    );
    Ok(())
}
