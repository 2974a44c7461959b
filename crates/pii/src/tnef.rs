//! TNEF (`winmail.dat`, `application/ms-tnef`, MS-OXTNEF): what Outlook and Exchange send in
//! place of a rich-text message's body and attachments. Scanned as a file it was binary, so
//! the customer list attached to such a mail was never read. Here its attributes are read:
//! the subject, the body (the plain body, else the HTML one, else the compressed RTF one, as
//! for an Outlook item), and the attachments (their data and long file names; an attached
//! message, a TNEF stream of its own, read as a message). The result is an Outlook message
//! ([`crate::msg::Message`]) and is reported as one (`mail.eml!winmail.dat`,
//! `mail.eml!winmail.dat!顧客.xlsx`).
//!
//! Hand-written: no crate reads TNEF. Caps: every length is checked against the bytes left;
//! value counts are bounded by them; the text and the attachments kept are within the size
//! cap; attached messages nest at most [`crate::mail::MAX_DEPTH`] deep.

use encoding_rs::Encoding;

use crate::Error;
use crate::msg::{Attachment, Body, Message, member_name};

/// A TNEF stream's signature.
pub const SIGNATURE: [u8; 4] = [0x78, 0x9F, 0x3E, 0x22];
/// IID_IMessage: an attachment object that is a message.
const IID_IMESSAGE: [u8; 16] = [
    0x07, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];

/// Does `head` start a TNEF stream?
pub fn is_tnef(head: &[u8]) -> bool {
    head.starts_with(&SIGNATURE)
}

use crate::ole::{u16_at, u32_at};

/// A MAPI property: its id, type and values (raw bytes).
struct Prop {
    id: u16,
    ty: u16,
    values: Vec<Vec<u8>>,
}

/// The properties of a MAPI property list (`attMAPIProps`, `attAttachment`).
fn props(b: &[u8]) -> Result<Vec<Prop>, String> {
    let count = u32_at(b, 0).ok_or("cut property list")? as usize;
    let mut at = 4;
    let mut out = Vec::new();
    for _ in 0..count {
        let (Some(ty), Some(id)) = (u16_at(b, at), u16_at(b, at + 2)) else {
            return Err("cut property".into());
        };
        at += 4;
        if id >= 0x8000 {
            // A named property: its GUID, then a number or a name.
            let kind = u32_at(b, at + 16).ok_or("cut name")?;
            at += 20;
            if kind == 0 {
                at += 4;
            } else {
                let n = u32_at(b, at).ok_or("cut name")? as usize;
                at = at.saturating_add(4).saturating_add(n.div_ceil(4) * 4);
            }
        }
        let multi = ty & 0x1000 != 0;
        let base = ty & !0x1000;
        let fixed = match base {
            0x0001..=0x0004 | 0x000A | 0x000B => Some(4),
            0x0005..=0x0007 | 0x0014 | 0x0040 => Some(8),
            0x0048 => Some(16),
            0x000D | 0x001E | 0x001F | 0x0102 => None,
            _ => return Err(format!("property type {ty:#06x}")),
        };
        // Variable-size values, and multiple ones, come with their count.
        let n = if multi || fixed.is_none() {
            let n = u32_at(b, at).ok_or("cut count")? as usize;
            at += 4;
            if n > b.len().saturating_sub(at) / 4 + 1 {
                return Err("value count past the end".into());
            }
            n
        } else {
            1
        };
        let mut values = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let len = match fixed {
                Some(len) => len,
                None => {
                    let len = u32_at(b, at).ok_or("cut value")? as usize;
                    at += 4;
                    len
                }
            };
            let v = b
                .get(at..at.checked_add(len).ok_or("value too long")?)
                .ok_or("value past the end")?;
            values.push(v.to_vec());
            at += len.div_ceil(4) * 4;
        }
        out.push(Prop {
            id,
            ty: base,
            values,
        });
    }
    Ok(out)
}

/// A property's first value as text (UTF-16, or 8-bit in `enc`).
fn string(props: &[Prop], id: u16, enc: &'static Encoding) -> Option<String> {
    let p = props
        .iter()
        .find(|p| p.id == id && matches!(p.ty, 0x001E | 0x001F))?;
    let v = p.values.first()?;
    let s = if p.ty == 0x001F {
        crate::ole::utf16le(v)
    } else {
        enc.decode_without_bom_handling(v).0.into_owned()
    };
    let s = s.trim_end_matches('\0').to_string();
    (!s.trim().is_empty()).then_some(s)
}

/// A property's first value as bytes (binary or object).
fn bytes(props: &[Prop], id: u16) -> Option<&[u8]> {
    props
        .iter()
        .find(|p| p.id == id && matches!(p.ty, 0x0102 | 0x000D))
        .and_then(|p| p.values.first())
        .map(Vec::as_slice)
}

/// An attachment being read: its attributes.
#[derive(Default)]
struct Att {
    title: Option<String>,
    data: Option<Vec<u8>>,
    props: Vec<Prop>,
}

/// Reads a TNEF stream within `cap` bytes; `None` when `data` is not one.
pub fn read(data: &[u8], cap: u64) -> Option<Message> {
    read_at(data, cap, 0)
}

fn read_at(data: &[u8], cap: u64, depth: u32) -> Option<Message> {
    if !is_tnef(data) || data.len() < 6 {
        return None;
    }
    let mut m = Message::default();
    let mut enc = encoding_rs::WINDOWS_1252;
    let (mut subject, mut att_body) = (None, None);
    let mut msg_props = Vec::new();
    let mut atts: Vec<Att> = Vec::new();
    let mut at = 6;
    while at < data.len() {
        let (Some(&level), Some(id), Some(len)) =
            (data.get(at), u32_at(data, at + 1), u32_at(data, at + 5))
        else {
            m.errors.push(Error::Read("TNEF: cut attribute".into()));
            break;
        };
        let start = at + 9;
        let Some(v) = start
            .checked_add(len as usize)
            .and_then(|end| data.get(start..end))
        else {
            m.errors
                .push(Error::Read("TNEF: attribute past the end".into()));
            break;
        };
        at = start + v.len() + 2;
        let text = |v: &[u8]| {
            let s = enc.decode_without_bom_handling(v).0;
            s.trim_end_matches('\0').to_string()
        };
        match (level, id & 0xFFFF) {
            (_, 0x9007) => {
                if let Some(e) = u32_at(v, 0)
                    .and_then(|cp| u16::try_from(cp).ok())
                    .and_then(codepage::to_encoding)
                {
                    enc = e;
                }
            }
            (1, 0x8004) => subject = Some(text(v)),
            (1, 0x800C) => att_body = Some(text(v)),
            (1, 0x9003) => match props(v) {
                Ok(p) => msg_props = p,
                Err(e) => m.errors.push(Error::Read(format!("TNEF: {e}"))),
            },
            (2, 0x9002) => atts.push(Att::default()),
            (2, 0x8010) => {
                if let Some(a) = atts.last_mut() {
                    a.title = Some(text(v));
                }
            }
            (2, 0x800F) => {
                if let Some(a) = atts.last_mut() {
                    a.data = Some(v.to_vec());
                }
            }
            (2, 0x9005) => match (atts.last_mut(), props(v)) {
                (Some(a), Ok(p)) => a.props = p,
                (_, Err(e)) => m.errors.push(Error::Read(format!("TNEF: {e}"))),
                (None, Ok(_)) => {}
            },
            _ => {}
        }
    }
    m.encoding = crate::decode::name(enc);
    let t = &mut m.text;
    if let Some(s) = string(&msg_props, 0x0037, enc).or(subject) {
        t.push_str("Subject: ");
        t.push_str(s.trim());
        t.push('\n');
    }
    let body = string(&msg_props, 0x1000, enc).or(att_body.filter(|b| !b.trim().is_empty()));
    if let Some(b) = body {
        t.push('\n');
        t.push_str(&b);
        t.push('\n');
    } else if let Some(h) = bytes(&msg_props, 0x1013) {
        let head = &h[..h.len().min(crate::decode::HEAD)];
        let e = crate::decode::html_declared(head)
            .or_else(|| crate::decode::detect(head))
            .unwrap_or(encoding_rs::UTF_8);
        m.html = Some(e.decode_without_bom_handling(h).0.into_owned());
    } else if let Some(r) = bytes(&msg_props, 0x1009) {
        match crate::msg::decompress(r, cap) {
            Ok(rtf) => {
                let cap = usize::try_from(cap).unwrap_or(usize::MAX);
                t.push('\n');
                t.push_str(&crate::rtf::read(&rtf, cap).text);
                t.push('\n');
            }
            Err(e) => m
                .errors
                .push(Error::Read(format!("compressed RTF body: {e}"))),
        }
    }
    for (i, a) in atts.into_iter().enumerate().take(crate::msg::MAX_OBJECTS) {
        let name = string(&a.props, 0x3707, enc)
            .or(a.title.filter(|s| !s.trim().is_empty()))
            .or_else(|| string(&a.props, 0x3704, enc))
            .or_else(|| string(&a.props, 0x3001, enc))
            .map(|s| member_name(s.trim()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("attachment{}", i + 1));
        // An attached message: an object whose interface is IMessage, holding a TNEF
        // stream of its own.
        let object = bytes(&a.props, 0x3701).filter(|o| o.starts_with(&IID_IMESSAGE));
        let body = match object {
            Some(o) if depth + 1 < crate::mail::MAX_DEPTH => {
                match read_at(&o[IID_IMESSAGE.len()..], cap, depth + 1) {
                    Some(inner) => Body::Message(inner),
                    None => Body::File(o[IID_IMESSAGE.len()..].to_vec()),
                }
            }
            Some(_) => {
                m.errors.push(Error::Cap(format!(
                    "{name}: messages nested more than {} deep",
                    crate::mail::MAX_DEPTH
                )));
                continue;
            }
            None => match bytes(&a.props, 0x3701).map(<[u8]>::to_vec).or(a.data) {
                Some(d) => Body::File(d),
                None => continue,
            },
        };
        m.attachments.push(Attachment { name, body });
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{MsgPart, MsgSpec, tnef_of};

    #[test]
    fn a_rich_text_mail_gives_its_body_and_attachments() {
        let inner = MsgSpec {
            strings: vec![
                (0x0037, "転送".into()),
                (0x1000, "本文 taro@example.jp".into()),
            ],
            attachments: vec![MsgPart::File("内側.csv".into(), b"a,b\n".to_vec())],
            ..MsgSpec::default()
        };
        let spec = MsgSpec {
            unicode: false,
            strings: vec![
                (0x0037, "顧客リスト".into()),
                (0x1000, "山田 太郎 様".into()),
            ],
            attachments: vec![
                MsgPart::File(
                    "顧客リスト_2024年3月.xlsx".into(),
                    b"PK\x03\x04xl/".to_vec(),
                ),
                MsgPart::Item("転送".into(), inner),
            ],
            ..MsgSpec::default()
        };
        let m = read(&tnef_of(&spec), 1 << 20).unwrap();
        assert_eq!(m.text, "Subject: 顧客リスト\n\n山田 太郎 様\n");
        assert_eq!(m.encoding, "Shift_JIS");
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        assert_eq!(m.attachments.len(), 2);
        assert_eq!(m.attachments[0].name, "顧客リスト_2024年3月.xlsx");
        assert!(matches!(&m.attachments[0].body, Body::File(d) if d == b"PK\x03\x04xl/"));
        let Body::Message(i) = &m.attachments[1].body else {
            panic!("{:?}", m.attachments[1]);
        };
        assert_eq!(i.text, "Subject: 転送\n\n本文 taro@example.jp\n");
        assert_eq!(i.attachments[0].name, "内側.csv");
        // Only a compressed RTF body, in Unicode strings.
        let rtf = MsgSpec {
            unicode: true,
            rtf: Some(b"{\\rtf1\\ansi\\ansicpg932 \\'8e\\'52\\'93c\\par}".to_vec()),
            ..MsgSpec::default()
        };
        assert_eq!(read(&tnef_of(&rtf), 1 << 20).unwrap().text, "\n山田\n\n");
    }

    #[test]
    fn bent_streams_are_errors_not_panics() {
        assert!(read(b"\x78\x9f\x3e", 100).is_none());
        assert!(read(b"not tnef", 100).is_none());
        let spec = MsgSpec {
            strings: vec![(0x0037, "件名".into()), (0x1000, "本文".into())],
            attachments: vec![MsgPart::File("a.csv".into(), b"x,y\n".to_vec())],
            ..MsgSpec::default()
        };
        let d = tnef_of(&spec);
        let mut rng = kizuki_core::rng::Rng::new(3);
        for _ in 0..20_000 {
            let x = crate::synth::bend(&mut rng, &d, 4, 0.2);
            if let Some(m) = read(&x, 1 << 16) {
                assert!(m.text.len() <= 1 << 17);
            }
        }
    }
}
