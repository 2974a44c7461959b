//! Tables (CSV, TSV, JSON Lines, sheets): find the header, classify each column by its header
//! name and by the share of its values that validate, then count the valid values of every
//! classified column row by row. Columns that hold free text go through [`crate::text`].

use std::borrow::Cow;

use kizuki_core::Category;

use crate::tally::Tally;
use crate::{text, value};

/// Rows buffered to classify the columns.
pub const CLASSIFY_ROWS: usize = 64;
/// Longest logical row (a quoted field running over lines is given up beyond it).
pub const MAX_ROW: usize = 64 * 1024;
/// Most columns looked at.
pub const MAX_COLUMNS: usize = 512;

/// What a header or a column's values say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Cat(Category),
    /// A name column whose script (kanji, kana, romaji) the values decide.
    Name,
    /// Dates without a word saying whose.
    Date,
    /// Free text scanned with the text detectors.
    Text,
    /// Sex codes under a gender header (ISO 5218, JIS X 0303: `1` male, `2` female; `0`
    /// unknown and `9` not applicable are not counted).
    GenderCode,
}

/// Whether values of `c` identify a person (a name, an e-mail, a phone, an address): a
/// column of them makes a table one of persons.
pub(crate) fn identifies(c: Category) -> bool {
    matches!(
        c,
        Category::NameKanji
            | Category::NameKana
            | Category::NameRomaji
            | Category::Email
            | Category::Phone
            | Category::Address
    )
}

/// Does this cell name a column the classifier knows (`氏名`, `メールアドレス`, `備考`)?
pub fn is_header(h: &str) -> bool {
    header_kind(h).is_some()
}

/// The category a header names.
fn header_kind(h: &str) -> Option<Kind> {
    let n = header_key(h);
    if n.is_empty() || n.len() > 60 {
        return None;
    }
    let has = |ks: &[&str]| ks.iter().any(|k| n.contains(k));
    // A flattened path's last field says what the value is, the objects before it only whose
    // it is: `from.emailAddress.name` (Microsoft Graph's mail) is the sender's name, not an
    // e-mail; `shipping_address.name`, `card.name`, `passport.name` are persons' names.
    let last = last_field(h);
    if last.len() < h.len() && !names_no_person(h) && header_kind(last) == Some(Kind::Name) {
        return Some(Kind::Name);
    }
    use Category as C;
    let k = if has(&["発行", "交付", "issue"]) {
        Kind::Cat(C::PassportIssueDate)
    } else if has(&["生年月日", "誕生日", "birth", "dob"]) {
        Kind::Cat(C::BirthDate)
    } else if has(&["メール"]) || n.replace("mailing", "").contains("mail") {
        // (`MailingPostalCode`, `MailingStreet` of a CRM are a postal address's parts.)
        Kind::Cat(C::Email)
    } else if has(&["郵便", "〒", "zip", "postal", "postcode"]) {
        Kind::Cat(C::PostalCode)
    } else if has(&["電話", "tel", "phone", "携帯", "mobile", "fax"]) {
        Kind::Cat(C::Phone)
    } else if has(&["旅券", "パスポート", "passport"]) {
        Kind::Cat(C::PassportNumber)
    } else if has(&["マイナンバー", "個人番号", "mynumber"]) {
        Kind::Cat(C::MyNumber)
    } else if has(&["名義", "holder"]) && !has(&["番号", "number", "placeholder"]) {
        // The holder of a card or an account (`カード名義`, `口座名義カナ`, `cardholder_name`)
        // is a person: a name, whose script the values decide (a `placeholder` is none).
        Kind::Name
    } else if has(&["カード番号", "クレジット", "card"]) {
        Kind::Cat(C::CreditCard)
    } else if has(&["口座", "account"]) {
        Kind::Cat(C::BankAccount)
    } else if has(&["性別", "gender", "sex"]) {
        Kind::Cat(C::Gender)
    } else if has(&["住所", "address", "addr", "所在地"]) {
        Kind::Cat(C::Address)
    } else if names_no_person(h) {
        // A thing's name or its reading (`会社名カナ`, `商品名`): no person's.
        return None;
    } else if has(&[
        "フリガナ",
        "ふりがな",
        "カナ",
        "かな",
        "kana",
        "セイ",
        "メイ",
        "よみ",
        "ヨミ",
    ]) {
        Kind::Cat(C::NameKana)
    } else if has(&["ローマ字", "romaji", "英字", "alphabet"]) {
        Kind::Cat(C::NameRomaji)
    } else if has(&["氏名", "名前", "姓", "苗字", "name"]) || n == "名" || n == "氏" {
        // A sentence is no column's name (`SIG may be a signal name like 'PIPE'`, a program's
        // help text cut into columns), nor a thing's, as a log's label says it (`hostname`,
        // `image_name`; `kv::names_a_thing`).
        let field = header_key(last_field(h));
        let thing = field
            .strip_suffix("name")
            .is_some_and(|before| crate::kv::names_a_thing(before.as_bytes()));
        if h.split_whitespace().count() > 3 || thing {
            return None;
        }
        Kind::Name
    } else if has(&[
        "備考",
        "メモ",
        "note",
        "memo",
        "comment",
        "コメント",
        "本文",
        "text",
        "body",
        "message",
    ]) {
        Kind::Text
    } else {
        return None;
    };
    Some(k)
}

/// A header as the classifier compares it: NFKC (half-width `ﾌﾘｶﾞﾅ` and full-width `ＴＥＬ`
/// read as `フリガナ` and `TEL`), lower case, without spaces, `_`, `-`, `.` and brackets
/// (`姓（カナ）` is `姓カナ`, `First_Name` is `firstname`).
fn header_key(h: &str) -> String {
    crate::tables::fullwidth_kana(h.trim().trim_matches('"'))
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '　' | '.' | '(' | ')' | '（' | '）'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a header names a thing, not a person's data (`商品名`, `会社名`, `件名`,
/// `product-name`, `ItemName`): no name column, and its values are not judged by their shape.
fn names_no_person(h: &str) -> bool {
    // A flattened path's field belongs to the object right before it: `company.name` is a
    // company's, `Group.0.addresses.0.name` and `store.manager.name` are persons'.
    let n = header_key(owned_field(h));
    [
        "商品",
        "品名",
        "品目",
        "品番",
        "件名",
        "題名",
        "会社",
        "法人",
        "店舗",
        "店名",
        "屋号",
        "部署",
        "部門",
        "銀行",
        "支店",
        "学校",
        "施設",
        "物件",
        "ファイル",
        "カテゴリ",
        "分類",
        "種別",
        "区分",
        "product",
        "item",
        "company",
        "category",
        "sku",
        // A database's objects (`TABLE_NAME`, `CHARACTER_SET_NAME`, `INDEX_NAME` of
        // `information_schema`, as server documentation prints them) and a date's parts
        // (`DAYNAME('2007-02-03')`).
        "table",
        "catalog",
        "schema",
        "column",
        "index",
        "characterset",
        "collation",
        "database",
        "engine",
        "plugin",
        "constraint",
        "trigger",
        "routine",
        "dayname",
        "monthname",
        // Places and organisations (`city_name`, `country_name`, `branch_name` of a web
        // application's tables; not `shop`, `bank` or `team`: `shopper_name`,
        // `bank_account_name` and `teammate_name` are persons').
        "city",
        "country",
        "state",
        "prefecture",
        "town",
        "region",
        "branch",
        "store",
        "hotel",
        "station",
        "school",
        "department",
        "brand",
        "group",
        "project",
        "国名",
        "都市",
        "市区町村",
        "都道府県",
        "地域",
        "駅名",
    ]
    .iter()
    .any(|k| n.contains(k))
        // A file's name, not a profile's (`profile_name` is a person's).
        || n.replace("profile", "").contains("file")
}

/// Whether a header the classifier does not know names an order's or an account's number,
/// code or amount (`注文番号` `0312345678` reads as a phone, `商品コード` `AB1234567` as a
/// passport number, `会員番号` `0000012345`): its values are not judged by their shape, and
/// it marks a header row. (Only for headers [`header_kind`] does not know: `電話番号` and
/// `旅券番号` are known.)
fn names_a_number(h: &str) -> bool {
    let n = header_key(h);
    // A person of the order (`注文者名`, `請求先`, `購入者`) or a name is no number.
    if ["者", "人", "先", "様", "名", "name"]
        .iter()
        .any(|k| n.contains(k))
    {
        return false;
    }
    [
        "注文",
        "受注",
        "発注",
        "伝票",
        "請求",
        "取引",
        "在庫",
        "型番",
        "金額",
        "数量",
        "単価",
        "価格",
        "ステータス",
        "order",
        "invoice",
        "price",
        "amount",
        "quantity",
    ]
    .iter()
    .any(|k| n.contains(k))
        || ["番号", "コード", "id", "code", "no", "number"]
            .iter()
            .any(|k| n.ends_with(k))
            // A contact's number is a phone (`連絡先番号`, `contact_no`, `自宅番号`).
            && !["連絡", "contact", "自宅", "home", "cell"]
                .iter()
                .any(|k| n.contains(k))
}

/// The part of a split value a column holds: a family or given name (`姓`, `名`, `セイ`,
/// `メイ`, `last_name`), or an address split over columns (`都道府県`, `市区町村`, `番地`,
/// `建物名`, `住所1`, `住所2`), as member databases export them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Surname,
    Given,
    /// The prefecture: an address starts here.
    Prefecture,
    /// A later part of an address (or the first of `住所1`, `住所2`).
    Address,
}

fn part_of(h: &str) -> Option<Part> {
    // Headers of other categories (`email address`, `電話番号`) are no parts.
    let name_kind = match header_kind(h) {
        None | Some(Kind::Cat(Category::Address)) => false,
        Some(Kind::Name) | Some(Kind::Cat(Category::NameKana | Category::NameRomaji)) => true,
        _ => return None,
    };
    // A name's part by its last word (`name.last`, `kana.first` of a JSON record; FHIR's
    // `name.0.given.0`, its array's index after it).
    let last = header_key(last_field(h));
    let ends = |ks: &[&str]| name_kind && ks.iter().any(|k| n_ends(h, k) || last.ends_with(k));
    let n = header_key(h);
    if n.is_empty() || n.len() > 60 || n.contains("姓名") {
        return None;
    }
    let has = |ks: &[&str]| ks.iter().any(|k| n.contains(k));
    let starts = |ks: &[&str]| ks.iter().any(|k| n.starts_with(k));
    if has(&["姓", "苗字", "名字", "lastname", "familyname", "surname"])
        || n == "氏"
        || starts(&["セイ", "せい"])
        || ends(&["last", "family"])
    {
        Some(Part::Surname)
    } else if n == "名"
        || (n.starts_with('名') && !starts(&["名前", "名称"]))
        || has(&["firstname", "givenname", "forename"])
        || starts(&["メイ", "めい"])
        || ends(&["first", "given"])
    {
        Some(Part::Given)
    } else if name_kind {
        // A person's name under an address's object (`addresses.1.name`) is no part of it.
        None
    } else if has(&["都道府県", "prefecture", "state", "province", "region"]) || n == "県" {
        Some(Part::Prefecture)
    } else if has(&[
        "市区町村",
        "市町村",
        "city",
        "municipality",
        "町域",
        "町名",
        "丁目",
        "番地",
        "建物",
        "マンション",
        "ビル",
        "street",
        "building",
        "住所",
        "address",
        "所在地",
    ]) {
        Some(Part::Address)
    } else {
        None
    }
}

/// Columns whose cells make one value together, counted once per row.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Group {
    cols: Vec<usize>,
    cat: Category,
    /// Columns of the same category outside any group, which may hold the whole value too
    /// (Google Contacts' `Name` beside `Given Name` and `Family Name`): a row whose parts
    /// one of them already holds counts the value once, there.
    wholes: Vec<usize>,
}

/// The split names (a family-name column right before a given-name column) and split
/// addresses (a prefecture column, or the first of two address columns, and the address
/// columns right after it) of a table, kept when their joined values validate: names by the
/// script most of them share, addresses for 30 % of the rows (as a named address column).
/// The script most joined names of a group share, when at least half do.
fn name_group_category(vals: &[String]) -> Option<Category> {
    let n = vals.len().max(1);
    [
        Category::NameKanji,
        Category::NameKana,
        Category::NameRomaji,
    ]
    .into_iter()
    .map(|c| (c, vals.iter().filter(|v| name_shape(v) == Some(c)).count()))
    .max_by_key(|(_, k)| *k)
    .filter(|(_, k)| k * 100 / n >= 50)
    .map(|(c, _)| c)
}

/// Whether headers `a` and `b` (as [`header_key`] reads them) name a family and a given
/// name: the same but for the word (`名字`/`名前`, `姓`/`名`, `セイ`/`メイ`, `last`/`first`).
fn pair_of_name_parts(a: &str, b: &str) -> bool {
    [
        ("名字", "名前"),
        ("苗字", "名前"),
        ("姓", "名"),
        ("セイ", "メイ"),
        ("せい", "めい"),
        ("last", "first"),
        ("family", "given"),
    ]
    .iter()
    .any(|(s, g)| a.contains(s) && a.replacen(s, g, 1) == b)
}

/// A phone's or postal code's `k`-th part by its header (`電話番号2`, `tel_2`): its category
/// and the header without the number.
fn split_number(h: &str, k: usize) -> Option<(Category, String)> {
    let cat = match header_kind(h)? {
        Kind::Cat(c @ (Category::Phone | Category::PostalCode)) => c,
        _ => return None,
    };
    let n = header_key(h);
    let stem = n.strip_suffix(char::from_digit(u32::try_from(k).ok()?, 10)?)?;
    (!stem.ends_with(|c: char| c.is_ascii_digit())).then(|| (cat, stem.to_string()))
}

/// Whether the header `h` (as [`header_key`] reads it) ends with `k`.
fn n_ends(h: &str, k: &str) -> bool {
    header_key(h).ends_with(k)
}

fn find_groups(header: &[String], data: &[Vec<String>], postal_col: Option<usize>) -> Vec<Group> {
    let parts: Vec<Option<Part>> = header.iter().map(|h| part_of(h)).collect();
    let joined = |cols: &[usize], sep: &str| -> Vec<String> {
        data.iter()
            .map(|r| {
                let cells: Vec<&str> = cols
                    .iter()
                    .filter_map(|i| r.get(*i).map(|c| value::trim(c)))
                    .filter(|c| !c.is_empty())
                    .collect();
                cells.join(sep)
            })
            .filter(|v| !v.is_empty())
            .collect()
    };
    let mut groups = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        // A phone or postal code split over numbered columns (`電話番号1`, `電話番号2`,
        // `電話番号3`; `郵便番号1`, `郵便番号2`, as an online shop's order export writes them),
        // joined with hyphens.
        if let Some((cat, stem)) = header.get(i).and_then(|h| split_number(h, 1)) {
            let mut cols = vec![i];
            while let Some(h) = header.get(i + cols.len())
                && split_number(h, cols.len() + 1) == Some((cat, stem.clone()))
            {
                cols.push(i + cols.len());
            }
            let vals = joined(&cols, "-");
            let ok = vals.iter().filter(|v| valid(cat, v, None)).count();
            if cols.len() > 1 && ok * 100 / vals.len().max(1) >= 50 {
                i += cols.len();
                groups.push(Group {
                    cols,
                    cat,
                    wholes: Vec::new(),
                });
                continue;
            }
        }
        let (mut cur, mut next) = (parts[i], parts.get(i + 1).copied().flatten());
        // Two headers that differ by a family and a given name's word, under any prefix or
        // suffix (`注文者名字`, `注文者名前`; `お名前(セイ)`, `お名前(メイ)`; `送付先名字フリガナ`,
        // `送付先名前フリガナ`): family and given name, though `名前` alone names a whole one.
        if let (Some(a), Some(b)) = (header.get(i), header.get(i + 1))
            && pair_of_name_parts(&header_key(a), &header_key(b))
            && matches!(
                header_kind(a),
                None | Some(Kind::Name | Kind::Cat(Category::NameKana | Category::NameRomaji))
            )
        {
            (cur, next) = (Some(Part::Surname), Some(Part::Given));
        }
        // A middle name between (Google Contacts: `Given Name`, `Additional Name`, `Family
        // Name`): family, given and middle name joined.
        if let (Some(p @ (Part::Surname | Part::Given)), None, Some(q)) =
            (cur, next, parts.get(i + 2).copied().flatten())
            && q != p
            && matches!(q, Part::Surname | Part::Given)
            && header.get(i + 1).is_some_and(|h| {
                let k = header_key(h);
                ["additional", "middle", "ミドル"]
                    .iter()
                    .any(|w| k.contains(w))
            })
        {
            let cols = if p == Part::Surname {
                vec![i, i + 2, i + 1]
            } else {
                vec![i + 2, i, i + 1]
            };
            if let Some(cat) = name_group_category(&joined(&cols, " ")) {
                i += 3;
                groups.push(Group {
                    cols,
                    cat,
                    wholes: Vec::new(),
                });
                continue;
            }
        }
        let g = match cur {
            // Family then given name, or given then family (`First Name`, `Last Name` of a
            // western export, `name.first`, `name.last` of a JSON record): joined family
            // name first.
            Some(p @ (Part::Surname | Part::Given))
                if next
                    == Some(if p == Part::Surname {
                        Part::Given
                    } else {
                        Part::Surname
                    }) =>
            {
                let cols = if p == Part::Surname {
                    [i, i + 1]
                } else {
                    [i + 1, i]
                };
                name_group_category(&joined(&cols, " ")).map(|cat| Group {
                    cols: cols.to_vec(),
                    cat,
                    wholes: Vec::new(),
                })
            }
            Some(Part::Prefecture | Part::Address)
                if matches!(next, Some(Part::Prefecture | Part::Address)) =>
            {
                let mut cols = vec![i];
                while let Some(Some(Part::Prefecture | Part::Address)) = parts.get(i + cols.len()) {
                    cols.push(i + cols.len());
                }
                // Read in a Japanese address's order: the prefecture, the city, the rest
                // (Amazon's `ship-address-1`, `ship-city`, `ship-state` come the other way).
                let rank = |c: &usize| match parts.get(*c) {
                    Some(Some(Part::Prefecture)) => 0,
                    _ if header.get(*c).is_some_and(|h| {
                        let k = header_key(h);
                        ["city", "市区町村", "市町村", "郡市区", "municipality"]
                            .iter()
                            .any(|w| k.contains(w))
                    }) =>
                    {
                        1
                    }
                    _ => 2,
                };
                cols.sort_by_key(rank);
                let vals: Vec<(String, Option<u32>)> = data
                    .iter()
                    .map(|r| {
                        let v: String = cols
                            .iter()
                            .filter_map(|c| r.get(*c).map(|x| value::trim(x)))
                            .collect();
                        let postal = postal_col
                            .and_then(|p| r.get(p))
                            .and_then(|c| column_postal(c));
                        (v, postal)
                    })
                    .filter(|(v, _)| !v.is_empty())
                    .collect();
                let ok = vals
                    .iter()
                    .filter(|(v, p)| {
                        value::address(v, *p) || value::address_without_prefecture(v, *p)
                    })
                    .count();
                (cols.len() > 1 && ok * 100 / vals.len().max(1) >= 30).then_some(Group {
                    cols,
                    cat: Category::Address,
                    wholes: Vec::new(),
                })
            }
            _ => None,
        };
        match g {
            Some(g) => {
                i += g.cols.len();
                groups.push(g);
            }
            None => i += 1,
        }
    }
    // A family and a given name's columns apart, paired by their headers: the keys of a
    // JSON record come in their sorted order (`guests.0.firstName`, `guests.0.gender`,
    // `guests.0.lastName`).
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut used = vec![false; header.len()];
    for g in &groups {
        for c in &g.cols {
            if let Some(u) = used.get_mut(*c) {
                *u = true;
            }
        }
    }
    // (Judged once a column: the pairs below are many in a wide JSON record.)
    let name_likes: Vec<bool> = header
        .iter()
        .map(|h| {
            matches!(
                header_kind(h),
                None | Some(Kind::Name | Kind::Cat(Category::NameKana | Category::NameRomaji))
            )
        })
        .collect();
    let name_like = |i: usize| name_likes.get(i).copied().unwrap_or(false);
    for a in 0..keys.len() {
        if used[a] || !name_like(a) {
            continue;
        }
        for b in 0..keys.len() {
            if b == a || used[b] || !name_like(b) || !pair_of_name_parts(&keys[a], &keys[b]) {
                continue;
            }
            let cols = vec![a, b];
            if let Some(cat) = name_group_category(&joined(&cols, " ")) {
                used[a] = true;
                used[b] = true;
                groups.push(Group {
                    cols,
                    cat,
                    wholes: Vec::new(),
                });
                break;
            }
        }
    }
    groups
}

/// Whether `whole` is the value of `parts` together: with its spaces left out, as long as
/// the parts and holding each (in any order, ASCII letters in any case: `Taro Yamada` holds
/// `Yamada` and `Taro`).
fn holds_parts<'a>(whole: &str, parts: impl Iterator<Item = Option<&'a str>>) -> bool {
    let spaces = |c: char| c.is_whitespace() || c == '\u{3000}';
    let whole: String = whole.chars().filter(|c| !spaces(*c)).collect();
    let whole = whole.to_ascii_uppercase();
    let mut len = 0;
    for p in parts.flatten() {
        let p: String = p.chars().filter(|c| !spaces(*c)).collect();
        if p.is_empty() {
            continue;
        }
        let p = p.to_ascii_uppercase();
        if !whole.contains(&p) {
            return false;
        }
        len += p.len();
    }
    len > 0 && len == whole.len()
}

/// Flags of [`name_shape`]: the scripts and separators a value holds.
const KANA: u8 = 1;
const KANJI: u8 = 2;
const LATIN: u8 = 4;
const LATIN_PUNCT: u8 = 8;
const JP_SPACE: u8 = 16;
/// A hiragana (with `KANA`): a kana value is counted by its katakana form.
const HIRAGANA: u8 = 32;
/// A half-width katakana or a spacing voiced mark (with `KANA`): counted by its full-width,
/// composed form.
const HALF: u8 = 64;
/// A character no name holds.
const BAD: u8 = 128;

/// [`name_shape`]'s flag of each ASCII byte.
const ASCII_SHAPE: [u8; 128] = {
    let mut t = [BAD; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphabetic() {
            LATIN
        } else if matches!(b, b',' | b'.' | b'-' | b'\'') {
            LATIN_PUNCT
        } else if b == b' ' {
            0
        } else {
            BAD
        };
        i += 1;
    }
    t
};

/// [`name_shape`]'s flag of a character of three UTF-8 bytes.
const fn bmp_shape(cp: u32) -> u8 {
    match cp {
        // `・` (U+30FB) is both a kana and a separator of Japanese names.
        0x30FB => KANA | JP_SPACE,
        0x3041..=0x3096 => KANA | HIRAGANA,
        0x30A1..=0x30FC => KANA,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3005 => KANJI,
        // Half-width katakana, `･` a separator like `・`.
        0xFF65 => KANA | JP_SPACE | HALF,
        0xFF66..=0xFF9F | 0x309B | 0x309C => KANA | HALF,
        0x3000 => JP_SPACE,
        _ => BAD,
    }
}

/// [`bmp_shape`] per block of 64 code points (the lead byte's low bits and the second byte's
/// low six): the flag the whole block shares, or `MIXED` for the few blocks of kana and
/// CJK punctuation whose characters differ. One load per character for kanji.
const MIXED: u8 = 0xFF;
const BLOCK_SHAPE: [u8; 1024] = {
    let mut t = [0u8; 1024];
    let mut b = 0;
    while b < 1024 {
        let first = bmp_shape((b as u32) << 6);
        let mut same = true;
        let mut k = 1;
        while k < 64 {
            if bmp_shape(((b as u32) << 6) | k) != first {
                same = false;
            }
            k += 1;
        }
        t[b] = if same { first } else { MIXED };
        b += 1;
    }
    t
};

/// The script of a name-shaped value in a name column (header context: no dictionary needed).
fn name_shape(s: &str) -> Option<Category> {
    shape_category(shape_flags(s)?)
}

/// The flags of [`name_shape`] over the characters of `s`; `None` when no name can be it.
fn shape_flags(s: &str) -> Option<u8> {
    let b = value::trim(s).as_bytes();
    // One pass over the bytes, flags in a byte (a value per cell: this runs for every name).
    let (mut f, mut n, mut i) = (0u8, 0, 0);
    while let Some(&x) = b.get(i) {
        n += 1;
        if n > 30 {
            return None;
        }
        if let Some(&a) = ASCII_SHAPE.get(usize::from(x)) {
            f |= a;
            i += 1;
            continue;
        }
        let Some(&[y, z]) = b.get(i + 1..i + 3) else {
            return None;
        };
        if !(0xE0..0xF0).contains(&x) {
            return None;
        }
        let block = (usize::from(x & 0x0F) << 6) | usize::from(y & 0x3F);
        f |= match BLOCK_SHAPE[block] {
            MIXED => bmp_shape(((block as u32) << 6) | u32::from(z & 0x3F)),
            shape => shape,
        };
        i += 3;
    }
    Some(f)
}

/// The script that [`shape_flags`]' flags make.
fn shape_category(f: u8) -> Option<Category> {
    if f & BAD != 0 {
        None
    } else if f & KANA != 0 && f & (KANJI | LATIN | LATIN_PUNCT) == 0 {
        Some(Category::NameKana)
    } else if f & KANJI != 0 && f & (LATIN | LATIN_PUNCT) == 0 {
        Some(Category::NameKanji)
    } else if f & LATIN != 0 && f & (KANA | KANJI | JP_SPACE) == 0 {
        Some(Category::NameRomaji)
    } else {
        None
    }
}

/// The last field of a JSON document's flattened path (`headers.0.name`: `name`; a list's
/// index is skipped), or the whole header.
fn last_field(h: &str) -> &str {
    h.rsplit('.')
        .find(|f| !f.is_empty() && !f.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(h)
}

/// A flattened path's last field with the object it belongs to (`Group.0.addresses.0.name`:
/// `addresses.0.name`), the whole of a plain header.
fn owned_field(h: &str) -> &str {
    let (mut named, mut end) = (0, h.len());
    for (i, _) in h.rmatch_indices('.') {
        // A field of letters (not an array's index) between this dot and the last one seen.
        if !h[i + 1..end].bytes().all(|b| b.is_ascii_digit()) {
            named += 1;
            if named == 2 {
                return &h[i + 1..];
            }
        }
        end = i;
    }
    h
}

/// The object a flattened path's field belongs to (`headers.0.name`: `headers.0`), empty
/// for a plain header.
fn parent_field(h: &str) -> &str {
    h.rsplit_once('.').map_or("", |(p, _)| p)
}

/// Does the cell `s` (already trimmed) hold a valid value of `c` (in a column of that
/// category)?
fn valid(c: Category, s: &str, postal: Option<u32>) -> bool {
    if s.is_empty() {
        return false;
    }
    use Category as C;
    match c {
        C::Email => value::email(s),
        C::Phone => value::phone(s).is_some() || value::intl_phone(s).is_some(),
        C::PostalCode => value::postal_code(s).is_some(),
        C::Address => value::address(s, postal),
        C::BirthDate => value::birth_date(s).is_some(),
        C::PassportIssueDate => value::issue_date(s).is_some(),
        C::PassportNumber => value::passport_number(s) || value::foreign_passport(s),
        C::MyNumber => value::my_number(s),
        C::CreditCard => value::credit_card(s),
        C::BankAccount => value::bank_account(s),
        C::Gender => value::gender(s),
        C::NameRomaji => {
            name_shape(s) == Some(c) && !value::placeholder(s) && !unknown_word(s) && !identifier(s)
                || value::airline_name(s).is_some()
        }
        C::NameKanji | C::NameKana => name_shape(s) == Some(c) && !value::placeholder(s),
    }
}

/// A host's name or an identifier ([`dotted`], [`camel_case`]) in Latin letters, or a mail
/// header's name ([`header_name`]): one pass over the bytes first, as this runs for every
/// romaji cell (most are `YAMADA TARO`).
fn identifier(s: &str) -> bool {
    let (mut dot, mut lower, mut hyphen) = (false, false, false);
    for b in s.bytes() {
        dot |= b == b'.';
        lower |= b.is_ascii_lowercase();
        hyphen |= b == b'-';
    }
    hyphen && header_name(s) || dot && dotted(s) || lower && s.split(' ').any(camel_case)
}

/// A mail's or an HTTP header's name, as a parsed mail's JSON lists them beside their
/// values (`{"name": "Reply-To", "value": "…@…"}`): a letter, then a hyphen (`X-Mailer`,
/// `X-MSMail-Priority`), or one word of hyphenated parts ending in a header's word
/// (`Delivered-To`, `Return-Path`, `Content-Type`). (`Jean-Pierre`, `Mary-Jane` are names.)
fn header_name(s: &str) -> bool {
    let b = s.as_bytes();
    if b.get(1) == Some(&b'-') {
        return true;
    }
    let Some((_, last)) = s.rsplit_once('-') else {
        return false;
    };
    !s.contains(' ')
        && [
            "to",
            "from",
            "path",
            "id",
            "type",
            "encoding",
            "agent",
            "version",
            "language",
            "priority",
            "date",
            "length",
            "control",
            "sender",
            "disposition",
            "transfer",
        ]
        .iter()
        .any(|w| last.eq_ignore_ascii_case(w))
}

/// A host's or a qualified identifier's name (`mail.example.com`, `assert.AssertionError`):
/// one word whose dots each stand between two letters or more. (`Joe Q. Public` and
/// `J.SMITH` are persons' names.)
fn dotted(s: &str) -> bool {
    s.contains('.') && !s.contains(' ') && s.split('.').all(|p| p.len() >= 2)
}

/// An identifier in camel case (`XkbGeometryMask`, `AsyncLocalStorage`, `otherExtension`):
/// a capital after a small letter, twice, or once after more than three letters. (`McDonald`,
/// `MacArthur`, `DiCaprio`, `DeVito` are names.)
fn camel_case(w: &str) -> bool {
    let mut humps = 0;
    for (i, p) in w.as_bytes().windows(2).enumerate() {
        if p[1].is_ascii_uppercase() && p[0].is_ascii_lowercase() {
            // The hump at `i + 1`: after more than three letters, or the second one.
            if i + 1 > 3 || humps == 1 {
                return true;
            }
            humps += 1;
        }
    }
    false
}

/// A single word in lower case that the dictionary knows as no name (`dog`, `penguin` in a
/// `name` column of a documentation's example table): no romaji name, although a romaji
/// name column takes single words (`Yamada`, `TARO`, `yamada`).
fn unknown_word(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_lowercase()) && !value::name_romaji(s)
}

/// Does a header cell name a column the classifier knows (or a part of a name or address)?
fn names(h: &str) -> bool {
    header_kind(h).is_some() || part_of(h).is_some()
}

/// Header cells of a row that name a known column.
fn named(r: &[String]) -> usize {
    r.iter().filter(|h| names(h)).count()
}

/// Whether a row holds no value, as a header does. A header cell may also read as a value
/// (`セイ` is a name in kana, `姓` a kanji name); one holding a digit or `@` is a value
/// whatever it names, and so is a longer cell with a digit in which the text scanner finds
/// one.
fn no_value(r: &[String]) -> bool {
    !r.iter().any(|c| {
        let digit = c.bytes().any(|b| b.is_ascii_digit() || b == b'@');
        (value::classify_cell(c).is_some() || value::date(c).is_some())
            && (!names(c) || digit)
            // A value inside a longer cell: a log line split at its commas
            // (`… DEBUG request: {'name': '山田 太郎'`, `'tel': '090-1234-5678'`).
            || digit && c.len() > 16 && {
                let mut t = Tally::new(crate::tally::CatSet::all());
                text::scan(c, &mut t);
                t.total() > 0
            }
    })
}

/// The header of two rows, when the row under `upper` is a second header row as sheets with
/// merged cells export them (`氏名,,フリガナ,` over `姓,名,セイ,メイ`): it holds no value,
/// names a column, and has a cell under an empty one of `upper`. Each column is named by
/// its lower cell when that names a column; else by the two joined (`住所` over `自宅` and
/// `勤務先` is no help, `氏名` over `カナ` gives `氏名カナ`), the upper cell carried over
/// the empty cells of a merged one; else by whichever cell is filled.
fn two_row_header(upper: &[String], lower: &[String]) -> Option<Vec<String>> {
    let under_empty = lower
        .iter()
        .enumerate()
        .any(|(i, c)| !c.trim().is_empty() && upper.get(i).is_none_or(|u| u.trim().is_empty()));
    if !under_empty || named(lower) == 0 || !no_value(lower) {
        return None;
    }
    let mut carried = "";
    let width = upper.len().max(lower.len());
    let header = (0..width)
        .map(|i| {
            let u = upper.get(i).map_or("", |c| c.trim());
            let l = lower.get(i).map_or("", |c| c.trim());
            if !u.is_empty() {
                carried = u;
            }
            if names(l) {
                return l.to_string();
            }
            let joined = format!("{carried}{l}");
            if !l.is_empty() && !carried.is_empty() && names(&joined) {
                joined
            } else if !u.is_empty() {
                u.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    Some(header)
}

/// Rows searched for a header below title lines.
pub const HEADER_ROWS: usize = 16;

/// The index of the header among the first rows, if there is one: the first row (within
/// [`HEADER_ROWS`]) that names two columns the classifier knows, holds no value, and has
/// more cells filled than every row above it; else the first row if it names one and holds
/// no value. Exported sheets and reports put title lines above the header
/// (`顧客一覧`, `出力日,2024/03/31`, a blank line).
fn header_row(rows: &[Vec<String>]) -> Option<usize> {
    let mut widest = 0;
    for (i, row) in rows.iter().take(HEADER_ROWS).enumerate() {
        let filled = row.iter().filter(|c| !c.trim().is_empty()).count();
        // Headers the classifier knows, and those that name a thing (`注文番号`, `商品コード`).
        let things = row
            .iter()
            .filter(|h| names_no_person(h) || header_kind(h).is_none() && names_a_number(h))
            .count();
        if filled > widest && named(row) + things >= 2 && no_value(row) {
            return Some(i);
        }
        widest = widest.max(filled);
    }
    // A header of one known column (`氏名,部署`) is taken in the first row only.
    rows.first()
        .is_some_and(|r| named(r) > 0 && no_value(r))
        .then_some(0)
}

/// A cell of the postal-code column: a code, or one whose leading zeros a spreadsheet took
/// for a number's (`60001` for `006-0001`, Hokkaido's codes start with 0).
fn column_postal(s: &str) -> Option<u32> {
    value::postal_code(s).or_else(|| {
        let t = value::trim(s);
        ((5..=6).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| value::postal_code(&format!("{t:0>7}")))
            .flatten()
    })
}

/// A phone number whose leading 0 a spreadsheet dropped, taking it for a number's
/// (`9012345678` for `090-1234-5678`, `312345678` for `03-1234-5678`).
fn dropped_zero_phone(s: &str) -> Option<value::PhoneDigits> {
    ((9..=10).contains(&s.len()) && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value::phone(&format!("0{s}")))
        .flatten()
}

/// Separators of two values in one cell (`090-1234-5678/03-1111-2222`).
const CELL_SEPARATORS: [char; 7] = ['/', '／', '、', ',', ';', '；', '\n'];

/// The values of a cell of a column of category `c` that fails its validator as it stands
/// but holds the value with something around it, as hand-kept lists do: a label or an
/// extension around a phone (`TEL:03-1234-5678`, `03-1234-5678 内線123`) or two phones; an
/// age or `生` after a date (`1980/4/1（44歳）`, `昭和55年4月1日生まれ`); brackets or
/// `mailto:` around an e-mail (`山田 <taro@example.com>`); a postal code before an address
/// (`〒100-0001 東京都…`, then the cross-check uses it), or an address without its
/// prefecture (`千代田区千代田1-1`); a phone number or postal code a spreadsheet stored as a
/// number, its leading zeros lost (`9012345678`, `60001`). Each value found is given to `f`
/// with its distinct key; returns how many. Called only after the plain check failed.
fn rescue(c: Category, s: &str, postal: Option<u32>, f: &mut dyn FnMut(&str, &str)) -> usize {
    use Category as C;
    match c {
        C::Phone => {
            if let Some(d) = dropped_zero_phone(s) {
                f(s, &d);
                return 1;
            }
            let mut n = 0;
            for part in s.split(CELL_SEPARATORS) {
                // The number starts at its first digit (or `+`, `(`) after a short label.
                let Some(at) = part.find(|ch: char| {
                    value::digit(ch).is_some() || matches!(ch, '+' | '＋' | '(' | '（')
                }) else {
                    continue;
                };
                if part[..at].chars().count() > 8 {
                    continue;
                }
                let rest = &part[at..];
                let end = rest
                    .char_indices()
                    .find(|&(i, ch)| {
                        !(value::digit(ch).is_some()
                            || value::is_hyphen(ch)
                            || matches!(ch, ' ' | '\u{3000}' | '(' | ')' | '（' | '）')
                            || (i == 0 && matches!(ch, '+' | '＋')))
                    })
                    .map_or(rest.len(), |(i, _)| i);
                let num = value::trim(&rest[..end]).trim_end_matches(['(', '（']);
                if let Some(d) = value::phone(num) {
                    f(num, &d);
                    n += 1;
                }
            }
            n
        }
        C::BirthDate | C::PassportIssueDate => {
            let core = s.split(['(', '（']).next().unwrap_or("");
            let core = value::trim(core);
            let core = ["生まれ", "生", "頃"]
                .iter()
                .find_map(|x| core.strip_suffix(x))
                .map_or(core, value::trim);
            let ok = core != s
                && if c == C::BirthDate {
                    value::birth_date(core).is_some()
                } else {
                    value::issue_date(core).is_some()
                };
            if ok {
                f(core, core);
            }
            usize::from(ok)
        }
        C::PostalCode => match column_postal(s) {
            Some(_) => {
                f(s, s);
                1
            }
            None => 0,
        },
        C::Email => {
            let t = s.trim_start_matches("mailto:");
            let t = match (t.find('<'), t.rfind('>')) {
                (Some(a), Some(b)) if a < b => &t[a + 1..b],
                _ => t,
            };
            let t = t
                .trim_matches(['<', '>', '(', ')', '"', ' ', '\u{3000}'])
                .trim_start_matches("mailto:");
            let ok = t != s && value::email(t);
            if ok {
                f(t, t);
            }
            usize::from(ok)
        }
        C::Address => {
            let t = s.trim_start_matches('〒');
            let end = t
                .find(|ch: char| !(value::digit(ch).is_some() || value::is_hyphen(ch)))
                .unwrap_or(t.len());
            // A code Japan Post does not list (a typo) is no cross-check, but the address
            // may still validate by its municipality.
            let code = (end > 0).then(|| value::postal_code(&t[..end])).flatten();
            let rest = if end > 0 { value::trim(&t[end..]) } else { s };
            let postal = code.or(postal);
            // Without its prefecture (`千代田区千代田1-1`): by the municipality.
            let ok = (end > 0 && value::address(rest, postal))
                || value::address_without_prefecture(rest, postal);
            if ok {
                f(rest, rest);
            }
            usize::from(ok)
        }
        _ => 0,
    }
}

/// A table being read row by row.
#[derive(Debug)]
pub struct Table {
    /// Header cells when the first row is a header.
    header: Option<Vec<String>>,
    /// Rows buffered until the columns are classified.
    buffered: Vec<Vec<String>>,
    /// Per column: its category, once classified.
    kinds: Option<Vec<Option<Kind>>>,
    /// Per column: what counting does with its cells (from `kinds`).
    ops: Vec<Op>,
    /// The postal-code column (the address cross-check reads it first).
    postal_col: Option<usize>,
    /// Field ranges of the row being counted (reused).
    ranges: Vec<(usize, usize)>,
    /// Data rows seen.
    pub records: u64,
    /// Named columns (JSON Lines keys) -> index.
    keys: Vec<String>,
    named: bool,
    /// Split names and addresses, counted as one value per row.
    groups: Vec<Group>,
    /// A group's joined value (reused).
    joined: String,
    /// Columns' names without a header (a fixed-width record's places, [`Table::fixed`]).
    places: Vec<String>,
    /// Without a header: what a fixed-width layout found each column to hold ([`Table::fixed`]).
    hints: Vec<Option<Category>>,
    /// Rows only, never a header ([`Table::headless`]).
    headless: bool,
}

impl Table {
    /// A table whose first row may be a header (CSV/TSV/sheets).
    pub fn new() -> Self {
        Table {
            header: None,
            buffered: Vec::new(),
            kinds: None,
            ops: Vec::new(),
            postal_col: None,
            ranges: Vec::new(),
            records: 0,
            keys: Vec::new(),
            named: false,
            groups: Vec::new(),
            joined: String::new(),
            places: Vec::new(),
            hints: Vec::new(),
            headless: false,
        }
    }

    /// A table whose rows are all records, none a header (a database file's rows): its
    /// columns are named `#1`, `#2`… and classified by their values.
    pub fn headless() -> Self {
        Table {
            headless: true,
            ..Table::new()
        }
    }

    /// A table of fixed-width records ([`crate::fixed`]). When no header row names its
    /// columns, they are named `places`. `hints` says what the layout found in the columns
    /// no header cell names a category of (`Gender` for sex codes, `1` and `2`); dates it
    /// gave no category are no person's (the time of an update), and are not judged again
    /// by their years.
    pub fn fixed(places: Vec<String>, hints: Vec<Option<Category>>) -> Self {
        Table {
            places,
            hints,
            ..Table::new()
        }
    }

    /// A table of named fields (JSON Lines): the keys are the header.
    pub fn named() -> Self {
        Table {
            named: true,
            ..Table::new()
        }
    }

    /// A table whose column names are known apart from its rows (a SQL dump's): they are the
    /// header, and rows come by position ([`Table::push`]).
    pub fn with_columns(mut cols: Vec<String>) -> Self {
        cols.truncate(MAX_COLUMNS);
        Table {
            keys: cols,
            ..Table::named()
        }
    }

    /// Whether columns are named by their keys ([`Table::named`]), not by a header row.
    pub fn is_named(&self) -> bool {
        self.named
    }

    /// Adds one JSON object's fields.
    pub fn push_named<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        fields: Vec<(K, V)>,
        tally: &mut Tally,
    ) {
        let mut row = vec![""; self.keys.len()];
        for (j, (k, v)) in fields.iter().enumerate() {
            let k = k.as_ref();
            // Records most often list their keys in the order of the first one.
            let known = match self.keys.get(j) {
                Some(x) if x == k => Some(j),
                _ => self.keys.iter().position(|x| x == k),
            };
            let i = match known {
                Some(i) => i,
                None if self.keys.len() < MAX_COLUMNS => {
                    self.keys.push(k.to_string());
                    row.push("");
                    if let Some(kinds) = &mut self.kinds {
                        // A key first seen after classification: by its name, else its values
                        // are scanned as text (a documentation's JSON: `…methods.8.desc`).
                        kinds.push(
                            self.keys
                                .last()
                                .and_then(|k| header_kind(k))
                                .or(Some(Kind::Text)),
                        );
                        self.set_ops();
                    }
                    self.keys.len() - 1
                }
                // Past the last column: the value is text.
                None => {
                    text::scan(v.as_ref(), tally);
                    continue;
                }
            };
            if let Some(cell) = row.get_mut(i) {
                *cell = v.as_ref();
            }
        }
        self.push(&row, tally);
    }

    /// Adds one row.
    pub fn push<S: AsRef<str>>(&mut self, row: &[S], tally: &mut Tally) {
        let row = &row[..row.len().min(MAX_COLUMNS)];
        if self.kinds.is_some() {
            self.records += 1;
            self.count(row, tally);
            return;
        }
        self.buffered
            .push(row.iter().map(|c| c.as_ref().to_string()).collect());
        if self.buffered.len() >= CLASSIFY_ROWS {
            self.classify(tally);
        }
    }

    /// Does counting read column `i`'s cells? `false` only once the columns are classified
    /// and `i` is neither counted nor part of a split name or address: a reader may then
    /// leave its cells empty rather than decode them.
    pub(crate) fn reads_column(&self, i: usize) -> bool {
        self.kinds.is_none()
            || self.ops.get(i).is_none_or(|op| *op != Op::Skip)
            || self.groups.iter().any(|g| g.cols.contains(&i))
    }

    /// Named columns (JSON Lines keys) known so far.
    pub(crate) fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// A table with this one's columns and no rows, for rows counted on another thread
    /// ([`crate::spread`]); `None` before the columns are classified.
    pub(crate) fn fork(&self) -> Option<Table> {
        let kinds = self.kinds.clone()?;
        Some(Table {
            header: self.header.clone(),
            buffered: Vec::new(),
            kinds: Some(kinds),
            ops: self.ops.clone(),
            postal_col: self.postal_col,
            ranges: Vec::new(),
            records: 0,
            keys: self.keys.clone(),
            named: self.named,
            groups: self.groups.clone(),
            joined: String::new(),
            places: self.places.clone(),
            hints: self.hints.clone(),
            headless: self.headless,
        })
    }

    /// The most persons the rows may hold: a person a row, or as many as a row has name
    /// columns of one script (a student's and a guardian's; an orderer's and a recipient's;
    /// a split name's parts count as one column).
    pub fn person_rows(&self) -> u64 {
        let kinds = self.kinds.as_deref().unwrap_or(&[]);
        let grouped = |i: usize| self.groups.iter().any(|g| g.cols.contains(&i));
        let per_row = [
            Category::NameKanji,
            Category::NameKana,
            Category::NameRomaji,
        ]
        .iter()
        .map(|c| {
            kinds
                .iter()
                .enumerate()
                .filter(|(i, k)| !grouped(*i) && **k == Some(Kind::Cat(*c)))
                .count()
                + self.groups.iter().filter(|g| g.cat == *c).count()
        })
        .max()
        .unwrap_or(0)
        .max(self.email_owners())
        .max(1);
        self.records.saturating_mul(per_row as u64)
    }

    /// The objects of a JSON record that hold e-mails: a mail's sender and each recipient
    /// (`from.emailAddress.address`, `toRecipients.0.emailAddress.address`) are persons of
    /// their own; a second e-mail column of one object (`email`, `email2`) is not.
    fn email_owners(&self) -> usize {
        let (Some(kinds), Some(header)) = (&self.kinds, &self.header) else {
            return 0;
        };
        let mut parents: Vec<&str> = kinds
            .iter()
            .zip(header)
            .filter(|(k, _)| **k == Some(Kind::Cat(Category::Email)))
            .map(|(_, h)| parent_field(h))
            .collect();
        parents.sort_unstable();
        parents.dedup();
        parents.len()
    }

    /// Classifies (if not done yet) and counts the buffered rows; returns the columns.
    pub fn finish(&mut self, tally: &mut Tally) -> Vec<(String, Category)> {
        if self.kinds.is_none() {
            self.classify(tally);
        }
        let Some(kinds) = &self.kinds else {
            return Vec::new();
        };
        // The category a name column turned out to hold is the one counted most often; report
        // the category the column was classified as.
        kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let cat = match k {
                    Some(Kind::Cat(c)) => *c,
                    Some(Kind::GenderCode) => Category::Gender,
                    _ => return None,
                };
                let name = if self.named {
                    self.keys.get(i).cloned().unwrap_or_default()
                } else {
                    match &self.header {
                        Some(h) => h.get(i).map(|s| s.trim().to_string()).unwrap_or_default(),
                        None => match self.places.get(i) {
                            Some(p) => p.clone(),
                            None => format!("#{}", i + 1),
                        },
                    }
                };
                Some((name, cat))
            })
            .collect()
    }

    fn classify(&mut self, tally: &mut Tally) {
        let mut rows = std::mem::take(&mut self.buffered);
        let header: Option<Vec<String>> = if self.named {
            Some(self.keys.clone())
        } else if self.headless {
            None
        } else {
            match header_row(&rows) {
                Some(h) => {
                    // Title lines above the header (`顧客一覧`, `作成者：…`) are no records;
                    // what they say is read as text.
                    let mut rest = rows.split_off(h);
                    for cell in rows.iter().flatten() {
                        if !cell.trim().is_empty() {
                            text::scan(cell, tally);
                        }
                    }
                    rows = rest.split_off(1);
                    let upper = rest.pop();
                    // A second header row under it (merged cells above split ones).
                    match (&upper, rows.first()) {
                        (Some(u), Some(l)) => match two_row_header(u, l) {
                            Some(joined) => {
                                rows.remove(0);
                                Some(joined)
                            }
                            None => upper,
                        },
                        _ => upper,
                    }
                }
                None => None,
            }
        };
        let data = rows;
        let ncols = data
            .iter()
            .map(Vec::len)
            .chain(header.iter().map(Vec::len))
            .max()
            .unwrap_or(0);
        let mut kinds: Vec<Option<Kind>> = vec![None; ncols];
        let mut date_years: Vec<(usize, i32)> = Vec::new();
        for (i, kind) in kinds.iter_mut().enumerate() {
            let cells: Vec<&str> = data
                .iter()
                .filter_map(|r| r.get(i).map(|s| s.trim()))
                .filter(|s| !s.is_empty())
                .collect();
            let by_header = header
                .as_ref()
                .and_then(|h| h.get(i))
                .and_then(|h| header_kind(h));
            let n = cells.len().max(1);
            let share = |f: &dyn Fn(&str) -> bool| cells.iter().filter(|c| f(c)).count() * 100 / n;
            let emails = || (share(&value::email) >= 60).then_some(Kind::Cat(Category::Email));
            *kind = match by_header {
                None if self.hints.get(i).is_some_and(Option::is_some) => {
                    match self.hints.get(i).copied().flatten() {
                        Some(Category::Gender) => Some(Kind::GenderCode),
                        c => c.map(Kind::Cat),
                    }
                }
                Some(Kind::Name) => {
                    // The script decides: the most common shape among the values.
                    let best = [
                        Category::NameKanji,
                        Category::NameKana,
                        Category::NameRomaji,
                    ]
                    .into_iter()
                    .max_by_key(|c| share(&|s| name_shape(s) == Some(*c)));
                    best.filter(|c| share(&|s| name_shape(s) == Some(*c)) >= 50)
                        .map(Kind::Cat)
                        .or_else(emails)
                }
                Some(Kind::Cat(c))
                    if share(&|s| valid(c, s, None) || rescue(c, s, None, &mut |_, _| {}) > 0)
                        >= 30 =>
                {
                    Some(Kind::Cat(c))
                }
                // A category checked strictly, under its header, counts what passes however
                // little it is (a hotel's register of mostly foreign guests: a Japanese
                // guest's phone and address among theirs).
                Some(Kind::Cat(
                    c @ (Category::Email
                    | Category::Phone
                    | Category::PostalCode
                    | Category::Address
                    | Category::PassportNumber
                    | Category::MyNumber
                    | Category::CreditCard),
                )) if cells.iter().any(|s| valid(c, s, None)) => Some(Kind::Cat(c)),
                // An address that fails the check (split over columns, without its
                // prefecture) is still one; but a column of ASCII values named `addr` holds
                // network addresses (`remote_addr`, `ip_addr`, `mac_address`).
                Some(Kind::Cat(Category::Address))
                    if cells.is_empty() || share(&|s| !s.is_ascii()) >= 30 =>
                {
                    Some(Kind::Cat(Category::Address))
                }
                // E-mails under another header (`address`, Graph's `emailAddress.address`,
                // `contact`): their shape leaves no doubt.
                Some(Kind::Cat(_)) if share(&value::email) >= 60 => {
                    Some(Kind::Cat(Category::Email))
                }
                Some(Kind::Cat(Category::Gender))
                    if share(&|s| matches!(s, "0" | "1" | "2" | "9")) >= 90
                        && share(&|s| matches!(s, "1" | "2")) >= 30 =>
                {
                    Some(Kind::GenderCode)
                }
                Some(Kind::Cat(_)) => None,
                Some(k) => Some(k),
                // A column named for what is no person (`商品名`: `りんご` reads as a given
                // name, `山田商店` as a full one) is not classified by its values.
                None if header
                    .as_ref()
                    .and_then(|h| h.get(i))
                    .is_some_and(|h| names_no_person(h) || names_a_number(h)) =>
                {
                    None
                }
                None => {
                    let mut votes: Vec<(Category, usize)> = Vec::new();
                    for c in &cells {
                        // Under a header that names no name, one word in kana or Latin
                        // letters is no name (`no`, `yes` of a flag; `りんご`).
                        let word = |c: &str| !c.trim().contains([' ', '\u{3000}']);
                        if let Some(cat) = value::classify_cell(c).filter(|cat| {
                            header.is_none()
                                || !matches!(cat, Category::NameKana | Category::NameRomaji)
                                || !word(c)
                        }) {
                            match votes.iter_mut().find(|v| v.0 == cat) {
                                Some(v) => v.1 += 1,
                                None => votes.push((cat, 1)),
                            }
                        }
                    }
                    let top = votes.iter().max_by_key(|v| v.1).copied();
                    let dates: Vec<i32> = cells
                        .iter()
                        .filter_map(|c| value::date(c))
                        .map(|d| d.0)
                        .collect();
                    if let Some((cat, _)) = top
                        .filter(|t| t.1 * 100 / n >= 60)
                        .filter(|t| header.is_some() || !names_unlike_persons(t.0, &cells))
                    {
                        Some(Kind::Cat(cat))
                    } else if dates.len() * 100 / n >= 60
                        && header.is_none()
                        && self.hints.is_empty()
                    {
                        let mut ys = dates.clone();
                        ys.sort_unstable();
                        date_years.push((i, ys.get(ys.len() / 2).copied().unwrap_or(0)));
                        Some(Kind::Date)
                    } else if cells
                        .iter()
                        .take(16)
                        .map(|c| c.chars().count())
                        .sum::<usize>()
                        >= 16 * cells.len().min(16)
                        && cells.iter().take(16).any(|c| {
                            let mut t = Tally::new(crate::tally::CatSet::all());
                            text::scan(c, &mut t);
                            t.total() > 0
                        })
                    {
                        Some(Kind::Text)
                    } else {
                        None
                    }
                }
            };
        }
        // Split names and addresses: their columns count together.
        if let Some(h) = &header {
            let postal_col = kinds
                .iter()
                .position(|k| *k == Some(Kind::Cat(Category::PostalCode)));
            self.groups = find_groups(h, &data, postal_col);
            let grouped: Vec<usize> = self.groups.iter().flat_map(|g| g.cols.clone()).collect();
            for g in &mut self.groups {
                if matches!(
                    g.cat,
                    Category::NameKanji | Category::NameKana | Category::NameRomaji
                ) {
                    g.wholes = (0..kinds.len())
                        .filter(|i| !grouped.contains(i) && kinds[*i] == Some(Kind::Cat(g.cat)))
                        .collect();
                }
                for i in &g.cols {
                    if let Some(k) = kinds.get_mut(*i) {
                        *k = Some(Kind::Cat(g.cat));
                    }
                }
            }
        }
        // A bare `name` (documentation's tables and JSON: `{"name": "X-Mailer", "value": …}`,
        // `| Name | Character |` with `Carriage return`, an API's `AsyncLocalStorage`) names
        // things as often as persons. Its Latin-letter values count as persons' names beside
        // another column of a person's data, or when four in five are names the dictionary knows.
        if let Some(h) = &header {
            // A field of an object named `name` that names nothing itself (a parsed mail's
            // `headers.8.name.other`: `User-Agent`; FHIR's `name.0.use`: `official`, its
            // `name.0.extension.0.valueCode`: `IDE`) counts only by the dictionary.
            // (Judged once a column: the look-ups below are per pair of columns.)
            let romaji = |i: usize| kinds.get(i) == Some(&Some(Kind::Cat(Category::NameRomaji)));
            let unders: Vec<bool> = (0..kinds.len())
                .map(|i| {
                    romaji(i)
                        && h.get(i).is_some_and(|h| {
                            let last = last_field(h);
                            last.len() < h.len()
                                && header_kind(last).is_none()
                                && part_of(h).is_none()
                        })
                })
                .collect();
            let bare_cols: Vec<bool> = (0..kinds.len())
                .map(|i| {
                    romaji(i)
                        && (unders[i]
                            || h.get(i).is_some_and(|h| {
                                matches!(
                                    header_key(last_field(h)).as_str(),
                                    "name" | "names" | "displayname"
                                )
                            }))
                })
                .collect();
            let under = |i: usize| unders.get(i).copied().unwrap_or(false);
            let bare = |i: usize| bare_cols.get(i).copied().unwrap_or(false);
            let bares: Vec<usize> = (0..kinds.len()).filter(|i| bare(*i)).collect();
            let mut things = Vec::new();
            for i in bares {
                // Beside: in the same object of a JSON document (`headers.0.name` and
                // `headers.0.value`, not the document's other fields), else in the row.
                let parent = |j: usize| h.get(j).map(|h| parent_field(h));
                let beside = !under(i)
                    && (0..kinds.len()).any(|j| {
                        !bare(j)
                            && matches!(kinds.get(j), Some(Some(Kind::Cat(_))))
                            && parent(j) == parent(i)
                    });
                if !beside {
                    let cells: Vec<&str> = data
                        .iter()
                        .filter_map(|r| r.get(i).map(|s| s.trim()))
                        .filter(|s| !s.is_empty())
                        .collect();
                    // (Not the English words the dictionary also holds: a parsed mail's
                    // headers `date`, `to`; nor one value in every row: a code.)
                    let known = cells
                        .iter()
                        .filter(|c| value::name_romaji(c) && !value::english_words(c))
                        .count();
                    let one_value =
                        cells.len() >= 3 && cells.iter().all(|c| Some(c) == cells.first());
                    if known * 5 < cells.len() * 4 || one_value {
                        things.push(i);
                    }
                }
            }
            for i in things {
                kinds[i] = None;
            }
        }
        // A product code looks like a passport number, a size column like genders, a C
        // header's octal constants (`#define S_IFDIR 0040000`) like postal codes: judged by
        // their values alone, they count only beside a column that identifies a person.
        let identity = kinds
            .iter()
            .any(|k| matches!(k, Some(Kind::Cat(c)) if identifies(*c)));
        if !identity {
            for (i, k) in kinds.iter_mut().enumerate() {
                let by_header = header
                    .as_ref()
                    .and_then(|h| h.get(i))
                    .and_then(|h| header_kind(h));
                if by_header.is_none()
                    && matches!(
                        k,
                        Some(Kind::Cat(
                            Category::PassportNumber
                                | Category::Gender
                                | Category::CreditCard
                                | Category::PostalCode
                        ))
                    )
                {
                    *k = None;
                }
            }
        }
        // Dates without a header: the earliest column is the birth date, a later one from
        // 1990 on the passport issue date; beside a person only (a header's constants,
        // `19270405`, read as dates too).
        date_years.sort_by_key(|d| d.1);
        for (j, (i, y)) in date_years.iter().enumerate() {
            let k = if !identity {
                None
            } else if j == 0 {
                Some(Kind::Cat(Category::BirthDate))
            } else if *y >= 1990 {
                Some(Kind::Cat(Category::PassportIssueDate))
            } else {
                None
            };
            if let Some(slot) = kinds.get_mut(*i) {
                *slot = k;
            }
        }
        self.header = header;
        self.kinds = Some(kinds);
        self.set_ops();
        for row in data {
            self.records += 1;
            self.count(&row, tally);
        }
    }

    /// Derives the per-column counting from the column kinds.
    fn set_ops(&mut self) {
        let kinds = self.kinds.as_deref().unwrap_or(&[]);
        self.postal_col = kinds
            .iter()
            .position(|k| *k == Some(Kind::Cat(Category::PostalCode)));
        self.ops = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| match k {
                Some(Kind::Cat(c)) => match c {
                    Category::Phone => Op::Phone,
                    Category::PostalCode if Some(i) == self.postal_col => Op::Postal,
                    Category::Email | Category::NameRomaji => Op::Upper(*c),
                    Category::NameKana => Op::Kana,
                    _ => Op::Plain(*c),
                },
                Some(Kind::Text) => Op::Text,
                Some(Kind::GenderCode) => Op::GenderCode,
                _ => Op::Skip,
            })
            .collect();
        for g in &self.groups {
            for i in &g.cols {
                if let Some(op) = self.ops.get_mut(*i) {
                    *op = Op::Skip;
                }
            }
        }
    }

    /// Counts the split names and addresses of a row, whose cells `cell` gives by column.
    fn count_groups<'a>(
        &mut self,
        cell: impl Fn(usize) -> Option<&'a str>,
        postal: Option<u32>,
        tally: &mut Tally,
    ) {
        for g in &self.groups {
            let sep = match g.cat {
                Category::Address => "",
                Category::Phone | Category::PostalCode => "-",
                _ => " ",
            };
            self.joined.clear();
            for i in &g.cols {
                let c = cell(*i).map(value::trim).unwrap_or("");
                if c.is_empty() {
                    continue;
                }
                if !self.joined.is_empty() {
                    self.joined.push_str(sep);
                }
                self.joined.push_str(c);
            }
            if g.wholes.iter().any(|w| {
                cell(*w).is_some_and(|whole| holds_parts(whole, g.cols.iter().map(|i| cell(*i))))
            }) {
                continue;
            }
            let op = match g.cat {
                Category::NameKana => Op::Kana,
                Category::NameRomaji => Op::Upper(g.cat),
                Category::Phone => Op::Phone,
                c => Op::Plain(c),
            };
            count_cell(op, &self.joined, postal, tally);
        }
    }

    /// Counts one classified row's cells.
    fn count<S: AsRef<str>>(&mut self, row: &[S], tally: &mut Tally) {
        let postal = self
            .postal_col
            .and_then(|i| row.get(i))
            .and_then(|s| column_postal(s.as_ref()));
        for (cell, op) in row.iter().zip(&self.ops) {
            count_cell(*op, cell.as_ref(), postal, tally);
        }
        if !self.groups.is_empty() {
            self.count_groups(|i| row.get(i).map(AsRef::as_ref), postal, tally);
        }
    }

    /// Adds a delimited line of a classified table without quotes, its cells counted where
    /// they are (no vector of fields). `false`: not such a line or table; the caller splits it
    /// with [`split_into`] and calls [`Table::push`]. `may_quote`: the line may hold a `"`
    /// (`false` when the caller found none in the whole chunk, which spares a search per line).
    pub fn push_line(&mut self, line: &str, delim: u8, may_quote: bool, tally: &mut Tally) -> bool {
        if self.kinds.is_none() {
            return false;
        }
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if may_quote && memchr::memchr(b'"', line.as_bytes()).is_some() {
            return false;
        }
        let mut ranges = std::mem::take(&mut self.ranges);
        ranges.clear();
        let most = MAX_COLUMNS.min(self.ops.len());
        let mut fields = 0;
        kizuki_core::split::each_field(line.as_bytes(), delim, |x, y| {
            fields += 1;
            if ranges.len() < most {
                ranges.push((x, y));
            }
        });
        if line.len() + 1 == fields {
            // An empty line, or delimiters only (`,,,,`: a spreadsheet's formatted empty
            // rows): no record.
            self.ranges = ranges;
            return true;
        }
        self.records += 1;
        // The delimiter is ASCII: every range is on character boundaries.
        let cell = |r: Option<&(usize, usize)>| r.and_then(|(x, y)| line.get(*x..*y));
        let postal = self
            .postal_col
            .and_then(|i| cell(ranges.get(i)))
            .and_then(column_postal);
        for (r, op) in ranges.iter().zip(&self.ops) {
            count_cell(*op, cell(Some(r)).unwrap_or(""), postal, tally);
        }
        if !self.groups.is_empty() {
            self.count_groups(|i| cell(ranges.get(i)), postal, tally);
        }
        self.ranges = ranges;
        true
    }
}

/// What counting does with the cells of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Skip,
    /// Free text: the text detectors.
    Text,
    /// Phones, counted by their normalised number.
    Phone,
    /// The postal-code column: its code was validated for the row already.
    Postal,
    /// E-mails and romaji, distinct in any case.
    Upper(Category),
    /// Kana, distinct in katakana.
    Kana,
    /// Any other category.
    Plain(Category),
    /// Sex codes: `1` and `2` counted as genders.
    GenderCode,
}

/// Do the cells that read as names of category `c` fall short of a column of persons' names,
/// judged when a table without a header is classified by its values? (Under a header, one
/// word in kana or Latin letters is no name already.) They repeat as a flag's or a
/// code's values do (`NO`/`YES`): fewer than three different ones (unless every one differs),
/// or from twenty names on, fewer than one in four different (a column of 64 persons'
/// surnames holds forty and more). Or they are too few to tell: fewer than three single
/// words (`note` alone in a column otherwise empty).
pub(crate) fn names_unlike_persons(c: Category, cells: &[&str]) -> bool {
    if !matches!(
        c,
        Category::NameKanji | Category::NameKana | Category::NameRomaji
    ) {
        return false;
    }
    let names: Vec<&str> = cells
        .iter()
        .copied()
        .filter(|s| value::classify_cell(s) == Some(c))
        .collect();
    let mut distinct = names.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let (n, d) = (names.len(), distinct.len());
    let words = names.iter().all(|s| !s.trim().contains([' ', '\u{3000}']));
    d < n.min(3) || n >= 20 && d * 4 < n || words && n < 3
}

/// A row of empty cells (a blank line of a CSV, a sheet's formatted empty row): no record.
/// (Readers that blank cells on purpose, as a bank file's company payees, still push theirs.)
pub(crate) fn blank<S: AsRef<str>>(row: &[S]) -> bool {
    row.iter().all(|c| value::trim(c.as_ref()).is_empty())
}

/// Counts one cell of a column; `postal` is the row's validated postal code.
#[inline]
fn count_cell(op: Op, cell: &str, postal: Option<u32>, tally: &mut Tally) {
    let c = match op {
        Op::Skip => return,
        Op::Text => return text::scan(cell, tally),
        Op::Phone => Category::Phone,
        Op::Postal => Category::PostalCode,
        Op::Kana => Category::NameKana,
        Op::GenderCode => Category::Gender,
        Op::Upper(c) | Op::Plain(c) => c,
    };
    if !tally.wants(c) {
        return;
    }
    let t = value::trim(cell);
    if t.is_empty() {
        return;
    }
    // Each value is validated once; the distinct key comes from the same pass.
    match op {
        Op::Phone => {
            if let Some(n) = value::phone(t) {
                tally.add(c, cell, &n);
            } else if let Some(k) = value::intl_phone(t) {
                tally.add(c, cell, &k);
            } else {
                rescue(c, t, postal, &mut |v, k| tally.add(c, v, k));
            }
        }
        Op::Postal => {
            if postal.is_some() {
                tally.add(c, cell, t);
            }
        }
        Op::GenderCode => {
            if matches!(t, "1" | "2") {
                tally.add(c, cell, t);
            }
        }
        Op::Upper(_) => {
            if valid(c, t, postal) {
                // A byte loop, inlined: `str::contains` calls out for every romaji cell.
                if c == Category::NameRomaji && t.bytes().any(|b| b == b'/') {
                    // An airline's `YAMADA/TARO MR`: the person of `YAMADA TARO`.
                    tally.add_upper(c, cell, &value::romaji_key(t));
                } else {
                    tally.add_upper(c, cell, t);
                }
            } else if c == Category::NameRomaji {
                other_script(t, tally);
            } else {
                rescue(c, t, postal, &mut |v, k| tally.add_upper(c, v, k));
            }
        }
        Op::Kana => {
            // `valid` for kana, with the hiragana found in the same pass.
            let Some(f) = shape_flags(t) else {
                return;
            };
            if shape_category(f) != Some(c) {
                other_script(t, tally);
                return;
            }
            if value::placeholder(t) {
                return;
            }
            if f & (HIRAGANA | HALF) != 0 {
                tally.add(c, cell, &crate::tables::katakana(t));
            } else {
                tally.add(c, cell, t);
            }
        }
        _ => {
            if valid(c, t, postal) {
                tally.add(c, cell, t);
            } else if c == Category::NameKanji {
                other_script(t, tally);
            } else {
                rescue(c, t, postal, &mut |v, k| tally.add(c, v, k));
            }
        }
    }
}

/// A name in a name column of another script (a Japanese guest's `山田 太郎` among foreign
/// guests' `WANG WEI`; a reading left in kanji): counted in its own script when the
/// dictionary knows it as a name (not by its shape alone: `unknown`, `退会済み`).
fn other_script(t: &str, tally: &mut Tally) {
    match name_shape(t) {
        Some(c @ Category::NameKanji) if value::name_kanji(t) => tally.add(c, t, t),
        Some(c @ Category::NameKana) if value::name_kana(t) => {
            tally.add(c, t, &crate::tables::katakana(t));
        }
        Some(c @ Category::NameRomaji) if value::name_romaji(t) => tally.add_upper(c, t, t),
        _ => {}
    }
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

/// Several tables of one object (the tables of a text or a PDF), their rows counted
/// together and their columns listed once each.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    /// Tables read.
    pub count: u64,
    /// Their data rows.
    pub records: u64,
    /// The most persons their rows may hold ([`Table::person_rows`]).
    pub persons: u64,
    /// Their classified columns (each name and category once).
    pub columns: Vec<(String, Category)>,
}

impl Tables {
    /// Adds the tables of the part of a text that follows (read on another thread).
    pub fn merge(&mut self, other: Tables) {
        for col in other.columns {
            if !self.columns.contains(&col) {
                self.columns.push(col);
            }
        }
        self.records += other.records;
        self.persons += other.persons;
        self.count += other.count;
    }

    /// Adds a table that is complete.
    pub fn add(&mut self, mut table: Table, tally: &mut Tally) {
        for col in table.finish(tally) {
            if !self.columns.contains(&col) {
                self.columns.push(col);
            }
        }
        self.records += table.records;
        self.persons += table.person_rows();
        self.count += 1;
    }

    /// The object's records (`None` without tables) and columns. `alone`: nothing outside
    /// the tables held a value, so a person is a row at most.
    pub fn finish(self, alone: bool, tally: &mut Tally) -> (Option<u64>, Vec<(String, Category)>) {
        if self.count == 0 {
            return (None, Vec::new());
        }
        if alone {
            tally.persons_at_most(self.persons);
        }
        (Some(self.records), self.columns)
    }
}

/// Reads tables given as rows of cells (the first row perhaps a header), after the text
/// around them was scanned into `tally`.
pub(crate) fn read_tables(
    tables: Vec<Vec<Vec<String>>>,
    tally: &mut Tally,
) -> (Option<u64>, Vec<(String, Category)>) {
    let alone = tally.total() == 0;
    let mut all = Tables::default();
    for rows in tables {
        let mut t = Table::new();
        for r in &rows {
            t.push(r, tally);
        }
        all.add(t, tally);
    }
    all.finish(alone, tally)
}

/// Splits one line into fields (RFC 4180 quotes) into `out`. `false` when a quoted field is
/// still open at the end of the line (the caller joins the next line).
pub fn split_into<'a>(line: &'a str, delim: u8, out: &mut Vec<Cow<'a, str>>) -> bool {
    out.clear();
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let b = line.as_bytes();
    if memchr::memchr(b'"', b).is_none() {
        // No quotes (most rows): every delimiter splits, 8 bytes at a time. The delimiter is
        // ASCII, so every range is on character boundaries.
        kizuki_core::split::each_field(b, delim, |x, y| {
            if out.len() < MAX_COLUMNS {
                out.push(Cow::Borrowed(line.get(x..y).unwrap_or("")));
            }
        });
        return true;
    }
    let mut i = 0;
    loop {
        // Excel's text formula `="0312345678"` (written to keep a leading zero) is its text.
        if b.get(i) == Some(&b'=') && b.get(i + 1) == Some(&b'"') {
            i += 1;
        }
        if b.get(i) == Some(&b'"') {
            let mut field: Cow<'a, str> = Cow::Borrowed("");
            let mut j = i + 1;
            let mut start = j;
            loop {
                let Some(k) = b.get(j..).and_then(|r| memchr::memchr(b'"', r)) else {
                    return false;
                };
                let q = j + k;
                if b.get(q + 1) == Some(&b'"') {
                    field.to_mut().push_str(line.get(start..=q).unwrap_or(""));
                    j = q + 2;
                    start = j;
                } else {
                    let piece = line.get(start..q).unwrap_or("");
                    if field.is_empty() {
                        field = Cow::Borrowed(piece);
                    } else {
                        field.to_mut().push_str(piece);
                    }
                    j = q + 1;
                    break;
                }
            }
            let next = memchr::memchr(delim, b.get(j..).unwrap_or(&[])).map(|k| j + k);
            // The same formula quoted as a field (`"=""0312345678"""`).
            if let Some(inner) = field
                .strip_prefix("=\"")
                .and_then(|f| f.strip_suffix('"'))
                .filter(|f| !f.contains('"'))
            {
                field = Cow::Owned(inner.to_string());
            }
            out.push(field);
            match next {
                Some(d) => i = d + 1,
                None => return true,
            }
        } else {
            let rest = b.get(i..).unwrap_or(&[]);
            match memchr::memchr(delim, rest) {
                Some(k) => {
                    out.push(Cow::Borrowed(line.get(i..i + k).unwrap_or("")));
                    i += k + 1;
                }
                None => {
                    out.push(Cow::Borrowed(line.get(i..).unwrap_or("")));
                    return true;
                }
            }
        }
        if out.len() >= MAX_COLUMNS {
            return true;
        }
    }
}

/// Splits one line into fields (owned); `None` when a quoted field is still open.
pub fn split_fields(line: &str, delim: u8) -> Option<Vec<String>> {
    let mut v = Vec::new();
    split_into(line, delim, &mut v).then(|| v.into_iter().map(Cow::into_owned).collect())
}

/// Are most of `line`'s fields (split at `d`, two at least) a label and its value
/// (`name='山田'`, `'kana': 'ヤマダ'`, `{id=1`): an ASCII word, maybe quoted, right before `=`
/// or `:` (not `://`), after spaces and opening brackets?
fn labelled_fields(line: &str, d: u8) -> bool {
    let mut fields = 0;
    let mut labelled = 0;
    for f in line.as_bytes().split(|x| *x == d) {
        fields += 1;
        let unquote =
            |f: &'_ [u8]| -> usize { usize::from(matches!(f.first(), Some(b'"' | b'\''))) };
        let f = f
            .iter()
            .position(|x| !matches!(x, b'{' | b'(' | b'[' | b' ' | b'\t'))
            .map_or(&[][..], |k| &f[k..]);
        let f = &f[unquote(f)..];
        let word = f
            .iter()
            .position(|x| !(x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-')))
            .unwrap_or(f.len());
        if word == 0 || !f[0].is_ascii_alphabetic() {
            continue;
        }
        let rest = &f[word..];
        let rest = rest[unquote(rest)..].trim_ascii_start();
        if rest.starts_with(b"=") || rest.starts_with(b":") && !rest.starts_with(b"://") {
            labelled += 1;
        }
    }
    fields >= 2 && labelled * 2 >= fields
}

/// Does `line` hold a quote that neither opens a field split at `d` nor closes one right
/// before a delimiter (`a,b "c",d`, `x,"y" z,w`)? A quoted field still open at the line's
/// end is no stray quote (it goes on in the next line).
fn stray_quote(line: &str, d: u8) -> bool {
    let b = line.trim_end_matches(['\r', '\n']).as_bytes();
    if memchr::memchr(b'"', b).is_none() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let mut j = i + 1;
            loop {
                let Some(k) = memchr::memchr(b'"', &b[j..]) else {
                    return false;
                };
                let q = j + k;
                if b.get(q + 1) == Some(&b'"') {
                    j = q + 2;
                } else {
                    j = q + 1;
                    break;
                }
            }
            match b.get(j) {
                None => return false,
                Some(x) if *x == d => i = j + 1,
                Some(_) => return true,
            }
        } else {
            let end = memchr::memchr(d, &b[i..]).map_or(b.len(), |k| i + k);
            if memchr::memchr(b'"', &b[i..end]).is_some() {
                return true;
            }
            i = end + 1;
        }
    }
    false
}

/// Guesses the delimiter of a delimited text from its first lines: the one giving the same
/// number (>= 2) of fields on most lines.
pub fn sniff_delimiter(head: &str) -> Option<u8> {
    let lines: Vec<&str> = head
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    if lines.len() < 2 {
        return None;
    }
    let mut best: Option<(u8, usize)> = None;
    // One vector of borrowed fields for every line (this runs for every text file, most of
    // them small: owned fields were most of its time).
    let mut fields = Vec::new();
    for d in [b'\t', b',', b';', b'|'] {
        // Not in the lines at all: one field each.
        if !lines
            .iter()
            .any(|l| memchr::memchr(d, l.as_bytes()).is_some())
        {
            continue;
        }
        let counts: Vec<usize> = lines
            .iter()
            .take(lines.len().saturating_sub(1).max(1))
            .map(|l| {
                if split_into(l, d, &mut fields) {
                    fields.len()
                } else {
                    0
                }
            })
            .collect();
        // The fields most lines have (a title line above the header, `顧客一覧（3月末）`
        // or `Orders export`, has one).
        let first = counts
            .iter()
            .copied()
            .max_by_key(|c| (counts.iter().filter(|x| *x == c).count(), *c))
            .unwrap_or(0);
        if first < 2 {
            continue;
        }
        // Lines whose fields hold quotes that do not open them are text (a log line with a
        // JSON payload, `payload={"name": "山田 太郎", "tel": …}`; code; quoted speech): a
        // writer of CSV quotes such a field and doubles its quotes. Not for tabs: a TSV
        // writer may leave quotes as they are.
        // So are lines whose fields are mostly labelled values (`Member{id=1, name='山田
        // 太郎', tel='090-…'}` as Java's `toString` prints it, a Python dict's `repr`).
        if d != b'\t'
            && lines
                .iter()
                .filter(|l| stray_quote(l, d) || labelled_fields(l, d))
                .count()
                * 2
                >= lines.len()
        {
            continue;
        }
        let same = counts.iter().filter(|c| **c == first).count();
        if same * 10 >= counts.len() * 8 && best.is_none_or(|b| first > b.1) {
            best = Some((d, first));
        }
    }
    best.map(|b| b.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;

    #[test]
    fn name_shapes() {
        use Category as C;
        for (s, want) in [
            ("山田 太郎", Some(C::NameKanji)),
            ("山田\u{3000}たろう", Some(C::NameKanji)),
            ("佐々木", Some(C::NameKanji)),
            ("ヤマダ タロウ", Some(C::NameKana)),
            ("ヤマダ・タロウ", Some(C::NameKana)),
            ("やまだ", Some(C::NameKana)),
            ("YAMADA TARO", Some(C::NameRomaji)),
            ("O'Brien, Ann-Marie.", Some(C::NameRomaji)),
            ("山田 Taro", None),
            ("ヤマダ.", None),
            ("Taro・Yamada", None),
            ("Taro\u{3000}Yamada", None),
            ("山田1", None),
            ("taro@x", None),
            ("Ａ", None),
            ("é", None),
            ("", None),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE", None),
            (" 山田 ", Some(C::NameKanji)),
        ] {
            assert_eq!(name_shape(s), want, "{s:?}");
        }
    }

    /// The block table, indexed from UTF-8 bytes as `name_shape` does, gives every
    /// three-byte character its own flag.
    #[test]
    fn block_shapes_agree_with_each_character() {
        for c in ('\u{800}'..='\u{FFFF}').filter(|c| c.len_utf8() == 3) {
            let mut b = [0u8; 4];
            let b = c.encode_utf8(&mut b).as_bytes();
            let block = (usize::from(b[0] & 0x0F) << 6) | usize::from(b[1] & 0x3F);
            let got = match BLOCK_SHAPE[block] {
                MIXED => bmp_shape(((block as u32) << 6) | u32::from(b[2] & 0x3F)),
                s => s,
            };
            assert_eq!(got, bmp_shape(c as u32), "{c:?}");
        }
        assert_eq!(BLOCK_SHAPE[0x4E00 >> 6], KANJI);
        assert_eq!(BLOCK_SHAPE[0x30C0 >> 6], MIXED);
    }

    /// A CSV text read line by line as the scanner reads it (the row path, else the split).
    fn read_csv(text: &str) -> (Table, Tally) {
        let (mut t, mut tally) = (Table::new(), Tally::new(CatSet::all()));
        let mut fields = Vec::new();
        for line in text.split_inclusive('\n') {
            if !t.push_line(line, b',', true, &mut tally) {
                assert!(split_into(line, b',', &mut fields));
                t.push(&fields, &mut tally);
            }
        }
        (t, tally)
    }

    /// A column named like an address that holds network addresses is none; one that holds
    /// addresses the check fails (no prefecture) still is.
    #[test]
    fn network_addresses_are_no_address_column() {
        let text = "remote_addr,住所,mail\n".to_string()
            + &"203.0.113.7,千代田区千代田1-1,a@example.jp\n".repeat(20);
        let (mut t, mut tally) = read_csv(&text);
        let cols = t.finish(&mut tally);
        assert_eq!(
            cols,
            vec![
                ("住所".to_string(), Category::Address),
                ("mail".to_string(), Category::Email)
            ]
        );
    }

    /// A reading in hiragana and the same in katakana are one person; a row that is not a
    /// kana name is not counted.
    #[test]
    fn kana_counted_by_katakana_form() {
        let text = "フリガナ,メール\n".to_string()
            + &"やまだ たろう,a@example.jp\nヤマダ タロウ,b@example.jp\n".repeat(20)
            + "山田 太郎,c@example.jp\n";
        let (mut t, mut tally) = read_csv(&text);
        let cols = t.finish(&mut tally);
        assert_eq!(tally.count(Category::NameKana), 40);
        let r = tally.report(String::new(), None, Some(t.records), cols, true);
        // Three e-mails, one reading: the e-mails decide.
        assert_eq!(r.persons_estimate, 3);
        let only_kana = "フリガナ\n".to_string()
            + &"やまだ たろう\nヤマダ タロウ\nﾔﾏﾀﾞ ﾀﾛｳ\nヤマタ゛ タロウ\n".repeat(10);
        let (mut t, mut tally) = read_csv(&only_kana);
        let cols = t.finish(&mut tally);
        assert_eq!(
            tally.count(Category::NameKana),
            40,
            "half-width readings count"
        );
        let r = tally.report(String::new(), None, Some(t.records), cols, true);
        assert_eq!(r.persons_estimate, 1, "as one reading in every form");
        // Without a header, and after a keyword in text.
        let mut tally = Tally::new(CatSet::all());
        text::scan("フリガナ：ｻﾄｳ ﾊﾅｺ\n", &mut tally);
        assert_eq!(tally.count(Category::NameKana), 1);
        assert_eq!(value::classify_cell("ｽｽﾞｷ ｲﾁﾛｳ"), Some(Category::NameKana));
        assert_eq!(crate::tables::katakana("ｶﾞｯｺｳ･ﾊﾟﾊﾟ"), "ガッコウ・パパ");
        // Headers in half or full width.
        assert_eq!(header_kind("ﾌﾘｶﾞﾅ"), Some(Kind::Cat(Category::NameKana)));
        assert_eq!(header_kind("ＴＥＬ"), Some(Kind::Cat(Category::Phone)));
    }

    /// An online shop's order export: two persons a row, their names in `名字`/`名前`, postal
    /// codes in two columns and phones in three; product names are no names.
    #[test]
    fn order_exports_join_split_names_postal_codes_and_phones() {
        let (text, truth) = crate::synth::persons_text(31, 200, crate::synth::Form::Orders);
        let (mut t, mut tally) = read_csv(&text);
        let cols = t.finish(&mut tally);
        assert_eq!(t.records, 200);
        for c in Category::ALL {
            assert_eq!(tally.count(c), truth.get(&c).copied().unwrap_or(0), "{c:?}");
        }
        let named: Vec<&str> = cols.iter().map(|(h, _)| h.as_str()).collect();
        assert!(!named.contains(&"商品名"), "{named:?}");
        for h in ["注文者名前", "送付先郵便番号2", "送付先電話番号3"] {
            assert!(named.contains(&h), "{h}: {named:?}");
        }
        // Numbered phones that are each a whole number are two phones, not one.
        let two = "電話番号1,電話番号2\n".to_string() + &"090-1234-5678,03-1234-5678\n".repeat(20);
        let (mut t, mut tally) = read_csv(&two);
        t.finish(&mut tally);
        assert_eq!(tally.count(Category::Phone), 40);
        assert_eq!(split_number("電話番号11", 1), None);
        assert_eq!(
            split_number("tel_2", 2),
            Some((Category::Phone, "tel".to_string()))
        );
    }

    /// Customer and order exports of shop systems and address books: a name and its reading
    /// split over columns count once a row, an address once in its Japanese order; item
    /// names and yes/no flags are no names.
    #[test]
    fn shop_customer_exports_count_each_person_once() {
        let eccube = "会員ID,会員種別,お名前(姓),お名前(名),お名前(セイ),お名前(メイ),会社名,郵便番号,都道府県,住所1,住所2,メールアドレス,電話番号,性別,誕生日\n".to_string()
            + &"1,本会員,山田,太郎,ヤマダ,タロウ,株式会社サンプル,1000001,東京都,千代田区千代田,1-1,taro@example.jp,0312345678,男性,1980-04-12\n".repeat(6);
        let shopify = "First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,Zip,Phone,Accepts SMS Marketing,Tax Exempt\n".to_string()
            + &"Taro,Yamada,taro@example.jp,yes,,1-1 Chiyoda,100-0001,+81 90-1234-5678,no,no\n".repeat(6);
        // Yahoo!ショッピング's orders (given name first, an item name), Amazon's order report
        // (the address last part first), Google Contacts (a middle name between; the whole
        // name in a column of its own too).
        // A company's reading is no person's.
        assert_eq!(header_kind("会社名カナ"), None);
        assert_eq!(header_kind("file_name"), None);
        assert_eq!(header_kind("profile_name"), Some(Kind::Name));
        assert_eq!(header_kind("Company Name (Kana)"), None);
        assert_eq!(header_kind("氏名カナ"), Some(Kind::Cat(Category::NameKana)));
        // A card's and an account's holder are persons.
        let holders = "cardholder_name,card_number,口座名義カナ,口座番号\n".to_string()
            + &"TARO YAMADA,4111111111111111,ﾔﾏﾀﾞ ﾀﾛｳ,1234567\n".repeat(6);
        // Salesforce's contacts: the mailing address's parts are no e-mails.
        let salesforce = "FirstName,LastName,Email,MobilePhone,MailingPostalCode,MailingState,MailingCity,MailingStreet,Birthdate,Title\n".to_string()
            + &"太郎,山田,taro@example.jp,090-1234-5678,100-0001,東京都,千代田区,千代田1-1,1980-04-12,部長\n".repeat(6);
        let yahoo = "OrderId,BillFirstName,BillLastName,BillFirstNameKana,BillLastNameKana,BillZipCode,BillPrefecture,BillCity,BillAddress1,BillPhoneNumber,BillMailAddress,ItemName\n".to_string()
            + &"s-1,太郎,山田,タロウ,ヤマダ,100-0001,東京都,千代田区,千代田1-1,090-1234-5678,taro@example.jp,りんご\n".repeat(6);
        let amazon = "order-id,buyer-email,buyer-name,product-name,recipient-name,ship-address-1,ship-address-2,ship-city,ship-state,ship-postal-code,ship-phone-number\n".to_string()
            + &"250-1,abc@example.jp,山田 太郎,りんご,佐藤 花子,梅田1-1-1,,大阪市北区,大阪府,530-0001,080-2345-6789\n".repeat(6);
        let google = "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,E-mail 1 - Value\n".to_string()
            + &"山田 太郎,太郎,,山田,ヤマダ タロウ,タロウ,,ヤマダ,taro@example.jp\n".repeat(6);
        // The whole name left empty: the parts count; in another order and case; the whole
        // name of another person (an orderer beside a recipient's parts) counts both.
        let google_parts_only = "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,E-mail 1 - Value\n".to_string()
            + &",太郎,,山田,,タロウ,,ヤマダ,taro@example.jp\n".repeat(6);
        let western = "Name,First Name,Last Name,Email\n".to_string()
            + &"Taro Yamada,TARO,YAMADA,taro@example.jp\n".repeat(6);
        let two_persons = "注文者氏名,送付先名字,送付先名前,メール\n".to_string()
            + &"佐藤 花子,山田,太郎,taro@example.jp\n".repeat(6);
        for (text, want) in [
            (
                holders,
                vec![
                    (Category::NameKana, 6),
                    (Category::NameRomaji, 6),
                    (Category::CreditCard, 6),
                    (Category::BankAccount, 6),
                ],
            ),
            (
                salesforce,
                vec![
                    (Category::NameKanji, 6),
                    (Category::BirthDate, 6),
                    (Category::Email, 6),
                    (Category::PostalCode, 6),
                    (Category::Address, 6),
                    (Category::Phone, 6),
                ],
            ),
            (
                yahoo,
                vec![
                    (Category::NameKanji, 6),
                    (Category::NameKana, 6),
                    (Category::Email, 6),
                    (Category::PostalCode, 6),
                    (Category::Address, 6),
                    (Category::Phone, 6),
                ],
            ),
            (
                amazon,
                vec![
                    (Category::NameKanji, 12),
                    (Category::Email, 6),
                    (Category::PostalCode, 6),
                    (Category::Address, 6),
                    (Category::Phone, 6),
                ],
            ),
            (
                google,
                vec![
                    (Category::NameKanji, 6),
                    (Category::NameKana, 6),
                    (Category::Email, 6),
                ],
            ),
            (
                google_parts_only,
                vec![
                    (Category::NameKanji, 6),
                    (Category::NameKana, 6),
                    (Category::Email, 6),
                ],
            ),
            (
                western,
                vec![(Category::NameRomaji, 6), (Category::Email, 6)],
            ),
            (
                two_persons,
                vec![(Category::NameKanji, 12), (Category::Email, 6)],
            ),
            (
                eccube,
                vec![
                    (Category::NameKanji, 6),
                    (Category::NameKana, 6),
                    (Category::Gender, 6),
                    (Category::BirthDate, 6),
                    (Category::Email, 6),
                    (Category::PostalCode, 6),
                    (Category::Address, 6),
                    (Category::Phone, 6),
                ],
            ),
            (
                shopify,
                vec![
                    (Category::NameRomaji, 6),
                    (Category::Email, 6),
                    (Category::PostalCode, 6),
                    (Category::Phone, 6),
                ],
            ),
        ] {
            let (mut t, mut tally) = read_csv(&text);
            t.finish(&mut tally);
            let got: Vec<(Category, u64)> = Category::ALL
                .iter()
                .map(|c| (*c, tally.count(*c)))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    /// A travel booking's names as airlines write them (`YAMADA/TARO MR`), under a header
    /// and without one: romaji names, each person once whatever the title.
    #[test]
    fn airline_names_are_romaji_names() {
        let rows = [
            "R1,山田 太郎,YAMADA/TARO MR,TK1234567",
            "R2,山田 花子,YAMADA/HANAKOMRS,TZ7654321",
            "R3,佐藤 健,SATO/KEN MSTR,MU1122334",
            "R4,山田 太郎,Yamada/Taro,TK1234567",
        ];
        let with_header =
            "予約番号,代表者氏名,代表者氏名（ローマ字）,旅券番号\n".to_string() + &rows.join("\n");
        let without = rows.join("\n") + "\n";
        for text in [with_header, without] {
            let (mut t, mut tally) = read_csv(&text);
            let cols = t.finish(&mut tally);
            assert_eq!(tally.count(Category::NameRomaji), 4, "{text}");
            let r = tally.report(String::new(), None, Some(t.records), cols, false);
            assert_eq!(r.persons_estimate, 3, "{text}");
            assert!(
                r.samples[&Category::NameRomaji].contains(&"Y*****/T*** M*".to_string()),
                "{:?}",
                r.samples
            );
        }
    }

    /// Cells written as Excel text formulas to keep their leading zeros count as their text.
    #[test]
    fn excel_text_formulas_count_as_their_text() {
        let text = "氏名,電話番号,郵便番号\n".to_string()
            + &"山田 太郎,=\"0312345678\",\"=\"\"0600001\"\"\"\n".repeat(6);
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        assert_eq!(tally.count(Category::Phone), 6);
        assert_eq!(tally.count(Category::PostalCode), 6);
    }

    #[test]
    fn cells_padded_with_no_break_spaces_count() {
        // Spreadsheet and HTML exports pad cells with U+00A0 (two bytes in UTF-8).
        let text = "氏名,メール,電話\n".to_string()
            + &"山田 太郎\u{a0},taro@example.com\u{a0},\u{a0}090-1234-5678\u{a0}\n".repeat(30);
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        for c in [Category::NameKanji, Category::Email, Category::Phone] {
            assert_eq!(tally.count(c), 30, "{c:?}");
        }
    }

    #[test]
    fn flags_and_lone_words_without_a_header_are_no_names() {
        // A feature list as a database keeps it: `NO`/`YES` read as romaji names one by one,
        // and a word alone in a column otherwise empty.
        let mut text = String::new();
        for i in 0..40 {
            let flag = ["NO", "YES"][i % 2];
            let note = if i == 7 { "note" } else { "" };
            text.push_str(&format!("B{i:03},Feature {i},{flag},{note}\n"));
        }
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        assert_eq!(t.records, 40);
        assert_eq!(tally.total(), 0, "{tally:?}");
        // Surnames and given names apart, without a header: names, as before.
        let mut text = String::new();
        for (i, (last, first)) in [
            ("YAMADA", "TARO"),
            ("SATO", "HANAKO"),
            ("SUZUKI", "ICHIRO"),
            ("TANAKA", "YUKI"),
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!("{i},{last},{first}\n"));
        }
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        assert_eq!(tally.count(Category::NameRomaji), 8, "{tally:?}");
    }

    /// A documentation's example tables (a server's help text, in its data directory): a
    /// `name` column of animals, and the names of a database's objects, are no persons'.
    /// Romaji names under `name`, lower case or not, still are.
    #[test]
    fn example_words_and_database_objects_are_no_names() {
        let (mut t, mut tally) = read_csv("id,name\n1,dog\n2,cat\n3,penguin\n4,fox\n5,whale\n");
        t.finish(&mut tally);
        assert_eq!(tally.total(), 0, "{tally:?}");
        let (mut t, mut tally) = read_csv(
            "TABLE_NAME,CHARACTER_SET_NAME\nexotics,Latin1\nanimals,Utf8\nPlants,Latin1\n",
        );
        t.finish(&mut tally);
        assert_eq!(tally.total(), 0, "{tally:?}");
        let (mut t, mut tally) = read_csv(
            "city_name,country_name,branch_name\nHarare,Zimbabwe,Mutare\nBulawayo,Uganda,Gweru\nMasvingo,Zambia,Kwekwe\n",
        );
        t.finish(&mut tally);
        assert_eq!(tally.total(), 0, "{tally:?}");
        let (mut t, mut tally) = read_csv("id,name\n1,yamada\n2,Tanaka\n3,SATO\n4,suzuki hanako\n");
        t.finish(&mut tally);
        assert_eq!(tally.count(Category::NameRomaji), 4, "{tally:?}");
    }

    /// Source code that reads as tables: a C header's octal modes (postal codes by their
    /// digits) and version dates (birth dates), masks named in camel case under a header
    /// holding `Name`, a program's help text with a sentence as its header.
    #[test]
    fn source_code_and_help_text_hold_no_persons() {
        for (name, text) in [
            (
                "stat.h",
                "#define\tS_IFDIR\t0040000\n#define\tS_IFCHR\t0020000\n#define\tS_IFBLK\t0060000\n\
                 #define\tS_IFREG\t0100000\n#define\tS_IFIFO\t0010000\n#define\tS_IFLNK\t0120000\n",
            ),
            (
                "proto.h",
                "#define\tPROTO_V1\t19270405\n#define\tPROTO_V2\t19270406\n#define\tPROTO_V3\t19270407\n\
                 #define\tPROTO_V4\t19270408\n#define\tPROTO_V5\t19270409\n",
            ),
            (
                "masks.txt",
                "XkbNamesMask,XkbKeyNameMask\nXkbGeometryMask,XkbGeometryNameMask\n\
                 XkbControlsMask,XkbControlsNameMask\nXkbIndicatorMask,XkbIndicatorNameMask\n",
            ),
            (
                "help.txt",
                "  -s, --signal=SIG    SIG may be a signal name like 'PIPE'\n\
                 \x20 -k,  Without SIG  Kill when done\n  -v,  Everything  Be verbose\n  -q,  Nothing  Be quiet\n",
            ),
        ] {
            let items = crate::Scanner::default().scan_bytes(name, text.as_bytes());
            assert!(items.is_empty(), "{name}: {items:?}");
        }
        // A generated table of Unicode's properties: `Consonant_Placeholder` holds `holder`
        // (of a card, a person), and words that read as names follow.
        let words = [
            "Nukta",
            "Bindu",
            "Visarga",
            "Avagraha",
            "Virama",
            "Vowel",
            "Tone_Mark",
        ];
        let mut table = String::from("Code,Consonant_Placeholder\n");
        for i in 0..400 {
            table.push_str(&format!("{:04X},{}\n", 0x0900 + i, words[i % words.len()]));
        }
        let items = crate::Scanner::default().scan_bytes("InSC.csv", table.as_bytes());
        assert!(items.is_empty(), "{items:?}");
        assert!(camel_case("AsyncLocalStorage") && camel_case("otherExtension"));
        assert!(!camel_case("McDonald") && !camel_case("MacArthur") && !camel_case("YAMADA"));
    }

    /// A bare `name` column of a manual's or a format's table names things: characters, mail
    /// headers, errors (some of them words the romaji dictionary knows: `to`, `date`). Its
    /// values are persons' names beside a person's other data, or when the dictionary knows
    /// most of them.
    #[test]
    fn a_bare_name_column_of_things_holds_no_persons() {
        for csv in [
            "Name,Character\nNewline,LF\nCarriage return,CR\nTab,HT\nNo Error,NUL\n",
            "name,value\nX-Mailer,Foo 1.0\ndate,today\nto,someone\nX-Priority,3\nUser-Agent,Bar\n",
            "NAME,CODE\nProtocol Error,1\nInternal Error,2\nAsyncLocalStorage,3\n",
        ] {
            let (mut t, mut tally) = read_csv(csv);
            t.finish(&mut tally);
            assert_eq!(tally.total(), 0, "{csv}: {tally:?}");
        }
        for (csv, names) in [
            ("name\nYamada Taro\nSuzuki Hanako\nSATO ICHIRO\n", 3),
            (
                "name,phone\nJohn Smith,090-1234-5678\nWANG WEI,080-2345-6789\n",
                2,
            ),
            (
                "Name,Email\nMary Smith,mary@example.com\nJoe Public,joe@example.net\n",
                2,
            ),
        ] {
            let (mut t, mut tally) = read_csv(csv);
            t.finish(&mut tally);
            assert_eq!(tally.count(Category::NameRomaji), names, "{csv}: {tally:?}");
        }
    }

    #[test]
    fn numbers_of_orders_and_members_are_no_phones_or_passports() {
        // Under headers the classifier does not know, ten digits with a leading zero read
        // as phones and two letters and seven digits as passport numbers: the headers say
        // they are an order's, and mark the header row.
        let mut text = "注文番号,会員番号,商品コード,数量,金額\n".to_string();
        for i in 0..100 {
            text.push_str(&format!("03{i:08},{i:010},AB{i:07},1,1200\n"));
        }
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        assert_eq!(t.records, 100);
        assert_eq!(tally.total(), 0, "{tally:?}");
        // A contact's number, and a known header, are still phones.
        for h in ["連絡先番号", "contact_no", "電話番号", "TEL"] {
            let mut text = format!("氏名,{h}\n");
            for i in 0..50 {
                text.push_str(&format!("山田 太郎,0901234{i:04}\n"));
            }
            let (mut t, mut tally) = read_csv(&text);
            t.finish(&mut tally);
            assert_eq!(tally.count(Category::Phone), 50, "{h}");
        }
        // The orderer's name is a person's (`注文者名` is known as a name).
        let mut text = "注文番号,注文者名,注文者電話番号\n".to_string();
        for i in 0..50 {
            text.push_str(&format!("03{i:08},山田 太郎,0901234{i:04}\n"));
        }
        let (mut t, mut tally) = read_csv(&text);
        t.finish(&mut tally);
        assert_eq!(tally.count(Category::NameKanji), 50);
        assert_eq!(tally.count(Category::Phone), 50);
    }

    #[test]
    fn empty_lines_and_rows_of_delimiters_are_no_records() {
        // Excel ends a sheet saved as CSV with its formatted empty rows (`,,`); editors add
        // blank lines. Before or after the table's classification, by line or by row.
        let row = "山田 太郎,taro@example.com,090-1234-5678\n";
        let text = format!(
            "氏名,メール,電話\n\n{}\r\n,,\n{}\n\n,,\r\n,,\n",
            row.repeat(10),
            row.repeat(200)
        );
        for may_quote in [false, true] {
            let mut t = Table::new();
            let mut tally = Tally::new(CatSet::all());
            let mut fields = Vec::new();
            for line in text.split_inclusive('\n') {
                if !t.push_line(line, b',', may_quote, &mut tally) {
                    assert!(split_into(line, b',', &mut fields));
                    if !blank(&fields) {
                        t.push(&fields, &mut tally);
                    }
                }
            }
            t.finish(&mut tally);
            assert_eq!(t.records, 210, "{may_quote}");
            assert_eq!(tally.count(Category::Phone), 210);
        }
    }

    #[test]
    fn lines_count_like_split_rows() {
        use crate::synth::{Form, persons_text};
        for (form, d) in [
            (Form::Csv, b','),
            (Form::CsvNoHeader, b','),
            (Form::Tsv, b'\t'),
        ] {
            let (text, _) = persons_text(5, 300, form);
            // A memo column of free text, an empty line and a row with quotes too.
            let text = format!("{text}\n佐藤 太郎,\"a,\"\"b\"\"\",x\r\n");
            let (mut a, mut b) = (Table::new(), Table::new());
            let (mut ta, mut tb) = (Tally::new(CatSet::all()), Tally::new(CatSet::all()));
            let mut fields = Vec::new();
            let mut lines_taken = 0;
            for line in text.split_inclusive('\n') {
                if a.push_line(line, d, true, &mut ta) {
                    lines_taken += 1;
                } else {
                    assert!(split_into(line, d, &mut fields));
                    a.push(&fields, &mut ta);
                }
                assert!(split_into(line, d, &mut fields));
                // As the delimited reader does: an empty row is no record.
                if !blank(&fields) {
                    b.push(&fields, &mut tb);
                }
            }
            assert!(lines_taken > 200, "{lines_taken}");
            let (ca, cb) = (a.finish(&mut ta), b.finish(&mut tb));
            // The 300 persons and the quoted row; not the empty line.
            assert_eq!((a.records, b.records), (301, 301), "{form:?}");
            let ra = ta.report(String::new(), None, Some(a.records), ca, true);
            let rb = tb.report(String::new(), None, Some(b.records), cb, true);
            assert_eq!(
                serde_json::to_string(&ra).unwrap(),
                serde_json::to_string(&rb).unwrap()
            );
            assert!(ra.categories.len() >= 8, "{:?}", ra.categories);
        }
    }

    #[test]
    fn splits_quotes() {
        assert_eq!(
            split_fields("a,\"b,\"\"c\",d\r\n", b',').unwrap(),
            vec!["a", "b,\"c", "d"]
        );
        assert!(split_fields("a,\"open", b',').is_none());
        // Excel's text formulas, bare and quoted; an `=` that opens no formula stays.
        assert_eq!(
            split_fields(
                "=\"0312345678\",\"=\"\"0600001\"\"\",=1+2,\"=\"\"a\"\"b\"\"\"\n",
                b','
            )
            .unwrap(),
            vec!["0312345678", "0600001", "=1+2", "=\"a\"b\""]
        );
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), Some(b'\t'));
        // A title line above the header (an export's name, a report's date).
        let orders = format!(
            "order_id,sku,qty\n{}",
            "0158121914,TL1840659,3\n0836507765,TG2173414,1\n".repeat(3)
        );
        assert_eq!(
            sniff_delimiter(&format!("Orders export\n{orders}")),
            Some(b',')
        );
        assert_eq!(
            sniff_delimiter(&format!("会員一覧\n\n{orders}")),
            Some(b',')
        );
        // Prose with a comma on some lines is no table.
        let prose = "We met on Monday, as planned.\nThe plan holds.\nNothing else.\n";
        assert_eq!(sniff_delimiter(prose), None);
        // Quoted CSV fields and doubled quotes.
        assert_eq!(
            sniff_delimiter(
                "id,name,memo\n1,\"山田, 太郎\",\"say \"\"hi\"\"\"\n2,x,\"a b\"\n3,y,z\n"
            ),
            Some(b',')
        );
        // Log lines with a JSON payload: commas on every line, quotes inside fields.
        let log = "2026-12-01 10:00:00,123 INFO payload={\"name\": \"山田 太郎\", \"tel\": \"090-1234-5678\"}\n";
        assert_eq!(sniff_delimiter(&log.repeat(5)), None);
        // Java's `toString`, a Python dict: labelled values.
        let java = "2026-12-01 10:00:00.123 DEBUG saved Member{id=0, name='山田 太郎', kana='ヤマダ タロウ', tel='090-1234-5678'}\n";
        assert_eq!(sniff_delimiter(&java.repeat(5)), None);
        let py = "{'name': '山田 太郎', 'kana': 'ヤマダ タロウ', 'tel': '090-1234-5678'}\n";
        assert_eq!(sniff_delimiter(&py.repeat(5)), None);
        assert!(labelled_fields("id=1, name=x, note", b','));
        assert!(!labelled_fields("1,山田,http://example.jp/a,x", b','));
        assert!(!labelled_fields("time,10:00:00,note: see", b','));
        assert!(stray_quote("a,b \"c\",d", b','));
        assert!(stray_quote("x,\"y\" z,w", b','));
        assert!(!stray_quote("x,\"y\",\"z\"", b','));
        assert!(!stray_quote("x,\"open", b','));
    }

    /// Title lines above the header are no records and the header still names the columns;
    /// a row of values above a header-like row means there is no header.
    #[test]
    fn finds_the_header_below_title_lines() {
        let body = "佐藤 太郎,taro@example.com,1980/4/12\n鈴木 花子,hana@example.com,S55.4.12\n";
        let titled = format!(
            "顧客一覧（2024年3月末）\n出力日,2024/03/31\n\n,,\n氏名,メール,生年月日\n{body}"
        );
        let (mut t, mut tally) = read_csv(&titled);
        let cols = t.finish(&mut tally);
        assert_eq!(t.records, 2);
        assert_eq!(
            cols,
            vec![
                ("氏名".to_string(), Category::NameKanji),
                ("メール".to_string(), Category::Email),
                ("生年月日".to_string(), Category::BirthDate),
            ]
        );
        assert_eq!(tally.total(), 6, "the title lines hold no value");
        // What a title line says is read as text.
        let (mut t, mut tally) = read_csv(&format!(
            "担当 氏名：山田 花子\n氏名,メール,生年月日\n{body}"
        ));
        t.finish(&mut tally);
        assert_eq!((t.records, tally.count(Category::NameKanji)), (2, 3));
        // Values above: no header; every row is a record.
        let (mut t, mut tally) = read_csv(&format!("{body}氏名,メール,生年月日\n{body}"));
        t.finish(&mut tally);
        assert_eq!(t.records, 5);
        // A wider row above: the header-like row is not taken.
        let (mut t, mut tally) = read_csv(&format!("a,b,c,d\n氏名,メール,生年月日\n{body}"));
        t.finish(&mut tally);
        assert_eq!(t.records, 4);
    }

    /// Sheets with merged header cells export two header rows (`氏名,,フリガナ,` over
    /// `姓,名,セイ,メイ`): one header, no record, the parts joined.
    #[test]
    fn joins_two_header_rows() {
        let rows = "1001,山田,太郎,ヤマダ,タロウ,090-1234-5678,taro@example.jp\n\
                    1002,鈴木,花子,スズキ,ハナコ,03-1234-5678,hana@example.jp\n";
        let two = format!("顧客番号,氏名,,フリガナ,,連絡先,\n,姓,名,セイ,メイ,電話,メール\n{rows}");
        let (mut t, mut tally) = read_csv(&two);
        let cols = t.finish(&mut tally);
        assert_eq!(t.records, 2);
        let two_each = [
            (Category::NameKanji, 2),
            (Category::NameKana, 2),
            (Category::Phone, 2),
            (Category::Email, 2),
        ];
        crate::assert_counts(&tally, &two_each, "two header rows");
        assert!(
            cols.contains(&("メール".into(), Category::Email)),
            "{cols:?}"
        );
        // The upper cell joined to a lower one that names nothing alone (`カナ` under
        // `氏名`), carried over the merged cell's empty ones.
        let two = "氏名,,連絡先\n漢字,カナ,電話\n山田 太郎,ヤマダ タロウ,090-1234-5678\n\
                   鈴木 花子,スズキ ハナコ,03-1234-5678\n";
        let (mut t, mut tally) = read_csv(two);
        let cols = t.finish(&mut tally);
        assert_eq!(t.records, 2);
        assert_eq!(
            (
                tally.count(Category::NameKanji),
                tally.count(Category::NameKana)
            ),
            (2, 2),
            "{cols:?}"
        );
        // A row of values under the header is data, whatever it names.
        let (mut t, mut tally) = read_csv("氏名,,電話\n,山田 太郎,090-1234-5678\n");
        t.finish(&mut tally);
        assert_eq!(t.records, 1);
        assert_eq!(tally.count(Category::Phone), 1);
    }

    /// A hotel's register of mostly foreign guests: their passport numbers and phones in
    /// other countries' forms count under those headers, a Japanese guest's kanji name in a
    /// column of romaji ones counts as kanji, and a Japanese address and phone count though
    /// most of the column's values are not Japanese.
    #[test]
    fn foreign_guests_count_under_their_headers() {
        let text = "宿泊日,宿泊者氏名,国籍,旅券番号,住所,電話番号\n\
            2016/03/15,WANG WEI,中国,E12345678,Beijing,+86-10-1234-5678\n\
            2016/03/15,KIM MINJUN,韓国,M12345678,Seoul,+82-2-123-4567\n\
            2016/03/16,JOHN SMITH,アメリカ,561234567,New York,+1 (212) 555-0100\n\
            2016/03/16,山田 太郎,日本,TK1234567,東京都千代田区千代田1-1,03-3123-4567\n\
            2016/03/17,CHEN MEI,台湾,312345678,Taipei,+44 (0)20 7946 0958\n\
            2016/03/17,unknown,不明,none,-,N/A\n";
        let (mut t, mut tally) = read_csv(text);
        t.finish(&mut tally);
        use Category as C;
        for (c, n) in [
            (C::NameKanji, 1),
            (C::NameRomaji, 4),
            (C::PassportNumber, 5),
            (C::Address, 1),
            (C::Phone, 5),
        ] {
            assert_eq!(tally.count(c), n, "{c}");
        }
        // Not in a column of another category: a foreign passport's form is a product
        // code's, a foreign phone's a formula's.
        let (mut t, mut tally) = read_csv(
            "氏名,商品コード,備考\n山田 太郎,E12345678,+86-10-1234-5678\n佐藤 花子,M12345678,+1 212 555 0100\n",
        );
        t.finish(&mut tally);
        assert_eq!(tally.count(C::PassportNumber), 0);
        assert_eq!(tally.count(C::Phone), 0);
        assert_eq!(tally.count(C::NameKanji), 2);
    }

    /// A row that names two persons (a student and a guardian; an order's orderer and its
    /// recipient, who may be the orderer) holds up to two: the estimate is the names'.
    #[test]
    fn rows_of_two_persons_hold_two() {
        let school = "学年,組,生徒氏名,ふりがな,性別,生年月日,保護者氏名,続柄,緊急連絡先\n\
            3,1,山田 太郎,やまだ たろう,男,2004/04/12,山田 一郎,父,090-1234-5678\n\
            3,1,佐藤 花子,さとう はなこ,女,2004/11/03,佐藤 洋子,母,080-2345-6789\n\
            3,1,鈴木 健,すずき けん,男,2005/01/20,鈴木 美咲,母,070-3456-7890\n";
        let (orders, _) = crate::synth::persons_text(9, 200, crate::synth::Form::Orders);
        for (text, rows, persons) in [(school.to_string(), 3, 6), (orders, 200, 0)] {
            let (mut t, mut tally) = read_csv(&text);
            let cols = t.finish(&mut tally);
            assert_eq!(t.person_rows(), 2 * rows);
            tally.persons_at_most(t.person_rows());
            let r = tally.report(String::new(), None, Some(t.records), cols, false);
            if persons > 0 {
                assert_eq!(r.persons_estimate, persons);
            } else {
                // Half the recipients are someone else.
                assert!(
                    (250..=350).contains(&r.persons_estimate),
                    "{}",
                    r.persons_estimate
                );
            }
        }
    }

    /// Names split into family and given name, and addresses split over columns, count once
    /// per row; sex codes count under a gender header; two phone columns do not double the
    /// persons.
    #[test]
    fn split_columns_count_once_per_row() {
        let csv = "会員番号,姓,名,セイ,メイ,性別,都道府県,市区町村,番地,建物名,会社名,電話番号,携帯電話\n\
            100001,山田,太郎,ヤマダ,タロウ,1,東京都,千代田区,千代田1-1,皇居マンション101,山田商事,0312345678,09012345678\n\
            100002,佐藤,花子,さとう,はなこ,2,大阪府,大阪市北区,梅田3-1-1,,佐藤商店,0663451234,08023456789\n\
            100003,鈴木,一郎,スズキ,イチロウ,9,北海道,札幌市中央区,北一条西2丁目,,,0112223333,07034567890\n";
        let (mut t, mut tally) = read_csv(csv);
        let cols = t.finish(&mut tally);
        assert_eq!(
            t.person_rows(),
            t.records,
            "a split name is one name column"
        );
        tally.persons_at_most(t.person_rows());
        let got: Vec<(&str, Category)> = cols.iter().map(|(h, c)| (h.as_str(), *c)).collect();
        use Category as C;
        assert_eq!(
            got,
            vec![
                ("姓", C::NameKanji),
                ("名", C::NameKanji),
                ("セイ", C::NameKana),
                ("メイ", C::NameKana),
                ("性別", C::Gender),
                ("都道府県", C::Address),
                ("市区町村", C::Address),
                ("番地", C::Address),
                ("建物名", C::Address),
                ("電話番号", C::Phone),
                ("携帯電話", C::Phone),
            ]
        );
        for (c, n) in [
            (C::NameKanji, 3),
            (C::NameKana, 3),
            (C::Gender, 2),
            (C::Address, 3),
            (C::Phone, 6),
        ] {
            assert_eq!(tally.count(c), n, "{c}");
        }
        let r = tally.report(String::new(), None, Some(t.records), cols, true);
        assert_eq!(r.samples[&C::NameKanji][0], "山田 太郎");
        assert_eq!(r.samples[&C::NameKana][1], "さとう はなこ");
        assert_eq!(
            r.samples[&C::Address][0],
            "東京都千代田区千代田1-1皇居マンション101"
        );
        assert_eq!(r.persons_estimate, 3, "six phones, three rows");

        // Romaji in English columns; `住所1`/`住所2`; codes under no gender header are nothing.
        let csv = "last_name,first_name,住所1,住所2,区分\n\
            YAMADA,TARO,東京都千代田区,千代田1-1,1\n\
            SATO,HANAKO,大阪府大阪市北区,梅田3-1-1,2\n";
        let (mut t, mut tally) = read_csv(csv);
        let cols = t.finish(&mut tally);
        assert_eq!(cols.len(), 4);
        assert_eq!(
            (
                tally.count(C::NameRomaji),
                tally.count(C::Address),
                tally.total()
            ),
            (2, 2, 4)
        );
        // A lone `名` column is classified by its values; a prefecture column alone is no
        // address.
        let csv = "名,都道府県,部署\n太郎,東京都,営業部\n花子,大阪府,総務部\n";
        let (mut t, mut tally) = read_csv(csv);
        t.finish(&mut tally);
        assert_eq!(tally.count(C::Address), 0);
        // No prefecture column: the municipality and the block.
        let csv = "市区町村,番地\n千代田区,千代田1-1\n横浜市中区,山下町1-2\n";
        let (mut t, mut tally) = read_csv(csv);
        t.finish(&mut tally);
        assert_eq!(tally.count(C::Address), 2);
    }

    /// Values kept by hand with something around them count, by their core.
    #[test]
    fn decorated_cells_count_by_their_value() {
        let csv = "氏名,生年月日,電話番号,住所,メール\n\
            山田 太郎 様,1980年04月01日生,03(1234)5678,〒100-0001 東京都千代田区千代田1-1,山田 <taro@example.com>\n\
            佐藤 花子,1975/12/24（48歳）,TEL:03-1234-5679,〒530-0001　大阪府大阪市北区梅田3-1-1,mailto:hanako@example.com\n\
            鈴木 一郎,昭和55年4月1日生まれ,090-1234-5678/03-1111-2222,北海道札幌市中央区北一条西2丁目,ichiro@example.jp\n\
            高橋 美咲,1980/4/1,03-1234-5670 内線123,東京都千代田区,misaki@example.ne.jp\n\
            田中 健,不明,受付時間 9:00-17:00 までにご連絡ください,〒999-9999 東京都千代田区千代田1-1,ken@\n";
        let (mut t, mut tally) = read_csv(csv);
        let cols = t.finish(&mut tally);
        use Category as C;
        for (c, n) in [
            (C::BirthDate, 4),
            (C::Phone, 5),
            // `東京都千代田区` has no block number; `〒999-9999` is no listed code, but the
            // address holds by its municipality.
            (C::Address, 4),
            (C::Email, 4),
        ] {
            assert_eq!(tally.count(c), n, "{c}");
        }
        assert_eq!(tally.total(), 5 + 4 + 5 + 4 + 4);
        let r = tally.report(String::new(), None, Some(t.records), cols, true);
        assert_eq!(r.samples[&C::Email][0], "taro@example.com");
        assert_eq!(r.samples[&C::Address][0], "東京都千代田区千代田1-1");
        assert_eq!(r.samples[&C::Phone][1], "03-1234-5679");
        // Addresses without their prefecture, by the municipality (the row's postal code's
        // or any prefecture's).
        let csv = "氏名,住所,郵便番号\n山田 太郎,千代田区千代田1-1,100-0001\n\
            佐藤 花子,横浜市中区山下町1-2,\n鈴木 一郎,〒060-0001 札幌市中央区北一条西2丁目,\n\
            高橋 美咲,営業部1課,\n田中 健,千代田区,\n";
        let (mut t, mut tally) = read_csv(csv);
        t.finish(&mut tally);
        assert_eq!(tally.count(C::Address), 3);
    }

    #[test]
    fn classifies_columns() {
        let mut t = Table::new();
        let mut tally = Tally::new(CatSet::all());
        t.push(
            &[
                "氏名".into(),
                "メール".into(),
                "生年月日".into(),
                "備考".into(),
            ] as &[String],
            &mut tally,
        );
        t.push(
            &[
                "佐藤 太郎".into(),
                "taro@example.com".into(),
                "1980/4/12".into(),
                "".into(),
            ] as &[String],
            &mut tally,
        );
        t.push(
            &[
                "鈴木 花子".into(),
                "hana@example.com".into(),
                "S55.4.12".into(),
                "電話 03-1234-5678".into(),
            ] as &[String],
            &mut tally,
        );
        let cols = t.finish(&mut tally);
        assert_eq!(t.records, 2);
        assert_eq!(tally.count(Category::NameKanji), 2);
        assert_eq!(tally.count(Category::Email), 2);
        assert_eq!(tally.count(Category::BirthDate), 2);
        assert_eq!(tally.count(Category::Phone), 1);
        assert_eq!(cols.len(), 3);
    }
}
