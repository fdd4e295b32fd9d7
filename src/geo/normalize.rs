//! Place-name normalisation: the key under which a name is indexed and looked up.
//!
//! Two spellings match when their keys are equal. The key folds case and diacritics (Malé = Male),
//! drops apostrophes and the ʿayn/hamza marks of transliteration (Ḩalāqīm, ‘Ayn), turns every other
//! punctuation into a word break (Mazar-i-Sharif = Mazar i Sharif), and drops the linking particles of
//! Persian and Arabic transliteration (`-i-`, `-e-`, `-al-`, `-ul-`, …), so that *Mazar-i-Sharif*,
//! *Mazar-e Sharif* and *Mazār-e Sharīf* share the key `mazar sharif`.

use unicode_normalization::UnicodeNormalization;

/// Linking particles dropped from keys (izafe `i`/`e`, Arabic article forms).
const PARTICLES: &[&str] = &[
    "i", "e", "al", "el", "ul", "ol", "ye", "as", "ash", "ad", "ar", "az",
];

/// The lookup key of a place name; empty when the name holds no letters or digits.
///
/// ```
/// use iskp_map::geo::normalize::key;
/// assert_eq!(key("Mazar-i-Sharif"), key("Mazār-e Sharīf"));
/// assert_eq!(key("  MALÉ "), "male");
/// ```
pub fn key(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’' | '‘' | 'ʿ' | 'ʾ' | '`' | 'ʻ' | 'ʼ') {
            // Apostrophes and transliteration marks join, they do not split.
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let kept: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !PARTICLES.contains(w))
        .collect();
    if kept.is_empty() {
        // A name made only of particles keeps them rather than vanishing.
        return words.join(" ");
    }
    kept.join(" ")
}

/// Trailing words that name an administrative level ("Takhar Province"), and the level they ask for.
pub fn strip_level_word(key: &str) -> Option<(&str, LevelWord)> {
    const WORDS: &[(&str, LevelWord)] = &[
        (" province", LevelWord::Province),
        (" provincia", LevelWord::Province),
        (" wilayat", LevelWord::Province),
        (" velayat", LevelWord::Province),
        (" oblast", LevelWord::Province),
        (" state", LevelWord::Province),
        (" governorate", LevelWord::Province),
        (" region", LevelWord::Province),
        (" district", LevelWord::District),
        (" city", LevelWord::City),
    ];
    WORDS.iter().find_map(|(w, l)| {
        key.strip_suffix(w)
            .filter(|s| !s.is_empty())
            .map(|s| (s, *l))
    })
}

/// The level a trailing word asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelWord {
    /// "province", "oblast", "state", …
    Province,
    /// "district".
    District,
    /// "city".
    City,
}

/// Levenshtein distance, stopping early once it exceeds `max` (returns `max + 1` then).
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    edit_distance_chars(&a, b, max, &mut Vec::new())
}

/// [`edit_distance`] with the first string already split into characters and a reusable row buffer,
/// for scanning many candidates.
pub fn edit_distance_chars(a: &[char], b: &str, max: usize, rows: &mut Vec<usize>) -> usize {
    let blen = b.chars().count();
    if a.len().abs_diff(blen) > max {
        return max + 1;
    }
    rows.clear();
    rows.extend(0..=blen);
    rows.extend(std::iter::repeat_n(0, blen + 1));
    let (prev, cur) = rows.split_at_mut(blen + 1);
    let (mut prev, mut cur) = (prev, cur);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.chars().enumerate() {
            let sub = prev[j] + usize::from(*ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[blen].min(max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterations_share_a_key() {
        for (a, b) in [
            ("Mazar-i-Sharif", "Mazar-e Sharif"),
            ("Mazār-e Sharīf", "mazar sharif"),
            ("Khwaja  Ghar", "khwaja-ghar"),
            ("Sar-e Pul", "Sar-i-Pul"),
            ("Jamiat Ulema-e-Islam", "Jamiat Ulema Islam"),
            ("Malé", "MALE"),
            ("‘Ayn Ḩalāqīm", "Ayn Halaqim"),
            ("Dera Ismail Khan", "dera ismail khan"),
        ] {
            assert_eq!(key(a), key(b), "{a} ~ {b}");
        }
        assert_ne!(key("Kabul"), key("Kunduz"));
        assert_eq!(key("--"), "");
        assert_eq!(key("Al"), "al", "a name made only of a particle keeps it");
    }

    #[test]
    fn level_words_are_recognised() {
        assert_eq!(
            strip_level_word("takhar province"),
            Some(("takhar", LevelWord::Province))
        );
        assert_eq!(
            strip_level_word("khwaja ghar district"),
            Some(("khwaja ghar", LevelWord::District))
        );
        assert_eq!(strip_level_word("province"), None);
        assert_eq!(strip_level_word("kabul"), None);
    }

    #[test]
    fn edit_distance_is_levenshtein_with_a_cutoff() {
        assert_eq!(edit_distance("kabul", "kabul", 2), 0);
        assert_eq!(edit_distance("kabul", "kabol", 2), 1);
        assert_eq!(edit_distance("termez", "termiz", 2), 1);
        assert_eq!(edit_distance("kandahar", "k", 2), 3);
        assert_eq!(edit_distance("", "ab", 5), 2);
    }
}
