package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
)

// The duplicate indexes are two objects in key_wraps, wrapped to escrow and
// to the intake, vetting and casework teams (whichever exist when they are
// made): a blind-index key (HMAC, keys.IndexKey) and a name-index data key.
const (
	objectIndex = "casework.index"
	indexBlind  = "blind"
	indexNames  = "names"
)

// indexTeams hold the index keys.
var indexTeams = []string{TeamIntake, TeamVetting, TeamCasework}

// The blind-index domains.
const (
	domainNRC     = "person.nrc"
	domainService = "person.service_number"
	domainPhone   = "person.phone"
)

// ErrNoIndex means the session holds no key of the duplicate indexes (it
// is in none of the teams that hold them).
var ErrNoIndex = errors.New("casework: your teams hold no key of the duplicate index")

// Indexes holds the two index keys, opened for one session or one seeding
// run. Wipe it when done.
type Indexes struct {
	blind *keys.IndexKey
	names *keys.DataKey
}

// Wipe destroys both keys.
func (ix *Indexes) Wipe() {
	if ix == nil || ix.blind == nil {
		return
	}
	ix.blind.Wipe()
	ix.names.Wipe()
}

// CreateIndexes makes the index keys when they do not exist yet, wrapped
// to escrow and the index teams (public keys only: no session needed), and
// returns them; when they exist it returns (nil, nil) — open them with a
// keyring instead (OpenIndexes).
func CreateIndexes(ctx context.Context, tx *sql.Tx) (*Indexes, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM key_wraps WHERE object_kind = $1", objectIndex).Scan(&n); err != nil {
		return nil, fmt.Errorf("casework: index keys: %w", err)
	}
	if n > 0 {
		return nil, nil
	}
	esc, err := keys.Escrow(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("casework: index keys: %w", err)
	}
	to := []keys.Principal{esc}
	for _, t := range indexTeams {
		p, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, t)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		to = append(to, p)
	}
	ix := &Indexes{}
	if ix.blind, err = keys.NewIndexKey(); err != nil {
		return nil, err
	}
	if ix.names, err = keys.NewDataKey(); err != nil {
		ix.blind.Wipe()
		return nil, err
	}
	for _, p := range to {
		bw, err := keys.WrapIndexKey(ix.blind, p.Recipient)
		if err != nil {
			ix.Wipe()
			return nil, err
		}
		nw, err := keys.Wrap(ix.names, p.Recipient)
		if err != nil {
			ix.Wipe()
			return nil, err
		}
		// Plain inserts: two sessions racing to create the keys cannot
		// overwrite each other's wraps; the loser's transaction fails.
		for _, w := range []struct {
			id string
			w  []byte
		}{{indexBlind, bw}, {indexNames, nw}} {
			if _, err := tx.ExecContext(ctx, "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)", objectIndex, w.id, p.ID, w.w); err != nil {
				ix.Wipe()
				return nil, fmt.Errorf("casework: index keys: %w", err)
			}
		}
	}
	return ix, nil
}

// OpenIndexes opens the index keys with ring, creating them first when
// the deployment has none. ErrNoIndex when ring holds no wrap of them.
func (s *Service) OpenIndexes(ctx context.Context, ring *keys.Keyring) (*Indexes, error) {
	if ring == nil {
		return nil, ErrNoIndex
	}
	ix, err := s.openIndexes(ctx, ring)
	if !errors.Is(err, ErrNoIndex) {
		return ix, err
	}
	var n int
	if err := s.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM key_wraps WHERE object_kind = $1", objectIndex).Scan(&n); err != nil {
		return nil, fmt.Errorf("casework: index keys: %w", err)
	}
	if n > 0 {
		return nil, ErrNoIndex
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		created, err := CreateIndexes(ctx, tx)
		created.Wipe()
		return err
	})
	if err != nil && !store.IsUniqueViolation(err) {
		return nil, err
	}
	return s.openIndexes(ctx, ring)
}

func (s *Service) openIndexes(ctx context.Context, ring *keys.Keyring) (*Indexes, error) {
	ix := &Indexes{}
	var err error
	ix.blind, err = ring.OpenIndexKey(ctx, s.st.DB(), objectIndex, indexBlind)
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, ErrNoIndex
	}
	if err != nil {
		return nil, fmt.Errorf("casework: index keys: %w", err)
	}
	ix.names, err = ring.OpenObjectKey(ctx, s.st.DB(), objectIndex, indexNames)
	if err != nil {
		ix.blind.Wipe()
		if errors.Is(err, keys.ErrNoAccess) {
			return nil, ErrNoIndex
		}
		return nil, fmt.Errorf("casework: index keys: %w", err)
	}
	return ix, nil
}

// indexEntry is one blind index of a person.
type indexEntry struct {
	domain string
	idx    []byte
}

// personIndex is what a person contributes to the duplicate indexes.
type personIndex struct {
	blind []indexEntry
	name  []byte // the match name sealed under the name-index key; nil if none
}

// matchName is the name a person is matched by: Burmese when known (Score
// compares across scripts), else Latin.
func matchName(p Person) string {
	if strings.TrimSpace(p.NameMy) != "" {
		return p.NameMy
	}
	return p.NameLatin
}

func namePlace(pid string) keys.Place {
	return keys.Place{Table: "name_index", Column: "sealed", Row: pid}
}

// NormalizeServiceNumber keeps the letters and digits of a service number,
// upper case, digits in ASCII; "" when fewer than 4 remain.
func NormalizeServiceNumber(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= '၀' && r <= '၉':
			b.WriteByte(byte('0' + r - '၀'))
		}
	}
	if b.Len() < 4 {
		return ""
	}
	return b.String()
}

// NormalizePhone returns a Myanmar phone number as national digits
// ("09…"): separators dropped, Burmese digits read, +95/0095 turned into 0.
// "" when it is not a plausible number.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '၀' && r <= '၉':
			b.WriteByte(byte('0' + r - '၀'))
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '+' || r == '/':
		default:
			return ""
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0095"):
		d = "0" + d[4:]
	case strings.HasPrefix(d, "95") && len(d) >= 10:
		d = "0" + d[2:]
	}
	if len(d) < 7 || len(d) > 15 {
		return ""
	}
	return d
}

// blindValues are the normalised values of p that are blind-indexed.
func blindValues(p Person) map[string]string {
	out := map[string]string{}
	if n, err := myanmar.ParseNRC(p.NRC); err == nil {
		out[domainNRC] = n.String()
	}
	if v := NormalizeServiceNumber(p.ServiceNumber); v != "" {
		out[domainService] = v
	}
	if v := NormalizePhone(p.Phone); v != "" {
		out[domainPhone] = v
	}
	return out
}

// compute makes person pid's index entries.
func (ix *Indexes) compute(pid string, p Person) (*personIndex, error) {
	pi := &personIndex{}
	for d, v := range blindValues(p) {
		idx, err := ix.blind.Index(d, v)
		if err != nil {
			return nil, err
		}
		pi.blind = append(pi.blind, indexEntry{d, idx})
	}
	sort.Slice(pi.blind, func(i, j int) bool { return pi.blind[i].domain < pi.blind[j].domain })
	if n := matchName(p); n != "" {
		sealed, err := keys.SealField(ix.names, namePlace(pid), []byte(n))
		if err != nil {
			return nil, fmt.Errorf("casework: name index: %w", err)
		}
		pi.name = sealed
	}
	return pi, nil
}

// store writes pi for person pid of case caseID inside tx.
func (pi *personIndex) store(ctx context.Context, tx *sql.Tx, pid string, caseID int64) error {
	for _, e := range pi.blind {
		if _, err := tx.ExecContext(ctx, "INSERT INTO person_index (person_id, case_id, domain, idx) VALUES ($1, $2, $3, $4)", pid, caseID, e.domain, e.idx); err != nil {
			return fmt.Errorf("casework: index person: %w", err)
		}
	}
	if pi.name != nil {
		if _, err := tx.ExecContext(ctx, "INSERT INTO name_index (person_id, case_id, sealed) VALUES ($1, $2, $3)", pid, caseID, pi.name); err != nil {
			return fmt.Errorf("casework: index person: %w", err)
		}
	}
	return nil
}

// clearIndex removes person pid's index entries.
func clearIndex(ctx context.Context, tx *sql.Tx, pid string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM person_index WHERE person_id = $1", pid); err != nil {
		return fmt.Errorf("casework: index person: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM name_index WHERE person_id = $1", pid); err != nil {
		return fmt.Errorf("casework: index person: %w", err)
	}
	return nil
}

// indexFor computes person pid's index entries when ring opens the index
// keys, and returns nil (index later) when it does not.
func (s *Service) indexFor(ctx context.Context, ring *keys.Keyring, pid string, p Person) (*personIndex, error) {
	ix, err := s.OpenIndexes(ctx, ring)
	if errors.Is(err, ErrNoIndex) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer ix.Wipe()
	return ix.compute(pid, p)
}

// Index computes the duplicate indexes of a prepared case's people, so
// Insert stores them with the case (seeding and imports, which hold the
// index keys). The cleaned people stay in p until Insert (which screens
// them and then drops them).
func (p *Prepared) Index(ix *Indexes) error {
	for i := range p.people {
		pi, err := ix.compute(p.people[i].id, p.plain[i])
		if err != nil {
			return err
		}
		p.people[i].index = pi
	}
	return nil
}

// IndexPending indexes up to limit cases whose people have no index entries
// yet (cases opened by intake, which holds no index key at that moment) and
// that ring can open. It returns how many people it indexed.
func (s *Service) IndexPending(ctx context.Context, ring *keys.Keyring, limit int) (int, error) {
	if ring == nil {
		return 0, ErrNoIndex
	}
	ps := ring.Principals()
	if len(ps) == 0 {
		return 0, nil
	}
	ix, err := s.OpenIndexes(ctx, ring)
	if err != nil {
		return 0, err
	}
	defer ix.Wipe()
	args := []any{ObjectCase}
	var marks []string
	for _, p := range ps {
		args = append(args, p)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT DISTINCT p.case_id FROM people p JOIN key_wraps w ON w.object_kind = $1 AND w.object_id = CAST(p.case_id AS TEXT)
		WHERE p.indexed = FALSE AND w.principal_id IN (`+strings.Join(marks, ", ")+`) LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return 0, fmt.Errorf("casework: pending index: %w", err)
	}
	var cases []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("casework: pending index: %w", err)
		}
		cases = append(cases, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("casework: pending index: %w", err)
	}
	done := 0
	for _, id := range cases {
		c, err := s.Get(ctx, ring, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return done, err
		}
		err = s.st.Tx(ctx, func(tx *sql.Tx) error {
			for _, p := range c.People {
				pi, err := ix.compute(p.ID, p)
				if err != nil {
					return err
				}
				res, err := tx.ExecContext(ctx, "UPDATE people SET indexed = TRUE WHERE id = $1 AND indexed = FALSE", p.ID)
				if err != nil {
					return fmt.Errorf("casework: pending index: %w", err)
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				if err := clearIndex(ctx, tx, p.ID); err != nil {
					return err
				}
				if err := pi.store(ctx, tx, p.ID, id); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// Candidate is a possible duplicate of a person: another person, the case
// they are in, a score in [0, 1] and the reasons ("same NRC", "similar
// name 0.91"). The reader may not be able to open the candidate's case.
type Candidate struct {
	PersonID string
	CaseID   int64
	Score    float64
	Reasons  []string
}

// maxCandidates bounds the candidates returned.
const maxCandidates = 20

// Duplicates returns the possible duplicates of person pid.
func (s *Service) Duplicates(ctx context.Context, ring *keys.Keyring, pid string) ([]Candidate, error) {
	p, err := s.GetPerson(ctx, ring, pid)
	if err != nil {
		return nil, err
	}
	return s.Candidates(ctx, ring, p, pid)
}

// Candidates returns the possible duplicates of p (a person being typed in,
// or a stored one whose id is exclude): exact matches by blind index on
// NRC, service and phone numbers, and names scoring at least
// myanmar.MatchThreshold over the name index. Cleaning p (the Myanmar
// boundary) happens here too, so a Zawgyi-typed name matches its Unicode
// twin.
func (s *Service) Candidates(ctx context.Context, ring *keys.Keyring, p Person, exclude string) ([]Candidate, error) {
	if err := p.cleanForMatch(); err != nil {
		return nil, err
	}
	if _, err := s.IndexPending(ctx, ring, 20); err != nil {
		return nil, err
	}
	ix, err := s.OpenIndexes(ctx, ring)
	if err != nil {
		return nil, err
	}
	defer ix.Wipe()
	byID := map[string]*Candidate{}
	add := func(pid string, caseID int64, score float64, reason string) {
		if pid == exclude {
			return
		}
		c := byID[pid]
		if c == nil {
			c = &Candidate{PersonID: pid, CaseID: caseID}
			byID[pid] = c
		}
		c.Score = max(c.Score, score)
		c.Reasons = append(c.Reasons, reason)
	}
	// Exact: blind indexes.
	vals := blindValues(p)
	if len(vals) > 0 {
		var args []any
		var marks []string
		for d, v := range vals {
			idx, err := ix.blind.Index(d, v)
			if err != nil {
				return nil, err
			}
			args = append(args, idx)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
		rows, err := s.st.DB().QueryContext(ctx, "SELECT person_id, case_id, domain FROM person_index WHERE idx IN ("+strings.Join(marks, ", ")+")", args...)
		if err != nil {
			return nil, fmt.Errorf("casework: duplicates: %w", err)
		}
		for rows.Next() {
			var pid, domain string
			var caseID int64
			if err := rows.Scan(&pid, &caseID, &domain); err != nil {
				rows.Close()
				return nil, fmt.Errorf("casework: duplicates: %w", err)
			}
			add(pid, caseID, 1, reasonFor(domain))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("casework: duplicates: %w", err)
		}
	}
	// Fuzzy: the name index.
	if n := matchName(p); n != "" {
		if err := s.names.refresh(ctx, s.st.DB(), ix.names); err != nil {
			return nil, err
		}
		for _, h := range s.names.match(myanmar.PrepareName(n), myanmar.MatchThreshold) {
			add(h.person, h.caseID, h.score, "similar name "+strconv.FormatFloat(h.score, 'f', 2, 64))
		}
	}
	if len(byID) == 0 {
		return []Candidate{}, nil
	}
	// Merged people are history, not candidates.
	var args []any
	var marks []string
	for pid := range byID {
		args = append(args, pid)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id FROM people WHERE merged_into IS NOT NULL AND id IN ("+strings.Join(marks, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("casework: duplicates: %w", err)
	}
	for rows.Next() {
		var pid string
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("casework: duplicates: %w", err)
		}
		delete(byID, pid)
	}
	rows.Close()
	out := make([]Candidate, 0, len(byID))
	for _, c := range byID {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].PersonID < out[j].PersonID
	})
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out, rows.Err()
}

func reasonFor(domain string) string {
	switch domain {
	case domainNRC:
		return "same NRC"
	case domainService:
		return "same service number"
	case domainPhone:
		return "same phone"
	}
	return "same " + domain
}

// cleanForMatch passes the matched fields through the Myanmar boundary.
func (p *Person) cleanForMatch() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"name_my", &p.NameMy}, {"name_latin", &p.NameLatin}, {"nrc", &p.NRC}, {"service_number", &p.ServiceNumber}, {"phone", &p.Phone}} {
		v, err := cleanText(f.name, *f.v, maxField, false)
		if err != nil {
			return err
		}
		*f.v = v
	}
	return nil
}

// WarmNames loads the name index into this process's cache with ring's
// keys (after indexing what is pending), so the first duplicate check of a
// session is fast. It returns how many names the cache holds.
func (s *Service) WarmNames(ctx context.Context, ring *keys.Keyring) (int, error) {
	if _, err := s.IndexPending(ctx, ring, 200); err != nil && !errors.Is(err, ErrNoIndex) {
		return 0, err
	}
	ix, err := s.OpenIndexes(ctx, ring)
	if err != nil {
		return 0, err
	}
	defer ix.Wipe()
	if err := s.names.refresh(ctx, s.st.DB(), ix.names); err != nil {
		return 0, err
	}
	return s.names.size(), nil
}

// WipeNames drops the cached name index (call it at lockdown; it also
// drops itself after nameIdle without use).
func (s *Service) WipeNames() { s.names.wipe() }

// Merge records that person dup is the same as person keep: dup is marked
// merged into keep and leaves the duplicate indexes; both records, their
// threats, photos and both cases' timelines are kept (the history of
// each). The ring must open both cases.
func (s *Service) Merge(ctx context.Context, a Actor, ring *keys.Keyring, keep, dup string) error {
	if keep == dup {
		return &FieldError{"into", "cannot be the same person"}
	}
	keepCase, err := s.personCase(ctx, s.st.DB(), keep)
	if err != nil {
		return err
	}
	dupCase, err := s.personCase(ctx, s.st.DB(), dup)
	if err != nil {
		return err
	}
	kk, err := s.caseKey(ctx, ring, keepCase)
	if err != nil {
		return err
	}
	defer kk.Wipe()
	dk, err := s.caseKey(ctx, ring, dupCase)
	if err != nil {
		return err
	}
	defer dk.Wipe()
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var keepMerged string
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(merged_into, '') FROM people WHERE id = $1", keep).Scan(&keepMerged); err != nil {
			return errNoRows(err, "person")
		}
		if keepMerged != "" {
			return &FieldError{"into", "was itself merged into another person"}
		}
		res, err := tx.ExecContext(ctx, "UPDATE people SET merged_into = $1 WHERE id = $2 AND merged_into IS NULL", keep, dup)
		if err != nil {
			return fmt.Errorf("casework: merge: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("casework: that person was already merged: %w", store.ErrConflict)
		}
		if err := clearIndex(ctx, tx, dup); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, dk, dupCase, a, EventMerged, "", "", dup+" -> "+keep); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, kk, keepCase, a, EventMergedOther, "", "", dup+" -> "+keep); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "case.person.merge", Object: "person:" + dup,
			Detail: map[string]string{"into": "person:" + keep, "case": caseObject(dupCase), "into_case": caseObject(keepCase)}})
		return err
	})
	if err == nil {
		s.names.drop(dup)
	}
	return err
}

// nameIdle is how long the cached name index lives without use.
const nameIdle = 15 * time.Minute

// nameCache is this process's decrypted name index: every indexed person's
// match name, prepared once, in a myanmar.NameIndex (an inverted index over
// syllable codes whose count filter skips only names that provably score
// below the threshold, so candidates are exactly those of a full scan). It
// holds red data in memory only, is filled only with a key opened by an
// authorised session, and is wiped — names and postings — after nameIdle
// without use or by WipeNames.
type nameCache struct {
	mu      sync.RWMutex
	seq     int64
	pos     map[string]int
	entries []nameEntry        // by index id
	index   *myanmar.NameIndex // ids are positions in entries
	idle    *time.Timer
}

type nameEntry struct {
	person string
	caseID int64
}

type nameHit struct {
	person string
	caseID int64
	score  float64
}

func newNameCache() *nameCache {
	return &nameCache{pos: map[string]int{}, index: myanmar.NewNameIndex()}
}

func (c *nameCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.pos)
}

func (c *nameCache) wipe() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.index.Wipe()
	c.entries, c.pos, c.seq = nil, map[string]int{}, 0
}

func (c *nameCache) drop(pid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.pos[pid]; ok {
		c.entries[i] = nameEntry{}
		c.index.Remove(i)
		delete(c.pos, pid)
	}
}

// touch restarts the idle timer; the caller holds mu.
func (c *nameCache) touch() {
	if c.idle == nil {
		c.idle = time.AfterFunc(nameIdle, c.wipe)
		return
	}
	c.idle.Reset(nameIdle)
}

// nameChunk is how many rows refresh decrypts at once.
const nameChunk = 8192

// refresh loads the name-index rows added since the last load, opening
// them with k and preparing them on every core.
func (c *nameCache) refresh(ctx context.Context, db *sql.DB, k *keys.DataKey) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.touch()
	type row struct {
		seq    int64
		pid    string
		caseID int64
		sealed []byte
	}
	for {
		rows, err := db.QueryContext(ctx, "SELECT seq, person_id, case_id, sealed FROM name_index WHERE seq > $1 ORDER BY seq LIMIT "+strconv.Itoa(nameChunk), c.seq)
		if err != nil {
			return fmt.Errorf("casework: name index: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.pid, &r.caseID, &r.sealed); err != nil {
				rows.Close()
				return fmt.Errorf("casework: name index: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("casework: name index: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		names := make([]myanmar.Name, len(batch))
		errs := make([]error, len(batch))
		parallel(len(batch), func(i int) {
			raw, err := keys.OpenField(k, namePlace(batch[i].pid), batch[i].sealed)
			if err != nil {
				errs[i] = fmt.Errorf("casework: name index entry does not open: %w", err)
				return
			}
			names[i] = myanmar.PrepareName(string(raw))
			clear(raw)
		})
		for i, r := range batch {
			if errs[i] != nil {
				clear(names)
				return errs[i]
			}
			e := nameEntry{person: r.pid, caseID: r.caseID}
			if j, ok := c.pos[r.pid]; ok {
				c.entries[j] = e
				c.index.Replace(j, names[i])
			} else {
				c.pos[r.pid] = len(c.entries)
				c.entries = append(c.entries, e)
				c.index.Add(names[i])
			}
			c.seq = r.seq
		}
		clear(names)
		if len(batch) < nameChunk {
			return nil
		}
	}
}

// match returns the cached names scoring at least threshold against q.
func (c *nameCache) match(q myanmar.Name, threshold float64) []nameHit {
	if q.Empty() {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []nameHit
	for _, h := range c.index.Match(q, threshold) {
		if e := c.entries[h.ID]; e.person != "" {
			out = append(out, nameHit{e.person, e.caseID, h.Score})
		}
	}
	return out
}

// parallel runs f(0..n-1) on every core.
func parallel(n int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}
