-- +goose Up
-- Membership certificates (internal/certs). Green in the clear: numbers,
-- states, days, key ids, public keys, revocation reason codes and the
-- signed revocation list (certificate numbers and days only). Red, sealed
-- under a per-certificate key wrapped to the certification team and
-- escrow: the requested claims (public and private), the issued token and
-- the revocation note.

-- cert_keys: signing keys. The Ed25519 public key is public (it is in the
-- JWKS); the private seed is sealed under an object key ("cert_key", kid)
-- wrapped to the certification team and escrow.
CREATE TABLE cert_keys (
    kid         TEXT PRIMARY KEY,
    public_key  {{blob}} NOT NULL,
    sealed_seed {{blob}} NOT NULL,
    created_day TEXT NOT NULL,
    created_seq BIGINT NOT NULL,
    retired_day TEXT NOT NULL DEFAULT ''
);

-- certificates: one row per request; state requested → issued → revoked
-- (or requested → declined). revoked_day and revoked_by also record a
-- decline; revoke_reason is a revocation's reason code; sealed_note is the
-- sealed note of either.
CREATE TABLE certificates (
    id             {{id}},
    number         TEXT NOT NULL UNIQUE,
    case_id        BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    state          TEXT NOT NULL,
    requested_day  TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    sealed_request {{blob}} NOT NULL,
    issued_day     TEXT NOT NULL DEFAULT '',
    issued_by      TEXT NOT NULL DEFAULT '',
    kid            TEXT NOT NULL DEFAULT '',
    sealed_token   {{blob}},
    revoked_day    TEXT NOT NULL DEFAULT '',
    revoked_by     TEXT NOT NULL DEFAULT '',
    revoke_reason  TEXT NOT NULL DEFAULT '',
    sealed_note    {{blob}}
);
CREATE INDEX certificates_state ON certificates (state, id);
CREATE INDEX certificates_case ON certificates (case_id);

-- cert_revocation_lists: each signed list, newest last.
CREATE TABLE cert_revocation_lists (
    id         {{id}},
    issued_day TEXT NOT NULL,
    kid        TEXT NOT NULL,
    token      TEXT NOT NULL
);

-- +goose Down
DROP TABLE cert_revocation_lists;
DROP TABLE certificates;
DROP TABLE cert_keys;
