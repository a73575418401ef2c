//! What keeps web pages in the user's browser away from the fake, which runs on the machine
//! where people browse, accepts a well-known demo key and, with admin on, hands out stored
//! credentials.
//!
//! DNS rebinding: a page whose own name is made to resolve to 127.0.0.1 becomes same-origin
//! with the fake and can read its answers. Its requests still carry the page's name in
//! `Host`, so only loopback names and addresses, the address the fake listens on, and names
//! allowed explicitly (a container network's) are served.
//!
//! Cross-site writes: any page can send a form or a plain-text POST to 127.0.0.1 without
//! reading the answer. Browsers mark such requests with `Origin`, and a page cannot send a
//! JSON body elsewhere without a CORS preflight, which the fake never grants. So the admin
//! routes, which need no key, refuse requests with an `Origin` and writes whose body is not
//! JSON. The API itself needs a bearer token, which a cross-site page cannot attach without
//! that same preflight.

use super::error;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::net::IpAddr;
use std::sync::Arc;

/// The `Host` names a fake serves besides loopback ones.
#[derive(Debug)]
pub(crate) struct Hosts {
    /// The address it listens on, unless that is 0.0.0.0 or `::` (nobody's name).
    listen: Option<IpAddr>,
    /// Names allowed explicitly, as [`host_name`] gives them.
    allowed: Vec<String>,
}

impl Hosts {
    pub(crate) fn new(listen: IpAddr, allowed: &[String]) -> Hosts {
        Hosts {
            listen: (!listen.is_unspecified()).then_some(listen),
            allowed: allowed.iter().map(|a| host_name(a)).collect(),
        }
    }

    /// Whether a request whose `Host` header is `host` is served.
    fn serves(&self, host: &str) -> bool {
        let name = host_name(host);
        if name == "localhost" || self.allowed.contains(&name) {
            return true;
        }
        name.parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || Some(ip) == self.listen)
    }
}

/// The host of a `Host` header (or of an allowed name), lower-case, without port or
/// brackets: `[::1]:8087` gives `::1`, `Mock:80` gives `mock`.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.parse::<IpAddr>().is_ok() {
        host
    } else if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.to_ascii_lowercase()
}

/// Middleware, outermost on every route: refuses a request for a `Host` the fake does not
/// serve, with 421 Misdirected Request.
pub(crate) async fn check_host(
    State(hosts): State<Arc<Hosts>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
    match host {
        Some(h) if hosts.serves(h) => next.run(req).await,
        Some(h) => error(
            421,
            "MISDIRECTED_REQUEST",
            &format!(
                "this fake serves loopback hosts only, not {:?}; sigsentry-mock --allow-host \
                 NAME serves another name",
                host_name(h)
            ),
        ),
        None => error(421, "MISDIRECTED_REQUEST", "the request names no Host"),
    }
}

/// Middleware on the admin routes: refuses what a browser sends (403 for an `Origin`, 415
/// for a POST, PUT or PATCH whose body is not `application/json`).
pub(crate) async fn refuse_browsers(req: Request, next: Next) -> Response {
    if req.headers().contains_key(ORIGIN) {
        return error(
            403,
            "FORBIDDEN",
            "the admin routes do not serve browsers (the request has an Origin header)",
        );
    }
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH);
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if writes && !json {
        return error(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "admin writes take a JSON body with Content-Type: application/json",
        );
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_the_listen_address_and_allowed_names_are_served() {
        let hosts = Hosts::new("10.0.0.5".parse().unwrap(), &["Mock".into()]);
        for host in [
            "localhost",
            "LocalHost:8087",
            "127.0.0.1",
            "127.0.0.1:8087",
            "[::1]:8087",
            "[::1]",
            "10.0.0.5:8087",
            "mock",
            "mock:8087",
        ] {
            assert!(hosts.serves(host), "{host}");
        }
        for host in [
            "rebind.attacker.example:8087",
            "localhost.attacker.example",
            "mock.attacker.example",
            "10.0.0.6:8087",
            "127.0.0.1.nip.io",
            "",
        ] {
            assert!(!hosts.serves(host), "{host}");
        }
    }

    #[test]
    fn an_unspecified_listen_address_is_no_one_s_name() {
        let hosts = Hosts::new("0.0.0.0".parse().unwrap(), &[]);
        assert!(!hosts.serves("0.0.0.0:8087"));
        assert!(hosts.serves("127.0.0.1:8087"));
    }

    /// The status `refuse_browsers` lets through or answers for `method` with `headers`.
    async fn admin_status(method: &str, headers: &[(&str, &str)]) -> u16 {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route("/", axum::routing::any(|| async { "served" }))
            .layer(axum::middleware::from_fn(refuse_browsers));
        let mut req = Request::builder().method(method).uri("/");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(axum::body::Body::empty()).unwrap();
        app.oneshot(req).await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn admin_routes_refuse_an_origin_and_writes_that_are_not_json() {
        let json = ("content-type", "application/json; charset=utf-8");
        let origin = ("origin", "https://attacker.example");
        assert_eq!(admin_status("GET", &[]).await, 200);
        assert_eq!(admin_status("POST", &[json]).await, 200);
        assert_eq!(admin_status("DELETE", &[]).await, 200);
        assert_eq!(admin_status("GET", &[origin]).await, 403);
        assert_eq!(admin_status("POST", &[json, origin]).await, 403);
        for form in ["text/plain", "application/x-www-form-urlencoded"] {
            assert_eq!(admin_status("POST", &[("content-type", form)]).await, 415);
        }
        assert_eq!(admin_status("PUT", &[]).await, 415);
        assert_eq!(admin_status("PATCH", &[]).await, 415);
    }

    #[test]
    fn host_names_lose_their_port_and_brackets() {
        assert_eq!(host_name("[::1]:8087"), "::1");
        assert_eq!(host_name("::1"), "::1");
        assert_eq!(host_name("Mock:80"), "mock");
        assert_eq!(host_name("mock"), "mock");
    }
}
