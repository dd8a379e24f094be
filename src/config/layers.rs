//! Flags > environment > profile > defaults: which value each setting takes, and where it came
//! from. clap has already merged flags, environment and its defaults; [`Given`] says which values
//! it was actually given, and a profile fills in only the others.

use super::file::{ConfigFile, Entry, FileError, Key, Profile};
use crate::auth::{AssertionAlg, AuthMethod};
use crate::cli::{GlobalArgs, ValueOrigin};
use crate::cloud::Cloud;
use crate::error::CliError;
use crate::graph::ApiVersion;
use crate::output::Format;
use clap::ValueEnum;
use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(&'static str),
    Profile(String),
    Default,
    /// `--demo` put its own value in place of whatever was given.
    Demo,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::Profile(name) => write!(f, "profile {name}"),
            Origin::Default => f.write_str("default"),
            Origin::Demo => f.write_str("--demo"),
        }
    }
}

/// One setting as `ep auth status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub key: &'static str,
    pub value: Option<String>,
    pub origin: Origin,
}

/// The arguments with the profile applied, and what ep needs beyond them.
#[derive(Debug)]
pub(super) struct Layered {
    pub(super) args: GlobalArgs,
    /// The profile in use and why it was chosen.
    pub(super) profile: Option<(String, Origin)>,
    /// `--window` from the profile, for commands that take one and were not given it.
    pub(super) window: Option<chrono::Duration>,
    pub(super) certificate_path: Option<PathBuf>,
    pub(super) provenance: Vec<Provenance>,
}

/// A profile value, parsed; [`apply`] puts it where the command line would have.
enum Parsed {
    Text(String),
    Cloud(Cloud),
    Auth(AuthMethod),
    ApiVersion(ApiVersion),
    Format(Format),
    Duration(chrono::Duration),
    Retries(u32),
    Concurrency(u16),
    Alg(AssertionAlg),
    Path(PathBuf),
}

fn choice<T: ValueEnum>(raw: &str) -> Result<T, String> {
    T::from_str(raw.trim(), false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!(
            "'{}' is not one of {}",
            crate::sanitize::excerpt(raw),
            names.join(", ")
        )
    })
}

fn guid(raw: &str, what: &str) -> Result<String, String> {
    uuid::Uuid::try_parse(raw.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| format!("'{}' is not {what} (a GUID)", crate::sanitize::excerpt(raw)))
}

/// Check a value for `key` the way its flag would: the same names, ranges and URL rules.
fn parse(key: Key, raw: &str) -> Result<Parsed, String> {
    let raw = raw.trim();
    Ok(match key {
        Key::Tenant => {
            let domain = raw.len() <= 253
                && !raw.is_empty()
                && raw
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !domain {
                return Err(format!(
                    "'{}' is not a tenant id or domain",
                    crate::sanitize::excerpt(raw)
                ));
            }
            Parsed::Text(raw.to_string())
        }
        Key::ClientId => Parsed::Text(guid(raw, "an application (client) id")?),
        Key::ServiceConnectionId => Parsed::Text(guid(raw, "a service connection id")?),
        Key::Cloud => Parsed::Cloud(choice(raw)?),
        Key::Auth => Parsed::Auth(choice(raw)?),
        Key::ApiVersion => Parsed::ApiVersion(choice(raw)?),
        Key::Output => Parsed::Format(choice(raw)?),
        Key::AssertionAlg => Parsed::Alg(choice(raw)?),
        Key::GraphUrl | Key::AuthorityHost => {
            // The caller names the key already.
            super::checked_url(raw, key.name()).map_err(|e| {
                let prefix = format!("{}: ", key.name());
                e.message
                    .strip_prefix(&prefix)
                    .map_or_else(|| e.message.clone(), str::to_string)
            })?;
            Parsed::Text(raw.to_string())
        }
        Key::Window => Parsed::Duration(crate::eligibility::parse_profile_window(raw)?),
        Key::MaxWait => Parsed::Duration(crate::eligibility::parse_duration(raw)?),
        Key::Retries => {
            Parsed::Retries(raw.parse().map_err(|_| {
                format!("'{}' is not a whole number", crate::sanitize::excerpt(raw))
            })?)
        }
        Key::Concurrency => match raw.parse::<u16>() {
            Ok(n) if (1..=64).contains(&n) => Parsed::Concurrency(n),
            _ => {
                return Err(format!(
                    "'{}' is not a number from 1 to 64",
                    crate::sanitize::excerpt(raw)
                ));
            }
        },
        Key::ClientCertificatePath => {
            let path = PathBuf::from(raw);
            if !path.is_absolute() {
                return Err(format!(
                    "'{}' is not an absolute path (a profile is used from any directory)",
                    crate::sanitize::excerpt(raw)
                ));
            }
            Parsed::Path(path)
        }
    })
}

/// Whether `raw` is a valid value for `key` (`ep config set` checks before writing).
pub fn check_value(key: Key, raw: &str) -> Result<(), String> {
    parse(key, raw).map(|_| ())
}

fn apply(parsed: Parsed, key: Key, layered: &mut Layered) {
    let args = &mut layered.args;
    match parsed {
        Parsed::Text(t) => match key {
            Key::Tenant => args.tenant = Some(t),
            Key::ClientId => args.client_id = Some(t),
            Key::ServiceConnectionId => args.service_connection_id = Some(t),
            Key::GraphUrl => args.graph_url = Some(t),
            _ => args.authority_host = Some(t),
        },
        Parsed::Cloud(c) => args.cloud = c,
        Parsed::Auth(a) => args.auth = a,
        Parsed::ApiVersion(v) => args.api_version = v,
        Parsed::Format(f) => args.output = f,
        Parsed::Alg(a) => args.assertion_alg = a,
        Parsed::Duration(d) if key == Key::Window => layered.window = Some(d),
        Parsed::Duration(d) => args.max_wait = d,
        Parsed::Retries(n) => args.retries = n,
        Parsed::Concurrency(n) => args.concurrency = Some(n),
        Parsed::Path(p) => layered.certificate_path = Some(p),
    }
}

fn enum_name<T: ValueEnum>(v: &T) -> Option<String> {
    v.to_possible_value().map(|p| p.get_name().to_string())
}

/// The value `key` has now, as a person would type it.
fn shown(key: Key, layered: &Layered) -> Option<String> {
    let args = &layered.args;
    let duration = |d: chrono::Duration| {
        humantime::format_duration(d.to_std().unwrap_or_default()).to_string()
    };
    match key {
        Key::Tenant => args.tenant.clone(),
        Key::ClientId => args.client_id.clone(),
        Key::ServiceConnectionId => args.service_connection_id.clone(),
        Key::GraphUrl => args.graph_url.clone(),
        Key::AuthorityHost => args.authority_host.clone(),
        Key::Cloud => enum_name(&args.cloud),
        Key::Auth => enum_name(&args.auth),
        Key::ApiVersion => enum_name(&args.api_version),
        Key::Output => enum_name(&args.output),
        Key::AssertionAlg => enum_name(&args.assertion_alg),
        Key::Window => layered
            .window
            .map(duration)
            .or_else(crate::cli::default_window),
        Key::MaxWait => Some(duration(args.max_wait)),
        Key::Retries => Some(args.retries.to_string()),
        Key::Concurrency => Some(crate::config::concurrency(args).to_string()),
        Key::ClientCertificatePath => layered
            .certificate_path
            .as_ref()
            .map(|p| p.display().to_string()),
    }
}

/// The clap argument id of `key`'s flag, when it has one.
pub fn arg_id(key: Key) -> Option<&'static str> {
    Some(match key {
        Key::Tenant => "tenant",
        Key::ClientId => "client_id",
        Key::Cloud => "cloud",
        Key::Auth => "auth",
        Key::GraphUrl => "graph_url",
        Key::AuthorityHost => "authority_host",
        Key::ApiVersion => "api_version",
        Key::Output => "output",
        Key::Window => "window",
        Key::Concurrency => "concurrency",
        Key::Retries => "retries",
        Key::MaxWait => "max_wait",
        Key::AssertionAlg => "assertion_alg",
        Key::ServiceConnectionId => "service_connection_id",
        Key::ClientCertificatePath => return None,
    })
}

fn nonempty(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The flag or variable that gave `key` its value, if any did.
fn given(args: &GlobalArgs, key: Key, layered: &mut Layered) -> Option<Origin> {
    let from_clap = arg_id(key).and_then(|id| args.given.origin(id));
    match (from_clap, key) {
        (Some(ValueOrigin::CommandLine), _) => Some(Origin::Flag),
        (Some(ValueOrigin::Env), _) => Some(Origin::Env(key.env().unwrap_or("?"))),
        (None, Key::ClientCertificatePath) => {
            let path = nonempty("AZURE_CLIENT_CERTIFICATE_PATH")?;
            layered.certificate_path = Some(PathBuf::from(path));
            Some(Origin::Env("AZURE_CLIENT_CERTIFICATE_PATH"))
        }
        // Azure Pipelines' AzureCLI@2 and AzurePowerShell@5 tasks name the service connection's
        // app and tenant in these; the usual variables still win.
        (None, Key::Tenant) => {
            layered.args.tenant = Some(nonempty("AZURESUBSCRIPTION_TENANT_ID")?);
            Some(Origin::Env("AZURESUBSCRIPTION_TENANT_ID"))
        }
        (None, Key::ClientId) => {
            layered.args.client_id = Some(nonempty("AZURESUBSCRIPTION_CLIENT_ID")?);
            Some(Origin::Env("AZURESUBSCRIPTION_CLIENT_ID"))
        }
        _ => None,
    }
}

/// A config file problem is the user's to fix: a usage error, with the file's hint.
impl From<FileError> for CliError {
    fn from(e: FileError) -> CliError {
        let hint = e.hint.clone();
        let err = CliError::usage(e.to_string());
        match hint {
            Some(h) => err.with_hint(h),
            None => err,
        }
    }
}

fn file_error(e: FileError) -> CliError {
    e.into()
}

/// The profile to use: `--profile` / `EP_PROFILE`, else the file's `default`, else none.
fn choose(args: &GlobalArgs, file: &ConfigFile) -> Result<Option<(Profile, Origin)>, CliError> {
    let asked = args
        .profile
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(name) = asked {
        let origin = match args.given.origin("profile") {
            Some(ValueOrigin::Env) => Origin::Env("EP_PROFILE"),
            _ => Origin::Flag,
        };
        let profile = file
            .profiles
            .get(name)
            .ok_or_else(|| file_error(file.unknown(name)))?;
        return Ok(Some((profile.clone(), origin)));
    }
    let Some(Entry { value, line }) = &file.default else {
        return Ok(None);
    };
    match file.profiles.get(value) {
        Some(p) => Ok(Some((p.clone(), Origin::Default))),
        None => Err(CliError::usage(format!(
            "{}:{line}: the default profile '{}' is not in the file",
            file.path.display(),
            crate::sanitize::excerpt(value)
        ))
        .with_hint("pick one with 'ep config use NAME' ('ep config list' shows them)")),
    }
}

/// Read the config file (when there is one) and layer the chosen profile under `args`.
pub(super) fn layer(args: &GlobalArgs) -> Result<Layered, CliError> {
    let file = match super::file::default_path() {
        Some(path) => ConfigFile::load(&path).map_err(file_error)?,
        None if args.profile.is_some() => {
            return Err(CliError::usage(format!(
                "--profile / EP_PROFILE: there is no config directory ({})",
                super::file::NO_CONFIG_DIR
            )));
        }
        None => ConfigFile::parse(std::path::Path::new("config.toml"), String::new())
            .map_err(file_error)?,
    };
    let chosen = choose(args, &file)?;
    let mut layered = Layered {
        args: args.clone(),
        profile: chosen.as_ref().map(|(p, o)| (p.name.clone(), o.clone())),
        window: None,
        certificate_path: None,
        provenance: Vec::new(),
    };
    for key in Key::ALL {
        if let Some(origin) = given(args, key, &mut layered) {
            let value = shown(key, &layered);
            record(&mut layered, key, value, origin);
        } else if let Some((profile, _)) = chosen
            .as_ref()
            .filter(|(p, _)| p.entries.contains_key(&key))
        {
            from_profile(&file, profile, key, &mut layered)?;
        } else {
            let value = shown(key, &layered);
            record(&mut layered, key, value, Origin::Default);
        }
    }
    trace_settings(&layered);
    Ok(layered)
}

/// Apply the profile's value for `key`, checked as the flag would check it; a bad one names the
/// file and line.
fn from_profile(
    file: &ConfigFile,
    profile: &Profile,
    key: Key,
    layered: &mut Layered,
) -> Result<(), CliError> {
    let Some(entry) = profile.entries.get(&key) else {
        return Ok(());
    };
    let parsed = parse(key, &entry.value).map_err(|e| {
        CliError::usage(format!(
            "{}:{}: profile '{}': {}: {e}",
            file.path.display(),
            entry.line,
            profile.name,
            key.name()
        ))
        .with_hint(format!(
            "fix it with 'ep config set {} {} VALUE'",
            profile.name,
            key.name()
        ))
    })?;
    apply(parsed, key, layered);
    let origin = Origin::Profile(profile.name.clone());
    record(layered, key, Some(entry.value.clone()), origin);
    Ok(())
}

/// At `-v`, one line: the profile and every setting that is not a default, with its origin.
fn trace_settings(layered: &Layered) {
    let given: Vec<String> = layered
        .provenance
        .iter()
        .filter(|p| p.origin != Origin::Default)
        .map(|p| format!("{} ({})", p.key, p.origin))
        .collect();
    let profile = match &layered.profile {
        Some((name, origin)) => format!("profile {name} ({origin})"),
        None => "no profile".to_string(),
    };
    crate::diag::trace(1, format!("settings: {profile}; set: {}", given.join(", ")));
}

fn record(layered: &mut Layered, key: Key, value: Option<String>, origin: Origin) {
    layered.provenance.push(Provenance {
        key: key.name(),
        value,
        origin,
    });
}
