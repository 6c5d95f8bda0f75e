// Package auth is Embrace's accounts, sign-in, sessions, roles and duress:
// who may sign in, what their session can open, and what they may attempt.
//
// # Guarantees and the invariants they keep
//
// Invariant 2 (the server alone cannot decrypt). A user's private key is
// stored only sealed under a key derived from their password (Argon2id),
// and a session's copy only sealed under a key derived from its token
// (HKDF), which the server never stores: the database keeps the token's
// SHA-256 as the session id. A seized database, backup or powered-off
// server therefore holds no key that opens a user's identity, a team key or
// anything wrapped to them. The TOTP secret is an age file to the user's own
// public key, so a seized database cannot mint codes either, while an
// administrator can still give a user a new one (encrypting to a public key
// needs no private key).
//
// Invariant 3 (need-to-know by keys). A session's keyring holds the user's
// identity and the team identities wrapped to it (keys.Keyring.UnlockHeld),
// nothing else. Permissions decide what a person may attempt; keys decide
// what they can read. Permissions are decided in one place: [Can] over the
// role → permission table in roles.go. Web and API routes declare their
// permission when registered (web.Server.staff, the API's bearer wrapper and
// openapi.json's x-permission), and an authorization-matrix test tries every
// route as every role.
//
// Invariant 4 (every decision audited). Every sign-in, refusal, sign-out,
// session revocation, duress sign-in, lockdown, permission refusal, account
// change and team grant is an audit entry, appended in the same transaction
// as the change it records. The actor is "user:NAME" when the account
// exists and "unknown" otherwise: an attempted username is never written
// down (it may be a password typed into the wrong box), and neither are
// passwords, codes or addresses.
//
// Invariant 5 (bad input changes nothing). A password over 256 characters
// is refused before any hashing; a malformed token, cookie or bearer header
// is simply no session; refusals change nothing but the failure counters.
//
// # Passwords
//
// After NIST SP 800-63B: 8 to 256 characters after NFC normalisation, no
// composition rules, and a check against common passwords. That list
// (common_passwords.txt, about a thousand entries) is compiled by hand from
// well-known public knowledge of the most common passwords plus words a
// volunteer in Myanmar might reach for (places, names, the movement); it is
// not a breach corpus, none being reachable where Embrace is built. The
// checker folds case and look-alike characters, strips digit and symbol
// decorations, and refuses sequences, repeated runs, keyboard walks, up to
// three listed words run together in a short password, the username and the
// service's name, so the list stands for millions of variants.
//
// One Argon2id run per sign-in (parameters stored per account; defaults in
// [DefaultParams], overridable per deployment by [SettingParams]) yields a
// master secret; HMACs of it are the login and duress verifiers, compared
// in constant time, and HKDF of it seals the identity. At most
// Config.MaxConcurrentHashes run at once, so a flood of sign-ins queues
// instead of exhausting memory. An unknown username runs the same Argon2id
// against a dummy account and gets the same answer, ErrBadCredentials, as a
// wrong password, a wrong code or a suspended account.
//
// # Second factor
//
// Every account has TOTP (RFC 6238: 30 s, 6 digits, SHA-1, one step of
// drift either way). The last accepted step is stored and a code is taken
// only if its step is later, with a conditional UPDATE, so a code works
// once even across processes. Ten recovery codes of 80 bits each, stored as
// SHA-256, each replace a code once.
//
// # Sessions and their keys
//
// A session is a row shared by every serve process: id (SHA-256 of a
// random 32-byte token), public handle, kind (web cookie or API bearer
// token, each accepted only where issued), created, last seen, absolute
// expiry (12 h) and idle timeout (30 min), and the user's identity sealed
// under HKDF-SHA256(token). Any process shown the token opens the identity,
// unlocks the team keys and caches the keyring in memory. Every request
// re-reads the row, so a logout, suspension or lockdown in any process takes
// effect at once; a process that finds the row gone wipes its cached keys,
// and [Service.Sweep] (run by [Service.Run], and at most once a minute from
// Authenticate) wipes the keys of sessions ended elsewhere that nobody
// presents again. [Service.Lockdown] deletes every session and wipes this
// process's keyrings at once.
//
// # Throttling
//
// Per account in the database (shared by processes): 10 failures in 15
// minutes pause the account for 15 minutes. Per client in memory only: a
// keyed hash of the remote address, never stored or logged, paused after 30
// failures in 15 minutes. Unknown usernames are paused like real ones (an
// in-memory counter), so the pause does not reveal which usernames exist.
// Behind a proxy or an onion service every client shares one address; the
// per-client limit is generous for that reason and the per-account lock
// does the real work.
//
// # Duress
//
// A person may set a duress password (web page or CLI). Signing in with it
// is decided by the same single Argon2id run as a normal sign-in, checks the
// TOTP code the same way (the TOTP secret is also encrypted to a duress key
// pair sealed under the duress password), and answers the same way: same
// status, same cookie, same redirect, same workspace. The session it opens
// has an empty keyring, so it opens nothing; routes whose permission is not
// [DuressSafe] send it back to its empty workspace, and the alert list shows
// it nothing. In the same transaction the account is suspended, its other
// sessions end (their keys are wiped in this process at once, elsewhere at
// the next request or sweep), and an alert row and an audit entry are
// written for administrators. The duress password keeps "working" after
// that, so repeating it under pressure shows the same empty workspace;
// the real password no longer does.
//
// Limits of duress: the deception holds for the person at the keyboard, not
// against someone who can read the database or the server's logs, which
// record the alert (administrators must be able to see it); someone who
// compares the account with what they know of the person's work will find
// it empty; a duress password set from the CLI accepts any well-formed code
// until the person next signs in normally (only then can its copy of the
// TOTP secret be made); and nothing here protects data the person already
// copied elsewhere.
//
// # Teams and the bootstrap steward
//
// Joining a team wraps the team's key to the member ([Service.AddToTeam]
// with a keyring that holds it). Without one — an administrator from the
// CLI — membership is recorded with a pending grant, fulfilled at the next
// sign-in of anyone who holds the key. The first administrator
// ([Service.CreateFirstAdmin]) is the bootstrap steward: member and key
// holder of every standard team, so pending grants have someone to fulfil
// them. A team made by [EnsureTeams] (escrow only) that nothing has been
// encrypted to yet is re-keyed for its first member, since no one could
// otherwise ever receive its key.
package auth
