"""Writes sample-transactions.csv and sample-balances.csv: one household's year, deterministic.

Accounts: checking, savings (depository), visa (credit), brokerage (investment), car-loan (loan).
Transactions: a biweekly salary, rent, subscriptions (one price change), utilities, groceries,
restaurants, fuel, a monthly transfer to savings and the card payment (both legs present, so they
pair as transfers). Balances: every Sunday, derived from the transactions, plus market drift on the
brokerage and the loan amortising. Run: python3 make_finance_sample.py
"""
import datetime
import random

rng = random.Random(7)
start = datetime.date(2025, 11, 17)
end = datetime.date(2026, 11, 15)
days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
tx = []  # (date, account, cents, merchant, category, description)


def add(d, account, cents, merchant="", category="", description=""):
    tx.append((d, account, cents, merchant, category, description))


for d in days:
    if (d - start).days % 14 == 4:
        add(d, "checking", 265_000, "ACME Corp Payroll", "Income/Salary", "PAYROLL")
    if d.day == 1:
        add(d, "checking", -185_000, "Parkside Apartments", "Housing/Rent", "RENT")
        add(d, "checking", -50_000, "", "", "TRANSFER TO SAVINGS")
        add(d + datetime.timedelta(days=1), "savings", 50_000, "", "", "TRANSFER FROM CHECKING")
    if d.day == 15:
        add(d, "visa", -(1549 if d < datetime.date(2026, 6, 1) else 1799), "NETFLIX.COM", "Entertainment/Streaming")
        add(d, "visa", -1099, "Spotify USA", "Entertainment/Streaming")
    if d.day == 20:
        add(d, "checking", -rng.randint(8_000, 11_500), "City Power & Light", "Bills/Utilities")
        add(d, "checking", -32_500, "Car Loan Servicing", "Bills/Car loan")
    if d.day == 5:
        add(d, "visa", -2_499, "PLANET FITNESS #1123", "Health/Gym")
    if rng.random() < 0.30:
        store = rng.choice(["WHOLEFDS MKT #10234", "TRADER JOE'S #552", "SAFEWAY 1290"])
        add(d, "visa", -rng.randint(1_800, 16_000), store, "Food/Groceries")
    if rng.random() < 0.22:
        add(d, "visa", -rng.randint(1_200, 8_500), rng.choice(["Blue Bottle", "Taqueria Sol", "Noodle Bar", "Pizzeria Roma", "Sushi Ko"]), "Food/Restaurants")
    if rng.random() < 0.10:
        add(d, "visa", -rng.randint(3_500, 6_500), "SHELL OIL 57442", "Transport/Fuel")
    if rng.random() < 0.03:
        add(d, "visa", rng.randint(500, 4_000), "Refund", "Shopping", "RETURN")

# Pay the card in full each month on the 25th: both legs are in the data.
for d in days:
    if d.day == 25:
        owed = -sum(c for (dd, a, c, *_) in tx if a == "visa" and dd < d)
        if owed > 0:
            add(d, "checking", -owed, "", "", "VISA PAYMENT")
            add(d, "visa", owed, "", "", "PAYMENT THANK YOU")

tx.sort()
with open("sample-transactions.csv", "w") as f:
    f.write("date,account,amount,currency,merchant,category,description\n")
    for d, a, c, m, cat, desc in tx:
        sign = "-" if c < 0 else ""
        f.write(f"{d},{a},{sign}{abs(c) // 100}.{abs(c) % 100:02d},USD,{m},{cat},{desc}\n")

# Weekly balances (Sundays): cash accounts from the transactions; brokerage drifts; loan amortises.
bal = {"checking": 640_000, "savings": 1_800_000, "visa": 0}
brokerage, loan = 4_200_000, 1_650_000
kinds = {"checking": "depository", "savings": "depository", "visa": "credit", "brokerage": "investment", "car-loan": "loan"}
with open("sample-balances.csv", "w") as f:
    f.write("date,account,type,balance,currency\n")
    i = 0
    for d in days:
        while i < len(tx) and tx[i][0] <= d:
            _, a, c, *_ = tx[i]
            bal[a] += c
            i += 1
        brokerage = int(brokerage * (1 + rng.gauss(0.0003, 0.009)))
        if d.day == 20:
            loan -= 26_000
        if d.weekday() == 6:
            rows = {"checking": bal["checking"], "savings": bal["savings"], "visa": -bal["visa"], "brokerage": brokerage, "car-loan": loan}
            for a, c in rows.items():
                sign = "-" if c < 0 else ""
                f.write(f"{d},{a},{kinds[a]},{sign}{abs(c) // 100}.{abs(c) % 100:02d},USD\n")
