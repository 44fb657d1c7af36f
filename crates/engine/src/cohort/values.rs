//! Parsing single field values: numbers, outcomes, sex (MODEL.md §1 and §6).

/// How a spell ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// At least 26 weeks of self-support began at `end_date`: an event.
    SelfSupport,
    /// Ordinary education began at `end_date`: an event.
    Education,
    /// Follow-up stopped at `end_date` without either: censored.
    None,
}

impl Outcome {
    /// Reads an outcome, trimmed and case-insensitive, in English or Danish.
    pub fn parse(text: &str) -> Option<Outcome> {
        let trimmed = text.trim();
        let is = |alias: &str| {
            // `eq_ignore_ascii_case` would miss `Ø`/`ø`; only the Danish alias needs Unicode.
            if alias.is_ascii() {
                trimmed.eq_ignore_ascii_case(alias)
            } else {
                trimmed.len() == alias.len() && trimmed.to_lowercase() == alias
            }
        };
        if is("self_support") || is("selvforsørgelse") {
            Some(Outcome::SelfSupport)
        } else if is("education") || is("uddannelse") {
            Some(Outcome::Education)
        } else if is("none") || is("ingen") {
            Some(Outcome::None)
        } else {
            None
        }
    }

    /// d_i of MODEL.md §2: 1 for self-support or education, 0 for censored.
    pub fn is_event(self) -> bool {
        !matches!(self, Outcome::None)
    }

    /// The contract's name (`self_support`, `education`, `none`).
    pub fn code(self) -> &'static str {
        match self {
            Outcome::SelfSupport => "self_support",
            Outcome::Education => "education",
            Outcome::None => "none",
        }
    }
}

/// The level of a `sex` value: `M`/`male`/`mand` → `M`, `K`/`female`/`kvinde` → `K`, anything
/// else its trimmed self (MODEL.md §6).
pub fn sex_level(text: &str) -> &str {
    let trimmed = text.trim();
    if ["m", "male", "mand"]
        .iter()
        .any(|alias| trimmed.eq_ignore_ascii_case(alias))
    {
        "M"
    } else if ["k", "female", "kvinde"]
        .iter()
        .any(|alias| trimmed.eq_ignore_ascii_case(alias))
    {
        "K"
    } else {
        trimmed
    }
}

/// Parses a number after trimming: decimal point, or a decimal comma when the field holds
/// exactly one `,` and no `.`. No thousands separators. Empty text, `nan`, `inf` and anything
/// else that is not a finite decimal number give `None`.
pub fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let is_number_char =
        |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | ',' | 'e' | 'E');
    if trimmed.is_empty() || !trimmed.chars().all(is_number_char) {
        return None;
    }
    let n_commas = trimmed.bytes().filter(|&b| b == b',').count();
    let value: f64 = if n_commas == 0 {
        trimmed.parse().ok()?
    } else if n_commas == 1 && !trimmed.contains('.') {
        // Swap the comma for a point in a stack buffer: this runs for every decimal-comma
        // field of a Danish export, and a heap allocation each time would show.
        let mut buffer = [0u8; 64];
        let bytes = trimmed.as_bytes();
        let target = buffer.get_mut(..bytes.len())?;
        for (slot, &byte) in target.iter_mut().zip(bytes) {
            *slot = if byte == b',' { b'.' } else { byte };
        }
        std::str::from_utf8(target).ok()?.parse().ok()?
    } else {
        return None;
    };
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_point_or_comma() {
        assert_eq!(parse_number(" 3.25 "), Some(3.25));
        assert_eq!(parse_number("3,25"), Some(3.25));
        assert_eq!(parse_number("-0,5"), Some(-0.5));
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        for bad in [
            "",
            " ",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "1.000,5",
            "1,000,000",
            "1 000",
            "abc",
            "0x10",
            "1e999",
            "3.2.1",
            "−3",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn outcomes_in_both_languages() {
        assert_eq!(Outcome::parse(" Self_Support "), Some(Outcome::SelfSupport));
        assert_eq!(
            Outcome::parse("SELVFORSØRGELSE"),
            Some(Outcome::SelfSupport)
        );
        assert_eq!(Outcome::parse("uddannelse"), Some(Outcome::Education));
        assert_eq!(Outcome::parse("Ingen"), Some(Outcome::None));
        assert_eq!(Outcome::parse("employed"), None);
        assert!(Outcome::Education.is_event() && !Outcome::None.is_event());
    }

    #[test]
    fn sex_aliases() {
        for (text, level) in [
            ("m", "M"),
            ("Male", "M"),
            (" mand ", "M"),
            ("K", "K"),
            ("female", "K"),
            ("Kvinde", "K"),
            (" x ", "x"),
        ] {
            assert_eq!(sex_level(text), level);
        }
    }
}
