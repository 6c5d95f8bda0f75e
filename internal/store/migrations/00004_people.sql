-- +goose Up
-- people: the defector and each family member of a case. Everything that
-- identifies them is in sealed, one AEAD envelope under the case key bound to
-- (people, sealed, id). The clear columns are green: coarse on purpose.
CREATE TABLE people (
    id           TEXT PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    relation     TEXT NOT NULL,
    still_inside BOOLEAN NOT NULL DEFAULT FALSE,
    risk         TEXT NOT NULL DEFAULT '',
    sealed       {{blob}} NOT NULL,
    created_day  TEXT NOT NULL
);
CREATE INDEX people_case ON people (case_id);

-- +goose Down
DROP TABLE people;
