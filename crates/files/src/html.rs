//! HTML attachments: forms that ask for a password (credential phishing), redirects by meta
//! refresh or script, and HTML smuggling (a file assembled from script data on open).

use kizuki_core::Severity;

use crate::Out;

fn attr_value(tag: &str, name: &str) -> Option<String> {
    let i = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = tag[i..].trim_start();
    let (q, rest) = match rest.chars().next()? {
        c @ ('"' | '\'') => (c, &rest[1..]),
        _ => (' ', rest),
    };
    let end = rest.find([q, '>']).unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// Analyses an HTML document.
pub(crate) fn analyze(data: &[u8], out: &mut Out) {
    let cap = data.len().min(8 * 1024 * 1024);
    let text = String::from_utf8_lossy(&data[..cap]).to_ascii_lowercase();
    for form in text.split("<form").skip(1).take(64) {
        let body = form.split("</form").next().unwrap_or(form);
        let password = body.contains("type=\"password\"")
            || body.contains("type='password'")
            || body.contains("type=password");
        if password {
            let head = body.split('>').next().unwrap_or("");
            let action = attr_value(head, "action").unwrap_or_default();
            out.add(
                "html.form_credentials",
                Severity::High,
                format!(
                    "form asks for a password{}",
                    if action.is_empty() {
                        String::new()
                    } else {
                        format!(" and posts it to {action}")
                    }
                ),
            );
            break;
        }
    }
    let meta = text.contains("http-equiv=\"refresh\"")
        || text.contains("http-equiv='refresh'")
        || text.contains("http-equiv=refresh");
    let script = [
        "window.location",
        "document.location",
        "location.href=",
        "location.href =",
        "location.replace(",
        "location.assign(",
    ]
    .iter()
    .find(|p| text.contains(*p));
    if meta || script.is_some() {
        out.add(
            "html.redirect",
            Severity::Medium,
            if meta {
                "meta refresh redirect".to_string()
            } else {
                format!("script redirect ({})", script.copied().unwrap_or(""))
            },
        );
    }
    let blob = text.contains("new blob(")
        && (text.contains("atob(")
            || text.contains("msSaveOrOpenBlob".to_ascii_lowercase().as_str()))
        && (text.contains(".download") || text.contains("mssaveoropenblob"));
    if blob {
        out.add(
            "html.smuggling",
            Severity::High,
            "script assembles a file and offers it for download (HTML smuggling)",
        );
    }
}
