use super::*;

const GERMAN: &str = r#"{
  "account": {"id": "giro", "name": "Girokonto", "type": "depository", "currency": "EUR",
              "institution": "Sparkasse"},
  "encoding": "windows-1252",
  "delimiter": ";",
  "skip_lines": 2,
  "date": {"column": "Buchungstag", "format": "%d.%m.%Y"},
  "amount": {"column": "Betrag"},
  "decimal_separator": ",",
  "thousands_separator": ".",
  "description": ["Buchungstext", "Verwendungszweck"],
  "merchant": "Beguenstigter",
  "balance": "Saldo"
}"#;

/// A German export: a preamble, `;`, decimal commas, Windows-1252, newest first, a footer.
fn german_file() -> Vec<u8> {
    let text = "Umsätze Girokonto;;;;;\r\nZeitraum: März 2026;;;;;\r\n\
Buchungstag;Buchungstext;Verwendungszweck;Beguenstigter;Betrag;Saldo\r\n\
03.03.2026;Lastschrift;Miete März;Hausverwaltung Müller;-1.250,00;2.180,55\r\n\
02.03.2026;Kartenzahlung;Bäckerei;Bäckerei Süß;-3,20;3.430,55\r\n\
02.03.2026;Kartenzahlung;Bäckerei;Bäckerei Süß;-3,20;3.433,75\r\n\
01.03.2026;Gutschrift;Gehalt;ACME GmbH;3.000,00;3.436,95\r\n\
;;;;;\r\nKontostand am 03.03.2026;;;;;2.180,55\r\n";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

#[test]
fn a_german_export_reads_with_its_mapping() {
    let m = BankCsvMapping::from_json(GERMAN, "giro.json").unwrap();
    let p = read(&german_file(), "umsaetze.csv", &m).unwrap();
    let t = &p.batch.transactions;
    assert_eq!(t.len(), 4);
    assert_eq!(t[0].amount.amount(), Decimal::new(-125_000, 2));
    assert_eq!(t[0].description, "Lastschrift Miete März");
    assert_eq!(t[0].merchant.as_deref(), Some("Hausverwaltung Müller"));
    assert_eq!(t[3].amount.amount(), Decimal::new(300_000, 2));
    // Two identical coffee-shop rows on one day are two transactions, with stable ids.
    assert_ne!(t[1].id, t[2].id);
    let again = read(&german_file(), "umsaetze.csv", &m).unwrap();
    let ids = |p: &Parsed| {
        p.batch
            .transactions
            .iter()
            .map(|t| t.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&p), ids(&again));
    // Closing balances: newest first, so a day's first row holds its closing balance.
    let b: Vec<(String, Decimal)> = p
        .batch
        .balances
        .iter()
        .map(|b| (b.day.to_string(), b.current.amount()))
        .collect();
    assert_eq!(
        b,
        [
            ("2026-03-01".to_owned(), Decimal::new(343_695, 2)),
            ("2026-03-02".to_owned(), Decimal::new(343_055, 2)),
            ("2026-03-03".to_owned(), Decimal::new(218_055, 2)),
        ]
    );
    // The footer lines have no date or no amount: reported, not imported.
    assert_eq!(p.skipped.len(), 2, "{:?}", p.skipped);
    assert_eq!(
        p.batch.accounts[0].institution.as_deref(),
        Some("Sparkasse")
    );
}

#[test]
fn debit_and_credit_columns_and_accounting_signs() {
    let m = BankCsvMapping::from_json(
        r#"{"account": {"id": "card", "name": "Visa", "type": "credit", "currency": "USD"},
            "date": {"column": "Date", "format": "%m/%d/%Y"},
            "amount": {"debit": "Debit", "credit": "Credit"},
            "thousands_separator": ",",
            "description": ["Description"],
            "id": "Reference"}"#,
        "card.json",
    )
    .unwrap();
    let file = "Date,Description,Debit,Credit,Reference\n\
03/01/2026,COFFEE,$4.50,,R1\n\
03/02/2026,PAYMENT THANK YOU,,\"$1,200.00\",R2\n\
03/03/2026,REFUND,(12.00),,R3\n";
    let p = read(file.as_bytes(), "card.csv", &m).unwrap();
    let amounts: Vec<Decimal> = p
        .batch
        .transactions
        .iter()
        .map(|t| t.amount.amount())
        .collect();
    // A debit is money out whatever its sign in the file.
    assert_eq!(
        amounts,
        [
            Decimal::new(-450, 2),
            Decimal::new(120_000, 2),
            Decimal::new(-1200, 2)
        ]
    );
    assert_eq!(
        p.batch.transactions[0]
            .external
            .as_ref()
            .unwrap()
            .external_id(),
        "card/R1"
    );
    assert!(p.batch.balances.is_empty());
}

#[test]
fn amounts_in_every_notation() {
    let m = BankCsvMapping::from_json(GERMAN, "m.json").unwrap();
    for (text, want) in [
        ("-1.234,56", -123_456),
        ("1.234,56-", -123_456),
        ("(1.234,56)", -123_456),
        ("+12,00 €", 1200),
        ("EUR 0,5", 50),
        ("7", 700),
    ] {
        assert_eq!(m.amount(text).unwrap(), Decimal::new(want, 2), "{text}");
    }
    for bad in ["", "abc", "1,2,3", "12.34.56,7,8", "--"] {
        assert!(m.amount(bad).is_err(), "{bad}");
    }
}

#[test]
fn bad_files_and_mappings_are_refused_with_reasons() {
    let m = BankCsvMapping::from_json(GERMAN, "m.json").unwrap();
    // A date in another format names the file and line.
    let mut file = german_file();
    file.extend_from_slice(b"2026-03-04;X;Y;Z;1,00;1,00\r\n");
    let err = read(&file, "u.csv", &m).unwrap_err().to_string();
    assert!(err.contains("u.csv") && err.contains("%d.%m.%Y"), "{err}");
    // A mapped column the file lacks.
    let err = read(
        b"a;b\r\n1;2\r\n",
        "u.csv",
        &BankCsvMapping {
            skip_lines: 0,
            ..m.clone()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Buchungstag"), "{err}");
    for (json, want) in [
        (
            GERMAN.replace("\"windows-1252\"", "\"klingon\""),
            "encoding",
        ),
        (
            GERMAN.replace(
                "\"thousands_separator\": \".\"",
                "\"thousands_separator\": \",\"",
            ),
            "differ",
        ),
        (
            GERMAN.replace("\"skip_lines\"", "\"skip_line\""),
            "skip_line",
        ),
        ("{".to_owned(), "m.json"),
    ] {
        let err = BankCsvMapping::from_json(&json, "m.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{want}: {err}");
    }
}
