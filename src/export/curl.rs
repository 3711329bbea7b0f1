//! cURL commands that send a captured request again, byte for byte, and the `#!/bin/sh`
//! script of them that `hookscope export --format curl` writes.

use std::io::{self, Write};

use super::{Masker, MASK};
use crate::capture::{ellipsize, Capture};

/// Headers curl works out itself (or that describe the old connection), so never copied.
pub const SKIPPED_HEADERS: [&str; 5] = [
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "accept-encoding",
];

/// Bodies up to this size that are plain text go on the command line; larger ones through a
/// pipe, since Linux refuses a single argument over 128 KiB.
const INLINE_BODY_MAX: usize = 64 * 1024;

/// Quotes `text` as one word for a POSIX shell.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A `printf` format that prints exactly `bytes`: printable ASCII as is, the rest as octal.
fn printf_format(bytes: &[u8]) -> String {
    let mut format = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        match b {
            b'%' => format.push_str("%%"),
            b'\n' => format.push_str(r"\n"),
            b'\t' => format.push_str(r"\t"),
            b'\\' | b'\'' => format.push_str(&format!("\\{b:03o}")),
            0x20..=0x7e => format.push(b as char),
            _ => format.push_str(&format!("\\{b:03o}")),
        }
    }
    format
}

/// Text that reads well between single quotes: no control characters but tab and line ends.
fn is_plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A curl command that repeats `capture`'s request against `base_url` (e.g.
/// `http://127.0.0.1:8787`): the same method, path, query, headers (but those in
/// [`SKIPPED_HEADERS`]) and body bytes. Headers curl would add that the capture lacks are
/// switched off. Binary bodies are piped in from `printf` with octal escapes.
pub fn command(capture: &Capture, base_url: &str) -> String {
    let r = &capture.request;
    let mut url = format!("{}{}", base_url.trim_end_matches('/'), r.path);
    if !r.query.is_empty() {
        url.push('?');
        url.push_str(&r.query);
    }

    let (feed, data) = if r.body.is_empty() {
        (None, None)
    } else {
        match std::str::from_utf8(&r.body) {
            Ok(text)
                if is_plain(text) && text.len() <= INLINE_BODY_MAX && !text.starts_with('@') =>
            {
                (None, Some(quote(text)))
            }
            Ok(text) if is_plain(text) => (
                Some(format!("printf '%s' {}", quote(text))),
                Some("@-".into()),
            ),
            _ => (
                Some(format!("printf '{}'", printf_format(&r.body))),
                Some("@-".into()),
            ),
        }
    };

    let mut first = String::from("curl --globoff --path-as-is");
    let inferred = if data.is_some() { "POST" } else { "GET" };
    if r.method.eq_ignore_ascii_case("HEAD") && data.is_none() {
        first.push_str(" --head");
    } else if r.method != inferred {
        first.push_str(&format!(" -X {}", quote(&r.method)));
    }
    first.push(' ');
    first.push_str(&quote(&url));

    let mut lines = vec![first];
    for (name, value) in &r.headers {
        if SKIPPED_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            continue;
        }
        // `Name:` would remove the header; `Name;` sends it empty.
        let header = match value.as_str() {
            Some("") => quote(&format!("{name};")),
            Some(text) if is_plain(text) => quote(&format!("{name}: {text}")),
            // cp1251 or binary bytes, sent exactly as they came.
            _ => {
                let mut bytes = format!("{name}: ").into_bytes();
                bytes.extend_from_slice(value.as_bytes());
                format!("\"$(printf '{}')\"", printf_format(&bytes))
            }
        };
        lines.push(format!("-H {header}"));
    }
    let mut defaults = vec!["User-Agent", "Accept"];
    if data.is_some() {
        defaults.extend(["Content-Type", "Expect"]);
    }
    for default in defaults {
        if r.header(default).is_none() {
            lines.push(format!("-H {}", quote(&format!("{default}:"))));
        }
    }
    if let Some(data) = data {
        lines.push(format!("--data-binary {data}"));
    }
    let command = lines.join(" \\\n  ");
    match feed {
        Some(feed) => format!("{feed} |\n  {command}"),
        None => command,
    }
}

/// A `#!/bin/sh` script that replays every capture, masked, to `replay_to`.
pub fn write(
    captures: &[Capture],
    masker: &Masker,
    replay_to: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "#!/bin/sh")?;
    writeln!(
        out,
        "# {} requests captured by hookscope {}, sent again with curl to {replay_to}: sh THIS-FILE",
        captures.len(),
        env!("CARGO_PKG_VERSION")
    )?;
    if !masker.is_empty() {
        writeln!(
            out,
            "# The secrets configured in hookscope are replaced by {MASK}: put them back before sending."
        )?;
    }
    for capture in captures {
        let capture = masker.capture(capture);
        let r = &capture.request;
        writeln!(out)?;
        writeln!(
            out,
            "# #{} {} {} {} {}: {}",
            capture.id,
            capture.received_at_rfc3339(),
            capture.judgement.provider.name(),
            ellipsize(&r.method, 20),
            ellipsize(&r.path, 200),
            ellipsize(&capture.judgement.summary, 200)
        )?;
        writeln!(out, "{}", command(&capture, replay_to))?;
        writeln!(out, "echo")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::capture;

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn a_json_post_is_one_readable_command() {
        let c = capture(
            "POST",
            "/green-api?x=1&y=[2]",
            &[
                ("host", "a:1"),
                ("content-type", "application/json"),
                ("x-empty", ""),
                ("content-length", "11"),
            ],
            "{\"t\":\"it's\"}".as_bytes(),
        );
        assert_eq!(
            command(&c, "http://127.0.0.1:8787/"),
            "curl --globoff --path-as-is 'http://127.0.0.1:8787/green-api?x=1&y=[2]' \\\n  \
             -H 'content-type: application/json' \\\n  \
             -H 'x-empty;' \\\n  \
             -H 'User-Agent:' \\\n  \
             -H 'Accept:' \\\n  \
             -H 'Expect:' \\\n  \
             --data-binary '{\"t\":\"it'\\''s\"}'"
        );
    }

    #[test]
    fn binary_bodies_are_piped_from_printf() {
        let c = capture(
            "PUT",
            "/b",
            &[("user-agent", "x"), ("accept", "*/*")],
            b"a%\\'\0\xff\n",
        );
        let cmd = command(&c, "http://h");
        assert!(
            cmd.starts_with("printf 'a%%\\134\\047\\000\\377\\n' |\n  curl --globoff --path-as-is -X 'PUT' 'http://h/b'"),
            "{cmd}"
        );
        assert!(cmd.ends_with("--data-binary @-"), "{cmd}");
        assert!(!cmd.contains("User-Agent:"), "{cmd}");
    }

    #[test]
    fn methods_are_only_named_when_curl_would_not_guess_them() {
        assert!(!command(&capture("GET", "/", &[], b""), "http://h").contains("-X"));
        assert!(command(&capture("DELETE", "/", &[], b""), "http://h").contains("-X 'DELETE'"));
        assert!(command(&capture("HEAD", "/", &[], b""), "http://h").contains("--head"));
        assert!(command(&capture("POST", "/", &[], b"@file"), "http://h")
            .contains("printf '%s' '@file' |"));
    }
}
