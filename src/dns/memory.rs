//! An in-memory resolver: the answers of zone files, of test fixtures and of conformance suites.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::name::check_text;
use super::{
    normalize_name, normalized, Answer, DnsError, Record, RecordData, RecordType, Resolver,
};

/// CNAME chains longer than this are treated as a loop (resolvers commonly stop near 8–16).
const MAX_CNAME_CHAIN: usize = 16;

/// The records of one owner name, by type. Shared with the answers handed out, so that an
/// answer costs a reference count rather than a copy of every record (the SPF benchmark asks
/// for the same few records over and over).
type RecordSets = BTreeMap<RecordType, Arc<[Record]>>;

/// Answers from records held in memory.
///
/// A name that has records of some type answers NODATA for the others; a name with none answers
/// NXDOMAIN, unless it is an empty non-terminal (a parent of a name that has records), which
/// answers NODATA as RFC 8020 requires, or a wildcard (`*.example.com`) covers it (RFC 4592). Names can also be made to fail with a given error, which is
/// how the SPF suite's `TIMEOUT` entries are served.
#[derive(Debug, Clone, Default)]
pub struct MemoryResolver {
    /// Every name that exists, lower case without the trailing dot: owners of records, and
    /// their parents (empty non-terminals, with no records).
    names: HashMap<String, RecordSets, BuildHasherDefault<NameHasher>>,
    failures: HashMap<String, DnsError>,
    authenticated: bool,
    /// Apexes of signed subtrees (`$SIGNED` in a zone file): answers whose every owner is at or
    /// below one of them carry the AD flag.
    signed: HashSet<String>,
}

/// The hash of the owner names: FxHash (rustc's, eight bytes a step) rather than std's SipHash,
/// which cost a fifth of each lookup, names being hashed on every one (SPF's benchmark makes
/// ten). SipHash's keys guard against names chosen to collide; the names here are the zone's
/// own, given by whoever runs the analysis, and one who wants a slow zone can make a large one.
#[derive(Default, Clone, Copy)]
struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            self.add(u64::from_le_bytes(eight));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut eight = [0u8; 8];
            // `rest` is shorter than eight bytes (the remainder of `chunks_exact(8)`).
            eight[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(eight));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        // The multiply mixes upwards; hashbrown takes the bucket from the low bits.
        self.0.rotate_left(26)
    }
}

impl MemoryResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record under its owner name.
    pub fn insert(&mut self, name: &str, ttl: u32, data: RecordData) {
        let name = normalize_name(name);
        self.add_parents(&name);
        let record_type = data.record_type();
        let sets = self.names.entry(name.clone()).or_default();
        let set = sets.entry(record_type).or_insert_with(|| Arc::new([]));
        // Copies the set to grow it: a name holds a handful of records of one type, and
        // answering (which only shares the set) is what has to be cheap.
        let mut records = set.to_vec();
        records.push(Record { name, ttl, data });
        *set = records.into();
    }

    /// Makes every lookup of `name` (any type) fail with `error`.
    pub fn insert_failure(&mut self, name: &str, error: DnsError) {
        self.failures.insert(normalize_name(name), error);
    }

    /// Sets the AD flag on every answer, as a validating resolver would for a signed zone.
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.authenticated = authenticated;
    }

    /// Sets the AD flag on answers for `name` and every name below it, as a validating
    /// resolver would for a signed zone. An answer reached through CNAMEs is authenticated only
    /// when every name of the chain is: one unsigned link is enough for a forger (RFC 4035
    /// §4.3, "insecure" data taints what follows from it).
    pub fn insert_signed(&mut self, name: &str) {
        self.signed.insert(normalize_name(name));
    }

    /// Whether `name` is at or below a signed apex.
    fn is_signed(&self, name: &str) -> bool {
        if self.signed.is_empty() {
            return false;
        }
        let mut rest = name;
        loop {
            if self.signed.contains(rest) {
                return true;
            }
            match rest.split_once('.') {
                Some((_, parent)) => rest = parent,
                // The root, written as the empty name, signs everything.
                None => return self.signed.contains(""),
            }
        }
    }

    /// Every record held, in no particular order.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.names
            .values()
            .flat_map(BTreeMap::values)
            .flat_map(|set| set.iter())
    }

    /// The SOA record of the closest enclosing zone of `name`, for the authority section of a
    /// negative answer (RFC 2308 §3).
    pub fn closest_soa(&self, name: &str) -> Option<&Record> {
        let name = normalized(name);
        let mut rest = &*name;
        loop {
            if let Some(record) = self
                .names
                .get(rest)
                .and_then(|sets| sets.get(&RecordType::Soa))
                .and_then(|records| records.first())
            {
                return Some(record);
            }
            match rest.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => return None,
            }
        }
    }

    /// Makes the parents of `name` exist, as empty non-terminals unless they have records.
    fn add_parents(&mut self, name: &str) {
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if parent.is_empty() {
                break;
            }
            if !self.names.contains_key(parent) {
                self.names.insert(parent.to_string(), RecordSets::new());
            }
            rest = parent;
        }
    }

    /// Answers synchronously; the async trait method wraps this.
    pub fn answer(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        let mut name = normalized(name);
        // The same check the DoH resolvers make before asking, so that offline and online
        // analyses agree on names no server could hold.
        if let Err(error) = check_text(&name) {
            return Err(DnsError::InvalidName(error.to_string()));
        }
        let mut cnames = Vec::new();
        let mut chain_signed = true;
        loop {
            chain_signed &= self.is_signed(&name);
            if let Some(error) = self.failures.get(&*name) {
                return Err(error.clone());
            }
            let Some((owner, sets)) = self.owner_answering(&name) else {
                return Err(DnsError::NxDomain);
            };
            if let Some(records) = sets.get(&record_type) {
                return Ok(Answer {
                    records: as_asked(records, owner, &name),
                    cnames,
                    authenticated: self.authenticated || chain_signed,
                });
            }
            let cname = sets
                .get(&RecordType::Cname)
                .and_then(|records| records.first());
            let Some(record) = cname.filter(|_| record_type != RecordType::Cname) else {
                return Err(DnsError::NoData);
            };
            if cnames.len() >= MAX_CNAME_CHAIN {
                return Err(DnsError::ServFail);
            }
            let RecordData::Cname { target } = &record.data else {
                // Only CNAME data is ever stored under the CNAME type (see `insert`).
                return Err(DnsError::ServFail);
            };
            cnames.push(Record {
                name: name.into_owned(),
                ttl: record.ttl,
                data: record.data.clone(),
            });
            name = normalized(target);
        }
    }

    /// The owner whose records answer for `name`, and its records: the name itself if it exists
    /// (has records or is an empty non-terminal), otherwise the wildcard `*.<closest encloser>`
    /// if that exists (RFC 4592 §3.3.1), otherwise none: NXDOMAIN.
    fn owner_answering(&self, name: &str) -> Option<(&str, &RecordSets)> {
        let found = |owner: &str| {
            self.names
                .get_key_value(owner)
                .map(|(owner, sets)| (owner.as_str(), sets))
        };
        if let Some(exact) = found(name) {
            return Some(exact);
        }
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if self.names.contains_key(parent) {
                return found(&format!("*.{parent}"));
            }
            rest = parent;
        }
        // The root is every name's encloser.
        found("*")
    }
}

/// The records of `owner` as the answer for `name`: shared as they are when `name` is their
/// owner; records from a wildcard take the name asked for as their owner (RFC 4592 §3.3.1).
fn as_asked(records: &Arc<[Record]>, owner: &str, name: &str) -> Arc<[Record]> {
    if owner == name {
        return Arc::clone(records);
    }
    records
        .iter()
        .map(|record| Record {
            name: name.to_string(),
            ttl: record.ttl,
            data: record.data.clone(),
        })
        .collect()
}

impl Resolver for MemoryResolver {
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        self.answer(name, record_type)
    }
}

/// No DNS at all (the page's `doh: "off"`): every lookup is answered as an empty
/// [`MemoryResolver`] answers it, a name no server could hold refused as the DoH resolvers
/// refuse it and any other one NXDOMAIN, without the zone's tables in the page's module.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoDns;

impl Resolver for NoDns {
    async fn lookup(&self, name: &str, _: RecordType) -> Result<Answer, DnsError> {
        check_text(&normalized(name)).map_err(|error| DnsError::InvalidName(error.to_string()))?;
        Err(DnsError::NxDomain)
    }
}
