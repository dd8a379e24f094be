//! Requests held until a custom extension calls back, and Graph's `resume` action.
//!
//! From Graph's documents: a policy's custom extension can make request processing wait for the
//! extension's callback; such a request's status (`requestStatus` in beta, `status` in v1.0) is
//! `WaitingForCallback`, and the call waited on is the `customExtensionCalloutInstance` whose
//! status is `waitingForCallback`. `POST …/assignmentRequests/{id}/resume` (Content-Type
//! `application/json`, required) takes `source` (String), `type` (the stage,
//! `microsoft.graph.accessPackageCustomExtensionStage.<member>`, one of the four documented) and
//! `data`, an `accessPackageAssignmentRequestCallbackData` (`stage`,
//! `customExtensionStageInstanceId` — the callout's id —, `customExtensionStageInstanceDetail`,
//! and `state`, "Denied and Canceled ... only for an assignmentRequestCreated stage"), and
//! answers `204 No Content`.
//!
//! The documents give no errors for resume. As everywhere in this emulator, where they are
//! silent the answer is the least forgiving plausible one: a request that is not waiting, a
//! body that names another callout or stage, an unknown property, a missing `type` or `data`
//! are all `400 BadRequest`; an unknown request is `404`, an id that is not a GUID `400`.

use serde_json::{Map, Value, json};

use super::model::{RequestState, StoredRequest};

/// The stages at which this emulator's extensions wait: when the request is created (before
/// approval, the request `submitted`) and when it is approved (before anything is granted, the
/// request still `pendingApproval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallbackStage {
    Created,
    Approved,
}

/// The stage members the resume doc lists for `type`.
const DOCUMENTED_STAGES: [&str; 4] = [
    "assignmentRequestCreated",
    "assignmentRequestApproved",
    "assignmentRequestGranted",
    "assignmentRequestRemoved",
];

const STAGE_ENUM: &str = "microsoft.graph.accessPackageCustomExtensionStage.";
const CALLBACK_DATA: &str = "microsoft.graph.accessPackageAssignmentRequestCallbackData";

impl CallbackStage {
    pub(crate) fn member(self) -> &'static str {
        match self {
            CallbackStage::Created => "assignmentRequestCreated",
            CallbackStage::Approved => "assignmentRequestApproved",
        }
    }

    /// The request state a request waiting at this stage shows.
    pub(crate) fn state(self) -> RequestState {
        match self {
            CallbackStage::Created => RequestState::Submitted,
            CallbackStage::Approved => RequestState::PendingApproval,
        }
    }
}

/// A callout whose callback is awaited, or was received through `resume`.
#[derive(Debug, Clone)]
pub(crate) struct PendingCallback {
    pub(crate) callout_id: String,
    pub(crate) custom_extension_id: String,
    pub(crate) correlation_id: String,
    pub(crate) stage: CallbackStage,
    /// `Some` once resumed: the callback's detail, if it gave one.
    pub(crate) received: Option<Option<String>>,
}

impl PendingCallback {
    pub(crate) fn waiting(&self) -> bool {
        self.received.is_none()
    }

    fn render(&self) -> Value {
        let (status, detail) = match &self.received {
            None => ("waitingForCallback", Value::Null),
            Some(detail) => ("callbackReceived", json!(detail)),
        };
        json!({
            "id": self.callout_id,
            "customExtensionId": self.custom_extension_id,
            "externalCorrelationId": self.correlation_id,
            "detail": detail,
            "status": status,
        })
    }
}

/// A rendered request, with its status and callout as they stand while a callback is awaited
/// (or once it was received). Only properties already in the object (`$select`) are touched.
pub(crate) fn patch_request(r: &StoredRequest, o: &mut Map<String, Value>) {
    let Some(cb) = &r.callback else { return };
    if cb.waiting() {
        for key in ["status", "requestStatus"] {
            if let Some(slot) = o.get_mut(key) {
                *slot = json!("WaitingForCallback");
            }
        }
    }
    if let Some(Value::Array(items)) = o.get_mut("customExtensionCalloutInstances") {
        items.push(cb.render());
    }
}

/// What an accepted resume does to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resumed {
    /// Processing goes on: approval and delivery follow.
    GoOn,
    /// The extension denied or cancelled the request.
    Ends(RequestState),
}

/// A resume refused, as Graph's error body carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(pub(crate) String);

/// Check a resume of `r` with `body` against the documents; what it does when accepted.
pub(crate) fn check(
    r: &StoredRequest,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(Resumed, Option<String>), Refusal> {
    let refuse = |m: String| Err(Refusal(m));
    let json_type = content_type.is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json_type {
        return refuse("The Content-Type header must be application/json.".into());
    }
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(body) else {
        return refuse("The request body must be a JSON object with source, type and data.".into());
    };
    if let Some(k) = doc
        .keys()
        .find(|k| !["source", "type", "data"].contains(&k.as_str()))
    {
        return refuse(format!(
            "The parameter '{k}' is not a parameter of the action 'resume'."
        ));
    }
    if doc
        .get("source")
        .is_some_and(|s| !s.is_string() && !s.is_null())
    {
        return refuse("The parameter 'source' must be a string.".into());
    }
    let Some(Value::String(kind)) = doc.get("type") else {
        return refuse("The parameter 'type' is required and must be a string.".into());
    };
    let Some(type_stage) = kind
        .strip_prefix(STAGE_ENUM)
        .filter(|m| DOCUMENTED_STAGES.contains(m))
    else {
        return refuse(format!(
            "The parameter 'type' must be one of {STAGE_ENUM}{{{}}}.",
            DOCUMENTED_STAGES.join(", ")
        ));
    };
    let Some(Value::Object(data)) = doc.get("data") else {
        return refuse("The parameter 'data' is required and must be an object.".into());
    };
    let allowed = [
        "@odata.type",
        "stage",
        "customExtensionStageInstanceId",
        "customExtensionStageInstanceDetail",
        "state",
    ];
    if let Some(k) = data.keys().find(|k| !allowed.contains(&k.as_str())) {
        return refuse(format!(
            "The property '{k}' does not exist on type '{CALLBACK_DATA}'."
        ));
    }
    let odata_type = data.get("@odata.type").and_then(Value::as_str);
    if odata_type.map(|t| t.trim_start_matches('#')) != Some(CALLBACK_DATA) {
        return refuse(format!("'data' must have @odata.type '{CALLBACK_DATA}'."));
    }
    let Some(stage) = data.get("stage").and_then(Value::as_str) else {
        return refuse("'data.stage' is required.".into());
    };
    if !stage.eq_ignore_ascii_case(type_stage) {
        return refuse(format!(
            "'data.stage' ({stage}) does not match the stage in 'type' ({type_stage})."
        ));
    }
    let Some(instance) = data
        .get("customExtensionStageInstanceId")
        .and_then(Value::as_str)
    else {
        return refuse("'data.customExtensionStageInstanceId' is required.".into());
    };
    let detail = match data.get("customExtensionStageInstanceDetail") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => {
            return refuse("'data.customExtensionStageInstanceDetail' must be a string.".into());
        }
    };
    let id = &r.id;
    let cb = match &r.callback {
        Some(cb) if cb.waiting() => cb,
        _ => {
            return refuse(format!(
                "The request '{id}' is not waiting for a callback from a custom extension (state {}).",
                r.state.v1()
            ));
        }
    };
    if !instance.eq_ignore_ascii_case(&cb.callout_id) {
        return refuse(format!(
            "The request '{id}' has no custom extension callout '{instance}' waiting for a callback."
        ));
    }
    if !type_stage.eq_ignore_ascii_case(cb.stage.member()) {
        return refuse(format!(
            "The request '{id}' is waiting for a callback at stage {}, not {type_stage}.",
            cb.stage.member()
        ));
    }
    let resumed = match data.get("state") {
        None | Some(Value::Null) => Resumed::GoOn,
        Some(Value::String(s)) if cb.stage != CallbackStage::Created => {
            return refuse(format!(
                "'data.state' ({s}) can only be set for an assignmentRequestCreated stage."
            ));
        }
        Some(Value::String(s)) if s.eq_ignore_ascii_case("denied") => {
            Resumed::Ends(RequestState::Denied)
        }
        Some(Value::String(s))
            if s.eq_ignore_ascii_case("canceled") || s.eq_ignore_ascii_case("cancelled") =>
        {
            Resumed::Ends(RequestState::Canceled)
        }
        Some(other) => {
            return refuse(format!(
                "'data.state' must be Denied or Canceled, not {other}."
            ));
        }
    };
    Ok((resumed, detail))
}
