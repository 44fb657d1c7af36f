//! Danish and English: the user-facing texts and number formats.
//!
//! Every text is a field of [`Texts`], so a translation that is missing is a compile error,
//! not a blank on screen.

/// The language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Danish, the default: the users are Danish municipal officers.
    #[default]
    Da,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and for storing the choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// Reads a stored tag; anything unknown gives `None` (the caller falls back to Danish).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Da => &DA,
            Lang::En => &EN,
        }
    }

    /// The engine's language, for its messages and number formats.
    pub fn engine(self) -> kommunebench_engine::Language {
        match self {
            Lang::Da => kommunebench_engine::Language::Danish,
            Lang::En => kommunebench_engine::Language::English,
        }
    }

    /// `value` with `decimals` digits: decimal comma in Danish, point in English (the
    /// engine's format, shared with the CLI).
    pub fn format_number(self, value: f64, decimals: usize) -> String {
        self.engine().format_number(value, decimals)
    }
}

/// Every text on the page, in one language.
#[derive(Debug)]
pub struct Texts {
    pub app_tagline: &'static str,
    pub language_label: &'static str,
    pub intro: &'static str,
    pub privacy: &'static str,
    pub upload_heading: &'static str,
    pub upload_hint: &'static str,
    pub upload_button: &'static str,
}

const DA: Texts = Texts {
    app_tagline: "Hvor hurtigt bliver nyankomne selvforsørgende eller kommer i uddannelse – i forhold til hvad deres baggrund lader forvente?",
    language_label: "Sprog",
    intro: "kommunebench rangordner kommunerne efter forskellen mellem den observerede og den forventede varighed fra opholdstilladelse til selvforsørgelse eller uddannelse. Metoden følger Integrationsministeriets effektmåling fra 2006.",
    privacy: "Dine data bliver i denne browser. Filen læses og analyseres her på din computer og sendes aldrig nogen steder hen.",
    upload_heading: "Indlæs forløbsdata",
    upload_hint: "Træk en CSV- eller Excel-fil (.xlsx) hertil, eller vælg den:",
    upload_button: "Vælg fil",
};

const EN: Texts = Texts {
    app_tagline: "How fast do newcomers become self-supporting or start education – relative to what their background predicts?",
    language_label: "Language",
    intro: "kommunebench ranks municipalities by the difference between the observed and the expected time from residence permit to self-support or education. The method follows the Danish integration ministry's 2006 benchmarking.",
    privacy: "Your data stays in this browser. The file is read and analysed here on your computer and is never sent anywhere.",
    upload_heading: "Load spell data",
    upload_hint: "Drop a CSV or Excel (.xlsx) file here, or choose it:",
    upload_button: "Choose file",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_the_language_decimal_separator() {
        assert_eq!(Lang::Da.format_number(-7.2058, 3), "\u{2212}7,206");
        assert_eq!(Lang::En.format_number(-7.2058, 3), "\u{2212}7.206");
        assert_eq!(Lang::Da.format_number(37.891, 1), "37,9");
        assert_eq!(Lang::En.format_number(-0.0004, 3), "0.000");
        assert_eq!(Lang::En.format_number(f64::NAN, 3), "–");
    }

    #[test]
    fn language_codes_round_trip() {
        for lang in [Lang::Da, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("de"), None);
    }

    #[test]
    fn the_two_languages_differ_in_every_text() {
        let (da, en) = (Lang::Da.texts(), Lang::En.texts());
        let pairs = [
            (da.app_tagline, en.app_tagline),
            (da.language_label, en.language_label),
            (da.intro, en.intro),
            (da.privacy, en.privacy),
            (da.upload_heading, en.upload_heading),
            (da.upload_hint, en.upload_hint),
            (da.upload_button, en.upload_button),
        ];
        for (da, en) in pairs {
            assert!(!da.is_empty() && da != en, "{da} / {en}");
        }
    }
}
