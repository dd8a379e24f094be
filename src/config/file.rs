//! ep's config file: named profiles of connection settings. Read with the line of every key and
//! value, so that a mistake is reported where it is; rewritten atomically and owner-only, keeping
//! the comments and layout of a file someone edited by hand. It never holds a secret: keys and
//! values that look like one are refused when written and when read.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table};

/// Far larger than any real config file (a few hundred bytes): reading stops here instead of
/// filling memory with whatever the path names.
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// A setting a profile may hold; its key in the file is the long flag's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Tenant,
    ClientId,
    Cloud,
    Auth,
    GraphUrl,
    AuthorityHost,
    ApiVersion,
    Output,
    Window,
    Concurrency,
    Retries,
    MaxWait,
    AssertionAlg,
    ClientCertificatePath,
    ServiceConnectionId,
}

impl Key {
    pub const ALL: [Key; 15] = [
        Key::Tenant,
        Key::ClientId,
        Key::Cloud,
        Key::Auth,
        Key::GraphUrl,
        Key::AuthorityHost,
        Key::ApiVersion,
        Key::Output,
        Key::Window,
        Key::Concurrency,
        Key::Retries,
        Key::MaxWait,
        Key::AssertionAlg,
        Key::ClientCertificatePath,
        Key::ServiceConnectionId,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Key::Tenant => "tenant",
            Key::ClientId => "client-id",
            Key::Cloud => "cloud",
            Key::Auth => "auth",
            Key::GraphUrl => "graph-url",
            Key::AuthorityHost => "authority-host",
            Key::ApiVersion => "api-version",
            Key::Output => "output",
            Key::Window => "window",
            Key::Concurrency => "concurrency",
            Key::Retries => "retries",
            Key::MaxWait => "max-wait",
            Key::AssertionAlg => "assertion-alg",
            Key::ClientCertificatePath => "client-certificate-path",
            Key::ServiceConnectionId => "service-connection-id",
        }
    }

    /// The environment variable that outranks the profile (a test checks these against clap's).
    pub fn env(self) -> Option<&'static str> {
        match self {
            Key::Tenant => Some("AZURE_TENANT_ID"),
            Key::ClientId => Some("AZURE_CLIENT_ID"),
            Key::Cloud => Some("EP_CLOUD"),
            Key::Auth => Some("EP_AUTH"),
            Key::GraphUrl => Some("EP_GRAPH_URL"),
            Key::AuthorityHost => Some("AZURE_AUTHORITY_HOST"),
            Key::ApiVersion => Some("EP_API_VERSION"),
            Key::Output => Some("EP_OUTPUT"),
            Key::Window => None,
            Key::Concurrency => Some("EP_CONCURRENCY"),
            Key::Retries => Some("EP_RETRIES"),
            Key::MaxWait => Some("EP_MAX_WAIT"),
            Key::AssertionAlg => Some("EP_ASSERTION_ALG"),
            Key::ClientCertificatePath => Some("AZURE_CLIENT_CERTIFICATE_PATH"),
            Key::ServiceConnectionId => Some("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"),
        }
    }

    pub fn parse(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name.trim())
    }

    /// Written as a TOML integer rather than a string.
    fn is_number(self) -> bool {
        matches!(self, Key::Concurrency | Key::Retries)
    }

    pub fn names() -> String {
        Key::ALL.map(Key::name).join(", ")
    }
}

/// One value and the line it is on (1-based), for errors that point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub entries: BTreeMap<Key, Entry>,
}

/// The file as read: `default = "NAME"` and `[profiles.NAME]` tables. A file that does not exist
/// reads as empty.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub default: Option<Entry>,
    pub profiles: BTreeMap<String, Profile>,
    text: String,
}

/// What is wrong with the file, or with a change to it: one line, where it is, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {detail}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct FileError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub detail: String,
    pub hint: Option<String>,
}

impl FileError {
    fn new(path: &Path, line: Option<usize>, detail: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            line,
            detail: detail.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Where ep keeps its files: `$XDG_CONFIG_HOME/ep` (else `~/.config/ep`) on Linux and macOS,
/// `%APPDATA%\ep` on Windows. `None` when there is no home directory to put it in.
pub fn config_dir() -> Option<PathBuf> {
    // APPDATA itself, not the profile folder + AppData\Roaming that etcetera derives: a
    // redirected roaming folder is where APPDATA points. HOME (set by Git Bash) plays no part.
    #[cfg(windows)]
    if let Some(dir) = std::env::var_os("APPDATA").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("ep"));
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().ok()?;
    Some(base.config_dir().join("ep"))
}

/// Why there is no config directory, in the platform's terms.
#[cfg(windows)]
pub const NO_CONFIG_DIR: &str = "APPDATA is not set";
#[cfg(not(windows))]
pub const NO_CONFIG_DIR: &str = "neither HOME nor XDG_CONFIG_HOME is set";

/// `config.toml` in [`config_dir`].
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Hint for a refused secret: where secrets go instead.
pub const SECRET_HINT: &str = "ep's config file holds no secrets: set AZURE_CLIENT_SECRET in the \
     environment or use --client-secret-file PATH, a certificate (client-certificate-path), or \
     in CI the pipeline's own sign-in (--auth github-actions / azure-pipelines)";

/// Key names that say they hold a credential, whatever the rest of the name.
pub fn is_secret_key(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "passphrase",
        "assertion",
        "private",
        "credential",
        "apikey",
        "api-key",
        "api_key",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// What `value` looks like when it looks like a credential; `None` for ordinary settings.
pub fn looks_like_secret(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let segments: Vec<&str> = v.split('.').collect();
    let base64url = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=')
    };
    if v.starts_with("eyJ") && segments.len() >= 2 && segments.iter().take(2).all(|s| base64url(s))
    {
        return Some("a JWT");
    }
    if v.contains("-----BEGIN") {
        return Some("a PEM key or certificate");
    }
    // Entra client secrets: 40 characters with a `~` after the three-character key hint.
    if v.len() >= 34 && v.get(3..6).is_some_and(|s| s.contains('~')) {
        return Some("a client secret");
    }
    if crate::redact::known_secrets(v) != v || matches_secret_variable(v) {
        return Some("a credential from the environment");
    }
    // Tokens, keys and PATs: long, one word, no punctuation a domain, URL or path would have.
    let plain = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+/=_~-".contains(c));
    if v.len() >= 32 && plain && uuid::Uuid::try_parse(v).is_err() && !v.contains('/') {
        return Some("a key or token");
    }
    None
}

/// Whether `value` is the value of one of the credential variables ep reads.
fn matches_secret_variable(value: &str) -> bool {
    [
        "AZURE_CLIENT_SECRET",
        "EP_ACCESS_TOKEN",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "IDENTITY_HEADER",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "SYSTEM_ACCESSTOKEN",
    ]
    .iter()
    .filter_map(|name| std::env::var(name).ok())
    .any(|secret| secret.trim().len() >= 8 && secret.trim() == value)
}

/// Profile names: what a shell, a file and a table show without quoting.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{}' is not a profile name: use up to 64 letters, digits, '-', '_' and '.'",
            crate::sanitize::excerpt(name)
        ))
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

impl ConfigFile {
    /// Read `path`; a file that does not exist is an empty configuration.
    pub fn load(path: &Path) -> Result<ConfigFile, FileError> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return ConfigFile::parse(path, String::new());
            }
            Err(e) => return Err(FileError::new(path, None, e.to_string())),
        };
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| FileError::new(path, None, e.to_string()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(FileError::new(
                path,
                None,
                format!(
                    "larger than {} KiB: not an ep config file",
                    MAX_FILE_BYTES / 1024
                ),
            ));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = line_of(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            FileError::new(path, Some(line), "not UTF-8 text")
        })?;
        ConfigFile::parse(path, text)
    }

    /// Parse and check the whole file: structure, keys, value types, and no secrets.
    pub fn parse(path: &Path, text: String) -> Result<ConfigFile, FileError> {
        let doc = toml_edit::Document::parse(text.as_str()).map_err(|e| {
            let line = e.span().map(|s| line_of(&text, s.start));
            let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
            FileError::new(path, line, format!("not valid TOML: {message}"))
                .hint("fix the file by hand, or move it away and use 'ep config set'")
        })?;
        let at = |span: Option<std::ops::Range<usize>>| span.map(|s| line_of(&text, s.start));
        let mut default = None;
        let mut profiles = BTreeMap::new();
        for (key, item) in doc.as_table().iter() {
            let line = at(doc.as_table().key(key).and_then(|k| k.span()));
            match (key, item) {
                ("default", Item::Value(v)) if v.as_str().is_some() => {
                    default = Some(Entry {
                        value: v.as_str().unwrap_or_default().to_string(),
                        line: line.unwrap_or(1),
                    });
                }
                ("default", _) => {
                    return Err(FileError::new(
                        path,
                        line,
                        "'default' must be a profile name in quotes",
                    ));
                }
                ("profiles", Item::Table(table)) => {
                    for (name, item) in table.iter() {
                        let line = at(table.key(name).and_then(|k| k.span()));
                        let profile = read_profile(path, &text, name, item, line)?;
                        profiles.insert(name.to_string(), profile);
                    }
                }
                ("profiles", _) => {
                    return Err(FileError::new(
                        path,
                        line,
                        "'profiles' must be a table of [profiles.NAME] sections",
                    ));
                }
                (other, _) => {
                    return Err(FileError::new(
                        path,
                        line,
                        format!("unknown key '{}'", crate::sanitize::excerpt(other)),
                    )
                    .hint("the file holds `default = \"NAME\"` and [profiles.NAME] sections"));
                }
            }
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            default,
            profiles,
            text,
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// Set `key` of profile `name` (created if new) and write the file.
    pub fn set(&self, name: &str, key: Key, value: &str) -> Result<ConfigFile, FileError> {
        self.check_name(name)?;
        if let Some(what) = looks_like_secret(value) {
            return Err(FileError::new(
                &self.path,
                None,
                format!(
                    "the value for '{}' looks like a secret ({what}); not written",
                    key.name()
                ),
            )
            .hint(SECRET_HINT));
        }
        self.edit(|doc| {
            let profile = profile_table(doc, name, true).ok_or("the profile is not a table")?;
            let item = match value.trim().parse::<i64>() {
                Ok(n) if key.is_number() => toml_edit::value(n),
                _ => toml_edit::value(value.trim()),
            };
            profile.insert(key.name(), item);
            Ok(())
        })
    }

    /// Remove `key` from profile `name`; `Ok(None)` when it was not set.
    pub fn unset(&self, name: &str, key: Key) -> Result<Option<ConfigFile>, FileError> {
        self.require(name)?;
        if !self
            .profiles
            .get(name)
            .is_some_and(|p| p.entries.contains_key(&key))
        {
            return Ok(None);
        }
        self.edit(|doc| {
            if let Some(profile) = profile_table(doc, name, false) {
                profile.remove(key.name());
            }
            Ok(())
        })
        .map(Some)
    }

    /// Make `name` the default profile.
    pub fn set_default(&self, name: &str) -> Result<ConfigFile, FileError> {
        self.require(name)?;
        self.edit(|doc| {
            doc.insert("default", toml_edit::value(name));
            Ok(())
        })
    }

    /// Delete profile `name`, and the default if it named it.
    pub fn remove(&self, name: &str) -> Result<ConfigFile, FileError> {
        self.require(name)?;
        self.edit(|doc| {
            if let Some(Item::Table(profiles)) = doc.get_mut("profiles") {
                profiles.remove(name);
            }
            if doc.get("default").and_then(Item::as_str) == Some(name) {
                doc.remove("default");
            }
            Ok(())
        })
    }

    /// The error for a profile name the file does not have, listing those it has.
    pub fn unknown(&self, name: &str) -> FileError {
        let known = if self.profiles.is_empty() {
            "there are no profiles yet".to_string()
        } else {
            format!("known profiles: {}", self.names().join(", "))
        };
        FileError::new(
            &self.path,
            None,
            format!("no profile named '{}'", crate::sanitize::excerpt(name)),
        )
        .hint(format!(
            "{known}; create one with 'ep config set NAME tenant ID' ('ep config list' shows them)"
        ))
    }

    fn require(&self, name: &str) -> Result<(), FileError> {
        if self.profiles.contains_key(name) {
            Ok(())
        } else {
            Err(self.unknown(name))
        }
    }

    fn check_name(&self, name: &str) -> Result<(), FileError> {
        check_profile_name(name).map_err(|e| FileError::new(&self.path, None, e))
    }

    /// Apply `change` to the document, check the result reads back as a valid file, and write it.
    fn edit(
        &self,
        change: impl FnOnce(&mut DocumentMut) -> Result<(), &'static str>,
    ) -> Result<ConfigFile, FileError> {
        let mut doc: DocumentMut = self
            .text
            .parse()
            .map_err(|_| FileError::new(&self.path, None, "not valid TOML"))?;
        change(&mut doc).map_err(|e| FileError::new(&self.path, None, e))?;
        let updated = ConfigFile::parse(&self.path, doc.to_string())?;
        write_atomically(&self.path, &updated.text)?;
        Ok(updated)
    }
}

/// `[profiles.NAME]`, created (with an implicit `[profiles]`) when `create` is set.
fn profile_table<'d>(doc: &'d mut DocumentMut, name: &str, create: bool) -> Option<&'d mut Table> {
    if create && doc.get("profiles").is_none() {
        let mut profiles = Table::new();
        profiles.set_implicit(true);
        doc.insert("profiles", Item::Table(profiles));
    }
    let profiles = doc.get_mut("profiles")?.as_table_mut()?;
    if create && profiles.get(name).is_none() {
        profiles.insert(name, Item::Table(Table::new()));
    }
    profiles.get_mut(name)?.as_table_mut()
}

fn read_profile(
    path: &Path,
    text: &str,
    name: &str,
    item: &Item,
    line: Option<usize>,
) -> Result<Profile, FileError> {
    check_profile_name(name).map_err(|e| FileError::new(path, line, e))?;
    let Some(table) = item.as_table_like() else {
        return Err(FileError::new(
            path,
            line,
            format!("profile '{name}' must be a [profiles.{name}] section"),
        ));
    };
    let mut entries = BTreeMap::new();
    for (key_name, value) in table.iter() {
        let line = table
            .key(key_name)
            .and_then(|k| k.span())
            .map_or(line.unwrap_or(1), |s| line_of(text, s.start));
        let at = |detail: String| {
            FileError::new(path, Some(line), format!("profile '{name}': {detail}"))
        };
        let (key, raw) = read_entry(key_name, value).map_err(|(detail, hint)| {
            let err = at(detail);
            match hint {
                Some(h) => err.hint(h),
                None => err,
            }
        })?;
        entries.insert(key, Entry { value: raw, line });
    }
    Ok(Profile {
        name: name.to_string(),
        entries,
    })
}

/// One `key = value` of a profile: a known key, a string or integer value, and no secret in
/// either. The error is what is wrong and, maybe, what to do.
fn read_entry(key_name: &str, value: &Item) -> Result<(Key, String), (String, Option<String>)> {
    let shown = crate::sanitize::excerpt(key_name);
    let remove = || Some(format!("remove that line; {SECRET_HINT}"));
    if is_secret_key(key_name) {
        return Err((
            format!("'{shown}' is a secret, which ep does not read from its config file"),
            remove(),
        ));
    }
    let Some(key) = Key::parse(key_name) else {
        return Err((
            format!("unknown key '{shown}'"),
            Some(format!("a profile may set {}", Key::names())),
        ));
    };
    let raw = match value.as_value() {
        Some(v) if v.as_str().is_some() => v.as_str().unwrap_or_default().to_string(),
        Some(v) if v.as_integer().is_some() => v.as_integer().unwrap_or_default().to_string(),
        _ => {
            return Err((format!("'{}' must be a string in quotes", key.name()), None));
        }
    };
    if let Some(what) = looks_like_secret(&raw) {
        return Err((
            format!("the value of '{}' looks like a secret ({what})", key.name()),
            remove(),
        ));
    }
    Ok((key, raw))
}

/// Replace `path` with `text`: a new owner-only (0600) file in the same directory, synced, then
/// renamed over the old one, so a reader sees the old file or the new one and never half of one.
/// A symlinked config (a dotfiles manager's) is written where the link points, and stays a link.
fn write_atomically(path: &Path, text: &str) -> Result<(), FileError> {
    let fail = |p: &Path, e: std::io::Error| FileError::new(p, None, e.to_string());
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|e| fail(path, e))?
        }
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| fail(dir, e))?;
    // tempfile creates the file 0600 before a byte is written.
    let mut tmp = tempfile::Builder::new()
        .prefix(".config.toml.")
        .tempfile_in(dir)
        .map_err(|e| fail(dir, e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(&target, e))?;
    tmp.persist(&target).map_err(|e| fail(&target, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, FileError> {
        ConfigFile::parse(Path::new("/cfg/config.toml"), text.to_string())
    }

    #[test]
    fn profiles_and_default_are_read_with_their_lines() {
        let file = parse(
            "# mine\ndefault = \"work\"\n\n[profiles.work]\ntenant = \"contoso.onmicrosoft.com\"\nconcurrency = 4\n\n[profiles.gov]\ncloud = \"usgov\"\n",
        )
        .unwrap();
        assert_eq!(file.default.as_ref().unwrap().value, "work");
        assert_eq!(file.default.as_ref().unwrap().line, 2);
        let work = &file.profiles["work"];
        assert_eq!(work.entries[&Key::Tenant].line, 5);
        assert_eq!(work.entries[&Key::Concurrency].value, "4");
        assert_eq!(file.profiles["gov"].entries[&Key::Cloud].line, 9);
        assert_eq!(file.names(), ["gov", "work"]);
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let cases = [
            (
                "[profiles.a]\ntenant = \"x\"\ncolour = \"red\"\n",
                3,
                "unknown key 'colour'",
            ),
            ("[profiles.a]\ntenant = \n", 2, "not valid TOML"),
            ("\n\nfoo = 1\n", 3, "unknown key 'foo'"),
            ("[profiles.a]\n\nretries = true\n", 3, "must be a string"),
            ("[profiles.a]\nclient-secret = \"x\"\n", 2, "is a secret"),
            (
                "[profiles.a]\ntenant = \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln\"\n",
                2,
                "a JWT",
            ),
            ("[profiles.\"a b\"]\n", 1, "not a profile name"),
            ("default = 3\n", 1, "'default' must be"),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text:?}: {err}");
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!("/cfg/config.toml:{line}: ")),
                "{shown}"
            );
            assert!(shown.contains(needle), "{text:?}: {shown}");
            assert!(!shown.contains('\n'), "{shown}");
            assert!(!shown.contains("eyJhbGci"), "{shown}");
        }
    }

    #[test]
    fn secrets_are_recognised_and_settings_are_not() {
        for secret in [
            "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "Abc8Q~abcdefghijklmnopqrstuvwxyz0123456789",
            "-----BEGIN PRIVATE KEY-----",
            "q5r2k3l4m5n6o7p8q9r0s1t2u3v4w5x6y7z8a9b0c1d2e3f4g5h6",
        ] {
            assert!(looks_like_secret(secret).is_some(), "{secret}");
        }
        for setting in [
            "contoso.onmicrosoft.com",
            "8f3c2a71-5d4e-4b9a-9c1f-2e7d6b5a4c30",
            "https://graph.microsoft.us",
            "/home/admin/.certs/contoso-graph-reader-certificate.pem",
            "github-actions",
            "14d",
            "usgov-dod",
        ] {
            assert_eq!(looks_like_secret(setting), None, "{setting}");
        }
        for key in [
            "client-secret",
            "access_token",
            "Password",
            "private-key",
            "apiKey",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        assert!(!is_secret_key("client-certificate-path"));
    }

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ep-config-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn edits_keep_comments_and_write_owner_only() {
        let dir = temp_dir();
        let path = dir.join("nested").join("config.toml");
        let empty = ConfigFile::load(&path).unwrap();
        assert!(empty.profiles.is_empty());
        let file = empty
            .set("work", Key::Tenant, "contoso.onmicrosoft.com")
            .unwrap();
        file.set("work", Key::Concurrency, "4").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("[profiles]\n"),
            "implicit parent table: {text}"
        );
        assert!(text.contains("concurrency = 4"), "{text}");
        std::fs::write(&path, format!("# my tenants\n{text}")).unwrap();
        let file = ConfigFile::load(&path)
            .unwrap()
            .set_default("work")
            .unwrap();
        assert_eq!(file.default.as_ref().unwrap().value, "work");
        let file = file.unset("work", Key::Concurrency).unwrap().unwrap();
        assert!(file.unset("work", Key::Concurrency).unwrap().is_none());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# my tenants\n"), "{text}");
        assert!(!text.contains("concurrency"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let file = file.remove("work").unwrap();
        assert!(file.profiles.is_empty() && file.default.is_none());
        let err = file.set_default("work").unwrap_err();
        assert!(err.hint.unwrap().contains("no profiles yet"));
        let err = file
            .set(
                "work",
                Key::Tenant,
                "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln",
            )
            .unwrap_err();
        assert!(err.detail.contains("looks like a secret"), "{err}");
        assert!(!std::fs::read_to_string(&path).unwrap().contains("eyJ"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_config_is_written_through_the_link() {
        let dir = temp_dir();
        let real = dir.join("dotfiles-config.toml");
        std::fs::write(&real, "# kept\n").unwrap();
        let link = dir.join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        ConfigFile::load(&link)
            .unwrap()
            .set("a", Key::Cloud, "usgov")
            .unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let text = std::fs::read_to_string(&real).unwrap();
        assert!(
            text.contains("# kept\n") && text.contains("cloud = \"usgov\""),
            "{text}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_oversized_or_binary_file_is_refused() {
        let dir = temp_dir();
        let big = dir.join("big.toml");
        std::fs::write(&big, "#".repeat(MAX_FILE_BYTES as usize + 10)).unwrap();
        assert!(
            ConfigFile::load(&big)
                .unwrap_err()
                .detail
                .contains("larger than")
        );
        let binary = dir.join("bin.toml");
        std::fs::write(&binary, b"# a\n\xff\xfe").unwrap();
        let err = ConfigFile::load(&binary).unwrap_err();
        assert_eq!(err.line, Some(2));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
