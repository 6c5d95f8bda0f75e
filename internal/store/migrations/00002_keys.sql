-- +goose Up
-- principals: every user, team and the escrow principal, with its public key
-- (an age recipient). Private keys are never stored here.
CREATE TABLE principals (
    id        {{id}},
    kind      TEXT NOT NULL CHECK (kind IN ('user', 'team', 'escrow')),
    name      TEXT NOT NULL,
    recipient TEXT NOT NULL,
    created   BIGINT NOT NULL,
    UNIQUE (kind, name)
);

-- principal_wraps: a principal's private key (a team's) wrapped to a holder
-- (a member, or escrow).
CREATE TABLE principal_wraps (
    principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    holder_id    BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    wrapped      {{blob}} NOT NULL,
    PRIMARY KEY (principal_id, holder_id)
);
CREATE INDEX principal_wraps_holder ON principal_wraps (holder_id);

-- key_wraps: an object's data key (a case's, a shelter's, a team's index
-- key …) wrapped to each principal that may open it. Deleting an object's
-- rows here destroys its data (crypto-shredding).
CREATE TABLE key_wraps (
    object_kind  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    principal_id BIGINT NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
    wrapped      {{blob}} NOT NULL,
    PRIMARY KEY (object_kind, object_id, principal_id)
);
CREATE INDEX key_wraps_principal ON key_wraps (principal_id, object_kind);

-- +goose Down
DROP TABLE key_wraps;
DROP TABLE principal_wraps;
DROP TABLE principals;
