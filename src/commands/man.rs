//! `ep man [COMMAND...]`: man pages generated from the clap tree, like the completions and the
//! help — one page per command (`ep.1`, `ep-reprocess.1`, `ep-requests-list.1`), as git and cargo
//! ship them, so `man ep-reprocess` answers what `ep reprocess --help` does.
//!
//! A subcommand rather than ripgrep's `--generate man`: ep already generates its completions with
//! `ep completions SHELL`, a subcommand is listed in `ep --help` and in the completions, and it
//! takes its own arguments (which page, `--dir`) without a mode flag every other command must
//! refuse.

use crate::cli::{Cli, ManArgs};
use crate::error::{CliError, ExitStatus};
use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};
use std::path::Path;

pub fn run(args: &ManArgs) -> anyhow::Result<ExitStatus> {
    match &args.dir {
        Some(dir) => write_all(dir)?,
        None => crate::output::print_raw(&page(&args.command)?)?,
    }
    Ok(ExitStatus::Success)
}

/// The whole tree, built: global options propagated, every command named `ep-…`. `ep help`
/// gets no page: it prints what the pages already hold (ep(1) lists every global option).
fn tree() -> clap::Command {
    let mut cmd = Cli::command()
        .disable_help_subcommand(true)
        .mut_subcommand("help", |help| help.hide(true));
    cmd.build();
    cmd
}

/// The page of the command at `path` (`[]` for ep itself).
pub fn page(path: &[String]) -> Result<String, CliError> {
    let root = tree();
    let mut cmd = &root;
    for name in path {
        cmd = pages_of(cmd)
            .find(|c| c.get_name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = pages_of(cmd).map(|c| c.get_name()).collect();
                CliError::usage(format!(
                    "'{}' is not a command of '{}'",
                    crate::sanitize::excerpt(name),
                    cmd.get_display_name().unwrap_or("ep")
                ))
                .with_hint(format!("pages exist for: {}", known.join(", ")))
            })?;
    }
    render(cmd.clone()).map_err(|e| CliError::usage(format!("could not render the page: {e}")))
}

/// Every page, into `dir`.
fn write_all(dir: &Path) -> Result<(), CliError> {
    let failed = |e: std::io::Error| {
        CliError::usage(format!("--dir {}: {e}", dir.display()))
            .with_hint("name a directory you can write, e.g. ~/.local/share/man/man1")
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    for (name, cmd) in all_commands(&tree()) {
        let text = render(cmd).map_err(failed)?;
        std::fs::write(dir.join(format!("{name}.1")), text).map_err(failed)?;
    }
    Ok(())
}

/// Every command of the tree with its page name, the root first.
pub fn all_commands(root: &clap::Command) -> Vec<(String, clap::Command)> {
    let mut out = vec![(page_name(root), root.clone())];
    for sub in pages_of(root) {
        out.extend(all_commands(sub));
    }
    out
}

/// The subcommands of `cmd` that have a page.
fn pages_of(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|c| !c.is_hide_set())
}

fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string()
}

/// clap_mangen's page, with the help's closing sections (examples, exit status) as real man
/// sections before VERSION: clap_mangen would run their lines together into one paragraph under
/// "EXTRA".
fn render(cmd: clap::Command) -> std::io::Result<String> {
    let closing = cmd
        .get_after_long_help()
        .or_else(|| cmd.get_after_help())
        .map(|text| text.to_string());
    let bare = cmd.after_help(None::<&str>).after_long_help(None::<&str>);
    let source = format!("ep {}", bare.get_version().unwrap_or_default());
    let mut out = Vec::new();
    Man::new(bare).source(source).render(&mut out)?;
    let mut page = String::from_utf8_lossy(&out).into_owned();
    if let Some(text) = closing {
        // Each rendering starts with the same string definitions; the page has them already.
        let preamble = Roff::default().render();
        let rendered = closing_sections(&text).render();
        let sections = rendered.strip_prefix(&preamble).unwrap_or(&rendered);
        let at = page.find("\n.SH VERSION").map_or(page.len(), |i| i + 1);
        page.insert_str(at, sections);
    }
    Ok(page)
}

/// `Heading:` lines start sections; `# text` lines are prose; other lines are shown as they are
/// (commands to copy, a table of codes).
fn closing_sections(text: &str) -> Roff {
    let mut roff = Roff::default();
    let mut in_code = false;
    let end_code = |roff: &mut Roff, in_code: &mut bool| {
        if std::mem::take(in_code) {
            roff.control("fi", []).control("RE", []);
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
            end_code(&mut roff, &mut in_code);
            roff.control("SH", [heading.to_uppercase().as_str()]);
        } else if let Some(prose) = trimmed.strip_prefix("# ") {
            end_code(&mut roff, &mut in_code);
            roff.control("PP", []).text([roman(prose)]);
        } else if !trimmed.is_empty() {
            if !in_code {
                roff.control("RS", ["4"]).control("nf", []);
                in_code = true;
            }
            // Past the help's own indent, a continued command's next line keeps its indent.
            let shown = line.strip_prefix("  ").unwrap_or(trimmed).trim_end();
            roff.text([roman(shown)]);
        }
    }
    end_code(&mut roff, &mut in_code);
    roff
}
