//! The connection, the server's errors in one line, and URLs without their password.

use crate::options::LoadError;
use postgres::{Client, Config, NoTls};

/// One line: `ERROR: message; DETAIL: ...; HINT: ...; CONTEXT: ...` (the server's own
/// words), or the client error.
pub(crate) fn db_text(e: &postgres::Error) -> String {
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

pub(crate) fn connect(url: &str) -> Result<Client, LoadError> {
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

/// `url` with its password, if any, replaced by `***`, for messages.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
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
