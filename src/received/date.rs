//! Dates as Received stamps write them: RFC 5322 §3.3 `date-time`, plus the obsolete and broken
//! forms seen in the wild (two-digit years, zone names, no zone, asctime order, fractions of a
//! second). Each tolerance used is named, so the report can say the date was malformed.

/// A date that could be read, and what had to be tolerated to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate {
    /// Seconds since the Unix epoch.
    pub timestamp: i64,
    /// What did not follow RFC 5322 §3.3, in plain words; empty for a well-formed date.
    pub tolerated: Vec<&'static str>,
}

/// What [`ParsedDate::tolerated`] says of a date that names no zone, which is then read as UTC.
pub const NO_ZONE: &str = "no time zone (read as UTC)";

/// Reads a date-time.
///
/// `date-time = [ day-of-week "," ] date time [CFWS]`, `date = day month year`,
/// `time = time-of-day zone`, `zone = (FWS ( "+" / "-" ) 4DIGIT)` (RFC 5322 §3.3), with
/// `obs-zone` names (§4.3). Returns `None` when no day, month, year and time can be found.
pub fn parse_date(text: &str) -> Option<ParsedDate> {
    let mut tolerated = Vec::new();
    let (mut day, mut month, mut year, mut time, mut zone) = (None, None, None, None, None);
    let mut asctime = false;
    for word in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| !word.is_empty())
        .take(16)
    {
        if let Some((iso_year, iso_month, iso_day, rest)) = iso_date(word) {
            tolerated.push("an ISO 8601 date");
            (year, month, day) = (Some(iso_year), Some(iso_month), Some(iso_day));
            if !rest.is_empty() {
                let (clock, offset) = split_iso_zone(rest);
                time = Some(time_of_day(clock, &mut tolerated)?);
                if let Some(offset) = offset {
                    zone = Some(zone_offset(offset, &mut tolerated)?);
                }
            }
        } else if let Some(number) = month_number(word) {
            if day.is_none() {
                asctime = true;
            }
            month = Some(number);
        } else if let Some(offset) = zone_offset(word, &mut tolerated) {
            zone = Some(offset);
        } else if word.contains(':') && time.is_none() {
            time = Some(time_of_day(word, &mut tolerated)?);
        } else if word.bytes().all(|b| b.is_ascii_digit()) {
            let number: i64 = word.parse().ok()?;
            if day.is_none() && word.len() <= 2 {
                day = Some(number);
            } else if year.is_none() {
                year = Some(full_year(number, word.len(), &mut tolerated));
            }
        } else if !is_day_name(word) {
            tolerated.push("words that are not part of a date");
        }
    }
    if asctime && !tolerated.contains(&"an ISO 8601 date") {
        tolerated.push("the month before the day, as C's asctime writes dates");
    }
    let (day, month, year, (hour, minute, second)) = (day?, month?, year?, time?);
    // Bounds keep the arithmetic below far from overflow on hostile years.
    if !(1900..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
    {
        return None;
    }
    let zone = zone.unwrap_or_else(|| {
        tolerated.push(NO_ZONE);
        0
    });
    let days = days_from_civil(year, month, day);
    Some(ParsedDate {
        timestamp: days * 86_400 + hour * 3600 + minute * 60 + second - zone,
        tolerated,
    })
}

/// `YYYY-MM-DD[Thh:mm:ss…]` (RFC 3339 §5.6): the date and what follows the `T`.
fn iso_date(word: &str) -> Option<(i64, i64, i64, &str)> {
    let (date, rest) = match word.split_once(['T', 't']) {
        Some((date, rest)) => (date, rest),
        None => (word, ""),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    Some((
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
        rest,
    ))
}

/// `12:00:00Z`, `12:00:00+01:00` → the clock and the zone (`Z` as `+0000`).
fn split_iso_zone(rest: &str) -> (&str, Option<&str>) {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return (clock, Some("+0000"));
    }
    match rest.rfind(['+', '-']) {
        Some(at) => (rest.get(..at).unwrap_or(rest), rest.get(at..)),
        None => (rest, None),
    }
}

/// `time-of-day = hour ":" minute [ ":" second ]`, each two digits; a fraction of a second is
/// tolerated and dropped.
fn time_of_day(word: &str, tolerated: &mut Vec<&'static str>) -> Option<(i64, i64, i64)> {
    let mut parts = word.split(':');
    let hour: i64 = parts.next()?.parse().ok()?;
    let minute: i64 = parts.next()?.parse().ok()?;
    let second = match parts.next() {
        Some(second) => {
            let whole = match second.split_once('.') {
                Some((whole, _)) => {
                    tolerated.push("a fraction of a second");
                    whole
                }
                None => second,
            };
            whole.parse::<i64>().ok()?
        }
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // A leap second (`:60`) is allowed by RFC 5322 §3.3 and counted as :59.
    Some((hour, minute, second.min(59)))
}

/// The zone offset in seconds east of UTC.
fn zone_offset(word: &str, tolerated: &mut Vec<&'static str>) -> Option<i64> {
    // `+01:00`, as some software writes, is read as `+0100`.
    let colon_free;
    let word = match (word.len(), word.get(3..4)) {
        (6, Some(":")) if word.starts_with(['+', '-']) => {
            tolerated.push("a colon in the zone offset");
            colon_free = word.replacen(':', "", 1);
            colon_free.as_str()
        }
        _ => word,
    };
    let bytes = word.as_bytes();
    if let (Some(sign @ (b'+' | b'-')), 5) = (bytes.first(), bytes.len()) {
        let digits = word.get(1..)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let hours: i64 = digits.get(..2)?.parse().ok()?;
        let minutes: i64 = digits.get(2..)?.parse().ok()?;
        // "the last two digits of the zone ... MUST be within 00 and 59" (RFC 5322 §3.3).
        if minutes > 59 {
            return None;
        }
        let offset = hours * 3600 + minutes * 60;
        return Some(if *sign == b'-' { -offset } else { offset });
    }
    // obs-zone (RFC 5322 §4.3); military letters "SHOULD all be considered equivalent to -0000".
    let hours = match word.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    };
    tolerated.push("a zone name instead of a numeric offset");
    Some(hours * 3600)
}

/// `obs-year`: two-digit years below 50 are 20xx, others and three-digit years are 19xx
/// (RFC 5322 §4.3).
fn full_year(number: i64, digits: usize, tolerated: &mut Vec<&'static str>) -> i64 {
    match digits {
        1..=2 => {
            tolerated.push("a two-digit year");
            if number < 50 {
                2000 + number
            } else {
                1900 + number
            }
        }
        3 => {
            tolerated.push("a three-digit year");
            1900 + number
        }
        _ => number,
    }
}

fn month_number(word: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = word.to_ascii_lowercase();
    let prefix = lower.get(..3)?;
    let index = MONTHS.iter().position(|month| *month == prefix)?;
    // "March", "Sept": a full or longer name must still be a month, not any word starting so.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let full = FULL.get(index)?;
    (lower.len() == 3 || full.starts_with(&lower) || lower == "sept").then_some(index as i64 + 1)
}

fn is_day_name(word: &str) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let lower = word.to_ascii_lowercase();
    lower
        .get(..3)
        .is_some_and(|prefix| DAYS.contains(&prefix) && lower.len() <= 9)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
