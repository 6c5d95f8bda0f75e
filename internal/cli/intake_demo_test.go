package cli

import (
	"context"
	"database/sql"
	"testing"

	"embrace/internal/intake"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestAddDemoContacts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		id, err := keys.GenerateIdentity()
		if err != nil {
			t.Fatal(err)
		}
		defer id.Wipe()
		if _, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindEscrow, keys.EscrowName, id.Recipient()); err != nil {
			t.Fatal(err)
		}
		if err := addDemoContacts(ctx, s, 30, nil); err != nil {
			t.Fatal(err)
		}
		var n, web, other, wraps int
		s.DB().QueryRow("SELECT count(*), count(*) FILTER (WHERE channel = 'web'), count(*) FILTER (WHERE channel <> 'web') FROM intake_contacts").Scan(&n, &web, &other)
		s.DB().QueryRow(contactsWrappedTo, 1).Scan(&wraps)
		if n != 30 || web == 0 || other == 0 || wraps != 30 {
			t.Fatalf("demo contacts: %d (web %d, other %d), %d wraps", n, web, other, wraps)
		}
		// Deterministic: the same green attributes every time.
		var first string
		s.DB().QueryRow("SELECT service || region || who FROM intake_contacts ORDER BY seq LIMIT 1").Scan(&first)
		if first == "" {
			t.Fatal("no green attributes")
		}
	})
}

// TestDemoContactsWorked checks a demo's inbox is worked with a staff
// keyring: spam marked, replies (one answered back by the applicant),
// cases opened, and new contacts left waiting.
func TestDemoContactsWorked(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		esc, err := keys.GenerateIdentity()
		if err != nil {
			t.Fatal(err)
		}
		defer esc.Wipe()
		if _, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindEscrow, keys.EscrowName, esc.Recipient()); err != nil {
			t.Fatal(err)
		}
		var team keys.Principal
		var teamID *keys.Identity
		err = s.Tx(ctx, func(tx *sql.Tx) error {
			team, teamID, err = keys.CreateTeam(ctx, tx, intake.TeamName)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		ring := keys.NewKeyring()
		ring.Add(team.ID, teamID)
		defer ring.Wipe()
		const n = 40
		if err := addDemoContacts(ctx, s, n, &demoStaff{ring: ring, actor: "user:steward", by: "steward"}); err != nil {
			t.Fatal(err)
		}
		in, err := intake.New(ctx, intake.Config{Store: s})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, status := range intake.Statuses {
			q, err := in.Queue(ctx, status, 500)
			if err != nil || len(q) == 0 {
				t.Fatalf("no %s contacts (%v)", status, err)
			}
			total += len(q)
		}
		if total != n {
			t.Fatalf("%d contacts in the queues, want %d", total, n)
		}
		var staff, applicant, wraps int
		s.DB().QueryRow("SELECT count(*) FILTER (WHERE author = 'staff'), count(*) FILTER (WHERE author = 'applicant') FROM intake_messages").Scan(&staff, &applicant)
		s.DB().QueryRow(contactsWrappedTo, 2).Scan(&wraps)
		if staff == 0 || applicant <= n || wraps != n {
			t.Fatalf("%d staff replies, %d applicant messages, %d wraps", staff, applicant, wraps)
		}
		// Only the contacts from the form wait in the counted queue.
		var pending, newWeb int64
		s.DB().QueryRow("SELECT pending FROM intake_usage").Scan(&pending)
		s.DB().QueryRow("SELECT count(*) FROM intake_contacts WHERE status = 'new' AND channel = 'web'").Scan(&newWeb)
		if pending != newWeb {
			t.Fatalf("pending %d, new contacts from the form %d", pending, newWeb)
		}
	})
}

// contactsWrappedTo counts the contacts whose key is wrapped (its own
// wraps, or its batch key's) to exactly $1 principals.
const contactsWrappedTo = `SELECT count(*) FROM intake_contacts c WHERE $1 = (SELECT count(*) FROM key_wraps w
	WHERE (w.object_kind = 'intake' AND w.object_id = c.id) OR (w.object_kind = 'intake_batch' AND w.object_id = c.key_batch))`
