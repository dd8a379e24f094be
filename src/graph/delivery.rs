//! What Graph tells about a request's delivery, and the calls that read it.
//!
//! - A package's expected resources: `accessPackages/{id}?$expand=resourceRoleScopes($expand=role,scope)`
//!   (beta: `accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)`),
//!   <https://learn.microsoft.com/graph/api/accesspackage-list-resourcerolescopes>. A root scope
//!   is named "Root", so the resources' own names come from the catalog:
//!   `catalogs/{id}/resources` (beta `accessPackageCatalogs/{id}/accessPackageResources`),
//!   <https://learn.microsoft.com/graph/api/accesspackagecatalog-list-resources>.
//! - Which resource was delivered (beta only): `accessPackageAssignments/{id}/accessPackageAssignmentResourceRoles`,
//!   each with `originSystem`, `originId` and `status` `PendingFulfillment` or `Fulfilled`,
//!   <https://learn.microsoft.com/graph/api/resources/accesspackageassignmentresourcerole?view=graph-rest-beta>.
//!   For a SharePoint site the role's `originId` is only a sequence number, so the scope is
//!   expanded too: its `originId` is the resource's.
//! - The request's custom extension calls (`customExtensionCalloutInstances`, v1.0 and beta).
//! - The audit log, `auditLogs/directoryAudits` (needs AuditLog.Read.All; kept 30 days; five
//!   requests per 10 seconds per app per tenant), filtered as its resource page documents:
//!   `activityDisplayName eq`, `activityDateTime ge`/`le`, and for one request
//!   `targetResources/any(t: t/id eq '…')` ("Supports $filter (eq) for id and displayName"),
//!   <https://learn.microsoft.com/graph/api/directoryaudit-list>,
//!   <https://learn.microsoft.com/graph/api/resources/directoryaudit>. The entitlement
//!   management activity names are those of
//!   <https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities>.

use super::model::{WireRequest, parse_timestamp};
use super::{
    AccessPackage, ApiVersion, AssignmentRequest, EM, GraphClient, GraphError, Method, Target,
    paging, parse_json, query,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// The audit activities that say why a delivery failed: a resource that could not be delivered,
/// and a request that failed or was delivered only in part.
pub mod audit_activities {
    pub const RESOURCE: &str = "Fulfill access package resource assignment";
    pub const FAILED: &str = "Failed access package assignment request";
    pub const PARTIAL: &str = "Partially fulfill access package assignment request";
}

/// One role of one resource that an access package delivers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleScope {
    pub id: Option<String>,
    #[serde(alias = "accessPackageResourceRole")]
    pub role: Option<ResourceRole>,
    #[serde(alias = "accessPackageResourceScope")]
    pub scope: Option<ResourceScope>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRole {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceScope {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
    pub is_root_scope: Option<bool>,
    /// beta: the scope's resource, when expanded (`accessPackageResourceScope($expand=
    /// accessPackageResource)`): its name, where the scope itself says only "Root".
    pub access_package_resource: Option<CatalogResource>,
}

/// A resource of a catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogResource {
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub origin_system: Option<String>,
    pub origin_id: Option<String>,
}

/// beta `accessPackageAssignmentResourceRole`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentResourceRole {
    pub id: Option<String>,
    pub origin_id: Option<String>,
    pub origin_system: Option<String>,
    pub status: Option<String>,
    pub access_package_resource_scope: Option<ResourceScope>,
}

impl AssignmentResourceRole {
    pub fn fulfilled(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("Fulfilled"))
    }
}

/// One `directoryAudit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: String,
    pub activity: String,
    #[serde(skip)]
    pub at: Option<DateTime<Utc>>,
    pub result: Option<String>,
    pub reason: Option<String>,
    pub correlation_id: Option<String>,
    pub targets: Vec<AuditTarget>,
}

impl AuditEvent {
    pub fn failed(&self) -> bool {
        self.result
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("failure") || r.eq_ignore_ascii_case("timeout"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditTarget {
    pub id: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "type", alias = "Type")]
    pub kind: Option<String>,
    pub user_principal_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAuditEvent {
    id: Option<String>,
    activity_display_name: Option<String>,
    activity_date_time: Option<String>,
    result: Option<String>,
    result_reason: Option<String>,
    correlation_id: Option<String>,
    target_resources: Option<Vec<AuditTarget>>,
}

impl From<WireAuditEvent> for AuditEvent {
    fn from(w: WireAuditEvent) -> Self {
        AuditEvent {
            id: w.id.unwrap_or_default(),
            activity: w.activity_display_name.unwrap_or_default(),
            at: w.activity_date_time.as_deref().and_then(parse_timestamp),
            result: w.result,
            reason: w.result_reason,
            correlation_id: w.correlation_id,
            targets: w.target_resources.unwrap_or_default(),
        }
    }
}

/// One request with what only a single read gives: its callouts and its assignment's id.
#[derive(Debug, Clone)]
pub struct RequestDetail {
    pub request: AssignmentRequest,
    pub assignment_id: Option<String>,
}

/// A package with its catalog and the role scopes it delivers.
#[derive(Debug, Clone)]
pub struct PackageDelivery {
    pub package: AccessPackage,
    pub role_scopes: Vec<RoleScope>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePackageDelivery {
    #[serde(flatten)]
    package: super::model::WirePackage,
    #[serde(alias = "accessPackageResourceRoleScopes")]
    resource_role_scopes: Option<Vec<RoleScope>>,
}

impl GraphClient {
    /// One request with its callouts and its assignment (every request read expands it).
    pub async fn get_request_detail(&self, id: &str) -> Result<RequestDetail, GraphError> {
        let path = self.request_path(id, None);
        let response = self
            .execute(Method::GET, Target::Relative(path.clone()), true)
            .await?;
        let wire: WireRequest = parse_json(&path, &response.body)?;
        let request: AssignmentRequest = wire.into();
        Ok(RequestDetail {
            assignment_id: request.assignment.as_ref().and_then(|a| a.id.clone()),
            request,
        })
    }

    /// A package with its catalog and its resource role scopes, role and scope expanded.
    pub async fn get_package_delivery(&self, id: &str) -> Result<PackageDelivery, GraphError> {
        let expand = match self.version {
            ApiVersion::V1 => "catalog,resourceRoleScopes($expand=role,scope)",
            ApiVersion::Beta => {
                "accessPackageCatalog,accessPackageResourceRoleScopes($expand=accessPackageResourceRole,accessPackageResourceScope)"
            }
        };
        let mut url = self.url(&format!("{EM}/accessPackages/{}", query::segment(id)));
        query::set_query(&mut url, &[("$expand", expand)]);
        let response = self
            .execute(Method::GET, Target::Absolute(url.clone()), true)
            .await?;
        let wire: WirePackageDelivery = parse_json(url.as_str(), &response.body)?;
        Ok(PackageDelivery {
            package: wire.package.into(),
            role_scopes: wire.resource_role_scopes.unwrap_or_default(),
        })
    }

    /// Every resource of a catalog.
    pub async fn list_catalog_resources(
        &self,
        catalog_id: &str,
    ) -> Result<Vec<CatalogResource>, GraphError> {
        let path = match self.version {
            ApiVersion::V1 => format!("{EM}/catalogs/{}/resources", query::segment(catalog_id)),
            ApiVersion::Beta => format!(
                "{EM}/accessPackageCatalogs/{}/accessPackageResources",
                query::segment(catalog_id)
            ),
        };
        self.collect(self.url(&path), |_: &CatalogResource| true)
            .await
    }

    /// beta: each resource role of an assignment with its fulfilment status.
    pub async fn assignment_resource_roles(
        &self,
        assignment_id: &str,
    ) -> Result<Vec<AssignmentResourceRole>, GraphError> {
        let mut url = self.url_for(
            ApiVersion::Beta,
            &format!(
                "{EM}/accessPackageAssignments/{}/accessPackageAssignmentResourceRoles",
                query::segment(assignment_id)
            ),
        );
        // The scope's resource too: a role whose resource left the package since is named by it,
        // not by its role or scope ids.
        query::set_query(
            &mut url,
            &[(
                "$expand",
                "accessPackageResourceScope($expand=accessPackageResource)",
            )],
        );
        self.collect(url, |_: &AssignmentResourceRole| true).await
    }

    /// The audit events of one activity between `from` and `to`: one query, every page. A
    /// server that refuses the documented combination of clauses (400) is asked for the
    /// activity alone, and the time is checked here.
    pub async fn list_audit_events(
        &self,
        activity: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AuditEvent>, GraphError> {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let by_activity = format!("activityDisplayName eq {}", super::odata_string(activity));
        let combined = format!(
            "{by_activity} and activityDateTime ge {} and activityDateTime le {}",
            at(from),
            at(to)
        );
        let in_range = |e: &AuditEvent| e.at.is_none_or(|t| t >= from && t <= to);
        let wanted = |e: &AuditEvent| e.activity.eq_ignore_ascii_case(activity) && in_range(e);
        match self.audit_query(&combined, wanted).await {
            Err(e) if e.status() == Some(400) => {
                super::diag::trace(
                    1,
                    format!("the audit log refused a combined filter, asking by activity: {e}"),
                );
                self.audit_query(&by_activity, wanted).await
            }
            other => other,
        }
    }

    /// Every audit event that names `target_id` among its `targetResources`, of any activity,
    /// optionally within `from`..`to`: one query for one request (or one requestor), where the
    /// activity queries would page through everyone's events. A server that refuses the time
    /// clauses next to the lambda (400) is asked for the lambda alone, and the time is checked
    /// here.
    pub async fn list_audit_events_naming(
        &self,
        target_id: &str,
        within: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<AuditEvent>, GraphError> {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let naming = format!(
            "targetResources/any(t: t/id eq {})",
            super::odata_string(target_id)
        );
        let in_range = |e: &AuditEvent| {
            within.is_none_or(|(from, to)| e.at.is_none_or(|t| t >= from && t <= to))
        };
        let Some((from, to)) = within else {
            return self.audit_query(&naming, in_range).await;
        };
        let combined = format!(
            "{naming} and activityDateTime ge {} and activityDateTime le {}",
            at(from),
            at(to)
        );
        match self.audit_query(&combined, in_range).await {
            Err(e) if e.status() == Some(400) => {
                super::diag::trace(
                    1,
                    format!("the audit log refused a combined filter, asking by target: {e}"),
                );
                self.audit_query(&naming, in_range).await
            }
            other => other,
        }
    }

    async fn audit_query(
        &self,
        filter: &str,
        keep: impl Fn(&AuditEvent) -> bool,
    ) -> Result<Vec<AuditEvent>, GraphError> {
        let mut url = self.url("/auditLogs/directoryAudits");
        query::set_query(&mut url, &[("$filter", filter)]);
        let mut guard = paging::PageGuard::default();
        let mut next = Some(url);
        let mut events = Vec::new();
        while let Some(url) = next {
            let page = self.get_page::<WireAuditEvent>(url).await?;
            guard.check(page.values.len(), page.next.as_ref())?;
            events.extend(page.values.into_iter().map(AuditEvent::from).filter(&keep));
            next = page.next;
        }
        Ok(events)
    }

    /// Every item of a collection, page after page.
    async fn collect<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, GraphError> {
        let mut guard = paging::PageGuard::default();
        let mut next = Some(url);
        let mut items = Vec::new();
        while let Some(url) = next {
            let page = self.get_page::<T>(url).await?;
            guard.check(page.values.len(), page.next.as_ref())?;
            items.extend(page.values.into_iter().filter(&keep));
            next = page.next;
        }
        Ok(items)
    }
}
