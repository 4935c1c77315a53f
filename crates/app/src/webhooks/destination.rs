//! Which webhook URLs OKPay will POST to.
//!
//! A merchant chooses the URL, so without checks it could point OKPay's servers at their own
//! internal network (server-side request forgery). URLs must be `http` or `https` with a host,
//! and every address the host resolves to must be public, unless
//! `webhook_allow_private_networks` is on (tests and local development). The worker checks the
//! addresses again when it connects (see [`super::sender`]), so a DNS answer that changes after
//! the URL was saved does not get through either.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use reqwest::Url;

use crate::error::{AppError, Code};

/// Longest webhook URL accepted.
pub const MAX_URL_CHARS: usize = 2048;

/// The parameter named in errors.
const PARAM: &str = "webhook_url";

/// Checks the form of a webhook URL (no network): `http(s)://host...`, no credentials.
pub fn parse(raw: &str) -> Result<Url, AppError> {
    let invalid = |reason| AppError::new(Code::InvalidWebhookUrl).param(PARAM).reason(reason);
    if raw.len() > MAX_URL_CHARS {
        return Err(invalid("url_too_long"));
    }
    let url = Url::parse(raw.trim()).map_err(|_| invalid("url_malformed"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("url_not_http"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("url_malformed"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("url_has_credentials"));
    }
    Ok(url)
}

/// Checks a webhook URL fully: its form, then that its host resolves, only to public
/// addresses unless `allow_private`.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, AppError> {
    let url = parse(raw)?;
    let invalid = |reason| AppError::new(Code::InvalidWebhookUrl).param(PARAM).reason(reason);
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match url.host() {
        Some(::url::Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(::url::Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(::url::Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            Err(_) => return Err(invalid("url_unresolvable")),
        },
        None => return Err(invalid("url_malformed")),
    };
    if addrs.is_empty() {
        return Err(invalid("url_unresolvable"));
    }
    if !allow_private && addrs.iter().any(|ip| !is_public(*ip)) {
        return Err(invalid("url_private_address"));
    }
    Ok(url)
}

/// Whether OKPay may send a webhook to `ip` when private networks are not allowed: not
/// loopback, private, link-local, unspecified, shared (CGNAT), broadcast, multicast or
/// documentation space, nor an IPv6 form of one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (RFC 6598)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking (RFC 2544)
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4) && first == 0)) // IPv4-compatible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(r: Result<Url, AppError>) -> Option<&'static str> {
        r.err().and_then(|e| {
            assert_eq!((e.code, e.param.as_deref()), (Code::InvalidWebhookUrl, Some("webhook_url")));
            e.reason
        })
    }

    #[test]
    fn only_http_urls_with_a_host() {
        assert!(parse("https://shop.example.com/hooks/okpay").is_ok());
        assert!(parse("http://shop.example.com:8080/h").is_ok());
        assert_eq!(reason(parse("ftp://shop.example.com/h")), Some("url_not_http"));
        assert_eq!(reason(parse("file:///etc/passwd")), Some("url_not_http"));
        assert_eq!(reason(parse("not a url")), Some("url_malformed"));
        assert_eq!(reason(parse("https://user:pw@shop.example.com/")), Some("url_has_credentials"));
        assert_eq!(reason(parse(&format!("https://a.example/{}", "x".repeat(3000)))), Some("url_too_long"));
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
        ] {
            assert!(!is_public(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))), "{ip} is not public");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))), "{ip} is public");
        }
    }

    #[tokio::test]
    async fn literal_private_addresses_are_refused_unless_allowed() {
        assert_eq!(reason(check("http://10.0.0.1/hook", false).await), Some("url_private_address"));
        assert_eq!(reason(check("http://[::1]:9000/hook", false).await), Some("url_private_address"));
        assert_eq!(reason(check("http://localhost:9000/hook", false).await), Some("url_private_address"));
        assert!(check("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(check("http://93.184.216.34/hook", false).await.is_ok());
    }
}
