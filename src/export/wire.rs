//! What a request on the wire can be. An imported file is trusted no more than the network:
//! each entry must be a request hookscope could have received, or it is skipped.

use crate::capture::Incoming;

/// Why `request` could not have come over HTTP, or could not have been accepted whole by a
/// listener with this body limit.
pub fn check(request: &Incoming, max_body_bytes: u64) -> Result<(), String> {
    if request.method.is_empty() || !request.method.bytes().all(is_token) {
        return Err(format!(
            "the method {:?} is not an HTTP method",
            request.method
        ));
    }
    if !request.path.starts_with('/') {
        return Err(format!(
            "the path {:?} does not start with /; a relative URL names no request target",
            request.path
        ));
    }
    for (what, text) in [("path", &request.path), ("query", &request.query)] {
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!(
                "the {what} {text:?} holds spaces or control characters, which a request target cannot"
            ));
        }
    }
    for (name, value) in &request.headers {
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(format!("the header name {name:?} is not a header name"));
        }
        if value
            .as_bytes()
            .iter()
            .any(|&b| matches!(b, b'\r' | b'\n' | 0))
        {
            return Err(format!("the {name} header's value holds CR, LF or NUL"));
        }
    }
    if request.body.len() as u64 > max_body_bytes {
        return Err(format!(
            "its body of {} bytes is over the {max_body_bytes}-byte limit ([listener] max_body_bytes)",
            request.body.len()
        ));
    }
    Ok(())
}

/// RFC 9110 `tchar`: what methods and header names are made of.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::capture;

    fn problem(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
        check(&capture(method, path, headers, body).request, 10)
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn what_the_wire_cannot_carry_is_named() {
        assert_eq!(
            problem("POST", "/ok?a=1", &[("x-a", "b")], b"0123456789"),
            ""
        );
        assert!(problem("GE T\r\nX", "/", &[], b"").contains("not an HTTP method"));
        assert!(problem("POST", "relative/x", &[], b"").contains("does not start with /"));
        assert!(problem("POST", "/a\u{1b}[2J", &[], b"").contains("control characters"));
        assert!(problem("POST", "/", &[("bad\r\nname", "v")], b"").contains("not a header name"));
        assert!(problem("POST", "/", &[("x", "a\r\nb")], b"").contains("CR, LF or NUL"));
        assert!(problem("POST", "/", &[], b"01234567890").contains("over the 10-byte limit"));
    }
}
