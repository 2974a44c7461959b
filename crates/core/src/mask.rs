//! Masking of personal data for display.
//!
//! Output must never become a second leak: every value of a [`Category`] shown to a person goes
//! through [`mask`] unless the user passed an explicit reveal flag. Masks keep just enough to
//! recognise a value when you already know it (`y****@example.com`, `090-****-5678`,
//! `TK*****67`), and keep the value's shape (separators, length) so a reviewer can still tell a
//! phone number from a postal code.

use crate::category::Category;

const STAR: char = '*';

/// Masks one value of a category.
pub fn mask(category: Category, value: &str) -> String {
    match category {
        Category::Email => mask_email(value),
        Category::Phone | Category::CreditCard | Category::BankAccount | Category::MyNumber => {
            mask_digits(value, 3, 4)
        }
        Category::PostalCode => mask_digits(value, 3, 0),
        Category::PassportNumber => mask_keep_ends(value, 2, 2),
        // A month in letters (`12APR80`, as airlines write dates) comes after the day: no
        // digit kept.
        Category::BirthDate | Category::PassportIssueDate
            if value
                .as_bytes()
                .windows(3)
                .any(|w| w.iter().all(u8::is_ascii_alphabetic)) =>
        {
            mask_digits(value, 0, 0)
        }
        Category::BirthDate | Category::PassportIssueDate => mask_digits(value, 2, 0),
        Category::NameKanji | Category::NameKana | Category::NameRomaji => mask_words(value),
        Category::Address => mask_keep_ends(value, 3, 0),
        Category::Gender => STAR.to_string(),
    }
}

/// `yamada.taro@example.com` -> `y****@example.com`.
fn mask_email(value: &str) -> String {
    match value.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}****@{domain}")
        }
        None => mask_keep_ends(value, 1, 0),
    }
}

/// Masks the digits of a value, keeping the first `head` and last `tail` digits and every
/// non-digit (separators) in place. Values with too few digits keep at most the last two.
fn mask_digits(value: &str, head: usize, tail: usize) -> String {
    let n = value.chars().filter(char::is_ascii_digit).count()
        + value.chars().filter(|c| ('０'..='９').contains(c)).count();
    if n == 0 {
        return mask_keep_ends(value, 1, 0);
    }
    let (head, tail) = if n <= head + tail {
        (0, if n >= 6 { tail.min(2) } else { 0 })
    } else {
        (head, tail)
    };
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                seen += 1;
                if seen <= head || seen > n - tail {
                    c
                } else {
                    STAR
                }
            } else {
                c
            }
        })
        .collect()
}

/// Keeps `head` leading and `tail` trailing characters, stars in between.
fn mask_keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let (head, tail) = if n <= head + tail + 1 {
        (n.min(1), 0)
    } else {
        (head, tail)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i >= n - tail { c } else { STAR })
        .collect()
}

/// Keeps the first character of each word: `山田 太郎` -> `山* 太*`.
fn mask_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut at_start = true;
    for c in value.chars() {
        // Between words: spaces, the slash of an airline's `YAMADA/TARO MR`, the dot of
        // `ヤマダ・タロウ`.
        if c.is_whitespace() || matches!(c, '\u{3000}' | '/' | '・') {
            out.push(c);
            at_start = true;
        } else if at_start {
            out.push(c);
            at_start = false;
        } else {
            out.push(STAR);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        assert_eq!(
            mask(Category::Email, "yamada@example.com"),
            "y****@example.com"
        );
        assert_eq!(mask(Category::Phone, "090-1234-5678"), "090-****-5678");
        assert_eq!(mask(Category::PassportNumber, "TK1234567"), "TK*****67");
        assert_eq!(mask(Category::NameKanji, "山田 太郎"), "山* 太*");
        assert_eq!(mask(Category::PostalCode, "100-0001"), "100-****");
        assert_eq!(mask(Category::BirthDate, "1980-04-12"), "19**-**-**");
    }

    #[test]
    fn names_keep_their_word_marks() {
        assert_eq!(
            mask(Category::NameRomaji, "YAMADA/TARO MR"),
            "Y*****/T*** M*"
        );
        assert_eq!(mask(Category::NameKana, "ヤマダ・タロウ"), "ヤ**・タ**");
        assert_eq!(mask(Category::NameKanji, "山田　太郎"), "山*　太*");
        assert_eq!(mask(Category::BirthDate, "12APR80"), "**APR**");
        assert_eq!(mask(Category::BirthDate, "1980/04/12"), "19**/**/**");
    }

    #[test]
    fn nothing_long_survives_whole() {
        for c in Category::ALL {
            for v in [
                "yamada.taro@example.co.jp",
                "0312345678",
                "TK1234567",
                "東京都千代田区千代田1-1",
                "ヤマダ タロウ",
                "4111111111111111",
                "123456789012",
            ] {
                let m = mask(c, v);
                assert_ne!(m, v, "{c} {v}");
                assert!(m.contains('*'), "{c} {v} -> {m}");
            }
        }
    }

    #[test]
    fn short_values_are_still_masked() {
        assert_eq!(mask(Category::Phone, "110"), "***");
        assert_eq!(mask(Category::Email, "a@b"), "a****@b");
        assert_eq!(mask(Category::PassportNumber, "AB"), "A*");
        assert_eq!(mask(Category::Gender, "女"), "*");
    }
}
