// Package vetting decides whether a person who contacted the network is
// who they say: checks and evidence, the informer watch list, two-person
// decisions and the quarantine that follows verification.
//
// # Checks and evidence
//
// A case in vetting has a checklist (the setting vetting_checklist, by
// default the six checks of DefaultChecklist). Each check's result is
// green; its notes are sealed under the case key, which the vetting team
// holds while the case is in vetting (DESIGN §2 invariants 1 and 3).
// Evidence files are streamed (keys.NewFieldWriter, 64 KiB chunks) into a
// blob sealed under the case key: the plaintext is never held whole nor
// written to a temporary file. Their type is sniffed from the content
// (JPEG, PNG, PDF, plain text), never taken from the sender, and a file of
// another type or over MaxEvidence is refused with nothing stored.
//
// # Decisions
//
// A verdict (verified, rejected, suspected infiltrator, with a risk
// rating) is proposed by one vetting officer and takes effect only when a
// different officer confirms it. Casework's lifecycle table marks the
// vetting → verdict moves as decision moves, so a plain transition refuses
// them whoever wires casework; Confirm moves the case with TransitionDecided, in the same
// transaction as the confirmation, so the timeline holds the vetting →
// verified event Cleared reads. The proposer confirming, a decision
// already confirmed or withdrawn, or a case no longer in vetting is
// refused with nothing changed. Every step is audited (vetting.check,
// vetting.evidence, vetting.propose, vetting.confirm, vetting.withdraw)
// with ids, kinds and results only.
//
// # The watch list
//
// Entries (known informers and regime agents) are red: each is sealed
// under its own key, wrapped to the watchlist team (held by vetting leads
// only) and escrow; removing an entry shreds its key. NRC and service
// numbers are blind-indexed under a watchlist-held index key, so a seized
// database cannot test guesses against them.
//
// # Screening without a lead online
//
// Whoever records a person (casework's Screener hook: opening a case,
// adding or editing a person, a case entering vetting) seals a screening
// record of the person's cleaned names and identifiers under a fresh key
// wrapped to the watchlist team's and escrow's public keys: the writer
// needs no secret and cannot read the watch list. The anonymous public
// intake does not screen (its throughput budget is public-key free);
// people are screened when staff record them. A lead's session (Sweep, run
// by the alerts page and API) opens pending records, matches identifiers
// by blind index and names with the Myanmar name matcher in memory —
// across Unicode, Zawgyi and romanised spellings — raises an alert for
// each hit, sealed under the watchlist alerts key, and deletes the
// records with their keys. Only leads see alerts; a case shows nothing of
// them, to anyone. A new entry is also matched at once against the people
// already recorded, through casework's duplicate indexes (held by the
// vetting team), so an informer listed late is still found.
//
// # Clearance
//
// Cleared is the one answer other capabilities ask ("may this case be
// told a shelter's location?"). It reads green facts only — the case's
// state and the day vetting moved it to verified — so it needs no key, and
// it is meant to run inside the transaction that discloses. The
// quarantine period is the setting vetting_quarantine_days, set by an
// administrator (SetQuarantine, audited).
package vetting
