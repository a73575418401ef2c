//! The RPCs Terraform 1.12 to 1.16 added, driven as core drives them (see
//! tests/support/core.rs): resource identity, the list resource for `terraform query`,
//! generated configuration and the test action, against the fake API. They run with any CLI
//! or none; tests/acceptance_newer_terraform.rs runs the same features on a real Terraform
//! 1.15.5, and for 1.16, which no CLI here runs, these are all there is.

mod support;

use sigsentry_provider::tfplugin::value::Value;
use support::core::{dv, errors, object, s, value, with, Core};
use support::fake::Fake;
use support::proto::tfplugin6 as pb;

const TYPE: &str = "sigsentry_log_source";
const ACTION: &str = "sigsentry_log_source_test";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn configured(fake: &Fake) -> Core {
    let mut core = Core::start().await;
    core.configure(&fake.url(), support::fake::KEY).await;
    core
}

fn splunk_config(core: &Core, name: &str) -> Value {
    let creds = Value::Map(
        [
            ("host".to_string(), s("https://splunk.example.com")),
            ("token".to_string(), s("tok-secret")),
        ]
        .into_iter()
        .collect(),
    );
    with(
        &core.resource_type(TYPE),
        &[
            ("type", s("splunk")),
            ("name", s(name)),
            ("credentials", creds),
            ("sources", Value::Set(vec![s("main")])),
        ],
    )
}

#[test]
fn identity_list_actions_and_generated_config_are_announced_as_core_requires() {
    rt().block_on(async {
        let core = Core::start().await;
        // The list type name equals a managed type that has an identity.
        assert!(core.schema.list_resource_schemas.contains_key(TYPE));
        assert!(core.schema.resource_schemas.contains_key(TYPE));
        let identity = &core.identities.identity_schemas[TYPE];
        assert_eq!(identity.version, 0);
        for a in &identity.identity_attributes {
            // Exactly one of the two, and a primitive type, or core refuses the schema.
            assert!(a.required_for_import ^ a.optional_for_import, "{}", a.name);
            assert_eq!(a.r#type, br#""string""#, "{}", a.name);
        }
        let id = identity.identity_attributes.iter().find(|a| a.name == "id");
        assert!(id.is_some_and(|a| a.required_for_import));
        assert!(core.schema.action_schemas.contains_key(ACTION));
        let caps = core.schema.server_capabilities.unwrap();
        assert!(caps.generate_resource_config && caps.get_provider_schema_optional);
        assert!(!caps.plan_destroy && !caps.move_resource_state);
    });
}

#[test]
fn identity_comes_back_from_create_read_plan_apply_and_import_and_never_changes() {
    let fake = Fake::start();
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let (rt_ty, id_ty) = (core.resource_type(TYPE), core.identity_type(TYPE));
        let config = splunk_config(&core, "ident");

        // Create: no prior, so no identity before apply.
        let plan = core
            .client
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dv(&rt_ty, &Value::Null)),
                proposed_new_state: Some(dv(&rt_ty, &config)),
                config: Some(dv(&rt_ty, &config)),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&plan.diagnostics).is_empty(),
            "{:?}",
            plan.diagnostics
        );
        let applied = core
            .client
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dv(&rt_ty, &Value::Null)),
                planned_state: plan.planned_state.clone(),
                config: Some(dv(&rt_ty, &config)),
                planned_private: plan.planned_private.clone(),
                planned_identity: plan.planned_identity.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&applied.diagnostics).is_empty(),
            "{:?}",
            applied.diagnostics
        );
        let created = fake.sources()[0].id.clone();
        let identity = applied
            .new_identity
            .clone()
            .expect("an identity after create");
        // The project the source lives in, as the API reported it: a project-scoped key's
        // own, here.
        let expected = object(&[("id", s(&created)), ("project_id", s("prj_default"))]);
        assert_eq!(
            value(&id_ty, identity.identity_data.as_ref().unwrap()),
            expected
        );
        let state = applied.new_state.clone().unwrap();

        // Read of state written before identity existed: filled in.
        let read = core
            .client
            .read_resource(pb::read_resource::Request {
                type_name: TYPE.into(),
                current_state: Some(state.clone()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.new_identity, Some(identity.clone()));
        // And with the identity Terraform holds: the same again.
        let read = core
            .client
            .read_resource(pb::read_resource::Request {
                type_name: TYPE.into(),
                current_state: Some(state.clone()),
                current_identity: Some(identity.clone()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.new_identity, Some(identity.clone()));

        // Update: planned and applied identity unchanged.
        let renamed = splunk_config(&core, "ident-renamed");
        let prior = value(&rt_ty, &state);
        let mut proposed = prior.clone();
        if let (Value::Object(p), Value::Object(c)) = (&mut proposed, &renamed) {
            p.insert("name".into(), c["name"].clone());
        }
        let plan = core
            .client
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(state.clone()),
                proposed_new_state: Some(dv(&rt_ty, &proposed)),
                config: Some(dv(&rt_ty, &renamed)),
                prior_identity: Some(identity.clone()),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(plan.planned_identity, Some(identity.clone()));
        let applied = core
            .client
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(state.clone()),
                planned_state: plan.planned_state.clone(),
                config: Some(dv(&rt_ty, &renamed)),
                planned_private: plan.planned_private,
                planned_identity: plan.planned_identity,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&applied.diagnostics).is_empty(),
            "{:?}",
            applied.diagnostics
        );
        assert_eq!(applied.new_identity, Some(identity.clone()));
        assert_eq!(fake.sources()[0].name, "ident-renamed");

        // Import by identity: core sends an empty id and the identity.
        let imported = core
            .client
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TYPE.into(),
                id: String::new(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(dv(
                        &id_ty,
                        &object(&[("id", s(&created)), ("project_id", Value::Null)]),
                    )),
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&imported.diagnostics).is_empty(),
            "{:?}",
            imported.diagnostics
        );
        let one = &imported.imported_resources[0];
        assert_eq!(one.identity, Some(identity.clone()));
        let state = value(&rt_ty, one.state.as_ref().unwrap());
        assert_eq!(state.get_attr("id"), Some(&s(&created)));
        assert_eq!(state.get_attr("credentials"), Some(&Value::Null));

        // An identity naming another project is refused with the way out.
        let other = core
            .client
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TYPE.into(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(dv(
                        &id_ty,
                        &object(&[("id", s(&created)), ("project_id", s("prj_elsewhere"))]),
                    )),
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(other.imported_resources.is_empty());
        assert!(errors(&other.diagnostics)[0].contains("project_id"));

        // A stored identity with no JSON (state from before identities) upgrades to none.
        let up = core
            .client
            .upgrade_resource_identity(pb::upgrade_resource_identity::Request {
                type_name: TYPE.into(),
                version: 0,
                raw_identity: Some(pb::RawState::default()),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(up.diagnostics.is_empty() && up.upgraded_identity.is_none());
    });
}

/// Drains a ListResource stream.
async fn list(
    core: &mut Core,
    config: Value,
    include: bool,
    limit: i64,
) -> Vec<pb::list_resource::Event> {
    let ty = core.list_type(TYPE);
    let mut stream = core
        .client
        .list_resource(pb::list_resource::Request {
            type_name: TYPE.into(),
            config: Some(dv(&ty, &config)),
            include_resource_object: include,
            limit,
        })
        .await
        .unwrap()
        .into_inner();
    let mut events = Vec::new();
    // Core stops reading at its limit; reading on shows the provider stopped too.
    while let Some(e) = stream.message().await.unwrap() {
        events.push(e);
    }
    events
}

#[test]
fn the_list_streams_250_sources_page_by_page_and_stops_at_the_limit() {
    let fake = Fake::start();
    for i in 0..250 {
        let t = if i % 5 == 0 { "loki" } else { "splunk" };
        fake.create_out_of_band(
            t,
            &format!("src-{i:03}"),
            &[if i == 7 { "special" } else { "main" }],
        );
    }
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let (rt_ty, id_ty, list_ty) = (
            core.resource_type(TYPE),
            core.identity_type(TYPE),
            core.list_type(TYPE),
        );
        let all = with(&list_ty, &[]);

        fake.handle().clear_log();
        let events = list(&mut core, all.clone(), true, 120).await;
        assert_eq!(events.len(), 120);
        let lists = fake.requests().len();
        assert_eq!(
            lists,
            2,
            "paging stopped at the limit: {:?}",
            fake.requests()
        );
        for e in &events {
            assert!(e.diagnostic.is_empty(), "{:?}", e.diagnostic);
            let identity = value(
                &id_ty,
                e.identity.as_ref().unwrap().identity_data.as_ref().unwrap(),
            );
            let object = value(&rt_ty, e.resource_object.as_ref().unwrap());
            assert_eq!(identity.get_attr("id"), object.get_attr("id"));
            assert_eq!(Some(&s(&e.display_name)), object.get_attr("name"));
            assert_eq!(object.get_attr("credentials"), Some(&Value::Null));
        }

        // Core's default limit of 100 and no objects asked for: one page, no objects.
        fake.handle().clear_log();
        let events = list(&mut core, all, false, 100).await;
        assert_eq!(events.len(), 100);
        assert!(events.iter().all(|e| e.resource_object.is_none()));
        assert_eq!(fake.requests().len(), 1);

        // Filters: a type, a name pattern, a source.
        let loki = list(
            &mut core,
            with(&list_ty, &[("type", s("loki"))]),
            false,
            1000,
        )
        .await;
        assert_eq!(loki.len(), 50);
        let named = list(
            &mut core,
            with(&list_ty, &[("name_regex", s("^src-1[0-4]\\d$"))]),
            false,
            1000,
        )
        .await;
        assert_eq!(named.len(), 50);
        let special = list(
            &mut core,
            with(&list_ty, &[("source", s("special"))]),
            false,
            1000,
        )
        .await;
        assert_eq!(
            special
                .iter()
                .map(|e| e.display_name.as_str())
                .collect::<Vec<_>>(),
            ["src-007"]
        );

        // A bad pattern is a diagnostic, at validation and in the stream.
        let bad = with(&list_ty, &[("name_regex", s("("))]);
        let v = core
            .client
            .validate_list_resource_config(pb::validate_list_resource_config::Request {
                type_name: TYPE.into(),
                config: Some(dv(&list_ty, &bad)),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&v.diagnostics)[0].contains("Invalid name_regex"));
        let events = list(&mut core, bad, false, 10).await;
        assert_eq!(events.len(), 1);
        assert!(events[0].identity.is_none() && !errors(&events[0].diagnostic).is_empty());
    });
}

/// GenerateResourceConfig for `state`, as core calls it.
async fn generate(
    core: &mut Core,
    state: Option<pb::DynamicValue>,
) -> pb::generate_resource_config::Response {
    core.client
        .generate_resource_config(pb::generate_resource_config::Request {
            type_name: TYPE.into(),
            state,
        })
        .await
        .unwrap()
        .into_inner()
}

#[test]
fn generated_configuration_keeps_what_a_user_writes_and_never_credentials() {
    let fake = Fake::start();
    let id = fake.create_out_of_band("loki", "from-dashboard", &["{app=\"x\"}"]);
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let rt_ty = core.resource_type(TYPE);
        let imported = core
            .client
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TYPE.into(),
                id: id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let state = imported.imported_resources[0].state.clone();
        let out = generate(&mut core, state).await;
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let config = value(&rt_ty, out.config.as_ref().unwrap());
        assert_eq!(config.get_attr("type"), Some(&s("loki")));
        assert_eq!(config.get_attr("name"), Some(&s("from-dashboard")));
        assert_eq!(
            config.get_attr("sources"),
            Some(&Value::Set(vec![s("{app=\"x\"}")]))
        );
        assert_eq!(config.get_attr("is_active"), Some(&Value::Bool(true)));
        for unset in [
            "id",
            "tenant_id",
            "created_at",
            "credentials",
            "credentials_wo",
            "verify",
        ] {
            assert_eq!(config.get_attr(unset), Some(&Value::Null), "{unset}");
        }
    });
}

/// Drains an InvokeAction stream into (progress lines, the completed diagnostics).
async fn invoke(core: &mut Core, id: &str) -> (Vec<String>, Vec<pb::Diagnostic>) {
    let ty = core.action_type(ACTION);
    let mut stream = core
        .client
        .invoke_action(pb::invoke_action::Request {
            action_type: ACTION.into(),
            config: Some(dv(&ty, &object(&[("log_source_id", s(id))]))),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    let (mut lines, mut completed) = (Vec::new(), None);
    while let Some(e) = stream.message().await.unwrap() {
        use pb::invoke_action::event::Type;
        assert!(completed.is_none(), "an event after Completed");
        match e.r#type.expect("every event has a type") {
            Type::Progress(p) => lines.push(p.message),
            Type::Completed(c) => completed = Some(c.diagnostics),
        }
    }
    (lines, completed.expect("the stream ends with Completed"))
}

#[test]
fn the_test_action_streams_preview_lines_and_fails_with_the_platform_error() {
    let fake = Fake::start();
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let rt_ty = core.resource_type(TYPE);
        // Two sources made through the provider, one with credentials the platform rejects.
        let mut ids = Vec::new();
        for (name, token) in [("good", "tok-good"), ("bad", "reject-this-token")] {
            let mut config = splunk_config(&core, name);
            if let Value::Object(m) = &mut config {
                m.insert("sources".into(), Value::Set(vec![s("main"), s("audit")]));
                m.insert(
                    "credentials".into(),
                    Value::Map(
                        [
                            ("host".to_string(), s("https://splunk.example.com")),
                            ("token".to_string(), s(token)),
                        ]
                        .into_iter()
                        .collect(),
                    ),
                );
            }
            let applied = core
                .client
                .apply_resource_change(pb::apply_resource_change::Request {
                    type_name: TYPE.into(),
                    prior_state: Some(dv(&rt_ty, &Value::Null)),
                    planned_state: Some(dv(&rt_ty, &{
                        let mut p = config.clone();
                        if let Value::Object(m) = &mut p {
                            for k in ["id", "tenant_id", "created_at"] {
                                m.insert(k.into(), Value::Unknown);
                            }
                            m.insert("is_active".into(), Value::Bool(true));
                        }
                        p
                    })),
                    config: Some(dv(&rt_ty, &config)),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            assert!(
                errors(&applied.diagnostics).is_empty(),
                "{:?}",
                applied.diagnostics
            );
            ids.push(fake.sources().last().unwrap().id.clone());
        }

        let (lines, done) = invoke(&mut core, &ids[0]).await;
        assert!(errors(&done).is_empty(), "{done:?}");
        assert!(lines[0].contains("Testing log source"));
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.contains("sample log line"))
                .count(),
            2,
            "{lines:?}"
        );
        assert!(lines.last().unwrap().contains("works"));

        let (lines, done) = invoke(&mut core, &ids[1]).await;
        let e = errors(&done);
        assert_eq!(e.len(), 1, "{done:?}");
        assert!(e[0].contains("AUTH_FAILED"), "{e:?}");
        for text in lines.iter().chain(e.iter()) {
            assert!(!text.contains("reject-this-token"), "a secret in {text}");
        }

        // Validation refuses an unusable id; planning checks that a known id lives and
        // leaves one known only after apply alone.
        let ty = core.action_type(ACTION);
        let v = core
            .client
            .validate_action_config(pb::validate_action_config::Request {
                type_name: ACTION.into(),
                config: Some(dv(&ty, &object(&[("log_source_id", s(".."))]))),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&v.diagnostics)[0].contains("log_source_id"));
        for (id, fails) in [
            (Value::Unknown, false),
            (s("ls_missing"), true),
            (s(&ids[0]), false),
        ] {
            let p = core
                .client
                .plan_action(pb::plan_action::Request {
                    action_type: ACTION.into(),
                    config: Some(dv(&ty, &object(&[("log_source_id", id.clone())]))),
                    client_capabilities: None,
                })
                .await
                .unwrap()
                .into_inner();
            assert_eq!(
                !errors(&p.diagnostics).is_empty(),
                fails,
                "{id:?}: {:?}",
                p.diagnostics
            );
        }
    });
}

/// Creates one source through the RPCs and returns its state.
async fn create_one(core: &mut Core, name: &str) -> pb::DynamicValue {
    let rt_ty = core.resource_type(TYPE);
    let config = splunk_config(core, name);
    let plan = core
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dv(&rt_ty, &Value::Null)),
            proposed_new_state: Some(dv(&rt_ty, &config)),
            config: Some(dv(&rt_ty, &config)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let applied = core
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: Some(dv(&rt_ty, &Value::Null)),
            planned_state: plan.planned_state,
            config: Some(dv(&rt_ty, &config)),
            planned_private: plan.planned_private,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&applied.diagnostics).is_empty(),
        "{:?}",
        applied.diagnostics
    );
    applied.new_state.unwrap()
}

#[test]
fn a_project_named_or_left_implicit_is_the_same_identity_but_another_project_is_refused() {
    let fake = Fake::start();
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let id_ty = core.identity_type(TYPE);
        let state = create_one(&mut core, "project-moves").await;
        let id = fake.sources()[0].id.clone();
        let identity = |project: Value| pb::ResourceIdentityData {
            identity_data: Some(dv(
                &id_ty,
                &object(&[("id", s(&id)), ("project_id", project)]),
            )),
        };
        let read = |core: &mut Core, held: pb::ResourceIdentityData| {
            let req = pb::read_resource::Request {
                type_name: TYPE.into(),
                current_state: Some(state.clone()),
                current_identity: Some(held),
                ..Default::default()
            };
            let mut client = core.client.clone();
            async move { client.read_resource(req).await.unwrap().into_inner() }
        };

        // Held with the project named; the provider now leaves it to the key: no change.
        let out = read(&mut core, identity(s("prj_default"))).await;
        assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);

        // The provider names the project; Terraform holds the key-implied (null) one.
        let mut named = Core::start().await;
        named
            .configure_with(
                &fake.url(),
                support::fake::KEY,
                &[("project_id", s("prj_default"))],
            )
            .await;
        let out = read(&mut named, identity(Value::Null)).await;
        assert!(errors(&out.diagnostics).is_empty(), "{:?}", out.diagnostics);
        let now = value(
            &id_ty,
            out.new_identity.unwrap().identity_data.as_ref().unwrap(),
        );
        assert_eq!(
            now,
            object(&[("id", s(&id)), ("project_id", s("prj_default"))])
        );

        // Another project named: refused with both values and the next step; state kept.
        let out = read(&mut named, identity(s("prj_elsewhere"))).await;
        let errs = errors(&out.diagnostics).join("\n");
        assert!(
            errs.contains("project_id")
                && errs.contains("prj_elsewhere")
                && errs.contains("restore"),
            "{errs}"
        );
        assert_eq!(fake.sources().len(), 1);
    });
}

/// Terraform 1.16 hands the first plan's private data to the final plan before apply
/// (`ClientCapabilities.store_planned_private`, `PlanResourceChange.Request.planned_private`).
/// The provider uses it to carry what the plan walk saw: an identical object this state
/// holds. Then even against an API that does not arbitrate claims, a create whose key the
/// API replays with that object's source passes it over without a claim and without a
/// warning, and the final plan lists nothing: proven by the plan, not guessed at apply.
#[test]
fn terraform_1_16_carries_the_plan_s_facts_to_the_apply_walk() {
    use sigsentry_mock::{ApiMode, FakeApi};
    use sigsentry_provider::tfplugin::value::json;
    let fake = Fake::start_with(FakeApi::new().mode(ApiMode::PatchIgnoresKeys));
    let caps = || {
        Some(pb::ClientCapabilities {
            write_only_attributes_allowed: true,
            store_planned_private: true,
            ..Default::default()
        })
    };
    rt().block_on(async {
        // The first object, made by an earlier run.
        let mut earlier = configured(&fake).await;
        let rt_ty = earlier.resource_type(TYPE);
        let held_state = create_one(&mut earlier, "twin").await;
        let held = value(&rt_ty, &held_state);
        let held_id = held.get_attr("id").cloned().unwrap();
        drop(earlier);
        fake.handle()
            .advance_clock(std::time::Duration::from_secs(600));

        // The plan walk of the next run: core hands over the object in state, then plans
        // an identical second object.
        let mut plan_walk = configured(&fake).await;
        let upgraded = plan_walk
            .client
            .upgrade_resource_state(pb::upgrade_resource_state::Request {
                type_name: TYPE.into(),
                version: 0,
                raw_state: Some(pb::RawState {
                    json: json::encode(&rt_ty, &held).unwrap(),
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&upgraded.diagnostics).is_empty());
        let config = splunk_config(&plan_walk, "twin");
        let first_plan = plan_walk
            .client
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dv(&rt_ty, &Value::Null)),
                proposed_new_state: Some(dv(&rt_ty, &config)),
                config: Some(dv(&rt_ty, &config)),
                client_capabilities: caps(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(errors(&first_plan.diagnostics).is_empty());
        assert!(
            !first_plan.planned_private.is_empty(),
            "the plan keeps what it saw"
        );
        drop(plan_walk);

        // The apply walk, a new process: the final plan gets the first plan's private.
        let mut apply_walk = configured(&fake).await;
        fake.handle().clear_log();
        let final_plan = apply_walk
            .client
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dv(&rt_ty, &Value::Null)),
                proposed_new_state: Some(dv(&rt_ty, &config)),
                config: Some(dv(&rt_ty, &config)),
                client_capabilities: caps(),
                planned_private: first_plan.planned_private.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            final_plan.diagnostics.is_empty(),
            "{:?}",
            final_plan.diagnostics
        );
        let applied = apply_walk
            .client
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: Some(dv(&rt_ty, &Value::Null)),
                planned_state: final_plan.planned_state,
                config: Some(dv(&rt_ty, &config)),
                planned_private: final_plan.planned_private,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
        let made = value(&rt_ty, applied.new_state.as_ref().unwrap());
        assert_ne!(
            made.get_attr("id"),
            Some(&held_id),
            "the held source was adopted"
        );
        // The replay was passed over on the plan's word: no claim, no listing.
        let requests = fake.requests();
        assert!(requests.iter().all(|r| r.method != "PATCH"), "{requests:?}");
        assert!(
            requests.iter().all(|r| r.method != "GET"),
            "the final plan listed again: {requests:?}"
        );
        assert_eq!(fake.sources().len(), 2);
    });
}

/// Terraform 1.14.0 calls GenerateResourceConfig without the state to generate from (core
/// issue 37896, fixed in 1.14.1): the answer is an error saying so, never a panic or an
/// empty configuration that would be written to the generated file.
#[test]
fn generated_configuration_without_state_is_a_clear_error() {
    let fake = Fake::start();
    rt().block_on(async {
        let mut core = configured(&fake).await;
        let rt_ty = core.resource_type(TYPE);
        for state in [None, Some(dv(&rt_ty, &Value::Null))] {
            let out = generate(&mut core, state).await;
            assert!(out.config.is_none(), "{:?}", out.config);
            let errs = errors(&out.diagnostics).join("\n");
            assert!(
                errs.contains("no state") && errs.contains("1.14.1"),
                "{errs}"
            );
        }
        // The provider goes on serving.
        let state = create_one(&mut core, "after-missing-state").await;
        let out = generate(&mut core, Some(state)).await;
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        let config = value(&rt_ty, out.config.as_ref().unwrap());
        assert_eq!(config.get_attr("name"), Some(&s("after-missing-state")));
    });
}
