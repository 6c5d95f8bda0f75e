package finance

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"embrace/internal/audit"
	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

// PayeeDetails is what finance may know of a payee: a name to pay and how
// to pay them (cash at a meeting, a mobile wallet…). It is red: sealed
// under the payee key, and printed as [redacted].
type PayeeDetails struct {
	Name     string            `json:"name"`
	HowToPay string            `json:"how"`
	Original map[string]string `json:"orig,omitempty"` // Zawgyi originals
}

// String keeps the details out of logs and error messages.
func (PayeeDetails) String() string { return "[redacted]" }

// LogValue keeps the details out of logs.
func (PayeeDetails) LogValue() slog.Value { return slog.StringValue("[redacted]") }

const maxText = 300

func cleanField(field, v string, required bool) (string, string, error) {
	if len(v) > maxText*4 {
		return "", "", &FieldError{field, "is too long"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return "", "", &FieldError{field, "is not valid text"}
	}
	if len([]rune(t.Value)) > maxText {
		return "", "", &FieldError{field, "is too long"}
	}
	if required && t.Value == "" {
		return "", "", &FieldError{field, "is required"}
	}
	orig := ""
	if t.Converted {
		orig = t.Original
	}
	return t.Value, orig, nil
}

func (d *PayeeDetails) clean() error {
	var o1, o2 string
	var err error
	if d.Name, o1, err = cleanField("name", d.Name, true); err != nil {
		return err
	}
	if d.HowToPay, o2, err = cleanField("how_to_pay", d.HowToPay, true); err != nil {
		return err
	}
	for k, v := range map[string]string{"name": o1, "how": o2} {
		if v != "" {
			if d.Original == nil {
				d.Original = map[string]string{}
			}
			d.Original[k] = v
		}
	}
	return nil
}

// Enrolment is a new payee: the case they belong to, their details and,
// optionally, a first stipend.
type Enrolment struct {
	CaseID  int64
	Details PayeeDetails
	Stipend *StipendTerms
}

// Enrolled is the result of an enrolment: the payee's code, and the
// recipient's code to hand to the payee, shown once and stored only as a
// keyed hash.
type Enrolled struct {
	Code          string
	RecipientCode string
}

// LogValue keeps the recipient's code out of logs.
func (e Enrolled) LogValue() slog.Value { return slog.StringValue(e.String()) }

// String names the payee only: the recipient's code is a secret.
func (e Enrolled) String() string { return "payee:" + e.Code }

func payeePlace(code string) keys.Place {
	return keys.Place{Table: "finance_payees", Column: "sealed", Row: code}
}

// recipientDomain is the blind-index domain of recipients' codes.
const recipientDomain = "finance.recipient_code"

// EnrolPayee makes a payee of case e.CaseID. Only a case handler whose
// keyring opens the case may do it (they vouch for the identity); the case
// must have been verified by vetting and still be on the verified path.
// The details are sealed under a new payee key wrapped to the finance team
// and escrow; finance never gets the case key.
func (s *Service) EnrolPayee(ctx context.Context, a Actor, ring *keys.Keyring, e Enrolment) (Enrolled, error) {
	if !auth.Can(a.Roles, auth.PermCaseHandle) {
		return Enrolled{}, ErrForbidden
	}
	if err := e.Details.clean(); err != nil {
		return Enrolled{}, err
	}
	if e.Stipend != nil {
		if _, _, err := e.Stipend.check(); err != nil {
			return Enrolled{}, err
		}
	}
	if ring == nil {
		return Enrolled{}, fmt.Errorf("finance: case: %w", store.ErrNotFound)
	}
	ck, err := ring.OpenObjectKey(ctx, s.st.DB(), casework.ObjectCase, strconv.FormatInt(e.CaseID, 10))
	if errors.Is(err, keys.ErrNoAccess) {
		return Enrolled{}, fmt.Errorf("finance: case: %w", store.ErrNotFound)
	}
	if err != nil {
		return Enrolled{}, fmt.Errorf("finance: case: %w", err)
	}
	ck.Wipe()
	var out Enrolled
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		var qe *vetting.QuarantineError
		if err := vetting.Cleared(ctx, tx, e.CaseID, s.now()); err != nil && !errors.As(err, &qe) {
			if errors.Is(err, vetting.ErrNotVerified) {
				return ErrNotCleared
			}
			return err
		}
		team, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, string(auth.TeamFinance))
		if err != nil {
			return fmt.Errorf("finance: finance team: %w", err)
		}
		esc, err := keys.Escrow(ctx, tx)
		if err != nil {
			return fmt.Errorf("finance: escrow: %w", err)
		}
		out.Code = randomCode("P-", 6)
		out.RecipientCode = randomCode("", 6)
		k, err := keys.NewDataKey()
		if err != nil {
			return err
		}
		defer k.Wipe()
		plain, err := json.Marshal(e.Details)
		if err != nil {
			return err
		}
		sealed, err := keys.SealField(k, payeePlace(out.Code), plain)
		clear(plain)
		if err != nil {
			return fmt.Errorf("finance: seal payee: %w", err)
		}
		// The recipient's code is kept as a keyed hash under the payee's
		// own index key (held by the finance team and escrow), so a seized
		// database cannot be searched for it: six characters would fall to
		// a plain hash in seconds.
		ik, err := keys.NewIndexKey()
		if err != nil {
			return err
		}
		defer ik.Wipe()
		hash, err := ik.Index(recipientDomain, out.RecipientCode)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO finance_payees (code, case_id, sealed, confirm_hash, created_day)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, out.Code, e.CaseID, sealed, hash, s.today()).Scan(&id); err != nil {
			return fmt.Errorf("finance: enrol payee: %w", err)
		}
		if err := keys.WrapObjectIndexKey(ctx, tx, ObjectRecipientCode, out.Code, ik, team, esc); err != nil {
			return fmt.Errorf("finance: wrap code key: %w", err)
		}
		if err := keys.WrapObjectKey(ctx, tx, ObjectPayee, out.Code, k, team, esc); err != nil {
			return fmt.Errorf("finance: wrap payee key: %w", err)
		}
		if e.Stipend != nil {
			if _, err := s.addStipend(ctx, tx, id, *e.Stipend); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.payee.enrol", Object: "payee:" + out.Code,
			Detail: map[string]string{"case": strconv.FormatInt(e.CaseID, 10), "stipend": strconv.FormatBool(e.Stipend != nil)}})
		return err
	})
	if err != nil {
		return Enrolled{}, err
	}
	return out, nil
}

// Payee is what finance lists of a payee: green only.
type Payee struct {
	ID      int64
	Code    string
	Created string
	Stipend *Stipend // the latest enrolment, if any
}

func (s *Service) payeeByCode(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM finance_payees WHERE code = $1", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("finance: payee: %w", err)
	}
	return id, nil
}

// Payees lists payees with their latest stipend enrolment.
func (s *Service) Payees(ctx context.Context) ([]Payee, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT p.id, p.code, p.created_day,
		COALESCE(st.id, 0), COALESCE(st.currency, ''), COALESCE(st.amount, 0), COALESCE(st.start_month, ''), COALESCE(st.end_month, '')
		FROM finance_payees p LEFT JOIN finance_stipends st ON st.id = (SELECT MAX(id) FROM finance_stipends WHERE payee_id = p.id)
		ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("finance: payees: %w", err)
	}
	defer rows.Close()
	var out []Payee
	for rows.Next() {
		var p Payee
		var st Stipend
		if err := rows.Scan(&p.ID, &p.Code, &p.Created, &st.ID, &st.Amount.Currency, &st.Amount.Minor, &st.Start, &st.End); err != nil {
			return nil, fmt.Errorf("finance: payees: %w", err)
		}
		if st.ID != 0 {
			st.Payee = p.Code
			p.Stipend = &st
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// OpenPayee opens a payee's details with ring (a finance team member's or
// escrow's); the reading is audited. A payee the ring cannot open is
// store.ErrNotFound.
func (s *Service) OpenPayee(ctx context.Context, a Actor, ring *keys.Keyring, code string) (PayeeDetails, error) {
	if err := requireFinance(a); err != nil {
		return PayeeDetails{}, err
	}
	var d PayeeDetails
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if d, err = s.openPayee(ctx, tx, ring, code); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.payee.read", Object: "payee:" + code})
		return err
	})
	return d, err
}

func (s *Service) payeeKey(ctx context.Context, q store.Querier, ring *keys.Keyring, code string) (*keys.DataKey, error) {
	if ring == nil {
		return nil, fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	k, err := ring.OpenObjectKey(ctx, q, ObjectPayee, code)
	if errors.Is(err, keys.ErrNoAccess) {
		return nil, fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("finance: payee key: %w", err)
	}
	return k, nil
}

func (s *Service) openPayee(ctx context.Context, q store.Querier, ring *keys.Keyring, code string) (PayeeDetails, error) {
	var sealed []byte
	err := q.QueryRowContext(ctx, "SELECT sealed FROM finance_payees WHERE code = $1", code).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return PayeeDetails{}, fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	if err != nil {
		return PayeeDetails{}, fmt.Errorf("finance: payee: %w", err)
	}
	k, err := s.payeeKey(ctx, q, ring, code)
	if err != nil {
		return PayeeDetails{}, err
	}
	defer k.Wipe()
	plain, err := keys.OpenField(k, payeePlace(code), sealed)
	if err != nil {
		return PayeeDetails{}, fmt.Errorf("finance: open payee: %v", err)
	}
	defer clear(plain)
	var d PayeeDetails
	if err := json.Unmarshal(plain, &d); err != nil {
		return PayeeDetails{}, fmt.Errorf("finance: open payee: %v", err)
	}
	return d, nil
}

// checkRecipientCode compares code with payee's stored keyed hash, in
// constant time; the payee's index key is opened with ring.
func checkRecipientCode(ctx context.Context, q store.Querier, ring *keys.Keyring, payeeID int64, payee, code string) error {
	var want []byte
	if err := q.QueryRowContext(ctx, "SELECT confirm_hash FROM finance_payees WHERE id = $1", payeeID).Scan(&want); err != nil {
		return fmt.Errorf("finance: payee: %w", err)
	}
	if ring == nil {
		return fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	ik, err := ring.OpenIndexKey(ctx, q, ObjectRecipientCode, payee)
	if errors.Is(err, keys.ErrNoAccess) {
		return fmt.Errorf("finance: payee: %w", store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("finance: code key: %w", err)
	}
	defer ik.Wipe()
	got, err := ik.Index(recipientDomain, code)
	if err != nil {
		return ErrConfirm
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrConfirm
	}
	return nil
}
