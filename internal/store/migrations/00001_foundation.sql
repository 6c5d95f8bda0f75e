-- +goose Up
-- settings: the deployment's own facts and settings (green only).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- cases: one row per case, green attributes only (DESIGN §3). Red fields live
-- in encrypted tables keyed by case id.
CREATE TABLE cases (
    id            {{id}},
    state         TEXT NOT NULL,
    service       TEXT NOT NULL,
    rank_band     TEXT NOT NULL,
    region        TEXT NOT NULL,
    contact_month TEXT NOT NULL,
    with_arms     BOOLEAN NOT NULL DEFAULT FALSE,
    with_vehicle  BOOLEAN NOT NULL DEFAULT FALSE,
    dependants    INTEGER NOT NULL DEFAULT 0,
    created_day   TEXT NOT NULL,
    updated_day   TEXT NOT NULL
);
CREATE INDEX cases_state ON cases (state, id);
CREATE INDEX cases_month ON cases (contact_month);

-- +goose Down
DROP TABLE cases;
DROP TABLE settings;
