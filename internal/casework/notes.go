package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// Timeline event kinds.
const (
	EventCreated     = "created"
	EventTransition  = "transition"
	EventAssigned    = "assigned"
	EventUnassigned  = "unassigned"
	EventNote        = "note"
	EventTaskAdded   = "task.added"
	EventTaskDone    = "task.done"
	EventTaskReopen  = "task.reopened"
	EventPersonAdd   = "person.added"
	EventPersonEdit  = "person.edited"
	EventPhoto       = "person.photo"
	EventThreat      = "threat"
	EventMerged      = "person.merged"
	EventMergedOther = "person.merged_from"
)

// Limits of the free-text fields.
const (
	maxNote       = 10000
	maxTask       = 1000
	maxThreatText = 4000
)

// cleanText passes a red free-text field through the Myanmar boundary and
// checks its length; the error names the field, never the value.
func cleanText(field, v string, limit int, required bool) (string, error) {
	if len(v) > limit {
		return "", &FieldError{field, "is too long (at most " + strconv.Itoa(limit) + " bytes)"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return "", &FieldError{field, "is not valid text"}
	}
	if required && t.Value == "" {
		return "", &FieldError{field, "is required"}
	}
	return t.Value, nil
}

// validDay reports whether s is a real YYYY-MM-DD date.
func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && len(s) == 10
}

func eventPlace(ref string) keys.Place {
	return keys.Place{Table: "case_events", Column: "sealed", Row: ref}
}
func notePlace(ref string) keys.Place {
	return keys.Place{Table: "case_notes", Column: "sealed", Row: ref}
}
func taskPlace(ref string) keys.Place {
	return keys.Place{Table: "case_tasks", Column: "sealed", Row: ref}
}

// addEvent records a timeline event inside tx; detail (red) is sealed under
// the case key k.
func addEvent(ctx context.Context, tx *sql.Tx, k *keys.DataKey, caseID int64, a Actor, kind, from, to, detail string) error {
	ref := newID()
	var sealed []byte
	if detail != "" {
		var err error
		if sealed, err = keys.SealField(k, eventPlace(ref), []byte(detail)); err != nil {
			return fmt.Errorf("casework: timeline: %w", err)
		}
	}
	var days any
	if kind == EventTransition {
		// The days spent in the state left: since the latest event that
		// entered it.
		var entered string
		err := tx.QueryRowContext(ctx, "SELECT day FROM case_events WHERE case_id = $1 AND to_state = $2 ORDER BY id DESC LIMIT 1", caseID, from).Scan(&entered)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("casework: timeline: %w", err)
		}
		if d := stageDays(entered, today()); d >= 0 {
			days = d
		}
	}
	return insertEvent(ctx, tx, ref, caseID, today(), a.Name, kind, from, to, sealed, days)
}

// insertEvent stores one timeline event; days is the stage's length in
// days for a transition (nil when unknown).
func insertEvent(ctx context.Context, tx *sql.Tx, ref string, caseID int64, day, actor, kind, from, to string, sealed []byte, days any) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO case_events (ref, case_id, day, actor, kind, from_state, to_state, sealed, stage_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		ref, caseID, day, actor, kind, from, to, sealed, days)
	if err != nil {
		return fmt.Errorf("casework: timeline: %w", err)
	}
	return nil
}

// stageDays is the whole days from one day (YYYY-MM-DD) to another; -1
// when either is not a day or to comes first.
func stageDays(from, to string) int {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || b.Before(a) {
		return -1
	}
	return int(b.Sub(a).Hours() / 24)
}

// Event is one entry of a case's timeline. Detail is red (a reason, a
// threat's kind and person…) and was decrypted for the reader.
type Event struct {
	ID     int64
	Day    string
	Actor  string
	Kind   string
	From   string
	To     string
	Detail string
}

// Timeline returns everything that happened to case id, oldest first.
func (s *Service) Timeline(ctx context.Context, ring *keys.Keyring, id int64) ([]Event, error) {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, day, actor, kind, from_state, to_state, sealed FROM case_events WHERE case_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("casework: timeline: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var ref string
		var sealed []byte
		if err := rows.Scan(&e.ID, &ref, &e.Day, &e.Actor, &e.Kind, &e.From, &e.To, &sealed); err != nil {
			return nil, fmt.Errorf("casework: timeline: %w", err)
		}
		if len(sealed) > 0 {
			raw, err := keys.OpenField(k, eventPlace(ref), sealed)
			if err != nil {
				return nil, fmt.Errorf("casework: timeline of case %d does not open: %w", id, err)
			}
			e.Detail = string(raw)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Note is a note on a case; Text is red.
type Note struct {
	ID     int64
	Author string
	Day    string
	Text   string
}

// AddNote seals text under the case key and adds it to case id.
func (s *Service) AddNote(ctx context.Context, a Actor, ring *keys.Keyring, id int64, text string) (int64, error) {
	text, err := cleanText("text", text, maxNote, true)
	if err != nil {
		return 0, err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newID()
	sealed, err := keys.SealField(k, notePlace(ref), []byte(text))
	if err != nil {
		return 0, fmt.Errorf("casework: note: %w", err)
	}
	var nid int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO case_notes (ref, case_id, author, day, sealed) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			ref, id, a.Name, today(), sealed).Scan(&nid); err != nil {
			return fmt.Errorf("casework: note: %w", err)
		}
		if err := addEvent(ctx, tx, k, id, a, EventNote, "", "", ""); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.note.add", Object: caseObject(id), Detail: map[string]string{"note": strconv.FormatInt(nid, 10)}})
		return err
	})
	return nid, err
}

// Notes returns case id's notes, oldest first.
func (s *Service) Notes(ctx context.Context, ring *keys.Keyring, id int64) ([]Note, error) {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, author, day, sealed FROM case_notes WHERE case_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("casework: notes: %w", err)
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		var ref string
		var sealed []byte
		if err := rows.Scan(&n.ID, &ref, &n.Author, &n.Day, &sealed); err != nil {
			return nil, fmt.Errorf("casework: notes: %w", err)
		}
		raw, err := keys.OpenField(k, notePlace(ref), sealed)
		if err != nil {
			return nil, fmt.Errorf("casework: a note of case %d does not open: %w", id, err)
		}
		n.Text = string(raw)
		out = append(out, n)
	}
	return out, rows.Err()
}

// NewTask is a task to add: Text is red; Due (YYYY-MM-DD, optional) and
// Owner (an account id, 0 for none) are green.
type NewTask struct {
	Text  string
	Due   string
	Owner int64
}

// Task is a task of a case.
type Task struct {
	ID      int64
	Text    string
	Due     string
	Owner   int64
	Done    bool
	Created string
}

// AddTask adds a task to case id.
func (s *Service) AddTask(ctx context.Context, a Actor, ring *keys.Keyring, id int64, t NewTask) (int64, error) {
	text, err := cleanText("text", t.Text, maxTask, true)
	if err != nil {
		return 0, err
	}
	if t.Due != "" && !validDay(t.Due) {
		return 0, &FieldError{"due", "must be YYYY-MM-DD"}
	}
	if t.Owner < 0 {
		return 0, &FieldError{"owner", "is not an account"}
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newID()
	sealed, err := keys.SealField(k, taskPlace(ref), []byte(text))
	if err != nil {
		return 0, fmt.Errorf("casework: task: %w", err)
	}
	var owner any
	if t.Owner > 0 {
		owner = t.Owner
	}
	var tid int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if t.Owner > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM auth_accounts WHERE id = $1", t.Owner).Scan(&n); err != nil {
				return fmt.Errorf("casework: task owner: %w", err)
			}
			if n == 0 {
				return &FieldError{"owner", "is not an account"}
			}
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO case_tasks (ref, case_id, owner_account, due_day, created_day, sealed) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			ref, id, owner, t.Due, today(), sealed).Scan(&tid); err != nil {
			return fmt.Errorf("casework: task: %w", err)
		}
		if err := addEvent(ctx, tx, k, id, a, EventTaskAdded, "", "", ""); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.task.add", Object: caseObject(id), Detail: map[string]string{"task": strconv.FormatInt(tid, 10)}})
		return err
	})
	return tid, err
}

// SetTaskDone marks task taskID of case id done or not done.
func (s *Service) SetTaskDone(ctx context.Context, a Actor, ring *keys.Keyring, id, taskID int64, done bool) error {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	kind := EventTaskDone
	if !done {
		kind = EventTaskReopen
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE case_tasks SET done = $1 WHERE id = $2 AND case_id = $3", done, taskID, id)
		if err != nil {
			return fmt.Errorf("casework: task: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("casework: task %d: %w", taskID, store.ErrNotFound)
		}
		if err := addEvent(ctx, tx, k, id, a, kind, "", "", ""); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case." + kind, Object: caseObject(id), Detail: map[string]string{"task": strconv.FormatInt(taskID, 10)}})
		return err
	})
}

// Tasks returns case id's tasks, open ones first, by due day.
func (s *Service) Tasks(ctx context.Context, ring *keys.Keyring, id int64) ([]Task, error) {
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return nil, err
	}
	defer k.Wipe()
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, COALESCE(owner_account, 0), due_day, done, created_day, sealed FROM case_tasks WHERE case_id = $1 ORDER BY done, due_day = '', due_day, id", id)
	if err != nil {
		return nil, fmt.Errorf("casework: tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		var t Task
		var ref string
		var sealed []byte
		if err := rows.Scan(&t.ID, &ref, &t.Owner, &t.Due, &t.Done, &t.Created, &sealed); err != nil {
			return nil, fmt.Errorf("casework: tasks: %w", err)
		}
		raw, err := keys.OpenField(k, taskPlace(ref), sealed)
		if err != nil {
			return nil, fmt.Errorf("casework: a task of case %d does not open: %w", id, err)
		}
		t.Text = string(raw)
		out = append(out, t)
	}
	return out, rows.Err()
}

// errNoRows maps sql.ErrNoRows to store.ErrNotFound.
func errNoRows(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("casework: %s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("casework: %s: %w", what, err)
}
