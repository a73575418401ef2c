//! Ownership against an HTTP mock of the API: one row per branch of a create (fresh, our
//! own retry, every way an earlier replay is decided), then the claims.

use super::create::Made;
use super::*;
use crate::sigsentry::{Client, ClientConfig, NewLogSource, Secret};
use httpmock::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const PATH: &str = "/v1/config/log-sources";
const OLD: &str = "ls_old";
const NEW: &str = "ls_new";

fn client(server: &MockServer) -> Client {
    let mut cfg = ClientConfig::new(server.base_url());
    cfg.api_key = Some(Secret::new("ss_secret_test"));
    cfg.max_retries = 1;
    cfg.min_backoff = Duration::from_millis(1);
    cfg.max_backoff = Duration::from_millis(2);
    Client::new(cfg).unwrap()
}

fn body() -> NewLogSource {
    NewLogSource {
        log_type: "splunk".into(),
        name: "s".into(),
        credentials: BTreeMap::from([
            (
                "host".to_string(),
                Secret::new("https://splunk.example.com"),
            ),
            ("token".to_string(), Secret::new("tok")),
        ]),
        sources: vec!["main".into()],
    }
}

/// `createdAt` as the API writes it, `ago` before now.
fn created(ago: Duration) -> String {
    (time::OffsetDateTime::now_utc() - ago)
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn source(id: &str, name: &str, ago: Duration) -> serde_json::Value {
    json!({"success": true, "data": {"id": id, "tenantId": "tnt", "type": "splunk",
        "name": name, "sources": ["main"], "isActive": true, "createdAt": created(ago)}})
}

/// How the mock answers the first key's POST.
#[derive(Clone, Copy)]
enum First {
    /// Made now.
    Fresh,
    /// An hour-old source, with the replay header.
    Marked,
    /// An hour-old source without the header: told by `createdAt`.
    Unmarked,
}

/// How the mock answers a claim on the first key's source.
#[derive(Clone, Copy)]
enum ClaimReply {
    First,
    Replayed,
    Gone,
    Refused,
    Down,
}

/// What a row expects of `create`.
#[derive(Debug, PartialEq)]
enum Expect {
    Made { id: &'static str, adopted: bool },
    MadeAfter(PassedOver),
    Undecided,
}

struct Row {
    name: &'static str,
    first: First,
    claim: ClaimReply,
    /// What the process already knows: the probe's answer, sources seen held.
    arbitrates: Option<bool>,
    held_here: bool,
    held_by_plan: bool,
    expect: Expect,
}

/// Runs `create` against the row's API: its outcome, the ledger, and how many claims
/// were sent.
async fn run(row: &Row) -> (Result<Made, CreateFailure>, Ledger, usize) {
    let server = MockServer::start_async().await;
    let (status, header, ago) = match row.first {
        First::Fresh => (201, false, Duration::ZERO),
        First::Marked => (201, true, Duration::from_secs(3600)),
        First::Unmarked => (201, false, Duration::from_secs(3600)),
    };
    let id = if matches!(row.first, First::Fresh) {
        NEW
    } else {
        OLD
    };
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header_suffix("idempotency-key", "-0");
            let then = then.status(status).json_body(source(id, "s", ago));
            if header {
                then.header("Idempotent-Replayed", "true");
            }
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(PATH)
                .header_suffix("idempotency-key", "-1");
            then.status(201).json_body(source(NEW, "s", Duration::ZERO));
        })
        .await;
    let claim_path = format!("{PATH}/{OLD}");
    let claim = server
        .mock_async(|when, then| {
            when.method("PATCH").path(claim_path.as_str());
            match row.claim {
                ClaimReply::First => {
                    then.status(200).json_body(source(OLD, "s", ago));
                }
                ClaimReply::Replayed => {
                    then.status(200)
                        .header("Idempotent-Replayed", "true")
                        .json_body(source(OLD, "s", ago));
                }
                ClaimReply::Gone => {
                    then.status(404).json_body(
                        json!({"success": false, "error": {"code": "NOT_FOUND", "message": "gone"}}),
                    );
                }
                ClaimReply::Refused => {
                    then.status(400).json_body(
                        json!({"success": false, "error": {"code": "VALIDATION_ERROR", "message": "nothing to change"}}),
                    );
                }
                ClaimReply::Down => {
                    then.status(503).json_body(
                        json!({"success": false, "error": {"code": "UNAVAILABLE", "message": "down"}}),
                    );
                }
            }
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{PATH}/{OLD}"));
            then.status(200).json_body(source(OLD, "s", ago));
        })
        .await;
    let ledger = Ledger::default();
    if let Some(a) = row.arbitrates {
        ledger.set_arbitrates(a);
    }
    if row.held_here {
        ledger.held(OLD, None);
    }
    let held: BTreeSet<String> = if row.held_by_plan {
        BTreeSet::from([OLD.to_string()])
    } else {
        BTreeSet::new()
    };
    let out = create(&client(&server), &ledger, &body(), "scope", &held).await;
    let claims = claim.calls_async().await;
    (out, ledger, claims)
}

fn summary(out: &Result<Made, CreateFailure>) -> Expect {
    match out {
        Ok(m) if m.passed_over.is_empty() => Expect::Made {
            id: if m.source.id == OLD { OLD } else { NEW },
            adopted: m.adopted,
        },
        Ok(m) => Expect::MadeAfter(m.passed_over[0].clone()),
        Err(CreateFailure::Undecided { .. }) => Expect::Undecided,
        Err(other) => panic!("unexpected failure {other:?}"),
    }
}

#[tokio::test]
async fn each_way_a_create_is_decided() {
    let old = || OLD.to_string();
    let rows = [
        Row {
            name: "a fresh answer is made by this request",
            first: First::Fresh,
            claim: ClaimReply::First,
            arbitrates: None,
            held_here: false,
            held_by_plan: false,
            expect: Expect::Made {
                id: NEW,
                adopted: false,
            },
        },
        Row {
            name: "an earlier replay won from an arbitrating API is adopted",
            first: First::Marked,
            claim: ClaimReply::First,
            arbitrates: Some(true),
            held_here: false,
            held_by_plan: false,
            expect: Expect::Made {
                id: OLD,
                adopted: true,
            },
        },
        Row {
            name: "an unmarked replay is told by createdAt, then decided alike",
            first: First::Unmarked,
            claim: ClaimReply::First,
            arbitrates: Some(true),
            held_here: false,
            held_by_plan: false,
            expect: Expect::Made {
                id: OLD,
                adopted: true,
            },
        },
        Row {
            name: "a replay another object claimed is passed over",
            first: First::Marked,
            claim: ClaimReply::Replayed,
            arbitrates: None,
            held_here: false,
            held_by_plan: false,
            expect: Expect::MadeAfter(PassedOver::Taken(old())),
        },
        Row {
            name: "a replay of a deleted source is passed over",
            first: First::Marked,
            claim: ClaimReply::Gone,
            arbitrates: None,
            held_here: false,
            held_by_plan: false,
            expect: Expect::MadeAfter(PassedOver::Gone(old())),
        },
        Row {
            name: "a replay is never adopted when the API refuses claims",
            first: First::Marked,
            claim: ClaimReply::Refused,
            arbitrates: None,
            held_here: false,
            held_by_plan: false,
            expect: Expect::MadeAfter(PassedOver::Unproven(old(), Unproven::ClaimRefused)),
        },
        Row {
            name: "a replay is never adopted when claims are known not to be arbitrated",
            first: First::Marked,
            claim: ClaimReply::First,
            arbitrates: Some(false),
            held_here: false,
            held_by_plan: false,
            expect: Expect::MadeAfter(PassedOver::Unproven(old(), Unproven::NoArbitration)),
        },
        Row {
            name: "a source this process saw another object hold is passed over unclaimed",
            first: First::Marked,
            claim: ClaimReply::First,
            arbitrates: Some(true),
            held_here: true,
            held_by_plan: false,
            expect: Expect::MadeAfter(PassedOver::Known(old())),
        },
        Row {
            name: "a source the first plan saw held (Terraform 1.16) is passed over unclaimed",
            first: First::Marked,
            claim: ClaimReply::First,
            arbitrates: Some(true),
            held_here: false,
            held_by_plan: true,
            expect: Expect::MadeAfter(PassedOver::Known(old())),
        },
        Row {
            name: "a claim without an answer decides nothing: the create fails",
            first: First::Marked,
            claim: ClaimReply::Down,
            arbitrates: None,
            held_here: false,
            held_by_plan: false,
            expect: Expect::Undecided,
        },
    ];
    for row in &rows {
        let (out, ledger, claims) = run(row).await;
        assert_eq!(summary(&out), row.expect, "{}", row.name);
        // A claim is sent only where it decides something.
        let decided_by_claim = matches!(row.first, First::Marked | First::Unmarked)
            && !row.held_here
            && !row.held_by_plan
            && row.arbitrates != Some(false);
        assert_eq!(
            claims > 0,
            decided_by_claim,
            "{}: {claims} claims",
            row.name
        );
        if let Ok(made) = &out {
            assert!(ledger.known_elsewhere(&made.source.id), "{}", row.name);
        }
    }
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_is_our_own_attempt() {
    use sigsentry_mock::{ApiKey, FakeApi, FaultAction, FaultRule};
    let fake = FakeApi::new()
        .key(ApiKey::project("ss_secret_test", "prj_default"))
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    // The API carries the create out, then the connection drops: the retry, under the
    // same key, is answered with the replay of that very attempt.
    fake.fail_next(FaultRule {
        method: Some("POST".into()),
        path_prefix: PATH.into(),
        count: 1,
        action: FaultAction::CommitThenDrop,
    });
    let mut cfg = ClientConfig::new(fake.url());
    cfg.api_key = Some(Secret::new("ss_secret_test"));
    cfg.min_backoff = Duration::from_millis(1);
    let client = Client::new(cfg).unwrap();
    let made = create(
        &client,
        &Ledger::default(),
        &body(),
        "scope",
        &BTreeSet::new(),
    )
    .await
    .unwrap();
    assert!(made.adopted && made.passed_over.is_empty());
    assert_eq!(fake.sources().len(), 1);
    assert!(fake.requests().iter().any(|r| r.replayed));
    fake.shutdown().await;
}

#[tokio::test]
async fn an_answer_that_differs_from_the_request_is_kept_only_when_made_now() {
    for (replayed, kept) in [(false, true), (true, false)] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path(PATH);
                let then = then
                    .status(201)
                    .json_body(source(NEW, "another name", Duration::ZERO));
                if replayed {
                    then.header("Idempotent-Replayed", "true");
                }
            })
            .await;
        let out = create(
            &client(&server),
            &Ledger::default(),
            &body(),
            "scope",
            &BTreeSet::new(),
        )
        .await;
        match out {
            Err(CreateFailure::Mismatch {
                attr, replayed: r, ..
            }) => {
                assert_eq!(attr, "name");
                assert_eq!(!r, kept);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn replays_passed_over_without_end_fail_the_create() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(PATH);
            then.status(201)
                .header("Idempotent-Replayed", "true")
                .json_body(source(OLD, "s", Duration::from_secs(3600)));
        })
        .await;
    let ledger = Ledger::default();
    ledger.held(OLD, None);
    let out = create(
        &client(&server),
        &ledger,
        &body(),
        "scope",
        &BTreeSet::new(),
    )
    .await;
    match out {
        Err(CreateFailure::Exhausted(list)) => assert_eq!(list.len(), create::MAX_CREATE_KEYS),
        other => panic!("{other:?}"),
    }
}

/// Claims against the project's fake API, in the mode that arbitrates claims and in each
/// that does not: the probe repeats a claim and needs it marked as a replay.
#[tokio::test]
async fn the_probe_trusts_only_an_api_that_marks_a_repeated_claim() {
    use sigsentry_mock::{ApiKey, ApiMode, FakeApi};
    for (mode, arbitrates) in [
        (ApiMode::Contract, Some(true)),
        (ApiMode::ShortPatchWindow, Some(true)),
        (ApiMode::PatchIgnoresKeys, Some(false)),
        (ApiMode::ReplaysUnmarked, Some(false)),
        (ApiMode::RefusesEmptyPatch, Some(false)),
    ] {
        let fake = FakeApi::new()
            .mode(mode)
            .key(ApiKey::project("ss_secret_test", "prj_default"))
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let id = fake.insert("splunk", "s", &["main"]);
        let mut cfg = ClientConfig::new(fake.url());
        cfg.api_key = Some(Secret::new("ss_secret_test"));
        let client = Client::new(cfg).unwrap();
        let ledger = Ledger::default();
        let claims = Claims {
            client: &client,
            ledger: &ledger,
        };
        if mode != ApiMode::RefusesEmptyPatch {
            assert!(matches!(claims.claim(&id).await, claims::Claimed::First(_)));
        }
        assert_eq!(claims.arbitrates(&id).await, arbitrates, "{mode:?}");
        // Asked once per process.
        assert_eq!(ledger.arbitrates(), arbitrates);
        // The claim is what an imported object's first write relies on.
        let again = claims.before_write(&id).await.unwrap();
        let expected = if arbitrates == Some(true) {
            BeforeWrite::ClaimedByAnother
        } else {
            BeforeWrite::Ours
        };
        assert_eq!(again, expected, "{mode:?}");
        fake.shutdown().await;
    }
}
