package intake

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"embrace/internal/audit"
	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// Summary is a contact as the queue shows it: green data only, readable
// without a key.
type Summary struct {
	ID       string
	Status   string
	Channel  string
	Who      string
	Service  string
	RankBand string
	Region   string
	Month    string
	Created  string
	Updated  string
	CaseID   int64 // 0 when none
	Messages int
}

// Contact is a contact opened with the intake team's key.
type Contact struct {
	Summary
	Rank      string
	Unit      string
	Place     string
	Reach     string
	Originals map[string]string
	Messages  []Message
}

// Statuses a queue can be filtered by.
var Statuses = []string{"new", "replied", "spam", "case"}

const summaryCols = `c.id, c.status, c.channel, c.who, c.service, c.rank_band, c.region, c.month, c.created_day, c.updated_day, COALESCE(c.case_id, 0),
	(SELECT count(*) FROM intake_messages m WHERE m.contact_id = c.id)`

func scanSummary(row interface{ Scan(...any) error }) (Summary, error) {
	var c Summary
	err := row.Scan(&c.ID, &c.Status, &c.Channel, &c.Who, &c.Service, &c.RankBand, &c.Region, &c.Month, &c.Created, &c.Updated, &c.CaseID, &c.Messages)
	return c, err
}

// Queue lists contacts in a status ("" for new), oldest first, at most
// limit. It needs no key and shows no red data.
func (s *Service) Queue(ctx context.Context, status string, limit int) ([]Summary, error) {
	if status == "" {
		status = "new"
	}
	if !slices.Contains(Statuses, status) {
		return nil, &FieldError{"status", "unknown_value"}
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	order := "ASC"
	if status != "new" {
		order = "DESC"
	}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT "+summaryCols+" FROM intake_contacts c WHERE c.status = $1 ORDER BY c.seq "+order+" LIMIT "+strconv.Itoa(limit), status)
	if err != nil {
		return nil, fmt.Errorf("intake: queue: %w", err)
	}
	defer rows.Close()
	var out []Summary
	for rows.Next() {
		c, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("intake: queue: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Pending is how many contacts from the public form wait for review (the
// number the queue cap is checked against; recorded contacts are not in it).
func (s *Service) Pending(ctx context.Context) (int64, error) {
	var n int64
	if err := s.st.DB().QueryRowContext(ctx, "SELECT pending FROM intake_usage WHERE id = 1").Scan(&n); err != nil {
		return 0, fmt.Errorf("intake: usage: %w", err)
	}
	return n, nil
}

// openKey opens a contact's key with ring; a contact the ring cannot open
// is not found, so its existence is not revealed.
func (s *Service) openKey(ctx context.Context, ring *keys.Keyring, id string) (Summary, *keys.DataKey, error) {
	if s.cfg.BenchmarkWithoutEncryption {
		return Summary{}, nil, errors.New("intake: staff pages are off in the benchmark without encryption")
	}
	if len(id) != 24 {
		return Summary{}, nil, ErrNotFound
	}
	sum, err := scanSummary(s.st.DB().QueryRowContext(ctx, "SELECT "+summaryCols+" FROM intake_contacts c WHERE c.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, nil, ErrNotFound
	}
	if err != nil {
		return Summary{}, nil, fmt.Errorf("intake: read contact: %w", err)
	}
	k, err := s.contactKey(ctx, ring, id)
	if errors.Is(err, keys.ErrNoAccess) {
		return Summary{}, nil, ErrNotFound
	}
	if err != nil {
		return Summary{}, nil, fmt.Errorf("intake: open contact key: %w", err)
	}
	return sum, k, nil
}

// contactKey opens a contact's data key with ring: through its batch's
// key when it was committed in a batch, else from its own wraps.
func (s *Service) contactKey(ctx context.Context, ring *keys.Keyring, id string) (*keys.DataKey, error) {
	var batch string
	var sealed []byte
	err := s.st.DB().QueryRowContext(ctx, "SELECT key_batch, key_sealed FROM intake_contacts WHERE id = $1", id).Scan(&batch, &sealed)
	if err != nil {
		return nil, err
	}
	if batch == "" {
		return ring.OpenObjectKey(ctx, s.st.DB(), ObjectIntake, id)
	}
	bk, err := ring.OpenObjectKey(ctx, s.st.DB(), ObjectIntakeBatch, batch)
	if err != nil {
		return nil, err
	}
	defer bk.Wipe()
	return keys.OpenDataKeyUnder(bk, batchPlace(id), sealed)
}

func object(id string) string { return "intake:" + id }

// Contact opens a contact in the officer's session (ring) and records the
// reading in the audit log.
func (s *Service) Contact(ctx context.Context, ring *keys.Keyring, id, actor string) (Contact, error) {
	sum, k, err := s.openKey(ctx, ring, id)
	if err != nil {
		return Contact{}, err
	}
	defer k.Wipe()
	c := Contact{Summary: sum}
	var sealed []byte
	if err := s.st.DB().QueryRowContext(ctx, "SELECT sealed FROM intake_contacts WHERE id = $1", id).Scan(&sealed); err != nil {
		return Contact{}, fmt.Errorf("intake: read contact: %w", err)
	}
	var d details
	if err := openJSON(k, contactPlace(id), sealed, &d); err != nil {
		return Contact{}, err
	}
	c.Rank, c.Unit, c.Place, c.Reach, c.Originals = d.Rank, d.Unit, d.Place, d.Reach, d.Originals
	if c.Messages, err = s.messages(ctx, k, id); err != nil {
		return Contact{}, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.read", Object: object(id)})
		return err
	})
	if err != nil {
		return Contact{}, fmt.Errorf("intake: audit: %w", err)
	}
	return c, nil
}

// Attachment decrypts one attachment of a contact for an officer, audited.
func (s *Service) Attachment(ctx context.Context, ring *keys.Keyring, id, attID, actor string) (Attachment, []byte, error) {
	_, k, err := s.openKey(ctx, ring, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	defer k.Wipe()
	var buf bytes.Buffer
	a, err := readAttachment(ctx, s.st, k, id, attID, &buf)
	if err != nil {
		return Attachment{}, nil, err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.attachment.read", Object: object(id)})
		return err
	})
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("intake: audit: %w", err)
	}
	return a, buf.Bytes(), nil
}

// setStatus moves a contact to status inside tx, keeping the pending
// counter in step. Only contacts from the public form count as pending:
// one recorded by an officer never entered the public queue's count.
func (s *Service) setStatus(ctx context.Context, tx *sql.Tx, id, status string, caseID int64) error {
	var old, channel string
	if err := tx.QueryRowContext(ctx, "SELECT status, channel FROM intake_contacts WHERE id = $1", id).Scan(&old, &channel); err != nil {
		return fmt.Errorf("intake: status: %w", err)
	}
	day := s.now().UTC().Format(time.DateOnly)
	var cid any
	if caseID > 0 {
		cid = caseID
	}
	if _, err := tx.ExecContext(ctx, "UPDATE intake_contacts SET status = $1, case_id = COALESCE($2, case_id), updated_day = $3 WHERE id = $4", status, cid, day, id); err != nil {
		return fmt.Errorf("intake: status: %w", err)
	}
	delta := 0
	if old == "new" && status != "new" {
		delta = -1
	} else if old != "new" && status == "new" {
		delta = 1
	}
	if delta != 0 && channel == "web" {
		if _, err := tx.ExecContext(ctx, "UPDATE intake_usage SET pending = pending + $1 WHERE id = 1", delta); err != nil {
			return fmt.Errorf("intake: usage: %w", err)
		}
	}
	return nil
}

// Reply adds a staff reply to a contact's thread, sealed under its key,
// readable by the contact's holders and the receipt holder only. by is the
// officer's username (sealed with the reply, shown to staff only).
func (s *Service) Reply(ctx context.Context, ring *keys.Keyring, id, actor, by, text string) error {
	_, k, err := s.openKey(ctx, ring, id)
	if err != nil {
		return err
	}
	defer k.Wipe()
	t, orig, err := cleanText("message", text, maxMessage, true)
	if err != nil {
		return err
	}
	msgID := newID()
	sealed, err := sealJSON(k, messagePlace(msgID), sealedMessage{Text: t, Original: orig, Author: by})
	if err != nil {
		return err
	}
	day := s.now().UTC().Format(time.DateOnly)
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := insertMessage(ctx, tx, id, msgID, "staff", sealed, nil, day); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE intake_contacts SET sealed_bytes = sealed_bytes + $1 WHERE id = $2", len(sealed), id); err != nil {
			return fmt.Errorf("intake: reply: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE intake_usage SET bytes = bytes + $1 WHERE id = 1", len(sealed)); err != nil {
			return fmt.Errorf("intake: usage: %w", err)
		}
		var status string
		if err := tx.QueryRowContext(ctx, "SELECT status FROM intake_contacts WHERE id = $1", id).Scan(&status); err != nil {
			return fmt.Errorf("intake: reply: %w", err)
		}
		if status == "new" {
			if err := s.setStatus(ctx, tx, id, "replied", 0); err != nil {
				return err
			}
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.reply", Object: object(id)})
		return err
	})
}

// MarkSpam takes a contact out of the queue as spam (its data stays, sealed,
// in case the decision was wrong).
func (s *Service) MarkSpam(ctx context.Context, ring *keys.Keyring, id, actor string) error {
	sum, k, err := s.openKey(ctx, ring, id)
	if err != nil {
		return err
	}
	k.Wipe()
	if sum.Status == "case" {
		return ErrState
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.setStatus(ctx, tx, id, "spam", 0); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.spam", Object: object(id)})
		return err
	})
}

// OpenCase opens a case from a contact: its green attributes and the
// defector's rank, unit, place and phone (from "how to reach"), under a
// fresh case key wrapped to the intake team and escrow. It returns the case
// id, recorded on the contact and in the audit log.
func (s *Service) OpenCase(ctx context.Context, ring *keys.Keyring, id, actor string) (int64, error) {
	c, err := s.Contact(ctx, ring, id, actor)
	if err != nil {
		return 0, err
	}
	if c.Status == "case" {
		return 0, ErrState
	}
	nc := casework.NewCase{
		Green:    casework.Green{Service: c.Service, RankBand: c.RankBand, Region: c.Region, ContactMonth: c.Month},
		Defector: casework.Person{Rank: c.Rank, Unit: c.Unit, Place: c.Place, Phone: c.Reach},
	}
	var caseID int64
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		team, err := keys.LookupPrincipal(ctx, tx, keys.KindTeam, TeamName)
		if err != nil {
			return fmt.Errorf("intake: open case: %w", err)
		}
		if caseID, err = s.cases.Open(ctx, tx, nc, team); err != nil {
			return err
		}
		if err := s.setStatus(ctx, tx, id, "case", caseID); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.open_case", Object: object(id),
			Detail: map[string]string{"case": strconv.FormatInt(caseID, 10)}})
		return err
	})
	if err != nil {
		return 0, err
	}
	return caseID, nil
}

// Merge links a contact to an existing case the officer can open (a case
// their keys cannot open is not found).
func (s *Service) Merge(ctx context.Context, ring *keys.Keyring, id string, caseID int64, actor string) error {
	_, k, err := s.openKey(ctx, ring, id)
	if err != nil {
		return err
	}
	k.Wipe()
	if _, err := s.cases.Get(ctx, ring, caseID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoCase
		}
		return err
	}
	return s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.setStatus(ctx, tx, id, "case", caseID); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.merge", Object: object(id),
			Detail: map[string]string{"case": strconv.FormatInt(caseID, 10)}})
		return err
	})
}

// Record stores a contact that reached the network by another channel
// (phone, facebook, telegram, signal), entered by an officer. It has no
// receipt: replies go back through the channel it came by. It returns the
// contact id.
func (s *Service) Record(ctx context.Context, actor, channel string, f Form) (string, error) {
	if s.cfg.BenchmarkWithoutEncryption {
		return "", errors.New("intake: staff pages are off in the benchmark without encryption")
	}
	if channel == "web" || !slices.Contains(Channels, channel) {
		return "", &FieldError{"channel", "unknown_value"}
	}
	c, err := clean(f)
	if err != nil {
		return "", err
	}
	k, err := keys.NewDataKey()
	if err != nil {
		return "", err
	}
	defer k.Wipe()
	p, err := s.prepare(ctx, k, c, channel, &fileSealer{}, true)
	if err != nil {
		return "", err
	}
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, p); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Actor: actor, Action: "intake.contact.record", Object: object(p.id),
			Detail: map[string]string{"channel": channel}})
		return err
	})
	if err != nil {
		return "", err
	}
	return p.id, nil
}
