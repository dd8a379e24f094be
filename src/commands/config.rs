//! `ep config list | show | set | unset | use | remove | path`: the profiles in ep's config file.
//! These read the file but never apply it, so a file with a mistake can still be mended here.

use crate::cli::{ConfigCommand, GlobalArgs};
use crate::config::check_value;
use crate::config::file::{
    ConfigFile, Key, Profile, SECRET_HINT, default_path, is_secret_key, looks_like_secret,
};
use crate::diag;
use crate::error::{CliError, ExitStatus};
use crate::output::{self, Format, Record, RecordWriter, Style, TableCell};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn run(command: ConfigCommand, global: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let path = default_path().ok_or_else(|| {
        CliError::usage(format!(
            "ep has no config directory: {}",
            crate::config::file::NO_CONFIG_DIR
        ))
    })?;
    if let ConfigCommand::Path = command {
        output::print_text(&path.display().to_string())?;
        return Ok(ExitStatus::Success);
    }
    let file = ConfigFile::load(&path).map_err(CliError::from)?;
    let (format, projection) = crate::config::output_plan(global.output, global.query.as_deref())?;
    if let Some(projection) = projection {
        output::project_output(projection);
    }
    match command {
        ConfigCommand::List => list(&file, format),
        ConfigCommand::Show { name } => show(&file, name, global, format),
        ConfigCommand::Set { name, key, value } => set(&file, &name, &key, &value),
        ConfigCommand::Unset { name, key } => {
            let key = known_key(&key)?;
            match file.unset(&name, key).map_err(CliError::from)? {
                Some(_) => diag::note(format!("profile '{name}': {} unset", key.name())),
                None => diag::note(format!("profile '{name}' has no {} set", key.name())),
            }
            Ok(ExitStatus::Success)
        }
        ConfigCommand::Use { name } => {
            file.set_default(&name).map_err(CliError::from)?;
            diag::note(format!(
                "'{name}' is now the default profile (--profile or EP_PROFILE picks another)"
            ));
            Ok(ExitStatus::Success)
        }
        ConfigCommand::Remove { name } => {
            file.remove(&name).map_err(CliError::from)?;
            diag::note(format!("profile '{name}' removed"));
            Ok(ExitStatus::Success)
        }
        ConfigCommand::Path => Ok(ExitStatus::Success),
    }
}

/// A KEY argument: a setting a profile may hold, and never a secret.
fn known_key(raw: &str) -> Result<Key, CliError> {
    if is_secret_key(raw) {
        return Err(CliError::usage(format!(
            "'{}' is a secret: ep never writes secrets to its config file",
            crate::sanitize::excerpt(raw)
        ))
        .with_hint(SECRET_HINT));
    }
    Key::parse(raw).ok_or_else(|| {
        CliError::usage(format!("unknown key '{}'", crate::sanitize::excerpt(raw)))
            .with_hint(format!("a profile may set {}", Key::names()))
    })
}

fn set(file: &ConfigFile, name: &str, key: &str, value: &str) -> anyhow::Result<ExitStatus> {
    let key = known_key(key)?;
    // Before any check that could quote the value back.
    if let Some(what) = looks_like_secret(value) {
        return Err(CliError::usage(format!(
            "the value for '{}' looks like a secret ({what}): ep never writes secrets to its config file",
            key.name()
        ))
        .with_hint(SECRET_HINT)
        .into());
    }
    check_value(key, value).map_err(|e| CliError::usage(format!("{}: {e}", key.name())))?;
    let created = !file.profiles.contains_key(name);
    let updated = file.set(name, key, value).map_err(CliError::from)?;
    diag::note(format!(
        "{}: profile '{name}': {} = {}",
        updated.path.display(),
        key.name(),
        value.trim()
    ));
    if created {
        diag::note(format!(
            "new profile: use it with --profile {name}, or make it the default with 'ep config use {name}'"
        ));
    }
    Ok(ExitStatus::Success)
}

/// The profile `show` means without a NAME: the one `--profile`, `EP_PROFILE` or the default
/// picks.
fn show(
    file: &ConfigFile,
    name: Option<String>,
    global: &GlobalArgs,
    format: Format,
) -> anyhow::Result<ExitStatus> {
    let name = name
        .or_else(|| global.profile.clone().filter(|p| !p.trim().is_empty()))
        .or_else(|| file.default.as_ref().map(|d| d.value.clone()));
    let Some(name) = name else {
        return Err(CliError::usage("no profile is in use, and none was named")
            .with_hint("'ep config show NAME'; 'ep config list' shows the profiles")
            .into());
    };
    let profile = file
        .profiles
        .get(&name)
        .ok_or_else(|| CliError::from(file.unknown(&name)))?;
    let row = ProfileRow::new(profile, file);
    match format {
        Format::Json | Format::Ndjson => output::print_json(&row)?,
        Format::Tsv => output::print_tsv(&row)?,
        _ => {
            let mut rows = vec![("profile", row.name.clone())];
            if row.default {
                rows.push(("default", "yes".into()));
            }
            rows.extend(row.settings.iter().map(|(k, v)| (*k, v.clone())));
            output::print_text(&output::key_value_table(&rows).to_string())?;
        }
    }
    Ok(ExitStatus::Success)
}

fn list(file: &ConfigFile, format: Format) -> anyhow::Result<ExitStatus> {
    if file.profiles.is_empty() {
        diag::note(format!(
            "no profiles in {}; create one with 'ep config set NAME tenant ID'",
            file.path.display()
        ));
    }
    let rows: Vec<ProfileRow> = file
        .profiles
        .values()
        .map(|p| ProfileRow::new(p, file))
        .collect();
    let mut writer = RecordWriter::new(
        format,
        Style {
            color: false,
            full_ids: true,
        },
    );
    writer.write_page(rows)?;
    writer.finish(|a, b| a.name.cmp(&b.name))?;
    Ok(ExitStatus::Success)
}

/// One profile as `list` and `show` print it.
#[derive(Serialize)]
struct ProfileRow {
    name: String,
    default: bool,
    settings: BTreeMap<&'static str, String>,
}

impl ProfileRow {
    fn new(profile: &Profile, file: &ConfigFile) -> Self {
        ProfileRow {
            name: profile.name.clone(),
            default: file
                .default
                .as_ref()
                .is_some_and(|d| d.value == profile.name),
            settings: profile
                .entries
                .iter()
                .map(|(k, e)| (k.name(), e.value.clone()))
                .collect(),
        }
    }

    fn get(&self, key: Key) -> String {
        self.settings.get(key.name()).cloned().unwrap_or_default()
    }

    /// What the other columns do not show.
    fn others(&self) -> String {
        self.settings
            .iter()
            .filter(|(k, _)| !["tenant", "client-id", "cloud", "auth"].contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Record for ProfileRow {
    fn id(&self) -> &str {
        &self.name
    }

    fn csv_header() -> &'static [&'static str] {
        &[
            "profile",
            "default",
            "tenant",
            "client-id",
            "cloud",
            "auth",
            "other",
        ]
    }

    fn csv_row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.default.to_string(),
            self.get(Key::Tenant),
            self.get(Key::ClientId),
            self.get(Key::Cloud),
            self.get(Key::Auth),
            self.others(),
        ]
    }

    fn table_header() -> &'static [&'static str] {
        &[
            "PROFILE",
            "DEFAULT",
            "TENANT",
            "CLIENT ID",
            "CLOUD",
            "AUTH",
            "OTHER",
        ]
    }

    fn table_row(&self) -> Vec<TableCell> {
        let default = if self.default { "*" } else { "" };
        [
            self.name.clone(),
            default.to_string(),
            self.get(Key::Tenant),
            self.get(Key::ClientId),
            self.get(Key::Cloud),
            self.get(Key::Auth),
            self.others(),
        ]
        .into_iter()
        .map(TableCell::new)
        .collect()
    }
}
