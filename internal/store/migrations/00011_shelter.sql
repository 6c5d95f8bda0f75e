-- +goose Up
-- Shelters (internal/shelter): safe houses, stays and needs. The clear
-- columns are green (a house's short code, coarse area and beds; a stay's
-- case, green person ids, headcount, status and days; a need's kind and
-- status). Addresses, contacts, phones, notes, resident names and need
-- notes are sealed: a house's under its own key (object "shelter_house"),
-- a stay's under its own key (object "shelter_stay"), each bound to its
-- row by ref and wrapped to the shelter team and escrow.

CREATE TABLE shelter_houses (
    id          {{id}},
    ref         TEXT NOT NULL UNIQUE,
    code        TEXT NOT NULL UNIQUE,
    area        TEXT NOT NULL,
    beds        INTEGER NOT NULL CHECK (beds >= 0),
    created_day TEXT NOT NULL,
    sealed      {{blob}} NOT NULL
);

-- shelter_stays: a request for a place (status requested), a stay
-- (staying), its end (left) or a withdrawn request (cancelled). sealed
-- holds the resident names under the stay key; disclosed holds the house's
-- address and contact under the same key, written only at assignment.
CREATE TABLE shelter_stays (
    id            {{id}},
    ref           TEXT NOT NULL UNIQUE,
    case_id       BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    house_id      BIGINT REFERENCES shelter_houses (id),
    status        TEXT NOT NULL,
    headcount     INTEGER NOT NULL CHECK (headcount > 0),
    people        TEXT NOT NULL DEFAULT '',
    requested_day TEXT NOT NULL,
    in_day        TEXT NOT NULL DEFAULT '',
    out_day       TEXT NOT NULL DEFAULT '',
    sealed        {{blob}} NOT NULL,
    disclosed     {{blob}}
);
CREATE INDEX shelter_stays_house ON shelter_stays (house_id, status);
CREATE INDEX shelter_stays_case ON shelter_stays (case_id, id);
CREATE INDEX shelter_stays_status ON shelter_stays (status, id);

-- shelter_needs: food, medicine, repairs or other, open or met; the note
-- is sealed under the house key.
CREATE TABLE shelter_needs (
    id         {{id}},
    ref        TEXT NOT NULL UNIQUE,
    house_id   BIGINT NOT NULL REFERENCES shelter_houses (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    opened_day TEXT NOT NULL,
    met_day    TEXT NOT NULL DEFAULT '',
    sealed     {{blob}} NOT NULL
);
CREATE INDEX shelter_needs_house ON shelter_needs (house_id, status);

-- +goose Down
DROP TABLE shelter_needs;
DROP TABLE shelter_stays;
DROP TABLE shelter_houses;
