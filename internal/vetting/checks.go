package vetting

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Check results.
const (
	ResultPending = "pending"
	ResultPassed  = "passed"
	ResultFailed  = "failed"
	ResultUnclear = "unclear"
)

// Results lists the results of a check.
func Results() []string { return []string{ResultPending, ResultPassed, ResultFailed, ResultUnclear} }

// MaxNotes bounds a check's notes in bytes.
const MaxNotes = 4000

// MaxEvidence bounds an evidence file in bytes.
const MaxEvidence = 10 << 20

// evidenceTypes are the content types evidence may have, as sniffed from
// its first bytes (never as the sender declares).
var evidenceTypes = []string{"image/jpeg", "image/png", "application/pdf", "text/plain; charset=utf-8"}

// Check is one check of a case: Kind, Result, Actor, Day and the evidence
// list are green; Notes is red (empty when the session cannot open the
// case).
type Check struct {
	Kind     string
	Result   string
	Notes    string
	Actor    string
	Day      string
	Evidence []Evidence
}

// Evidence is an evidence file's green facts.
type Evidence struct {
	ID          int64
	Kind        string
	ContentType string
	Size        int64
	Actor       string
	Day         string
}

// View is a case's vetting as its page shows it. Open is false when the
// session cannot open the case key: then only green facts are filled.
type View struct {
	CaseID    int64
	State     string
	Open      bool
	Checks    []Check
	Decisions []Decision
	// VerifiedDay and QuarantineUntil are set when vetting verified the
	// case; InQuarantine when today is before QuarantineUntil.
	VerifiedDay     string
	QuarantineUntil string
	InQuarantine    bool
}

func checkPlace(ref string) keys.Place {
	return keys.Place{Table: "vetting_checks", Column: "sealed", Row: ref}
}

func evidencePlace(ref string) keys.Place {
	return keys.Place{Table: "vetting_evidence", Column: "sealed", Row: ref}
}

// RecordCheck sets check kind of case id to result with notes (sealed
// under the case key). The case must be in vetting, kind on the
// checklist, result one of Results. Audited as vetting.check (kind and
// result only).
func (s *Service) RecordCheck(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, kind, result, notes string) error {
	if err := can(a, auth.PermVettingCheck); err != nil {
		return err
	}
	list, err := Checklist(ctx, s.st.DB())
	if err != nil {
		return err
	}
	if !slices.Contains(list, kind) {
		return &InputError{"kind", "is not on the checklist"}
	}
	if !slices.Contains(Results(), result) {
		return &InputError{"result", "must be pending, passed, failed or unclear"}
	}
	notes, err = cleanText("notes", notes, MaxNotes, false)
	if err != nil {
		return err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	day := s.today()
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireVetting(ctx, tx, id); err != nil {
			return err
		}
		var ref string
		err := tx.QueryRowContext(ctx, "SELECT ref FROM vetting_checks WHERE case_id = $1 AND kind = $2", id, kind).Scan(&ref)
		fresh := errors.Is(err, sql.ErrNoRows)
		if err != nil && !fresh {
			return fmt.Errorf("vetting: check: %w", err)
		}
		if fresh {
			ref = newRef()
		}
		sealed, err := keys.SealField(k, checkPlace(ref), []byte(notes))
		if err != nil {
			return fmt.Errorf("vetting: check: %w", err)
		}
		if fresh {
			_, err = tx.ExecContext(ctx, "INSERT INTO vetting_checks (ref, case_id, kind, result, actor, updated_day, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7)",
				ref, id, kind, result, a.Name, day, sealed)
		} else {
			_, err = tx.ExecContext(ctx, "UPDATE vetting_checks SET result = $1, actor = $2, updated_day = $3, sealed = $4 WHERE ref = $5",
				result, a.Name, day, sealed, ref)
		}
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("vetting: check recorded meanwhile by someone else, reload and try again: %w", store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("vetting: check: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.check", Object: caseObject(id),
			Detail: map[string]string{"kind": kind, "result": result}})
		return err
	})
}

// AddEvidence streams an evidence file for check kind of case id from r
// into a blob sealed under the case key (the plaintext is never buffered
// whole nor written anywhere). The type is sniffed from the content: JPEG,
// PNG, PDF or plain text, else ErrFileType; more than MaxEvidence bytes is
// ErrTooLarge; nothing is stored in either case. Audited as
// vetting.evidence (kind, type and size).
func (s *Service) AddEvidence(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64, kind string, r io.Reader) (int64, error) {
	if err := can(a, auth.PermVettingCheck); err != nil {
		return 0, err
	}
	list, err := Checklist(ctx, s.st.DB())
	if err != nil {
		return 0, err
	}
	if !slices.Contains(list, kind) {
		return 0, &InputError{"kind", "is not on the checklist"}
	}
	if err := requireVetting(ctx, s.st.DB(), id); err != nil {
		return 0, err
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return 0, fmt.Errorf("vetting: evidence: %w", err)
	}
	head = head[:n]
	defer clear(head)
	if n == 0 {
		return 0, &InputError{"file", "is empty"}
	}
	ctype, err := SniffEvidence(head)
	if err != nil {
		return 0, err
	}
	ref := newRef()
	var sealed bytes.Buffer
	w, err := keys.NewFieldWriter(&sealed, k, evidencePlace(ref))
	if err != nil {
		return 0, fmt.Errorf("vetting: evidence: %w", err)
	}
	size, err := io.Copy(w, io.LimitReader(io.MultiReader(bytes.NewReader(head), r), MaxEvidence+1))
	if err != nil {
		return 0, fmt.Errorf("vetting: evidence: %w", err)
	}
	if size > MaxEvidence {
		return 0, ErrTooLarge
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("vetting: evidence: %w", err)
	}
	var eid int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := requireVetting(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO vetting_evidence (ref, case_id, kind, content_type, size, actor, day, sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
			ref, id, kind, ctype, size, a.Name, s.today(), sealed.Bytes()).Scan(&eid); err != nil {
			return fmt.Errorf("vetting: evidence: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.evidence", Object: caseObject(id),
			Detail: map[string]string{"kind": kind, "type": ctype, "size": strconv.FormatInt(size, 10), "evidence": strconv.FormatInt(eid, 10)}})
		return err
	})
	return eid, err
}

// SniffEvidence returns the content type of an evidence file from its
// first bytes (up to 512): image/jpeg, image/png, application/pdf or
// text/plain; anything else (or nothing) is refused with ErrFileType. The
// type a sender declares is never trusted.
func SniffEvidence(head []byte) (string, error) {
	if len(head) == 0 {
		return "", ErrFileType
	}
	ctype := http.DetectContentType(head)
	if !slices.Contains(evidenceTypes, ctype) {
		return "", ErrFileType
	}
	if ctype == "text/plain; charset=utf-8" {
		ctype = "text/plain"
	}
	return ctype, nil
}

// OpenEvidence returns evidence file eid of case id, decrypted, with its
// content type. Without the case key it is store.ErrNotFound.
func (s *Service) OpenEvidence(ctx context.Context, a casework.Actor, ring *keys.Keyring, id, eid int64) ([]byte, string, error) {
	var ref, ctype string
	var sealed []byte
	err := s.st.DB().QueryRowContext(ctx, "SELECT ref, content_type, sealed FROM vetting_evidence WHERE id = $1 AND case_id = $2", eid, id).Scan(&ref, &ctype, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("vetting: evidence: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("vetting: evidence: %w", err)
	}
	k, err := s.caseKey(ctx, ring, id)
	if err != nil {
		return nil, "", err
	}
	defer k.Wipe()
	rd, err := keys.NewFieldReader(bytes.NewReader(sealed), k, evidencePlace(ref))
	if err != nil {
		return nil, "", fmt.Errorf("vetting: evidence does not open: %w", err)
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		clear(data)
		return nil, "", fmt.Errorf("vetting: evidence does not open: %w", err)
	}
	return data, ctype, nil
}

// Get returns case id's vetting: checklist with results, evidence and
// decisions (green), and the notes and reasons when ring opens the case.
func (s *Service) Get(ctx context.Context, ring *keys.Keyring, id int64) (View, error) {
	state, err := caseState(ctx, s.st.DB(), id)
	if err != nil {
		return View{}, err
	}
	v := View{CaseID: id, State: state}
	var k *keys.DataKey
	if ring != nil {
		k, err = ring.OpenObjectKey(ctx, s.st.DB(), casework.ObjectCase, strconv.FormatInt(id, 10))
		switch {
		case err == nil:
			v.Open = true
			defer k.Wipe()
		case errors.Is(err, keys.ErrNoAccess):
		default:
			return View{}, fmt.Errorf("vetting: open case key: %w", err)
		}
	}
	list, err := Checklist(ctx, s.st.DB())
	if err != nil {
		return View{}, err
	}
	byKind := map[string]*Check{}
	for _, kind := range list {
		v.Checks = append(v.Checks, Check{Kind: kind, Result: ResultPending})
	}
	for i := range v.Checks {
		byKind[v.Checks[i].Kind] = &v.Checks[i]
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT ref, kind, result, actor, updated_day, sealed FROM vetting_checks WHERE case_id = $1 ORDER BY id", id)
	if err != nil {
		return View{}, fmt.Errorf("vetting: checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Check
		var ref string
		var sealed []byte
		if err := rows.Scan(&ref, &c.Kind, &c.Result, &c.Actor, &c.Day, &sealed); err != nil {
			return View{}, fmt.Errorf("vetting: checks: %w", err)
		}
		if k != nil && sealed != nil {
			raw, err := keys.OpenField(k, checkPlace(ref), sealed)
			if err != nil {
				return View{}, fmt.Errorf("vetting: a check of case %d does not open: %w", id, err)
			}
			c.Notes = string(raw)
		}
		if p := byKind[c.Kind]; p != nil {
			*p = c
		} else {
			// A kind since removed from the checklist: still shown.
			v.Checks = append(v.Checks, c)
			for i := range v.Checks {
				byKind[v.Checks[i].Kind] = &v.Checks[i]
			}
		}
	}
	if err := rows.Err(); err != nil {
		return View{}, fmt.Errorf("vetting: checks: %w", err)
	}
	rows.Close()
	for i := range v.Checks {
		byKind[v.Checks[i].Kind] = &v.Checks[i]
	}
	erows, err := s.st.DB().QueryContext(ctx, "SELECT id, kind, content_type, size, actor, day FROM vetting_evidence WHERE case_id = $1 ORDER BY id", id)
	if err != nil {
		return View{}, fmt.Errorf("vetting: evidence: %w", err)
	}
	defer erows.Close()
	var evidence []Evidence
	for erows.Next() {
		var e Evidence
		if err := erows.Scan(&e.ID, &e.Kind, &e.ContentType, &e.Size, &e.Actor, &e.Day); err != nil {
			return View{}, fmt.Errorf("vetting: evidence: %w", err)
		}
		evidence = append(evidence, e)
	}
	if err := erows.Err(); err != nil {
		return View{}, fmt.Errorf("vetting: evidence: %w", err)
	}
	for _, e := range evidence {
		if byKind[e.Kind] == nil {
			// Evidence of a kind since removed from the checklist.
			v.Checks = append(v.Checks, Check{Kind: e.Kind, Result: ResultPending})
			for i := range v.Checks {
				byKind[v.Checks[i].Kind] = &v.Checks[i]
			}
		}
		byKind[e.Kind].Evidence = append(byKind[e.Kind].Evidence, e)
	}
	if v.Decisions, err = s.decisions(ctx, k, id); err != nil {
		return View{}, err
	}
	day, ok, err := VerifiedDay(ctx, s.st.DB(), id)
	if err != nil {
		return View{}, err
	}
	if ok {
		days, err := QuarantineDays(ctx, s.st.DB())
		if err != nil {
			return View{}, err
		}
		until := day.AddDate(0, 0, days)
		v.VerifiedDay = day.Format(time.DateOnly)
		v.QuarantineUntil = until.Format(time.DateOnly)
		v.InQuarantine = clearedStates[state] && s.now().UTC().Truncate(24*time.Hour).Before(until)
	}
	return v, nil
}

// SetChecklistAs sets the checklist (comma-separated check kinds) as an
// administrator holding admin.settings, audited as vetting.checklist; a
// bad list changes nothing. Checks already recorded under a kind since
// removed stay on their cases.
func (s *Service) SetChecklistAs(ctx context.Context, a casework.Actor, v string) error {
	if err := can(a, auth.PermSettings); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := SetChecklist(ctx, tx, v); err != nil {
			return err
		}
		ks, _ := ParseChecklist(v)
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.checklist", Detail: map[string]string{"checks": strings.Join(ks, " ")}})
		return err
	})
}

// SetQuarantine sets the quarantine period (an administrator holding
// admin.settings), audited as vetting.quarantine; a bad value changes
// nothing.
func (s *Service) SetQuarantine(ctx context.Context, a casework.Actor, days int) error {
	if err := can(a, auth.PermSettings); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := SetQuarantineDays(ctx, tx, days); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "vetting.quarantine", Detail: map[string]string{"days": strconv.Itoa(days)}})
		return err
	})
}
