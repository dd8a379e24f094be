//! "Did you mean": the known names nearest to what was typed, for errors about names.

/// The candidates `typed` most likely meant, nearest first, each once, at most `limit`.
///
/// Near means a few typing slips away (Damerau–Levenshtein, ignoring case: at most one edit per
/// three characters), or one name containing the other (`Reporting` for "Finance Reporting"),
/// which is how people shorten names they half remember.
pub fn near<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let typed_lower = typed.trim().to_lowercase();
    if typed_lower.is_empty() {
        return Vec::new();
    }
    let mut ranked: Vec<(usize, &str)> = Vec::new();
    for candidate in candidates {
        if ranked.iter().any(|(_, c)| *c == candidate) {
            continue;
        }
        let lower = candidate.to_lowercase();
        let distance = strsim::damerau_levenshtein(&typed_lower, &lower);
        let longer = typed_lower.chars().count().max(lower.chars().count());
        let rank = if distance <= (longer / 3).max(1) {
            distance
        } else if typed_lower.chars().count() >= 3
            && (lower.contains(&typed_lower) || typed_lower.contains(&lower))
        {
            // After every slip: a fragment says less about which name was meant.
            longer + distance
        } else {
            continue;
        };
        ranked.push((rank, candidate));
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    ranked.into_iter().take(limit).map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "Sales Onboarding",
        "Sales Onboarding",
        "Partners' Portal",
        "Engineering Tools",
        "Finance Reporting",
        "Contoso Partner Access",
    ];

    #[test]
    fn slips_find_the_name() {
        assert_eq!(
            near("Finanse Reporting", NAMES.iter().copied(), 5),
            vec!["Finance Reporting"]
        );
        assert_eq!(
            near("finacne reporting", NAMES.iter().copied(), 5),
            vec!["Finance Reporting"]
        );
        assert_eq!(
            near("Sales Onbaording", NAMES.iter().copied(), 5),
            vec!["Sales Onboarding"],
            "a name shared by two packages is suggested once"
        );
    }

    #[test]
    fn fragments_find_the_names_that_contain_them_after_slips() {
        assert_eq!(
            near("partner", NAMES.iter().copied(), 5),
            vec!["Partners' Portal", "Contoso Partner Access"]
        );
        assert_eq!(
            near("Finance Reporting EMEA", NAMES.iter().copied(), 5),
            vec!["Finance Reporting"]
        );
    }

    #[test]
    fn unrelated_or_tiny_input_suggests_nothing() {
        assert!(near("Payroll", NAMES.iter().copied(), 5).is_empty());
        assert!(near("xy", NAMES.iter().copied(), 5).is_empty());
        assert!(near("  ", NAMES.iter().copied(), 5).is_empty());
        assert!(near("HR", ["IT", "QA"], 5).is_empty());
    }

    #[test]
    fn the_limit_holds() {
        let many: Vec<String> = (0..20).map(|i| format!("Team {i:02}")).collect();
        assert_eq!(near("Team", many.iter().map(String::as_str), 3).len(), 3);
    }
}
