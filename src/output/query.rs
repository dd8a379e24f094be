//! `--query`: a JMESPath expression applied to the JSON document a command prints, as az and m365
//! do, and `-o tsv`: values separated by tabs, one row per line, no header, as az writes them.

use serde_json::Value;
use std::sync::OnceLock;

/// A `--query` expression that compiled.
pub struct Query {
    expression: jmespath::Expression<'static>,
}

/// A query that does not compile, or fails on the document it is applied to.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("--query: {0}")]
    Invalid(String),
    #[error("--query failed on the output: {0}")]
    Failed(String),
}

impl Query {
    pub fn compile(text: &str) -> Result<Query, QueryError> {
        if text.trim().is_empty() {
            return Err(QueryError::Invalid("the expression is empty".into()));
        }
        jmespath::compile(text)
            .map(|expression| Query { expression })
            .map_err(|e| QueryError::Invalid(describe(&e)))
    }

    pub fn apply(&self, document: Value) -> Result<Value, QueryError> {
        let result = self
            .expression
            .search(document)
            .map_err(|e| QueryError::Failed(describe(&e)))?;
        serde_json::to_value(&*result).map_err(|e| QueryError::Failed(e.to_string()))
    }
}

/// jmespath's own message draws the expression with a caret under the fault, over several lines;
/// an error here is one line that says where.
fn describe(e: &jmespath::JmespathError) -> String {
    let reason = e.reason.to_string();
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{reason} (at character {} of the expression)", e.column + 1)
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query")
            .field(&self.expression.as_str())
            .finish()
    }
}

/// How a query's result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    Json,
    Tsv,
}

/// The query every JSON document on stdout goes through, and how its result is printed.
#[derive(Debug)]
pub struct Projection {
    pub query: Query,
    pub render: Render,
}

/// Set once, before anything is printed: like diag's verbosity it is a property of the run's
/// stdout, and every place that prints a JSON document obeys it without being handed it.
static PROJECTION: OnceLock<Projection> = OnceLock::new();

/// Make `projection` apply to every JSON document this run prints. A second call changes
/// nothing: one run has one `--query`.
pub fn project_output(projection: Projection) {
    let _ = PROJECTION.set(projection);
}

pub(super) fn active() -> Option<&'static Projection> {
    PROJECTION.get()
}

impl Projection {
    /// The text that stands for `document`: the query's result as pretty JSON or as TSV.
    pub(super) fn render(&self, document: Value) -> Result<String, QueryError> {
        let result = self.query.apply(document)?;
        Ok(match self.render {
            Render::Json => {
                let mut text = serde_json::to_string_pretty(&result)
                    .map_err(|e| QueryError::Failed(e.to_string()))?;
                text.push('\n');
                text
            }
            Render::Tsv => tsv_document(&result),
        })
    }
}

/// A JSON value as az prints it with `-o tsv`: an array is one row per element, anything else
/// one row; null prints nothing, so `x=$(… -o tsv)` is empty when the query found nothing.
pub fn tsv_document(value: &Value) -> String {
    let rows: Vec<&Value> = match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut text = String::new();
    for row in rows {
        text.push_str(&tsv_row(row));
        text.push('\n');
    }
    text
}

/// An object's values in the order of its keys (JMESPath objects are ordered by key; a list,
/// `[id, state]`, chooses the order), an array's elements in order, or one value.
fn tsv_row(value: &Value) -> String {
    let cells: Vec<String> = match value {
        Value::Object(map) => map.values().map(tsv_cell).collect(),
        Value::Array(items) => items.iter().map(tsv_cell).collect(),
        other => vec![tsv_cell(other)],
    };
    cells.join("\t")
}

/// One value as a cell: text as it is, numbers and booleans as JSON writes them, null empty, and a
/// nested object or array as compact JSON. Control characters are shown as escapes (`\t`,
/// `\n`), so a row is one line and every tab separates cells.
pub fn tsv_cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        nested => nested.to_string(),
    };
    crate::sanitize::line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "dryRun": true,
            "counts": {"selected": 2},
            "results": [
                {"id": "a", "outcome": "would-reprocess"},
                {"id": "b", "outcome": "skipped", "reason": "state delivered"}
            ]
        })
    }

    #[test]
    fn a_query_picks_and_reshapes() {
        let q = Query::compile("results[?outcome=='skipped'].[id, reason]").unwrap();
        assert_eq!(q.apply(doc()).unwrap(), json!([["b", "state delivered"]]));
        let q = Query::compile("counts.selected").unwrap();
        assert_eq!(q.apply(doc()).unwrap(), json!(2));
    }

    #[test]
    fn bad_expressions_are_one_line_errors() {
        for bad in ["results[", "", "  ", "foo(", "results[?id=="] {
            let e = Query::compile(bad).err().unwrap();
            let text = e.to_string();
            assert!(text.starts_with("--query: "), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
        let q = Query::compile("sum(results)").unwrap();
        let e = q.apply(doc()).unwrap_err();
        assert!(
            e.to_string().starts_with("--query failed on the output: "),
            "{e}"
        );
    }

    #[test]
    fn tsv_is_one_row_per_element_without_a_header() {
        assert_eq!(
            tsv_document(&json!([["a", 1, true, null], {"state": "x", "id": "b"}, "c"])),
            "a\t1\ttrue\t\nb\tx\nc\n"
        );
        assert_eq!(tsv_document(&json!("only")), "only\n");
        assert_eq!(tsv_document(&Value::Null), "");
        assert_eq!(tsv_document(&json!([])), "");
        assert_eq!(
            tsv_document(&json!([{"id": "a", "error": {"status": 404}, "tags": [1, 2]}])),
            "{\"status\":404}\ta\t[1,2]\n",
            "an object's values in the order of its keys"
        );
    }

    #[test]
    fn tsv_cells_never_split_a_row() {
        assert_eq!(tsv_cell(&json!("tab\there\nnew")), "tab\\there\\nnew");
        assert_eq!(
            tsv_cell(&json!("evil\u{1b}]0;x\u{7}")),
            "evil\\x1b]0;x\\x07"
        );
    }
}
