//! Writes the ten-year benchmark dataset into a new store file, to inspect it with `sqlite3`:
//! `cargo run --release -p pa-integrations --example demo_db -- /tmp/pa-10y.db`.

use pa_core::ids::UserId;
use pa_core::ports::UserStore;
use pa_integrations::demo::{Size, generate};
use pa_integrations::storage::sqlite::Store;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: demo_db PATH (a new file)".into());
    };
    let batch = generate(Size::TEN_YEARS, "2026-11-15".parse()?, 1)?;
    let store = Store::open(std::path::Path::new(&path))?;
    let me = UserId::new("me")?;
    store.create_user(&me)?;
    let started = std::time::Instant::now();
    let report = store.user(&me)?.apply(&batch)?;
    println!("{report:?} in {:.2?}", started.elapsed());
    drop(store);
    println!("{} bytes", std::fs::metadata(&path)?.len());
    Ok(())
}
