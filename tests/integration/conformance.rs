//! The storage conformance suite run from outside pa-integrations, as another crate's adapter
//! would run it (pa-integrations built with its `testing` feature): here on the memory store and
//! on SQLite in memory.

use pa_core::ids::UserId;
use pa_integrations::storage::conformance::Backend;
use pa_integrations::storage::memory::{MemoryStore, MemoryUser};
use pa_integrations::storage::sqlite::{Store, UserHandle};

struct Memory(MemoryStore);

impl Backend for Memory {
    type Handle = MemoryUser;
    fn two_users(&self) -> (MemoryUser, MemoryUser) {
        let (a, b) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        self.0.create_user(&a);
        self.0.create_user(&b);
        (self.0.user(&a).unwrap(), self.0.user(&b).unwrap())
    }
}

struct Sqlite(Store);

impl Backend for Sqlite {
    type Handle = UserHandle;
    fn two_users(&self) -> (UserHandle, UserHandle) {
        let (a, b) = (UserId::new("alice").unwrap(), UserId::new("bob").unwrap());
        self.0.create_user(&a).unwrap();
        self.0.create_user(&b).unwrap();
        (self.0.user(&a).unwrap(), self.0.user(&b).unwrap())
    }
}

pa_integrations::storage_conformance_tests!(memory, Memory(MemoryStore::new()));
pa_integrations::storage_conformance_tests!(sqlite, Sqlite(Store::open_in_memory().unwrap()));
