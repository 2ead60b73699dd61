use pa_core::ports::UserStore;
use pa_core::time::Day;

use super::*;
use crate::assistant::{Access, Assistant, Location};
use crate::fakes::plaid::{self as fake, FakePlaid};
use crate::secrets::KdfParams;

#[tokio::test]
async fn items_link_through_the_vault_and_one_needing_relink_does_not_stop_the_others() {
    let fake = FakePlaid::new("client-1", "secret-1");
    let server = fake.start().await;
    let pa = Assistant::open(&Location::Memory, Access::Create).unwrap();
    let me = pa.person("me", true).unwrap();
    let vault = pa
        .unlock(
            &Secret::new("correct horse"),
            KdfParams {
                m_cost_kib: 64,
                t_cost: 1,
                p_cost: 1,
            },
        )
        .unwrap();
    let settings = PlaidSettings {
        url: Some(server.url.clone()),
        env: None,
        client_id: "client-1".into(),
        secret: Secret::new("secret-1"),
    };
    let http = HttpConfig::default();
    assert!(!format!("{settings:?}").contains("secret-1"));
    let err = me
        .sync_plaid(&vault, &settings, &http, &Cancel::default(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plaid: sign-in needed again (no Plaid Item is linked: link one first (pa link plaid))"
    );
    let mut ids = Vec::new();
    for bank in ["ins_1", "ins_2"] {
        let link = me.plaid_link_token(&settings, &http).await.unwrap();
        let public = fake.complete_link(&link, bank).unwrap();
        ids.push(
            me.link_plaid(&vault, &settings, &Secret::new(public), &http)
                .await
                .unwrap(),
        );
    }
    assert_eq!(me.plaid_items(&vault).unwrap(), ids);
    assert!(me.linked(&vault).unwrap().plaid);
    fake.add(
        &ids[0],
        fake::transaction(
            "t1",
            &format!("{}-chk", ids[0]),
            "4.20",
            "2026-12-01",
            false,
        ),
    );
    fake.add(
        &ids[1],
        fake::transaction(
            "u1",
            &format!("{}-chk", ids[1]),
            "9.00",
            "2026-12-02",
            false,
        ),
    );
    fake.set_login_required(&ids[0], true);
    let reports = me
        .sync_plaid(&vault, &settings, &http, &Cancel::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert!(
        reports[0]
            .relink_needed
            .as_deref()
            .is_some_and(|r| r.contains("ITEM_LOGIN_REQUIRED")),
        "{:?}",
        reports[0]
    );
    assert_eq!(reports[0].transactions, None);
    assert_eq!(reports[1].relink_needed, None);
    assert_eq!(reports[1].transactions.as_ref().unwrap().written.added, 2);
    let all = me.transactions(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].amount.to_string(), "-9.00 USD");
    // The day's balance of the synced Item's account; none of the Item that needs re-linking.
    let balances = me.balances(Day::EARLIEST, Day::LATEST).unwrap();
    assert_eq!(balances.len(), 1);
    assert_eq!(
        balances[0].account.as_str(),
        format!("plaid-{}-chk", ids[1])
    );
    // The per-Item state says what is wrong.
    let status = me.sync_status(10).unwrap();
    let state = status
        .states
        .iter()
        .find(|s| s.source == format!("plaid:{}", ids[0]))
        .unwrap();
    assert!(
        state
            .last_error
            .as_deref()
            .unwrap()
            .contains("re-link needed")
    );
}
