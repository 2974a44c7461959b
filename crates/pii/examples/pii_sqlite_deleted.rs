//! Writes the database of the deleted-rows benchmark (`scripts/bench/pii-sqlite-deleted.sh`):
//! `cargo run --release -p kizuki-pii --example pii_sqlite_deleted -- DB PERSONS`.
//!
//! A customers table of PERSONS synthetic persons (`id INTEGER PRIMARY KEY` and the CSV
//! form's columns, as text), `secure_delete` off (SQLite's default), then a tenth of the rows
//! deleted here and there (`id % 10 = 0`) and a run of another tenth (pages freed whole).
//! Beside it, `DB.deleted.csv`: the deleted rows (the truth a recovery is held to). Prints
//! how many deleted rows SQLite's page rebalancing left in the file (their cells one after
//! the other, as a record's body stores them): what a recovery can find at most.
use std::io::Write;

use kizuki_pii::synth;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().ok_or("usage: DB PERSONS")?);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(40_000);
    let _ = std::fs::remove_file(&path);
    let mut conn = rusqlite::Connection::open(&path)?;
    conn.pragma_update(None, "secure_delete", false)?;
    let tx = conn.transaction()?;
    let (header, rows, _) = synth::sqlite_persons(&tx, "customers", 7, n)?;
    tx.commit()?;
    let (from, to) = (n / 4, n / 4 + n / 10);
    conn.execute(
        "DELETE FROM customers WHERE id % 10 = 0 OR id BETWEEN ?1 AND ?2",
        [from as i64, to as i64],
    )?;
    drop(conn);
    let gone = |id: usize| id.is_multiple_of(10) || (from..=to).contains(&id);
    let file = std::fs::read(&path)?;
    let mut truth =
        std::io::BufWriter::new(std::fs::File::create(path.with_extension("deleted.csv"))?);
    writeln!(truth, "{}", header.join(","))?;
    let (mut deleted, mut in_file) = (0, 0);
    for (i, r) in rows.iter().enumerate() {
        if !gone(i + 1) {
            continue;
        }
        deleted += 1;
        writeln!(truth, "{}", r.join(","))?;
        if memchr::memmem::find(&file, r.concat().as_bytes()).is_some() {
            in_file += 1;
        }
    }
    println!(
        "{}: {n} rows, {deleted} deleted, {in_file} of them still in the file, {} bytes",
        path.display(),
        file.len()
    );
    Ok(())
}
