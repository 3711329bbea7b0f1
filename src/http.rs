//! Calling provider APIs: one HTTP client, and every failure told as a sentence that says what
//! happened and what to do. No error carries a request's URL: GREEN-API puts its token in the
//! path and Reestr in the query, and errors end up on screen and in terminals.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

/// How long one API call may take before the user is told it timed out.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The client every provider call goes through: gzip on (MoySklad requires it), a timeout,
/// and hookscope's name in the User-Agent.
pub fn client() -> reqwest::Client {
    builder()
        .build()
        .expect("the HTTP client's settings are valid")
}

/// A client that leaves answers as they came, compressed or not: for passing them on.
pub fn passing_on() -> reqwest::Client {
    builder()
        .no_gzip()
        .build()
        .expect("the HTTP client's settings are valid")
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("hookscope/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(TIMEOUT)
}

/// What to do about a provider's refusal, where hookscope knows; `Display` says it in English,
/// the app in its user's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Advice {
    /// Kontur.Reestro did not accept the apiKey.
    KonturKey,
    /// The apiKey has no access to the organisation asked for.
    KonturOrganisation,
    /// GREEN-API knows no instance with this idInstance and apiTokenInstance.
    GreenCredentials { id: String },
    /// GREEN-API has no such method at this API URL: most often a MAX instance without `/v3`.
    GreenApiUrl,
    /// Reestr did not accept the access token.
    ReestrToken,
    /// Reestr does not know the order.
    ReestrOrder,
    /// MoySklad did not accept the token.
    MoyskladToken,
    /// MoySklad asks to slow down.
    MoyskladTooMany,
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::KonturKey => f.write_str("the apiKey was not accepted. Check the apiKey in the Rosreestr events panel (and that it is for this stand: production or test)."),
            Advice::KonturOrganisation => f.write_str("this apiKey has no access to that organisation. Check the orgId (portal.orgid) in the Rosreestr events panel."),
            Advice::GreenCredentials { id } => write!(f, "idInstance {id} and this apiTokenInstance do not match an instance. Copy both again from the GREEN-API console; a console that shows its own API host (e.g. https://1101.api.green-api.com) wants that host as the API URL too."),
            Advice::GreenApiUrl => f.write_str("nothing answers this method at the API URL. Check the API URL in the GREEN-API panel: a MAX instance (typeInstance v3) is reached at https://api.green-api.com/v3, WhatsApp and Telegram ones at https://api.green-api.com (or the host their console shows)."),
            Advice::ReestrToken => f.write_str("Check the access token in the Reestr panel."),
            Advice::ReestrOrder => f.write_str("Check the order id."),
            Advice::MoyskladToken => f.write_str("check the token in the MoySklad panel, or log in again"),
            Advice::MoyskladTooMany => f.write_str("too many requests: wait a few seconds and try again"),
        }
    }
}

/// What hookscope could not read in a provider's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unread {
    /// The body is not the JSON the call expects: the parser's words, or none.
    NotJson(String),
    /// The JSON lacks what the call needs (`events`, `rows`, `access_token`).
    Missing(&'static str),
    /// GREEN-API's settings call did not say `saveSettings: true`.
    NotSaved,
}

impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unread::NotJson(error) if error.is_empty() => f.write_str("it is not JSON"),
            Unread::NotJson(error) => f.write_str(error),
            Unread::Missing(what) => write!(f, "there is no {what} in it"),
            Unread::NotSaved => f.write_str("saveSettings is not true"),
        }
    }
}

/// A refusal's own text and the advice after it, in whichever language `advice` was said.
pub fn refusal_text(message: &str, advice: Option<String>) -> String {
    match (message.trim(), advice) {
        ("", Some(advice)) => advice.to_string(),
        (message, Some(advice)) => format!("{}. {advice}", message.trim_end_matches('.')),
        (message, None) => message.to_string(),
    }
}

/// A field a provider refused, as it named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// A setting the call needs is empty or unusable.
    #[error("{0}")]
    NotConfigured(Unset),
    /// The request was not sent because it could not be right.
    #[error("{0}")]
    Input(Mistake),
    #[error("Could not reach {service} at {origin} ({detail}). Check the API URL in the settings and your connection.")]
    Unreachable {
        service: &'static str,
        origin: String,
        detail: String,
    },
    #[error("{service} did not answer within {} seconds. Try again, or check the API URL in the settings.", TIMEOUT.as_secs())]
    Timeout { service: &'static str },
    /// The provider answered with an error: its own text (`message`, possibly empty), and
    /// what to do where hookscope knows.
    #[error("{service} refused the request (HTTP {status}): {}{}", refusal_text(.message, .advice.as_ref().map(Advice::to_string)), fields_text(.fields))]
    Refused {
        service: &'static str,
        status: u16,
        message: String,
        advice: Option<Advice>,
        fields: Vec<FieldError>,
    },
    /// A team host lending its account refused the request, or could not pass it on: its
    /// own sentence.
    #[error("The team host did not pass the request on to {service}: {said}")]
    Host { service: &'static str, said: String },
    #[error("{service} answered HTTP {status} with something hookscope could not read ({detail}): {body}")]
    Unreadable {
        service: &'static str,
        status: u16,
        detail: Unread,
        body: String,
    },
}

/// A setting a call needs that is empty or unusable, and so where to fill it in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unset {
    /// An empty setting.
    Missing(Setting),
    /// GREEN-API's idInstance with more than digits in it.
    NotDigits { id: String },
    /// An API URL that is not http(s).
    ApiUrl { service: &'static str, url: String },
}

/// The settings a provider call can need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    GreenApiId,
    GreenApiToken,
    MoyskladToken,
    ReestrAccessToken,
    ReestrOrderId,
    KonturApiKey,
    KonturOrgId,
}

impl Setting {
    /// Its name as the provider's own screens show it.
    pub fn name(self) -> &'static str {
        match self {
            Setting::GreenApiId => "GREEN-API's idInstance",
            Setting::GreenApiToken => "GREEN-API's apiTokenInstance",
            Setting::MoyskladToken => "The MoySklad token",
            Setting::ReestrAccessToken => "The Reestr access token",
            Setting::ReestrOrderId => "The order id",
            Setting::KonturApiKey => "The Kontur apiKey",
            Setting::KonturOrgId => "The Kontur orgId",
        }
    }

    /// Where to find it and where to put it.
    pub fn hint(self) -> &'static str {
        match self {
            Setting::GreenApiId | Setting::GreenApiToken => {
                "copy it from the GREEN-API console into the GREEN-API panel (or [green_api] in the settings)."
            }
            Setting::MoyskladToken => {
                "create one in MoySklad (Settings > Tokens) or log in from the MoySklad panel, or set [moysklad] token in the settings."
            }
            Setting::ReestrAccessToken => {
                "copy it from the Reestr cabinet (API settings) into the Reestr panel, or set [reestr] access_token in the settings."
            }
            Setting::ReestrOrderId => {
                "pass the object_id of a payment or service_done notification."
            }
            Setting::KonturApiKey | Setting::KonturOrgId => {
                "copy it from the Kontur.Reestro integration settings into the Kontur.Reestro panel (Providers > Rosreestr · Kontur), or set [kontur] in the settings."
            }
        }
    }
}

impl std::fmt::Display for Unset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unset::Missing(setting) => {
                write!(f, "{} is not set: {}", setting.name(), setting.hint())
            }
            Unset::NotDigits { id } => write!(
                f,
                "GREEN-API's idInstance \"{id}\" should be digits only, e.g. 1101000001: {}",
                Setting::GreenApiId.hint()
            ),
            Unset::ApiUrl { service, url } => write!(
                f,
                "The {service} API URL \"{url}\" is not an http(s) address: set it in the settings."
            ),
        }
    }
}

/// A request that could not be right, so was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mistake {
    /// A Kontur page outside 1–`max` events.
    PageSize { count: u8, max: u8 },
    /// A MoySklad entity webhook without an action.
    NoAction { actions: &'static [&'static str] },
    /// A MoySklad stock webhook's report type that is neither `all` nor `bystore`.
    ReportType { action: String },
    /// An event's href outside the configured MoySklad API, where the token must not go.
    ForeignHref { href: String, api_url: String },
}

impl std::fmt::Display for Mistake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mistake::PageSize { count, max } => {
                write!(f, "A page holds 1 to {max} events; {count} was asked for.")
            }
            Mistake::NoAction { actions } => write!(
                f,
                "Choose what the webhook is for: {} (--action).",
                actions.join(", ")
            ),
            Mistake::ReportType { action } => write!(
                f,
                "A stock webhook's action is its report type, all or bystore, not \"{action}\"."
            ),
            Mistake::ForeignHref { href, api_url } => write!(
                f,
                "The event's href {href} is not under the MoySklad API URL {api_url}; hookscope sends your token only there. Check the API URL in the MoySklad panel."
            ),
        }
    }
}

/// The refused fields, one per line under the sentence.
pub fn fields_text(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("\n  {}: {}", f.field, f.message))
        .collect()
}

impl ApiError {
    pub fn refused(service: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Refused {
            service,
            status: status.as_u16(),
            message: message.into(),
            advice: None,
            fields: Vec::new(),
        }
    }

    /// A refusal with what to do about it.
    pub fn advised(self, advice: Advice) -> Self {
        match self {
            ApiError::Refused {
                service,
                status,
                message,
                fields,
                ..
            } => ApiError::Refused {
                service,
                status,
                message,
                advice: Some(advice),
                fields,
            },
            other => other,
        }
    }

    /// Whether the user must fill in a setting before the call can be made.
    pub fn is_setting(&self) -> bool {
        matches!(self, ApiError::NotConfigured(_))
    }

    /// The HTTP status the provider answered, if it answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Refused { status, .. } | ApiError::Unreadable { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// What a provider answered.
pub struct Reply {
    pub service: &'static str,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| self.unreadable(Unread::NotJson(e.to_string())))
    }

    pub fn unreadable(&self, detail: Unread) -> ApiError {
        ApiError::Unreadable {
            service: self.service,
            status: self.status.as_u16(),
            detail,
            body: self.text_clipped(),
        }
    }

    /// The body as text for an error message, cut short so a HTML error page stays readable.
    pub fn text_clipped(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        if text.is_empty() {
            return "(empty body)".into();
        }
        crate::capture::ellipsize(text, 300)
    }
}

/// Sends a request and reads the whole answer; transport failures become sentences that name
/// the host but never the URL (it may hold a token).
pub async fn send(
    service: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<Reply, ApiError> {
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            return ApiError::Timeout { service };
        }
        let origin = e
            .url()
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|| "its API URL".into());
        ApiError::Unreachable {
            service,
            origin,
            detail: root_cause(&e.without_url()),
        }
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport)?.to_vec();
    if headers.contains_key(crate::api::REFUSAL) {
        let said = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        return Err(ApiError::Host { service, said });
    }
    Ok(Reply {
        service,
        status,
        headers,
        body,
    })
}

/// The innermost reason of a transport error ("Connection refused"), which says more to a
/// person than reqwest's outer "error sending request".
pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    // io::Error prints "Connection refused (os error 111)"; the number helps nobody.
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Checks that a required setting is filled in.
pub fn required(value: &str, setting: Setting) -> Result<&str, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        Err(ApiError::NotConfigured(Unset::Missing(setting)))
    } else {
        Ok(value)
    }
}

/// An API base URL as typed, without a trailing slash, checked to be http(s).
pub fn base_url(url: &str, service: &'static str) -> Result<String, ApiError> {
    let url = url.trim().trim_end_matches('/');
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err(ApiError::NotConfigured(Unset::ApiUrl {
            service,
            url: url.into(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_names_the_host_but_not_the_token_in_the_path() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/waInstance1/getSettings/SECRET-TOKEN");
        let err = send("GREEN-API", client().get(url)).await.err().unwrap();
        let text = err.to_string();
        assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
        assert!(!text.contains("SECRET-TOKEN"), "{text}");
    }

    #[test]
    fn refused_lists_fields_one_per_line() {
        let err = ApiError::Refused {
            service: "Kontur.Reestro",
            status: 400,
            message: "Validation failed".into(),
            advice: None,
            fields: vec![FieldError {
                field: "afterEventId".into(),
                message: "afterEventId should be guid".into(),
            }],
        };
        assert_eq!(
            err.to_string(),
            "Kontur.Reestro refused the request (HTTP 400): Validation failed\n  afterEventId: afterEventId should be guid"
        );
    }

    #[test]
    fn advice_follows_the_providers_own_words_or_stands_alone() {
        let status = StatusCode::UNAUTHORIZED;
        let alone = ApiError::refused("Kontur.Reestro", status, "").advised(Advice::KonturKey);
        assert_eq!(
            alone.to_string(),
            format!(
                "Kontur.Reestro refused the request (HTTP 401): {}",
                Advice::KonturKey
            )
        );
        let after =
            ApiError::refused("Reestr", status, "Invalid token.").advised(Advice::ReestrToken);
        assert_eq!(
            after.to_string(),
            "Reestr refused the request (HTTP 401): Invalid token. Check the access token in the Reestr panel."
        );
    }

    #[test]
    fn base_url_drops_the_trailing_slash_and_wants_http() {
        assert_eq!(base_url(" https://a.b/x/ ", "X").unwrap(), "https://a.b/x");
        assert!(base_url("a.b", "X").is_err());
    }
}
