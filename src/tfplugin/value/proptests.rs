//! Property tests: any value of any type survives msgpack (and, when known, JSON) round
//! trips, and no input bytes make the decoders panic.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-z]{1,4}", inner, 0..4).prop_map(Type::object),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        (-1e300f64..1e300).prop_filter_map("finite", Number::from_f64),
        ("-?[1-9][0-9]{0,40}", "[0-9]{1,30}")
            .prop_map(|(i, f)| format!("{i}.{f}").parse::<Number>().unwrap()),
    ]
}

/// A value conforming to `ty`; nulls and (when `unknowns`) unknowns at any level.
fn arb_value(ty: Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Dynamic => Just(Value::Null).boxed(),
        Type::List(et) => prop::collection::vec(arb_value(*et, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => prop::collection::vec(arb_value(*et, unknowns), 0..4)
            .prop_map(|items| {
                let mut distinct: Vec<Value> = Vec::new();
                for v in items {
                    if !distinct.contains(&v) {
                        distinct.push(v);
                    }
                }
                Value::Set(distinct)
            })
            .boxed(),
        Type::Map(et) => prop::collection::btree_map(".{0,6}", arb_value(*et, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ets) => ets
            .into_iter()
            .map(|t| arb_value(t, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attributes, .. } => attributes
            .into_iter()
            .map(|(k, t)| arb_value(t, unknowns).prop_map(move |v| (k.clone(), v)))
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| (Just(t.clone()), arb_value(t, unknowns)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trips((ty, v) in typed_value(true)) {
        let bytes = msgpack::encode(&ty, &v).unwrap();
        prop_assert_eq!(msgpack::decode(&ty, &bytes).unwrap(), v);
    }

    #[test]
    fn json_round_trips((ty, v) in typed_value(false)) {
        let bytes = json::encode(&ty, &v).unwrap();
        prop_assert_eq!(json::decode(&ty, &bytes).unwrap(), v);
    }

    #[test]
    fn type_json_round_trips(ty in arb_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }

    #[test]
    fn decoders_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = msgpack::decode(&ty, &bytes);
        let _ = json::decode(&ty, &bytes);
        let _ = Type::from_json(&bytes);
    }

    #[test]
    fn truncated_encodings_are_errors((ty, v) in typed_value(true), cut in any::<prop::sample::Index>()) {
        let bytes = msgpack::encode(&ty, &v).unwrap();
        let n = cut.index(bytes.len());
        if n < bytes.len() {
            prop_assert!(msgpack::decode(&ty, &bytes[..n]).is_err());
        }
    }
}
