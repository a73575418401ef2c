//! JSON values (state upgrades, old clients) decoded against arbitrary types.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigsentry_provider::tfplugin::value::{json, Type};

fuzz_target!(|data: &[u8]| {
    let _ = json::decode(&Type::Dynamic, data);
    let _ = json::decode(
        &Type::object([("a", Type::list(Type::Number)), ("b", Type::String)]),
        data,
    );
});
