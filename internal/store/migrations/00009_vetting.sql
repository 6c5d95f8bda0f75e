-- +goose Up
-- Vetting (internal/vetting): checks, evidence, two-person decisions, the
-- informer watch list, screening records and alerts. Every red value is
-- sealed: check notes, evidence and decision reasons under the case key;
-- watch-list entries each under their own key held by the watchlist team;
-- screening records under a key wrapped to the watchlist team's public key;
-- alerts under the watchlist alerts key. Clear columns are green.

-- vetting_checks: one row per case and check kind; the notes are sealed
-- under the case key, bound to ref.
CREATE TABLE vetting_checks (
    id          {{id}},
    ref         TEXT NOT NULL UNIQUE,
    case_id     BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    result      TEXT NOT NULL DEFAULT 'pending',
    actor       TEXT NOT NULL,
    updated_day TEXT NOT NULL,
    sealed      {{blob}},
    UNIQUE (case_id, kind)
);

-- vetting_evidence: an attachment of a check, streamed into a sealed blob
-- under the case key, bound to ref. Its sniffed type and size are green.
CREATE TABLE vetting_evidence (
    id           {{id}},
    ref          TEXT NOT NULL UNIQUE,
    case_id      BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    day          TEXT NOT NULL,
    sealed       {{blob}} NOT NULL
);
CREATE INDEX vetting_evidence_case ON vetting_evidence (case_id, id);

-- vetting_decisions: a proposed decision and its confirmation by a second
-- officer. status: proposed, confirmed, withdrawn. The reason is sealed
-- under the case key, bound to ref.
CREATE TABLE vetting_decisions (
    id                  {{id}},
    ref                 TEXT NOT NULL UNIQUE,
    case_id             BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    decision            TEXT NOT NULL,
    risk                TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'proposed',
    proposer            TEXT NOT NULL,
    proposer_principal  BIGINT NOT NULL,
    proposed_day        TEXT NOT NULL,
    confirmer           TEXT NOT NULL DEFAULT '',
    decided_day         TEXT NOT NULL DEFAULT '',
    sealed              {{blob}} NOT NULL
);
CREATE INDEX vetting_decisions_case ON vetting_decisions (case_id, id);

-- watchlist: one informer or agent per row, sealed under its own key
-- (key_wraps object kind watchlist.entry, object id ref).
CREATE TABLE watchlist (
    id          {{id}},
    ref         TEXT NOT NULL UNIQUE,
    created_day TEXT NOT NULL,
    sealed      {{blob}} NOT NULL
);

-- watchlist_index: blind indexes of an entry's normalised NRC and service
-- numbers under the watchlist-held index key.
CREATE TABLE watchlist_index (
    entry_id BIGINT NOT NULL REFERENCES watchlist (id) ON DELETE CASCADE,
    domain   TEXT NOT NULL,
    idx      {{blob}} NOT NULL
);
CREATE INDEX watchlist_index_idx ON watchlist_index (idx);

-- vetting_screening: a person's names and identifiers as recorded, sealed
-- under a fresh key wrapped to the watchlist team's public key (and
-- escrow) by whoever recorded them, waiting for a lead's session to match
-- them against the watch list. Nothing about the person is in the clear.
CREATE TABLE vetting_screening (
    id     {{id}},
    ref    TEXT NOT NULL UNIQUE,
    sealed {{blob}} NOT NULL
);

-- vetting_alerts: a watch-list hit, sealed under the watchlist alerts key
-- (which case, which person, which entry and how). open is green.
CREATE TABLE vetting_alerts (
    id     {{id}},
    ref    TEXT NOT NULL UNIQUE,
    day    TEXT NOT NULL,
    open   BOOLEAN NOT NULL DEFAULT TRUE,
    sealed {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE vetting_alerts;
DROP TABLE vetting_screening;
DROP TABLE watchlist_index;
DROP TABLE watchlist;
DROP TABLE vetting_decisions;
DROP TABLE vetting_evidence;
DROP TABLE vetting_checks;
