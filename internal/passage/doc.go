// Package passage plans safe passage for a case: an ordered route of legs,
// each carried out by a guide who has no account and holds only a link.
//
// # Keys
//
// Every leg has its own data key. The leg's details — from, to, time
// window, guide, handoff codeword, notes — and every check-in's exact time
// and problem message are sealed under it, bound to their rows (amber data,
// DESIGN §3). The key is wrapped to the passage team and to escrow, which
// is the coordinator's copy, and sealed under a key derived with HKDF from
// the secret of the leg's guide link, which is the guide's copy. The server
// stores only another derivation of that secret (to find the leg) and
// never the secret itself, so at rest it can read no leg: the link is shown
// once, when the plan is made (or a new link is issued).
//
// # Green facts
//
// What workflow needs stays in the clear: the plan's case, number of legs
// and travellers, each leg's position and status (planned, picked up,
// handed over), counts of problem reports, days and, once shredded, the
// outcome. The time window is not among them. Each leg's window end is also
// sealed alone under one schedule key (wrapped to the passage team and
// escrow), so a coordinator's session finds overdue legs with one unwrap
// however many routes are under way; a link's expiry is checked after the
// guide's secret has opened the leg.
//
// # Arrival and purge
//
// When the last leg is handed over the plan is marked arrived. A guide
// holds no key that opens the case, so the case's move to "arrived" is
// made by the next passage coordinator session that loads the passage list
// or a plan ([Service.Settle]), and audited like any move. A configurable
// number of days ([SettingPurgeDays]) after arrival, or after the case left
// passage otherwise (lost contact, detained, moved back) and stayed so, the
// route is crypto-shredded: every wrap of every leg key, escrow's
// included, is deleted together with the sealed rows, deadlines and link
// lookups; the plan keeps only its green facts and outcome. A coordinator
// can cancel a route under way, which shreds it at once.
//
// # Refusals
//
// Check-ins keep the route's order (a leg is picked up only after the
// previous one was handed over, and handed over only after it was picked
// up). An expired link, a link whose leg is complete, a form for another
// leg or a check-in out of order is refused, changes nothing and is
// audited.
package passage
