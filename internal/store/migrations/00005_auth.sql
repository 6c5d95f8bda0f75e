-- +goose Up
-- Accounts, sessions and alerts (internal/auth). Nothing here opens red data
-- on its own: private keys are sealed under keys derived from a password
-- (Argon2id) or a session token (HKDF) that the server does not keep, and the
-- TOTP secret is an age file to the user's own public key.

-- auth_accounts: one row per staff account. kdf_* are the Argon2id
-- parameters of this account's password (kept per account so they can be
-- raised later). verifier and duress_verifier are HMACs of the Argon2id
-- output; sealed_identity is the user's private key under a key derived from
-- the same output. duress_identity is a second key pair, sealed under the
-- duress password, so that a duress login can check a TOTP code too.
-- totp_secret is an age file to the user's (and the duress) public key;
-- totp_last_step is the last accepted RFC 6238 time step (no replay).
CREATE TABLE auth_accounts (
    id               {{id}},
    username         TEXT NOT NULL UNIQUE,
    principal_id     BIGINT NOT NULL UNIQUE REFERENCES principals (id),
    status           TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    created          BIGINT NOT NULL,
    kdf_time         INTEGER NOT NULL,
    kdf_memory       INTEGER NOT NULL,
    kdf_threads      INTEGER NOT NULL,
    kdf_salt         {{blob}} NOT NULL,
    verifier         {{blob}} NOT NULL,
    sealed_identity  {{blob}} NOT NULL,
    duress_verifier  {{blob}},
    duress_identity  {{blob}},
    duress_recipient TEXT,
    totp_secret      {{blob}} NOT NULL,
    totp_duress      BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step   BIGINT NOT NULL DEFAULT 0,
    fail_count       INTEGER NOT NULL DEFAULT 0,
    fail_since       BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT NOT NULL DEFAULT 0
);

-- auth_account_roles: the roles of DESIGN §1 an account holds.
CREATE TABLE auth_account_roles (
    account_id BIGINT NOT NULL REFERENCES auth_accounts (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

-- auth_account_teams: team membership. Holding the team's key is separate
-- (principal_wraps); a member still waiting for it has a pending grant.
CREATE TABLE auth_account_teams (
    account_id BIGINT NOT NULL REFERENCES auth_accounts (id) ON DELETE CASCADE,
    team       TEXT NOT NULL,
    PRIMARY KEY (account_id, team)
);

-- auth_pending_grants: a member who still needs the team key wrapped to
-- them; fulfilled at the next login of anyone who holds that key.
CREATE TABLE auth_pending_grants (
    account_id BIGINT NOT NULL REFERENCES auth_accounts (id) ON DELETE CASCADE,
    team       TEXT NOT NULL,
    created    BIGINT NOT NULL,
    PRIMARY KEY (account_id, team)
);

-- auth_recovery_codes: SHA-256 of each one-time recovery code.
CREATE TABLE auth_recovery_codes (
    account_id BIGINT NOT NULL REFERENCES auth_accounts (id) ON DELETE CASCADE,
    hash       {{blob}} NOT NULL,
    used       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, hash)
);

-- auth_sessions: server-side sessions shared by every serve process. id is
-- the SHA-256 of the token (the token itself is never stored); handle is a
-- random public name for the owner's session list. sealed_identity is the
-- user's private key under HKDF(token): only a holder of the cookie or bearer
-- token can open it. A duress session has none.
CREATE TABLE auth_sessions (
    id              TEXT PRIMARY KEY,
    handle          TEXT NOT NULL UNIQUE,
    account_id      BIGINT NOT NULL REFERENCES auth_accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    created         BIGINT NOT NULL,
    last_seen       BIGINT NOT NULL,
    expires         BIGINT NOT NULL,
    idle_seconds    BIGINT NOT NULL,
    sealed_identity {{blob}},
    duress          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX auth_sessions_account ON auth_sessions (account_id);

-- alerts: events administrators must see (a duress login, a lockdown).
CREATE TABLE alerts (
    id         {{id}},
    kind       TEXT NOT NULL,
    account_id BIGINT REFERENCES auth_accounts (id) ON DELETE SET NULL,
    created    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE alerts;
DROP TABLE auth_sessions;
DROP TABLE auth_recovery_codes;
DROP TABLE auth_pending_grants;
DROP TABLE auth_account_teams;
DROP TABLE auth_account_roles;
DROP TABLE auth_accounts;
