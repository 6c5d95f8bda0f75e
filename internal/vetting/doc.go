// Package vetting decides whether a person who contacted the network is
// who they say: checks and evidence, the informer watch list, two-person
// decisions and the quarantine that follows verification.
//
// # Clearance
//
// Cleared is the one answer other capabilities ask ("may this case be
// told a shelter's location?"). It reads green facts only — the case's
// state and the day vetting moved it to verified — so it needs no key, and
// it is meant to run inside the transaction that discloses.
package vetting
