//! Who a budget belongs to ([`ClientKey`]) and the bounded map of their states ([`BoundedStore`]).
//!
//! Memory is bounded twice: the sweeper drops clients whose budget is full again (their state
//! is indistinguishable from a newcomer's), and the map never holds more than its capacity.
//! Once full, clients it does not know yet share one [`ClientKey::Overflow`] budget until a
//! sweep makes room: under a flood from more addresses than the capacity, newcomers are
//! limited together while every client already tracked keeps its own budget.

use std::hash::Hash;
use std::net::IpAddr;

use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::{DashMapStateStore, ShrinkableKeyedStateStore};

/// The client a budget is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An IPv4 address (IPv4-mapped IPv6 addresses count as IPv4).
    V4([u8; 4]),
    /// The /64 network of an IPv6 address: one host or home usually owns a whole /64, so
    /// counting single addresses would let it rotate through 2^64 budgets.
    V6([u8; 8]),
    /// Every client seen while the map was full.
    Overflow,
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> ClientKey {
        match ip.to_canonical() {
            IpAddr::V4(v4) => ClientKey::V4(v4.octets()),
            IpAddr::V6(v6) => {
                let o = v6.octets();
                ClientKey::V6([o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]])
            }
        }
    }
}

/// A governor state store holding at most `capacity` clients (plus the overflow key).
#[derive(Debug)]
pub struct BoundedStore {
    map: DashMapStateStore<ClientKey>,
    capacity: usize,
}

impl BoundedStore {
    /// An empty store for at most `capacity` clients (at least 1).
    pub fn new(capacity: usize) -> BoundedStore {
        BoundedStore { map: DashMapStateStore::default(), capacity: capacity.max(1) }
    }

    /// The key whose budget `key` is counted against now.
    fn slot<'a>(&self, key: &'a ClientKey) -> &'a ClientKey {
        if self.map.contains_key(key) || self.map.len() < self.capacity { key } else { &ClientKey::Overflow }
    }
}

impl StateStore for BoundedStore {
    type Key = ClientKey;

    fn measure_and_replace<T, F, E>(&self, key: &ClientKey, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        self.map.measure_and_replace(self.slot(key), f)
    }
}

impl ShrinkableKeyedStateStore<ClientKey> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        self.map.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&self.map);
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    #[test]
    fn keys_by_address_and_ipv6_network() {
        let v4 = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        assert_eq!(ClientKey::from(v4), ClientKey::V4([192, 0, 2, 7]));
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped());
        assert_eq!(ClientKey::from(mapped), ClientKey::from(v4));
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(ClientKey::from(a), ClientKey::from(b), "same /64");
        assert_ne!(ClientKey::from(a), ClientKey::from(c), "another /64");
    }
}
