//! Spreadsheets: Excel workbooks (`.xlsx`/`.xlsm`, and the binary `.xls` of Excel 97-2003
//! and 95) read sheet by sheet through calamine, each sheet a table.
//!
//! calamine builds a sheet as one dense array over the bounding box of its cells
//! (`Range::from_sparse`), so a 1 KB workbook with one cell in `A1` and one in
//! `XFD1048576` asked for 512 GiB and aborted the process, and one with a cell in `ZZ200000`
//! took 4.4 GB and 22 s. So:
//! - xlsx sheets are read with calamine's streaming cell reader, a row at a time, columns
//!   beyond [`crate::table::MAX_COLUMNS`] dropped; nothing dense is built;
//! - before calamine opens a package, its members' declared sizes are checked against the
//!   `[files]` caps (the zip crate holds members to their declared size), and the shared
//!   strings' `uniqueCount` (which calamine reserves up front) against the size of its part;
//! - an xls is opened only when every sheet's cells fit a bounding box of at most
//!   [`MAX_XLS_CELLS`], checked over its records first (calamine parses every sheet densely
//!   when it opens the file), and the call is guarded against panics.

use std::io::Cursor;

use kizuki_core::Category;

use crate::table::{self, Table};
use crate::tally::{CatSet, Tally};

/// Most cells in one xls sheet's bounding box (calamine allocates one value per cell of it:
/// 8 Mi cells is 256 MiB).
pub const MAX_XLS_CELLS: u64 = 8 << 20;
/// Most sheets read from one workbook.
pub const MAX_SHEETS: usize = 1024;

/// What a sheet held: its tally, data rows and classified columns.
pub type Counted = (Tally, u64, Vec<(String, Category)>);

/// One sheet's result, or why it was not read.
pub struct Sheet {
    /// The sheet's name.
    pub name: String,
    /// Its tally, data rows and columns, or the error that stopped its reading.
    pub result: Result<Counted, String>,
}

/// Rows of cells given in sheet order: a row is handed to the table when the next begins.
struct Rows {
    table: Table,
    row: Vec<String>,
    at: Option<u32>,
}

impl Rows {
    fn new() -> Self {
        Rows {
            table: Table::new(),
            row: Vec::new(),
            at: None,
        }
    }

    fn cell(&mut self, row: u32, col: u32, value: String, tally: &mut Tally) {
        let col = col as usize;
        if col >= table::MAX_COLUMNS || value.is_empty() {
            return;
        }
        if self.at != Some(row) {
            self.flush(tally);
            self.at = Some(row);
        }
        if self.row.len() <= col {
            self.row.resize(col + 1, String::new());
        }
        if let Some(c) = self.row.get_mut(col) {
            *c = value;
        }
    }

    fn flush(&mut self, tally: &mut Tally) {
        if !crate::table::blank(&self.row) {
            self.table.push(&self.row, tally);
        }
        self.row.clear();
    }

    fn finish(mut self, tally: &mut Tally) -> (u64, Vec<(String, Category)>) {
        self.flush(tally);
        let columns = self.table.finish(tally);
        tally.persons_at_most(self.table.person_rows());
        (self.table.records, columns)
    }
}

/// Checks a zip package before calamine opens it: declared sizes within `max_total` bytes in
/// all and `max_ratio` per member (beyond 1 MiB), and a shared-string count its part can hold.
pub fn check_package(data: &[u8], max_total: u64, max_ratio: u32) -> Result<(), String> {
    let mut z = zip::ZipArchive::new(Cursor::new(data)).map_err(|e| e.to_string())?;
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let (name, size, packed) = {
            let f = z.by_index_raw(i).map_err(|e| e.to_string())?;
            (
                f.name().map_err(|e| e.to_string())?.to_ascii_lowercase(),
                f.size(),
                f.compressed_size(),
            )
        };
        total = total.saturating_add(size);
        if total > max_total {
            return Err(format!(
                "workbook members declare more than {max_total} bytes"
            ));
        }
        if size > 1 << 20 && size > packed.saturating_mul(u64::from(max_ratio)) {
            return Err(format!(
                "workbook member {name} expands more than {max_ratio} times"
            ));
        }
        if name.ends_with("sharedstrings.xml") {
            let mut head = vec![0; 64 * 1024];
            let mut f = z.by_index(i).map_err(|e| e.to_string())?;
            // A read error here is calamine's to report.
            let n = kizuki_core::io::read_full(&mut f, &mut head).unwrap_or(0);
            head.truncate(n);
            if let Some(n) = unique_count(&head)
                && n > size / 4 + 16
            {
                return Err(format!(
                    "shared strings declare {n} entries in {size} bytes"
                ));
            }
        }
    }
    Ok(())
}

/// The `uniqueCount` of a shared-strings part's `<sst>` element.
fn unique_count(head: &[u8]) -> Option<u64> {
    let key = b"uniqueCount=";
    let at = memchr::memmem::find(head, key)? + key.len();
    let rest = head.get(at + 1..)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    // Too many digits for a u64 is a count no part holds.
    Some(
        std::str::from_utf8(rest.get(..digits)?)
            .ok()?
            .parse()
            .unwrap_or(u64::MAX),
    )
}

/// A date cell as a date (`1980/4/1`, with the time when it has one), not as Excel's serial
/// number (`29312`), which no date rule takes: before, a birth-date column of real Excel
/// dates was not found. A duration stays a number.
fn date_text(d: &calamine::ExcelDateTime) -> String {
    if !d.is_datetime() {
        return d.as_f64().to_string();
    }
    let (y, m, day, h, min, sec, _) = d.to_ymd_hms_milli();
    if (h, min, sec) == (0, 0, 0) {
        format!("{y}/{m}/{day}")
    } else {
        format!("{y}/{m}/{day} {h}:{min:02}:{sec:02}")
    }
}

/// The sheets of an open calamine workbook (`Xlsx` or `Xlsb`: the same cell readers, of two
/// types), each read cell by cell into a table (no sheet is held whole).
macro_rules! sheets_of {
    ($wb:expr, $cats:expr, $err:ty) => {{
        use calamine::Reader;
        let wb = $wb;
        let mut out = Vec::new();
        for name in wb.sheet_names().into_iter().take(MAX_SHEETS) {
            let mut tally = Tally::new($cats);
            let mut rows = Rows::new();
            let result = (|| -> Result<(), $err> {
                let mut cells = wb.worksheet_cells_reader(&name)?;
                while let Some(c) = cells.next_cell()? {
                    let (r, col) = c.get_position();
                    let v = match c.get_value() {
                        calamine::DataRef::SharedString(s) => (*s).to_string(),
                        calamine::DataRef::Empty => continue,
                        calamine::DataRef::DateTime(d) => date_text(d),
                        other => calamine::Data::from(other.clone()).to_string(),
                    };
                    rows.cell(r, col, v, &mut tally);
                }
                Ok(())
            })();
            let result = match result {
                Ok(()) => {
                    let (records, columns) = rows.finish(&mut tally);
                    Ok((tally, records, columns))
                }
                Err(e) => Err(e.to_string()),
            };
            out.push(Sheet { name, result });
        }
        out
    }};
}

/// Reads an xlsx workbook's sheets (the package already checked by [`check_package`]).
pub fn xlsx(data: &[u8], cats: CatSet) -> Result<Vec<Sheet>, String> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(data))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    Ok(sheets_of!(&mut wb, cats, calamine::XlsxError))
}

/// Is this zip package an Excel binary workbook (`xl/workbook.bin`)?
pub fn is_xlsb(data: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(data))
        .is_ok_and(|z| z.index_for_name("xl/workbook.bin").is_some())
}

/// Reads an Excel binary workbook's sheets (`.xlsb`, the package already checked by
/// [`check_package`]). calamine's reader indexes its records without checking their lengths:
/// a damaged or hostile record is a panic there, caught here ([`guarded`]) and reported as
/// an error of the workbook.
pub fn xlsb(data: &[u8], cats: CatSet) -> Result<Vec<Sheet>, String> {
    guarded(|| -> Result<Vec<Sheet>, String> {
        let mut wb: calamine::Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(data))
            .map_err(|e: calamine::XlsbError| e.to_string())?;
        Ok(sheets_of!(&mut wb, cats, calamine::XlsbError))
    })?
}

/// The signature of an OLE compound file (xls, doc, ppt, msg).
pub const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The workbook stream of an OLE file (`Workbook`, or `Book` before Excel 97), read within
/// `cap` bytes; `None` when the file is no workbook.
pub fn workbook_stream(data: &[u8], cap: u64) -> Result<Option<Vec<u8>>, String> {
    let mut comp = cfb::CompoundFile::open(Cursor::new(data)).map_err(|e| e.to_string())?;
    let Some(name) = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| comp.is_stream(n))
    else {
        return Ok(None);
    };
    let s = comp.open_stream(name).map_err(|e| e.to_string())?;
    match kizuki_core::io::read_capped(s, cap) {
        Ok(Some(v)) => Ok(Some(v)),
        Ok(None) => Err(format!("workbook stream larger than {cap} bytes")),
        Err(e) => Err(e.to_string()),
    }
}

/// The records of a BIFF stream from `at`: type and data, up to the end or a cut record.
fn records(s: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = s.get(at..).unwrap_or(&[]);
    std::iter::from_fn(move || {
        let head = rest.get(..4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = rest.get(4..4 + len)?;
        rest = rest.get(4 + len..).unwrap_or(&[]);
        Some((typ, data))
    })
}

fn u16_at(d: &[u8], i: usize) -> u32 {
    d.get(i..i + 2)
        .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], i: usize) -> u32 {
    d.get(i..i + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Checks a BIFF workbook stream before calamine reads it: calamine indexes records without
/// checking their length, slices the stream at each sheet's declared offset, reserves what a
/// `DIMENSIONS` record declares and builds each sheet densely over its cells' bounding box.
/// Every sheet must stay within [`MAX_XLS_CELLS`] by both measures.
pub fn check_biff(s: &[u8]) -> Result<(), String> {
    let short = |what: &str| Err(format!("damaged workbook: short {what} record"));
    let mut sheets = Vec::new();
    for (typ, d) in records(s, 0) {
        match typ {
            0x0809 | 0x0042 | 0x002F | 0x0022 if d.len() < 2 => return short("header"),
            0x0018 if d.len() < 4 => return short("name"),
            0x0085 => {
                if d.len() < 8 {
                    return short("sheet");
                }
                let at = u32_at(d, 0) as usize;
                if at >= s.len() {
                    return Err(format!(
                        "damaged workbook: a sheet at {at}, past the stream's end"
                    ));
                }
                sheets.push(at);
                if sheets.len() > MAX_SHEETS {
                    return Err(format!("more than {MAX_SHEETS} sheets"));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    for at in sheets {
        // (first row, last row, first column, last column) of the cells seen.
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        let mut cell = |r: u32, c: u32| {
            bbox = Some(match bbox {
                None => (r, r, c, c),
                Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
            });
        };
        let (mut depth, mut seen_bof) = (0u32, false);
        for (typ, d) in records(s, at) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 if d.len() < 2 => return short("sheet header"),
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x0207 | 0x027E | 0x00FD | 0x0006
                    if d.len() >= 4 =>
                {
                    cell(u16_at(d, 0), u16_at(d, 2));
                }
                0x00BD if d.len() >= 6 => {
                    cell(u16_at(d, 0), u16_at(d, 2));
                    cell(u16_at(d, 0), u16_at(d, d.len() - 2));
                }
                0x0200 => {
                    // calamine's reading of the record (u32 arithmetic that wraps).
                    let (rf, rl, mut cf, cl) = match d.len() {
                        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
                        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
                        _ => continue,
                    };
                    if 0xFF < cf || cl < cf {
                        cf = 0;
                    }
                    if rl >= 1 && cl >= 1 {
                        let rows = u64::from((rl - 1).wrapping_sub(rf).wrapping_add(1));
                        let cols = u64::from((cl - 1).wrapping_sub(cf).wrapping_add(1));
                        if rows.saturating_mul(cols) > MAX_XLS_CELLS {
                            return Err(format!(
                                "a sheet declares {rows} x {cols} cells (at most {MAX_XLS_CELLS} are read)"
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some((r0, r1, c0, c1)) = bbox {
            let cells = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
            if cells > MAX_XLS_CELLS {
                return Err(format!(
                    "a sheet spans {cells} cells (at most {MAX_XLS_CELLS} are read)"
                ));
            }
        }
    }
    Ok(())
}

/// Runs `f`, turning a panic into an error (a last guard around a parser of hostile input
/// that is not ours; the checks above keep the known ones away).
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    crate::guarded(f).map_err(|why| format!("the workbook reader failed: {why}"))
}

/// Reads an xls workbook's sheets (Excel 97-2003, and Excel 95 in its code page), after
/// [`check_biff`] on its workbook stream.
pub fn xls(data: &[u8], cats: CatSet) -> Result<Vec<Sheet>, String> {
    use calamine::Reader;
    guarded(|| -> Result<Vec<Sheet>, String> {
        let mut wb = calamine::Xls::new(Cursor::new(data)).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for name in wb.sheet_names().into_iter().take(MAX_SHEETS) {
            let result = wb
                .worksheet_range(&name)
                .map_err(|e| e.to_string())
                .map(|range| {
                    let mut tally = Tally::new(cats);
                    let mut rows = Rows::new();
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    for (r, row) in range.rows().enumerate() {
                        for (c, v) in row.iter().enumerate() {
                            let v = match v {
                                calamine::Data::Empty => continue,
                                calamine::Data::DateTime(d) => date_text(d),
                                other => other.to_string(),
                            };
                            rows.cell(r0 + r as u32, c0 + c as u32, v, &mut tally);
                        }
                    }
                    let (records, columns) = rows.finish(&mut tally);
                    (tally, records, columns)
                });
            out.push(Sheet { name, result });
        }
        Ok(out)
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_counts_are_read() {
        assert_eq!(
            unique_count(br#"<sst xmlns="x" count="3" uniqueCount="2"><si>"#),
            Some(2)
        );
        assert_eq!(
            unique_count(b"<sst uniqueCount='99999999999999999999999'>"),
            Some(u64::MAX)
        );
        assert_eq!(unique_count(b"<sst count=\"3\">"), None);
    }

    #[test]
    fn dates_are_written_as_dates() {
        use calamine::{ExcelDateTime, ExcelDateTimeType as T};
        assert_eq!(
            date_text(&ExcelDateTime::new(29312.0, T::DateTime, false)),
            "1980/4/1"
        );
        assert_eq!(
            date_text(&ExcelDateTime::new(27850.0, T::DateTime, true)),
            "1980/4/1"
        );
        assert_eq!(
            date_text(&ExcelDateTime::new(45943.5, T::DateTime, false)),
            "2025/10/13 12:00:00"
        );
        assert_eq!(
            date_text(&ExcelDateTime::new(1.5, T::TimeDelta, false)),
            "1.5"
        );
    }

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        [
            &typ.to_le_bytes()[..],
            &(data.len() as u16).to_le_bytes(),
            data,
        ]
        .concat()
    }

    /// A BIFF8 stream: globals with one sheet entry, then the sheet's records.
    fn biff(sheet: &[Vec<u8>]) -> Vec<u8> {
        let bof = |dt: u16| {
            rec(
                0x0809,
                &[&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes()].concat(),
            )
        };
        let mut s = bof(5);
        let entry = s.len() + 4;
        s.extend(rec(0x0085, &[0, 0, 0, 0, 0, 0, 1, 1, b'S', 0]));
        s.extend(rec(0x000A, &[]));
        let at = s.len() as u32;
        s[entry..entry + 4].copy_from_slice(&at.to_le_bytes());
        s.extend(bof(0x10));
        for r in sheet {
            s.extend_from_slice(r);
        }
        s.extend(rec(0x000A, &[]));
        s
    }

    fn label(r: u16, c: u16) -> Vec<u8> {
        rec(
            0x0204,
            &[
                &r.to_le_bytes()[..],
                &c.to_le_bytes(),
                &[0, 0, 1, 0, 0, b'x'],
            ]
            .concat(),
        )
    }

    fn dimensions(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let d = [
            &rf.to_le_bytes()[..],
            &rl.to_le_bytes(),
            &cf.to_le_bytes(),
            &cl.to_le_bytes(),
            &[0, 0],
        ]
        .concat();
        rec(0x0200, &d)
    }

    #[test]
    fn workbook_records_are_checked_as_calamine_reads_them() {
        // 65,536 rows of 128 columns: the cap exactly.
        assert_eq!(
            check_biff(&biff(&[label(0, 0), label(65_535, 127)])),
            Ok(())
        );
        assert_eq!(check_biff(&biff(&[dimensions(0, 65_536, 0, 128)])), Ok(()));
        assert!(check_biff(&biff(&[label(0, 0), label(65_535, 128)])).is_err());
        // Cells spanning the whole u16 grid: 4 Gi values in calamine's dense range.
        assert!(check_biff(&biff(&[label(0, 0), label(65_535, 65_535)])).is_err());
        // A last row before the first: calamine's u32 arithmetic wraps to 4 Gi rows.
        assert!(check_biff(&biff(&[dimensions(10, 5, 0, 3)])).is_err());
        assert!(check_biff(&biff(&[dimensions(0, 4_000_000_000, 0, 200)])).is_err());
        // A cell in a chart inside the sheet does not count; the sheet's own do.
        let chart = [
            rec(0x0809, &[0, 6, 0x20, 0]),
            label(65_535, 65_535),
            rec(0x000A, &[]),
        ];
        assert_eq!(check_biff(&biff(&chart)), Ok(()));
        // A sheet entry past the end, a cut sheet entry, a short header.
        let mut s = biff(&[]);
        // After the BOF record (8 bytes) and the sheet record's header (4).
        let entry = 12;
        s[entry..entry + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(check_biff(&s).is_err());
        assert!(check_biff(&[rec(0x0809, &[6, 0]), rec(0x0085, &[1, 2, 3])].concat()).is_err());
        assert!(check_biff(&rec(0x0809, &[6])).is_err());
    }

    #[test]
    fn rows_are_kept_sparse() {
        let mut tally = Tally::new(CatSet::all());
        let mut rows = Rows::new();
        rows.cell(0, 0, "氏名".into(), &mut tally);
        rows.cell(0, 1, "メール".into(), &mut tally);
        rows.cell(5, 0, "山田 太郎".into(), &mut tally);
        rows.cell(5, 1, "t@example.com".into(), &mut tally);
        rows.cell(1_048_575, 16_383, "far".into(), &mut tally);
        let (records, cols) = rows.finish(&mut tally);
        assert_eq!(records, 1);
        assert_eq!(cols.len(), 2);
        assert_eq!(tally.count(Category::Email), 1);
    }
}
