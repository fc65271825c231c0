//! Fetching an Open311 `media_url`: the server makes a request on behalf of a client, so
//! it must not become a probe of its own network (SSRF).
//!
//! Only hosts on the API key's allow-list are fetched. The host name is resolved once,
//! every address it resolves to must be public (not loopback, private, link-local,
//! unspecified, multicast, documentation or otherwise reserved, in IPv4 and IPv6, also
//! when an IPv4 address hides in an IPv6 one), the port must be 80 or 443, and the
//! request goes to exactly the address that was checked (no second lookup, no proxy, no
//! redirects). Whatever fails, the client gets one and the same answer; the reason is
//! logged only, so that the answers cannot tell the services behind the server apart.
//!
//! One address and port can be exempted (`photos.media_url_exempt`): an intranet photo
//! server, and the tests, which serve photos on 127.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{StatusCode, header};

use super::{Format, Open311Error};

/// Largest photo fetched from a `media_url`.
const MAX_MEDIA_URL_BYTES: usize = 15 * 1024 * 1024;

/// The ports a `media_url` may use.
const ALLOWED_PORTS: [u16; 2] = [80, 443];

/// The one answer to every failed fetch.
pub const FETCH_FAILED: &str = "media_url could not be fetched as a JPEG, PNG or WebP photo";

/// Why a fetch failed; logged, never told to the client.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("port {0} is not allowed")]
    Port(u16),
    #[error("the host cannot be resolved: {0}")]
    Resolve(String),
    #[error("the host resolves to a non-public address {0}")]
    NotPublic(IpAddr),
    #[error("request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("answered {0}")]
    Status(StatusCode),
    #[error("not an image: {0}")]
    ContentType(String),
    #[error("larger than {MAX_MEDIA_URL_BYTES} bytes")]
    TooLarge,
}

/// Fetches a `media_url` if the key allows its host; `Ok(None)` when it may not be fetched.
pub(super) async fn fetch_media(
    url: &str,
    allowed: &[String],
    exempt: Option<SocketAddr>,
    format: Format,
) -> super::Result<Option<Bytes>> {
    let bad = |what: &str| Open311Error::new(StatusCode::BAD_REQUEST, format, what);
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Err(bad("media_url is not a URL"));
    };
    let host = parsed.host_str().unwrap_or("").to_ascii_lowercase();
    if !matches!(parsed.scheme(), "http" | "https") || !allowed.contains(&host) {
        return Ok(None);
    }
    match fetch_checked(&parsed, &host, exempt).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(reason) => {
            tracing::info!(%host, %reason, "media_url not fetched");
            Err(bad(FETCH_FAILED))
        }
    }
}

async fn fetch_checked(url: &reqwest::Url, host: &str, exempt: Option<SocketAddr>) -> Result<Bytes, FetchError> {
    let port = url.port_or_known_default().unwrap_or(0);
    // An IPv6 literal comes with brackets in the URL.
    let literal = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok();
    let addresses: Vec<SocketAddr> = match literal {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| FetchError::Resolve("timed out".into()))?
            .map_err(|e| FetchError::Resolve(e.to_string()))?
            .collect(),
    };
    let target = choose_target(&addresses, exempt)?;
    let mut client = reqwest::Client::builder()
        // A proxy would resolve the name again, elsewhere.
        .no_proxy()
        // A redirect could lead anywhere; only the checked address is fetched.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15));
    if literal.is_none() {
        // Connect to the address that was checked, not to a second lookup's answer.
        client = client.resolve(host, target);
    }
    let client = client.build()?;
    let mut response = client.get(url.clone()).send().await?;
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status()));
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !["image/jpeg", "image/png", "image/webp"]
        .iter()
        .any(|t| content_type.starts_with(t))
    {
        return Err(FetchError::ContentType(content_type));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_MEDIA_URL_BYTES {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// The address to connect to: the exempted one, or, when every address the name
/// resolves to is public and the port is 80 or 443, the first of them. One non-public
/// address refuses the whole name (it could be picked on the next connection).
fn choose_target(addresses: &[SocketAddr], exempt: Option<SocketAddr>) -> Result<SocketAddr, FetchError> {
    let first = *addresses
        .first()
        .ok_or_else(|| FetchError::Resolve("no address".into()))?;
    if let Some(exempt) = exempt
        && addresses.iter().all(|a| *a == exempt)
    {
        return Ok(exempt);
    }
    if !ALLOWED_PORTS.contains(&first.port()) {
        return Err(FetchError::Port(first.port()));
    }
    if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
        return Err(FetchError::NotPublic(private.ip()));
    }
    Ok(first)
}

/// Whether an address is a public unicast address on the internet: what a `media_url`
/// may reach. Everything special-purpose in the IANA registries is refused.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(
        ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || ip.is_documentation()
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || ip.is_multicast()
        || a >= 240
        // reserved, and broadcast
    )
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // An IPv4 address inside an IPv6 one is judged as that IPv4 address (mapped
    // ::ffff:a.b.c.d and NAT64 64:ff9b::/96); 6to4 (2002::/16) by the IPv4 it embeds.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return is_public_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    !(
        ip.is_unspecified()
        || ip.is_loopback()
        || s[0..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || ip.is_multicast()
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x3fff && s[1] < 0x1000) // documentation (3fff::/20)
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
        || (s[0] == 0x2001 && s[1] < 0x0200) // IETF protocol assignments (Teredo, ORCHID, benchmarking, …)
        || (s[0] == 0x0064 && s[1] == 0xff9b) // local-use NAT64 (64:ff9b:1::/48) and the rest of it
        || (s[0] & 0xe000) != 0x2000
        // outside global unicast 2000::/3
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_classification() {
        let table: &[(&str, bool)] = &[
            // IPv4
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("172.31.255.255", false),
            ("192.168.1.1", false),
            ("169.254.169.254", false), // cloud metadata
            ("100.64.0.1", false),
            ("100.127.255.255", false),
            ("192.0.0.8", false),
            ("192.0.2.1", false),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("198.18.0.1", false),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("172.32.0.1", true),
            ("100.128.0.1", true),
            ("192.169.0.1", true),
            ("141.91.0.1", true),
            // IPv6
            ("::", false),
            ("::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("::127.0.0.1", false),
            ("64:ff9b::7f00:1", false),
            ("64:ff9b::a00:1", false),
            ("2002:7f00:1::", false),
            ("2002:c0a8:101::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("fec0::1", false),
            ("ff02::1", false),
            ("2001:db8::1", false),
            ("3fff::1", false),
            ("100::1", false),
            ("2001::1", false), // Teredo
            ("2001:10::1", false),
            ("::ffff:8.8.8.8", true),
            ("64:ff9b::808:808", true),
            ("2002:808:808::1", true),
            ("2a00:1450:4001:80b::200e", true),
            ("2001:4860:4860::8888", true),
        ];
        for (text, public) in table {
            let ip: IpAddr = text.parse().expect("address");
            assert_eq!(is_public(ip), *public, "{text}");
        }
    }

    #[test]
    fn only_public_addresses_on_80_or_443_are_chosen_unless_exempted() {
        let public: SocketAddr = "8.8.8.8:443".parse().expect("addr");
        let other_port: SocketAddr = "8.8.8.8:8080".parse().expect("addr");
        let loopback: SocketAddr = "127.0.0.1:80".parse().expect("addr");
        let test_server: SocketAddr = "127.0.0.1:40123".parse().expect("addr");
        assert_eq!(choose_target(&[public], None).ok(), Some(public));
        assert!(matches!(
            choose_target(&[other_port], None),
            Err(FetchError::Port(8080))
        ));
        assert!(matches!(
            choose_target(&[loopback], None),
            Err(FetchError::NotPublic(_))
        ));
        // One private address among public ones refuses the name.
        assert!(choose_target(&[public, loopback], None).is_err());
        assert!(choose_target(&[], None).is_err());
        // The exemption is one address and port, nothing else.
        assert_eq!(choose_target(&[test_server], Some(test_server)).ok(), Some(test_server));
        assert!(choose_target(&[loopback], Some(test_server)).is_err());
        let neighbour: SocketAddr = "127.0.0.1:40124".parse().expect("addr");
        assert!(choose_target(&[neighbour], Some(test_server)).is_err());
    }
}
