//! Personal-data category ids, fixed for every area.
//!
//! The ids are part of the public interface: `pii scan` counts them, `people resolve` links on
//! them, `notify` lists them to each person, and the regulator report totals them. Order follows
//! the reference incident's list of leaked items, then the items that were not involved.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One kind of personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Name in kanji (山田 太郎).
    NameKanji,
    /// Name in katakana or hiragana reading (ヤマダ タロウ).
    NameKana,
    /// Name in Latin letters (YAMADA TARO).
    NameRomaji,
    /// Gender (男/女, M/F).
    Gender,
    /// Date of birth.
    BirthDate,
    /// E-mail address.
    Email,
    /// Japanese postal code (〒100-0001).
    PostalCode,
    /// Postal address.
    Address,
    /// Telephone number.
    Phone,
    /// Passport number (TK1234567).
    PassportNumber,
    /// Passport issue date.
    PassportIssueDate,
    /// Individual Number (My Number, 12 digits with a check digit).
    MyNumber,
    /// Payment card number.
    CreditCard,
    /// Bank account number.
    BankAccount,
}

impl Category {
    /// Every category, in the fixed order.
    pub const ALL: [Category; 14] = [
        Category::NameKanji,
        Category::NameKana,
        Category::NameRomaji,
        Category::Gender,
        Category::BirthDate,
        Category::Email,
        Category::PostalCode,
        Category::Address,
        Category::Phone,
        Category::PassportNumber,
        Category::PassportIssueDate,
        Category::MyNumber,
        Category::CreditCard,
        Category::BankAccount,
    ];

    /// The stable id (`name_kanji`).
    pub fn id(self) -> &'static str {
        match self {
            Category::NameKanji => "name_kanji",
            Category::NameKana => "name_kana",
            Category::NameRomaji => "name_romaji",
            Category::Gender => "gender",
            Category::BirthDate => "birth_date",
            Category::Email => "email",
            Category::PostalCode => "postal_code",
            Category::Address => "address",
            Category::Phone => "phone",
            Category::PassportNumber => "passport_number",
            Category::PassportIssueDate => "passport_issue_date",
            Category::MyNumber => "my_number",
            Category::CreditCard => "credit_card",
            Category::BankAccount => "bank_account",
        }
    }

    /// The Japanese label used in notices and reports (氏名（漢字）, 生年月日, …).
    pub fn label_ja(self) -> &'static str {
        match self {
            Category::NameKanji => "氏名（漢字）",
            Category::NameKana => "氏名（カナ）",
            Category::NameRomaji => "氏名（ローマ字）",
            Category::Gender => "性別",
            Category::BirthDate => "生年月日",
            Category::Email => "メールアドレス",
            Category::PostalCode => "郵便番号",
            Category::Address => "住所",
            Category::Phone => "電話番号",
            Category::PassportNumber => "旅券番号",
            Category::PassportIssueDate => "旅券発行日",
            Category::MyNumber => "個人番号（マイナンバー）",
            Category::CreditCard => "クレジットカード番号",
            Category::BankAccount => "銀行口座番号",
        }
    }

    /// Data whose leak needs a report to the regulator whatever the number of people
    /// (APPI: data that could cause financial damage if misused).
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            Category::PassportNumber
                | Category::MyNumber
                | Category::CreditCard
                | Category::BankAccount
        )
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An id that names no category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown personal-data category '{0}' (known: name_kanji, name_kana, name_romaji, gender, birth_date, email, postal_code, address, phone, passport_number, passport_issue_date, my_number, credit_card, bank_account)"
)]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.id() == s)
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_fixed_list() {
        let ids: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(
            ids,
            [
                "name_kanji",
                "name_kana",
                "name_romaji",
                "gender",
                "birth_date",
                "email",
                "postal_code",
                "address",
                "phone",
                "passport_number",
                "passport_issue_date",
                "my_number",
                "credit_card",
                "bank_account"
            ]
        );
    }

    #[test]
    fn id_serde_and_fromstr_agree() {
        for c in Category::ALL {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.id())
            );
            assert_eq!(c.id().parse::<Category>().unwrap(), c);
        }
        assert!("names".parse::<Category>().is_err());
    }
}
