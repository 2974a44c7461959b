//! Deterministic synthetic data: Japanese persons (consistent kanji, kana and romaji names
//! from gimei, MIT) in every form and encoding the scanner reads, and decoys that hold no
//! personal data. Used by the tests (recall and precision), the demo and the benchmark.
//!
//! Every value planted is counted in [`Generated::truth`], so a test can compare what the
//! scanner found with what is there without hard-coding any result.

use std::collections::BTreeMap;

use encoding_rs::Encoding;
use kizuki_core::Category;
use kizuki_core::rng::Rng;

use crate::decode;
use crate::tables::{NAMES_DICT, Name, POSTAL_TABLE, towns};

/// One synthetic person.
#[derive(Clone, Debug)]
pub struct Person {
    /// Family name.
    pub last: Name,
    /// Given name.
    pub first: Name,
    /// Male?
    pub male: bool,
    /// Birth date.
    pub birth: (i32, u32, u32),
    /// E-mail address.
    pub email: String,
    /// Postal code (7 digits).
    pub postal: u32,
    /// Address (prefecture, municipality, town, block).
    pub address: String,
    /// Phone number (national form, with hyphens).
    pub phone: String,
    /// Passport number and issue date, for some.
    pub passport: Option<(String, (i32, u32, u32))>,
}

/// Katakana in half width (`サトウ` is `ｻﾄｳ`, `ガ` is `ｶﾞ`), as legacy systems store readings:
/// the inverse of NFKC over the half-width block.
pub fn halfwidth(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut map = std::collections::HashMap::new();
    for h in '\u{FF65}'..='\u{FF9D}' {
        for tail in ["", "\u{FF9E}", "\u{FF9F}"] {
            let half = format!("{h}{tail}");
            let full: String = half.nfkc().collect();
            if full.chars().count() == 1 {
                map.entry(full).or_insert(half);
            }
        }
    }
    s.chars()
        .map(|c| {
            map.get(&c.to_string())
                .cloned()
                .unwrap_or_else(|| c.to_string())
        })
        .collect()
}

/// Passport-style romaji (upper case, long vowels dropped: `SATO`).
pub fn romaji(n: &Name) -> String {
    n.romaji
        .to_ascii_uppercase()
        .replace("OU", "O")
        .replace("UU", "U")
}

const AREAS: [(&str, usize); 9] = [
    ("03", 4),
    ("06", 4),
    ("011", 3),
    ("045", 3),
    ("052", 3),
    ("092", 3),
    ("0123", 2),
    ("0857", 2),
    ("01564", 1),
];
const DOMAINS: [&str; 5] = [
    "example.com",
    "example.co.jp",
    "example.ne.jp",
    "mail.example.jp",
    "example.org",
];

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

impl Person {
    /// A random person.
    pub fn random(rng: &mut Rng) -> Person {
        let d = &*NAMES_DICT;
        let male = rng.chance(0.5);
        let fallback = Name {
            kanji: "佐藤",
            kana: "サトウ",
            romaji: "Satou",
        };
        let last = *rng.pick(&d.last).unwrap_or(&fallback);
        let first = *rng
            .pick(if male { &d.male } else { &d.female })
            .unwrap_or(&fallback);
        let y = rng.range(1930, 2005) as i32;
        let m = rng.range(1, 12) as u32;
        let dd = rng.range(1, 28) as u32;
        let email = format!(
            "{}{}{}@{}",
            first.romaji.to_ascii_lowercase(),
            [".", "_", ""][rng.below(3) as usize],
            last.romaji.to_ascii_lowercase(),
            DOMAINS[rng.below(DOMAINS.len() as u64) as usize]
        ) + "";
        let email = if rng.chance(0.3) {
            email.replacen('@', &format!("{}@", rng.below(100)), 1)
        } else {
            email
        };
        let table = &*POSTAL_TABLE;
        let postal = table
            .code_at(rng.below(table.len() as u64) as usize)
            .unwrap_or(1000001);
        let (pref, city) = table.lookup(postal).unwrap_or(("東京都", "千代田区"));
        let town = rng.pick(towns()).copied().unwrap_or("本町");
        let (a, b, c) = (rng.range(1, 9), rng.range(1, 30), rng.range(1, 20));
        let block = match rng.below(3) {
            0 => format!("{a}-{b}-{c}"),
            1 => format!("{a}丁目{b}番{c}号"),
            _ => format!("{}番地", rng.range(1, 999)),
        };
        let address = format!("{pref}{city}{town}{block}");
        let phone = if rng.chance(0.6) {
            let p = ["090", "080", "070", "050"][rng.below(4) as usize];
            // `0X0-0…` is not allocated.
            let first = format!("{}{}", rng.range(1, 9), digits(rng, 3));
            format!("{p}-{first}-{}", digits(rng, 4))
        } else {
            let (ac, ex) = AREAS[rng.below(AREAS.len() as u64) as usize];
            // An allocated exchange: drawn again until the number is one (a few tries at
            // most: most of every area's exchanges are).
            let mut phone = String::new();
            for _ in 0..64 {
                let mut first = digits(rng, ex);
                if first.starts_with('0') {
                    first.replace_range(0..1, "5");
                }
                phone = format!("{ac}-{first}-{}", digits(rng, 4));
                if crate::value::phone(&phone).is_some() {
                    break;
                }
            }
            phone
        };
        let passport = rng.chance(0.4).then(|| {
            let l1 = char::from(b'A' + rng.below(26) as u8);
            let l2 = char::from(b'A' + rng.below(26) as u8);
            let iy = rng.range(2012, 2025) as i32;
            (
                format!("{l1}{l2}{}", digits(rng, 7)),
                (iy, rng.range(1, 12) as u32, rng.range(1, 28) as u32),
            )
        });
        Person {
            last,
            first,
            male,
            birth: (y, m, dd),
            email,
            postal,
            address,
            phone,
            passport,
        }
    }

    /// Kanji full name.
    pub fn kanji(&self) -> String {
        format!("{} {}", self.last.kanji, self.first.kanji)
    }
    /// Katakana full name.
    pub fn kana(&self) -> String {
        format!("{} {}", self.last.kana, self.first.kana)
    }
    /// Romaji full name (`SATO TARO`).
    pub fn romaji(&self) -> String {
        format!("{} {}", romaji(&self.last), romaji(&self.first))
    }
    /// Postal code as `NNN-NNNN`.
    pub fn postal_str(&self) -> String {
        format!("{:03}-{:04}", self.postal / 10000, self.postal % 10000)
    }
}

/// Writes a date in one of the forms Japanese records use.
pub fn fmt_date(rng: &mut Rng, (y, m, d): (i32, u32, u32)) -> String {
    let era = [
        (2019, "令和", 'R'),
        (1989, "平成", 'H'),
        (1926, "昭和", 'S'),
    ]
    .into_iter()
    .find(|e| {
        (y, m, d)
            >= (
                e.0,
                if e.0 == 2019 {
                    5
                } else if e.0 == 1989 {
                    1
                } else {
                    12
                },
                if e.0 == 1989 {
                    8
                } else if e.0 == 1926 {
                    25
                } else {
                    1
                },
            )
    });
    match (rng.below(7), era) {
        (0, _) | (5, None) | (6, None) => format!("{y}-{m:02}-{d:02}"),
        (1, _) => format!("{y}/{m}/{d}"),
        (2, _) => format!("{y}年{m}月{d}日"),
        (3, Some((base, name, _))) => {
            let n = y - base + 1;
            if n == 1 {
                format!("{name}元年{m}月{d}日")
            } else {
                format!("{name}{n}年{m}月{d}日")
            }
        }
        (4, Some((base, _, abbr))) => format!("{abbr}{}.{m}.{d}", y - base + 1),
        (5, Some((base, "平成", _))) => format!("㍻{}年{m}月{d}日", y - base + 1),
        _ => format!("{y}{m:02}{d:02}")
            .chars()
            .collect::<String>()
            .get(0..4)
            .map(|_| format!("{y}/{m:02}/{d:02}"))
            .unwrap_or_default(),
    }
}

/// Writes a phone number in one of the usual forms.
pub fn fmt_phone(rng: &mut Rng, p: &str) -> String {
    match rng.below(6) {
        0 => p.replace('-', ""),
        1 => p
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
                '-' => '－',
                c => c,
            })
            .collect(),
        2 => format!("+81-{}", &p[1..]),
        3 => p.replace('-', "‐"),
        _ => p.to_string(),
    }
}

/// The forms of generated files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// CSV with a Japanese header.
    Csv,
    /// CSV without a header.
    CsvNoHeader,
    /// TSV with a Japanese header.
    Tsv,
    /// JSON Lines with English keys.
    Jsonl,
    /// A pretty-printed JSON document as an API returns it: the persons in an array under
    /// `customers`, names split into `name.last`/`name.first` (given first: keys are
    /// sorted), the address and passport as nested objects, the phones as an array.
    Json,
    /// Free text (customer notes).
    Text,
    /// CSV as a member database exports it: a title line, the names split into `姓`/`名`
    /// and `セイ`/`メイ` (the reading in half-width katakana), sex codes (`1`/`2`), dates as `YYYYMMDD`, the address split into
    /// `都道府県`/`市区町村`/`町域・番地`/`建物名`, a home and a mobile phone.
    Members,
    /// A vCard 3.0 address book as a phone exports it: `FN`, `N`, the reading in
    /// `X-PHONETIC-*`, `TEL`, `EMAIL`, `ADR` split into its parts, `BDAY` as `YYYY-MM-DD`,
    /// `GENDER`; a photo folded over lines on every fifth card.
    Vcard,
    /// An XML export: `<customer>` records with the name split into `<last>`/`<first>`,
    /// the address and passport as nested elements, a comment and CDATA.
    Xml,
    /// Business memos, minutes and forwarded mails, one of four blocks a person: a name
    /// before `様` with a bracket that holds the address and phone and a birth date marked
    /// `生まれ` after it; a keyword's name followed by values on its line and an account
    /// holder in kana; attendees listed after a role and a name after a title; recipients
    /// listed in a mail header. Not in [`Form::ALL`] (whose cycle the goldens follow): the
    /// recall test runs it in every encoding.
    Memo,
    /// Server and application logs, one of eight lines a person: a web server's access log
    /// whose query string holds the name, reading, e-mail and phone percent-encoded in
    /// UTF-8; an old CGI's request with the name encoded in Shift_JIS; a form body logged
    /// with the name split into `sei`/`mei` and `sei_kana`/`mei_kana`; a `logfmt` line with
    /// quoted values; a JSON payload written with `\uXXXX` escapes (Python's `json.dumps`);
    /// an `INSERT` in MySQL's general query log; Rails' parameters (`"name"=>"…"`); Java's
    /// `toString` (`Member{name='…', …}`).
    /// Not in [`Form::ALL`], like [`Form::Memo`].
    Logs,
    /// An online shop's order export (the layout of Rakuten RMS's order CSV): the orderer
    /// and the recipient of each order (half of them someone else), each with the name split
    /// into `名字`/`名前` and their readings, the postal code into `郵便番号1`/`郵便番号2`, the
    /// address into three columns and the phone into `電話番号1`-`3`; the orderer's e-mail;
    /// product names (`りんご`) that are no names. Not in [`Form::ALL`], like [`Form::Memo`].
    Orders,
    /// A travel agency's flight bookings: the passenger's name in kanji and as airlines
    /// write it (`YAMADA/TARO MR`), the departure date and the passport's expiry (dates of
    /// no person's birth), and for passport holders the booking's `SSR DOCS` element (APIS)
    /// in a column of its own, which holds the passport number, birth date, gender and name
    /// again. Not in [`Form::ALL`], like [`Form::Memo`].
    Bookings,
    /// Records of fixed width as a mainframe's batch job writes them (固定長, no header, no
    /// delimiter; places counted in Shift_JIS bytes): a customer number, the name in kanji
    /// padded with `　`, the reading in half-width katakana, a sex code, the birth date as
    /// `YYYYMMDD` (`00000000` when unknown, one in twenty), the postal code's seven digits,
    /// the address, the phone, the e-mail, the passport number and its issue date (blank
    /// without one), and the time of the last update (`YYYYMMDDhhmmss`, a date of no
    /// person's). Not in [`Form::ALL`], like [`Form::Memo`].
    Fixed,
}

impl Form {
    /// Every form.
    pub const ALL: [Form; 9] = [
        Form::Csv,
        Form::CsvNoHeader,
        Form::Tsv,
        Form::Jsonl,
        Form::Text,
        Form::Members,
        Form::Json,
        Form::Vcard,
        Form::Xml,
    ];
    /// File extension.
    pub fn ext(self) -> &'static str {
        match self {
            Form::Csv | Form::CsvNoHeader | Form::Members | Form::Orders | Form::Bookings => "csv",
            Form::Tsv => "tsv",
            Form::Jsonl => "jsonl",
            Form::Json => "json",
            Form::Vcard => "vcf",
            Form::Xml => "xml",
            Form::Text | Form::Memo => "txt",
            Form::Fixed => "dat",
            Form::Logs => "log",
        }
    }
}

/// A generated file and what it holds.
#[derive(Clone, Debug)]
pub struct Generated {
    /// File name.
    pub name: String,
    /// Its bytes in the chosen encoding.
    pub data: Vec<u8>,
    /// Values planted per category.
    pub truth: BTreeMap<Category, u64>,
    /// Persons in it.
    pub persons: u64,
}

fn bump(t: &mut BTreeMap<Category, u64>, c: Category) {
    *t.entry(c).or_insert(0) += 1;
}

/// The persons' rows as text in `form`, with the truth.
pub fn persons_text(seed: u64, n: usize, form: Form) -> (String, BTreeMap<Category, u64>) {
    let mut rng = Rng::new(seed);
    let mut truth = BTreeMap::new();
    let mut out = String::new();
    let sep = if form == Form::Tsv { "\t" } else { "," };
    match form {
        Form::Csv | Form::Tsv => {
            out.push_str(
                &[
                    "氏名",
                    "フリガナ",
                    "ローマ字",
                    "性別",
                    "生年月日",
                    "メールアドレス",
                    "郵便番号",
                    "住所",
                    "電話番号",
                    "旅券番号",
                    "旅券発行日",
                ]
                .join(sep),
            );
            out.push('\n');
        }
        Form::Bookings => out.push_str(
            "予約番号,出発日,便名,搭乗者氏名,搭乗者名（ローマ字）,性別,生年月日,電話番号,メールアドレス,旅券番号,旅券発行日,旅券有効期限,APIS\n",
        ),
        Form::Members => out.push_str(
            "会員一覧\n\n会員番号,姓,名,セイ,メイ,性別,生年月日,郵便番号,都道府県,市区町村,町域・番地,建物名,電話番号,携帯電話\n",
        ),
        Form::Orders => {
            let party = |who: &str, mail: bool| {
                format!(
                    "{who}名字,{who}名前,{who}名字フリガナ,{who}名前フリガナ,{}{who}郵便番号1,{who}郵便番号2,\
                     {who}住所都道府県,{who}住所郡市区,{who}住所それ以降の住所,\
                     {who}電話番号1,{who}電話番号2,{who}電話番号3",
                    if mail { "メールアドレス," } else { "" }
                )
            };
            out.push_str(&format!(
                "受注番号,注文日時,{},{},商品名,個数\n",
                party("注文者", true),
                party("送付先", false)
            ));
        }
        _ => {}
    }
    use Category as C;
    let mut records = Vec::new();
    for _ in 0..n {
        let p = Person::random(&mut rng);
        let birth = fmt_date(&mut rng, p.birth);
        let phone = fmt_phone(&mut rng, &p.phone);
        let (pp, issue) = match &p.passport {
            Some((no, d)) => (no.clone(), fmt_date(&mut rng, *d)),
            None => (String::new(), String::new()),
        };
        let gender = if p.male { "男" } else { "女" };
        if form == Form::Vcard {
            let (pref, city) = POSTAL_TABLE.lookup(p.postal).unwrap_or(("", ""));
            let street = p.address.get(pref.len() + city.len()..).unwrap_or("");
            let (y, m, d) = p.birth;
            out.push_str(&format!(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{}\r\nN:{};{};;;\r\n\
                 X-PHONETIC-LAST-NAME:{}\r\nX-PHONETIC-FIRST-NAME:{}\r\n\
                 item1.TEL;type=CELL;type=pref:{phone}\r\nEMAIL;type=INTERNET:{}\r\n\
                 ADR;type=HOME:;;{street};{city};{pref};{};日本\r\n\
                 BDAY:{y:04}-{m:02}-{d:02}\r\nGENDER:{}\r\n",
                p.kanji(),
                p.last.kanji,
                p.first.kanji,
                p.last.kana,
                p.first.kana,
                p.email,
                p.postal_str(),
                if p.male { "M" } else { "F" },
            ));
            if records.len() % 5 == 0 {
                out.push_str("PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n");
                for _ in 0..8 {
                    out.push_str(" QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n");
                }
            }
            records.push(serde_json::Value::Null);
            out.push_str("END:VCARD\r\n");
            for c in [
                C::NameKanji,
                C::NameKana,
                C::Gender,
                C::BirthDate,
                C::Email,
                C::PostalCode,
                C::Address,
                C::Phone,
            ] {
                bump(&mut truth, c);
            }
            continue;
        }
        if form == Form::Memo {
            memo(&mut rng, &p, &birth, &phone, &mut out, &mut truth);
            continue;
        }
        if form == Form::Logs {
            log_line(&mut rng, &p, &birth, &phone, &mut out, &mut truth);
            continue;
        }
        if form == Form::Orders {
            let q = if rng.chance(0.5) {
                Person::random(&mut rng)
            } else {
                p.clone()
            };
            let party = |x: &Person, mail: bool| {
                let (pref, city) = POSTAL_TABLE.lookup(x.postal).unwrap_or(("", ""));
                let street = x.address.get(pref.len() + city.len()..).unwrap_or("");
                let mut tel = x.phone.split('-');
                format!(
                    "{},{},{},{},{}{:03},{:04},{pref},{city},{street},{},{},{}",
                    x.last.kanji,
                    x.first.kanji,
                    x.last.kana,
                    x.first.kana,
                    if mail {
                        format!("{},", x.email)
                    } else {
                        String::new()
                    },
                    x.postal / 10_000,
                    x.postal % 10_000,
                    tel.next().unwrap_or(""),
                    tel.next().unwrap_or(""),
                    tel.next().unwrap_or(""),
                )
            };
            records.push(serde_json::Value::Null);
            let product = [
                "りんご",
                "みかん 5kg",
                "特選コシヒカリ 10kg",
                "ギフトセット",
                "いちご",
            ][rng.below(5) as usize];
            out.push_str(&format!(
                "{}-20240321-{:05},2024-03-21 10:{:02}:00,{},{},{product},{}\n",
                rng.range(100_000, 999_999),
                records.len(),
                rng.range(0, 59),
                party(&p, true),
                party(&q, false),
                rng.range(1, 5),
            ));
            for c in [
                C::NameKanji,
                C::NameKana,
                C::PostalCode,
                C::Address,
                C::Phone,
            ] {
                bump(&mut truth, c);
                bump(&mut truth, c);
            }
            bump(&mut truth, C::Email);
            continue;
        }
        if form == Form::Fixed {
            fixed_record(&mut rng, &p, records.len(), &mut out, &mut truth);
            records.push(serde_json::Value::Null);
            continue;
        }
        if form == Form::Bookings {
            bookings_row(
                &mut rng, &p, &birth, &phone, &pp, &issue, &mut out, &mut truth,
            );
            records.push(serde_json::Value::Null);
            continue;
        }
        if form == Form::Members {
            let (pref, city) = POSTAL_TABLE.lookup(p.postal).unwrap_or(("", ""));
            let street = p.address.get(pref.len() + city.len()..).unwrap_or("");
            let building = if rng.chance(0.3) {
                format!("メゾン{}{}号室", p.first.kanji, rng.range(101, 909))
            } else {
                String::new()
            };
            let mobile = format!(
                "0{}0{}{}{}",
                rng.range(7, 9),
                rng.range(1, 9),
                digits(&mut rng, 3),
                digits(&mut rng, 4)
            );
            let (y, m, d) = p.birth;
            out.push_str(&format!(
                "{},{},{},{},{},{},{y:04}{m:02}{d:02},{:07},{pref},{city},{street},{building},{},{mobile}\n",
                rng.range(100_000, 999_999),
                p.last.kanji,
                p.first.kanji,
                halfwidth(p.last.kana),
                halfwidth(p.first.kana),
                if p.male { 1 } else { 2 },
                p.postal,
                p.phone.replace('-', ""),
            ));
            for c in [
                C::NameKanji,
                C::NameKana,
                C::Gender,
                C::BirthDate,
                C::PostalCode,
                C::Address,
                C::Phone,
                C::Phone,
            ] {
                bump(&mut truth, c);
            }
            continue;
        }
        for c in [
            C::NameKanji,
            C::NameKana,
            C::NameRomaji,
            C::Gender,
            C::BirthDate,
            C::Email,
            C::PostalCode,
            C::Address,
            C::Phone,
        ] {
            bump(&mut truth, c);
        }
        if p.passport.is_some() {
            bump(&mut truth, C::PassportNumber);
            bump(&mut truth, C::PassportIssueDate);
        }
        match form {
            Form::Csv | Form::Tsv | Form::CsvNoHeader => {
                let cells = [
                    p.kanji(),
                    p.kana(),
                    p.romaji(),
                    gender.to_string(),
                    birth,
                    p.email.clone(),
                    p.postal_str(),
                    p.address.clone(),
                    phone,
                    pp,
                    issue,
                ];
                out.push_str(&cells.join(sep));
                out.push('\n');
            }
            Form::Jsonl => {
                let v = serde_json::json!({
                    "name": p.kanji(), "name_kana": p.kana(), "name_romaji": p.romaji(),
                    "gender": if p.male { "M" } else { "F" }, "birth_date": birth, "email": p.email,
                    "postal_code": p.postal_str(), "address": p.address, "phone": phone,
                    "passport_no": pp, "passport_issued": issue,
                });
                out.push_str(&v.to_string());
                out.push('\n');
            }
            Form::Json => {
                let mut v = serde_json::json!({
                    "id": records.len() + 1,
                    "name": {"last": p.last.kanji, "first": p.first.kanji},
                    "kana": {"last": p.last.kana, "first": p.first.kana},
                    "romaji": p.romaji(), "gender": gender, "birthday": birth,
                    "email": p.email,
                    "address": {"zip": p.postal_str(), "line": p.address},
                    "phones": [phone],
                });
                if p.passport.is_some() {
                    v["passport"] = serde_json::json!({"number": pp, "issued": issue});
                }
                records.push(v);
            }
            Form::Text => {
                if rng.chance(0.5) {
                    out.push_str(&format!(
                        "お客様情報\n氏名：{}\nフリガナ：{}\nローマ字：{}\n性別：{gender}\n生年月日：{birth}\nメール：{}\n〒{} {}\n電話{phone}\n",
                        p.kanji(), p.kana(), p.romaji(), p.email, p.postal_str(), p.address
                    ));
                    if p.passport.is_some() {
                        out.push_str(&format!("旅券番号：{pp}　発行日：{issue}\n"));
                    }
                } else {
                    out.push_str(&format!(
                        "Customer record. Name: {} / 氏名 {} / フリガナ {}. Gender: {}. Date of birth: {birth}. Mail {} tel. {phone}. Address: 〒{} {}.",
                        p.romaji(), p.kanji(), p.kana(), if p.male { "male" } else { "female" }, p.email, p.postal_str(), p.address
                    ));
                    if p.passport.is_some() {
                        out.push_str(&format!(" Passport {pp}, issued {issue}."));
                    }
                    out.push('\n');
                }
                out.push('\n');
            }
            Form::Xml => {
                let x = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
                out.push_str(&format!(
                    "    <customer id=\"{}\">\n      <name><last>{}</last><first>{}</first></name>\n      \
                     <kana>{}</kana><romaji>{}</romaji><gender>{gender}</gender>\n      \
                     <birthday>{}</birthday><email>{}</email>\n      \
                     <address><zip>{}</zip><line>{}</line></address><tel>{}</tel>\n",
                    records.len() + 1,
                    p.last.kanji,
                    p.first.kanji,
                    p.kana(),
                    p.romaji(),
                    x(&birth),
                    x(&p.email),
                    p.postal_str(),
                    x(&p.address),
                    x(&phone),
                ));
                if p.passport.is_some() {
                    out.push_str(&format!(
                        "      <passport><number>{pp}</number><issued>{}</issued></passport>\n",
                        x(&issue)
                    ));
                }
                out.push_str(
                    "      <!-- 備考 --><note><![CDATA[<要確認>]]></note>\n    </customer>\n",
                );
                records.push(serde_json::Value::Null);
            }
            Form::Members
            | Form::Vcard
            | Form::Memo
            | Form::Logs
            | Form::Orders
            | Form::Bookings
            | Form::Fixed => {}
        }
    }
    if form == Form::Xml {
        out = format!(
            "<?xml version=\"1.0\"?>\n<export total=\"{n}\">\n  <customers>\n{out}  </customers>\n</export>\n"
        );
    }
    if form == Form::Json {
        let doc = serde_json::json!({
            "status": "ok",
            "total": n,
            "customers": records,
        });
        out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
    }
    (out, truth)
}

/// How a table is printed: by MySQL's client (a prompt, rules and bars, a footer), by psql
/// (a header, a rule, `|` between the cells, a footer), or as Markdown (bars, a rule of
/// `---`, under a heading).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Printed {
    /// MySQL's interactive client (`mysql -t`).
    Mysql,
    /// psql's aligned output.
    Psql,
    /// A Markdown table.
    Markdown,
}

/// `rows` (the header first) as `style` prints them, cells padded to their column's width in
/// characters.
pub fn client_table(rows: &[Vec<&str>], style: Printed) -> Vec<u8> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..cols).map(width).collect();
    let line = |r: &Vec<&str>| -> String {
        let cells: Vec<String> = (0..cols)
            .map(|i| {
                let c = r.get(i).copied().unwrap_or("");
                format!("{c}{}", " ".repeat(widths[i] - c.chars().count()))
            })
            .collect();
        match style {
            Printed::Psql => format!(" {}\n", cells.join(" | ")),
            _ => format!("| {} |\n", cells.join(" | ")),
        }
    };
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    let n = rows.len() - 1;
    let mut out = String::new();
    match style {
        Printed::Mysql => {
            let rule = format!("+{}+\n", dashes.join("+"));
            out.push_str("mysql> SELECT * FROM customers;\n");
            out.push_str(&rule);
            out.push_str(&line(&rows[0]));
            out.push_str(&rule);
            rows[1..].iter().for_each(|r| out.push_str(&line(r)));
            out.push_str(&rule);
            out.push_str(&format!("{n} rows in set (0.01 sec)\n"));
        }
        Printed::Psql => {
            out.push_str(&line(&rows[0]));
            out.push_str(&format!("{}\n", dashes.join("+")));
            rows[1..].iter().for_each(|r| out.push_str(&line(r)));
            out.push_str(&format!("({n} rows)\n"));
        }
        Printed::Markdown => {
            out.push_str("## 顧客一覧\n\n問い合わせ対応用（社外秘）\n\n");
            out.push_str(&line(&rows[0]));
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w.max(&3))).collect();
            out.push_str(&format!("| {} |\n", rule.join(" | ")));
            rows[1..].iter().for_each(|r| out.push_str(&line(r)));
        }
    }
    out.into_bytes()
}

/// `rows` (the header first) as MySQL's vertical records (`\G`).
pub fn client_vertical(rows: &[Vec<&str>]) -> Vec<u8> {
    let w = rows[0].iter().map(|h| h.chars().count()).max().unwrap_or(0);
    let mut out = String::from("mysql> SELECT * FROM customers\\G\n");
    for (n, r) in rows[1..].iter().enumerate() {
        out.push_str(&format!(
            "*************************** {}. row ***************************\n",
            n + 1
        ));
        for (h, v) in rows[0].iter().zip(r) {
            let pad = " ".repeat(w - h.chars().count());
            out.push_str(&format!("{pad}{h}: {v}\n"));
        }
    }
    out.push_str(&format!("{} rows in set (0.00 sec)\n", rows.len() - 1));
    out.into_bytes()
}

/// Companies and titles of [`Form::Memo`]'s signatures.
const MEMO_COMPANIES: [&str; 4] = [
    "株式会社山田商事",
    "東都物産株式会社",
    "みらい工業",
    "株式会社ABC",
];
const MEMO_TITLES: [&str; 5] = ["代表取締役", "部長", "課長", "弁護士", "代表取締役社長"];

/// One [`Form::Memo`] block for `p` (and the persons it lists beside it), its truth counted.
fn memo(
    rng: &mut Rng,
    p: &Person,
    birth: &str,
    phone: &str,
    out: &mut String,
    truth: &mut BTreeMap<Category, u64>,
) {
    use Category as C;
    let gender = if p.male { "男" } else { "女" };
    let planted: Vec<C> = match rng.below(4) {
        0 => {
            out.push_str(&format!(
                "{}{}様（{}、電話{phone}）より、登録内容の変更依頼がありました。\n\
                 メールアドレスは {} です。{birth}生まれ、性別：{gender}。\n",
                p.last.kanji, p.first.kanji, p.address, p.email
            ));
            vec![
                C::NameKanji,
                C::Address,
                C::Phone,
                C::Email,
                C::BirthDate,
                C::Gender,
            ]
        }
        1 => {
            out.push_str(&format!(
                "氏名：{}{} {phone} {}\n口座名義 {}　生年月日 {birth}\n",
                p.last.kanji,
                p.first.kanji,
                p.email,
                p.kana()
            ));
            vec![C::NameKanji, C::Phone, C::Email, C::NameKana, C::BirthDate]
        }
        2 => {
            let (q, r, s) = (
                Person::random(rng),
                Person::random(rng),
                Person::random(rng),
            );
            let sep = ["、", "・", "，"][rng.below(3) as usize];
            out.push_str(&format!(
                "議事録\n出席者：{}{sep}{}{sep}{}\n{} {} {}\n緊急連絡先：{}（家族）{phone}\n",
                p.kanji(),
                q.kanji(),
                r.kanji(),
                MEMO_COMPANIES[rng.below(MEMO_COMPANIES.len() as u64) as usize],
                MEMO_TITLES[rng.below(MEMO_TITLES.len() as u64) as usize],
                s.kanji(),
                p.kanji(),
            ));
            vec![C::NameKanji; 5]
                .into_iter()
                .chain([C::Phone])
                .collect()
        }
        _ => {
            let q = Person::random(rng);
            out.push_str(&format!(
                "-----Original Message-----\nTo: {} <{}>, {} <{}>\n\
                 Name: {} / 〒{} {}\n",
                p.kanji(),
                p.email,
                q.kanji(),
                q.email,
                p.romaji(),
                p.postal_str(),
                p.address
            ));
            vec![
                C::NameKanji,
                C::NameKanji,
                C::Email,
                C::Email,
                C::NameRomaji,
                C::PostalCode,
                C::Address,
            ]
        }
    };
    for c in planted {
        bump(truth, c);
    }
    out.push('\n');
}

/// `s` percent-encoded as a form encodes a field (RFC 3986's unreserved bytes as they are,
/// a space as `+`), its bytes in `enc`.
pub fn form_encode(s: &str, enc: &'static encoding_rs::Encoding) -> String {
    let (bytes, _, _) = enc.encode(s);
    let mut out = String::new();
    for &b in bytes.iter() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `s` as a JSON string whose characters outside ASCII are `\uXXXX` escapes, as Python's
/// `json.dumps` writes it by default.
fn json_ascii(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// One [`Form::Logs`] line for `p`, its truth counted.
fn log_line(
    rng: &mut Rng,
    p: &Person,
    birth: &str,
    phone: &str,
    out: &mut String,
    truth: &mut BTreeMap<Category, u64>,
) {
    use Category as C;
    use encoding_rs::{SHIFT_JIS, UTF_8};
    let ip = format!("203.0.113.{}", rng.range(1, 254));
    let t = format!(
        "2026-12-{:02}T{:02}:{:02}:{:02}+09:00",
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59)
    );
    let sex = if p.male { "M" } else { "F" };
    let planted: Vec<C> = match rng.below(8) {
        0 => {
            out.push_str(&format!(
                "{ip} - - [01/Dec/2026:10:{:02}:00 +0900] \"GET /entry/confirm?name={}&kana={}&mail={}&tel={} HTTP/1.1\" 200 {} \"-\" \"Mozilla/5.0\"\n",
                rng.range(0, 59),
                form_encode(&p.kanji(), UTF_8),
                form_encode(&p.kana(), UTF_8),
                form_encode(&p.email, UTF_8),
                form_encode(phone, UTF_8),
                rng.range(200, 9000),
            ));
            vec![C::NameKanji, C::NameKana, C::Email, C::Phone]
        }
        1 => {
            out.push_str(&format!(
                "{ip} - - [01/Dec/2026:10:{:02}:00 +0900] \"GET /cgi-bin/toroku.cgi?shimei={}&tel={}&mode=confirm HTTP/1.0\" 200 {}\n",
                rng.range(0, 59),
                form_encode(&p.kanji(), SHIFT_JIS),
                form_encode(phone, SHIFT_JIS),
                rng.range(200, 9000),
            ));
            vec![C::NameKanji, C::Phone]
        }
        2 => {
            out.push_str(&format!(
                "{t} INFO  [web] POST /member/register body=sei={}&mei={}&sei_kana={}&mei_kana={}&birth={}&zip={}\n",
                form_encode(p.last.kanji, UTF_8),
                form_encode(p.first.kanji, UTF_8),
                form_encode(p.last.kana, UTF_8),
                form_encode(p.first.kana, UTF_8),
                form_encode(birth, UTF_8),
                p.postal_str(),
            ));
            vec![C::NameKanji, C::NameKana, C::BirthDate, C::PostalCode]
        }
        3 => {
            out.push_str(&format!(
                "{t} INFO  [member] updated id={} name=\"{}\" kana=\"{}\" sex={sex} birth={birth} mail={} tel={phone} addr=\"{}\"\n",
                rng.range(10000, 99999),
                p.kanji(),
                p.kana(),
                p.email,
                p.address,
            ));
            vec![
                C::NameKanji,
                C::NameKana,
                C::Gender,
                C::BirthDate,
                C::Email,
                C::Phone,
                C::Address,
            ]
        }
        5 => {
            // MySQL's general query log.
            out.push_str(&format!(
                "{t}\t   15 Query\tINSERT INTO customers (name, kana, birthday, email, tel, zip, address) VALUES ('{}', '{}', '{birth}', '{}', '{phone}', '{}', '{}')\n",
                p.kanji(),
                p.kana(),
                p.email,
                p.postal_str(),
                p.address,
            ));
            vec![
                C::NameKanji,
                C::NameKana,
                C::BirthDate,
                C::Email,
                C::Phone,
                C::PostalCode,
                C::Address,
            ]
        }
        6 => {
            // Rails' parameters.
            out.push_str(&format!(
                "Started POST \"/members\" for {ip} at 2026-12-01 10:00:00 +0900\n  Parameters: {{\"member\"=>{{\"name\"=>\"{}\", \"kana\"=>\"{}\", \"email\"=>\"{}\", \"tel\"=>\"{phone}\", \"sex\"=>\"{sex}\"}}}}\n",
                p.kanji(),
                p.kana(),
                p.email,
            ));
            vec![C::NameKanji, C::NameKana, C::Email, C::Phone, C::Gender]
        }
        7 => {
            // Java's `toString`.
            out.push_str(&format!(
                "{t} DEBUG [http-nio-8080-exec-{}] c.e.shop.MemberService - saved Member{{id={}, name='{}', nameKana='{}', mail='{}', birthDate={birth}}}\n",
                rng.range(1, 9),
                rng.range(1, 99999),
                p.kanji(),
                p.kana(),
                p.email,
            ));
            vec![C::NameKanji, C::NameKana, C::Email, C::BirthDate]
        }
        _ => {
            out.push_str(&format!(
                "{t} DEBUG [api] request payload={{\"customer_name\": {}, \"name_romaji\": \"{}\", \"gender\": \"{sex}\", \"email\": \"{}\", \"zip\": \"{}\", \"address\": {}}}\n",
                json_ascii(&p.kanji()),
                p.romaji(),
                p.email,
                p.postal_str(),
                json_ascii(&p.address),
            ));
            vec![
                C::NameKanji,
                C::NameRomaji,
                C::Gender,
                C::Email,
                C::PostalCode,
                C::Address,
            ]
        }
    };
    for c in planted {
        bump(truth, c);
    }
}

/// A Zengin bank transfer file (`crate::zengin`): a header, `n` payees and one company
/// payee for every 30 (not counted), a trailer and an end record, the records separated by
/// `newline` (`"\r\n"`, or `""`: one after the other). Payee names in half-width katakana,
/// padded to their 30 characters; every field one Shift_JIS byte a character.
pub fn zengin(seed: u64, n: usize, newline: &str) -> (String, BTreeMap<Category, u64>) {
    let mut rng = Rng::new(seed);
    let mut truth = BTreeMap::new();
    let pad = |s: &str, w: usize| -> String {
        let mut v: String = s.chars().take(w).collect();
        let len = v.chars().count();
        v.extend(std::iter::repeat_n(' ', w - len));
        v
    };
    let mut out = String::new();
    let push = |out: &mut String, rec: String| {
        debug_assert_eq!(rec.chars().count(), crate::zengin::RECORD, "{rec}");
        out.push_str(&rec);
        out.push_str(newline);
    };
    push(
        &mut out,
        format!(
            "1210{}{}03310005{}001{}1{}{}",
            digits(&mut rng, 10),
            pad("ｶ)ｷﾂﾞｷｼｮｳｼﾞ", 40),
            pad("ﾐﾂﾋﾞｼﾕｰｴﾌｼﾞｪｲ", 15),
            pad("ﾎﾝﾃﾝ", 15),
            digits(&mut rng, 7),
            " ".repeat(17)
        ),
    );
    let mut total = 0u64;
    let mut records = 0;
    for i in 0..n + n / 30 {
        let company = i % 31 == 30;
        let name = if company {
            format!("ｶ){}", halfwidth("ヤマダショウジ"))
        } else {
            let p = Person::random(&mut rng);
            bump(&mut truth, Category::NameKana);
            bump(&mut truth, Category::BankAccount);
            format!("{} {}", halfwidth(p.last.kana), halfwidth(p.first.kana))
        };
        let amount = rng.range(10_000, 999_999) as u64;
        total += amount;
        records += 1;
        push(
            &mut out,
            format!(
                "2{}{}{}{}{}{}{}{}{amount:010}0{}{}7{}",
                digits(&mut rng, 4),
                pad("ﾐｽﾞﾎ", 15),
                digits(&mut rng, 3),
                pad("ｼﾌﾞﾔ", 15),
                "    ",
                rng.range(1, 2),
                digits(&mut rng, 7),
                pad(&name, 30),
                digits(&mut rng, 10),
                digits(&mut rng, 10),
                " ".repeat(8)
            ),
        );
    }
    push(
        &mut out,
        format!("8{records:06}{total:012}{}", " ".repeat(101)),
    );
    push(&mut out, format!("9{}", " ".repeat(119)));
    (out, truth)
}

/// A database server's and an application's logs of `n` customers saved by prepared
/// statements, whose values are bound to placeholders (`crate::sql`): PostgreSQL with
/// `log_statement = all` (the statement, then `DETAIL:  parameters: $1 = '…'`), PostgreSQL
/// with `log_min_duration_statement = 0`, and Rails' log (the binds after the statement by
/// their columns' names, `$n` or MySQL's `?`), and Hibernate's (a line per bound value after
/// the statement). Between them, statements with no personal data
/// (`BEGIN`, a look-up by id with its parameter, timestamps bound as `created_at`).
pub fn db_log(seed: u64, n: usize) -> (String, BTreeMap<Category, u64>) {
    use Category as C;
    let mut rng = Rng::new(seed);
    let mut truth = BTreeMap::new();
    let mut out = String::new();
    for i in 0..n {
        let p = Person::random(&mut rng);
        let (y, m, d) = p.birth;
        let birth = format!("{y:04}-{m:02}-{d:02}");
        let t = format!(
            "2026-12-01 {:02}:{:02}:{:02}.{:03} JST",
            rng.range(0, 23),
            rng.range(0, 59),
            rng.range(0, 59),
            rng.range(0, 999)
        );
        let pid = rng.range(1000, 65000);
        let q = |v: &str| format!("'{}'", v.replace('\'', "''"));
        let planted = match rng.below(4) {
            0 => {
                out.push_str(&format!(
                    "{t} [{pid}] LOG:  statement: BEGIN\n\
                     {t} [{pid}] LOG:  execute <unnamed>: INSERT INTO public.customers (name, kana, birthday, email, tel, zip, address, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)\n\
                     {t} [{pid}] DETAIL:  parameters: $1 = {}, $2 = {}, $3 = '{birth}', $4 = {}, $5 = {}, $6 = '{}', $7 = {}, $8 = '2026-12-01 10:00:00+09'\n\
                     {t} [{pid}] LOG:  statement: COMMIT\n",
                    q(&p.kanji()),
                    q(&p.kana()),
                    q(&p.email),
                    q(&p.phone),
                    p.postal_str(),
                    q(&p.address),
                ));
                vec![
                    C::NameKanji,
                    C::NameKana,
                    C::BirthDate,
                    C::Email,
                    C::Phone,
                    C::PostalCode,
                    C::Address,
                ]
            }
            1 => {
                out.push_str(&format!(
                    "{t} [{pid}] LOG:  duration: 0.{:03} ms  execute S_{}: INSERT INTO \"members\" (\"member_no\", \"name\", \"name_kana\", \"birth_date\", \"mail\") VALUES ($1, $2, $3, $4, $5)\n\
                     {t} [{pid}] DETAIL:  parameters: $1 = '{}', $2 = {}, $3 = {}, $4 = '{birth}', $5 = {}\n\
                     {t} [{pid}] LOG:  duration: 0.051 ms  execute S_2: SELECT id FROM members WHERE member_no = $1\n\
                     {t} [{pid}] DETAIL:  parameters: $1 = '{}'\n",
                    rng.range(100, 999),
                    rng.range(1, 9),
                    100_000 + i,
                    q(&p.kanji()),
                    q(&p.kana()),
                    q(&p.email),
                    100_000 + i,
                ));
                vec![C::NameKanji, C::NameKana, C::BirthDate, C::Email]
            }
            2 => {
                // Hibernate: the statement, then a line per bound value (Hibernate 5 on one
                // line; Hibernate 6 spread over lines by `format_sql`).
                let th = "[nio-8080-exec-3] o.h.type.descriptor.sql.BasicBinder";
                if rng.chance(0.5) {
                    out.push_str(&format!(
                        "{t} DEBUG {pid} --- [nio-8080-exec-3] org.hibernate.SQL : insert into customers (birthday, email, kana, name, phone, id) values (?, ?, ?, ?, ?, ?)\n\
                         {t} TRACE {pid} --- {th} : binding parameter [1] as [DATE] - [{birth}]\n\
                         {t} TRACE {pid} --- {th} : binding parameter [2] as [VARCHAR] - [{}]\n\
                         {t} TRACE {pid} --- {th} : binding parameter [3] as [VARCHAR] - [{}]\n\
                         {t} TRACE {pid} --- {th} : binding parameter [4] as [VARCHAR] - [{}]\n\
                         {t} TRACE {pid} --- {th} : binding parameter [5] as [VARCHAR] - [{}]\n\
                         {t} TRACE {pid} --- {th} : binding parameter [6] as [BIGINT] - [{}]\n",
                        p.email,
                        p.kana(),
                        p.kanji(),
                        p.phone,
                        200_000 + i,
                    ));
                } else {
                    out.push_str(&format!(
                        "Hibernate: \n    insert \n    into\n        customers\n        (birthday, email, kana, name, phone, id) \n    values\n        (?, ?, ?, ?, ?, ?)\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (1:DATE) <- [{birth}]\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (2:VARCHAR) <- [{}]\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (3:VARCHAR) <- [{}]\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (4:VARCHAR) <- [{}]\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (5:VARCHAR) <- [{}]\n\
                         {t} TRACE {pid} --- [nio-8080-exec-3] org.hibernate.orm.jdbc.bind : binding parameter (6:BIGINT) <- [{}]\n",
                        p.email,
                        p.kana(),
                        p.kanji(),
                        p.phone,
                        200_000 + i,
                    ));
                }
                vec![C::NameKanji, C::NameKana, C::BirthDate, C::Email, C::Phone]
            }
            _ => {
                let ph = if rng.chance(0.5) {
                    "$1, $2, $3, $4, $5, $6, $7"
                } else {
                    "?, ?, ?, ?, ?, ?, ?"
                };
                let ruby =
                    |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
                out.push_str(&format!(
                    "Started POST \"/customers\" for 203.0.113.{} at 2026-12-01 10:00:00 +0900\n\
                     Processing by CustomersController#create as HTML\n  \
                     TRANSACTION (0.2ms)  BEGIN\n  \
                     Customer Create (0.9ms)  INSERT INTO \"customers\" (\"name\", \"kana\", \"email\", \"tel\", \"birthday\", \"created_at\", \"updated_at\") VALUES ({ph}) RETURNING \"id\"  [[\"name\", {}], [\"kana\", {}], [\"email\", {}], [\"tel\", {}], [\"birthday\", \"{birth}\"], [\"created_at\", \"2026-12-01 01:00:00.{:06}\"], [\"updated_at\", \"2026-12-01 01:00:00.{:06}\"]]\n  \
                     TRANSACTION (0.4ms)  COMMIT\n\
                     Completed 302 Found in 12ms (ActiveRecord: 1.5ms | Allocations: 4711)\n",
                    rng.range(1, 254),
                    ruby(&p.kanji()),
                    ruby(&p.kana()),
                    ruby(&p.email),
                    ruby(&p.phone),
                    rng.range(0, 999_999),
                    rng.range(0, 999_999),
                ));
                vec![C::NameKanji, C::NameKana, C::Email, C::Phone, C::BirthDate]
            }
        };
        for c in planted {
            bump(&mut truth, c);
        }
    }
    (out, truth)
}

/// How [`dump_of`] writes a dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dumped {
    /// mysqldump: multi-line `CREATE TABLE`s, 40 rows an extended `INSERT`.
    Mysql,
    /// pg_dump: `COPY … FROM stdin` blocks.
    Postgres,
    /// sqlite3 `.dump`: one-line `CREATE TABLE`s, an `INSERT` a row.
    Sqlite,
    /// phpMyAdmin's export: multi-line `CREATE TABLE`s, `INSERT INTO t (columns) VALUES`
    /// then a row a line, 25 rows a statement.
    PhpMyAdmin,
}

/// The rows of a CSV with a header (as [`persons_text`] writes it; no quoted cells) as a
/// SQL dump in `style`, in two tables (the second defined half-way) with a small table
/// between them that never holds enough rows to be classified.
pub fn dump_of(csv: &str, style: Dumped) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let (first, second) = rows.split_at(rows.len() / 2);
    let tuple = |i: usize, r: &[&str]| {
        let cells: Vec<String> = r.iter().map(|c| format!("'{c}'")).collect();
        format!("({i},{})", cells.join(","))
    };
    let mut out = String::from(match style {
        Dumped::Postgres => "-- PostgreSQL database dump\n",
        Dumped::Mysql => "-- MySQL dump 10.13\n",
        Dumped::PhpMyAdmin => "-- phpMyAdmin SQL Dump\n-- version 5.2.1\n\n",
        Dumped::Sqlite => "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n",
    });
    for (t, part) in [("customers", first), ("members", second)] {
        match style {
            Dumped::Postgres => {
                out.push_str(&format!(
                    "COPY public.{t} (id, {}) FROM stdin;\n",
                    header.join(", ")
                ));
                for (i, r) in part.iter().enumerate() {
                    out.push_str(&format!("{i}\t{}\n", r.join("\t")));
                }
                out.push_str("\\.\n");
            }
            Dumped::PhpMyAdmin => {
                out.push_str(&format!("CREATE TABLE `{t}` (\n  `id` int(11) NOT NULL,\n"));
                for h in &header {
                    out.push_str(&format!("  `{h}` varchar(64) NOT NULL,\n"));
                }
                out.push_str("  `note` text\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n");
                let cols: Vec<String> = header.iter().map(|h| format!("`{h}`")).collect();
                for (k, rows) in part.chunks(25).enumerate() {
                    out.push_str(&format!(
                        "INSERT INTO `{t}` (`id`, {}) VALUES\n",
                        cols.join(", ")
                    ));
                    for (j, r) in rows.iter().enumerate() {
                        let end = if j + 1 == rows.len() { ";" } else { "," };
                        out.push_str(&format!("{}{end}\n", tuple(k * 25 + j, r)));
                    }
                    out.push('\n');
                }
            }
            Dumped::Mysql => {
                out.push_str(&format!("CREATE TABLE `{t}` (\n  `id` int NOT NULL,\n"));
                for h in &header {
                    out.push_str(&format!("  `{h}` varchar(64),\n"));
                }
                out.push_str("  PRIMARY KEY (`id`)\n);\n");
                for (k, rows) in part.chunks(40).enumerate() {
                    let values: Vec<String> = rows
                        .iter()
                        .enumerate()
                        .map(|(i, r)| tuple(k * 40 + i, r))
                        .collect();
                    out.push_str(&format!("INSERT INTO `{t}` VALUES {};\n", values.join(",")));
                }
            }
            Dumped::Sqlite => {
                let cols: Vec<String> = header.iter().map(|h| format!("{h} TEXT")).collect();
                out.push_str(&format!(
                    "CREATE TABLE {t}(id INTEGER PRIMARY KEY, {});\n",
                    cols.join(", ")
                ));
                for (i, r) in part.iter().enumerate() {
                    out.push_str(&format!("INSERT INTO {t} VALUES{};\n", tuple(i, r)));
                }
            }
        }
        if t == "customers" {
            out.push_str("INSERT INTO prefs VALUES (1,'北海道'),(2,'青森県');\n");
        }
    }
    out
}

/// JSON Lines records (one object a line) with, in every `every`-th record, an attachment as
/// a mail API exports it (`"attachments":[{"name":"名簿-N.csv","contentType":"text/csv",
/// "contentBytes":"…"}]`: a Shift_JIS CSV of 20 persons in base64); from the third one on,
/// every other attachment is a `data:` URI under `"file"` (no name) holding a zip of it.
/// Returns the text and how many attachments it holds.
pub fn with_attachments(jsonl: &str, every: usize, seed: u64) -> (String, usize) {
    let mut out = String::new();
    let mut n = 0;
    for (i, line) in jsonl.lines().enumerate() {
        match line.strip_suffix('}') {
            Some(l) if i % every.max(1) == every.max(1) - 1 => {
                n += 1;
                let csv = persons_file(seed + i as u64, 20, Form::Csv, encoding_rs::SHIFT_JIS);
                if n >= 3 && n % 2 == 1 {
                    let zip = zip_of(&[("名簿.csv", &csv.data)]).unwrap_or_default();
                    let b64 =
                        String::from_utf8(base64_of(&zip, usize::MAX, false)).unwrap_or_default();
                    out.push_str(&format!(
                        "{l},\"file\":\"data:application/zip;base64,{}\"}}",
                        b64.trim_end()
                    ));
                } else {
                    let b64 =
                        String::from_utf8(base64_of(&csv.data, 76, false)).unwrap_or_default();
                    // Lines of 76 as MIME writes them, the line ends escaped in JSON.
                    let b64 = b64.trim_end().replace('\n', "\\r\\n");
                    out.push_str(&format!(
                        "{l},\"attachments\":[{{\"name\":\"名簿-{n}.csv\",\"contentType\":\"text/csv\",\"contentBytes\":\"{b64}\"}}]}}"
                    ));
                }
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    (out, n)
}

/// A file of `n` persons in `form` and `enc`.
pub fn persons_file(seed: u64, n: usize, form: Form, enc: &'static Encoding) -> Generated {
    let (text, truth) = persons_text(seed, n, form);
    Generated {
        name: format!(
            "persons-{}-{}.{}",
            form_name(form),
            decode::name(enc),
            form.ext()
        ),
        data: decode::encode(enc, &text),
        truth,
        persons: n as u64,
    }
}

fn form_name(f: Form) -> &'static str {
    match f {
        Form::Csv => "csv",
        Form::CsvNoHeader => "noheader",
        Form::Tsv => "tsv",
        Form::Jsonl => "jsonl",
        Form::Json => "json",
        Form::Vcard => "vcard",
        Form::Xml => "xml",
        Form::Text => "text",
        Form::Members => "members",
        Form::Memo => "memo",
        Form::Logs => "logs",
        Form::Orders => "orders",
        Form::Bookings => "bookings",
        Form::Fixed => "fixed",
    }
}

/// A date as airlines write it (`12APR80`).
fn airline_date((y, m, d): (i32, u32, u32)) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let month = MONTHS.get(m.saturating_sub(1) as usize).unwrap_or(&"JAN");
    format!("{d:02}{month}{:02}", y.rem_euclid(100))
}

/// `s` padded to `width` places counted as Shift_JIS counts them (a kanji two), with `fill`
/// (`　` or ` `) and a space for an odd place left; cut when longer.
fn pad_sjis(s: &str, width: usize, fill: char) -> String {
    let w = |c: char| {
        if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) {
            1
        } else {
            2
        }
    };
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        if used + w(c) > width {
            break;
        }
        out.push(c);
        used += w(c);
    }
    while used + w(fill) <= width {
        out.push(fill);
        used += w(fill);
    }
    while used < width {
        out.push(' ');
        used += 1;
    }
    out
}

/// One record of [`Form::Fixed`] (customer `i`), with what it plants.
fn fixed_record(
    rng: &mut Rng,
    p: &Person,
    i: usize,
    out: &mut String,
    truth: &mut BTreeMap<Category, u64>,
) {
    use Category as C;
    let (y, m, d) = p.birth;
    let birth = if rng.chance(0.05) {
        "00000000".to_string()
    } else {
        bump(truth, C::BirthDate);
        format!("{y:04}{m:02}{d:02}")
    };
    let (passport, issue) = match &p.passport {
        Some((no, (y, m, d))) => {
            bump(truth, C::PassportNumber);
            bump(truth, C::PassportIssueDate);
            (no.clone(), format!("{y:04}{m:02}{d:02}"))
        }
        None => (" ".repeat(9), " ".repeat(8)),
    };
    out.push_str(&format!(
        "{:08}{}{}{}{birth}{:07}{}{}{}{passport}{issue}2024{:02}{:02}{:02}{:02}{:02}\r\n",
        10_000 + i,
        pad_sjis(&format!("{}　{}", p.last.kanji, p.first.kanji), 24, '　'),
        pad_sjis(
            &halfwidth(&format!("{} {}", p.last.kana, p.first.kana)),
            20,
            ' '
        ),
        if p.male { 1 } else { 2 },
        p.postal,
        pad_sjis(&p.address, 80, '　'),
        pad_sjis(&p.phone, 13, ' '),
        pad_sjis(&p.email, 50, ' '),
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59),
    ));
    for c in [
        C::NameKanji,
        C::NameKana,
        C::Gender,
        C::PostalCode,
        C::Address,
        C::Phone,
        C::Email,
    ] {
        bump(truth, c);
    }
}

/// One row of [`Form::Bookings`], with what it plants.
#[allow(clippy::too_many_arguments)]
fn bookings_row(
    rng: &mut Rng,
    p: &Person,
    birth: &str,
    phone: &str,
    passport: &str,
    issue: &str,
    out: &mut String,
    truth: &mut BTreeMap<Category, u64>,
) {
    use Category as C;
    let (last, first) = (romaji(&p.last), romaji(&p.first));
    let title = match (p.male, rng.below(2)) {
        (true, _) => "MR",
        (false, 0) => "MS",
        (false, _) => "MRS",
    };
    // The title after a space, or joined as some systems write it.
    let sep = if rng.chance(0.5) { " " } else { "" };
    let departure = format!("2016/{}/{}", rng.range(3, 12), rng.range(1, 28));
    let (expiry, apis) = match &p.passport {
        Some((_, (y, m, d))) => {
            let until = (y + 10, *m, (*d).min(28));
            (
                format!("{}/{:02}/{:02}", until.0, until.1, until.2),
                format!(
                    "SSR DOCS JL HK1 P/JPN/{passport}/JPN/{}/{}/{}/{last}/{first}-1.1",
                    airline_date(p.birth),
                    if p.male { "M" } else { "F" },
                    airline_date(until),
                ),
            )
        }
        None => (String::new(), String::new()),
    };
    out.push_str(&format!(
        "R{},{departure},JL{:03},{},{last}/{first}{sep}{title},{},{birth},{phone},{},{passport},{issue},{expiry},{apis}\n",
        rng.range(100_000, 999_999),
        rng.range(1, 999),
        p.kanji(),
        if p.male { "男" } else { "女" },
        p.email,
    ));
    for c in [
        C::NameKanji,
        C::NameRomaji,
        C::Gender,
        C::BirthDate,
        C::Phone,
        C::Email,
    ] {
        bump(truth, c);
    }
    if p.passport.is_some() {
        for c in [
            C::PassportNumber,
            C::PassportIssueDate,
            // The APIS element's.
            C::PassportNumber,
            C::BirthDate,
            C::Gender,
            C::NameRomaji,
        ] {
            bump(truth, c);
        }
    }
}

/// Decoy text: order numbers, product codes, timestamps, versions, IPs, 12-digit numbers that
/// fail the My Number check, amounts and source code — and no personal data.
pub fn decoys_text(seed: u64, n: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for i in 0..n {
        let l1 = char::from(b'A' + rng.below(26) as u8);
        let l2 = char::from(b'A' + rng.below(26) as u8);
        let mut twelve = digits(&mut rng, 11);
        // A 12th digit that fails the My Number check.
        for c in '0'..='9' {
            let cand = format!("{twelve}{c}");
            let d: Vec<u8> = cand.bytes().map(|b| b - b'0').collect();
            if !crate::value::my_number_digits(&d) {
                twelve = cand;
                break;
            }
        }
        let line = match i % 12 {
            0 => format!(
                "注文番号: ORD-{}-{}",
                rng.range(2015, 2025),
                digits(&mut rng, 6)
            ),
            1 => format!(
                "商品コード {l1}{l2}{} 数量 {}",
                digits(&mut rng, 7),
                rng.range(1, 9)
            ),
            2 => format!(
                "2024-{:02}-{:02}T{:02}:{:02}:{:02}+09:00 INFO job done",
                rng.range(1, 12),
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59)
            ),
            3 => format!(
                "version {}.{}.{} build {}",
                rng.below(10),
                rng.below(30),
                rng.below(100),
                digits(&mut rng, 5)
            ),
            4 => format!(
                "接続元 192.168.{}.{} -> 10.0.{}.{}:8080",
                rng.below(256),
                rng.below(256),
                rng.below(256),
                rng.below(256)
            ),
            5 => format!("管理番号 {twelve}"),
            6 => format!("合計 {},{:03}円 (税込)", rng.range(1, 999), rng.below(1000)),
            7 => "fn main() { let x: u64 = 0x1234_5678; println!(\"{x}\"); }".to_string(),
            8 => format!(
                "SELECT * FROM orders WHERE id = {} AND sku = '{l1}{l2}{}';",
                digits(&mut rng, 7),
                digits(&mut rng, 7)
            ),
            9 => format!(
                "受付番号 00{} 処理日時 2024/03/15 10:23",
                digits(&mut rng, 8)
            ),
            10 => format!(
                "在庫 {}個 倉庫 B-{}",
                rng.range(1, 500),
                digits(&mut rng, 3)
            ),
            _ => format!(
                "for (int i = 0; i < {}; i++) {{ total += price[i] * {}; }}",
                rng.range(10, 1000),
                rng.range(2, 9)
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A decoy CSV (an order table) of `n` rows.
pub fn decoys_csv(seed: u64, n: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::from("order_id,sku,qty,price,ordered_at,status\n");
    for _ in 0..n {
        let l1 = char::from(b'A' + rng.below(26) as u8);
        let l2 = char::from(b'A' + rng.below(26) as u8);
        out.push_str(&format!(
            "{},{l1}{l2}{},{},{},2024-{:02}-{:02} {:02}:{:02},{}\n",
            digits(&mut rng, 10),
            digits(&mut rng, 7),
            rng.range(1, 9),
            rng.range(100, 99999),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.range(0, 23),
            rng.range(0, 59),
            ["shipped", "pending", "cancelled"][rng.below(3) as usize]
        ));
    }
    out
}

/// An order table as a Japanese shop system exports it: no personal data, but numbers
/// shaped like personal data (order and member numbers of ten digits with leading zeros,
/// which read as phone numbers, `03…`, `090…`; product codes of two letters and seven
/// digits, which read as passport numbers), under headers the classifier does not know.
pub fn decoys_csv_ja(seed: u64, n: usize) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::from("注文番号,会員番号,商品コード,数量,金額,注文日時,ステータス\n");
    for _ in 0..n {
        let l1 = char::from(b'A' + rng.below(26) as u8);
        let l2 = char::from(b'A' + rng.below(26) as u8);
        // Order numbers: `0` and nine digits, most of them a valid phone's shape.
        let lead = ["03", "06", "090", "080", "011", "045", "052"][rng.below(7) as usize];
        out.push_str(&format!(
            "{lead}{},{:010},{l1}{l2}{},{},{},2024/{:02}/{:02} {:02}:{:02},{}\n",
            digits(&mut rng, 10 - lead.len()),
            rng.range(1, 99999),
            digits(&mut rng, 7),
            rng.range(1, 9),
            rng.range(100, 99999),
            rng.range(1, 12),
            rng.range(1, 28),
            rng.range(0, 23),
            rng.range(0, 59),
            ["発送済", "未発送", "キャンセル"][rng.below(3) as usize]
        ));
    }
    out
}

/// What [`sqlite_persons`] wrote: the CSV header, the rows' cells, the truth.
pub type SqlitePersons = (Vec<String>, Vec<Vec<String>>, BTreeMap<Category, u64>);

/// The persons of [`persons_text`] (CSV form) as rows of the SQLite table `table` of `conn`,
/// created if it is not there: `id INTEGER PRIMARY KEY` and the CSV's columns as `TEXT`,
/// empty cells as NULL, ids after the table's last. Returns the CSV header, the rows' cells
/// and the truth, as [`persons_text`] counts it.
pub fn sqlite_persons(
    conn: &rusqlite::Connection,
    table: &str,
    seed: u64,
    n: usize,
) -> rusqlite::Result<SqlitePersons> {
    let (csv, truth) = persons_text(seed, n, Form::Csv);
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(String::from)
        .collect();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\" TEXT")).collect();
    conn.execute(
        &format!(
            "CREATE TABLE IF NOT EXISTS {table}(id INTEGER PRIMARY KEY, {})",
            cols.join(",")
        ),
        [],
    )?;
    let marks = vec!["?"; header.len()].join(",");
    let mut ins = conn.prepare(&format!("INSERT INTO {table} VALUES (NULL, {marks})"))?;
    for r in &rows {
        ins.execute(rusqlite::params_from_iter(
            r.iter().map(|c| (!c.is_empty()).then_some(c.as_str())),
        ))?;
    }
    Ok((header, rows, truth))
}

/// A zip archive (deflated) of `(name, bytes)` entries, for tests and the demo.
pub fn zip_of(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in entries {
        w.start_file(*name, opts).map_err(std::io::Error::other)?;
        w.write_all(data)?;
    }
    Ok(w.finish().map_err(std::io::Error::other)?.into_inner())
}

/// A gzip stream of `data`.
pub fn gzip_of(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data)?;
    e.finish()
}

/// A tar archive of `(name, bytes)` entries (fixed mode and time).
pub fn tar_of(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, name, *data)?;
    }
    b.into_inner()
}

/// An Excel 97-2003 (BIFF8, Unicode) or, with `cp932`, an Excel 95 (BIFF5, Shift_JIS code
/// page) workbook of one sheet holding `rows` as text cells: the smallest file calamine and
/// Excel read (BOF, code page, sheet entry, EOF; then the sheet's BOF, `LABEL` cells, EOF).
pub fn xls_of(sheet: &str, rows: &[Vec<&str>], cp932: bool) -> std::io::Result<Vec<u8>> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    // A string: UTF-16LE with a flag byte (BIFF8), or Shift_JIS bytes (BIFF5).
    let text = |s: &str, long: bool| -> Vec<u8> {
        let (body, n, flag): (Vec<u8>, usize, &[u8]) = if cp932 {
            let b = encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
            let n = b.len();
            (b, n, &[])
        } else {
            let u: Vec<u16> = s.encode_utf16().collect();
            (
                u.iter().flat_map(|c| c.to_le_bytes()).collect(),
                u.len(),
                &[1],
            )
        };
        let mut v = if long {
            (n as u16).to_le_bytes().to_vec()
        } else {
            vec![n as u8]
        };
        v.extend_from_slice(flag);
        v.extend(body);
        v
    };
    let (version, codepage): (u16, u16) = if cp932 { (0x0500, 932) } else { (0x0600, 1200) };
    let bof = |dt: u16| -> Vec<u8> {
        let mut b = [version.to_le_bytes(), dt.to_le_bytes()].concat();
        if !cp932 {
            b.extend_from_slice(&[0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 6, 0, 0, 0]);
        }
        b
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &codepage.to_le_bytes());
    let mut entry = vec![0u8; 4];
    entry.extend_from_slice(&[0, 0]);
    entry.extend(text(sheet, false));
    let entry_at = globals.len() + 4;
    record(&mut globals, 0x0085, &entry);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals[entry_at..entry_at + 4].copy_from_slice(&sheet_at.to_le_bytes());
    record(&mut globals, 0x0809, &bof(0x0010));
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let mut label = [(r as u16).to_le_bytes(), (c as u16).to_le_bytes(), [0, 0]].concat();
            label.extend(text(cell, true));
            record(&mut globals, 0x0204, &label);
        }
    }
    record(&mut globals, 0x000A, &[]);
    ole_of(&[(if cp932 { "/Book" } else { "/Workbook" }, &globals)])
}

/// An Excel binary workbook (`.xlsb`, MS-XLSB) of one sheet `sheet` holding `rows` as shared
/// strings: its records (a type and a size as 7-bit varints, then the data) in
/// `xl/workbook.bin`, `xl/sharedStrings.bin` and `xl/worksheets/sheet1.bin`, and the
/// relationship from the workbook to the sheet.
pub fn xlsb_of(sheet: &str, rows: &[Vec<&str>]) -> std::io::Result<Vec<u8>> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        if typ < 0x80 {
            out.push(typ as u8);
        } else {
            out.push((typ & 0x7F) as u8 | 0x80);
            out.push((typ >> 7) as u8);
        }
        let mut n = data.len();
        loop {
            let b = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(data);
    }
    fn wide(s: &str) -> Vec<u8> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut v = (units.len() as u32).to_le_bytes().to_vec();
        v.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        v
    }
    let mut wb = Vec::new();
    record(&mut wb, 0x0083, &[]);
    record(&mut wb, 0x008F, &[]);
    record(
        &mut wb,
        0x009C,
        &[
            &0u32.to_le_bytes()[..],
            &1u32.to_le_bytes(),
            &wide("rId1"),
            &wide(sheet),
        ]
        .concat(),
    );
    record(&mut wb, 0x0090, &[]);
    record(&mut wb, 0x009D, &[0u8; 26]);
    record(&mut wb, 0x0084, &[]);
    let mut strings: Vec<&str> = Vec::new();
    let mut ws = Vec::new();
    record(&mut ws, 0x0081, &[]);
    let cols = rows.iter().map(Vec::len).max().unwrap_or(1) as u32;
    let dim = [
        0u32,
        rows.len().saturating_sub(1) as u32,
        0,
        cols.saturating_sub(1),
    ];
    record(
        &mut ws,
        0x0094,
        &dim.iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    );
    record(&mut ws, 0x0091, &[]);
    for (r, row) in rows.iter().enumerate() {
        let mut hdr = (r as u32).to_le_bytes().to_vec();
        hdr.extend_from_slice(&[0u8; 13]);
        record(&mut ws, 0x0000, &hdr);
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let isst = match strings.iter().position(|s| s == v) {
                Some(i) => i,
                None => {
                    strings.push(v);
                    strings.len() - 1
                }
            };
            let cell = [
                (c as u32).to_le_bytes(),
                [0; 4],
                (isst as u32).to_le_bytes(),
            ]
            .concat();
            record(&mut ws, 0x0007, &cell);
        }
    }
    record(&mut ws, 0x0092, &[]);
    record(&mut ws, 0x0082, &[]);
    let mut sst = Vec::new();
    let n = strings.len() as u32;
    record(
        &mut sst,
        0x009F,
        &[n.to_le_bytes(), n.to_le_bytes()].concat(),
    );
    for s in &strings {
        record(&mut sst, 0x0013, &[&[0u8][..], &wide(s)].concat());
    }
    record(&mut sst, 0x00A0, &[]);
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/></Types>"#;
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("xl/workbook.bin", &wb),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes()),
        ("xl/sharedStrings.bin", &sst),
        ("xl/worksheets/sheet1.bin", &ws),
    ])
}

/// An OLE compound file (version 3, 512-byte sectors, as Office writes them: calamine
/// refuses a version 4 file without a mini stream) of `(path, bytes)` streams.
pub fn ole_of(streams: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut comp =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))?;
    for (path, data) in streams {
        comp.create_stream(path)?.write_all(data)?;
    }
    comp.flush()?;
    Ok(comp.into_inner().into_inner())
}

/// A part of a Word document for [`doc_of`].
#[derive(Clone, Debug)]
pub enum DocPart {
    /// A paragraph; `{code|result}` is a field (code dropped by readers, result shown).
    Para(String),
    /// A table row of cells.
    Row(Vec<String>),
}

/// A Word 97-2003 document (`.doc`) of `parts`, as Word saves one: a FIB, the text, the
/// piece table in the `1Table` stream, and PAPX pages marking table cells and rows (each
/// cell's end `\x07` in a table, each row's end `\x07` a table terminating paragraph).
/// `eight_bit`: the text in 8-bit pieces (windows-1252), one per paragraph, stored back to
/// front as a fast save leaves them; else one UTF-16 piece.
pub fn doc_of(parts: &[DocPart], eight_bit: bool) -> std::io::Result<Vec<u8>> {
    // Paragraphs: text with its end mark, whether in a table, and a row end's cell count.
    let mut paras: Vec<(Vec<u16>, bool, Option<usize>)> = Vec::new();
    let field = |t: &str| -> String {
        t.replace('{', "\u{13}")
            .replace('|', "\u{14}")
            .replace('}', "\u{15}")
    };
    for p in parts {
        match p {
            DocPart::Para(t) => {
                paras.push(((field(t) + "\r").encode_utf16().collect(), false, None))
            }
            DocPart::Row(cells) => {
                for c in cells {
                    paras.push(((field(c) + "\u{7}").encode_utf16().collect(), true, None));
                }
                paras.push((vec![7], true, Some(cells.len())));
            }
        }
    }
    const TEXT_AT: usize = 1024;
    let mut word = vec![0u8; TEXT_AT];
    // Each paragraph's place in the stream (fc from, fc to) and its piece.
    let mut placed = vec![(0usize, 0usize); paras.len()];
    let order: Vec<usize> = if eight_bit {
        (0..paras.len()).rev().collect()
    } else {
        (0..paras.len()).collect()
    };
    for i in order {
        let from = word.len();
        if eight_bit {
            word.extend(paras[i].0.iter().map(|u| *u as u8));
        } else {
            word.extend(paras[i].0.iter().flat_map(|u| u.to_le_bytes()));
        }
        placed[i] = (from, word.len());
    }
    // PAPX pages: each run's PAPX (none for a plain paragraph; in a table for a cell; a
    // row's end also with the row's definition, sprmTDefTable), stored once a page from the
    // page's end, as many runs a page as fit.
    word.resize(word.len().div_ceil(512) * 512, 0);
    let first_page = word.len() / 512;
    let papx = |cell: bool, row: Option<usize>| -> Option<Vec<u8>> {
        let mut g = vec![0u8, 0];
        if !cell {
            return None;
        }
        g.extend_from_slice(&[0x16, 0x24, 1]);
        if let Some(n) = row {
            g.extend_from_slice(&[0x17, 0x24, 1, 0x08, 0xD6]);
            let mut def = vec![n as u8];
            for k in 0..=n {
                def.extend_from_slice(&((k * 2000) as u16).to_le_bytes());
            }
            def.extend(std::iter::repeat_n(0u8, 20 * n));
            g.extend_from_slice(&(def.len() as u16 + 1).to_le_bytes());
            g.extend_from_slice(&def);
        }
        if g.len() % 2 == 0 {
            g.push(0);
        }
        let mut blob = vec![g.len().div_ceil(2) as u8];
        blob.extend_from_slice(&g);
        Some(blob)
    };
    let mut runs: Vec<(usize, usize, Option<Vec<u8>>)> = paras
        .iter()
        .zip(&placed)
        .map(|((_, cell, row), (a, b))| (*a, *b, papx(*cell, *row)))
        .collect();
    runs.sort();
    let mut bte_fcs = Vec::new();
    let mut pns = Vec::new();
    let mut at = 0;
    while at < runs.len() {
        // Runs on this page: while their table and PAPXs fit below byte 511.
        let mut blobs: Vec<&Vec<u8>> = Vec::new();
        let mut n = 0;
        while let Some((_, _, b)) = runs.get(at + n) {
            let mut with = blobs.clone();
            if let Some(b) = b
                && !with.contains(&b)
            {
                with.push(b);
            }
            let room: usize = with.iter().map(|b| b.len().div_ceil(2) * 2).sum();
            if 4 * (n + 2) + 13 * (n + 1) + room > 511 {
                break;
            }
            blobs = with;
            n += 1;
        }
        let chunk = &runs[at..at + n.max(1)];
        let mut page = [0u8; 512];
        let crun = chunk.len();
        let mut end = 511;
        let mut placed_blobs: Vec<(&Vec<u8>, usize)> = Vec::new();
        for (r, (a, b, blob)) in chunk.iter().enumerate() {
            page[4 * r..4 * r + 4].copy_from_slice(&(*a as u32).to_le_bytes());
            page[4 * (r + 1)..4 * (r + 1) + 4].copy_from_slice(&(*b as u32).to_le_bytes());
            let Some(blob) = blob else {
                continue;
            };
            let off = match placed_blobs.iter().find(|(x, _)| *x == blob) {
                Some((_, o)) => *o,
                None => {
                    end = (end - blob.len()) & !1;
                    page[end..end + blob.len()].copy_from_slice(blob);
                    placed_blobs.push((blob, end));
                    end
                }
            };
            page[4 * (crun + 1) + 13 * r] = (off / 2) as u8;
        }
        page[511] = crun as u8;
        bte_fcs.push(chunk[0].0 as u32);
        pns.push((first_page + pns.len()) as u32);
        word.extend_from_slice(&page);
        at += crun;
    }
    bte_fcs.push(runs.last().map_or(0, |r| r.1) as u32);
    // Word's streams are never small (a reader may not look in the compound file's mini
    // stream for them).
    word.resize(word.len().max(4096), 0);
    // The table stream: the CLX (one piece a paragraph when 8-bit), then the bin table.
    let mut cps = vec![0u32];
    let mut pcds = Vec::new();
    let pieces: Vec<(usize, usize)> = if eight_bit {
        placed.clone()
    } else {
        vec![(TEXT_AT, placed.last().map_or(TEXT_AT, |p| p.1))]
    };
    for (a, b) in &pieces {
        let chars = if eight_bit { b - a } else { (b - a) / 2 };
        cps.push(cps.last().copied().unwrap_or(0) + chars as u32);
        let fc = if eight_bit {
            (*a as u32 * 2) | 0x4000_0000
        } else {
            *a as u32
        };
        pcds.extend_from_slice(&0u16.to_le_bytes());
        pcds.extend_from_slice(&fc.to_le_bytes());
        pcds.extend_from_slice(&0u16.to_le_bytes());
    }
    let mut plc: Vec<u8> = cps.iter().flat_map(|c| c.to_le_bytes()).collect();
    plc.extend_from_slice(&pcds);
    let mut table = vec![0x02];
    table.extend_from_slice(&(plc.len() as u32).to_le_bytes());
    table.extend_from_slice(&plc);
    let clx_len = table.len();
    let bte_at = table.len();
    for v in bte_fcs.iter().chain(&pns) {
        table.extend_from_slice(&v.to_le_bytes());
    }
    // The FIB: signature, version, flags (1Table), the counts of its arrays, the text's
    // length, and the places of the bin table and the CLX.
    let put16 =
        |w: &mut Vec<u8>, at: usize, v: u16| w[at..at + 2].copy_from_slice(&v.to_le_bytes());
    let put32 =
        |w: &mut Vec<u8>, at: usize, v: u32| w[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put16(&mut word, 0, 0xA5EC);
    put16(&mut word, 2, 0x00C1);
    put16(&mut word, 6, 0x0411);
    put16(&mut word, 0x0A, 0x1200);
    put16(&mut word, 0x0C, 0x00BF);
    // Word 97's fcMin and fcMac (the text's first and last byte), and cbMac (the stream's
    // end), which older readers use.
    let text_end = placed.iter().map(|p| p.1).max().unwrap_or(TEXT_AT) as u32;
    put32(&mut word, 0x18, TEXT_AT as u32);
    put32(&mut word, 0x1C, text_end);
    let end = word.len() as u32;
    put32(&mut word, 64, end);
    put16(&mut word, 32, 0x000E);
    put16(&mut word, 62, 0x0016);
    put32(&mut word, 76, cps.last().copied().unwrap_or(0));
    put16(&mut word, 152, 0x005D);
    put32(&mut word, 0x102, bte_at as u32);
    put32(&mut word, 0x106, (table.len() - bte_at) as u32);
    put32(&mut word, 0x1A2, 0);
    put32(&mut word, 0x1A6, clx_len as u32);
    ole_of(&[("/WordDocument", &word), ("/1Table", &table)])
}

/// A PowerPoint 97-2003 presentation: [`kizuki_files::synth::ppt`].
pub use kizuki_files::synth::ppt as ppt_of;

/// An Outlook item (`.msg`) for [`msg_of`]: a mail or a contact.
#[derive(Clone, Debug, Default)]
pub struct MsgSpec {
    /// Strings in UTF-16 (type `001F`), else in Shift_JIS (`001E`, code page 932 set).
    pub unicode: bool,
    /// String properties (id, value): subject `0x0037`, body `0x1000`, sender name `0x0C1A`…
    pub strings: Vec<(u16, String)>,
    /// Named string properties of PSETID_Address (LID, value): e-mail `0x8083`, yomi
    /// `0x802D`/`0x802C`…
    pub named: Vec<(u32, String)>,
    /// Fixed-size properties (tag, value): gender `0x3A4D0002`, birthday `0x3A420040`…
    pub fixed: Vec<(u32, u64)>,
    /// Recipients: (1 To, 2 Cc, 3 Bcc; display name; address).
    pub recipients: Vec<(u32, String, String)>,
    /// An HTML body (stored as bytes, UTF-8, with PidTagInternetCodepage 65001).
    pub html: Option<String>,
    /// An RTF body, stored compressed (PidTagRtfCompressed, as Outlook stores one).
    pub rtf: Option<Vec<u8>>,
    /// Attachments.
    pub attachments: Vec<MsgPart>,
}

/// An attachment of a [`MsgSpec`].
#[derive(Clone, Debug)]
pub enum MsgPart {
    /// A file: its name and bytes.
    File(String, Vec<u8>),
    /// An attached item: its display name, and the item.
    Item(String, MsgSpec),
}

/// A FILETIME (100 ns since 1601) of local midnight in Japan on a date, as Outlook stores a
/// contact's birthday.
pub fn jst_midnight(y: i32, m: u32, d: u32) -> u64 {
    let days = kizuki_core::civil::days_from_civil(i64::from(y), i64::from(m), i64::from(d));
    let secs = (days + 134_774) * 86_400 - 9 * 3600;
    u64::try_from(secs).unwrap_or(0) * 10_000_000
}

/// A contact as Outlook saves one: names, reading, sex, birthday, phones, home address and
/// e-mail (a named property).
pub fn contact_msg(p: &Person) -> MsgSpec {
    let (postal, place) = (
        format!("{:03}-{:04}", p.postal / 10_000, p.postal % 10_000),
        &p.address,
    );
    // The prefecture, the municipality and the rest, as Outlook's fields split them.
    let pref_end = ["都", "道", "府", "県"]
        .iter()
        .filter_map(|k| place.find(k).map(|i| i + k.len()))
        .min()
        .unwrap_or(0);
    let (pref, rest) = place.split_at(pref_end);
    let city_end = ["市", "区", "町", "村"]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| i + k.len()))
        .min()
        .unwrap_or(0);
    let (city, street) = rest.split_at(city_end);
    let (y, m, d) = p.birth;
    MsgSpec {
        unicode: true,
        strings: vec![
            (0x001A, "IPM.Contact".into()),
            (0x3001, format!("{} {}", p.last.kanji, p.first.kanji)),
            (0x3A11, p.last.kanji.into()),
            (0x3A06, p.first.kanji.into()),
            (0x3A1C, p.phone.clone()),
            (0x3A5B, postal),
            (0x3A5C, pref.into()),
            (0x3A59, city.into()),
            (0x3A5D, street.into()),
        ],
        named: vec![
            (0x802D, p.last.kana.into()),
            (0x802C, p.first.kana.into()),
            (0x8083, p.email.clone()),
        ],
        fixed: vec![
            (0x3A4D_0002, if p.male { 2 } else { 1 }),
            (0x3A42_0040, jst_midnight(y, m, d)),
        ],
        ..MsgSpec::default()
    }
}

/// An Outlook `.msg` file (MS-OXMSG) of `spec`: its properties as streams of an OLE compound
/// file, recipients and attachments in storages of their own, attached items as embedded
/// message storages, named properties mapped at the root.
pub fn msg_of(spec: &MsgSpec) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    fn lids(s: &MsgSpec, out: &mut Vec<u32>) {
        for (l, _) in &s.named {
            if !out.contains(l) {
                out.push(*l);
            }
        }
        for a in &s.attachments {
            if let MsgPart::Item(_, m) = a {
                lids(m, out);
            }
        }
    }
    type Comp = cfb::CompoundFile<std::io::Cursor<Vec<u8>>>;
    fn string(
        comp: &mut Comp,
        dir: &str,
        id: u16,
        v: &str,
        unicode: bool,
        props: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let (ty, mut bytes): (u16, Vec<u8>) = if unicode {
            (
                0x001F,
                v.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            )
        } else {
            (0x001E, encoding_rs::SHIFT_JIS.encode(v).0.into_owned())
        };
        comp.create_stream(format!("{dir}/__substg1.0_{id:04X}{ty:04X}"))?
            .write_all(&bytes)?;
        // The property stream gives a string's size with its terminator.
        bytes.extend_from_slice(if unicode { &[0, 0] } else { &[0] });
        entry(
            props,
            u32::from(id) << 16 | u32::from(ty),
            bytes.len() as u64,
        );
        Ok(())
    }
    fn entry(props: &mut Vec<u8>, tag: u32, value: u64) {
        props.extend_from_slice(&tag.to_le_bytes());
        props.extend_from_slice(&6u32.to_le_bytes());
        props.extend_from_slice(&value.to_le_bytes());
    }
    fn item(
        comp: &mut Comp,
        dir: &str,
        s: &MsgSpec,
        root: bool,
        ids: &[u32],
    ) -> std::io::Result<()> {
        let (nr, na) = (s.recipients.len() as u32, s.attachments.len() as u32);
        let mut props = vec![0u8; 8];
        for v in [nr, na, nr, na] {
            props.extend_from_slice(&v.to_le_bytes());
        }
        if root {
            props.extend_from_slice(&[0; 8]);
        }
        if !s.unicode {
            entry(&mut props, 0x3FFD_0003, 932);
        }
        for (tag, v) in &s.fixed {
            entry(&mut props, *tag, *v);
        }
        for (id, v) in &s.strings {
            string(comp, dir, *id, v, s.unicode, &mut props)?;
        }
        for (lid, v) in &s.named {
            let i = ids.iter().position(|l| l == lid).unwrap_or(0) as u16;
            string(comp, dir, 0x8000 + i, v, s.unicode, &mut props)?;
        }
        if let Some(h) = &s.html {
            entry(&mut props, 0x3FDE_0003, 65001);
            comp.create_stream(format!("{dir}/__substg1.0_10130102"))?
                .write_all(h.as_bytes())?;
            entry(&mut props, 0x1013_0102, h.len() as u64);
        }
        if let Some(r) = &s.rtf {
            // The compressor takes the bytes as Latin-1 characters.
            let latin: String = r.iter().map(|b| char::from(*b)).collect();
            let z = compressed_rtf::compress_rtf(&latin).map_err(std::io::Error::other)?;
            comp.create_stream(format!("{dir}/__substg1.0_10090102"))?
                .write_all(&z)?;
            entry(&mut props, 0x1009_0102, z.len() as u64);
        }
        for (i, (ty, name, addr)) in s.recipients.iter().enumerate() {
            let r = format!("{dir}/__recip_version1.0_#{i:08X}");
            comp.create_storage(&r)?;
            let mut rp = vec![0u8; 8];
            entry(&mut rp, 0x0C15_0003, u64::from(*ty));
            string(comp, &r, 0x3001, name, s.unicode, &mut rp)?;
            string(comp, &r, 0x39FE, addr, s.unicode, &mut rp)?;
            comp.create_stream(format!("{r}/__properties_version1.0"))?
                .write_all(&rp)?;
        }
        for (i, a) in s.attachments.iter().enumerate() {
            let d = format!("{dir}/__attach_version1.0_#{i:08X}");
            comp.create_storage(&d)?;
            let mut ap = vec![0u8; 8];
            match a {
                MsgPart::File(name, data) => {
                    entry(&mut ap, 0x3705_0003, 1);
                    string(comp, &d, 0x3707, name, s.unicode, &mut ap)?;
                    comp.create_stream(format!("{d}/__substg1.0_37010102"))?
                        .write_all(data)?;
                    entry(&mut ap, 0x3701_0102, data.len() as u64);
                }
                MsgPart::Item(name, m) => {
                    entry(&mut ap, 0x3705_0003, 5);
                    string(comp, &d, 0x3001, name, s.unicode, &mut ap)?;
                    let e = format!("{d}/__substg1.0_3701000D");
                    comp.create_storage(&e)?;
                    item(comp, &e, m, false, ids)?;
                }
            }
            comp.create_stream(format!("{d}/__properties_version1.0"))?
                .write_all(&ap)?;
        }
        let p = if dir.is_empty() {
            "/__properties_version1.0".to_string()
        } else {
            format!("{dir}/__properties_version1.0")
        };
        comp.create_stream(p)?.write_all(&props)?;
        Ok(())
    }
    let mut ids = Vec::new();
    lids(spec, &mut ids);
    let mut comp =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))?;
    let n = "/__nameid_version1.0";
    comp.create_storage(n)?;
    // PSETID_Address, the one GUID (index 3); an entry per LID: numeric, property index.
    comp.create_stream(format!("{n}/__substg1.0_00020102"))?
        .write_all(&[
            0x04, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x46,
        ])?;
    let mut entries = Vec::new();
    for (i, lid) in ids.iter().enumerate() {
        entries.extend_from_slice(&lid.to_le_bytes());
        entries.extend_from_slice(&(((i as u32) << 16) | (3 << 1)).to_le_bytes());
    }
    comp.create_stream(format!("{n}/__substg1.0_00030102"))?
        .write_all(&entries)?;
    comp.create_stream(format!("{n}/__substg1.0_00040102"))?;
    item(&mut comp, "", spec, true, &ids)?;
    comp.flush()?;
    Ok(comp.into_inner().into_inner())
}

/// A TNEF stream (`winmail.dat`) of `spec`, as Exchange sends a rich-text mail: the TNEF
/// version, the OEM code page (932 when the strings are 8-bit, else 1252), the message class;
/// with 8-bit strings the subject and body as attributes in Shift_JIS, else as Unicode MAPI
/// properties (with the other strings, the compressed RTF and the HTML body); each attachment
/// as its rendering, title, data and MAPI properties (its long file name), an attached item
/// as an object of interface IMessage holding a TNEF stream of its own.
pub fn tnef_of(spec: &MsgSpec) -> Vec<u8> {
    fn attr(out: &mut Vec<u8>, level: u8, id: u32, data: &[u8]) {
        out.push(level);
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        let sum = data.iter().fold(0u16, |s, b| s.wrapping_add(u16::from(*b)));
        out.extend_from_slice(&sum.to_le_bytes());
    }
    fn value(out: &mut Vec<u8>, ty: u16, id: u16, data: &[u8]) {
        out.extend_from_slice(&ty.to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        out.resize(out.len() + (4 - data.len() % 4) % 4, 0);
    }
    fn unicode(s: &str) -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    }
    fn sjis(s: &str) -> Vec<u8> {
        let mut b = encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
        b.push(0);
        b
    }
    let narrow = !spec.unicode;
    let mut out = vec![0x78, 0x9F, 0x3E, 0x22, 0x00, 0x00];
    attr(&mut out, 1, 0x0008_9006, &[0, 0, 1, 0]);
    let cp: u32 = if narrow { 932 } else { 1252 };
    attr(
        &mut out,
        1,
        0x0006_9007,
        &[cp.to_le_bytes(), [0; 4]].concat(),
    );
    attr(&mut out, 1, 0x0007_8008, b"IPM.Microsoft Mail.Note\0");
    // PidTagInternetCodepage (a fixed-size value: no count), as every message has some.
    let mut props: Vec<u8> = [0x0003u16.to_le_bytes(), 0x3FDEu16.to_le_bytes()].concat();
    props.extend_from_slice(&cp.to_le_bytes());
    let mut n = 1u32;
    for (id, v) in &spec.strings {
        match (*id, narrow) {
            (0x0037, true) => attr(&mut out, 1, 0x0001_8004, &sjis(v)),
            (0x1000, true) => attr(&mut out, 1, 0x0002_800C, &sjis(v)),
            (id, true) => {
                value(&mut props, 0x001E, id, &sjis(v));
                n += 1;
            }
            (id, false) => {
                value(&mut props, 0x001F, id, &unicode(v));
                n += 1;
            }
        }
    }
    if let Some(r) = &spec.rtf {
        let latin: String = r.iter().map(|b| char::from(*b)).collect();
        if let Ok(z) = compressed_rtf::compress_rtf(&latin) {
            value(&mut props, 0x0102, 0x1009, &z);
            n += 1;
        }
    }
    if let Some(h) = &spec.html {
        value(&mut props, 0x0102, 0x1013, h.as_bytes());
        n += 1;
    }
    attr(
        &mut out,
        1,
        0x0006_9003,
        &[n.to_le_bytes().to_vec(), props].concat(),
    );
    for (i, a) in spec.attachments.iter().enumerate() {
        attr(
            &mut out,
            2,
            0x0006_9002,
            &[0x01, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0],
        );
        let mut p = Vec::new();
        match a {
            MsgPart::File(name, data) => {
                attr(
                    &mut out,
                    2,
                    0x0001_8010,
                    format!("ATT{i:05}.DAT\0").as_bytes(),
                );
                attr(&mut out, 2, 0x0006_800F, data);
                value(&mut p, 0x001F, 0x3707, &unicode(name));
            }
            MsgPart::Item(name, inner) => {
                value(&mut p, 0x001F, 0x3001, &unicode(name));
                let object = [
                    &[
                        0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00,
                        0x00, 0x00, 0x00, 0x46,
                    ][..],
                    &tnef_of(inner),
                ]
                .concat();
                value(&mut p, 0x000D, 0x3701, &object);
            }
        }
        let count: u32 = if matches!(a, MsgPart::Item(..)) { 3 } else { 2 };
        attr(
            &mut out,
            2,
            0x0006_9005,
            &[count.to_le_bytes().to_vec(), p, {
                // PidTagAttachMethod: by value (1) or an embedded message (5).
                let method: u32 = if matches!(a, MsgPart::Item(..)) { 5 } else { 1 };
                [0x0003u16.to_le_bytes(), 0x3705u16.to_le_bytes()]
                    .concat()
                    .into_iter()
                    .chain(method.to_le_bytes())
                    .collect()
            }]
            .concat(),
        );
    }
    out
}

/// `data` in base64, in lines of `width` characters: as `certutil -encode` writes a file
/// (`-----BEGIN CERTIFICATE-----`, lines of 64, CRLF) when `certutil`, else as `base64`
/// does (LF).
pub fn base64_of(data: &[u8], width: usize, certutil: bool) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = Vec::new();
    for c in data.chunks(3) {
        let n = c.iter().fold(0u32, |a, b| a << 8 | u32::from(*b)) << (8 * (3 - c.len()));
        for k in 0..4 {
            s.push(if k <= c.len() {
                A[(n >> (18 - 6 * k)) as usize & 63]
            } else {
                b'='
            });
        }
    }
    let mut out = Vec::new();
    if certutil {
        out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\r\n");
    }
    for l in s.chunks(width.max(1)) {
        out.extend_from_slice(l);
        out.extend_from_slice(if certutil { b"\r\n" } else { b"\n" });
    }
    if certutil {
        out.extend_from_slice(b"-----END CERTIFICATE-----\r\n");
    }
    out
}

/// `data` bent as damaged or hostile input is: 1 to `flips` bytes set at random, and with
/// chance `cut` the end cut off anywhere (for the tests of every reader of hostile input).
pub fn bend(rng: &mut Rng, data: &[u8], flips: u64, cut: f64) -> Vec<u8> {
    let mut d = data.to_vec();
    if d.is_empty() {
        return d;
    }
    for _ in 0..1 + rng.below(flips) {
        let i = rng.below(d.len() as u64) as usize;
        d[i] = rng.next_u64() as u8;
    }
    if rng.chance(cut) {
        d.truncate(rng.below(d.len() as u64) as usize);
    }
    d
}

/// An RTF document of `parts` as Word saves one: a font table (a Japanese font of character
/// set 128), colours, document properties and a picture that hold no text, paragraphs, and
/// table rows (`\trowd … \cell … \row`); fields (`{code|result}`) as `\field` groups. Its
/// Japanese in Shift_JIS escapes under `\ansicpg932` (a trail byte that is a plain ASCII
/// character written as one, as Word does), or in `\uN?` escapes when `unicode`.
pub fn rtf_of(parts: &[DocPart], unicode: bool) -> Vec<u8> {
    fn esc(t: &str, unicode: bool) -> String {
        let mut out = String::new();
        for c in t.chars() {
            match c {
                '\\' | '{' | '}' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_ascii() => out.push(c),
                c if unicode => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{}?", *u as i16));
                    }
                }
                c => {
                    let mut buf = [0; 4];
                    let (b, _, _) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
                    for (i, x) in b.iter().enumerate() {
                        if i == 1 && (0x40..0x7F).contains(x) && !b"\\{}".contains(x) {
                            out.push(*x as char);
                        } else {
                            out.push_str(&format!("\\'{x:02x}"));
                        }
                    }
                }
            }
        }
        out
    }
    let text = |t: &str| -> String {
        let mut out = String::new();
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            out.push_str(&esc(&rest[..open], unicode));
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let field = &rest[open + 1..open + close];
            let (code, result) = field.split_once('|').unwrap_or((field, ""));
            out.push_str(&format!(
                "{{\\field{{\\*\\fldinst {{{}}}}}{{\\fldrslt {{{}}}}}}}",
                esc(code, unicode),
                esc(result, unicode)
            ));
            rest = &rest[open + close + 1..];
        }
        out.push_str(&esc(rest, unicode));
        out
    };
    let mut r = String::from(
        "{\\rtf1\\ansi\\ansicpg932\\deff0\\deflang1033\\deflangfe1041{\\fonttbl{\\f0\\fnil\\fcharset128 \
         \\'82\\'6c\\'82\\'72 \\'96\\'be\\'92\\'a9;}{\\f1\\fswiss\\fcharset0 Arial;}}\r\n\
         {\\colortbl ;\\red0\\green0\\blue255;}\r\n{\\*\\generator Msftedit 5.41.21.2510;}\
         {\\info{\\author \\'8e\\'52\\'93c}}\\viewkind4\\uc1\\pard\\f0\\fs21\r\n",
    );
    for (i, p) in parts.iter().enumerate() {
        match p {
            DocPart::Para(t) => r.push_str(&format!("{}\\par\r\n", text(t))),
            DocPart::Row(cells) => {
                r.push_str("\\trowd\\trgaph108");
                for k in 1..=cells.len() {
                    r.push_str(&format!("\\cellx{}", k * 1500));
                }
                r.push_str("\\pard\\intbl ");
                for c in cells {
                    r.push_str(&format!("{}\\cell ", text(c)));
                }
                r.push_str("\\row\r\n\\pard ");
            }
        }
        if i == 1 {
            r.push_str("{\\pict\\pngblip\\picw10\\pich10 89504e470d0a1a0a0000000d49484452}\r\n");
        }
    }
    r.push_str("}\r\n");
    r.into_bytes()
}

/// `ole` (a compound file) with `streams` added (`/ObjectPool/_1234/Workbook`: the storages
/// on the way are created), as Office embeds an object in a document.
pub fn with_streams(ole: &[u8], streams: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut comp = cfb::CompoundFile::open(std::io::Cursor::new(ole.to_vec()))?;
    for (path, data) in streams {
        if let Some(parent) = std::path::Path::new(path).parent()
            && !comp.exists(parent)
        {
            comp.create_storage_all(parent)?;
        }
        comp.create_stream(path)?.write_all(data)?;
    }
    comp.flush()?;
    Ok(comp.into_inner().into_inner())
}

/// The bytes of the stream at `path` of a compound file.
pub fn stream_of(ole: &[u8], path: &str) -> std::io::Result<Vec<u8>> {
    let mut comp = cfb::CompoundFile::open(std::io::Cursor::new(ole))?;
    let s = comp.open_stream(path)?;
    kizuki_core::io::read_capped(s, u64::MAX)?
        .ok_or_else(|| std::io::Error::other("stream too large"))
}

/// A PDF showing `lines`, 40 to a page, as Japanese PDFs carry text: lines alternate between a
/// `Type0` font with `Identity-H` codes and a `ToUnicode` CMap (as Word and LibreOffice embed
/// fonts) and a font with the predefined `90ms-RKSJ-H` CMap (Shift_JIS codes); ASCII lines use
/// Helvetica. A line with `：` is drawn as two text objects on one baseline (a label, then its
/// value a little to the right). Content streams are deflated and the page objects are in an
/// object stream. Only for the scanner's tests: there is no cross-reference table.
pub fn pdf_of(lines: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut pages: Vec<Vec<Shown>> = Vec::new();
    for chunk in lines.chunks(40) {
        let mut page = Vec::new();
        for (i, line) in chunk.iter().enumerate() {
            let y = 780.0 - 18.0 * i as f64;
            let parts: Vec<&str> = match line.split_once('：') {
                Some((label, _)) => {
                    let cut = label.len() + '：'.len_utf8();
                    vec![&line[..cut], &line[cut..]]
                }
                None => vec![line],
            };
            let mut x = 72.0;
            for part in parts {
                page.push((x, y, i % 2 == 0, part.to_string()));
                x += pdf_width(part) + 12.0;
            }
        }
        pages.push(page);
    }
    pdf_shown(&pages, false)
}

/// How a table is printed to PDF ([`pdf_table_of`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfTable {
    /// The header on the first page only, each cell shown by `Tj`.
    Sheet,
    /// The header again at the top of each page, and each cell ended by `T*`, as reportlab
    /// (Python's report library) prints its tables.
    Report,
}

/// A table printed to PDF as spreadsheets and reports print one: each cell a text object
/// at its column (numbers, dates and phone numbers right-aligned, the rest left-aligned),
/// a title above it, 40 rows a page and the page number under them. Fonts as in
/// [`pdf_of`].
pub fn pdf_table_of(rows: &[Vec<&str>], style: PdfTable) -> std::io::Result<Vec<u8>> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<f64> = (0..cols)
        .map(|j| {
            rows.iter()
                .map(|r| r.get(j).map_or(0.0, |c| pdf_width(c)))
                .fold(0.0, f64::max)
        })
        .collect();
    let starts: Vec<f64> = widths
        .iter()
        .scan(40.0, |x, w| {
            let s = *x;
            *x += w + 8.0;
            Some(s)
        })
        .collect();
    let numeric = |c: &str| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_digit() || matches!(ch, '-' | '/' | '(' | ')' | '+'))
    };
    let mut pages: Vec<Vec<Shown>> = Vec::new();
    let (head, body) = match style {
        PdfTable::Sheet => (None, rows),
        PdfTable::Report => (rows.first(), rows.get(1..).unwrap_or(&[])),
    };
    for (p, chunk) in body.chunks(40).enumerate() {
        let mut page = vec![(40.0, 800.0, true, "顧客一覧（2024年3月末現在）".to_string())];
        for (i, row) in head.into_iter().chain(chunk).enumerate() {
            let y = 780.0 - 18.0 * i as f64;
            for (j, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                let x = if numeric(cell) {
                    starts[j] + widths[j] - pdf_width(cell)
                } else {
                    starts[j]
                };
                page.push((x, y, i % 2 == 0, cell.to_string()));
            }
        }
        page.push((280.0, 40.0, false, format!("- {} -", p + 1)));
        pages.push(page);
    }
    pdf_shown(&pages, style == PdfTable::Report)
}

/// A piece of text on a PDF page: where it starts, whether its line uses the `Identity-H`
/// font (else the Shift_JIS one) when it is not ASCII, and the text.
type Shown = (f64, f64, bool, String);

/// The estimated width of `s` at 10.5 points (full width for CJK, half for ASCII).
fn pdf_width(s: &str) -> f64 {
    s.chars()
        .map(|ch| if ch.is_ascii() { 0.5 } else { 1.0 })
        .sum::<f64>()
        * 10.5
}

/// A PDF of pages showing these pieces of text ([`pdf_of`]), each ended by `T*` when
/// `next_line`.
fn pdf_shown(shown: &[Vec<Shown>], next_line: bool) -> std::io::Result<Vec<u8>> {
    use std::fmt::Write as _;
    use std::io::Write;
    let mut cids: Vec<char> = Vec::new();
    let mut cid = |c: char| -> u16 {
        match cids.iter().position(|x| *x == c) {
            Some(i) => i as u16 + 1,
            None => {
                cids.push(c);
                cids.len() as u16
            }
        }
    };
    let mut pages: Vec<String> = Vec::new();
    for items in shown {
        let mut c = String::new();
        for (x, y, identity, part) in items {
            let (font, s) = if part.is_ascii() {
                let esc = part
                    .replace('\\', "\\\\")
                    .replace('(', "\\(")
                    .replace(')', "\\)");
                ("F3", format!("({esc})"))
            } else if *identity {
                let hex: String = part.chars().map(|ch| format!("{:04X}", cid(ch))).collect();
                ("F1", format!("<{hex}>"))
            } else {
                let b = encoding_rs::SHIFT_JIS.encode(part).0;
                let hex: String = b.iter().map(|b| format!("{b:02X}")).collect();
                ("F2", format!("<{hex}>"))
            };
            let end = if next_line { " T*" } else { "" };
            let _ = writeln!(
                c,
                "BT /{font} 10.5 Tf 12.6 TL 1 0 0 1 {x} {y} Tm {s} Tj{end} ET"
            );
        }
        pages.push(c);
    }
    let mut bfchar = String::new();
    for (i, c) in cids.iter().enumerate() {
        let units: String = c
            .encode_utf16(&mut [0; 2])
            .iter()
            .map(|u| format!("{u:04X}"))
            .collect();
        let _ = writeln!(bfchar, "1 beginbfchar <{:04X}> <{units}> endbfchar", i + 1);
    }
    let cmap = format!(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n{bfchar}endcmap CMapName currentdict /CMap defineresource pop end end\n"
    );
    let deflate = |s: &[u8]| -> std::io::Result<Vec<u8>> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(s)?;
        e.finish()
    };
    // 1 catalog, 2 page tree, 3-5 fonts, 6 CMap, 7 object stream, then per page its content
    // (8 + 2k) and its page object (9 + 2k, in the object stream).
    let n = pages.len();
    let kids: String = (0..n).map(|k| format!("{} 0 R ", 9 + 2 * k)).collect();
    let mut objs: Vec<(u32, String, Option<Vec<u8>>)> = vec![
        (1, "<< /Type /Catalog /Pages 2 0 R >>".into(), None),
        (2, format!("<< /Type /Pages /Kids [{kids}] /Count {n} /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> >>"), None),
        (3, "<< /Type /Font /Subtype /Type0 /BaseFont /MSMincho /Encoding /Identity-H /ToUnicode 6 0 R /DescendantFonts [] >>".into(), None),
        (4, "<< /Type /Font /Subtype /Type0 /BaseFont /MS-Gothic /Encoding /90ms-RKSJ-H /DescendantFonts [] >>".into(), None),
        (5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(), None),
        (6, String::new(), Some(deflate(cmap.as_bytes())?)),
    ];
    let mut heads = String::new();
    let mut bodies = String::new();
    for (k, content) in pages.iter().enumerate() {
        objs.push((
            8 + 2 * k as u32,
            String::new(),
            Some(deflate(content.as_bytes())?),
        ));
        let page = format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R >>\n",
            8 + 2 * k
        );
        let _ = write!(heads, "{} {} ", 9 + 2 * k, bodies.len());
        bodies.push_str(&page);
    }
    let objstm = deflate(format!("{heads}\n{bodies}").as_bytes())?;
    let first = heads.len() + 1;
    objs.push((
        7,
        format!("<< /Type /ObjStm /N {n} /First {first}"),
        Some(objstm),
    ));
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    for (id, dict, stream) in objs {
        match stream {
            None => out.extend_from_slice(format!("{id} 0 obj\n{dict}\nendobj\n").as_bytes()),
            Some(s) => {
                let d = if dict.is_empty() {
                    "<<".to_string()
                } else {
                    dict
                };
                out.extend_from_slice(
                    format!(
                        "{id} 0 obj\n{d} /Filter /FlateDecode /Length {} >>\nstream\n",
                        s.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&s);
                out.extend_from_slice(b"\nendstream\nendobj\n");
            }
        }
    }
    out.extend_from_slice(b"trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    Ok(out)
}
