//! JSON Lines as `pa export` writes them, damaged: any bytes are imported whole or refused with a
//! typed error, and a refused import leaves what was stored before untouched.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_core::ids::UserId;
use pa_core::ports::{Setting, UserStore, WriteBatch};
use pa_integrations::storage::sqlite::Store;
use pa_integrations::storage::transfer::{export_jsonl, import_jsonl};

fuzz_target!(|data: &[u8]| {
    let Ok(store) = Store::open_in_memory() else {
        return;
    };
    let Ok(id) = UserId::new("fuzz") else {
        return;
    };
    if store.create_user(&id).is_err() {
        return;
    }
    let Ok(user) = store.user(&id) else {
        return;
    };
    let setting = Setting {
        key: "units".into(),
        value: Some("\"metric\"".into()),
    };
    let batch = WriteBatch {
        settings: vec![setting],
        ..WriteBatch::default()
    };
    if user.apply(&batch).is_err() {
        return;
    }
    let mut before = Vec::new();
    let _ = export_jsonl(&user, &mut before, &[]);
    if import_jsonl(&user, data, "fuzz.jsonl").is_err() {
        let mut after = Vec::new();
        let _ = export_jsonl(&user, &mut after, &[]);
        assert_eq!(before, after, "a refused import changed the store");
    }
});
