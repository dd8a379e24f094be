//! Values written into hints as the user would type them: one spelling that pastes into bash,
//! zsh and PowerShell alike.

/// `value` as one shell word for bash and PowerShell, or `None` when no spelling works in both.
///
/// Plain words stay bare. Otherwise double quotes, which both shells treat alike as long as the
/// value holds nothing either expands or escapes inside them (`"`, `$`, a backtick, bash's `!`
/// history expansion, a backslash, which bash keeps or not depending on what follows it). Such a
/// value gets single quotes, literal in both, unless it holds a `'` itself: bash has no escape
/// inside single quotes and PowerShell's `''` means something else to bash, so a value with both
/// kinds of trouble has no common spelling and the caller shows something else (an id).
/// PowerShell also takes the typographic quotes (`‘ ’ ‚ ‛` and `“ ” „`) as quote marks, so they
/// count as the plain ones do; control characters fit no quoting at all.
pub fn shell_word(value: &str) -> Option<String> {
    if value.chars().any(char::is_control) {
        return None;
    }
    // Nothing PowerShell reads specially either: `,` makes an array, a leading `@` splats.
    let bare = |c: char| c.is_alphanumeric() || "-_./:".contains(c);
    if !value.is_empty() && !value.starts_with('-') && value.chars().all(bare) {
        return Some(value.to_string());
    }
    let breaks_double = |c: char| {
        matches!(
            c,
            '"' | '$' | '`' | '!' | '\\' | '\u{201c}' | '\u{201d}' | '\u{201e}'
        )
    };
    let breaks_single =
        |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
    if !value.chars().any(breaks_double) {
        Some(format!("\"{value}\""))
    } else if !value.chars().any(breaks_single) {
        Some(format!("'{value}'"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_need_no_quotes_stay_bare() {
        for word in [
            "Finance",
            "sales-onboarding",
            "v1.0",
            "a_b",
            "https://x.y/z",
        ] {
            assert_eq!(shell_word(word).as_deref(), Some(word));
        }
    }

    #[test]
    fn spaces_and_apostrophes_get_double_quotes() {
        assert_eq!(
            shell_word("Finanse Reporting").as_deref(),
            Some("\"Finanse Reporting\"")
        );
        assert_eq!(
            shell_word("Partners' Portal").as_deref(),
            Some("\"Partners' Portal\"")
        );
        assert_eq!(
            shell_word("Travel & Expenses").as_deref(),
            Some("\"Travel & Expenses\"")
        );
        // A leading dash would read as a flag, and an empty value as no argument at all.
        assert_eq!(shell_word("-x").as_deref(), Some("\"-x\""));
        assert_eq!(shell_word("").as_deref(), Some("\"\""));
    }

    #[test]
    fn what_double_quotes_would_expand_gets_single_quotes() {
        for (value, quoted) in [
            ("Cost $ave", "'Cost $ave'"),
            ("Say \"hi\"", "'Say \"hi\"'"),
            ("Wow!", "'Wow!'"),
            ("tick`s", "'tick`s'"),
            ("C:\\share\\", "'C:\\share\\'"),
            ("\u{201c}Quoted\u{201d}", "'\u{201c}Quoted\u{201d}'"),
        ] {
            assert_eq!(shell_word(value).as_deref(), Some(quoted), "{value}");
        }
    }

    #[test]
    fn values_no_quoting_survives_in_both_shells_have_none() {
        for value in [
            "O'Brien's $5",
            "it's \"x\"",
            "Partner\u{2019}s $",
            "a\nb",
            "tab\there",
        ] {
            assert_eq!(shell_word(value), None, "{value:?}");
        }
    }

    /// bash is the judge where it is installed: what it reads back is the value itself.
    #[test]
    fn bash_reads_every_quoted_value_back_unchanged() {
        let Some(bash) = which_bash() else { return };
        for value in [
            "Finanse Reporting",
            "Partners' Portal",
            "Cost $ave",
            "Say \"hi\"",
            "Wow!",
            "tick`s",
            "C:\\share\\",
            "Travel & Expenses",
            "semi;colon|pipe>(x)",
            "*glob?[x]",
            "a,b @c",
        ] {
            let word = shell_word(value).unwrap();
            let out = std::process::Command::new(&bash)
                .args(["-c", &format!("printf %s {word}")])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), value, "{word}");
        }
    }

    fn which_bash() -> Option<std::path::PathBuf> {
        ["/bin/bash", "/usr/bin/bash"]
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.exists())
    }
}
