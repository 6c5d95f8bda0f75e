// Package certs issues, revokes and verifies membership certificates:
// compact JWS tokens (RFC 7515) signed with Ed25519 ("alg": "EdDSA", RFC
// 8037) that anyone can check offline with the issuer's public keys (a
// JWKS) and a signed revocation list, without trusting a server and
// without learning more than the holder agreed to show.
//
// # Who sees what
//
// A case handler whose keys open a verified case requests a certificate
// (Request): the claims (names in Burmese and English, service, rank, date
// joined) are taken from the case, and the holder chooses which of them are
// public. The request is sealed under a new per-certificate key wrapped to
// the certification team and escrow only, so the certifying officer, who
// cannot read cases, reviews and issues it (Issue). The token holds the
// number ("jti"), issuer ("iss"), issue time ("iat") and the public claims
// only: private claims are never in it. The issued token and the
// revocation note are sealed under the certificate key too (the token
// names the holder when the holder chose to show the name, and a seized
// database must not link that to a case).
//
// # Signing keys
//
// The Ed25519 seed is sealed under an object key wrapped to the
// certification team and escrow: signing needs a certifying officer's
// session and the server alone cannot sign. Each key has a kid; rotation
// (RotateKey) retires the current key for signing but keeps its public half
// in the JWKS, so old certificates keep verifying.
//
// # Verification policy
//
// Parsing is strict and never panics (FuzzVerify): at most MaxToken bytes;
// exactly three base64url parts without padding and with canonical
// trailing bits; the header is a JSON object with exactly the members
// "alg", "kid" and "typ" (so "crit", "jku", "x5u" … are all refused), alg
// must be "EdDSA" ("none", HS256, RS256 and every other value are refused
// before any key is used), typ must be "embrace-cert+jwt" and kid must be
// in the key set. In the payload, iss, jti (a certificate number) and iat
// are required and the only other members allowed are the claim names,
// as strings; unknown members are refused, and duplicate member names are
// refused everywhere (JSON parsers disagree on which duplicate wins).
//
// A well-signed token is then valid, revoked (with day and reason code) or
// unknown (not a certificate this deployment holds as issued).
// Revocation reasons are green codes (Reasons); any detail goes in the
// sealed note. Each revocation publishes a new revocation list, a JWS of
// type "embrace-revocations+jwt" signed by the current key, listing
// numbers, days and reason codes, to be copied and checked offline.
package certs
