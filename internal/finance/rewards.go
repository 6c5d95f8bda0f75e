package finance

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// RewardKind is one line of the reward schedule.
type RewardKind struct {
	Kind   string
	Amount Money
	Active bool
}

var kindRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// SetRewardKind adds or changes a line of the schedule (kind names such as
// "vehicle", "anti_aircraft", "arms_ammunition"). Claims already made keep
// the amount they were made for.
func (s *Service) SetRewardKind(ctx context.Context, a Actor, kind string, amount Money, active bool) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	if !kindRE.MatchString(kind) {
		return &FieldError{"kind", "must be 1 to 32 lower-case letters, digits or _"}
	}
	if _, err := NewMoney(amount.Currency, amount.Minor, false); err != nil {
		return fieldErr("amount", err)
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO finance_reward_kinds (kind, currency, amount, active) VALUES ($1, $2, $3, $4)
			ON CONFLICT (kind) DO UPDATE SET currency = excluded.currency, amount = excluded.amount, active = excluded.active`,
			kind, amount.Currency, amount.Minor, active); err != nil {
			return fmt.Errorf("finance: reward schedule: %w", err)
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.reward.schedule", Object: "reward:" + kind,
			Detail: map[string]string{"amount": amount.Decimal(), "currency": amount.Currency, "active": strconv.FormatBool(active)}})
		return err
	})
}

// RewardKinds lists the schedule.
func (s *Service) RewardKinds(ctx context.Context) ([]RewardKind, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT kind, currency, amount, active FROM finance_reward_kinds ORDER BY kind")
	if err != nil {
		return nil, fmt.Errorf("finance: reward schedule: %w", err)
	}
	defer rows.Close()
	var out []RewardKind
	for rows.Next() {
		var k RewardKind
		if err := rows.Scan(&k.Kind, &k.Amount.Currency, &k.Amount.Minor, &k.Active); err != nil {
			return nil, fmt.Errorf("finance: reward schedule: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Custody is the record of the items handed over: what, who received
// them, when and where they are held. It is red (sealed under the claim
// key) and prints as [redacted].
type Custody struct {
	Items      string `json:"items"`
	ReceivedBy string `json:"received_by"`
	When       string `json:"when"`
	HeldAt     string `json:"held_at"`
	// Original keeps Zawgyi-typed fields as they were typed (DESIGN §7).
	Original map[string]string `json:"orig,omitempty"`
}

// String keeps the record out of logs.
func (Custody) String() string { return "[redacted]" }

// LogValue keeps the record out of logs.
func (Custody) LogValue() slog.Value { return slog.StringValue("[redacted]") }

func (c *Custody) clean() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"items", &c.Items}, {"received_by", &c.ReceivedBy}, {"when", &c.When}, {"held_at", &c.HeldAt}} {
		v, orig, err := cleanField(f.name, *f.v, true)
		if err != nil {
			return err
		}
		*f.v = v
		if orig != "" {
			if c.Original == nil {
				c.Original = map[string]string{}
			}
			c.Original[f.name] = orig
		}
	}
	return nil
}

// Evidence is a file supporting a claim, read as a stream.
type Evidence struct {
	Name string
	Body io.Reader
}

// String keeps the file's name out of logs.
func (Evidence) String() string { return "[redacted]" }

// Limits on evidence.
const (
	MaxEvidenceFiles = 5
	MaxEvidenceSize  = 10 << 20
	maxEvidenceName  = 200
)

var evidenceTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}

// NewClaim is a reward claim for a payee. Evidence is given either as
// readers (Evidence) or already sealed while it was received (Sealed).
type NewClaim struct {
	Payee    string
	Kind     string
	Custody  Custody
	Evidence []Evidence
	Sealed   *EvidenceSealer
}

// EvidenceSealer seals evidence files as they are read (an upload is
// streamed through it part by part), under the key the claim will be filed
// with, so no file exists in plaintext beyond its first 512 bytes (sniffed
// for its type). Wipe it when done.
type EvidenceSealer struct {
	k     *keys.DataKey
	files []*sealedEvidence
}

// NewEvidenceSealer returns a sealer with a fresh claim key.
func NewEvidenceSealer() (*EvidenceSealer, error) {
	k, err := keys.NewDataKey()
	if err != nil {
		return nil, err
	}
	return &EvidenceSealer{k: k}, nil
}

// Add seals one file read from r; an empty file is skipped. Refused: more
// than MaxEvidenceFiles files, a type other than JPEG, PNG, WebP or PDF,
// more than MaxEvidenceSize bytes.
func (e *EvidenceSealer) Add(name string, r io.Reader) error {
	if e.k == nil {
		return &FieldError{"evidence", "the sealer was already used"}
	}
	if len(e.files) >= MaxEvidenceFiles {
		return &FieldError{"evidence", "at most 5 files"}
	}
	f, err := sealEvidence(e.k, Evidence{Name: name, Body: r})
	if err != nil {
		return err
	}
	if f != nil {
		e.files = append(e.files, f)
	}
	return nil
}

// Wipe forgets the claim key and the sealed files.
func (e *EvidenceSealer) Wipe() {
	if e.k != nil {
		e.k.Wipe()
	}
	e.k, e.files = nil, nil
}

// Claim statuses.
const (
	ClaimClaimed   = "claimed"
	ClaimApproved  = "approved"  // first approval
	ClaimConfirmed = "confirmed" // second, different officer: booked
	ClaimPaid      = "paid"
	ClaimRejected  = "rejected"
)

// Claim is a reward claim as finance lists it: green only.
type Claim struct {
	ID       int64
	Payee    string
	Kind     string
	Amount   Money
	Status   string
	FirstBy  int64
	SecondBy int64
	Created  string
	Paid     string
	Files    int
}

func claimPlace(id int64, col string) keys.Place {
	return keys.Place{Table: "finance_claims", Column: col, Row: strconv.FormatInt(id, 10)}
}

func evidencePlace(id, col string) keys.Place {
	return keys.Place{Table: "finance_evidence", Column: col, Row: id}
}

type evidenceMeta struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

type sealedEvidence struct {
	id            string
	meta, content []byte
	size          int64
}

// sealEvidence streams one file through the sealing writer, refusing other
// types than evidenceTypes (sniffed) and files over MaxEvidenceSize.
func sealEvidence(k *keys.DataKey, ev Evidence) (*sealedEvidence, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(ev.Body, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, readErr(err)
	}
	if n == 0 {
		return nil, nil
	}
	head = head[:n]
	defer clear(head)
	typ := http.DetectContentType(head)
	if i := strings.IndexByte(typ, ';'); i >= 0 {
		typ = typ[:i]
	}
	if !evidenceTypes[typ] {
		return nil, ErrFileType
	}
	name := ev.Name
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	for len(name) > maxEvidenceName || !utf8.ValidString(name) {
		name = name[:len(name)-1]
	}
	name, _, err = cleanField("evidence", name, false)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 12)
	rand.Read(b)
	id := hex.EncodeToString(b)
	var out bytes.Buffer
	w, err := keys.NewFieldWriter(&out, k, evidencePlace(id, "content"))
	if err != nil {
		return nil, fmt.Errorf("finance: seal evidence: %w", err)
	}
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("finance: seal evidence: %w", err)
	}
	rest := int64(MaxEvidenceSize - n)
	m, err := io.Copy(w, io.LimitReader(ev.Body, rest+1))
	if err != nil {
		return nil, readErr(err)
	}
	if m > rest {
		return nil, ErrFileTooLarge
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("finance: seal evidence: %w", err)
	}
	meta, _ := json.Marshal(evidenceMeta{Name: name, Type: typ, Size: int64(n) + m})
	sm, err := keys.SealField(k, evidencePlace(id, "meta"), meta)
	if err != nil {
		return nil, fmt.Errorf("finance: seal evidence: %w", err)
	}
	return &sealedEvidence{id: id, meta: sm, content: out.Bytes(), size: int64(n) + m}, nil
}

// FileClaim records a reward claim for a payee, at the amount the
// schedule gives its kind today, with the custody record and evidence
// sealed under a new claim key wrapped to the finance team and escrow.
func (s *Service) FileClaim(ctx context.Context, a Actor, nc NewClaim) (int64, error) {
	if err := requireFinance(a); err != nil {
		return 0, err
	}
	if err := nc.Custody.clean(); err != nil {
		return 0, err
	}
	es := nc.Sealed
	if es == nil {
		var err error
		if es, err = NewEvidenceSealer(); err != nil {
			return 0, err
		}
		defer es.Wipe()
		for _, ev := range nc.Evidence {
			if err := es.Add(ev.Name, ev.Body); err != nil {
				return 0, err
			}
		}
	} else if len(nc.Evidence) > 0 {
		return 0, &FieldError{"evidence", "give files either sealed or as readers"}
	}
	k, files := es.k, es.files
	if k == nil {
		return 0, &FieldError{"evidence", "the sealer was already used"}
	}
	var id int64
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		payee, err := s.payeeByCode(ctx, tx, nc.Payee)
		if err != nil {
			return err
		}
		var amount Money
		var active bool
		err = tx.QueryRowContext(ctx, "SELECT currency, amount, active FROM finance_reward_kinds WHERE kind = $1", nc.Kind).Scan(&amount.Currency, &amount.Minor, &active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
			return &FieldError{"kind", "is not a reward in the schedule"}
		}
		if err != nil {
			return fmt.Errorf("finance: reward schedule: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO finance_claims (payee_id, kind, currency, amount, status, custody, created_day)
			VALUES ($1, $2, $3, $4, 'claimed', $5, $6) RETURNING id`, payee, nc.Kind, amount.Currency, amount.Minor, []byte{0}, s.today()).Scan(&id); err != nil {
			return fmt.Errorf("finance: file claim: %w", err)
		}
		plain, _ := json.Marshal(nc.Custody)
		sealed, err := keys.SealField(k, claimPlace(id, "custody"), plain)
		clear(plain)
		if err != nil {
			return fmt.Errorf("finance: seal custody: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE finance_claims SET custody = $1 WHERE id = $2", sealed, id); err != nil {
			return fmt.Errorf("finance: file claim: %w", err)
		}
		for _, f := range files {
			if _, err := tx.ExecContext(ctx, "INSERT INTO finance_evidence (id, claim_id, meta, content, size, created_day) VALUES ($1, $2, $3, $4, $5, $6)",
				f.id, id, f.meta, f.content, f.size, s.today()); err != nil {
				return fmt.Errorf("finance: evidence: %w", err)
			}
		}
		team, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, string(auth.TeamFinance))
		if err != nil {
			return fmt.Errorf("finance: finance team: %w", err)
		}
		esc, err := keys.Escrow(ctx, tx)
		if err != nil {
			return fmt.Errorf("finance: escrow: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectClaim, strconv.FormatInt(id, 10), k, team, esc); err != nil {
			return fmt.Errorf("finance: wrap claim key: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.claim.file", Object: "claim:" + strconv.FormatInt(id, 10),
			Detail: map[string]string{"payee": nc.Payee, "kind": nc.Kind, "amount": amount.Decimal(), "currency": amount.Currency, "files": strconv.Itoa(len(files))}})
		return err
	})
	return id, err
}

const claimColumns = `c.id, p.code, c.kind, c.currency, c.amount, c.status, COALESCE(c.first_by, 0), COALESCE(c.second_by, 0), c.created_day, c.paid_day,
	(SELECT COUNT(*) FROM finance_evidence e WHERE e.claim_id = c.id)`

func scanClaim(row interface{ Scan(...any) error }) (Claim, error) {
	var c Claim
	err := row.Scan(&c.ID, &c.Payee, &c.Kind, &c.Amount.Currency, &c.Amount.Minor, &c.Status, &c.FirstBy, &c.SecondBy, &c.Created, &c.Paid, &c.Files)
	return c, err
}

// Claims lists reward claims, newest first.
func (s *Service) Claims(ctx context.Context) ([]Claim, error) {
	rows, err := s.st.DB().QueryContext(ctx, "SELECT "+claimColumns+" FROM finance_claims c JOIN finance_payees p ON p.id = c.payee_id ORDER BY c.id DESC")
	if err != nil {
		return nil, fmt.Errorf("finance: claims: %w", err)
	}
	defer rows.Close()
	var out []Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, fmt.Errorf("finance: claims: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func claimByID(ctx context.Context, q store.Querier, id int64) (Claim, error) {
	c, err := scanClaim(q.QueryRowContext(ctx, "SELECT "+claimColumns+" FROM finance_claims c JOIN finance_payees p ON p.id = c.payee_id WHERE c.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Claim{}, fmt.Errorf("finance: claim: %w", store.ErrNotFound)
	}
	if err != nil {
		return Claim{}, fmt.Errorf("finance: claim: %w", err)
	}
	return c, nil
}

// GetClaim returns claim id (green only).
func (s *Service) GetClaim(ctx context.Context, id int64) (Claim, error) {
	return claimByID(ctx, s.st.DB(), id)
}

// ApproveClaim records an approval by a finance officer. The first
// approval moves the claim to approved; a second approval by a different
// officer confirms it and books the reward (reward expense against
// rewards payable). The same officer approving again is ErrSameOfficer
// and changes nothing.
func (s *Service) ApproveClaim(ctx context.Context, a Actor, id int64) (string, error) {
	if err := requireFinance(a); err != nil {
		return "", err
	}
	if a.Principal == 0 {
		return "", ErrForbidden
	}
	var status string
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		c, err := claimByID(ctx, tx, id)
		if err != nil {
			return err
		}
		obj := "claim:" + strconv.FormatInt(id, 10)
		switch c.Status {
		case ClaimClaimed:
			status = ClaimApproved
			if err := updateOne(ctx, tx, "UPDATE finance_claims SET status = $1, first_by = $2 WHERE id = $3 AND status = 'claimed'", status, a.Principal, id); err != nil {
				return err
			}
		case ClaimApproved:
			if c.FirstBy == a.Principal {
				return ErrSameOfficer
			}
			status = ClaimConfirmed
			if err := updateOne(ctx, tx, "UPDATE finance_claims SET status = $1, second_by = $2 WHERE id = $3 AND status = 'approved' AND first_by <> $2", status, a.Principal, id); err != nil {
				return err
			}
			if _, err := post(ctx, tx, Booking{Day: s.today(), Month: s.ThisMonth(), Kind: "reward.confirm", Ref: obj, Actor: a.Name,
				Lines: []Line{{AccountRewardExpense, c.Amount.Currency, c.Amount.Minor}, {AccountRewardsPayable, c.Amount.Currency, -c.Amount.Minor}}}); err != nil {
				return err
			}
		default:
			return ErrClaimState
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.claim.approve", Object: obj,
			Detail: map[string]string{"status": status, "amount": c.Amount.Decimal(), "currency": c.Amount.Currency}})
		return err
	})
	if err != nil {
		return "", err
	}
	return status, nil
}

// RejectClaim rejects a claim not yet confirmed.
func (s *Service) RejectClaim(ctx context.Context, a Actor, id int64) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		c, err := claimByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != ClaimClaimed && c.Status != ClaimApproved {
			return ErrClaimState
		}
		if err := updateOne(ctx, tx, "UPDATE finance_claims SET status = 'rejected' WHERE id = $1 AND status IN ('claimed', 'approved')", id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.claim.reject", Object: "claim:" + strconv.FormatInt(id, 10)})
		return err
	})
}

// PayClaim pays out a confirmed claim from funding source (which must be
// in the claim's currency and hold enough cash): rewards payable against
// cash, in the same transaction.
func (s *Service) PayClaim(ctx context.Context, a Actor, id int64, source string) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		c, err := claimByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status != ClaimConfirmed {
			return ErrClaimState
		}
		src, err := s.sourceByCode(ctx, tx, source)
		if err != nil {
			return err
		}
		if src.Budget.Currency != c.Amount.Currency {
			return &FieldError{"source", "must hold the claim's currency"}
		}
		if err := s.enoughCash(ctx, tx, src.Code, c.Amount); err != nil {
			return err
		}
		obj := "claim:" + strconv.FormatInt(id, 10)
		if _, err := post(ctx, tx, Booking{Day: s.today(), Month: s.ThisMonth(), Kind: "reward.pay", Ref: obj, Actor: a.Name,
			Lines: []Line{{AccountRewardsPayable, c.Amount.Currency, c.Amount.Minor}, {CashAccount(src.Code), c.Amount.Currency, -c.Amount.Minor}}}); err != nil {
			return err
		}
		if err := updateOne(ctx, tx, "UPDATE finance_claims SET status = 'paid', source_id = $1, paid_day = $2 WHERE id = $3 AND status = 'confirmed'",
			src.ID, s.today(), id); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.claim.pay", Object: obj,
			Detail: map[string]string{"amount": c.Amount.Decimal(), "currency": c.Amount.Currency, "source": src.Code}})
		return err
	})
}

// ClaimRecord is a claim's red part, opened with a finance keyring.
type ClaimRecord struct {
	Custody  Custody
	Evidence []EvidenceInfo
}

// EvidenceInfo names one evidence file.
type EvidenceInfo struct {
	ID   string
	Name string
	Type string
	Size int64
}

// String keeps the file's name out of logs.
func (EvidenceInfo) String() string { return "[redacted]" }

// OpenClaim opens a claim's custody record and evidence list (audited).
func (s *Service) OpenClaim(ctx context.Context, a Actor, ring *keys.Keyring, id int64) (ClaimRecord, error) {
	if err := requireFinance(a); err != nil {
		return ClaimRecord{}, err
	}
	var rec ClaimRecord
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		k, err := s.claimKey(ctx, tx, ring, id)
		if err != nil {
			return err
		}
		defer k.Wipe()
		var sealed []byte
		if err := tx.QueryRowContext(ctx, "SELECT custody FROM finance_claims WHERE id = $1", id).Scan(&sealed); err != nil {
			return fmt.Errorf("finance: claim: %w", err)
		}
		plain, err := keys.OpenField(k, claimPlace(id, "custody"), sealed)
		if err != nil {
			return fmt.Errorf("finance: open custody: %v", err)
		}
		err = json.Unmarshal(plain, &rec.Custody)
		clear(plain)
		if err != nil {
			return fmt.Errorf("finance: open custody: %v", err)
		}
		rows, err := tx.QueryContext(ctx, "SELECT id, meta FROM finance_evidence WHERE claim_id = $1 ORDER BY created_day, id", id)
		if err != nil {
			return fmt.Errorf("finance: evidence: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var eid string
			var m []byte
			if err := rows.Scan(&eid, &m); err != nil {
				return fmt.Errorf("finance: evidence: %w", err)
			}
			plain, err := keys.OpenField(k, evidencePlace(eid, "meta"), m)
			if err != nil {
				return fmt.Errorf("finance: evidence: %v", err)
			}
			var meta evidenceMeta
			json.Unmarshal(plain, &meta)
			rec.Evidence = append(rec.Evidence, EvidenceInfo{ID: eid, Name: meta.Name, Type: meta.Type, Size: meta.Size})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.claim.read", Object: "claim:" + strconv.FormatInt(id, 10)})
		return err
	})
	return rec, err
}

func (s *Service) claimKey(ctx context.Context, q store.Querier, ring *keys.Keyring, id int64) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("finance: claim: %w", store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, q, ObjectClaim, strconv.FormatInt(id, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("finance: claim: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("finance: claim key: %w", err)
	}
	return k, nil
}

// EvidenceFile streams one evidence file of claim id to w (audited) and
// returns its type.
func (s *Service) EvidenceFile(ctx context.Context, a Actor, ring *keys.Keyring, claim int64, evidence string, w io.Writer) (string, error) {
	if err := requireFinance(a); err != nil {
		return "", err
	}
	k, err := s.claimKey(ctx, s.st.DB(), ring, claim)
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	var meta, content []byte
	err = s.st.DB().QueryRowContext(ctx, "SELECT meta, content FROM finance_evidence WHERE id = $1 AND claim_id = $2", evidence, claim).Scan(&meta, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("finance: evidence: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("finance: evidence: %w", err)
	}
	plain, err := keys.OpenField(k, evidencePlace(evidence, "meta"), meta)
	if err != nil {
		return "", fmt.Errorf("finance: evidence: %v", err)
	}
	var m evidenceMeta
	json.Unmarshal(plain, &m)
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.evidence.read", Object: "claim:" + strconv.FormatInt(claim, 10)})
		return err
	})
	if err != nil {
		return "", err
	}
	r, err := keys.NewFieldReader(bytes.NewReader(content), k, evidencePlace(evidence, "content"))
	if err != nil {
		return "", fmt.Errorf("finance: evidence: %v", err)
	}
	if _, err := io.Copy(w, r); err != nil {
		return "", fmt.Errorf("finance: evidence: %w", err)
	}
	return m.Type, nil
}

// updateOne runs a conditional update that must change exactly one row:
// none means the row changed state meanwhile (another officer acted
// first), which is ErrClaimState, and the caller's transaction, with any
// booking in it, rolls back.
func updateOne(ctx context.Context, tx *sql.Tx, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("finance: update: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrClaimState
	}
	return nil
}

// readErr names a failed upload read: a body over the route's limit is
// ErrFileTooLarge, anything else a broken form.
func readErr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return ErrFileTooLarge
	}
	return &FieldError{"evidence", "could not be read; send the form again"}
}
