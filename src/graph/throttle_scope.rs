//! Which of Graph's throttling limits a request counts against, told from its URL path.
//!
//! Graph throttles per service. The entitlement-management APIs have no published limit (ep
//! learns their rate); the audit log belongs to "identity and access reports", documented at
//! five requests per 10 seconds per app per tenant (and 122 per 10 seconds per app across
//! tenants): <https://learn.microsoft.com/graph/throttling-limits#identity-and-access-reports-service-limits>.
//! A client that paces both with one rate either starves the fast one or overruns the slow one;
//! this is where a pacer can tell them apart.

use std::time::Duration;

/// A throttling limit Graph applies to a group of paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThrottleScope {
    /// `/identityGovernance/entitlementManagement/...` and anything not listed below.
    EntitlementManagement,
    /// `/auditLogs/...`: the identity and access reports limit.
    AuditLog,
}

/// The documented limit of a scope, when Graph publishes one: (requests, per period).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u32,
    pub per: Duration,
}

/// "Five requests per 10 seconds" per app per tenant, for `/auditLogs`.
pub const AUDIT_LOG_LIMIT: Limit = Limit {
    requests: 5,
    per: Duration::from_secs(10),
};

impl ThrottleScope {
    pub fn documented_limit(self) -> Option<Limit> {
        match self {
            ThrottleScope::EntitlementManagement => None,
            ThrottleScope::AuditLog => Some(AUDIT_LOG_LIMIT),
        }
    }
}

/// The scope of a URL path such as `/v1.0/auditLogs/directoryAudits` (a Graph root with a path
/// prefix, `/proxy/graph/beta/auditLogs/...`, works too: the segment after the version decides).
pub fn throttle_scope(path: &str) -> ThrottleScope {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let after_version = segments
        .by_ref()
        .find(|s| s.eq_ignore_ascii_case("v1.0") || s.eq_ignore_ascii_case("beta"))
        .and_then(|_| segments.next());
    match after_version {
        Some(s) if s.eq_ignore_ascii_case("auditLogs") => ThrottleScope::AuditLog,
        _ => ThrottleScope::EntitlementManagement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_paths_have_their_own_documented_limit() {
        for path in [
            "/v1.0/auditLogs/directoryAudits",
            "/beta/auditlogs/directoryAudits/x",
            "/proxy/graph/v1.0/auditLogs/directoryAudits",
        ] {
            assert_eq!(throttle_scope(path), ThrottleScope::AuditLog, "{path}");
        }
        for path in [
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
            "/v1.0/$batch",
            "/auditLogs/directoryAudits",
            "",
        ] {
            assert_eq!(
                throttle_scope(path),
                ThrottleScope::EntitlementManagement,
                "{path}"
            );
        }
        assert_eq!(
            ThrottleScope::AuditLog.documented_limit(),
            Some(AUDIT_LOG_LIMIT)
        );
        assert_eq!(
            ThrottleScope::EntitlementManagement.documented_limit(),
            None
        );
    }
}
