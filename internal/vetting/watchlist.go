package vetting

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strconv"
	"strings"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// key_wraps object kinds of the watch list's keys.
const (
	ObjectEntry  = "watchlist.entry" // one entry's key, object id its ref
	ObjectKeys   = "watchlist.keys"  // the index key ("blind") and alerts key ("alerts")
	ObjectScreen = "vetting.screen"  // one screening record's key
	keyBlind     = "blind"
	keyAlerts    = "alerts"
	domainNRC    = "watchlist.nrc"
	domainSvc    = "watchlist.service_number"
	maxEntryText = 500
	// sweepBatch bounds the screening records one sweep opens.
	sweepBatch = 500
)

// Entry is a watch-list entry: a known informer or regime agent. ID and
// Created are green; everything else is red, sealed under the entry's own
// key held by the watchlist team.
type Entry struct {
	ID            int64             `json:"-"`
	Created       string            `json:"-"`
	NameMy        string            `json:"name_my,omitempty"`
	NameLatin     string            `json:"name_latin,omitempty"`
	Aliases       string            `json:"aliases,omitempty"`
	Unit          string            `json:"unit,omitempty"`
	NRC           string            `json:"nrc,omitempty"`
	ServiceNumber string            `json:"service_number,omitempty"`
	Notes         string            `json:"notes,omitempty"`
	Originals     map[string]string `json:"originals,omitempty"`
}

// LogValue keeps an entry out of logs.
func (Entry) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Format prints an entry as [redacted].
func (Entry) Format(f fmt.State, _ rune) { f.Write([]byte("[redacted]")) }

// clean passes every field through the Myanmar text boundary (keeping
// Zawgyi originals) and checks that the entry names someone.
func (e *Entry) clean() error {
	fields := []struct {
		name string
		v    *string
		max  int
	}{
		{"name_my", &e.NameMy, maxEntryText}, {"name_latin", &e.NameLatin, maxEntryText}, {"aliases", &e.Aliases, maxEntryText},
		{"unit", &e.Unit, maxEntryText}, {"nrc", &e.NRC, maxEntryText}, {"service_number", &e.ServiceNumber, maxEntryText},
		{"notes", &e.Notes, MaxNotes},
	}
	e.Originals = nil
	for _, f := range fields {
		if len(*f.v) > f.max {
			return &InputError{f.name, "is too long (at most " + strconv.Itoa(f.max) + " bytes)"}
		}
		t, err := myanmar.Clean(*f.v)
		if err != nil {
			return &InputError{f.name, "is not valid text"}
		}
		if t.Converted {
			if e.Originals == nil {
				e.Originals = map[string]string{}
			}
			e.Originals[f.name] = t.Original
		}
		*f.v = t.Value
	}
	if e.NRC != "" {
		if _, err := myanmar.ParseNRC(e.NRC); err != nil {
			return &InputError{"nrc", "is not an NRC number (for example 12/OuKaMa(N)123456)"}
		}
	}
	if e.ServiceNumber != "" && casework.NormalizeServiceNumber(e.ServiceNumber) == "" {
		return &InputError{"service_number", "needs at least 4 letters or digits"}
	}
	if e.NameMy == "" && e.NameLatin == "" && e.Aliases == "" && e.NRC == "" && e.ServiceNumber == "" {
		return &InputError{"name_my", "is required: give a name, an alias, an NRC or a service number"}
	}
	return nil
}

// names are every name an entry or a person goes by: each name and each
// alias (aliases separated by commas, semicolons or new lines).
func names(fields ...string) []string {
	var out []string
	for _, f := range fields {
		for _, n := range strings.FieldsFunc(f, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '/' }) {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// identifiers are the normalised exact identifiers, by blind-index domain.
func identifiers(nrc, svc string) map[string]string {
	out := map[string]string{}
	if n, err := myanmar.ParseNRC(nrc); err == nil {
		out[domainNRC] = n.String()
	}
	if v := casework.NormalizeServiceNumber(svc); v != "" {
		out[domainSvc] = v
	}
	return out
}

func entryPlace(ref string) keys.Place {
	return keys.Place{Table: "watchlist", Column: "sealed", Row: ref}
}

func screenPlace(ref string) keys.Place {
	return keys.Place{Table: "vetting_screening", Column: "sealed", Row: ref}
}

func alertPlace(ref string) keys.Place {
	return keys.Place{Table: "vetting_alerts", Column: "sealed", Row: ref}
}

// watchTeam is the watchlist team's principal.
func watchTeam(ctx context.Context, q store.Querier) (keys.Principal, error) {
	return keys.LookupPrincipal(ctx, q, keys.KindTeam, string(auth.TeamWatchList))
}

// lead checks that a may manage the watch list and that ring holds the
// watchlist team's key.
func (s *Service) lead(ctx context.Context, a casework.Actor, ring *keys.Keyring) (keys.Principal, error) {
	if err := can(a, auth.PermWatchList); err != nil {
		return keys.Principal{}, err
	}
	team, err := watchTeam(ctx, s.st.DB())
	if errors.Is(err, store.ErrNotFound) {
		return keys.Principal{}, ErrNoWatchList
	}
	if err != nil {
		return keys.Principal{}, fmt.Errorf("vetting: watch list: %w", err)
	}
	if ring == nil || ring.Identity(team.ID) == nil {
		return keys.Principal{}, ErrNoWatchList
	}
	return team, nil
}

// watchKeys are the watch list's shared keys, opened for one call.
type watchKeys struct {
	blind  *keys.IndexKey
	alerts *keys.DataKey
}

func (w *watchKeys) wipe() {
	if w.blind != nil {
		w.blind.Wipe()
	}
	if w.alerts != nil {
		w.alerts.Wipe()
	}
}

// openKeys opens the watch list's index and alerts keys with ring,
// creating them (wrapped to the watchlist team and escrow) the first time.
func (s *Service) openKeys(ctx context.Context, ring *keys.Keyring, team keys.Principal) (*watchKeys, error) {
	w := &watchKeys{}
	var err error
	w.blind, err = ring.OpenIndexKey(ctx, s.st.DB(), ObjectKeys, keyBlind)
	if err == nil {
		if w.alerts, err = ring.OpenObjectKey(ctx, s.st.DB(), ObjectKeys, keyAlerts); err == nil {
			return w, nil
		}
	}
	w.wipe()
	if !errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("vetting: watch-list keys: %w", err)
	}
	var n int
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM key_wraps WHERE object_kind = $1", ObjectKeys).Scan(&n); err != nil {
		return nil, fmt.Errorf("vetting: watch-list keys: %w", err)
	}
	if n > 0 {
		return nil, ErrNoWatchList
	}
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return nil, fmt.Errorf("vetting: watch-list keys: %w", err)
	}
	w = &watchKeys{}
	if w.blind, err = keys.NewIndexKey(); err != nil {
		return nil, err
	}
	if w.alerts, err = keys.NewDataKey(); err != nil {
		w.wipe()
		return nil, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range []keys.Principal{team, esc} {
			bw, err := keys.WrapIndexKey(w.blind, p.Recipient)
			if err != nil {
				return err
			}
			aw, err := keys.Wrap(w.alerts, p.Recipient)
			if err != nil {
				return err
			}
			for _, x := range []struct {
				id string
				w  []byte
			}{{keyBlind, bw}, {keyAlerts, aw}} {
				// A plain insert: two leads creating the keys at once
				// conflict here instead of overwriting each other.
				if _, err := tx.ExecContext(ctx, "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)", ObjectKeys, x.id, p.ID, x.w); err != nil {
					return fmt.Errorf("vetting: watch-list keys: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		w.wipe()
		if store.IsUniqueViolation(err) {
			return s.openKeys(ctx, ring, team)
		}
		return nil, err
	}
	return w, nil
}

// AddEntry adds e to the watch list: sealed under a fresh key wrapped to
// the watchlist team and escrow, its NRC and service number blind-indexed
// under the watch list's index key. Audited as watchlist.add (entry id
// only).
func (s *Service) AddEntry(ctx context.Context, a casework.Actor, ring *keys.Keyring, e Entry) (int64, error) {
	team, err := s.lead(ctx, a, ring)
	if err != nil {
		return 0, err
	}
	if err := e.clean(); err != nil {
		return 0, err
	}
	wk, err := s.openKeys(ctx, ring, team)
	if err != nil {
		return 0, err
	}
	defer wk.wipe()
	esc, err := keys.Escrow(ctx, s.st.DB())
	if err != nil {
		return 0, fmt.Errorf("vetting: watch list: %w", err)
	}
	k, err := keys.NewDataKey()
	if err != nil {
		return 0, err
	}
	defer k.Wipe()
	ref := newRef()
	raw, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("vetting: watch list: %w", err)
	}
	sealed, err := keys.SealField(k, entryPlace(ref), raw)
	clear(raw)
	if err != nil {
		return 0, fmt.Errorf("vetting: watch list: %w", err)
	}
	type ix struct {
		domain string
		idx    []byte
	}
	var idxs []ix
	for d, v := range identifiers(e.NRC, e.ServiceNumber) {
		b, err := wk.blind.Index(d, v)
		if err != nil {
			return 0, err
		}
		idxs = append(idxs, ix{d, b})
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO watchlist (ref, created_day, sealed) VALUES ($1, $2, $3) RETURNING id", ref, s.today(), sealed).Scan(&id); err != nil {
			return fmt.Errorf("vetting: watch list: %w", err)
		}
		for _, x := range idxs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO watchlist_index (entry_id, domain, idx) VALUES ($1, $2, $3)", id, x.domain, x.idx); err != nil {
				return fmt.Errorf("vetting: watch list: %w", err)
			}
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectEntry, ref, k, team, esc); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "watchlist.add", Object: "watchlist:" + strconv.FormatInt(id, 10)})
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := s.matchRecorded(ctx, a, ring, wk, id, e); err != nil {
		return id, fmt.Errorf("vetting: the entry was added, but matching it against the people already recorded failed: %w", err)
	}
	return id, nil
}

// matchRecorded matches a new entry against the people already recorded,
// through casework's duplicate indexes (blind indexes and the name index,
// which the vetting team holds), and raises an alert for each hit. A ring
// that does not open those indexes matches nothing here: people are then
// matched only as they are recorded or enter vetting.
func (s *Service) matchRecorded(ctx context.Context, a casework.Actor, ring *keys.Keyring, wk *watchKeys, entryID int64, e Entry) error {
	queries := []casework.Person{{NameMy: e.NameMy, NameLatin: e.NameLatin, NRC: e.NRC, ServiceNumber: e.ServiceNumber}}
	for _, n := range names(e.Aliases) {
		queries = append(queries, casework.Person{NameLatin: n})
	}
	var hits []Alert
	for _, q := range queries {
		cands, err := s.cw.Candidates(ctx, ring, q, "")
		if errors.Is(err, casework.ErrNoIndex) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, c := range cands {
			how := "name"
			for _, r := range c.Reasons {
				switch {
				case strings.Contains(r, "NRC"):
					how = "nrc"
				case strings.Contains(r, "service"):
					how = "service_number"
				}
			}
			hits = append(hits, Alert{CaseID: c.CaseID, PersonID: c.PersonID, EntryID: entryID, How: how, Score: int(c.Score * 100)})
		}
	}
	return s.raise(ctx, a, wk, hits)
}

// raise stores each hit not already raised (the same person and entry) as
// an alert sealed under the alerts key, audited as watchlist.match naming
// the alert only.
func (s *Service) raise(ctx context.Context, a casework.Actor, wk *watchKeys, hits []Alert) error {
	if len(hits) == 0 {
		return nil
	}
	seen, err := s.alertKeys(ctx, wk.alerts)
	if err != nil {
		return err
	}
	day := s.today()
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		for _, h := range hits {
			key := h.PersonID + ">" + strconv.FormatInt(h.EntryID, 10)
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := s.storeAlert(ctx, tx, a, wk, day, h); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) storeAlert(ctx context.Context, tx *sql.Tx, a casework.Actor, wk *watchKeys, day string, h Alert) error {
	ref := newRef()
	raw, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("vetting: alert: %w", err)
	}
	sealed, err := keys.SealField(wk.alerts, alertPlace(ref), raw)
	if err != nil {
		return fmt.Errorf("vetting: alert: %w", err)
	}
	var aid int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO vetting_alerts (ref, day, open, sealed) VALUES ($1, $2, $3, $4) RETURNING id", ref, day, true, sealed).Scan(&aid); err != nil {
		return fmt.Errorf("vetting: alert: %w", err)
	}
	_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "watchlist.match", Object: "alert:" + strconv.FormatInt(aid, 10)})
	return err
}

// RemoveEntry takes entry id off the watch list and shreds its key.
// Audited as watchlist.remove.
func (s *Service) RemoveEntry(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64) error {
	if _, err := s.lead(ctx, a, ring); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var ref string
		if err := tx.QueryRowContext(ctx, "SELECT ref FROM watchlist WHERE id = $1", id).Scan(&ref); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("vetting: watch-list entry: %w", store.ErrNotFound)
			}
			return fmt.Errorf("vetting: watch list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM watchlist_index WHERE entry_id = $1", id); err != nil {
			return fmt.Errorf("vetting: watch list: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM watchlist WHERE id = $1", id); err != nil {
			return fmt.Errorf("vetting: watch list: %w", err)
		}
		if _, err := keys.ShredObject(ctx, tx, ObjectEntry, ref); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "watchlist.remove", Object: "watchlist:" + strconv.FormatInt(id, 10)})
		return err
	})
}

// Entries opens the whole watch list with ring (a lead's session), oldest
// first.
func (s *Service) Entries(ctx context.Context, a casework.Actor, ring *keys.Keyring) ([]Entry, error) {
	if _, err := s.lead(ctx, a, ring); err != nil {
		return nil, err
	}
	return s.entries(ctx, ring)
}

func (s *Service) entries(ctx context.Context, ring *keys.Keyring) ([]Entry, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, ref, created_day, sealed FROM watchlist ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("vetting: watch list: %w", err)
	}
	type row struct {
		id      int64
		ref     string
		created string
		sealed  []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.ref, &r.created, &r.sealed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("vetting: watch list: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vetting: watch list: %w", err)
	}
	out := []Entry{}
	for _, r := range rs {
		k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectEntry, r.ref)
		if err != nil {
			return nil, fmt.Errorf("vetting: watch-list entry %d: %w", r.id, err)
		}
		raw, err := keys.OpenField(k, entryPlace(r.ref), r.sealed)
		k.Wipe()
		if err != nil {
			return nil, fmt.Errorf("vetting: watch-list entry %d does not open: %w", r.id, err)
		}
		var e Entry
		err = json.Unmarshal(raw, &e)
		clear(raw)
		if err != nil {
			return nil, fmt.Errorf("vetting: watch-list entry %d is damaged", r.id)
		}
		e.ID, e.Created = r.id, r.created
		out = append(out, e)
	}
	return out, nil
}

// screenRecord is what a screening record holds: who, in which case, and
// the names and identifiers they were recorded with (already through the
// Myanmar text boundary).
type screenRecord struct {
	Case          int64    `json:"c"`
	Person        string   `json:"p"`
	Names         []string `json:"n,omitempty"`
	NRC           string   `json:"i,omitempty"`
	ServiceNumber string   `json:"s,omitempty"`
}

// Screen seals a screening record of person pid of case caseID inside tx,
// for the next lead's session to match against the watch list. It needs
// no secret: the record is sealed under a fresh key wrapped to the
// watchlist team's public key and to escrow's. It is casework's Screener
// (casework.Service.SetScreener). A person without a name or identifier,
// or a deployment without a watchlist team, is not screened.
func (s *Service) Screen(ctx context.Context, tx *sql.Tx, caseID int64, pid string, p casework.Person) error {
	rec := screenRecord{Case: caseID, Person: pid, Names: names(p.NameMy, p.NameLatin, p.Aliases), NRC: p.NRC, ServiceNumber: p.ServiceNumber}
	if len(rec.Names) == 0 && rec.NRC == "" && rec.ServiceNumber == "" {
		return nil
	}
	team, err := watchTeam(ctx, tx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("vetting: screen: %w", err)
	}
	esc, err := keys.Escrow(ctx, tx)
	if err != nil {
		return fmt.Errorf("vetting: screen: %w", err)
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("vetting: screen: %w", err)
	}
	defer clear(raw)
	k, err := keys.NewDataKey()
	if err != nil {
		return err
	}
	defer k.Wipe()
	ref := newRef()
	sealed, err := keys.SealField(k, screenPlace(ref), raw)
	if err != nil {
		return fmt.Errorf("vetting: screen: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO vetting_screening (ref, sealed) VALUES ($1, $2)", ref, sealed); err != nil {
		return fmt.Errorf("vetting: screen: %w", err)
	}
	return keys.WrapObjectKey(ctx, tx, ObjectScreen, ref, k, team, esc)
}

// Alert is a watch-list hit: a person of a case who matches an entry,
// How (nrc, service_number or name) and, for names, the Score in percent.
// Only a lead's session opens it.
type Alert struct {
	ID       int64  `json:"-"`
	Day      string `json:"-"`
	Open     bool   `json:"-"`
	CaseID   int64  `json:"case"`
	PersonID string `json:"person"`
	EntryID  int64  `json:"entry"`
	How      string `json:"how"`
	Score    int    `json:"score"`
}

// preparedEntry is an entry ready for matching, in memory only.
type preparedEntry struct {
	id    int64
	names []myanmar.Name
}

// Sweep matches every pending screening record against the watch list in
// a lead's session: identifiers by blind index, names with the Myanmar
// name matcher (across Unicode, Zawgyi and romanised spellings) in memory.
// Each hit becomes an alert (audited as watchlist.match, naming the alert
// only); matched records are then deleted with their keys. It returns how
// many alerts it raised.
func (s *Service) Sweep(ctx context.Context, a casework.Actor, ring *keys.Keyring) (int, error) {
	team, err := s.lead(ctx, a, ring)
	if err != nil {
		return 0, err
	}
	var pending int
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM vetting_screening").Scan(&pending); err != nil {
		return 0, fmt.Errorf("vetting: sweep: %w", err)
	}
	if pending == 0 {
		return 0, nil
	}
	wk, err := s.openKeys(ctx, ring, team)
	if err != nil {
		return 0, err
	}
	defer wk.wipe()
	entries, err := s.entries(ctx, ring)
	if err != nil {
		return 0, err
	}
	prepared := make([]preparedEntry, 0, len(entries))
	for _, e := range entries {
		pe := preparedEntry{id: e.ID}
		for _, n := range names(e.NameMy, e.NameLatin, e.Aliases) {
			if pn := myanmar.PrepareName(n); !pn.Empty() {
				pe.names = append(pe.names, pn)
			}
		}
		prepared = append(prepared, pe)
	}
	clear(entries)
	seen, err := s.alertKeys(ctx, wk.alerts)
	if err != nil {
		return 0, err
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT ref, sealed FROM vetting_screening ORDER BY id LIMIT "+strconv.Itoa(sweepBatch))
	if err != nil {
		return 0, fmt.Errorf("vetting: sweep: %w", err)
	}
	type sealedRec struct {
		ref    string
		sealed []byte
	}
	var recs []sealedRec
	for rows.Next() {
		var r sealedRec
		if err := rows.Scan(&r.ref, &r.sealed); err != nil {
			rows.Close()
			return 0, fmt.Errorf("vetting: sweep: %w", err)
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("vetting: sweep: %w", err)
	}
	// hits holds each opened record's matches, by record: a record's
	// alerts are stored only by the sweep whose delete removes it, so two
	// leads sweeping at once raise each alert once.
	hits := map[string][]Alert{}
	var done []string
	for _, r := range recs {
		k, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectScreen, r.ref)
		if errors.Is(err, keys.ErrNoAccess) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("vetting: sweep: %w", err)
		}
		raw, err := keys.OpenField(k, screenPlace(r.ref), r.sealed)
		k.Wipe()
		if err != nil {
			return 0, fmt.Errorf("vetting: a screening record does not open: %w", err)
		}
		var rec screenRecord
		err = json.Unmarshal(raw, &rec)
		clear(raw)
		if err != nil {
			return 0, errors.New("vetting: a screening record is damaged")
		}
		found, err := s.match(ctx, wk.blind, prepared, rec)
		if err != nil {
			return 0, err
		}
		hits[r.ref] = found
		done = append(done, r.ref)
	}
	day := s.today()
	raised := 0
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		raised = 0
		fresh := maps.Clone(seen)
		for _, ref := range done {
			res, err := tx.ExecContext(ctx, "DELETE FROM vetting_screening WHERE ref = $1", ref)
			if err != nil {
				return fmt.Errorf("vetting: sweep: %w", err)
			}
			if _, err := keys.ShredObject(ctx, tx, ObjectScreen, ref); err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue // another sweep took this record
			}
			for _, h := range hits[ref] {
				key := h.PersonID + ">" + strconv.FormatInt(h.EntryID, 10)
				if fresh[key] {
					continue
				}
				fresh[key] = true
				if err := s.storeAlert(ctx, tx, a, wk, day, h); err != nil {
					return err
				}
				raised++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return raised, nil
}

// match returns the entries rec matches.
func (s *Service) match(ctx context.Context, blind *keys.IndexKey, entries []preparedEntry, rec screenRecord) ([]Alert, error) {
	best := map[int64]Alert{}
	for d, v := range identifiers(rec.NRC, rec.ServiceNumber) {
		idx, err := blind.Index(d, v)
		if err != nil {
			return nil, err
		}
		rows, err := s.st.DB().QueryContext(ctx, "SELECT entry_id FROM watchlist_index WHERE idx = $1 AND domain = $2", idx, d)
		if err != nil {
			return nil, fmt.Errorf("vetting: match: %w", err)
		}
		for rows.Next() {
			var eid int64
			if err := rows.Scan(&eid); err != nil {
				rows.Close()
				return nil, fmt.Errorf("vetting: match: %w", err)
			}
			how := "nrc"
			if d == domainSvc {
				how = "service_number"
			}
			best[eid] = Alert{CaseID: rec.Case, PersonID: rec.Person, EntryID: eid, How: how, Score: 100}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("vetting: match: %w", err)
		}
	}
	for _, n := range rec.Names {
		q := myanmar.PrepareName(n)
		if q.Empty() {
			continue
		}
		for _, e := range entries {
			if _, ok := best[e.id]; ok && best[e.id].How != "name" {
				continue
			}
			for _, en := range e.names {
				sc := q.Score(en)
				if sc >= myanmar.MatchThreshold && int(sc*100) > best[e.id].Score {
					best[e.id] = Alert{CaseID: rec.Case, PersonID: rec.Person, EntryID: e.id, How: "name", Score: int(sc * 100)}
				}
			}
		}
	}
	out := make([]Alert, 0, len(best))
	for _, h := range best {
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EntryID < out[j].EntryID })
	return out, nil
}

// alertKeys returns person>entry of every alert already raised.
func (s *Service) alertKeys(ctx context.Context, k *keys.DataKey) (map[string]bool, error) {
	as, err := s.readAlerts(ctx, k, false)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, a := range as {
		out[a.PersonID+">"+strconv.FormatInt(a.EntryID, 10)] = true
	}
	return out, nil
}

func (s *Service) readAlerts(ctx context.Context, k *keys.DataKey, openOnly bool) ([]Alert, error) {
	q := "SELECT id, ref, day, open, sealed FROM vetting_alerts"
	if openOnly {
		q += " WHERE open = TRUE"
	}
	rows, err := s.st.DB().QueryContext(ctx, q+" ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("vetting: alerts: %w", err)
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		var ref string
		var sealed []byte
		if err := rows.Scan(&a.ID, &ref, &a.Day, &a.Open, &sealed); err != nil {
			return nil, fmt.Errorf("vetting: alerts: %w", err)
		}
		raw, err := keys.OpenField(k, alertPlace(ref), sealed)
		if err != nil {
			return nil, fmt.Errorf("vetting: an alert does not open: %w", err)
		}
		id, day, open := a.ID, a.Day, a.Open
		err = json.Unmarshal(raw, &a)
		if err != nil {
			return nil, errors.New("vetting: an alert is damaged")
		}
		a.ID, a.Day, a.Open = id, day, open
		out = append(out, a)
	}
	return out, rows.Err()
}

// Alerts sweeps pending screening records (Sweep) and returns the alerts,
// open ones first, newest first; all when all is true, else open only.
// Only a lead's session holding the watch-list key gets them.
func (s *Service) Alerts(ctx context.Context, a casework.Actor, ring *keys.Keyring, all bool) ([]Alert, error) {
	team, err := s.lead(ctx, a, ring)
	if err != nil {
		return nil, err
	}
	if _, err := s.Sweep(ctx, a, ring); err != nil {
		return nil, err
	}
	wk, err := s.openKeys(ctx, ring, team)
	if err != nil {
		return nil, err
	}
	defer wk.wipe()
	as, err := s.readAlerts(ctx, wk.alerts, !all)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(as, func(i, j int) bool { return as[i].Open && !as[j].Open })
	return as, nil
}

// DismissAlert closes alert id (a lead has dealt with it). Audited as
// watchlist.dismiss.
func (s *Service) DismissAlert(ctx context.Context, a casework.Actor, ring *keys.Keyring, id int64) error {
	if _, err := s.lead(ctx, a, ring); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE vetting_alerts SET open = FALSE WHERE id = $1 AND open = TRUE", id)
		if err != nil {
			return fmt.Errorf("vetting: alert: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("vetting: open alert %d: %w", id, store.ErrNotFound)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "watchlist.dismiss", Object: "alert:" + strconv.FormatInt(id, 10)})
		return err
	})
}

// ParseEntry cleans and checks e as AddEntry does, without storing it.
func ParseEntry(e Entry) (Entry, error) {
	err := e.clean()
	return e, err
}
