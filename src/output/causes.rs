//! How `requests why` and the delivery section of `requests show` read.

use super::{Give, Record, TableCell};
use crate::diagnosis::{Cause, CauseGroup, DeliveryReport, ResourceRef};
use crate::eligibility::closing_label;
use crate::sanitize;
use chrono::Utc;
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

/// `sg-sales-crm-users (AadGroup)`.
pub fn resource_label(r: &ResourceRef) -> String {
    format!("{} ({})", r.display_name, r.kind)
}

/// `sg-sales-crm-users (AadGroup): the group is …`, or just the reason.
pub fn cause_label(resource: Option<&ResourceRef>, reason: &str) -> String {
    match resource {
        Some(r) => format!("{}: {reason}", resource_label(r)),
        None => reason.to_string(),
    }
}

impl Record for CauseGroup {
    /// The newest request of the group: an example to look at with `requests show`.
    fn id(&self) -> &str {
        self.requests
            .first()
            .map(String::as_str)
            .unwrap_or_default()
    }

    fn csv_header() -> &'static [&'static str] {
        &[
            "newestRequest",
            "count",
            "source",
            "resourceKind",
            "resourceId",
            "resourceDisplayName",
            "reason",
            "reprocessable",
            "firstClosing",
            "oldestRequest",
            "requests",
        ]
    }

    fn csv_row(&self) -> Vec<String> {
        let r = self.resource.as_ref();
        vec![
            self.id().to_string(),
            self.count.to_string(),
            self.source.as_str().to_string(),
            r.map(|r| r.kind.clone()).unwrap_or_default(),
            r.map(|r| r.id.clone()).unwrap_or_default(),
            r.map(|r| r.display_name.clone()).unwrap_or_default(),
            self.reason.clone(),
            self.reprocessable.to_string(),
            self.first_closing.clone().unwrap_or_default(),
            self.requests.last().cloned().unwrap_or_default(),
            self.requests.join(" "),
        ]
    }

    fn table_header() -> &'static [&'static str] {
        &[
            "NEWEST",
            "COUNT",
            "SOURCE",
            "CAUSE",
            "REPROCESSABLE",
            "OLDEST",
        ]
    }

    /// The cause is what `why` is asked for: the oldest example goes before it is cut.
    fn table_give() -> &'static [Give] {
        &[
            Give::Never,
            Give::Never,
            Give::Early(8),
            Give::Late(24),
            Give::Early(13),
            Give::Drop,
        ]
    }

    fn table_row(&self) -> Vec<TableCell> {
        let reprocessable = match self.first_closing_at {
            // Graph would take them, and nothing would change: said where the count invites it.
            Some(_) if self.reason == crate::diagnosis::GUEST_SITE_PENDING => {
                format!("{}, but reprocess cannot help", self.reprocessable)
            }
            Some(at) => format!(
                "{}, first {}",
                self.reprocessable,
                closing_label(at, Utc::now())
            ),
            None => self.reprocessable.to_string(),
        };
        let mut count = TableCell::new(self.count.to_string());
        if self.reprocessable > 0 {
            count = count.color(Color::Red);
        }
        vec![
            TableCell::id(self.id()),
            count,
            TableCell::new(self.source.label()),
            TableCell::new(cause_label(self.resource.as_ref(), &self.reason)),
            TableCell::new(reprocessable),
            match self.requests.last() {
                Some(oldest) if self.count > 1 => TableCell::id(oldest),
                _ => TableCell::new("-"),
            },
        ]
    }
}

/// A borderless table whose cells are made safe for a terminal.
fn section(header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| Cell::new(*h)));
    super::fit_to_terminal(&mut table);
    for row in rows {
        table.add_row(row.iter().map(|c| Cell::new(sanitize::line(c))));
    }
    table
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

/// The delivery section of `requests show`, for people.
pub fn delivery_text(report: &DeliveryReport) -> String {
    let mut out = String::from("\nDelivery: expected resources\n");
    out.push_str(&resources_text(report));
    if let Some(a) = &report.assignment {
        out.push_str(&format!(
            "\nAssignment: {} (status: {})\n",
            sanitize::line(a.state.as_deref().unwrap_or("-")),
            sanitize::line(a.status.as_deref().unwrap_or("-"))
        ));
    }
    let on_assignment = report.assignment.iter().flat_map(|a| a.callouts.iter());
    let calls: Vec<(&str, &crate::graph::CalloutInstance)> = report
        .custom_extensions
        .iter()
        .map(|c| ("request", c))
        .chain(on_assignment.map(|c| ("assignment", c)))
        .collect();
    if !calls.is_empty() {
        out.push_str("\nCustom extension calls\n");
        let rows = calls
            .iter()
            .map(|(on, c)| {
                vec![
                    (*on).to_string(),
                    or_dash(&c.status),
                    or_dash(&c.detail),
                    or_dash(&c.custom_extension_id),
                ]
            })
            .collect();
        out.push_str(&format!(
            "{}\n",
            section(&["ON", "STATUS", "DETAIL", "EXTENSION"], rows)
        ));
    }
    out.push_str(&audit_text(report));
    if let Some(Cause {
        resource,
        reason,
        source,
    }) = &report.cause
    {
        out.push_str(&format!(
            "\nCause: {} (source: {})\n",
            cause_label(resource.as_ref(), reason),
            source.label()
        ));
    }
    if !report.unavailable.is_empty() {
        out.push_str("\nNot read\n");
        for u in &report.unavailable {
            out.push_str(&format!("  {}\n", u.line()));
        }
    }
    out
}

fn resources_text(report: &DeliveryReport) -> String {
    if report.resources.is_empty() {
        return "  (none read)\n".into();
    }
    let rows = report
        .resources
        .iter()
        .map(|r| {
            vec![
                r.expected.resource.display_name.clone(),
                r.expected.resource.kind.clone(),
                or_dash(&r.expected.role),
                r.status
                    .clone()
                    .map_or_else(|| "-".into(), |s| format!("{s} (beta)")),
            ]
        })
        .collect();
    format!(
        "{}\n",
        section(&["RESOURCE", "KIND", "ROLE", "STATUS"], rows)
    )
}

fn audit_text(report: &DeliveryReport) -> String {
    let how = report
        .correlation
        .map(|c| format!(" (matched {})", c.describe()))
        .unwrap_or_default();
    let mut out = format!("\nAudit events{how}\n");
    if report.audit_events.is_empty() {
        out.push_str("  (none)\n");
        return out;
    }
    let rows = report
        .audit_events
        .iter()
        .map(|e| {
            vec![
                or_dash(&e.activity_date_time),
                e.activity.clone(),
                or_dash(&e.result),
                e.resource
                    .as_ref()
                    .map(resource_label)
                    .unwrap_or_else(|| "-".into()),
                e.reason
                    .clone()
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    out.push_str(&format!(
        "{}\n",
        section(&["WHEN", "ACTIVITY", "RESULT", "RESOURCE", "REASON"], rows)
    ));
    out
}
