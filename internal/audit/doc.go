// Package audit is embrace's tamper-evident audit log: an append-only record
// of every access to red data and every decision — who (actor), what
// (action), on what (object) and when — and its verifier. It keeps DESIGN §2
// invariant 4.
//
// # What an entry holds
//
// An [Entry] is identifiers and codes only: an actor such as "user:42", an
// action such as "case.open", an object such as "case:C-0042", a few detail
// pairs such as {"decision": "accepted"}, and a time. Callers must never put
// red data (names, ID, service or phone numbers, places, messages) or an IP
// address in any field. Validation is a backstop, not a detector: fields are
// bounded in length and limited to printable ASCII (identifiers stay ASCII,
// CONVENTIONS habit 10), which keeps Burmese names, line breaks and pasted
// documents out, but it cannot tell a romanised name from an identifier.
// Errors about a refused entry never repeat its contents.
//
// # Design
//
// Entries are numbered densely from 0 and form an RFC 6962 Merkle tree
// (golang.org/x/mod/sumdb/tlog). Each leaf is the hash of a canonical,
// length-prefixed encoding of the entry that includes its index and its time
// in unix seconds, so moving an entry changes its leaf as surely as editing
// it. The tree's stored hashes (tlog.StoredHashes) live beside the entries.
//
// [Append] writes inside the caller's transaction, so a decision and its
// audit entry commit together or not at all; a rolled-back append leaves no
// trace and no gap. It first increments the one-row head table with
// UPDATE … RETURNING, which serialises appends: on PostgreSQL the row lock
// holds off other server processes until the transaction ends, and SQLite has
// a single writer. Call Append as late in the transaction as possible to keep
// that lock short.
//
// Every append also signs a checkpoint of the new tree: a C2SP
// tlog-checkpoint (origin line, tree size, base64 root hash) in the signed-note
// format (golang.org/x/mod/sumdb/note, Ed25519). The origin and key name are
// "embrace/audit/" followed by the deployment id, so a checkpoint from one
// deployment never verifies against another. The signing key is made on first
// use and kept in the settings table: it signs tree heads and opens no red
// data, and it must be usable with nobody logged in, since intake appends
// entries unattended.
//
// [Verify] recomputes every leaf from the stored fields, rebuilds the tree,
// compares the stored hashes, checks every stored checkpoint's signature and
// root, and checks an optional external checkpoint. It reports the first bad
// entry as a [*TamperError].
//
// # What it guarantees
//
//   - A change to the stored log that is not re-signed with the deployment's
//     key — a hand edit, a script, a restore of an old table, disk
//     corruption, an injection that can write but not read — is found, and
//     Verify names the first entry affected, whether an entry was edited,
//     deleted, moved or inserted. Every tree size has its own signed
//     checkpoint, so even a rewrite that recomputes the leaf and tree hashes
//     breaks the checkpoint of the first size that includes the change.
//   - A checkpoint copied off the server ([Checkpoint], `embrace audit
//     checkpoint`) pins the first N entries for good: a log whose first N
//     entries do not produce its root, or that has fewer than N entries,
//     fails verification against it, whatever else the database holds and
//     whoever holds the key.
//
// # What it does not guarantee
//
//   - The signing key sits in the settings table, so whoever can read the
//     database — the live server, a seized disk, a backup — can rewrite or
//     drop every entry after the last checkpoint that was copied off and
//     re-sign the result so that it verifies on its own, even replace the
//     key. Copied-off checkpoints bound that: copy one off often (a cron job,
//     a custodian's laptop), and the verifier key with the first one
//     ([VerifierKey], `embrace audit key`): a replaced key shows as a
//     different `embrace audit key` and as copied-off checkpoints that no
//     longer verify.
//   - The log says what the application reported. Code that skips [Append],
//     or a caller that lies in it, is not caught here.
//   - Times are the server's clock, to the second.
package audit
