//! Property tests for every parser of what a Graph server sends: collection pages, items, error
//! bodies, `Retry-After`, and the path segments built from server ids. Each must turn any input
//! into a typed value or a typed error, never a panic. (`$batch` answers: `batch.rs`.)

use super::model::{WirePackage, WireRequest};
use super::paging::{PageGuard, server_guid};
use super::{AssignmentRequest, WirePage, decode_error, query, retry};
use proptest::prelude::*;
use serde_json::{Value, json};

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        "[0-9T:.Z+-]{0,35}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let key = prop_oneof![
            Just("value".to_string()),
            Just("@odata.nextLink".to_string()),
            Just("id".to_string()),
            Just("state".to_string()),
            Just("requestState".to_string()),
            Just("completedDateTime".to_string()),
            Just("completedDate".to_string()),
            Just("accessPackage".to_string()),
            Just("requestor".to_string()),
            Just("error".to_string()),
            Just("code".to_string()),
            Just("message".to_string()),
            ".{0,10}".prop_map(|s| s),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn pages_and_items_parse_or_fail_cleanly(doc in arbitrary_json(), raw in prop::collection::vec(any::<u8>(), 0..200)) {
        for bytes in [doc.to_string().into_bytes(), raw] {
            if let Ok(page) = serde_json::from_slice::<WirePage<WireRequest>>(&bytes) {
                for item in page.value.unwrap_or_default() {
                    let request: AssignmentRequest = item.into();
                    let _ = server_guid(&request.id);
                }
            }
            let _ = serde_json::from_slice::<WirePage<WirePackage>>(&bytes);
        }
    }

    #[test]
    fn error_bodies_decode_to_a_typed_error(
        status in any::<u16>(),
        content_type in prop::option::of(".{0,40}"),
        doc in arbitrary_json(),
        raw in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        for body in [doc.to_string().into_bytes(), raw] {
            let e = decode_error(status, content_type.as_deref(), &body, None, None);
            let _ = (e.to_string(), crate::error::graph_exit(&e), e.hint());
        }
    }

    #[test]
    fn retry_after_never_panics(value in prop_oneof![".{0,40}", "[0-9eE.+-]{1,40}", "-?[0-9]{1,400}"]) {
        if let Some(d) = crate::http::parse_retry_after(&value) {
            let policy = retry::RetryPolicy::default();
            let mut tries = retry::Tries::default();
            let err = super::GraphError::Api {
                status: 429,
                code: String::new(),
                message: String::new(),
                request_id: None,
                retry_after: Some(d),
            };
            if let Some(wait) = policy.retry_delay(&err, &mut tries, true) {
                prop_assert!(wait <= policy.max_wait);
            } else {
                let _ = policy.give_up(err, &tries).to_string();
            }
        }
    }

    #[test]
    fn a_segment_never_leaves_its_place(id in ".{0,60}") {
        let s = query::segment(&id);
        prop_assert!(!s.contains(['/', '?', '#', '\\']));
        prop_assert!(s.chars().all(|c| c.is_ascii_graphic()));
        prop_assert!(s != "." && s != "..");
        if server_guid(&id).is_some() {
            prop_assert_eq!(s, id);
        }
    }

    #[test]
    fn page_guards_end_every_stream(links in prop::collection::vec("[a-c]{1,2}", 1..400), sizes in prop::collection::vec(0usize..3, 1..400)) {
        let mut guard = PageGuard::default();
        let mut seen = std::collections::HashSet::new();
        for (link, size) in links.iter().zip(sizes.iter().cycle()) {
            let url = url::Url::parse(&format!("https://graph.microsoft.com/v1.0/x?t={link}")).unwrap();
            let fresh = seen.insert(link.clone());
            let ok = guard.check(*size, Some(&url)).is_ok();
            if !fresh {
                prop_assert!(!ok, "a repeated link is refused");
                break;
            }
            if !ok {
                break;
            }
        }
    }
}
