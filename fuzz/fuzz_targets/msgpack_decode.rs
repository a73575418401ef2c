//! msgpack values decoded against the provider's real resource type and against types
//! read from the input itself: never a panic, a hang or a runaway allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigsentry_provider::tfplugin::value::{msgpack, Type};

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(64));
    if let Ok(ty) = Type::from_json(head) {
        let _ = msgpack::decode(&ty, body);
    }
    let _ = msgpack::decode(&Type::Dynamic, data);
    let _ = msgpack::decode(&Type::map(Type::set(Type::Number)), data);
});
