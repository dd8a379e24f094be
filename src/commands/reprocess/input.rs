//! Request ids from arguments and stdin: decoded, validated and de-duplicated before any call.

use crate::commands::parse_guid;
use crate::error::CliError;
use crate::sanitize::excerpt;

/// Stdin is read whole before anything is sent, up to this much (1.7 million ids).
const MAX_STDIN_BYTES: usize = 64 * 1024 * 1024;

/// A line longer than this is not an id with a comment: it is refused without being repeated.
const MAX_LINE_CHARS: usize = 4096;

/// Ids from the command line and/or stdin: validated and de-duplicated before any call.
pub(in crate::commands) async fn collect_ids(
    mut ids: Vec<String>,
    stdin: bool,
) -> Result<Vec<String>, CliError> {
    if stdin {
        let bytes = read_stdin().await?;
        let from_stdin = ids_from_input(&decode_text(&bytes)?)?;
        if from_stdin.is_empty() && ids.is_empty() {
            return Err(CliError::usage("no request ids on stdin").with_hint(
                "pipe ids one per line, or ep's own -o json, ndjson or csv, e.g. \
                 ep requests list --package X --reprocessable -o ids | ep reprocess -",
            ));
        }
        ids.extend(from_stdin);
    }
    let mut seen = std::collections::HashSet::new();
    let mut unique = Vec::with_capacity(ids.len());
    for raw in ids {
        let id = parse_guid(&raw, "request id")?;
        if seen.insert(id.clone()) {
            unique.push(id);
        }
    }
    Ok(unique)
}

async fn read_stdin() -> Result<Vec<u8>, CliError> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    tokio::io::stdin()
        .take(MAX_STDIN_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| CliError::usage(format!("could not read ids from stdin: {e}")))?;
    if bytes.len() > MAX_STDIN_BYTES {
        return Err(CliError::usage(format!(
            "more than {} MiB on stdin: that is not a list of request ids",
            MAX_STDIN_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

const ENCODING_HINT: &str = "save the ids as UTF-8 text, one per line (PowerShell: \
    '... | Out-File -Encoding utf8 ids.txt', then 'Get-Content ids.txt | ep reprocess -')";

/// Stdin as text. Windows tools write byte-order marks: UTF-8's is dropped, UTF-16 (what
/// PowerShell 5.1's `>` writes) is decoded, anything else must be UTF-8. Refusals name the
/// encoding found rather than quote bytes that are not text.
pub(super) fn decode_text(bytes: &[u8]) -> Result<String, CliError> {
    let refuse = |what: String| CliError::usage(what).with_hint(ENCODING_HINT);
    let utf16 = |body: &[u8], name: &str, unit: fn([u8; 2]) -> u16| {
        if body.len() % 2 != 0 {
            return Err(refuse(format!(
                "stdin is {name} (it starts with that byte-order mark) but ends in half a character"
            )));
        }
        let units = body.chunks_exact(2).map(|c| unit([c[0], c[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| {
                refuse(format!(
                    "stdin starts with a {name} byte-order mark but is not valid {name}"
                ))
            })
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            std::str::from_utf8(rest).map(str::to_string).map_err(|e| {
                refuse(format!(
                    "stdin starts with a UTF-8 byte-order mark but is not UTF-8 ({e})"
                ))
            })
        }
        [0xFF, 0xFE, 0, 0, ..] | [0, 0, 0xFE, 0xFF, ..] => Err(refuse(
            "stdin is UTF-32 text, which ep does not read".into(),
        )),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, "UTF-16LE", u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, "UTF-16BE", u16::from_be_bytes),
        _ => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            let nul = bytes.iter().take(64).filter(|b| **b == 0).count();
            if nul >= 2 {
                refuse(
                    "stdin looks like UTF-16 without a byte-order mark; ep reads UTF-8 \
                        (or UTF-16 with its byte-order mark)"
                        .into(),
                )
            } else {
                refuse(format!("stdin is not UTF-8 text ({e})"))
            }
        }),
    }
}

/// What stdin holds, told from its first line that is not blank or a `#` comment.
#[derive(Debug, PartialEq, Eq)]
enum Shape {
    /// Ids one per line (`-o ids`, a file someone keeps), or `-o tsv` rows, id first.
    Lines,
    /// JSON documents or JSON lines: `-o json`, `-o ndjson`, a `--query` result.
    Json,
    /// Comma-separated values whose header names an `id` column: `-o csv`, a spreadsheet.
    Csv,
}

fn shape(text: &str) -> (Shape, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if content.is_empty() || content.starts_with('#') {
            offset += line.len();
            continue;
        }
        let kind = if content.starts_with(['{', '[']) {
            Shape::Json
        } else if csv_header_names_id(content) {
            Shape::Csv
        } else {
            Shape::Lines
        };
        return (kind, offset);
    }
    (Shape::Lines, offset)
}

/// A header line with an `id` column (ep's csv starts `id,`; other tools may quote it or put it
/// elsewhere). A line of ids never has a field that is just `id`.
fn csv_header_names_id(line: &str) -> bool {
    line.split(',')
        .map(|field| field.trim().trim_matches('"').trim())
        .any(|field| field.eq_ignore_ascii_case("id"))
}

/// The ids in stdin's text, whatever ep wrote it as: ids one per line (`#` comments and blank
/// lines ignored), `-o tsv` rows, `-o json` or `-o ndjson` (each record's `id`; a reprocess
/// summary's `results`; `requests why`'s `groups`), or `-o csv` (its `id` column).
pub(super) fn ids_from_input(text: &str) -> Result<Vec<String>, CliError> {
    match shape(text) {
        (Shape::Json, offset) => ids_from_json(&text[offset..]),
        (Shape::Csv, offset) => ids_from_csv(&text[offset..], text[..offset].lines().count()),
        (Shape::Lines, _) => ids_from_text(text),
    }
}

/// Every JSON value on stdin, one document or many (JSON lines), each holding ids.
fn ids_from_json(text: &str) -> Result<Vec<String>, CliError> {
    let mut ids = Vec::new();
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let documents = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    for (n, document) in documents.enumerate() {
        let document = document.map_err(|e| {
            CliError::usage(format!("stdin is not valid JSON: {e}")).with_hint(JSON_HINT)
        })?;
        ids_in_document(&document, &mut ids).map_err(|what| {
            CliError::usage(format!("stdin JSON document {}: {what}", n + 1)).with_hint(JSON_HINT)
        })?;
    }
    Ok(ids)
}

const JSON_HINT: &str = "ep reads its own -o json and -o ndjson: request records, a reprocess \
    summary's results, requests why's groups, or an array of ids";

/// The ids one JSON document holds, or what is wrong with it.
fn ids_in_document(document: &serde_json::Value, ids: &mut Vec<String>) -> Result<(), String> {
    use serde_json::Value;
    let push = |ids: &mut Vec<String>, raw: &str| -> Result<(), String> {
        ids.push(parse_guid(raw, "request id").map_err(|e| e.message)?);
        Ok(())
    };
    let list = |ids: &mut Vec<String>, items: &[Value], what: &str| -> Result<(), String> {
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(raw) => push(ids, raw),
                Value::Object(fields) => match fields.get("id") {
                    Some(Value::String(raw)) => push(ids, raw),
                    _ => Err(format!("{what} {} has no \"id\" string", i + 1)),
                },
                _ => Err(format!(
                    "{what} {} is neither an id nor an object with one",
                    i + 1
                )),
            }?;
        }
        Ok(())
    };
    match document {
        Value::String(raw) => push(ids, raw),
        Value::Array(items) => list(ids, items, "item"),
        Value::Object(fields) => match (
            fields.get("id"),
            fields.get("results"),
            fields.get("groups"),
        ) {
            (Some(Value::String(raw)), _, _) => push(ids, raw),
            (_, Some(Value::Array(results)), _) => list(ids, results, "result"),
            (_, _, Some(Value::Array(groups))) => {
                for (i, group) in groups.iter().enumerate() {
                    match group.get("requests") {
                        Some(Value::Array(requests)) => list(ids, requests, "request")?,
                        _ => return Err(format!("group {} has no \"requests\" list", i + 1)),
                    }
                }
                Ok(())
            }
            _ => Err("an object without \"id\", \"results\" or \"groups\"".into()),
        },
        _ => Err("neither an id, a list nor an object".into()),
    }
}

/// The `id` column of csv with a header. Lines before the header (blank, `#` comments such as
/// PowerShell 5.1's `#TYPE`) were skipped; `skipped` of them, for line numbers.
fn ids_from_csv(text: &str, skipped: usize) -> Result<Vec<String>, CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let refuse = |what: String| CliError::usage(what).with_hint(CSV_HINT);
    let column = reader
        .headers()
        .map_err(|e| refuse(format!("stdin is not csv: {e}")))?
        .iter()
        .position(|h| h.trim_matches('\u{feff}').eq_ignore_ascii_case("id"))
        .ok_or_else(|| refuse("stdin csv has no id column".into()))?;
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| refuse(format!("stdin is not csv: {e}")))?;
        let line = skipped + record.position().map_or(0, |p| p.line() as usize);
        let raw = record.get(column).unwrap_or_default();
        let id = parse_guid(raw, "request id").map_err(|e| CliError {
            message: format!("stdin line {line}: {}", e.message),
            ..e
        })?;
        ids.push(id);
    }
    Ok(ids)
}

const CSV_HINT: &str = "ep reads csv with a header naming an id column, as -o csv writes it";

/// The ids in stdin's text: one per line, `#` comments and blank lines ignored, each a GUID (the
/// first field of a tab-separated row, so `-o tsv` pipes too).
pub(super) fn ids_from_text(text: &str) -> Result<Vec<String>, CliError> {
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let length = line.chars().count();
        if length > MAX_LINE_CHARS {
            return Err(CliError::usage(format!(
                "stdin line {line_no} is {length} characters long, too long for a request id: '{}'",
                excerpt(line)
            )));
        }
        // A byte-order mark can also start a line: files concatenated with `cat`.
        let content = line
            .split(['#', '\t'])
            .next()
            .unwrap_or_default()
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if content.is_empty() {
            continue;
        }
        let id = parse_guid(content, "request id").map_err(|e| CliError {
            message: format!("stdin line {line_no}: {}", e.message),
            ..e
        })?;
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn byte_order_marks_are_understood() {
        let text = format!("{ID}\r\n# done\r\n");
        let mut utf8 = vec![0xEF, 0xBB, 0xBF];
        utf8.extend(text.as_bytes());
        for bytes in [
            utf8,
            utf16(&text, false),
            utf16(&text, true),
            text.clone().into_bytes(),
        ] {
            let decoded = decode_text(&bytes).unwrap();
            assert_eq!(ids_from_text(&decoded).unwrap(), vec![ID.to_string()]);
        }
        // cat a.txt b.txt, each with its own BOM
        let joined = format!("\u{feff}{ID}\n\u{feff}{}\n", ID.to_uppercase());
        assert_eq!(ids_from_text(&joined).unwrap().len(), 2);
    }

    #[test]
    fn other_encodings_are_refused_by_name() {
        let e = decode_text(&[0xFF, 0xFE, 0, 0, 0x39, 0, 0, 0]).unwrap_err();
        assert!(e.message.contains("UTF-32"), "{}", e.message);
        let mut bom_less = Vec::new();
        for unit in ID.encode_utf16() {
            bom_less.extend(unit.to_le_bytes());
        }
        bom_less.push(0xFF);
        let e = decode_text(&bom_less).unwrap_err();
        assert!(
            e.message.contains("UTF-16 without a byte-order mark"),
            "{}",
            e.message
        );
        let e = decode_text(&[0xFF, 0xFE, 0x39]).unwrap_err();
        assert!(e.message.contains("half a character"), "{}", e.message);
        let e = decode_text(b"abc\xC3(").unwrap_err();
        assert!(e.message.contains("not UTF-8"), "{}", e.message);
        assert!(e.hint.unwrap().contains("Out-File -Encoding utf8"));
    }

    #[test]
    fn long_lines_are_refused_without_being_repeated() {
        let line = "A".repeat(5_000_000);
        let e = ids_from_text(&format!("{ID}\n{line}\n")).unwrap_err();
        assert!(
            e.message.starts_with("stdin line 2 is 5000000 characters"),
            "{}",
            &e.message[..80]
        );
        assert!(e.message.len() < 200, "{}", e.message.len());
        assert!(e.message.contains('…'));
        let e = ids_from_text(&format!("{}\n", "B".repeat(300))).unwrap_err();
        assert!(e.message.contains("stdin line 1:"), "{}", e.message);
        assert!(e.message.len() < 200, "{}", e.message);
    }

    const ID2: &str = "2649c76a-c7f8-46c3-9dd7-15ca55d209a2";

    #[test]
    fn eps_own_csv_is_read_by_its_id_column() {
        let csv = format!(
            "id,state,requestorDisplayName\n{ID},deliveryFailed,\"Hughes, Amelia\"\n{ID2},partiallyDelivered,x\n"
        );
        assert_eq!(ids_from_input(&csv).unwrap(), vec![ID, ID2]);
        // Another tool's: id not first, quoted, after PowerShell 5.1's #TYPE line and a blank.
        let other = format!("#TYPE Selected\n\n\"Name\",\"Id\"\n\"a\",\"{ID}\"\n");
        assert_eq!(ids_from_input(&other).unwrap(), vec![ID]);
        assert!(ids_from_input("id,state\n").unwrap().is_empty());
        let e = ids_from_input(&format!("id,state\n{ID},x\nnope,y\n")).unwrap_err();
        assert!(
            e.message.starts_with("stdin line 3: 'nope'"),
            "{}",
            e.message
        );
        let e = ids_from_input(&format!("#c\nid,state\n\n{ID},x\nnope,y\n")).unwrap_err();
        assert!(e.message.starts_with("stdin line 5:"), "{}", e.message);
    }

    #[test]
    fn json_documents_and_json_lines_give_their_ids() {
        let list = format!(
            "[\n  {{\"id\": \"{ID}\", \"state\": \"deliveryFailed\"}},\n  {{\"id\": \"{ID2}\"}}\n]\n"
        );
        assert_eq!(ids_from_input(&list).unwrap(), vec![ID, ID2]);
        let lines = format!("{{\"id\":\"{ID}\"}}\n{{\"id\":\"{ID2}\"}}\n");
        assert_eq!(ids_from_input(&lines).unwrap(), vec![ID, ID2]);
        let summary = format!(
            "{{\"dryRun\": true, \"counts\": {{}}, \"results\": [{{\"id\": \"{ID}\", \"outcome\": \"skipped\"}}]}}"
        );
        assert_eq!(ids_from_input(&summary).unwrap(), vec![ID]);
        let why =
            format!("{{\"groups\": [{{\"reason\": \"x\", \"requests\": [\"{ID}\", \"{ID2}\"]}}]}}");
        assert_eq!(ids_from_input(&why).unwrap(), vec![ID, ID2]);
        // What --query "[].id" prints, and a lone id.
        assert_eq!(
            ids_from_input(&format!("[\"{ID}\", \"{ID2}\"]")).unwrap(),
            vec![ID, ID2]
        );
        assert_eq!(
            ids_from_input(&format!("{{\"id\": \"{ID}\"}}")).unwrap(),
            vec![ID]
        );
        assert!(ids_from_input("[]").unwrap().is_empty());
    }

    #[test]
    fn json_without_ids_is_refused_with_what_is_wrong() {
        for (text, says) in [
            ("[{\"name\": 1}]", "item 1 has no \"id\" string"),
            ("{\"value\": []}", "an object without \"id\""),
            ("[1]", "item 1 is neither"),
            ("[{\"id\": \"x\"}]", "'x' is not a valid request id"),
            ("{\"id\": ", "stdin is not valid JSON"),
        ] {
            let e = ids_from_input(text).unwrap_err();
            assert!(e.message.contains(says), "{text}: {}", e.message);
            assert!(e.hint.is_some(), "{text}");
        }
    }

    #[test]
    fn plain_lines_and_tsv_rows_keep_working() {
        let text = format!("# picked by hand\n{ID}  # the first\n\n{ID2}\tdeliveryFailed\tx\n");
        assert_eq!(ids_from_input(&text).unwrap(), vec![ID, ID2]);
        let e = ids_from_input(&format!("{ID}\nidentity\n")).unwrap_err();
        assert!(e.message.starts_with("stdin line 2:"), "{}", e.message);
    }

    proptest! {
        #[test]
        fn decoding_never_panics_and_errors_stay_short(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            match decode_text(&bytes).and_then(|t| ids_from_input(&t)) {
                Ok(ids) => prop_assert!(ids.iter().all(|i| uuid::Uuid::try_parse(i).is_ok())),
                Err(e) => prop_assert!(e.message.chars().count() < 300, "{}", e.message),
            }
        }

        #[test]
        fn any_unicode_list_of_ids_survives_every_supported_encoding(
            ids in prop::collection::vec(any::<[u8; 16]>(), 0..20),
            crlf in any::<bool>(),
            comment in "[^\r\n]{0,30}",
        ) {
            let ids: Vec<String> = ids.iter().map(|b| uuid::Uuid::from_bytes(*b).hyphenated().to_string()).collect();
            let newline = if crlf { "\r\n" } else { "\n" };
            let text: String = ids.iter().map(|i| format!("{i} #{comment}{newline}")).collect();
            let mut bom = vec![0xEF, 0xBB, 0xBF];
            bom.extend(text.as_bytes());
            for bytes in [text.clone().into_bytes(), bom, utf16(&text, false), utf16(&text, true)] {
                let got = ids_from_text(&decode_text(&bytes).unwrap()).unwrap();
                prop_assert_eq!(&got, &ids);
            }
        }
    }
}
