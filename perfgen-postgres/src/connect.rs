//! The connection, the server's errors in one line, and URLs without their password.

use crate::options::LoadError;
use postgres::{Client, Config, NoTls};

/// One line: `ERROR: message; DETAIL: ...; HINT: ...; CONTEXT: ...` (the server's own
/// words), or the client error.
pub fn db_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                s.push_str(&format!("; DETAIL: {d}"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!("; HINT: {h}"));
            }
            if let Some(w) = db.where_() {
                s.push_str(&format!("; CONTEXT: {w}"));
            }
            s.replace(['\n', '\r'], " ")
        }
        None => e.to_string().replace(['\n', '\r'], " "),
    }
}

pub fn connect(url: &str) -> Result<Client, LoadError> {
    let config: Config = url.parse().map_err(|e| {
        LoadError::Usage(format!(
            "`{}` is not a PostgreSQL connection URL ({e}); expected postgres://USER@HOST:PORT/DB",
            redact_url(url)
        ))
    })?;
    config.connect(NoTls).map_err(|e| {
        LoadError::Data(format!(
            "cannot connect to `{}`: {}",
            redact_url(url),
            db_text(&e)
        ))
    })
}

/// `url` with its password, if any, replaced by `***`, for messages: in a URL's user info
/// (`postgres://me:secret@host/db`) and query (`?password=secret`), and in a keyword/value
/// string (`host=x password=secret`, `password='s e c'`).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return redact_keyword_password(url);
    };
    let url = &redact_query_password(url);
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let url = url.as_str();
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// `?password=...` / `&password=...` of a URL as `password=***`.
fn redact_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_string();
    };
    let params: Vec<String> = url[q + 1..]
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_string(),
        })
        .collect();
    format!("{}?{}", &url[..q], params.join("&"))
}

/// The value of `password=` in a keyword/value connection string as `***` (quoted values,
/// with `\'` escapes, included).
fn redact_keyword_password(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(8).collect();
        let at_word = i == 0 || chars[i - 1].is_whitespace();
        if at_word && rest.eq_ignore_ascii_case("password") {
            let mut j = i + 8;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j] == '=' {
                j += 1;
                while j < chars.len() && chars[j] == ' ' {
                    j += 1;
                }
                // Skip the value: quoted up to its closing quote, else up to a space.
                if j < chars.len() && chars[j] == '\'' {
                    j += 1;
                    while j < chars.len() && chars[j] != '\'' {
                        j += if chars[j] == '\\' { 2 } else { 1 };
                    }
                    j = (j + 1).min(chars.len());
                } else {
                    while j < chars.len() && !chars[j].is_whitespace() {
                        j += 1;
                    }
                }
                out.push_str("password=***");
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}
