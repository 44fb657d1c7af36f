//! Calendar dates and the time scale of the model (MODEL.md §2 and §6).
//!
//! Dates are parsed from the three forms the contract allows and turned into whole days since
//! 1970-01-01; the model's time is days / 30.436875 (the mean Gregorian month).

use std::fmt;

/// Days in the mean Gregorian month: 365.2425 / 12.
pub const DAYS_PER_MONTH: f64 = 30.436875;

/// A valid proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date, if it exists in the calendar (`2003-02-30` does not).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Whole days since 1970-01-01 (negative before).
    ///
    /// # Formula
    /// Howard Hinnant's `days_from_civil`: shift the year to start in March so the leap
    /// day is last, then count 146 097-day eras, years of 365 days plus leap days, and
    /// days of the (March-based) year as ⌊(153·m' + 2)/5⌋ + d − 1.
    ///
    /// # References
    /// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", 2013.
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (i64::from(self.month) + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` days after 1970-01-01 (inverse of [`Date::days_since_epoch`]).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }

    /// Parses `YYYY-MM-DD`, `DD-MM-YYYY` or `DD.MM.YYYY` (day and month with one or two
    /// digits), after trimming whitespace. The form is detected per field. A time part after
    /// the date (`T` or a space, then `HH:MM`, `HH:MM:SS` or with a fraction, as SQL, SAS and
    /// pandas write them) is ignored (MODEL.md §6).
    pub fn parse(text: &str) -> Option<Date> {
        // Byte-wise: this runs three times per row of files with millions of rows.
        let trimmed = text.trim().as_bytes();
        let bytes = match trimmed.iter().position(|&b| b == b'T' || b == b' ') {
            Some(split) if is_time_of_day(&trimmed[split + 1..]) => &trimmed[..split],
            Some(_) => return None,
            None => trimmed,
        };
        let separator = *bytes.iter().find(|b| !b.is_ascii_digit())?;
        if separator != b'-' && separator != b'.' {
            return None;
        }
        let mut groups = [0u32; 3];
        let mut lengths = [0usize; 3];
        let mut group = 0;
        for &byte in bytes {
            if byte == separator {
                group += 1;
                if group == 3 {
                    return None;
                }
            } else if byte.is_ascii_digit() {
                lengths[group] += 1;
                if lengths[group] > 4 {
                    return None;
                }
                groups[group] = groups[group] * 10 + u32::from(byte - b'0');
            } else {
                return None;
            }
        }
        if group != 2 || lengths.contains(&0) {
            return None;
        }
        let (year, month, day) = match (separator, lengths) {
            (b'-', [4, 1..=2, 1..=2]) => (groups[0], groups[1], groups[2]),
            (_, [1..=2, 1..=2, 4]) => (groups[2], groups[1], groups[0]),
            _ => return None,
        };
        Date::new(year as i32, month as u8, day as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff…` with a valid clock time.
fn is_time_of_day(bytes: &[u8]) -> bool {
    let two_digits = |b: &[u8]| b.len() == 2 && b.iter().all(u8::is_ascii_digit);
    let value = |b: &[u8]| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let (clock, fraction) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], Some(&bytes[dot + 1..])),
        None => (bytes, None),
    };
    let parts: Vec<&[u8]> = clock.split(|&b| b == b':').collect();
    let valid_clock = match parts.as_slice() {
        [hours, minutes] => {
            two_digits(hours) && two_digits(minutes) && value(hours) < 24 && value(minutes) < 60
        }
        [hours, minutes, seconds] => {
            two_digits(hours)
                && two_digits(minutes)
                && two_digits(seconds)
                && value(hours) < 24
                && value(minutes) < 60
                && value(seconds) < 61
        }
        _ => false,
    };
    let valid_fraction = fraction
        .is_none_or(|f| !f.is_empty() && parts.len() == 3 && f.iter().all(u8::is_ascii_digit));
    valid_clock && valid_fraction
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Months from `from` to `to`: whole days between the dates / 30.436875 (MODEL.md §6).
pub fn months_between(from: Date, to: Date) -> f64 {
    (to.days_since_epoch() - from.days_since_epoch()) as f64 / DAYS_PER_MONTH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms_to_the_same_date() {
        let expected = Date::new(2003, 2, 7);
        assert!(expected.is_some());
        for text in [
            "2003-02-07",
            "07-02-2003",
            "7-2-2003",
            "07.02.2003",
            "7.2.2003",
            " 2003-2-7 ",
            "2003-02-07 00:00:00",
            "2003-02-07T13:45",
            "2003-02-07 23:59:59.123456",
            "07.02.2003 08:30",
        ] {
            assert_eq!(Date::parse(text), expected, "{text}");
        }
    }

    #[test]
    fn a_time_part_must_be_a_clock_time() {
        for text in [
            "2003-02-07 25:00",
            "2003-02-07 12",
            "2003-02-07T",
            "2003-02-07 12:00:00.",
            "2003-02-07 12:00.5",
            "2003-02-07 noon",
            "2003-02-07  12:00",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn rejects_dates_that_do_not_exist_or_are_malformed() {
        for text in [
            "2003-02-30",
            "2003-13-01",
            "2003-00-10",
            "29-02-2003",
            "2003/02/07",
            "03-02-07",
            "2003-02",
            "",
            "2003-02-07-1",
            "2003-002-07",
            "2003.02.07",
            "١٢-٠٢-٢٠٠٣",
            "+3-02-2003",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
        assert!(Date::parse("29-02-2004").is_some());
        assert!(Date::parse("2000-02-29").is_some());
        assert!(Date::parse("1900-02-29").is_none());
    }

    #[test]
    fn day_numbers_round_trip_and_match_known_values() {
        assert_eq!(Date::new(1970, 1, 1).map(Date::days_since_epoch), Some(0));
        assert_eq!(
            Date::new(2000, 3, 1).map(Date::days_since_epoch),
            Some(11_017)
        );
        assert_eq!(
            Date::new(1969, 12, 31).map(Date::days_since_epoch),
            Some(-1)
        );
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
    }

    #[test]
    fn a_leap_year_is_twelve_mean_months_and_a_bit() {
        let (Some(start), Some(end)) = (Date::new(2004, 1, 1), Date::new(2005, 1, 1)) else {
            panic!("valid dates");
        };
        assert_eq!(months_between(start, end), 366.0 / DAYS_PER_MONTH);
    }
}
