//! Data sources, list resources and actions: the RPCs of what Terraform reads, lists and
//! invokes.

use super::codec::{and, decode, emit};
use super::ProviderAdapter;
use crate::framework::provider::Provider;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::Value;

impl<P: Provider> ProviderAdapter<P> {
    pub(super) fn validate_data_source(
        &self,
        req: ValidateDataResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let mut diags = d.declared.check(&config);
        diags.extend(d.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn read_data(
        &self,
        req: ReadDataSourceRequest,
    ) -> Result<ReadDataSourceResponse, Diagnostics> {
        let d = self.data_source(&req.type_name)?;
        let config = decode(&req.config, &d.declared, "data source configuration")?;
        let out = d.ops.read(config).await?;
        if out.diagnostics.has_errors() {
            return Err(out.diagnostics);
        }
        let (state, diagnostics) = and(
            out.diagnostics,
            emit(
                &d.declared,
                out.state.unwrap_or(Value::Null),
                "data source result",
            ),
        );
        Ok(ReadDataSourceResponse {
            state,
            diagnostics,
            deferred: None,
        })
    }

    pub(super) fn validate_list(
        &self,
        req: ValidateListResourceConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        let mut diags = l.declared.check(&config);
        diags.extend(l.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn run_list(
        &self,
        req: ListResourceRequest,
        events: &EventSender<ListResourceEvent>,
    ) -> Result<(), Diagnostics> {
        let l = self.list(&req.type_name)?;
        let config = decode(&req.config, &l.declared, "list configuration")?;
        // Terraform always sends a limit; a negative one reads nothing.
        let limit = usize::try_from(req.limit).unwrap_or(0);
        l.ops
            .list(config, req.include_resource_object, limit, events.clone())
            .await
    }

    pub(super) fn validate_action(
        &self,
        req: ValidateActionConfigRequest,
    ) -> Result<Diagnostics, Diagnostics> {
        let a = self.action(&req.type_name)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        let mut diags = a.declared.check(&config);
        diags.extend(a.ops.validate(&config)?);
        Ok(diags)
    }

    pub(super) async fn plan_action_inner(
        &self,
        req: ActionRequest,
    ) -> Result<PlanActionResponse, Diagnostics> {
        let a = self.action(&req.action_type)?;
        let config = decode(&req.config, &a.declared, "action configuration")?;
        Ok(PlanActionResponse {
            diagnostics: a.ops.plan(config).await?,
            deferred: None,
        })
    }

    /// ListResource: the objects, or one event with the diagnostics of an early failure.
    pub(super) async fn list_stream(
        &self,
        req: ListResourceRequest,
        events: EventSender<ListResourceEvent>,
    ) {
        if let Err(diagnostics) = self.run_list(req, &events).await {
            let _ = events
                .send(ListResourceEvent {
                    diagnostics,
                    ..Default::default()
                })
                .await;
        }
    }

    /// InvokeAction: progress, then always one `Completed`, last.
    pub(super) async fn invoke(&self, req: ActionRequest, events: EventSender<InvokeActionEvent>) {
        let run = async {
            let a = self.action(&req.action_type)?;
            let config = decode(&req.config, &a.declared, "action configuration")?;
            Ok::<_, Diagnostics>((a, config))
        };
        match run.await {
            Ok((a, config)) => a.ops.invoke(config, events).await,
            Err(d) => {
                let _ = events.send(InvokeActionEvent::Completed(d)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::tfplugin::rpc::*;
    use crate::tfplugin::value::{DynamicValue, Value};

    fn lookup(name: Value) -> DynamicValue {
        dv::<Lookup>(&object::<Lookup>(&[("name", name)]))
    }

    #[tokio::test]
    async fn validate_data_resource_config() {
        let cases = [
            ("valid", "test_lookup", lookup(s("a")), say(&[])),
            (
                "unknown values are not checked",
                "test_lookup",
                lookup(Value::Unknown),
                say(&[]),
            ),
            (
                "an attribute's validator",
                "test_lookup",
                lookup(s("")),
                say(&["error: Invalid name at name"]),
            ),
            (
                "the data source's own check",
                "test_lookup",
                lookup(s("warn")),
                say(&["warning: Lookup warns"]),
            ),
            (
                "a type not served",
                "test_nothing",
                lookup(s("a")),
                say(&["error: Unknown data source type"]),
            ),
        ];
        for (name, type_name, config, want) in cases {
            let (a, _) = serve(Script::default());
            let req = ValidateDataResourceConfigRequest {
                type_name: type_name.into(),
                config,
            };
            assert_eq!(
                said(&a.validate_data_resource_config(req).await),
                want,
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn read_data_source() {
        let cases = [
            (
                "read",
                s("a"),
                Seen {
                    state: object::<Lookup>(&[("name", s("a")), ("found", s("found-a"))]),
                    ..Seen::default()
                },
            ),
            (
                "an error: no state",
                s("missing"),
                Seen {
                    said: say(&["error: Not found"]),
                    ..Seen::default()
                },
            ),
            (
                "a value left unknown is refused",
                s("unknown"),
                Seen {
                    said: say(&["error: Provider left a value unknown"]),
                    ..Seen::default()
                },
            ),
        ];
        for (name, lookup_name, want) in cases {
            let (a, _) = serve(Script::default());
            let req = ReadDataSourceRequest {
                type_name: "test_lookup".into(),
                config: lookup(lookup_name),
                ..Default::default()
            };
            let got = a.read_data_source(req).await;
            let got = Seen {
                state: value::<Lookup>(&got.state),
                said: said(&got.diagnostics),
                ..Seen::default()
            };
            assert_eq!(got, want, "{name}");
        }
    }

    fn list_config(prefix: Value) -> DynamicValue {
        dv::<ListConfig>(&object::<ListConfig>(&[("prefix", prefix)]))
    }

    #[tokio::test]
    async fn validate_list_resource_config() {
        let cases = [
            ("valid", "test_thing", list_config(s("a")), say(&[])),
            (
                "an attribute's validator",
                "test_thing",
                list_config(s("")),
                say(&["error: Invalid prefix at prefix"]),
            ),
            (
                "a type not served",
                "test_nothing",
                list_config(s("a")),
                say(&["error: Unknown list resource type"]),
            ),
        ];
        for (name, type_name, config, want) in cases {
            let (a, _) = serve(Script::default());
            let req = ValidateListResourceConfigRequest {
                type_name: type_name.into(),
                config,
                ..Default::default()
            };
            assert_eq!(
                said(&a.validate_list_resource_config(req).await),
                want,
                "{name}"
            );
        }
    }

    /// One listed event, in a table's terms: the identity's id, the display name, the
    /// object (when sent), and what its diagnostics say.
    type Event = (Option<Value>, String, Option<Value>, Vec<String>);

    #[tokio::test]
    async fn list_resource() {
        let found = |i: u32| -> Event {
            (
                Some(identity(&format!("t{i}"))),
                format!("p{i}"),
                None,
                Vec::new(),
            )
        };
        let with_object = |i: u32| -> Event {
            let mut e = found(i);
            // The object as listed, its write-only secret nulled.
            e.2 = Some(thing(&[
                ("id", s(&format!("t{i}"))),
                ("name", s(&format!("p{i}"))),
            ]));
            e
        };
        let listed = |n: u32| (1..=n).map(|i| format!("listed {i}")).collect::<Vec<_>>();
        let cases = [
            (
                "as many as asked",
                "test_thing",
                s("p"),
                false,
                2,
                (1..=2).map(found).collect(),
                listed(2),
            ),
            (
                "all there are",
                "test_thing",
                s("p"),
                false,
                10,
                (1..=5).map(found).collect(),
                listed(5),
            ),
            (
                "objects, write-only values nulled",
                "test_thing",
                s("p"),
                true,
                2,
                (1..=2).map(with_object).collect(),
                listed(2),
            ),
            (
                "none asked for: the list is not run",
                "test_thing",
                s("p"),
                false,
                0,
                Vec::new(),
                Vec::new(),
            ),
            (
                "a negative limit reads nothing",
                "test_thing",
                s("p"),
                false,
                -1,
                Vec::new(),
                Vec::new(),
            ),
            (
                "an error after an object ends the list",
                "test_thing",
                s("fail"),
                false,
                10,
                vec![
                    (Some(identity("t1")), "fail1".into(), None, Vec::new()),
                    (None, String::new(), None, say(&["error: List failed"])),
                ],
                listed(1),
            ),
            (
                "a type not served",
                "test_nothing",
                s("p"),
                false,
                10,
                vec![(
                    None,
                    String::new(),
                    None,
                    say(&["error: Unknown list resource type"]),
                )],
                Vec::new(),
            ),
        ];
        for (name, type_name, prefix, include, limit, want, want_calls) in cases {
            let (a, calls) = serve(Script::default());
            let (tx, mut rx) = tokio::sync::mpsc::channel(16);
            let req = ListResourceRequest {
                type_name: type_name.into(),
                config: list_config(prefix),
                include_resource_object: include,
                limit,
            };
            a.list_resource(req, tx).await;
            let mut got: Vec<Event> = Vec::new();
            while let Some(e) = rx.recv().await {
                got.push((
                    e.identity.map(|i| value::<ThingIdentity>(&Some(i))),
                    e.display_name,
                    e.resource_object.map(|o| value::<Thing>(&Some(o))),
                    said(&e.diagnostics),
                ));
            }
            assert_eq!(got, want, "{name}");
            assert_eq!(calls.take(), want_calls, "{name}");
        }
    }

    fn ping(target: Value) -> DynamicValue {
        dv::<Ping>(&object::<Ping>(&[("target", target)]))
    }

    #[tokio::test]
    async fn validate_action_config_and_plan_action() {
        let cases = [
            ("valid", "test_ping", ping(s("a")), say(&[]), say(&[])),
            (
                "no config block reads as every attribute null",
                "test_ping",
                DynamicValue::default(),
                say(&[]),
                say(&[]),
            ),
            (
                "an attribute's validator",
                "test_ping",
                ping(s("")),
                say(&["error: Invalid target at target"]),
                say(&[]),
            ),
            (
                "the action's plan-time check",
                "test_ping",
                ping(s("bad")),
                say(&[]),
                say(&["error: Cannot ping"]),
            ),
            (
                "a type not served",
                "test_nothing",
                ping(s("a")),
                say(&["error: Unknown action type"]),
                say(&["error: Unknown action type"]),
            ),
        ];
        for (name, type_name, config, want_valid, want_plan) in cases {
            let (a, _) = serve(Script::default());
            let req = ValidateActionConfigRequest {
                type_name: type_name.into(),
                config: config.clone(),
            };
            assert_eq!(
                said(&a.validate_action_config(req).await),
                want_valid,
                "{name}"
            );
            let req = ActionRequest {
                action_type: type_name.into(),
                config,
                ..Default::default()
            };
            assert_eq!(
                said(&a.plan_action(req).await.diagnostics),
                want_plan,
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn invoke_action_ends_with_one_completed() {
        let done = |d: &[&str]| format!("completed {:?}", say(d));
        let cases = [
            (
                "runs",
                "test_ping",
                ping(s("a")),
                vec!["pinging \"a\"".to_string(), done(&[])],
            ),
            (
                "fails",
                "test_ping",
                ping(s("down")),
                vec!["pinging \"down\"".to_string(), done(&["error: No answer"])],
            ),
            (
                "no config block",
                "test_ping",
                DynamicValue::default(),
                vec!["pinging \"\"".to_string(), done(&[])],
            ),
            (
                "a type not served",
                "test_nothing",
                ping(s("a")),
                vec![done(&["error: Unknown action type"])],
            ),
        ];
        for (name, type_name, config, want) in cases {
            let (a, _) = serve(Script::default());
            let (tx, mut rx) = tokio::sync::mpsc::channel(16);
            let req = ActionRequest {
                action_type: type_name.into(),
                config,
                ..Default::default()
            };
            a.invoke_action(req, tx).await;
            let mut got = Vec::new();
            while let Some(e) = rx.recv().await {
                got.push(match e {
                    InvokeActionEvent::Progress(line) => line,
                    InvokeActionEvent::Completed(d) => format!("completed {:?}", said(&d)),
                });
            }
            assert_eq!(got, want, "{name}");
        }
    }
}
