//! What keeps web pages in the user's browser away from the fake, which runs on the machine
//! where people browse, accepts a well-known demo key and, with admin on, hands out stored
//! credentials.
//!
//! DNS rebinding: a page whose own name is made to resolve to 127.0.0.1 becomes same-origin
//! with the fake and can read its answers. Its requests still carry the page's name in
//! `Host`, so only loopback names and addresses, the address the fake listens on, and names
//! allowed explicitly (a container network's) are served.

use super::error;
use axum::extract::{Request, State};
use axum::http::header::HOST;
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

    #[test]
    fn host_names_lose_their_port_and_brackets() {
        assert_eq!(host_name("[::1]:8087"), "::1");
        assert_eq!(host_name("::1"), "::1");
        assert_eq!(host_name("Mock:80"), "mock");
        assert_eq!(host_name("mock"), "mock");
    }
}
