package finance

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"embrace/internal/audit"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// StipendTerms are a monthly stipend: amount, first month and, optionally,
// last month ("" for open-ended).
type StipendTerms struct {
	Amount     Money
	Start, End string
}

func (t StipendTerms) check() (Month, Month, error) {
	if _, err := NewMoney(t.Amount.Currency, t.Amount.Minor, false); err != nil {
		return 0, 0, fieldErr("amount", err)
	}
	start, err := ParseMonth(t.Start)
	if err != nil {
		return 0, 0, &FieldError{"start", "must be a month written YYYY-MM"}
	}
	end := Month(1 << 30)
	if strings.TrimSpace(t.End) != "" {
		if end, err = ParseMonth(t.End); err != nil {
			return 0, 0, &FieldError{"end", "must be a month written YYYY-MM, or empty"}
		}
		if end < start {
			return 0, 0, &FieldError{"end", "must not be before the start"}
		}
	}
	return start, end, nil
}

// Stipend is one enrolment.
type Stipend struct {
	ID         int64
	Payee      string
	Amount     Money
	Start, End string
}

func monthOrOpen(end Month) string {
	if end >= Month(1<<30) {
		return ""
	}
	return end.String()
}

// addStipend inserts an enrolment for payee, refusing one that overlaps an
// existing enrolment of the same payee (so a payee has at most one stipend
// a month).
func (s *Service) addStipend(ctx context.Context, tx *sql.Tx, payee int64, t StipendTerms) (int64, error) {
	start, end, err := t.check()
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT start_month, end_month FROM finance_stipends WHERE payee_id = $1", payee)
	if err != nil {
		return 0, fmt.Errorf("finance: stipends: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s0, e0 string
		if err := rows.Scan(&s0, &e0); err != nil {
			return 0, fmt.Errorf("finance: stipends: %w", err)
		}
		os, _ := ParseMonth(s0)
		oe := Month(1 << 30)
		if e0 != "" {
			oe, _ = ParseMonth(e0)
		}
		if start <= oe && os <= end {
			return 0, &FieldError{"start", "overlaps another stipend of this payee; end that one first"}
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows.Close()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO finance_stipends (payee_id, currency, amount, start_month, end_month, created_day)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, payee, t.Amount.Currency, t.Amount.Minor, start.String(), monthOrOpen(end), s.today()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("finance: add stipend: %w", err)
	}
	return id, nil
}

// AddStipend enrols payee code for a monthly stipend.
func (s *Service) AddStipend(ctx context.Context, a Actor, code string, t StipendTerms) (int64, error) {
	if err := requireFinance(a); err != nil {
		return 0, err
	}
	start, end, err := t.check()
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		p, err := s.payeeByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		if id, err = s.addStipend(ctx, tx, p, t); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.stipend.add", Object: "payee:" + code,
			Detail: map[string]string{"amount": t.Amount.Decimal(), "currency": t.Amount.Currency, "start": start.String(), "end": monthOrOpen(end)}})
		return err
	})
	return id, err
}

// EndStipend sets the last month of stipend id.
func (s *Service) EndStipend(ctx context.Context, a Actor, id int64, end string) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	e, err := ParseMonth(end)
	if err != nil {
		return &FieldError{"end", "must be a month written YYYY-MM"}
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var start string
		err := tx.QueryRowContext(ctx, "SELECT start_month FROM finance_stipends WHERE id = $1", id).Scan(&start)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("finance: stipend: %w", store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("finance: stipend: %w", err)
		}
		if sm, _ := ParseMonth(start); e < sm {
			return &FieldError{"end", "must not be before the start"}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE finance_stipends SET end_month = $1 WHERE id = $2", e.String(), id); err != nil {
			return fmt.Errorf("finance: end stipend: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.stipend.end", Object: "stipend:" + strconv.FormatInt(id, 10),
			Detail: map[string]string{"end": e.String()}})
		return err
	})
}

// Run is a monthly payment run.
type Run struct {
	ID       int64
	Month    string
	Source   string
	Status   string
	Prepared string
	Closed   string
}

// Line statuses.
const (
	StatusPending = "pending"
	StatusPaid    = "paid"
	StatusMissed  = "missed"
	StatusRefused = "refused"
)

// RunLine is one line of a roster: green only.
type RunLine struct {
	ID       int64
	Payee    string
	ForMonth string
	Arrears  bool
	Amount   Money
	Status   string
	Confirm  string
	Marked   string
}

// PrepareRun creates the payment run of month, drawing cash from funding
// source (and, for lines in another currency, from the oldest source in
// that currency). The roster holds one line per stipend active that month
// and one per earlier month a stipend's latest line was missed and never
// paid (arrears, carried as separate lines). Every earlier run must be
// reconciled first, and runs go forward in time.
func (s *Service) PrepareRun(ctx context.Context, a Actor, month, source string) (int64, error) {
	if err := requireFinance(a); err != nil {
		return 0, err
	}
	m, err := ParseMonth(month)
	if err != nil {
		return 0, &FieldError{"month", "must be a month written YYYY-MM"}
	}
	if this, _ := ParseMonth(s.ThisMonth()); m > this+1 {
		return 0, &FieldError{"month", "must not be more than a month ahead"}
	}
	var id int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		src, err := s.sourceByCode(ctx, tx, source)
		if err != nil {
			return err
		}
		var open int
		var latest sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FILTER (WHERE status = 'open'), MAX(month) FROM finance_runs").Scan(&open, &latest); err != nil {
			return fmt.Errorf("finance: runs: %w", err)
		}
		if open > 0 {
			return ErrRunOpen
		}
		if latest.Valid && latest.String >= m.String() {
			if latest.String == m.String() {
				return ErrRunExists
			}
			return &FieldError{"month", "must be after the latest run's month"}
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO finance_runs (month, source_id, status, prepared_day) VALUES ($1, $2, 'open', $3) RETURNING id",
			m.String(), src.ID, s.today()).Scan(&id); err != nil {
			if store.IsUniqueViolation(err) {
				return ErrRunExists
			}
			return fmt.Errorf("finance: prepare run: %w", err)
		}
		ms := m.String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO finance_run_lines (run_id, payee_id, stipend_id, for_month, arrears, currency, amount, status)
			SELECT $1, st.payee_id, st.id, $2, FALSE, st.currency, st.amount, 'pending' FROM finance_stipends st
			WHERE st.start_month <= $2 AND (st.end_month = '' OR st.end_month >= $2)`, id, ms); err != nil {
			return fmt.Errorf("finance: roster: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO finance_run_lines (run_id, payee_id, stipend_id, for_month, arrears, currency, amount, status)
			SELECT $1, l.payee_id, l.stipend_id, l.for_month, TRUE, l.currency, l.amount, 'pending' FROM finance_run_lines l
			WHERE l.status = 'missed' AND l.for_month < $2
			AND l.id = (SELECT MAX(l2.id) FROM finance_run_lines l2 WHERE l2.stipend_id = l.stipend_id AND l2.for_month = l.for_month)
			AND NOT EXISTS (SELECT 1 FROM finance_run_lines p WHERE p.payee_id = l.payee_id AND p.for_month = l.for_month AND p.status = 'paid')`, id, ms); err != nil {
			return fmt.Errorf("finance: arrears: %w", err)
		}
		var n, arrears int64
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*), COUNT(*) FILTER (WHERE arrears) FROM finance_run_lines WHERE run_id = $1", id).Scan(&n, &arrears); err != nil {
			return fmt.Errorf("finance: roster: %w", err)
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.run.prepare", Object: "run:" + ms,
			Detail: map[string]string{"lines": strconv.FormatInt(n, 10), "arrears": strconv.FormatInt(arrears, 10), "source": src.Code}})
		return err
	})
	return id, err
}

// Runs lists the payment runs, newest first.
func (s *Service) Runs(ctx context.Context) ([]Run, error) {
	rows, err := s.st.DB().QueryContext(ctx, `SELECT r.id, r.month, s.code, r.status, r.prepared_day, r.closed_day FROM finance_runs r
		JOIN finance_sources s ON s.id = r.source_id ORDER BY r.month DESC`)
	if err != nil {
		return nil, fmt.Errorf("finance: runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		if err := rows.Scan(&r.ID, &r.Month, &r.Source, &r.Status, &r.Prepared, &r.Closed); err != nil {
			return nil, fmt.Errorf("finance: runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// GetRun returns run id and its roster.
func (s *Service) GetRun(ctx context.Context, id int64) (Run, []RunLine, error) {
	var r Run
	err := s.st.DB().QueryRowContext(ctx, `SELECT r.id, r.month, s.code, r.status, r.prepared_day, r.closed_day FROM finance_runs r
		JOIN finance_sources s ON s.id = r.source_id WHERE r.id = $1`, id).Scan(&r.ID, &r.Month, &r.Source, &r.Status, &r.Prepared, &r.Closed)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, nil, fmt.Errorf("finance: run: %w", store.ErrNotFound)
	}
	if err != nil {
		return Run{}, nil, fmt.Errorf("finance: run: %w", err)
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT l.id, p.code, l.for_month, l.arrears, l.currency, l.amount, l.status, l.confirm, l.marked_day
		FROM finance_run_lines l JOIN finance_payees p ON p.id = l.payee_id WHERE l.run_id = $1 ORDER BY p.code, l.for_month`, id)
	if err != nil {
		return Run{}, nil, fmt.Errorf("finance: roster: %w", err)
	}
	defer rows.Close()
	var out []RunLine
	for rows.Next() {
		var l RunLine
		if err := rows.Scan(&l.ID, &l.Payee, &l.ForMonth, &l.Arrears, &l.Amount.Currency, &l.Amount.Minor, &l.Status, &l.Confirm, &l.Marked); err != nil {
			return Run{}, nil, fmt.Errorf("finance: roster: %w", err)
		}
		out = append(out, l)
	}
	return r, out, rows.Err()
}

// Mark is how a line was settled: paid (confirmed by the recipient's code
// or a witness's name), missed or refused.
type Mark struct {
	Status  string
	Code    string // the recipient's code, for paid
	Witness string // a witness's name, for paid (red: sealed)

	original string // the witness's name as typed, when it was Zawgyi
}

// String keeps the witness out of logs.
func (m Mark) String() string { return "mark:" + m.Status }

// sealedWitness is what a line's witness column holds, sealed under the
// payee key.
type sealedWitness struct {
	Name     string `json:"name"`
	Original string `json:"orig,omitempty"`
}

func witnessPlace(line int64) keys.Place {
	return keys.Place{Table: "finance_run_lines", Column: "witness", Row: strconv.FormatInt(line, 10)}
}

// MarkLine settles line id of an open run. Paying books stipend expense
// against the run's cash in the same transaction, and is refused when the
// payee was already paid for that month, when the recipient's code does
// not match, or when the source holds too little cash. A witness's name is
// sealed under the payee key, so ring must open it.
func (s *Service) MarkLine(ctx context.Context, a Actor, ring *keys.Keyring, id int64, mk Mark) error {
	if err := requireFinance(a); err != nil {
		return err
	}
	switch mk.Status {
	case StatusPaid:
		mk.Code = strings.ToUpper(strings.TrimSpace(mk.Code))
		w, orig, err := cleanField("witness", mk.Witness, false)
		if err != nil {
			return err
		}
		mk.Witness, mk.original = w, orig
		if (mk.Code == "") == (mk.Witness == "") {
			return &FieldError{"confirm", "give either the recipient's code or a witness's name"}
		}
		if len(mk.Code) > 16 {
			return ErrConfirm
		}
	case StatusMissed, StatusRefused:
		if mk.Code != "" || mk.Witness != "" {
			return &FieldError{"confirm", "only a paid line has a code or witness"}
		}
	default:
		return &FieldError{"status", "must be paid, missed or refused"}
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		var runID, payeeID int64
		var status, runStatus, runMonth, forMonth, payee string
		var amount Money
		err := tx.QueryRowContext(ctx, `SELECT l.run_id, l.payee_id, p.code, l.status, l.for_month, l.currency, l.amount, r.status, r.month
			FROM finance_run_lines l JOIN finance_runs r ON r.id = l.run_id JOIN finance_payees p ON p.id = l.payee_id WHERE l.id = $1`, id).
			Scan(&runID, &payeeID, &payee, &status, &forMonth, &amount.Currency, &amount.Minor, &runStatus, &runMonth)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("finance: line: %w", store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("finance: line: %w", err)
		}
		if runStatus != "open" {
			return ErrRunClosed
		}
		if status == StatusPaid && mk.Status == StatusPaid {
			return ErrDoublePay
		}
		if status != StatusPending {
			return ErrNotPending
		}
		detail := map[string]string{"status": mk.Status, "for_month": forMonth}
		var witness []byte
		confirm := ""
		var txID sql.NullInt64
		if mk.Status == StatusPaid {
			var paid int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM finance_run_lines WHERE payee_id = $1 AND for_month = $2 AND status = 'paid'",
				payeeID, forMonth).Scan(&paid); err != nil {
				return fmt.Errorf("finance: line: %w", err)
			}
			if paid > 0 {
				return ErrDoublePay
			}
			if mk.Code != "" {
				if err := checkRecipientCode(ctx, tx, ring, payeeID, payee, mk.Code); err != nil {
					return err
				}
				confirm = "code"
			} else {
				k, err := s.payeeKey(ctx, tx, ring, payee)
				if err != nil {
					return err
				}
				plain, _ := json.Marshal(sealedWitness{Name: mk.Witness, Original: mk.original})
				witness, err = keys.SealField(k, witnessPlace(id), plain)
				clear(plain)
				k.Wipe()
				if err != nil {
					return fmt.Errorf("finance: seal witness: %w", err)
				}
				confirm = "witness"
			}
			src, err := s.cashSource(ctx, tx, runID, amount)
			if err != nil {
				return err
			}
			t, err := post(ctx, tx, Booking{Day: s.today(), Month: runMonth, Kind: "stipend", Ref: "line:" + strconv.FormatInt(id, 10), Actor: a.Name,
				Lines: []Line{{AccountStipendExpense, amount.Currency, amount.Minor}, {CashAccount(src), amount.Currency, -amount.Minor}}})
			if err != nil {
				return err
			}
			txID = sql.NullInt64{Int64: t, Valid: true}
			detail["amount"], detail["currency"], detail["confirm"], detail["source"] = amount.Decimal(), amount.Currency, confirm, src
		}
		res, err := tx.ExecContext(ctx, "UPDATE finance_run_lines SET status = $1, confirm = $2, witness = $3, tx_id = $4, marked_day = $5 WHERE id = $6 AND status = 'pending'",
			mk.Status, confirm, witness, txID, s.today(), id)
		if store.IsUniqueViolation(err) {
			return ErrDoublePay
		}
		if err != nil {
			return fmt.Errorf("finance: mark line: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrNotPending // marked meanwhile: the booking rolls back
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.line.mark", Object: "line:" + strconv.FormatInt(id, 10), Detail: detail})
		return err
	})
}

// ErrFunds: the source holds too little cash for a payment.
var ErrFunds = errors.New("finance: the funding source does not hold enough cash for this payment")

// cashSource picks the funding source a run's line in amount's currency is
// paid from: the run's own source when it is in that currency, else the
// oldest source in that currency; it must hold enough cash.
func (s *Service) cashSource(ctx context.Context, tx *sql.Tx, runID int64, amount Money) (string, error) {
	var code string
	err := tx.QueryRowContext(ctx, `SELECT s.code FROM finance_sources s WHERE s.currency = $1
		ORDER BY CASE WHEN s.id = (SELECT source_id FROM finance_runs WHERE id = $2) THEN 0 ELSE 1 END, s.id LIMIT 1`, amount.Currency, runID).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrFunds
	}
	if err != nil {
		return "", fmt.Errorf("finance: source: %w", err)
	}
	return code, s.enoughCash(ctx, tx, code, amount)
}

// enoughCash checks that source holds amount in cash. On PostgreSQL it
// first locks the source's row, so two payments from one source are
// checked one after the other and cannot overdraw it together (SQLite's
// single writer already serialises them).
func (s *Service) enoughCash(ctx context.Context, tx *sql.Tx, source string, amount Money) error {
	if s.st.Engine() == store.Postgres {
		var id int64
		if err := tx.QueryRowContext(ctx, "SELECT id FROM finance_sources WHERE code = $1 FOR UPDATE", source).Scan(&id); err != nil {
			return fmt.Errorf("finance: lock source: %w", err)
		}
	}
	cash, err := sumAccounts(ctx, tx, CashAccount(source))
	if err != nil {
		return err
	}
	if cash[amount.Currency] < amount.Minor {
		return ErrFunds
	}
	return nil
}

// Reconciliation is a run's totals by status and currency, and what the
// ledger holds for it.
type Reconciliation struct {
	Paid, Missed, Refused, Pending map[string]int64 // minor units by currency
	Count                          map[string]int   // lines by status
	Ledger                         map[string]int64 // stipend expense booked for the run, by currency
	LedgerCount                    int
}

// Reconcile checks run id against the ledger and closes it: no line may be
// pending, and the paid lines' totals per currency (and their number) must
// equal the stipend bookings of the run's month.
func (s *Service) Reconcile(ctx context.Context, a Actor, id int64) (Reconciliation, error) {
	if err := requireFinance(a); err != nil {
		return Reconciliation{}, err
	}
	var rc Reconciliation
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		var month, status string
		err := tx.QueryRowContext(ctx, "SELECT month, status FROM finance_runs WHERE id = $1", id).Scan(&month, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("finance: run: %w", store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("finance: run: %w", err)
		}
		if status != "open" {
			return ErrRunClosed
		}
		if rc, err = reconciliation(ctx, tx, id, month); err != nil {
			return err
		}
		if rc.Count[StatusPending] > 0 {
			return fmt.Errorf("%w: %d lines are still pending", ErrUnreconciled, rc.Count[StatusPending])
		}
		if rc.LedgerCount != rc.Count[StatusPaid] || !equalSums(rc.Paid, rc.Ledger) {
			return fmt.Errorf("%w: the paid lines and the ledger differ", ErrUnreconciled)
		}
		res, err := tx.ExecContext(ctx, "UPDATE finance_runs SET status = 'closed', closed_day = $1 WHERE id = $2 AND status = 'open'", s.today(), id)
		if err != nil {
			return fmt.Errorf("finance: close run: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrRunClosed
		}
		detail := map[string]string{"paid": strconv.Itoa(rc.Count[StatusPaid]), "missed": strconv.Itoa(rc.Count[StatusMissed]),
			"refused": strconv.Itoa(rc.Count[StatusRefused])}
		for c, v := range rc.Paid {
			detail["paid."+strings.ToLower(c)] = Money{c, v}.Decimal()
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.run.reconcile", Object: "run:" + month, Detail: detail})
		return err
	})
	return rc, err
}

func equalSums(a, b map[string]int64) bool {
	for k, v := range a {
		if v != 0 && b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if v != 0 && a[k] != v {
			return false
		}
	}
	return true
}

func reconciliation(ctx context.Context, q store.Querier, id int64, month string) (Reconciliation, error) {
	rc := Reconciliation{Paid: map[string]int64{}, Missed: map[string]int64{}, Refused: map[string]int64{}, Pending: map[string]int64{},
		Count: map[string]int{}, Ledger: map[string]int64{}}
	rows, err := q.QueryContext(ctx, "SELECT status, currency, SUM(amount), COUNT(*) FROM finance_run_lines WHERE run_id = $1 GROUP BY status, currency", id)
	if err != nil {
		return rc, fmt.Errorf("finance: reconcile: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st, c string
		var sum int64
		var n int
		if err := rows.Scan(&st, &c, &sum, &n); err != nil {
			return rc, fmt.Errorf("finance: reconcile: %w", err)
		}
		rc.Count[st] += n
		switch st {
		case StatusPaid:
			rc.Paid[c] = sum
		case StatusMissed:
			rc.Missed[c] = sum
		case StatusRefused:
			rc.Refused[c] = sum
		default:
			rc.Pending[c] = sum
		}
	}
	if err := rows.Err(); err != nil {
		return rc, err
	}
	rows.Close()
	lr, err := q.QueryContext(ctx, `SELECT e.currency, SUM(e.amount), COUNT(*) FROM finance_entries e JOIN finance_tx t ON t.id = e.tx_id
		JOIN finance_accounts a ON a.id = e.account_id WHERE t.kind = 'stipend' AND t.month = $1 AND a.code = $2 GROUP BY e.currency`,
		month, AccountStipendExpense)
	if err != nil {
		return rc, fmt.Errorf("finance: reconcile: %w", err)
	}
	defer lr.Close()
	for lr.Next() {
		var c string
		var sum int64
		var n int
		if err := lr.Scan(&c, &sum, &n); err != nil {
			return rc, fmt.Errorf("finance: reconcile: %w", err)
		}
		rc.Ledger[c] = sum
		rc.LedgerCount += n
	}
	return rc, lr.Err()
}

// RunReconciliation is Reconcile's figures without closing the run.
func (s *Service) RunReconciliation(ctx context.Context, id int64) (Reconciliation, error) {
	r, _, err := s.GetRun(ctx, id)
	if err != nil {
		return Reconciliation{}, err
	}
	return reconciliation(ctx, s.st.DB(), id, r.Month)
}

// NamedLine is a roster line with the payee's details, for distributing
// cash in hand.
type NamedLine struct {
	RunLine
	Details PayeeDetails
}

// CashRoster is run id's pending lines with each payee's name and how to
// pay them, opened with ring: the list the officer carries to hand out
// cash. Asking for it is audited; the green roster (GetRun) is what
// accountants receive.
func (s *Service) CashRoster(ctx context.Context, a Actor, ring *keys.Keyring, id int64) ([]NamedLine, error) {
	if err := requireFinance(a); err != nil {
		return nil, err
	}
	r, lines, err := s.GetRun(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []NamedLine
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		for _, l := range lines {
			if l.Status != StatusPending {
				continue
			}
			d, err := s.openPayee(ctx, tx, ring, l.Payee)
			if err != nil {
				return err
			}
			out = append(out, NamedLine{RunLine: l, Details: d})
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: a.Name, Action: "finance.run.names", Object: "run:" + r.Month,
			Detail: map[string]string{"lines": strconv.Itoa(len(out))}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
