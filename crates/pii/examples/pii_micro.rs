//! Per-column validator timings on a CSV file (a profiling aid, run by hand):
//! `cargo run --release -p kizuki-pii --example pii_micro -- FILE.csv [ROWS]`.
//! Prints, per column, the nanoseconds per cell of the validator its header names.

use std::time::Instant;

use kizuki_pii::value;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE.csv");
    if path == "-" {
        for s in [
            "2022/07/06",
            "S8.1.24",
            "昭和45年6月7日",
            "1959年11月28日",
            "19800412",
        ] {
            one("date", |s| value::date(s).is_some(), s);
        }
        for s in ["050‐2886‐9385", "080-4188-1076", "09012345678"] {
            one("phone", |s| value::phone(s).is_some(), s);
        }
        one("email", value::email, "akie.imamura95@mail.example.jp");
        one(
            "addr",
            |s| value::address(s, None),
            "岐阜県大垣市福瀬町5丁目17番15号",
        );
        one("postal", |s| value::postal_code(s).is_some(), "503-0105");
        return;
    }
    let rows: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let text = std::fs::read_to_string(&path).expect("read (UTF-8)");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let cells: Vec<Vec<&str>> = lines.take(rows).map(|l| l.split(',').collect()).collect();
    for (i, h) in header.iter().enumerate() {
        let col: Vec<&str> = cells.iter().filter_map(|r| r.get(i).copied()).collect();
        let f: fn(&str) -> bool = match *h {
            "氏名" => value::name_kanji,
            "フリガナ" => value::name_kana,
            "ローマ字" => value::name_romaji,
            "性別" => value::gender,
            "生年月日" | "旅券発行日" => |s| value::date(s).is_some(),
            "メールアドレス" => value::email,
            "郵便番号" => |s| value::postal_code(s).is_some(),
            "住所" => |s| value::address(s, None),
            "電話番号" => |s| value::phone(s).is_some(),
            "旅券番号" => value::passport_number,
            _ => continue,
        };
        let _ = f(col.first().copied().unwrap_or(""));
        let t = Instant::now();
        let mut ok = 0usize;
        for _ in 0..3 {
            for c in &col {
                ok += usize::from(f(std::hint::black_box(c)));
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (3 * col.len().max(1)) as f64;
        println!(
            "{h:<12} {ns:7.1} ns/cell  {:5.1} % valid",
            ok as f64 * 100.0 / (3 * col.len().max(1)) as f64
        );
    }
}

#[allow(dead_code)]
fn one(label: &str, f: fn(&str) -> bool, s: &str) {
    let t = Instant::now();
    let mut ok = 0usize;
    for _ in 0..1_000_000 {
        ok += usize::from(f(std::hint::black_box(s)));
    }
    println!(
        "{label} {s:?}: {:.1} ns ({ok})",
        t.elapsed().as_nanos() as f64 / 1e6
    );
}
