//! Reading a success envelope, `{"success": true, "data": …}`, and checking that an answer
//! is about the source that was asked for. A 2xx is not believed until both pass.

use super::error::ApiError;
use super::models::LogSource;
use super::transport::Answer;
use serde_json::Value;

/// The `data` of a success envelope and, on list pages, its `nextCursor`.
pub(super) fn open(answer: &Answer) -> Result<(Value, Option<Value>), ApiError> {
    let v: Value = serde_json::from_slice(&answer.body).map_err(|_| ApiError::InvalidResponse {
        status: answer.status.as_u16(),
        what: "a body that is not the expected JSON (truncated or malformed)".into(),
    })?;
    let Value::Object(mut map) = v else {
        return Err(ApiError::BadAnswer {
            what: "the answer is not a JSON object".into(),
        });
    };
    if map.get("success") != Some(&Value::Bool(true)) {
        return Err(ApiError::BadAnswer {
            what: format!(
                "a {} answer whose envelope does not say \"success\": true",
                answer.status.as_u16()
            ),
        });
    }
    let data = map.remove("data").ok_or_else(|| ApiError::BadAnswer {
        what: "the envelope has no `data`".into(),
    })?;
    Ok((data, map.remove("nextCursor")))
}

/// Whether a body says `"success": false`. A delete's 2xx may come with any body or none;
/// only this one is a failure.
pub(super) fn says_failure(answer: &Answer) -> bool {
    serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("success").cloned())
        == Some(Value::Bool(false))
}

/// Refuses an answer about another source than the one asked for: believing it would
/// point state, and a later delete, at someone else's source.
pub(super) fn same_id(asked: &str, got: LogSource) -> Result<LogSource, ApiError> {
    if got.id == asked {
        Ok(got)
    } else {
        Err(ApiError::BadAnswer {
            what: "the API answered about a different log source than the one asked for".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer {
            status: reqwest::StatusCode::OK,
            replayed: false,
            date: None,
            body: body.as_bytes().to_vec(),
            after_uncertain_attempt: false,
        }
    }

    #[test]
    fn only_a_success_envelope_with_data_opens() {
        let (data, next) = open(&answer(
            r#"{"success": true, "data": [], "nextCursor": "c"}"#,
        ))
        .unwrap();
        assert_eq!((data, next), (Value::Array(vec![]), Some("c".into())));
        for (body, says) in [
            ("[1]", "not a JSON object"),
            (r#"{"success": false, "data": {}}"#, "does not say"),
            (r#"{"success": "true", "data": {}}"#, "does not say"),
            (r#"{"success": true}"#, "no `data`"),
            ("{", "not the expected JSON"),
        ] {
            let e = open(&answer(body)).unwrap_err().to_string();
            assert!(e.contains(says), "{body}: {e}");
        }
    }

    #[test]
    fn a_delete_fails_only_when_its_body_says_so() {
        assert!(says_failure(&answer(r#"{"success": false}"#)));
        for body in ["", "{}", "not json", r#"{"success": true}"#] {
            assert!(!says_failure(&answer(body)), "{body}");
        }
    }
}
