-- +goose Up
-- Safe passage (internal/passage). A plan belongs to a case and is an
-- ordered list of legs. Everything that says where, when and with whom —
-- a leg's places, time window, guide, handoff codeword, notes, and a
-- guide's problem messages — is sealed under the leg's own data key, bound
-- to its row. That key is wrapped to the passage team and to escrow in
-- key_wraps (object kind "passage_leg"), and sealed under a key derived
-- from the guide link's secret (guide_key): the secret itself is never
-- stored, only a different derivation of it (lookup). The clear columns
-- are green; the window is not among them, so overdue legs are found inside
-- a coordinator's session.

-- passage_plans: status is active, arrived or purged. case_moved records
-- that a coordinator's session has moved the case to arrived after the
-- last hand-over (a guide holds no key that could). outcome, set when the
-- route is shredded, is arrived, cancelled or the state the case left
-- passage for (lost_contact, detained, …).
CREATE TABLE passage_plans (
    id          TEXT PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('active', 'arrived', 'purged')),
    legs        INTEGER NOT NULL,
    travellers  INTEGER NOT NULL,
    created_day TEXT NOT NULL,
    arrived_day TEXT NOT NULL DEFAULT '',
    purged_day  TEXT NOT NULL DEFAULT '',
    case_moved  BOOLEAN NOT NULL DEFAULT FALSE,
    outcome     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX passage_plans_case ON passage_plans (case_id);
CREATE INDEX passage_plans_status ON passage_plans (status, arrived_day);

-- passage_travellers: which of the case's people travel (ids only).
CREATE TABLE passage_travellers (
    plan_id   TEXT NOT NULL REFERENCES passage_plans (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, person_id)
);

-- passage_legs: position is 1-based; status is planned, picked_up or
-- handed_over; problems counts the guide's problem reports. deadline is
-- the window's end alone, sealed under the passage schedule key (one key,
-- kind "passage_schedule", wrapped to the passage team and escrow), so the
-- alerts of every route under way cost one unwrap, not one per leg.
CREATE TABLE passage_legs (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES passage_plans (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'picked_up', 'handed_over')),
    problems    INTEGER NOT NULL DEFAULT 0,
    lookup      {{blob}} NOT NULL UNIQUE,
    guide_key   {{blob}} NOT NULL,
    sealed      {{blob}} NOT NULL,
    deadline    {{blob}} NOT NULL,
    updated_day TEXT NOT NULL,
    UNIQUE (plan_id, position)
);

-- passage_checkins: what guides reported. kind and day are green; the
-- exact time and a problem's message are sealed under the leg key.
CREATE TABLE passage_checkins (
    seq    {{id}},
    id     TEXT NOT NULL UNIQUE,
    leg_id TEXT NOT NULL REFERENCES passage_legs (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL CHECK (kind IN ('picked_up', 'handed_over', 'problem')),
    day    TEXT NOT NULL,
    sealed {{blob}} NOT NULL
);
CREATE INDEX passage_checkins_leg ON passage_checkins (leg_id);

-- +goose Down
DROP TABLE passage_checkins;
DROP TABLE passage_legs;
DROP TABLE passage_travellers;
DROP TABLE passage_plans;
