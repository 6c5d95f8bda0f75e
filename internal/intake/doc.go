// Package intake is the network's front door: the anonymous contact form,
// receipts and the applicant's thread, its flood defences, and the intake
// team's inbox.
//
// # Keys
//
// Each contact gets a fresh data key K. Every red field — rank, unit, place,
// how to reach the person, each message, each attachment's name, type and
// content — is sealed under K and bound to its row (keys.SealField,
// keys.NewFieldWriter; attachments are streamed from the request through
// the encrypting writer, so no plaintext temporary file exists). K is
// sealed under the key of the batch the contact is committed in, and only
// that batch key is wrapped to the intake team and to escrow, with public
// keys only (a contact an officer records has K wrapped directly). K is also
// sealed under a key derived from the applicant's receipt: intake needs no secret
// on the server, and a seized database opens nothing (DESIGN §2 invariants
// 1 and 2). The receipt is never stored or logged; the database keeps a
// different derivation of it for lookup, unique-indexed and compared in
// constant time.
//
// # Receipts
//
// A receipt is 27 random decimal digits (89 bits) and a Damm check digit,
// shown in groups of four in Burmese and Latin digits and accepted back in
// either, with spaces or dashes. With that much entropy a fast hash (HKDF
// over SHA-256) is enough; no slow hash sits on the public path, where it
// would be a denial-of-service lever.
//
// # Flood defences
//
// A form carries a token: an HMAC under a per-deployment anti-abuse key
// (settings, not a data key) of its issue time and a random nonce, accepted
// only after a minimum fill time, before its lifetime ends and once (used
// nonces are kept in the database, so several serve processes agree).
// Per-client and global token buckets (in memory) limit submissions and,
// separately, receipt lookups; a cap on unreviewed contacts and a quota on
// sealed bytes refuse new contacts calmly with ErrBusy.
//
// # Throughput
//
// The sealing of a contact is done in its own request before the database
// is touched. The inserts then go through a group committer (commit.go):
// contacts that arrive together share one batch key (so the two public-key
// wraps, most of the cost, are paid once per batch) and one write
// transaction, each contact in its own savepoint,
// so each gets its own result and one that fails (a replayed token, the
// queue cap) fails alone. The token's nonce and the counters are checked
// by the same statements in the same transaction as the rows, so batching
// changes nothing about them, within a process or across several on one
// PostgreSQL. Contacts an officer records are outside the queue cap, which
// defends the public queue.
//
// # Bad input
//
// Invalid input is refused with a sentinel error (Code names it for
// translation) before anything is stored; messages never carry the input.
package intake
