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
        if !self.row.is_empty() {
            self.table.push(&self.row, tally);
            self.row.clear();
        }
    }

    fn finish(mut self, tally: &mut Tally) -> (u64, Vec<(String, Category)>) {
        self.flush(tally);
        let columns = self.table.finish(tally);
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

/// Reads an xlsx workbook's sheets (the package already checked by [`check_package`]).
pub fn xlsx(data: &[u8], cats: CatSet) -> Result<Vec<Sheet>, String> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(data))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let mut out = Vec::new();
    for name in wb.sheet_names().into_iter().take(MAX_SHEETS) {
        let mut tally = Tally::new(cats);
        let mut rows = Rows::new();
        let result = (|| -> Result<(), calamine::XlsxError> {
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
    Ok(out)
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
