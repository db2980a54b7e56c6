//! An in-memory resolver: the answers of zone files, of test fixtures and of conformance suites.

use std::collections::{HashMap, HashSet};

use super::name::labels_from_text;
use super::{normalize_name, Answer, DnsError, Record, RecordData, RecordType, Resolver};

/// CNAME chains longer than this are treated as a loop (resolvers commonly stop near 8–16).
const MAX_CNAME_CHAIN: usize = 16;

/// Answers from records held in memory.
///
/// A name that has records of some type answers NODATA for the others; a name with none answers
/// NXDOMAIN, unless it is an empty non-terminal (a parent of a name that has records), which
/// answers NODATA as RFC 8020 requires, or a wildcard (`*.example.com`) covers it (RFC 4592). Names can also be made to fail with a given error, which is
/// how the SPF suite's `TIMEOUT` entries are served.
#[derive(Debug, Clone, Default)]
pub struct MemoryResolver {
    records: HashMap<(String, RecordType), Vec<Record>>,
    names: HashSet<String>,
    failures: HashMap<String, DnsError>,
    authenticated: bool,
}

impl MemoryResolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record under its owner name.
    pub fn insert(&mut self, name: &str, ttl: u32, data: RecordData) {
        let name = normalize_name(name);
        self.add_name_and_parents(&name);
        let key = (name.clone(), data.record_type());
        self.records
            .entry(key)
            .or_default()
            .push(Record { name, ttl, data });
    }

    /// Makes every lookup of `name` (any type) fail with `error`.
    pub fn insert_failure(&mut self, name: &str, error: DnsError) {
        self.failures.insert(normalize_name(name), error);
    }

    /// Sets the AD flag on every answer, as a validating resolver would for a signed zone.
    pub fn set_authenticated(&mut self, authenticated: bool) {
        self.authenticated = authenticated;
    }

    /// Every record held, in no particular order.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values().flatten()
    }

    /// The SOA record of the closest enclosing zone of `name`, for the authority section of a
    /// negative answer (RFC 2308 §3).
    pub fn closest_soa(&self, name: &str) -> Option<&Record> {
        let name = normalize_name(name);
        let mut rest = name.as_str();
        loop {
            if let Some(record) = self
                .records
                .get(&(rest.to_string(), RecordType::Soa))
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

    fn add_name_and_parents(&mut self, name: &str) {
        let mut rest = name;
        loop {
            self.names.insert(rest.to_string());
            match rest.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => break,
            }
        }
    }

    /// Answers synchronously; the async trait method wraps this.
    pub fn answer(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        let mut name = normalize_name(name);
        // The same check the DoH resolvers make before asking, so that offline and online
        // analyses agree on names no server could hold.
        if let Err(error) = labels_from_text(&name) {
            return Err(DnsError::InvalidName(error.to_string()));
        }
        let mut cnames = Vec::new();
        loop {
            if let Some(error) = self.failures.get(&name) {
                return Err(error.clone());
            }
            let Some(owner) = self.owner_answering(&name) else {
                return Err(DnsError::NxDomain);
            };
            // Records from a wildcard take the name asked for as their owner (RFC 4592 §3.3.1).
            let as_asked = |record: &Record| Record {
                name: name.clone(),
                ..record.clone()
            };
            if let Some(records) = self.records.get(&(owner.clone(), record_type)) {
                return Ok(Answer {
                    records: records.iter().map(as_asked).collect(),
                    cnames,
                    authenticated: self.authenticated,
                });
            }
            let cname = self
                .records
                .get(&(owner, RecordType::Cname))
                .and_then(|records| records.first());
            let Some(record) = cname.filter(|_| record_type != RecordType::Cname) else {
                return Err(DnsError::NoData);
            };
            if cnames.len() >= MAX_CNAME_CHAIN {
                return Err(DnsError::ServFail);
            }
            let RecordData::Cname { target } = &record.data else {
                // Only CNAME data is ever stored under the CNAME key (see `insert`).
                return Err(DnsError::ServFail);
            };
            let target = normalize_name(target);
            cnames.push(as_asked(record));
            name = target;
        }
    }

    /// The owner whose records answer for `name`: the name itself if it exists (has records or
    /// is an empty non-terminal), otherwise the wildcard `*.<closest encloser>` if that exists
    /// (RFC 4592 §3.3.1), otherwise none: NXDOMAIN.
    fn owner_answering(&self, name: &str) -> Option<String> {
        if self.names.contains(name) {
            return Some(name.to_string());
        }
        let mut rest = name;
        while let Some((_, parent)) = rest.split_once('.') {
            if self.names.contains(parent) {
                let wildcard = format!("*.{parent}");
                return self.names.contains(&wildcard).then_some(wildcard);
            }
            rest = parent;
        }
        // The root is every name's encloser.
        self.names.contains("*").then(|| "*".to_string())
    }
}

impl Resolver for MemoryResolver {
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Answer, DnsError> {
        self.answer(name, record_type)
    }
}
