-- +goose Up
-- Anonymous intake (internal/intake). Every red field of a contact — who
-- the person is, rank, unit, place, how to reach them, messages, attachment
-- names, types and contents — is sealed under the contact's own data key,
-- bound to its row. The key is wrapped to the intake team and to escrow in
-- key_wraps (object kind "intake"), and sealed under a key derived from the
-- applicant's receipt (thread_key): the receipt itself is never stored, only
-- a different derivation of it (lookup). The clear columns are green.

-- intake_contacts: one row per contact. status is new, replied, spam or
-- case; channel is how the person reached the network (web, phone,
-- facebook, telegram, signal). sealed_bytes counts the sealed bytes of the
-- contact, its messages and attachments (for the storage quota).
CREATE TABLE intake_contacts (
    seq          {{id}},
    id           TEXT NOT NULL UNIQUE,
    lookup       {{blob}} UNIQUE,
    thread_key   {{blob}},
    status       TEXT NOT NULL CHECK (status IN ('new', 'replied', 'spam', 'case')),
    channel      TEXT NOT NULL CHECK (channel IN ('web', 'phone', 'facebook', 'telegram', 'signal')),
    who          TEXT NOT NULL,
    service      TEXT NOT NULL,
    rank_band    TEXT NOT NULL,
    region       TEXT NOT NULL,
    month        TEXT NOT NULL,
    sealed       {{blob}} NOT NULL,
    case_id      BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    sealed_bytes BIGINT NOT NULL,
    created_day  TEXT NOT NULL,
    updated_day  TEXT NOT NULL
);
CREATE INDEX intake_contacts_status ON intake_contacts (status, seq);

-- intake_messages: the thread of a contact; author is applicant or staff.
CREATE TABLE intake_messages (
    seq         {{id}},
    id          TEXT NOT NULL UNIQUE,
    contact_id  TEXT NOT NULL REFERENCES intake_contacts (id) ON DELETE CASCADE,
    author      TEXT NOT NULL CHECK (author IN ('applicant', 'staff')),
    sealed      {{blob}} NOT NULL,
    created_day TEXT NOT NULL
);
CREATE INDEX intake_messages_contact ON intake_messages (contact_id, seq);

-- intake_attachments: a file sent with a contact or a message. meta (name
-- and type) is a sealed field; content is a sealed stream.
CREATE TABLE intake_attachments (
    id          TEXT PRIMARY KEY,
    contact_id  TEXT NOT NULL REFERENCES intake_contacts (id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    meta        {{blob}} NOT NULL,
    content     {{blob}} NOT NULL,
    created_day TEXT NOT NULL
);
CREATE INDEX intake_attachments_contact ON intake_attachments (contact_id);

-- intake_form_nonces: the nonces of form tokens already used, kept until
-- the token would have expired anyway, so a token is accepted once even
-- across several serve processes.
CREATE TABLE intake_form_nonces (
    nonce   TEXT PRIMARY KEY,
    expires BIGINT NOT NULL
);
CREATE INDEX intake_form_nonces_expires ON intake_form_nonces (expires);

-- intake_usage: one row, the counters the queue cap and the storage quota
-- are checked against, kept in the same transactions that change them.
CREATE TABLE intake_usage (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    pending BIGINT NOT NULL,
    bytes   BIGINT NOT NULL
);
INSERT INTO intake_usage (id, pending, bytes) VALUES (1, 0, 0);

-- +goose Down
DROP TABLE intake_usage;
DROP TABLE intake_form_nonces;
DROP TABLE intake_attachments;
DROP TABLE intake_messages;
DROP TABLE intake_contacts;
