//! Who is internal, which roles may talk out, what is allowed, what is known bad.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::Path;

use kizuki_core::config::{Egress, NetConfig};

use crate::Error;

/// An IPv4 or IPv6 network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: u128,
    mask: u128,
    v4: bool,
}

impl Cidr {
    /// Parses `a.b.c.d/n`, `x::/n` or a bare address.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, len) = match s.trim().split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u32>().ok()?)),
            None => (s.trim(), None),
        };
        let ip: IpAddr = addr.parse().ok()?;
        let (v, bits, v4) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32, true),
            IpAddr::V6(a) => (u128::from(a), 128, false),
        };
        let len = len.unwrap_or(bits);
        if len > bits {
            return None;
        }
        let mask = if len == 0 {
            0
        } else {
            (u128::MAX << (128 - len)) >> (128 - bits)
        };
        Some(Cidr {
            net: v & mask,
            mask,
            v4,
        })
    }

    /// True when `ip` is inside.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4 && u128::from(u32::from(a)) & self.mask == self.net,
            IpAddr::V6(a) => !self.v4 && u128::from(a) & self.mask == self.net,
        }
    }
}

/// A compiled `[net]` section plus the threat-intelligence lists.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    internal: Vec<Cidr>,
    roles: Vec<(String, Vec<Cidr>, Egress)>,
    allow_domains: Vec<String>,
    allow_cidrs: Vec<Cidr>,
    intel_ips: HashSet<IpAddr>,
    intel_cidrs: Vec<Cidr>,
    intel_domains: HashSet<String>,
}

fn cidrs(list: &[String], key: &str) -> Result<Vec<Cidr>, Error> {
    list.iter()
        .map(|s| {
            Cidr::parse(s).ok_or_else(|| Error::Config {
                key: key.to_string(),
                message: format!("'{s}' is not an IP address or CIDR"),
            })
        })
        .collect()
}

impl Policy {
    /// Compiles the configuration and reads the intel files (IPs, CIDRs or domains, one per
    /// line, `#` comments).
    pub fn new(cfg: &NetConfig) -> Result<Policy, Error> {
        let mut p = Policy {
            internal: cidrs(&cfg.internal, "net.internal")?,
            allow_cidrs: cidrs(&cfg.allow_cidrs, "net.allow_cidrs")?,
            allow_domains: cfg
                .allow_domains
                .iter()
                .map(|d| d.trim().trim_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            ..Policy::default()
        };
        for r in &cfg.role {
            p.roles
                .push((r.name.clone(), cidrs(&r.hosts, "net.role.hosts")?, r.egress));
        }
        for f in &cfg.intel {
            p.load_intel(f)?;
        }
        Ok(p)
    }

    fn load_intel(&mut self, path: &Path) -> Result<(), Error> {
        let data = kizuki_core::io::read_file_capped(path, 64 << 20).map_err(|e| Error::Intel {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let text = String::from_utf8_lossy(&data);
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() {
                continue;
            }
            if let Ok(ip) = l.parse::<IpAddr>() {
                self.intel_ips.insert(ip);
            } else if let Some(c) = l.contains('/').then(|| Cidr::parse(l)).flatten() {
                self.intel_cidrs.push(c);
            } else {
                self.intel_domains
                    .insert(l.trim_matches('.').to_ascii_lowercase());
            }
        }
        Ok(())
    }

    /// Adds intel entries directly (tests, demo).
    pub fn add_intel(&mut self, entry: &str) {
        if let Ok(ip) = entry.parse::<IpAddr>() {
            self.intel_ips.insert(ip);
        } else {
            self.intel_domains.insert(entry.to_ascii_lowercase());
        }
    }

    /// True when `ip` is in `[net] internal`.
    pub fn is_internal(&self, ip: IpAddr) -> bool {
        self.internal.iter().any(|c| c.contains(ip))
    }

    /// True when traffic to `ip` leaves the network: not internal and not a local-scope
    /// address (loopback, link-local, multicast, broadcast, unspecified), which can never be
    /// an egress. Reserved and documentation ranges are external: they are not dropped.
    pub fn is_external(&self, ip: IpAddr) -> bool {
        if self.is_internal(ip) || ip.is_loopback() || ip.is_multicast() || ip.is_unspecified() {
            return false;
        }
        match ip {
            IpAddr::V4(a) => !(a.is_link_local() || a.is_broadcast()),
            IpAddr::V6(a) => (a.segments()[0] & 0xffc0) != 0xfe80,
        }
    }

    /// The role of `ip` whose egress is denied, if any.
    pub fn denied_role(&self, ip: IpAddr) -> Option<&str> {
        self.roles
            .iter()
            .find(|(_, hosts, e)| *e == Egress::Deny && hosts.iter().any(|c| c.contains(ip)))
            .map(|(n, _, _)| n.as_str())
    }

    /// True when `ip` is in `allow_cidrs`.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        self.allow_cidrs.iter().any(|c| c.contains(ip))
    }

    /// True when `name` is an allowed domain or below one.
    pub fn name_allowed(&self, name: &str) -> bool {
        self.allow_domains.iter().any(|d| suffix_match(name, d))
    }

    /// True when `ip` is listed as threat intel.
    pub fn intel_ip(&self, ip: IpAddr) -> bool {
        self.intel_ips.contains(&ip) || self.intel_cidrs.iter().any(|c| c.contains(ip))
    }

    /// The intel domain `name` matches (itself or a parent), if any.
    pub fn intel_name(&self, name: &str) -> Option<&str> {
        if self.intel_domains.is_empty() {
            return None;
        }
        let mut n = name.trim_end_matches('.');
        loop {
            if let Some(d) = self.intel_domains.get(n) {
                return Some(d.as_str());
            }
            match n.split_once('.') {
                Some((_, rest)) if !rest.is_empty() => n = rest,
                _ => return None,
            }
        }
    }

    /// True when there are intel domains to match.
    pub fn has_intel_domains(&self) -> bool {
        !self.intel_domains.is_empty()
    }
}

/// `name` equals `domain` or ends with `.domain` (ASCII case-insensitive).
pub fn suffix_match(name: &str, domain: &str) -> bool {
    let name = name.trim_end_matches('.');
    if name.len() < domain.len() {
        return false;
    }
    let tail = &name[name.len() - domain.len()..];
    tail.eq_ignore_ascii_case(domain)
        && (name.len() == domain.len() || name.as_bytes()[name.len() - domain.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_matching() {
        let c = Cidr::parse("10.20.0.0/24").unwrap();
        assert!(c.contains("10.20.0.15".parse().unwrap()));
        assert!(!c.contains("10.20.1.15".parse().unwrap()));
        assert!(!c.contains("::1".parse().unwrap()));
        let z = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(z.contains("8.8.8.8".parse().unwrap()));
        let v6 = Cidr::parse("fc00::/7").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
    }

    #[test]
    fn external_addresses() {
        let p = Policy::new(&NetConfig::default()).unwrap();
        for ip in [
            "203.0.113.45",
            "192.0.2.1",
            "198.18.0.1",
            "8.8.8.8",
            "2001:db8::1",
        ] {
            assert!(p.is_external(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "10.1.2.3",
            "ff02::2",
            "fe80::1",
            "224.0.0.251",
            "169.254.1.1",
            "255.255.255.255",
            "127.0.0.1",
        ] {
            assert!(!p.is_external(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn suffixes() {
        assert!(suffix_match("a.b.example.com", "example.com"));
        assert!(suffix_match("example.com.", "example.com"));
        assert!(!suffix_match("badexample.com", "example.com"));
    }
}
