// Package shelter holds the network's safe houses, the stays of the people
// housed in them and each house's needs.
//
// # Data and keys
//
// A house's short code (such as "MS-3"), coarse area and number of beds are
// green: the occupancy dashboard and statistics read them without a key.
// Its address, contact person, phone and notes are amber and sealed under
// the house's own key, wrapped to the shelter team and escrow only. A
// stay's green facts are its case, the green ids of the people staying, the
// headcount (beds used), its status and its days; the names of its
// residents are sealed under the stay's own key, wrapped to the shelter
// team, escrow and the case's handler. A need's kind and status are green,
// its note sealed under the house key. Every sealed value is bound to its
// row (keys.Place), so a ciphertext moved elsewhere does not open.
//
// # Flow
//
// The case's handler, who holds the case key, asks for a place (Request):
// they choose which of the case's people need a bed; the service reads
// their names with the handler's keyring and seals them for the shelter
// team. A shelter coordinator sees the requests and assigns a house
// (Assign). Only then is the house's address disclosed to the case: sealed
// under the stay key, which the handler holds. The handler then moves the
// case to sheltered with casework.Transition. Finance and every other team
// hold neither the house keys nor the stay keys, so they never learn where
// anyone lives (DESIGN §2 invariant 3).
//
// # Decisions
//
// An assignment is refused, with nothing changed and the refusal audited,
// when the case is not cleared by vetting (vetting.Cleared: verified and
// out of quarantine) or when the house has fewer free beds than the stay's
// headcount. Both checks run inside the transaction that assigns: on
// PostgreSQL the house row is locked (SELECT ... FOR UPDATE), so two
// concurrent assignments to one house are serialised; SQLite has one
// writer. Capacity cannot be set below the current occupancy. Audit
// entries name ids, codes, counts and reasons only, never a name or place.
package shelter
