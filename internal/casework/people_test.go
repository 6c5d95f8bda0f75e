package casework_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func TestPeopleNotesTasksThreats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		in := w.staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, "intake")
		other := w.staff(t, "other", []auth.Role{auth.RoleCaseHandler}, "casework")
		id := w.open(t, validCase())

		pid, err := w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "parent", NameLatin: "Daw Khin Myint", StillInside: true, Risk: "high", Relocation: "needed", RelocationNeeds: "needs a safe house"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.cw.Get(ctx, in.ring, id)
		if err != nil || len(c.People) != 3 || c.Dependants != 2 {
			t.Fatalf("after adding a parent: %d people, %d dependants, %v", len(c.People), c.Dependants, err)
		}
		p, err := w.cw.GetPerson(ctx, in.ring, pid)
		if err != nil || p.RelocationNeeds != "needs a safe house" || p.Relocation != "needed" || !p.StillInside {
			t.Fatalf("person: %+v %v", p, err)
		}
		p.Risk = "medium"
		p.Phone = "09 123 456 789"
		if err := w.cw.UpdatePerson(ctx, in.actor, in.ring, pid, p); err != nil {
			t.Fatal(err)
		}
		// The defector stays the defector.
		self := c.People[0]
		self.Relation = "spouse"
		if err := w.cw.UpdatePerson(ctx, in.actor, in.ring, self.ID, self); err != nil {
			t.Fatal(err)
		}
		if p2, _ := w.cw.GetPerson(ctx, in.ring, self.ID); p2.Relation != "self" {
			t.Fatalf("defector became %s", p2.Relation)
		}
		if err := w.cw.SetPhoto(ctx, in.actor, in.ring, pid, pngHeader); err != nil {
			t.Fatal(err)
		}
		ph, typ, err := w.cw.Photo(ctx, in.ring, pid)
		if err != nil || !bytes.Equal(ph, pngHeader) || typ != "image/png" {
			t.Fatalf("photo: %q %v", typ, err)
		}
		if _, err := w.cw.AddThreat(ctx, in.actor, in.ring, pid, casework.Threat{Kind: "interrogation", Day: "2021-09-01", Details: "soldiers came to the house"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cw.AddNote(ctx, in.actor, in.ring, id, "called from the border"); err != nil {
			t.Fatal(err)
		}
		tid, err := w.cw.AddTask(ctx, in.actor, in.ring, id, casework.NewTask{Text: "find a lawyer", Due: "2021-10-01"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cw.SetTaskDone(ctx, in.actor, in.ring, id, tid, true); err != nil {
			t.Fatal(err)
		}
		if err := w.cw.SetTaskDone(ctx, in.actor, in.ring, id, tid+99, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing task: %v", err)
		}
		th, _ := w.cw.Threats(ctx, in.ring, id)
		notes, _ := w.cw.Notes(ctx, in.ring, id)
		tasks, _ := w.cw.Tasks(ctx, in.ring, id)
		if len(th) != 1 || th[0].Details != "soldiers came to the house" || len(notes) != 1 || notes[0].Text != "called from the border" ||
			len(tasks) != 1 || !tasks[0].Done || tasks[0].Text != "find a lawyer" {
			t.Fatalf("threats %+v notes %+v tasks %+v", th, notes, tasks)
		}
		tl, _ := w.cw.Timeline(ctx, in.ring, id)
		kinds := map[string]int{}
		for _, e := range tl {
			kinds[e.Kind]++
		}
		for _, k := range []string{casework.EventCreated, casework.EventPersonAdd, casework.EventPersonEdit, casework.EventPhoto, casework.EventThreat, casework.EventNote, casework.EventTaskAdded, casework.EventTaskDone} {
			if kinds[k] == 0 {
				t.Errorf("timeline lacks %s: %v", k, kinds)
			}
		}
		// Nobody without a wrap reads or changes any of it.
		if _, err := w.cw.GetPerson(ctx, other.ring, pid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("person: %v", err)
		}
		if _, _, err := w.cw.Photo(ctx, other.ring, pid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("photo: %v", err)
		}
		for name, err := range map[string]error{
			"notes":    second(w.cw.Notes(ctx, other.ring, id)),
			"tasks":    second(w.cw.Tasks(ctx, other.ring, id)),
			"timeline": second(w.cw.Timeline(ctx, other.ring, id)),
			"threats":  second(w.cw.Threats(ctx, other.ring, id)),
			"add note": second(w.cw.AddNote(ctx, other.actor, other.ring, id, "x")),
			"edit":     w.cw.UpdatePerson(ctx, other.actor, other.ring, pid, p),
			"add":      second(w.cw.AddPerson(ctx, other.actor, other.ring, id, casework.Person{Relation: "child"})),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s without a wrap: %v", name, err)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestBadPersonInputStoresNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		in := w.staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		id := w.open(t, validCase())
		c, _ := w.cw.Get(ctx, in.ring, id)
		pid := c.People[1].ID
		secret := "Canary-Value-55"
		bad := []struct {
			field string
			err   error
		}{
			{"relation", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "self", NameLatin: secret}))},
			{"relation", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "cousin", NameLatin: secret}))},
			{"relocation", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "child", Relocation: "soon"}))},
			{"name_latin", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "child", NameLatin: secret + strings.Repeat("y", 600)}))},
			{"phone", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "child", Phone: secret + "\xc3"}))},
			{"dob", second(w.cw.AddPerson(ctx, in.actor, in.ring, id, casework.Person{Relation: "child", DateOfBirth: "2021-02-30"}))},
			{"photo", w.cw.SetPhoto(ctx, in.actor, in.ring, pid, []byte(secret))},
			{"photo", w.cw.SetPhoto(ctx, in.actor, in.ring, pid, append(pngHeader, make([]byte, casework.MaxPhoto)...))},
			{"kind", second(w.cw.AddThreat(ctx, in.actor, in.ring, pid, casework.Threat{Kind: "bombing", Day: "2021-01-01"}))},
			{"day", second(w.cw.AddThreat(ctx, in.actor, in.ring, pid, casework.Threat{Kind: "arrest", Day: "01/01/2021"}))},
			{"details", second(w.cw.AddThreat(ctx, in.actor, in.ring, pid, casework.Threat{Kind: "arrest", Day: "2021-01-01", Details: strings.Repeat("z", 5000)}))},
			{"text", second(w.cw.AddNote(ctx, in.actor, in.ring, id, ""))},
			{"text", second(w.cw.AddNote(ctx, in.actor, in.ring, id, strings.Repeat("n", 10001)))},
			{"due", second(w.cw.AddTask(ctx, in.actor, in.ring, id, casework.NewTask{Text: "t", Due: "tomorrow"}))},
			{"owner", second(w.cw.AddTask(ctx, in.actor, in.ring, id, casework.NewTask{Text: "t", Owner: 999}))},
		}
		for i, b := range bad {
			var fe *casework.FieldError
			if !errors.As(b.err, &fe) || fe.Field != b.field {
				t.Errorf("%d (%s): %v", i, b.field, b.err)
			}
			if b.err != nil && strings.Contains(b.err.Error(), secret) {
				t.Errorf("%d: error echoes the value", i)
			}
		}
		for _, q := range []string{"SELECT count(*) FROM people", "SELECT count(*) FROM case_notes", "SELECT count(*) FROM case_tasks",
			"SELECT count(*) FROM threat_events", "SELECT count(*) FROM person_photos", "SELECT count(*) FROM case_events"} {
			want := 0
			switch q {
			case "SELECT count(*) FROM people":
				want = 2
			case "SELECT count(*) FROM case_events":
				want = 1
			}
			if n := count(t, s, q); n != want {
				t.Errorf("%s = %d after bad input, want %d", q, n, want)
			}
		}
		if _, err := w.cw.GetPerson(ctx, in.ring, "not-an-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("malformed id: %v", err)
		}
	})
}
