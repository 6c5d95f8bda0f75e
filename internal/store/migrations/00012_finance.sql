-- +goose Up
-- Finance (internal/finance): payees, stipends, payment runs, rewards, a
-- double-entry ledger in integer minor units, funding sources and exchange
-- rates. Amounts, currencies, months, codes and statuses are green; who a
-- payee is, how they are paid, payment witnesses, reward evidence and
-- custody records are sealed (payee key, object kind "finance_payee";
-- claim key, object kind "finance_claim"; both wrapped to the finance team
-- and escrow). No table here holds a place where a person is.

-- finance_accounts: the ledger's accounts. code is e.g. "cash:F-1",
-- "funding:F-1", "expense:stipends", "expense:rewards", "payable:rewards".
CREATE TABLE finance_accounts (
    id   {{id}},
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('asset', 'liability', 'equity', 'expense'))
);

-- finance_tx: one booking. kind names the business action; ref the object
-- ("line:12", "claim:3", "deposit:F-1").
CREATE TABLE finance_tx (
    id    {{id}},
    day   TEXT NOT NULL,
    month TEXT NOT NULL,
    kind  TEXT NOT NULL,
    ref   TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX finance_tx_ref ON finance_tx (ref);

-- finance_entries: the lines of a booking; amount in minor units, debit
-- positive, credit negative. Each booking's lines sum to zero per currency.
CREATE TABLE finance_entries (
    id         {{id}},
    tx_id      BIGINT NOT NULL REFERENCES finance_tx (id),
    account_id BIGINT NOT NULL REFERENCES finance_accounts (id),
    currency   TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX finance_entries_tx ON finance_entries (tx_id);
CREATE INDEX finance_entries_account ON finance_entries (account_id, currency);

-- finance_sources: funding sources with a budget (what was pledged).
CREATE TABLE finance_sources (
    id       {{id}},
    code     TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    currency TEXT NOT NULL,
    budget   BIGINT NOT NULL CHECK (budget >= 0),
    created_day TEXT NOT NULL
);

-- finance_rates: 1 unit of base is num/den units of quote, from day on.
CREATE TABLE finance_rates (
    id    {{id}},
    day   TEXT NOT NULL,
    base  TEXT NOT NULL,
    quote TEXT NOT NULL,
    num   BIGINT NOT NULL CHECK (num > 0),
    den   BIGINT NOT NULL CHECK (den > 0),
    UNIQUE (day, base, quote)
);

-- finance_payees: a payee is an opaque code linked to a case. sealed holds
-- the name and how to pay; confirm_hash is a keyed hash of the recipient's
-- code under the payee's index key (key_wraps kind "finance_payee_code"),
-- so the code cannot be searched for without the finance team's key.
CREATE TABLE finance_payees (
    id           {{id}},
    code         TEXT NOT NULL UNIQUE,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    sealed       {{blob}} NOT NULL,
    confirm_hash {{blob}} NOT NULL,
    created_day  TEXT NOT NULL
);
CREATE INDEX finance_payees_case ON finance_payees (case_id);

-- finance_stipends: a monthly stipend enrolment. end_month '' is open.
CREATE TABLE finance_stipends (
    id          {{id}},
    payee_id    BIGINT NOT NULL REFERENCES finance_payees (id),
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    start_month TEXT NOT NULL,
    end_month   TEXT NOT NULL DEFAULT '',
    created_day TEXT NOT NULL
);
CREATE INDEX finance_stipends_payee ON finance_stipends (payee_id);

-- finance_runs: one payment run per month, paid from one funding source.
CREATE TABLE finance_runs (
    id           {{id}},
    month        TEXT NOT NULL UNIQUE,
    source_id    BIGINT NOT NULL REFERENCES finance_sources (id),
    status       TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    prepared_day TEXT NOT NULL,
    closed_day   TEXT NOT NULL DEFAULT ''
);

-- finance_run_lines: the roster. for_month is the month the stipend is
-- for (earlier than the run's month for arrears). witness is sealed under
-- the payee key.
CREATE TABLE finance_run_lines (
    id         {{id}},
    run_id     BIGINT NOT NULL REFERENCES finance_runs (id),
    payee_id   BIGINT NOT NULL REFERENCES finance_payees (id),
    stipend_id BIGINT NOT NULL REFERENCES finance_stipends (id),
    for_month  TEXT NOT NULL,
    arrears    BOOLEAN NOT NULL DEFAULT FALSE,
    currency   TEXT NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'missed', 'refused')),
    confirm    TEXT NOT NULL DEFAULT '' CHECK (confirm IN ('', 'code', 'witness')),
    witness    {{blob}},
    tx_id      BIGINT REFERENCES finance_tx (id),
    marked_day TEXT NOT NULL DEFAULT '',
    UNIQUE (run_id, stipend_id, for_month)
);
CREATE INDEX finance_run_lines_run ON finance_run_lines (run_id, id);
CREATE INDEX finance_run_lines_stipend ON finance_run_lines (stipend_id, for_month);
-- One payment per payee and month, whatever the run.
CREATE UNIQUE INDEX finance_run_lines_paid ON finance_run_lines (payee_id, for_month) WHERE status = 'paid';

-- finance_reward_kinds: the reward schedule.
CREATE TABLE finance_reward_kinds (
    kind     TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    amount   BIGINT NOT NULL CHECK (amount > 0),
    active   BOOLEAN NOT NULL DEFAULT TRUE
);

-- finance_claims: reward claims. first_by/second_by are the approving
-- officers' principals (the database refuses the same one twice);
-- custody is sealed under the claim key.
CREATE TABLE finance_claims (
    id          {{id}},
    payee_id    BIGINT NOT NULL REFERENCES finance_payees (id),
    kind        TEXT NOT NULL REFERENCES finance_reward_kinds (kind),
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    status      TEXT NOT NULL CHECK (status IN ('claimed', 'approved', 'confirmed', 'paid', 'rejected')),
    custody     {{blob}} NOT NULL,
    first_by    BIGINT,
    second_by   BIGINT,
    source_id   BIGINT REFERENCES finance_sources (id),
    created_day TEXT NOT NULL,
    paid_day    TEXT NOT NULL DEFAULT '',
    CHECK (first_by IS NULL OR second_by IS NULL OR first_by <> second_by)
);
CREATE INDEX finance_claims_status ON finance_claims (status, id);

-- finance_evidence: files supporting a claim; meta (name, type) and
-- content sealed under the claim key.
CREATE TABLE finance_evidence (
    id          TEXT PRIMARY KEY,
    claim_id    BIGINT NOT NULL REFERENCES finance_claims (id),
    meta        {{blob}} NOT NULL,
    content     {{blob}} NOT NULL,
    size        BIGINT NOT NULL,
    created_day TEXT NOT NULL
);
CREATE INDEX finance_evidence_claim ON finance_evidence (claim_id);

-- +goose Down
DROP TABLE finance_evidence;
DROP TABLE finance_claims;
DROP TABLE finance_reward_kinds;
DROP INDEX finance_run_lines_paid;
DROP TABLE finance_run_lines;
DROP TABLE finance_runs;
DROP TABLE finance_stipends;
DROP TABLE finance_payees;
DROP TABLE finance_rates;
DROP TABLE finance_sources;
DROP TABLE finance_entries;
DROP TABLE finance_tx;
DROP TABLE finance_accounts;
