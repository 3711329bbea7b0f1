//! The host's provider accounts, lent to those attached: `/api/v1/providers/{provider}/…`
//! passes a request on to the provider's API with the host's own credentials, so an attached
//! developer's provider panels read the host's GREEN-API instance, MoySklad account, Reestr
//! orders and Kontur.Reestro feed without the host's tokens leaving it.
//!
//! A client presents its hookscope token where that provider's client puts its credential
//! ([`presented`]); it is checked as any API token is. Reads (GET) are for every token;
//! anything that changes the provider's settings is the owner's ([`super::Caller::owner_only`]).
//! The provider's answer comes back as it was sent, compressed or not.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

use super::{Api, Caller, Refusal, Reply, LARGEST_POST};
use crate::config::{Config, Secret};

/// The path all lent accounts are under.
pub const PREFIX: &str = "/api/v1/providers/";

/// `config` with its provider settings pointed at the accounts the team host at `host` (its
/// API's URL) lends to `token`: what an attached app's provider panels call.
pub fn borrowed(config: &Config, host: &str, token: &Secret) -> Config {
    let mut config = config.clone();
    // The host as `attach` names it, with or without the API's path.
    let host = host
        .trim()
        .trim_end_matches('/')
        .trim_end_matches("/api/v1");
    let at = |provider: &str| format!("{host}{PREFIX}{provider}");
    config.green_api.api_url = at("green-api");
    // Any digits: the host puts its own instance in their place.
    config.green_api.id_instance = "0".into();
    config.green_api.api_token_instance = token.clone();
    config.moysklad.api_url = at("moysklad");
    config.moysklad.token = token.clone();
    config.reestr.api_url = at("reestr");
    config.reestr.access_token = token.clone();
    config.kontur.api_url = at("kontur");
    config.kontur.api_key = token.clone();
    config.kontur.org_id = "host".into();
    config
}

/// A provider whose account the host lends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lent {
    GreenApi,
    Moysklad,
    Reestr,
    Kontur,
}

impl Lent {
    fn from_path(name: &str) -> Option<Lent> {
        Some(match name {
            "green-api" => Lent::GreenApi,
            "moysklad" => Lent::Moysklad,
            "reestr" => Lent::Reestr,
            "kontur" => Lent::Kontur,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Lent::GreenApi => "GREEN-API",
            Lent::Moysklad => "MoySklad",
            Lent::Reestr => "Reestr",
            Lent::Kontur => "Kontur.Reestro",
        }
    }

    /// Where the host's account is, and what the host is missing for it, if anything.
    fn account(self, config: &Config) -> Result<Account, &'static str> {
        let needs = |set: bool, what| if set { Ok(()) } else { Err(what) };
        Ok(match self {
            Lent::GreenApi => {
                let c = &config.green_api;
                needs(
                    !c.id_instance.is_empty() && c.api_token_instance.is_set(),
                    "idInstance and apiTokenInstance",
                )?;
                Account {
                    api_url: c.api_url.clone(),
                    secret: c.api_token_instance.expose().to_string(),
                    extra: c.id_instance.clone(),
                }
            }
            Lent::Moysklad => {
                needs(config.moysklad.token.is_set(), "a token")?;
                Account {
                    api_url: config.moysklad.api_url.clone(),
                    secret: config.moysklad.token.expose().to_string(),
                    extra: String::new(),
                }
            }
            Lent::Reestr => {
                needs(config.reestr.access_token.is_set(), "an access token")?;
                Account {
                    api_url: config.reestr.api_url.clone(),
                    secret: config.reestr.access_token.expose().to_string(),
                    extra: String::new(),
                }
            }
            Lent::Kontur => {
                let c = &config.kontur;
                needs(
                    c.api_key.is_set() && !c.org_id.is_empty(),
                    "an API key and an organisation id",
                )?;
                Account {
                    api_url: c.api_url.clone(),
                    secret: c.api_key.expose().to_string(),
                    extra: c.org_id.clone(),
                }
            }
        })
    }
}

/// The host's account at one provider: its API, its secret, and GREEN-API's instance or
/// Kontur's organisation.
struct Account {
    api_url: String,
    secret: String,
    extra: String,
}

/// The hookscope token a request to a lent account presents, where that provider's client
/// puts its credential: GREEN-API's last path segment, Reestr's `access_token`, Kontur's
/// `ReestroAuth apiKey=`; MoySklad's is the usual `Bearer`.
pub fn presented(request: &Request) -> Option<String> {
    let path = request.uri().path().strip_prefix(PREFIX)?;
    let (provider, rest) = path.split_once('/')?;
    match Lent::from_path(provider)? {
        Lent::GreenApi => rest.rsplit('/').next().map(str::to_string),
        Lent::Reestr => query_value(request.uri().query()?, "access_token"),
        Lent::Kontur => {
            let auth = request
                .headers()
                .get(header::AUTHORIZATION)?
                .to_str()
                .ok()?;
            let credentials = auth.strip_prefix("ReestroAuth ")?;
            query_value(credentials, "apiKey")
        }
        Lent::Moysklad => None,
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    form_pairs(query)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    reqwest::Url::parse(&format!("http://q/?{query}"))
        .ok()
        .into_iter()
        .flat_map(|url| {
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect::<Vec<_>>()
        })
}

/// Passes the request on to the provider with the host's credentials; its answer comes back.
pub async fn lend(
    State(api): State<Api>,
    Extension(caller): Extension<Caller>,
    Path((provider, rest)): Path<(String, String)>,
    request: Request,
) -> Reply {
    let Some(lent) = Lent::from_path(&provider) else {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!("The host lends no {provider:?} account: it lends green-api, moysklad, reestr and kontur."),
        ));
    };
    if request.method() != Method::GET {
        caller.owner_only(&format!("Changing the host's {} settings", lent.name()))?;
    }
    let config = api.config.borrow().clone();
    let account = lent.account(&config).map_err(|missing| {
        Refusal::new(
            StatusCode::CONFLICT,
            format!(
                "The host has no {} account set up: its owner adds {missing} to the host's settings.",
                lent.name()
            ),
        )
    })?;
    let url = target(lent, &account, &rest, request.uri().query());
    let method = request.method().clone();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), LARGEST_POST)
        .await
        .map_err(|_| {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request's body is over 1 MiB.",
            )
        })?;
    let mut outgoing = lender().request(method, url).body(body);
    for name in [
        header::CONTENT_TYPE,
        header::ACCEPT,
        header::ACCEPT_ENCODING,
    ] {
        if let Some(value) = headers.get(&name) {
            outgoing = outgoing.header(name, value);
        }
    }
    outgoing = match lent {
        Lent::Moysklad => outgoing.bearer_auth(&account.secret),
        Lent::Kontur => outgoing.header(
            header::AUTHORIZATION,
            format!(
                "ReestroAuth apiKey={}&portal.orgid={}",
                account.secret, account.extra
            ),
        ),
        Lent::GreenApi | Lent::Reestr => outgoing,
    };
    let answer = outgoing.send().await.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_GATEWAY,
            format!(
                "The host could not reach {} ({}); check the API URL in the host's settings.",
                lent.name(),
                crate::http::root_cause(&e.without_url())
            ),
        )
    })?;
    let status = answer.status();
    let kept = kept_headers(answer.headers());
    let bytes = answer.bytes().await.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_GATEWAY,
            format!("{} stopped answering the host midway ({e}).", lent.name()),
        )
    })?;
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = kept;
    Ok(response)
}

/// The client that passes requests on: it leaves an answer compressed, as the caller asked.
fn lender() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(crate::http::passing_on)
}

/// The provider's URL for `rest` (and `query`), with the host's account in place of the
/// caller's token.
fn target(lent: Lent, account: &Account, rest: &str, query: Option<&str>) -> String {
    let base = account.api_url.trim().trim_end_matches('/');
    let path = match lent {
        // waInstance{id}/{method}/{token}
        Lent::GreenApi => {
            let method = rest.split('/').nth(1).unwrap_or_default();
            format!("waInstance{}/{method}/{}", account.extra, account.secret)
        }
        Lent::Moysklad | Lent::Reestr | Lent::Kontur => rest.to_string(),
    };
    let mut url = format!("{base}/{path}");
    if let Some(query) = query {
        let pairs: Vec<_> = form_pairs(query)
            .map(|(key, value)| match (lent, key.as_str()) {
                (Lent::Reestr, "access_token") => (key, account.secret.clone()),
                _ => (key, value),
            })
            .collect();
        if !pairs.is_empty() {
            let mut with = reqwest::Url::parse(&url).expect("checked base URL");
            with.query_pairs_mut().extend_pairs(pairs);
            url = with.to_string();
        }
    }
    url
}

/// The provider's answer headers worth passing on: what the body is and how it is encoded.
fn kept_headers(from: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [header::CONTENT_TYPE, header::CONTENT_ENCODING] {
        if let Some(value) = from.get(&name) {
            kept.insert(name, value.clone());
        }
    }
    kept.entry(header::CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/octet-stream"));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(extra: &str) -> Account {
        Account {
            api_url: "https://api.example/v3/".into(),
            secret: "host-secret".into(),
            extra: extra.into(),
        }
    }

    #[test]
    fn the_callers_token_is_replaced_by_the_hosts_account() {
        assert_eq!(
            target(
                Lent::GreenApi,
                &account("7103"),
                "waInstance0/getSettings/hsu_abc",
                None
            ),
            "https://api.example/v3/waInstance7103/getSettings/host-secret"
        );
        assert_eq!(
            target(
                Lent::Reestr,
                &account(""),
                "order.get",
                Some("id=42&access_token=hsu_abc&v=1.0")
            ),
            "https://api.example/v3/order.get?id=42&access_token=host-secret&v=1.0"
        );
        assert_eq!(
            target(
                Lent::Kontur,
                &account("org"),
                "realty/rosreestr/v2/events",
                Some("count=5")
            ),
            "https://api.example/v3/realty/rosreestr/v2/events?count=5"
        );
    }
}
