-- +goose Up
-- The tamper-evident audit log (internal/audit, DESIGN §2 invariant 4).
-- Nothing here is red: actor, action and object are identifiers, detail is a
-- small JSON object of identifiers and codes, and no IP address is kept.

-- audit_head: one row holding the log's size. Every append increments it
-- first (UPDATE … RETURNING), which takes a row lock on PostgreSQL and so
-- serialises appends from several server processes; SQLite has one writer.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

-- audit_entries: one row per entry, indexed densely from 0. at is unix
-- seconds (UTC); leaf is the RFC 6962 leaf hash of the entry's canonical
-- encoding, which covers idx and at as well as the text fields.
CREATE TABLE audit_entries (
    idx    {{id}},
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL,
    leaf   {{blob}} NOT NULL
);
CREATE INDEX audit_entries_actor ON audit_entries (actor, idx);
CREATE INDEX audit_entries_action ON audit_entries (action, idx);
CREATE INDEX audit_entries_object ON audit_entries (object, idx);

-- audit_hashes: the Merkle tree's stored hashes, keyed by
-- tlog.StoredHashIndex (golang.org/x/mod/sumdb/tlog).
CREATE TABLE audit_hashes (
    id   {{id}},
    hash {{blob}} NOT NULL
);

-- audit_checkpoints: a signed checkpoint (C2SP tlog-checkpoint in the
-- signed-note format) for every tree size the log has had.
CREATE TABLE audit_checkpoints (
    size    {{id}},
    created BIGINT NOT NULL,
    note    TEXT NOT NULL
);

-- +goose Down
DELETE FROM settings WHERE name IN ('audit_signer_key', 'audit_verifier_key');
DROP TABLE audit_checkpoints;
DROP TABLE audit_hashes;
DROP TABLE audit_entries;
DROP TABLE audit_head;
