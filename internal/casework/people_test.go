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
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}, "intake")
		other := w.Staff(t, "other", []auth.Role{auth.RoleCaseHandler}, "casework")
		id := w.OpenCase(t, validCase())

		pid, err := w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "parent", NameLatin: "Daw Khin Myint", StillInside: true, Risk: "high", Relocation: "needed", RelocationNeeds: "needs a safe house"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.CW.Get(ctx, in.Ring, id)
		if err != nil || len(c.People) != 3 || c.Dependants != 2 {
			t.Fatalf("after adding a parent: %d people, %d dependants, %v", len(c.People), c.Dependants, err)
		}
		p, err := w.CW.GetPerson(ctx, in.Ring, pid)
		if err != nil || p.RelocationNeeds != "needs a safe house" || p.Relocation != "needed" || !p.StillInside {
			t.Fatalf("person: %+v %v", p, err)
		}
		p.Risk = "medium"
		p.Phone = "09 123 456 789"
		if err := w.CW.UpdatePerson(ctx, in.Actor, in.Ring, pid, p); err != nil {
			t.Fatal(err)
		}
		// The defector stays the defector.
		self := c.People[0]
		self.Relation = "spouse"
		if err := w.CW.UpdatePerson(ctx, in.Actor, in.Ring, self.ID, self); err != nil {
			t.Fatal(err)
		}
		if p2, _ := w.CW.GetPerson(ctx, in.Ring, self.ID); p2.Relation != "self" {
			t.Fatalf("defector became %s", p2.Relation)
		}
		if err := w.CW.SetPhoto(ctx, in.Actor, in.Ring, pid, pngHeader); err != nil {
			t.Fatal(err)
		}
		ph, typ, err := w.CW.Photo(ctx, in.Ring, pid)
		if err != nil || !bytes.Equal(ph, pngHeader) || typ != "image/png" {
			t.Fatalf("photo: %q %v", typ, err)
		}
		if _, err := w.CW.AddThreat(ctx, in.Actor, in.Ring, pid, casework.Threat{Kind: "interrogation", Day: "2021-09-01", Details: "soldiers came to the house"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.CW.AddNote(ctx, in.Actor, in.Ring, id, "called from the border"); err != nil {
			t.Fatal(err)
		}
		tid, err := w.CW.AddTask(ctx, in.Actor, in.Ring, id, casework.NewTask{Text: "find a lawyer", Due: "2021-10-01"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.CW.SetTaskDone(ctx, in.Actor, in.Ring, id, tid, true); err != nil {
			t.Fatal(err)
		}
		if err := w.CW.SetTaskDone(ctx, in.Actor, in.Ring, id, tid+99, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing task: %v", err)
		}
		th, _ := w.CW.Threats(ctx, in.Ring, id)
		notes, _ := w.CW.Notes(ctx, in.Ring, id)
		tasks, _ := w.CW.Tasks(ctx, in.Ring, id)
		if len(th) != 1 || th[0].Details != "soldiers came to the house" || len(notes) != 1 || notes[0].Text != "called from the border" ||
			len(tasks) != 1 || !tasks[0].Done || tasks[0].Text != "find a lawyer" {
			t.Fatalf("threats %+v notes %+v tasks %+v", th, notes, tasks)
		}
		tl, _ := w.CW.Timeline(ctx, in.Ring, id)
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
		if _, err := w.CW.GetPerson(ctx, other.Ring, pid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("person: %v", err)
		}
		if _, _, err := w.CW.Photo(ctx, other.Ring, pid); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("photo: %v", err)
		}
		for name, err := range map[string]error{
			"notes":    second(w.CW.Notes(ctx, other.Ring, id)),
			"tasks":    second(w.CW.Tasks(ctx, other.Ring, id)),
			"timeline": second(w.CW.Timeline(ctx, other.Ring, id)),
			"threats":  second(w.CW.Threats(ctx, other.Ring, id)),
			"add note": second(w.CW.AddNote(ctx, other.Actor, other.Ring, id, "x")),
			"edit":     w.CW.UpdatePerson(ctx, other.Actor, other.Ring, pid, p),
			"add":      second(w.CW.AddPerson(ctx, other.Actor, other.Ring, id, casework.Person{Relation: "child"})),
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
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		id := w.OpenCase(t, validCase())
		c, _ := w.CW.Get(ctx, in.Ring, id)
		pid := c.People[1].ID
		secret := "Canary-Value-55"
		bad := []struct {
			field string
			err   error
		}{
			{"relation", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "self", NameLatin: secret}))},
			{"relation", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "cousin", NameLatin: secret}))},
			{"relocation", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "child", Relocation: "soon"}))},
			{"name_latin", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "child", NameLatin: secret + strings.Repeat("y", 600)}))},
			{"phone", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "child", Phone: secret + "\xc3"}))},
			{"dob", second(w.CW.AddPerson(ctx, in.Actor, in.Ring, id, casework.Person{Relation: "child", DateOfBirth: "2021-02-30"}))},
			{"photo", w.CW.SetPhoto(ctx, in.Actor, in.Ring, pid, []byte(secret))},
			{"photo", w.CW.SetPhoto(ctx, in.Actor, in.Ring, pid, append(pngHeader, make([]byte, casework.MaxPhoto)...))},
			{"kind", second(w.CW.AddThreat(ctx, in.Actor, in.Ring, pid, casework.Threat{Kind: "bombing", Day: "2021-01-01"}))},
			{"day", second(w.CW.AddThreat(ctx, in.Actor, in.Ring, pid, casework.Threat{Kind: "arrest", Day: "01/01/2021"}))},
			{"details", second(w.CW.AddThreat(ctx, in.Actor, in.Ring, pid, casework.Threat{Kind: "arrest", Day: "2021-01-01", Details: strings.Repeat("z", 5000)}))},
			{"text", second(w.CW.AddNote(ctx, in.Actor, in.Ring, id, ""))},
			{"text", second(w.CW.AddNote(ctx, in.Actor, in.Ring, id, strings.Repeat("n", 10001)))},
			{"due", second(w.CW.AddTask(ctx, in.Actor, in.Ring, id, casework.NewTask{Text: "t", Due: "tomorrow"}))},
			{"owner", second(w.CW.AddTask(ctx, in.Actor, in.Ring, id, casework.NewTask{Text: "t", Owner: 999}))},
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
		if _, err := w.CW.GetPerson(ctx, in.Ring, "not-an-id"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("malformed id: %v", err)
		}
	})
}
