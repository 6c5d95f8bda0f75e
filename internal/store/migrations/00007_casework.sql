-- +goose Up
-- Casework (internal/casework): lifecycle, assignment, notes, tasks, the
-- timeline, threats to relatives, photos and the duplicate indexes. Every
-- red value is in a sealed column under the case key (or, for the name
-- index, under a team-held name-index key), bound to its row by ref; the
-- clear columns are green.

-- cases.team: the team owning the current stage; handler_id: the assigned
-- handler's principal (its wrap of the case key is what lets them read).
ALTER TABLE cases ADD COLUMN team TEXT NOT NULL DEFAULT 'intake';
ALTER TABLE cases ADD COLUMN handler_id BIGINT;
CREATE INDEX cases_handler ON cases (handler_id, id);
CREATE INDEX cases_team ON cases (team, id);

-- people: relocation need (green), the person this one was merged into,
-- and whether its duplicate indexes have been written.
ALTER TABLE people ADD COLUMN relocation TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN merged_into TEXT;
ALTER TABLE people ADD COLUMN indexed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX people_unindexed ON people (indexed);

-- case_events: the timeline. kind, actor, states and day are green; the
-- reason or other red detail is sealed under the case key, bound to ref.
CREATE TABLE case_events (
    id         {{id}},
    ref        TEXT NOT NULL UNIQUE,
    case_id    BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state   TEXT NOT NULL DEFAULT '',
    sealed     {{blob}}
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- case_notes: free-text notes, sealed.
CREATE TABLE case_notes (
    id      {{id}},
    ref     TEXT NOT NULL UNIQUE,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author  TEXT NOT NULL,
    day     TEXT NOT NULL,
    sealed  {{blob}} NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- case_tasks: due day, owner account and done are green; the text is sealed.
CREATE TABLE case_tasks (
    id            {{id}},
    ref           TEXT NOT NULL UNIQUE,
    case_id       BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    owner_account BIGINT,
    due_day       TEXT NOT NULL DEFAULT '',
    done          BOOLEAN NOT NULL DEFAULT FALSE,
    created_day   TEXT NOT NULL,
    sealed        {{blob}} NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, id);
CREATE INDEX case_tasks_owner ON case_tasks (owner_account, done, due_day);

-- threat_events: retaliation against a relative. kind and day are green,
-- the details sealed.
CREATE TABLE threat_events (
    id        {{id}},
    ref       TEXT NOT NULL UNIQUE,
    case_id   BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    day       TEXT NOT NULL,
    sealed    {{blob}} NOT NULL
);
CREATE INDEX threat_events_case ON threat_events (case_id, id);

-- person_photos: one photo per person, sealed under the case key.
CREATE TABLE person_photos (
    person_id TEXT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    case_id   BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    sealed    {{blob}} NOT NULL
);

-- person_index: blind indexes (HMAC under a team-held index key) of a
-- person's normalised NRC, service and phone numbers, for exact duplicates.
CREATE TABLE person_index (
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    case_id   BIGINT NOT NULL,
    domain    TEXT NOT NULL,
    idx       {{blob}} NOT NULL,
    PRIMARY KEY (person_id, domain)
);
CREATE INDEX person_index_idx ON person_index (idx);

-- name_index: each person's name sealed under the team-held name-index key,
-- so an authorised session can load every name for fuzzy matching by
-- opening one key. seq lets a process load only what is new.
CREATE TABLE name_index (
    seq       {{id}},
    person_id TEXT NOT NULL UNIQUE REFERENCES people (id) ON DELETE CASCADE,
    case_id   BIGINT NOT NULL,
    sealed    {{blob}} NOT NULL
);

-- +goose Down
DROP TABLE name_index;
DROP TABLE person_index;
DROP TABLE person_photos;
DROP TABLE threat_events;
DROP TABLE case_tasks;
DROP TABLE case_notes;
DROP TABLE case_events;
DROP INDEX people_unindexed;
ALTER TABLE people DROP COLUMN indexed;
ALTER TABLE people DROP COLUMN merged_into;
ALTER TABLE people DROP COLUMN relocation;
DROP INDEX cases_team;
DROP INDEX cases_handler;
ALTER TABLE cases DROP COLUMN handler_id;
ALTER TABLE cases DROP COLUMN team;
