//! Mail: messages (`.eml`) and mailboxes (mbox) read as mail (mail-parser), not as text.
//!
//! Read as text, a message hid what it carries: a UTF-8 body is base64 or quoted-printable, a
//! customer list goes as a base64 attachment, and names in headers are MIME encoded words.
//! Here each message is parsed and gives:
//! - one object for the message itself (`box.mbox#12`, `mail.eml`): its correspondents (the
//!   display names and addresses of From, Sender, Reply-To, To, Cc and Bcc), its subject and
//!   its decoded text bodies, scanned as free text (a range pasted in them as a table), and
//!   HTML bodies without a text alternative as pages (their tables as tables);
//! - its attachments, scanned as files (`mail.eml!顧客.csv`, `mail.eml!a.zip!b.xlsx`), and
//!   attached messages as messages.
//!
//! An mbox is split as `kizuki mail scan` splits it (one message held at a time, each within
//! the size cap). Attached messages nest at most [`MAX_DEPTH`] deep.

use std::borrow::Cow;
use std::cell::Cell;

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, HeaderName, Message, MessagePart, MimeHeaders, PartType};

/// Attached messages followed this deep; deeper ones are read as files.
pub const MAX_DEPTH: u32 = 8;
/// Most text bodies and attachments read from one message.
pub const MAX_PARTS: usize = 1024;

thread_local! {
    /// Messages being read on this thread, outermost first (attachments are scanned on the
    /// thread of their message, so this bounds nesting through archives too).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// The nesting of this thread, to carry over to a thread that goes on reading for it
/// ([`set_depth`]).
pub fn depth() -> u32 {
    DEPTH.with(Cell::get)
}

/// Sets this thread's nesting (a thread reading on behalf of one at `d`).
pub fn set_depth(d: u32) {
    DEPTH.with(|c| c.set(d));
}

/// Runs `f` one message deeper; `None` beyond [`MAX_DEPTH`].
pub fn nested<T>(f: impl FnOnce() -> T) -> Option<T> {
    /// Puts the depth back when `f` returns or unwinds (a panic caught further up, on a
    /// thread that goes on to read other files).
    struct Back(u32);
    impl Drop for Back {
        fn drop(&mut self) {
            DEPTH.with(|c| c.set(self.0));
        }
    }
    let d = DEPTH.with(Cell::get);
    if d >= MAX_DEPTH {
        return None;
    }
    let _back = Back(d);
    DEPTH.with(|c| c.set(d + 1));
    Some(f())
}

/// Header names that start messages (lowercase).
const HEADERS: [&str; 14] = [
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "received",
    "return-path",
    "content-type",
    "delivered-to",
    "reply-to",
    "x-mailer",
    "dkim-signature",
];

/// Does `head` start with an RFC 5322 header block (at least three known header fields
/// before the first blank line, and nothing but header lines before it)? A `.eml` name is
/// enough.
pub fn is_message(lower_name: &str, head: &[u8]) -> bool {
    if lower_name.ends_with(".eml") {
        return true;
    }
    let mut known = 0;
    for line in head.split(|b| *b == b'\n').take(200) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with(b" ") || line.starts_with(b"\t") {
            continue;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_graphic()) {
            return false;
        }
        if HEADERS
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
        {
            known += 1;
        }
    }
    known >= 3
}

/// Is `head` an mbox (a `From ` line, then a message)?
pub fn is_mbox(head: &[u8]) -> bool {
    head.starts_with(b"From ")
        && head
            .iter()
            .position(|b| *b == b'\n')
            .is_some_and(|nl| is_message("", &head[nl + 1..]))
}

/// A message's text for the free-text detectors: a line per correspondent
/// (`From: Name: 山田 太郎 <taro@example.jp>`: the display name after a name keyword, as a
/// form would give it), the subject, then the decoded text bodies; and the HTML bodies of a
/// message that has no text for them (read as pages: their tables as tables, as an HTML
/// mail carries a list).
pub fn text_of<'a>(msg: &'a Message<'a>) -> (String, Vec<&'a str>) {
    let mut t = String::new();
    let heads = [
        ("From", HeaderName::From, msg.from()),
        ("Sender", HeaderName::Sender, msg.sender()),
        ("Reply-To", HeaderName::ReplyTo, msg.reply_to()),
        ("To", HeaderName::To, msg.to()),
        ("Cc", HeaderName::Cc, msg.cc()),
        ("Bcc", HeaderName::Bcc, msg.bcc()),
    ];
    let mut push = |label: &str, name: Option<&str>, address: Option<&str>| {
        t.push_str(label);
        t.push_str(": ");
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            t.push_str("Name: ");
            t.push_str(n);
            t.push(' ');
        }
        if let Some(e) = address {
            t.push('<');
            t.push_str(e);
            t.push('>');
        }
        t.push('\n');
    };
    for (label, header, addrs) in heads {
        // Japanese in the header as it is (ISO-2022-JP, Shift_JIS): read from its bytes.
        if let Some(raw) = kizuki_mail::raw::header(msg, header) {
            for (n, a) in kizuki_mail::raw::addresses(&raw).iter().take(MAX_PARTS) {
                push(label, n.as_deref(), a.as_deref());
            }
            continue;
        }
        for a in addrs.into_iter().flat_map(|a| a.iter()).take(MAX_PARTS) {
            push(label, a.name(), a.address());
        }
    }
    let subject = kizuki_mail::raw::header(msg, HeaderName::Subject);
    if let Some(s) = subject.as_deref().or(msg.subject()) {
        t.push_str("Subject: ");
        t.push_str(s);
        t.push('\n');
    }
    let mut html = Vec::new();
    for id in msg.text_body.iter().take(MAX_PARTS) {
        match msg.parts.get(*id as usize).map(|p| &p.body) {
            Some(PartType::Text(body)) => {
                t.push('\n');
                t.push_str(body);
                t.push('\n');
            }
            Some(PartType::Html(body)) => html.push(body.as_ref()),
            _ => {}
        }
    }
    (t, html)
}

/// The charset of a message's first text body (`ISO-2022-JP`), if it names one.
pub fn charset(msg: &Message<'_>) -> Option<String> {
    let id = msg.text_body.first().or(msg.html_body.first())?;
    let part = msg.parts.get(*id as usize)?;
    Some(
        part.content_type()?
            .attribute("charset")?
            .to_ascii_uppercase(),
    )
}

/// An attachment: its name, its bytes, and whether it is a message.
pub type Attachment<'a> = (String, Cow<'a, [u8]>, bool);

/// The bytes of a text part with no charset, as sent (transfer encoding undone): mail-parser
/// would decode them as UTF-8, which garbles a Shift_JIS CSV sent as `text/csv`; the
/// scanner detects their encoding itself.
fn as_sent<'a>(msg: &'a Message<'a>, part: &MessagePart<'_>) -> Option<Cow<'a, [u8]>> {
    let raw = msg
        .raw_message()
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    match part.encoding {
        Encoding::Base64 => base64_decode(raw).map(Cow::Owned),
        Encoding::QuotedPrintable => quoted_printable_decode(raw).map(Cow::Owned),
        Encoding::None => Some(Cow::Borrowed(raw)),
    }
}

/// A message's attachments (attached messages included), at most [`MAX_PARTS`].
pub fn attachments<'a>(msg: &'a Message<'a>) -> Vec<Attachment<'a>> {
    let mut out = Vec::new();
    for (n, id) in msg.attachments.iter().enumerate().take(MAX_PARTS) {
        let Some(part) = msg.parts.get(*id as usize) else {
            continue;
        };
        let named_charset = part
            .content_type()
            .is_some_and(|c| c.attribute("charset").is_some());
        let (data, is_message): (Cow<'a, [u8]>, bool) = match &part.body {
            PartType::Binary(b) | PartType::InlineBinary(b) => (Cow::Borrowed(b.as_ref()), false),
            PartType::Text(t) | PartType::Html(t) => match as_sent(msg, part) {
                Some(raw) if !named_charset => (raw, false),
                _ => (Cow::Borrowed(t.as_bytes()), false),
            },
            PartType::Message(m) => (Cow::Borrowed(m.raw_message()), true),
            PartType::Multipart(_) => continue,
        };
        // A name from the message is used as a path: no separators or `!` from it.
        let name = kizuki_mail::raw::attachment_name(msg, part)
            .map(|n| crate::msg::member_name(&n))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("part{}", n + 1));
        out.push((name, data, is_message));
    }
    out
}

/// Most senders whose password candidates a mailbox's or a scan's mails give are kept
/// (PPAP: the password sent in a mail of its own).
pub const MAX_PASSWORD_SENDERS: usize = 4096;
/// Most password candidates kept for one sender.
pub const MAX_SENDER_PASSWORDS: usize = 16;

/// Adds `found` to the password candidates of `from` in `by`, within
/// [`MAX_PASSWORD_SENDERS`] senders and [`MAX_SENDER_PASSWORDS`] candidates a sender, each once.
pub fn keep_passwords(
    by: &mut std::collections::HashMap<String, Vec<String>>,
    from: String,
    found: Vec<String>,
) {
    if found.is_empty() || (by.len() >= MAX_PASSWORD_SENDERS && !by.contains_key(&from)) {
        return;
    }
    let kept = by.entry(from).or_default();
    for p in found {
        if kept.len() < MAX_SENDER_PASSWORDS && !kept.contains(&p) {
            kept.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_known_by_their_headers() {
        let m = b"Return-Path: <a@b.example>\r\nReceived: from x\r\n\tby y\r\nFrom: a@b.example\r\nSubject: hi\r\n\r\nbody";
        assert!(is_message("x", m));
        assert!(is_mbox(
            &[b"From a@b Thu Jan  1 00:00:00 2026\n".as_slice(), m].concat()
        ));
        assert!(!is_message("x.csv", b"From,To,Subject\na,b,c\n"));
        assert!(!is_message(
            "x.txt",
            b"Subject: one\nFrom: two\nthen text without a blank line"
        ));
        assert!(!is_mbox(b"From the desk of the director\nDear all,\n"));
        assert!(is_message(
            "mail.EML".to_ascii_lowercase().as_str(),
            b"anything"
        ));
    }

    /// Subjects and correspondents a Japanese mailer wrote in the header as they are
    /// (ISO-2022-JP, Shift_JIS): their names are counted, as those of encoded words are.
    #[test]
    fn raw_japanese_headers_give_their_names() {
        for enc in [encoding_rs::ISO_2022_JP, encoding_rs::SHIFT_JIS] {
            let mut m = b"From: ".to_vec();
            m.extend_from_slice(&enc.encode("佐藤 花子 <hanako@example.jp>").0);
            m.extend_from_slice(b"\r\nTo: b@example.jp\r\nSubject: ");
            m.extend_from_slice(&enc.encode("山田太郎様 ご注文の件").0);
            m.extend_from_slice(b"\r\nMIME-Version: 1.0\r\n\r\nbody\r\n");
            let msg = mail_parser::MessageParser::default().parse(&m).unwrap();
            let (t, _) = text_of(&msg);
            assert!(
                t.contains("From: Name: 佐藤 花子 <hanako@example.jp>"),
                "{t}"
            );
            assert!(t.contains("Subject: 山田太郎様 ご注文の件"), "{t}");
            let items = crate::Scanner::default().scan_bytes("m.eml", &m);
            let crate::Item::Found(r) = &items[0] else {
                panic!("{items:?}");
            };
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(
                json["categories"]["name_kanji"],
                2,
                "{}: {json}",
                enc.name()
            );
        }
    }

    #[test]
    fn nesting_is_bounded() {
        fn down(n: u32) -> u32 {
            nested(|| down(n + 1)).unwrap_or(n)
        }
        assert_eq!(down(0), MAX_DEPTH);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }
}
