//! mail-auth's TXT cache as the benches give it: the record text, parsed on every lookup, as
//! mailspect's in-memory resolver (and any real DNS answer) makes mailspect parse it. It holds
//! the whole zone: a name it lacks answers NXDOMAIN, as the in-memory resolver does, rather
//! than sending mail-auth to the network.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;

use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::{DnsError, ResolverCache, Txt};

pub struct RawTxtCache {
    /// Names in mail-auth's form (with the trailing dot), and their record text.
    pub records: HashMap<Box<str>, Vec<u8>>,
    /// Parses a record by its name: a DKIM key, an SPF or a DMARC record.
    pub parse: fn(&str, &[u8]) -> Txt,
}

impl RawTxtCache {
    /// A cache of `(name, text)` pairs, names without the trailing dot.
    pub fn new<'a>(
        records: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        parse: fn(&str, &[u8]) -> Txt,
    ) -> Self {
        let records = records
            .into_iter()
            .map(|(name, text)| (format!("{name}.").into_boxed_str(), text.to_vec()))
            .collect();
        RawTxtCache { records, parse }
    }
}

impl ResolverCache<Box<str>, Txt> for RawTxtCache {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        Some(match self.records.get_key_value(name) {
            Some((name, record)) => (self.parse)(name, record),
            None => Txt::Error(mail_auth::Error::Dns(DnsError::RecordNotFound(
                ResponseCode::NXDomain,
            ))),
        })
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: Txt, _: Instant) {}
}
