// Package keys is Embrace's cryptographic core: the key pairs of principals,
// the symmetric keys that protect red data, the wraps that give a principal
// access to a key, field and attachment encryption bound to the place a value
// is stored, keyed blind indexes for exact search, and the k-of-n split of the
// escrow key among offline custodians.
//
// The cryptographic core touches no storage, network or clock: callers hand
// bytes in and store the bytes that come out. The custody layer beside it
// (custody.go: principals, wraps in the database, session keyrings) is built
// only on the core's exported API. The package keeps no global state.
//
// # Design
//
// Principals (users, teams, the escrow principal) own an [Identity], an age
// secret key, and publish its [Recipient]. An Identity prints as "[redacted]"
// (String, every fmt verb, slog); [Identity.Secret] is the one way to its
// text, for sealing it or handing the escrow key to a custodian. [GenerateIdentity] makes the hybrid
// post-quantum kind (ML-KEM-768 + X25519, "AGE-SECRET-KEY-PQ-1…"), which
// protects wraps stored today against a future quantum computer (record now,
// decrypt later); [GenerateX25519Identity] makes the classic kind, whose wraps
// are 233 instead of 1,692 bytes, and stays supported.
//
// Red data is encrypted under a random 32-byte [DataKey] (one per case, or
// per shelter, leg, watch-list entry, …). The key is given to each principal
// that may open it by a separate wrap, [Wrap], one per recipient, so removing
// one principal's access is deleting one row and never touches the others'.
// Team identities are wrapped to members with [WrapIdentity], the team's blind
// index key with [WrapIndexKey]. A user's own identity is sealed under a key
// derived from their password with [SealIdentity] (the caller runs Argon2id).
//
// Values are encrypted with [SealField] under the data key and bound to their
// [Place] (table, column, row): the place is the associated data, so a
// ciphertext copied to another row, column or table no longer opens.
// Attachments are streamed with [NewFieldWriter] and [NewFieldReader] in 64 KiB
// chunks, so a 10 MB photo never exists as a plaintext file or as a single
// plaintext buffer.
//
// Exact lookups (ID number, service number, phone) use [IndexKey.Index], an
// HMAC under a team secret, so the database can be searched for equality
// without holding the value.
//
// The escrow identity is cut with Shamir's scheme over GF(256) into n shares
// of which any k recover it ([SplitEscrow], [EncodeShare], [ParseShare],
// [RecoverEscrow]). The shares are printable text files for custodians.
//
// # Guarantees and the invariants they keep
//
// Invariant 1 (nothing identifying in plaintext at rest): everything red goes
// through [SealField] or [NewFieldWriter] before storage; the output holds no
// plaintext, and the place binding means a ciphertext cannot be replayed into
// another record to be shown under someone else's name.
//
// Invariant 2 (the server alone cannot decrypt): data keys exist at rest only
// as age wraps to public keys, and identities only as wraps to other
// identities or sealed under password-derived keys. Public intake needs only
// a [Recipient]: [NewDataKey], [Wrap] and [SealField] use no secret of the
// server's.
//
// Invariant 3 (need-to-know by keys): a principal can open exactly the keys
// wrapped to it or to a team identity wrapped to it. Each wrap records which
// kind of secret it carries (data key, identity, index key), so a wrap of one
// kind cannot be passed off as another of the same length.
//
// Invariant 6 (recovery only through custodians; deletion by shredding): the
// escrow identity's secret never needs to exist on the server; only its
// recipient does. Fewer than k shares reveal nothing about it (Shamir's scheme
// is information-theoretically hiding; the per-share check value is a hash of
// a 256-bit secret and does not change that in practice). Deleting every wrap
// of a data key — including the escrow one — makes its ciphertexts unreadable
// forever: that is how retention is enforced.
//
// Non-guarantees: age wraps are encryption to a public key, not signatures.
// Someone who can write to the database can wrap a key of their own choosing
// to a user, and that user would then encrypt new data under it. Defending
// against an active, compromised server needs authenticated key records above
// this package. Blind indexes reveal equality between rows (that is their
// purpose). Ciphertext lengths reveal plaintext lengths; pad before sealing
// where the length itself is sensitive.
//
// # Formats
//
// All integers are big-endian. The first byte of every envelope is
// kind<<4 | version, so an envelope of one kind fed to the opener of another is
// rejected as malformed instead of failing as a wrong key.
//
// Place encoding (associated data, never stored):
//
//	uint32 len(Table)  || Table
//	uint32 len(Column) || Column
//	uint32 len(Row)    || Row
//
// Field envelope ([SealField]), 41 bytes of overhead:
//
//	0x11                       kind 1 (field), version 1
//	nonce[24]                  random
//	ciphertext || tag[16]      XChaCha20-Poly1305 under the field subkey,
//	                           AD = 0x11 || place encoding
//
// Stream envelope ([NewFieldWriter]):
//
//	0x21                       kind 2 (stream), version 1
//	prefix[16]                 random, per stream
//	chunk 0, chunk 1, …, chunk n-1
//
// Every chunk is 65,536 plaintext bytes sealed (65,552 bytes), except the last
// one, which holds 0 to 65,536 bytes and is empty only when the whole stream
// is. Chunk i is XChaCha20-Poly1305 under the stream subkey with
//
//	nonce = prefix[16] || uint56 i (7 bytes) || last (0x01 for the last chunk, else 0x00)
//	AD    = 0x21 || place encoding
//
// so a reordered, dropped, duplicated or swapped chunk, or a stream cut at a
// chunk boundary, fails to open (the STREAM construction of Hoang, Reyhanitabar,
// Rogaway and Vizár).
//
// The field and stream subkeys are HKDF-SHA256(data key, salt = none,
// info = "embrace.keys v1 field" / "embrace.keys v1 stream").
//
// Sealed secret ([SealSecret], for example an identity under a password key):
//
//	0x31 || nonce[24] || XChaCha20-Poly1305(key32, AD = 0x31 || ad)
//
// Wraps ([Wrap], [WrapIdentity], [WrapIndexKey]) are binary age v1 files
// (https://age-encryption.org/v1) to a single recipient, whose plaintext is
//
//	kind byte || secret
//
// with kind 0x01 for a data key (32 bytes), 0x02 for an identity (its
// AGE-SECRET-KEY text) and 0x03 for an index key (32 bytes). A data key wrap
// is 233 bytes to an X25519 recipient and 1,692 bytes to a hybrid one (the
// ML-KEM-768 ciphertext is 1,088 bytes); wrapping and unwrapping cost about
// the same for both (roughly 0.15 ms on one core), so post-quantum wraps cost
// storage rather than time.
//
// Blind index ([IndexKey.Index]): the first 16 bytes of
//
//	HMAC-SHA256(index key, uint32 len(domain) || domain || uint32 len(value) || value)
//
// Escrow share file ([EncodeShare]), ASCII, LF line endings, canonical (any
// other spelling of the same share is rejected, so parsing and re-encoding
// give the same bytes):
//
//	EMBRACE ESCROW SHARE v1
//	deployment: <id>                  1–64 of A–Z a–z 0–9 . _ -
//	share: <i> of <n>                 decimal, 1 ≤ i ≤ n ≤ 255
//	threshold: <k>                    2 ≤ k ≤ n
//	key-1: ABCDE FGHIJ KLMNO PQRST / XY
//	key-2: …
//	checksum: ABCDEFGH
//
// The key lines hold check[12] || y-values in RFC 4648 base32 without padding,
// 20 characters (four groups of five) per line, the last line shorter. XY is
// the first 10 bits of SHA-256("embrace share line v1" || byte i || byte line
// number || the line's characters without spaces), base32, so a typing error
// is pinned to its line (and a line copied from another share fails);
// the checksum is 40 bits of SHA-256("embrace share file v1" || every byte
// above it). The check value is a random 4-byte split id followed by the first
// 8 bytes of SHA-256("embrace escrow check v1" || split id || uint32 len(id) ||
// id || k || n || secret), the same in every share of one split: it tells
// shares of different splits apart before combining and proves after
// combining that the result is the right one. The
// escrow secret is one kind byte (0x01 hybrid, 0x02 X25519) and the 32-byte
// key seed, so the key lines of a share are four lines of typing.
//
// # Wiping secrets
//
// Every secret type has Wipe, which zeroes the bytes this package owns and
// makes every later use fail with [ErrWiped]; Wipe may run concurrently with
// other methods. In Go this is best effort, and the limits are these: the
// garbage collector may have copied a buffer before it was zeroed; the age,
// HPKE, ML-KEM and ChaCha20-Poly1305 implementations keep their own copies of
// key material in unexported fields that this package can only drop, not
// zero; Go strings (the argument of [ParseIdentity], the text of a password)
// cannot be zeroed at all. When built with GOEXPERIMENT=runtimesecret on
// linux/amd64 or linux/arm64, key construction, unwrapping and share
// recombination run inside runtime/secret.Do, so registers and stack are
// erased at once and heap allocations made there are erased when they become
// garbage. None of this protects a process whose memory is read while it
// holds a key: wiping limits how long keys stay in memory after logout, idle
// timeout, duress or lockdown, it does not replace them.
package keys
