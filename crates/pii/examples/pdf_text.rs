//! Prints the text and the tables kizuki reads from a PDF (a debugging aid, run by hand).
#![allow(clippy::unwrap_used, reason = "debugging aid")]
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let data = std::fs::read(&p).unwrap();
    match kizuki_pii::pdf::text(
        &data,
        1 << 30,
        &std::env::args().skip(2).collect::<Vec<_>>(),
    ) {
        Ok(t) => {
            print!("{}", t.text);
            for (i, rows) in t.tables.iter().enumerate() {
                println!("-- table {} ({} rows)", i + 1, rows.len());
                for r in rows {
                    println!("{}", r.join("\t"));
                }
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
