package intake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"sync"
	"time"

	"embrace/internal/casework"
	"embrace/internal/keys"
	"embrace/internal/store"
)

// ObjectIntakeBatch is the key_wraps object kind of a commit batch's key,
// under which the data keys of the public contacts in that batch are
// sealed (see commit.go).
const ObjectIntakeBatch = "intake_batch"

// ObjectIntake is the key_wraps object kind of a contact's data key (for
// contacts recorded by an officer, and those stored before batch keys).
const ObjectIntake = "intake"

// TeamName is the team principal new contacts are wrapped to.
const TeamName = "intake"

// Config holds the limits of intake. Zero fields take the defaults of
// DefaultConfig; tests and benchmarks may raise them.
type Config struct {
	Store *store.Store
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	// MinFill is how long a form must have been open before it is sent;
	// TokenLifetime how long it may be open.
	MinFill       time.Duration
	TokenLifetime time.Duration

	// Submit limits new contacts and follow-ups; Receipt limits receipt
	// lookups (guessing). Each is per client (remote host) and global.
	SubmitClient, SubmitGlobal   Rate
	ReceiptClient, ReceiptGlobal Rate

	// QueueCap is how many unreviewed contacts may wait; StorageQuota how
	// many sealed bytes intake may hold. Beyond either, new contacts get
	// ErrBusy.
	QueueCap     int64
	StorageQuota int64

	// MaxFiles and MaxFileSize bound the attachments of one submission.
	MaxFiles    int
	MaxFileSize int64

	// CommitWait is how long the committer waits for more contacts to
	// share a write transaction (group commit); CommitBatch is the most
	// one transaction takes. Zero takes the defaults; a negative
	// CommitWait waits for none (only contacts already queued share).
	CommitWait  time.Duration
	CommitBatch int

	// BenchmarkWithoutEncryption stores every field in the clear, with no
	// keys at all. It exists ONLY so the intake benchmark can compare the
	// same endpoint with and without encryption; production wiring never
	// sets it, and a deployment running with it would break DESIGN §2.
	BenchmarkWithoutEncryption bool
}

// DefaultConfig is what a deployment runs with.
func DefaultConfig() Config {
	return Config{
		MinFill:       3 * time.Second,
		TokenLifetime: 2 * time.Hour,
		SubmitClient:  Rate{PerSecond: 1.0 / 60, Burst: 5},
		SubmitGlobal:  Rate{PerSecond: 20, Burst: 200},
		ReceiptClient: Rate{PerSecond: 1.0 / 30, Burst: 10},
		ReceiptGlobal: Rate{PerSecond: 10, Burst: 100},
		QueueCap:      5000,
		StorageQuota:  20 << 30,
		MaxFiles:      5,
		MaxFileSize:   10 << 20,
		CommitWait:    500 * time.Microsecond,
		CommitBatch:   64,
	}
}

// MaxBody is the largest request body a submission can need: every file at
// its limit and the text fields.
func (c Config) MaxBody() int64 { return int64(c.MaxFiles)*(c.MaxFileSize+4096) + 256<<10 }

// Service is the intake capability.
type Service struct {
	cfg     Config
	st      *store.Store
	now     func() time.Time
	formKey []byte
	submit  *limiter
	receipt *limiter
	cases   *casework.Service
	stmts   [stCount]*sql.Stmt
	reads   [rdCount]*sql.Stmt
	commit  *committer

	mu         sync.Mutex
	recipients map[string]*keys.Recipient // parsed public keys, by text
}

// New returns the intake capability; it creates the deployment's form key
// on first use.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("intake: no store")
	}
	d := DefaultConfig()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = d.TokenLifetime
	}
	if cfg.SubmitClient == (Rate{}) {
		cfg.SubmitClient = d.SubmitClient
	}
	if cfg.SubmitGlobal == (Rate{}) {
		cfg.SubmitGlobal = d.SubmitGlobal
	}
	if cfg.ReceiptClient == (Rate{}) {
		cfg.ReceiptClient = d.ReceiptClient
	}
	if cfg.ReceiptGlobal == (Rate{}) {
		cfg.ReceiptGlobal = d.ReceiptGlobal
	}
	if cfg.QueueCap == 0 {
		cfg.QueueCap = d.QueueCap
	}
	if cfg.StorageQuota == 0 {
		cfg.StorageQuota = d.StorageQuota
	}
	if cfg.MaxFiles == 0 {
		cfg.MaxFiles = d.MaxFiles
	}
	if cfg.MaxFileSize == 0 {
		cfg.MaxFileSize = d.MaxFileSize
	}
	if cfg.CommitWait == 0 {
		cfg.CommitWait = d.CommitWait
	}
	if cfg.CommitBatch <= 0 {
		cfg.CommitBatch = d.CommitBatch
	}
	fk, err := loadFormKey(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	s := &Service{
		cfg: cfg, st: cfg.Store, now: cfg.Now, formKey: fk,
		submit:     newLimiter(cfg.SubmitClient, cfg.SubmitGlobal),
		receipt:    newLimiter(cfg.ReceiptClient, cfg.ReceiptGlobal),
		cases:      casework.New(cfg.Store),
		recipients: map[string]*keys.Recipient{},
	}
	if err := s.prepareStmts(ctx); err != nil {
		return nil, err
	}
	s.commit = newCommitter(s, max(cfg.CommitWait, 0), cfg.CommitBatch)
	return s, nil
}

// Config returns the limits the service runs with.
func (s *Service) Config() Config { return s.cfg }

// newID returns a random row id, chosen before the insert so rows can be
// sealed first.
func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func contactPlace(id string) keys.Place {
	return keys.Place{Table: "intake_contacts", Column: "sealed", Row: id}
}
func messagePlace(id string) keys.Place {
	return keys.Place{Table: "intake_messages", Column: "sealed", Row: id}
}
func attachmentPlace(id, col string) keys.Place {
	return keys.Place{Table: "intake_attachments", Column: col, Row: id}
}

// threadAD binds a receipt-sealed key to its contact.
func threadAD(id string) []byte { return []byte("intake_contacts.thread_key:" + id) }

// sealWith seals pt under k at p; with no key (the benchmark without
// encryption) it stores pt as it is.
func sealWith(k *keys.DataKey, p keys.Place, pt []byte) ([]byte, error) {
	if k == nil {
		return append([]byte(nil), pt...), nil
	}
	ct, err := keys.SealField(k, p, pt)
	if err != nil {
		return nil, fmt.Errorf("intake: seal: %w", err)
	}
	return ct, nil
}

func sealJSON(k *keys.DataKey, p keys.Place, v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("intake: seal: %w", err)
	}
	defer clear(raw)
	return sealWith(k, p, raw)
}

func openJSON(k *keys.DataKey, p keys.Place, ct []byte, v any) error {
	raw, err := keys.OpenField(k, p, ct)
	if err != nil {
		return fmt.Errorf("intake: a sealed record does not open: %w", err)
	}
	defer clear(raw)
	if err := json.Unmarshal(raw, v); err != nil {
		return errors.New("intake: a sealed record is damaged")
	}
	return nil
}

// holders returns the principals a new contact's key is wrapped to: escrow
// and, when it exists, the intake team.
func (s *Service) holders(ctx context.Context) ([]keys.Principal, error) {
	rows, err := s.reads[rdHolders].QueryContext(ctx, TeamName)
	if err != nil {
		return nil, fmt.Errorf("intake: holders: %w", err)
	}
	defer rows.Close()
	var out []keys.Principal
	escrow := false
	for rows.Next() {
		var p keys.Principal
		var kind, text string
		if err := rows.Scan(&p.ID, &kind, &text); err != nil {
			return nil, fmt.Errorf("intake: holders: %w", err)
		}
		p.Kind = keys.Kind(kind)
		s.mu.Lock()
		r := s.recipients[text]
		s.mu.Unlock()
		if r == nil {
			if r, err = keys.ParseRecipient(text); err != nil {
				return nil, fmt.Errorf("intake: principal %d has a damaged public key: %w", p.ID, err)
			}
			s.mu.Lock()
			if len(s.recipients) > 64 {
				clear(s.recipients)
			}
			s.recipients[text] = r
			s.mu.Unlock()
		}
		p.Recipient = r
		escrow = escrow || p.Kind == keys.KindEscrow
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake: holders: %w", err)
	}
	if !escrow {
		return nil, errors.New("intake: the deployment has no escrow principal")
	}
	return out, nil
}

// prepared is a contact made ready for storage: every field sealed and the
// key wrapped, before any transaction, so the database writer is held only
// for the inserts.
type prepared struct {
	token     *formToken
	id        string
	channel   string
	c         cleaned
	sealed    []byte
	msgID     string
	msgSealed []byte
	files     []sealedFile
	wraps     map[int64][]byte
	// key is the contact's data key, to be sealed under its batch's key
	// by the committer (public contacts); batch and keySealed are the
	// result. Contacts whose key is wrapped directly (wraps) have none.
	key       *keys.DataKey
	batch     string
	keySealed []byte
	lookup    []byte
	threadKey []byte
	month     string
	day       string
	bytes     int64
}

// admit applies the submission rate limits and a quick look at the queue
// cap and quota, before any work is done.
func (s *Service) admit(ctx context.Context, client string) error {
	if ok, wait := s.submit.allow(client, s.now()); !ok {
		return &BusyError{RetryAfter: wait, RateLimit: true}
	}
	var pending, used int64
	if err := s.reads[rdUsage].QueryRowContext(ctx).Scan(&pending, &used); err != nil {
		return fmt.Errorf("intake: usage: %w", err)
	}
	if pending >= s.cfg.QueueCap || used >= s.cfg.StorageQuota {
		return &BusyError{RetryAfter: 10 * time.Minute}
	}
	return nil
}

// newKey returns a fresh contact key, or nil in the benchmark without
// encryption.
func (s *Service) newKey() (*keys.DataKey, error) {
	if s.cfg.BenchmarkWithoutEncryption {
		return nil, nil
	}
	return keys.NewDataKey()
}

// Submit takes a contact from the public form (or the API's JSON body)
// with its attachments, and answers the receipt. client names the sender
// for rate limits only (it is never stored).
func (s *Service) Submit(ctx context.Context, client string, f Form, files []File) (Receipt, error) {
	queued := s.commit.announce()
	defer queued.cancel()
	if err := s.admit(ctx, client); err != nil {
		return Receipt{}, err
	}
	tok, err := s.checkToken(f.Token)
	if err != nil {
		return Receipt{}, err
	}
	k, err := s.newKey()
	if err != nil {
		return Receipt{}, err
	}
	defer k.Wipe()
	fs := &fileSealer{k: k, maxFiles: s.cfg.MaxFiles, maxSize: s.cfg.MaxFileSize}
	for _, file := range files {
		if err := fs.add(file.Name, file.Body); err != nil {
			return Receipt{}, err
		}
	}
	return s.finish(ctx, &tok, k, f, fs, queued)
}

// SubmitMultipart reads a contact form from a multipart body as it streams
// (the token must come before any file), seals it and answers the receipt.
func (s *Service) SubmitMultipart(ctx context.Context, client string, mr *multipart.Reader) (Receipt, error) {
	queued := s.commit.announce()
	defer queued.cancel()
	if err := s.admit(ctx, client); err != nil {
		return Receipt{}, err
	}
	k, err := s.newKey()
	if err != nil {
		return Receipt{}, err
	}
	defer k.Wipe()
	fs := &fileSealer{k: k, maxFiles: s.cfg.MaxFiles, maxSize: s.cfg.MaxFileSize}
	var tok formToken
	vals, err := parseParts(mr, contactFields, "token", func(v string) error {
		var err error
		tok, err = s.checkToken(v)
		return err
	}, fs.add)
	if err != nil {
		return Receipt{}, err
	}
	return s.finish(ctx, &tok, k, formFrom(vals), fs, queued)
}

// finish validates and seals a contact whose files are sealed, stores it
// and returns its receipt.
func (s *Service) finish(ctx context.Context, tok *formToken, k *keys.DataKey, f Form, fs *fileSealer, a *arrival) (Receipt, error) {
	c, err := clean(f)
	if err != nil {
		return Receipt{}, err
	}
	p, err := s.prepare(ctx, k, c, "web", fs, false)
	if err != nil {
		return Receipt{}, err
	}
	p.token = tok
	r, err := NewReceipt()
	if err != nil {
		return Receipt{}, err
	}
	p.lookup = r.lookup()
	if k != nil {
		tk := r.threadKey()
		p.threadKey, err = keys.SealDataKey(tk, k, threadAD(p.id))
		clear(tk)
		if err != nil {
			return Receipt{}, err
		}
	}
	if err := a.store(p); err != nil {
		return Receipt{}, err
	}
	return r, nil
}

// prepare seals a cleaned contact under k. A contact recorded by an
// officer has k wrapped to its holders now (wrap); a public contact's k is
// sealed under its batch's key when the committer takes it.
func (s *Service) prepare(ctx context.Context, k *keys.DataKey, c cleaned, channel string, fs *fileSealer, wrap bool) (*prepared, error) {
	now := s.now().UTC()
	p := &prepared{id: newID(), msgID: newID(), channel: channel, c: c, files: fs.files,
		month: now.Format("2006-01"), day: now.Format(time.DateOnly), wraps: map[int64][]byte{}}
	var err error
	if p.sealed, err = sealJSON(k, contactPlace(p.id), c.details); err != nil {
		return nil, err
	}
	if p.msgSealed, err = sealJSON(k, messagePlace(p.msgID), c.message); err != nil {
		return nil, err
	}
	if k != nil && !wrap {
		p.key = k
	}
	if k != nil && wrap {
		hs, err := s.holders(ctx)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			w, err := keys.Wrap(k, h.Recipient)
			if err != nil {
				return nil, fmt.Errorf("intake: wrap contact key: %w", err)
			}
			p.wraps[h.ID] = w
		}
	}
	p.bytes = int64(len(p.sealed)+len(p.msgSealed)) + fs.bytes
	return p, nil
}

// insert stores a prepared contact inside tx. A contact from the public
// form (it has a form token) counts against the queue cap; one recorded by
// an officer does not (the cap defends the public queue against floods),
// though its bytes count against the storage quota.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, p *prepared) error {
	if p.token != nil {
		res, err := s.stmt(tx, stNonce).ExecContext(ctx, p.token.nonce, p.token.expires)
		if err != nil {
			return fmt.Errorf("intake: consume token: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return ErrTokenReplayed
		}
	}
	pending, limit := int64(1), s.cfg.QueueCap
	if p.channel != "web" {
		pending, limit = 0, math.MaxInt64
	}
	res, err := s.stmt(tx, stUsage).ExecContext(ctx, pending, p.bytes, limit, s.cfg.StorageQuota)
	if err != nil {
		return fmt.Errorf("intake: usage: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &BusyError{RetryAfter: 10 * time.Minute}
	}
	var lookup any
	if p.lookup != nil {
		lookup = p.lookup
	}
	var threadKey any
	if p.threadKey != nil {
		threadKey = p.threadKey
	}
	var keySealed any
	if p.keySealed != nil {
		keySealed = p.keySealed
	}
	_, err = s.stmt(tx, stContact).ExecContext(ctx,
		p.id, lookup, threadKey, p.channel, p.c.who, p.c.service, p.c.rankBand, p.c.region, p.month, p.sealed, p.bytes, p.day, p.batch, keySealed)
	if store.IsUniqueViolation(err) {
		return fmt.Errorf("intake: store contact: %w", store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("intake: store contact: %w", err)
	}
	if _, err := s.stmt(tx, stMessage).ExecContext(ctx, p.msgID, p.id, "applicant", p.msgSealed, p.day); err != nil {
		return fmt.Errorf("intake: store message: %w", err)
	}
	for _, f := range p.files {
		if _, err := s.stmt(tx, stAttachment).ExecContext(ctx, f.id, p.id, p.msgID, f.meta, f.content, p.day); err != nil {
			return fmt.Errorf("intake: store attachment: %w", err)
		}
	}
	for pr, w := range p.wraps {
		if _, err := s.stmt(tx, stWrap).ExecContext(ctx, ObjectIntake, p.id, pr, w); err != nil {
			return fmt.Errorf("intake: store contact key: %w", err)
		}
	}
	return nil
}

func insertMessage(ctx context.Context, tx *sql.Tx, contactID, msgID, author string, sealed []byte, files []sealedFile, day string) error {
	if _, err := tx.ExecContext(ctx, "INSERT INTO intake_messages (id, contact_id, author, sealed, created_day) VALUES ($1, $2, $3, $4, $5)",
		msgID, contactID, author, sealed, day); err != nil {
		return fmt.Errorf("intake: store message: %w", err)
	}
	for _, f := range files {
		if _, err := tx.ExecContext(ctx, "INSERT INTO intake_attachments (id, contact_id, message_id, meta, content, created_day) VALUES ($1, $2, $3, $4, $5, $6)",
			f.id, contactID, msgID, f.meta, f.content, day); err != nil {
			return fmt.Errorf("intake: store attachment: %w", err)
		}
	}
	return nil
}

// ---- The applicant's thread ----

// Message is one message of a thread.
type Message struct {
	ID     string
	Author string // applicant or staff
	// By is the staff member who wrote a reply; only staff see it.
	By    string
	Day   string
	Text  string
	Files []Attachment
}

// Attachment describes an attachment (its content is fetched separately).
type Attachment struct {
	ID   string
	Name string
	Type string
	Size int64
}

// Thread is what the receipt holder sees.
type Thread struct {
	Messages []Message
	// Receipt is the receipt that opened the thread, in groups of ASCII
	// digits, for the page's reply form (never for a URL or a log).
	Receipt string
}

// findReceipt throttles a receipt lookup, finds its contact and opens
// the contact's key with the receipt.
func (s *Service) findReceipt(ctx context.Context, client, text string) (Receipt, string, *keys.DataKey, error) {
	if ok, wait := s.receipt.allow(client, s.now()); !ok {
		return Receipt{}, "", nil, &BusyError{RetryAfter: wait, RateLimit: true}
	}
	r, err := ParseReceipt(text)
	if err != nil {
		return Receipt{}, "", nil, err
	}
	id, k, err := s.openWithReceipt(ctx, r)
	return r, id, k, err
}

func (s *Service) openWithReceipt(ctx context.Context, r Receipt) (string, *keys.DataKey, error) {
	want := r.lookup()
	var id string
	var lookup, sealed []byte
	err := s.st.DB().QueryRowContext(ctx, "SELECT id, lookup, thread_key FROM intake_contacts WHERE lookup = $1", want).Scan(&id, &lookup, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrWrongReceipt
	}
	if err != nil {
		return "", nil, fmt.Errorf("intake: find thread: %w", err)
	}
	if subtle.ConstantTimeCompare(lookup, want) != 1 || sealed == nil {
		return "", nil, ErrWrongReceipt
	}
	tk := r.threadKey()
	defer clear(tk)
	k, err := keys.OpenDataKey(tk, sealed, threadAD(id))
	if err != nil {
		return "", nil, ErrWrongReceipt
	}
	return id, k, nil
}

// OpenThread returns the thread a receipt opens. Wrong receipts are
// ErrWrongReceipt (or ErrReceiptTypo, ErrReceiptFormat), throttled per
// client and globally.
func (s *Service) OpenThread(ctx context.Context, client, receipt string) (Thread, error) {
	r, id, k, err := s.findReceipt(ctx, client, receipt)
	if err != nil {
		return Thread{}, err
	}
	defer k.Wipe()
	msgs, err := s.messages(ctx, k, id)
	if err != nil {
		return Thread{}, err
	}
	for i := range msgs {
		msgs[i].By = ""
	}
	return Thread{Messages: msgs, Receipt: r.Groups()}, nil
}

// FollowUpMultipart reads an applicant's follow-up (receipt first, then
// message and files) from a multipart body, seals it under the contact's
// key and returns the thread.
func (s *Service) FollowUpMultipart(ctx context.Context, client string, mr *multipart.Reader) (Thread, error) {
	if ok, wait := s.submit.allow(client, s.now()); !ok {
		return Thread{}, &BusyError{RetryAfter: wait, RateLimit: true}
	}
	var id string
	var k *keys.DataKey
	var rc Receipt
	defer func() { k.Wipe() }()
	fs := &fileSealer{maxFiles: s.cfg.MaxFiles, maxSize: s.cfg.MaxFileSize}
	vals, err := parseParts(mr, followUpFields, "receipt", func(v string) error {
		var err error
		rc, id, k, err = s.findReceipt(ctx, client, v)
		fs.k = k
		return err
	}, fs.add)
	if err != nil {
		return Thread{}, err
	}
	return s.storeFollowUp(ctx, rc, id, k, vals["message"], fs)
}

// FollowUp adds an applicant's follow-up given as values (the API's JSON
// body): the receipt, the message and any files. It returns the thread.
func (s *Service) FollowUp(ctx context.Context, client, receipt, message string, files []File) (Thread, error) {
	if ok, wait := s.submit.allow(client, s.now()); !ok {
		return Thread{}, &BusyError{RetryAfter: wait, RateLimit: true}
	}
	rc, id, k, err := s.findReceipt(ctx, client, receipt)
	if err != nil {
		return Thread{}, err
	}
	defer k.Wipe()
	fs := &fileSealer{k: k, maxFiles: s.cfg.MaxFiles, maxSize: s.cfg.MaxFileSize}
	for _, f := range files {
		if err := fs.add(f.Name, f.Body); err != nil {
			return Thread{}, err
		}
	}
	return s.storeFollowUp(ctx, rc, id, k, message, fs)
}

// FollowUpReceiptMultipart adds an applicant's follow-up whose receipt
// comes apart from the body (the API's X-Receipt header) and whose message
// and files are a multipart body, read as it streams once the receipt has
// opened the thread.
func (s *Service) FollowUpReceiptMultipart(ctx context.Context, client, receipt string, mr *multipart.Reader) (Thread, error) {
	if ok, wait := s.submit.allow(client, s.now()); !ok {
		return Thread{}, &BusyError{RetryAfter: wait, RateLimit: true}
	}
	rc, id, k, err := s.findReceipt(ctx, client, receipt)
	if err != nil {
		return Thread{}, err
	}
	defer k.Wipe()
	fs := &fileSealer{k: k, maxFiles: s.cfg.MaxFiles, maxSize: s.cfg.MaxFileSize}
	vals, err := parseParts(mr, followUpBodyFields, "", nil, fs.add)
	if err != nil {
		return Thread{}, err
	}
	return s.storeFollowUp(ctx, rc, id, k, vals["message"], fs)
}

// storeFollowUp seals an applicant's message under the contact's key k and
// stores it with its sealed files, and returns the thread.
func (s *Service) storeFollowUp(ctx context.Context, rc Receipt, id string, k *keys.DataKey, message string, fs *fileSealer) (Thread, error) {
	text, orig, err := cleanText("message", message, maxMessage, len(fs.files) == 0)
	if err != nil {
		return Thread{}, err
	}
	msgID := newID()
	sealed, err := sealJSON(k, messagePlace(msgID), sealedMessage{Text: text, Original: orig})
	if err != nil {
		return Thread{}, err
	}
	size := int64(len(sealed)) + fs.bytes
	day := s.now().UTC().Format(time.DateOnly)
	err = s.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE intake_usage SET bytes = bytes + $1 WHERE id = 1 AND bytes + $1 <= $2", size, s.cfg.StorageQuota)
		if err != nil {
			return fmt.Errorf("intake: usage: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &BusyError{RetryAfter: 10 * time.Minute}
		}
		if err := insertMessage(ctx, tx, id, msgID, "applicant", sealed, fs.files, day); err != nil {
			return err
		}
		// A reply from the applicant puts a replied contact back in the queue.
		res, err = tx.ExecContext(ctx, "UPDATE intake_contacts SET status = 'new', sealed_bytes = sealed_bytes + $1, updated_day = $2 WHERE id = $3 AND status = 'replied'", size, day, id)
		if err != nil {
			return fmt.Errorf("intake: follow-up: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := tx.ExecContext(ctx, "UPDATE intake_usage SET pending = pending + 1 WHERE id = 1"); err != nil {
				return fmt.Errorf("intake: usage: %w", err)
			}
		} else if _, err := tx.ExecContext(ctx, "UPDATE intake_contacts SET sealed_bytes = sealed_bytes + $1, updated_day = $2 WHERE id = $3", size, day, id); err != nil {
			return fmt.Errorf("intake: follow-up: %w", err)
		}
		return nil
	})
	if err != nil {
		return Thread{}, err
	}
	msgs, err := s.messages(ctx, k, id)
	if err != nil {
		return Thread{}, err
	}
	for i := range msgs {
		msgs[i].By = ""
	}
	return Thread{Messages: msgs, Receipt: rc.Groups()}, nil
}

// messages decrypts a contact's thread.
func (s *Service) messages(ctx context.Context, k *keys.DataKey, id string) ([]Message, error) {
	files := map[string][]Attachment{}
	rows, err := s.st.DB().QueryContext(ctx, "SELECT id, message_id, meta FROM intake_attachments WHERE contact_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("intake: read attachments: %w", err)
	}
	for rows.Next() {
		var aid, mid string
		var meta []byte
		if err := rows.Scan(&aid, &mid, &meta); err != nil {
			rows.Close()
			return nil, fmt.Errorf("intake: read attachments: %w", err)
		}
		var m attachmentMeta
		if err := openJSON(k, attachmentPlace(aid, "meta"), meta, &m); err != nil {
			rows.Close()
			return nil, err
		}
		files[mid] = append(files[mid], Attachment{ID: aid, Name: m.Name, Type: m.Type, Size: m.Size})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("intake: read attachments: %w", err)
	}
	rows, err = s.st.DB().QueryContext(ctx, "SELECT id, author, sealed, created_day FROM intake_messages WHERE contact_id = $1 ORDER BY seq", id)
	if err != nil {
		return nil, fmt.Errorf("intake: read messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var sealed []byte
		if err := rows.Scan(&m.ID, &m.Author, &sealed, &m.Day); err != nil {
			return nil, fmt.Errorf("intake: read messages: %w", err)
		}
		var sm sealedMessage
		if err := openJSON(k, messagePlace(m.ID), sealed, &sm); err != nil {
			return nil, err
		}
		m.Text, m.By, m.Files = sm.Text, sm.Author, files[m.ID]
		out = append(out, m)
	}
	return out, rows.Err()
}

// ReadAttachment streams an attachment's plaintext to w, opened with k.
func readAttachment(ctx context.Context, st *store.Store, k *keys.DataKey, contactID, attID string, w io.Writer) (Attachment, error) {
	var meta, content []byte
	err := st.DB().QueryRowContext(ctx, "SELECT meta, content FROM intake_attachments WHERE id = $1 AND contact_id = $2", attID, contactID).Scan(&meta, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, ErrNotFound
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("intake: read attachment: %w", err)
	}
	var m attachmentMeta
	if err := openJSON(k, attachmentPlace(attID, "meta"), meta, &m); err != nil {
		return Attachment{}, err
	}
	r, err := keys.NewFieldReader(bytes.NewReader(content), k, attachmentPlace(attID, "content"))
	if err != nil {
		return Attachment{}, fmt.Errorf("intake: open attachment: %w", err)
	}
	if _, err := io.Copy(w, r); err != nil {
		return Attachment{}, fmt.Errorf("intake: open attachment: %w", err)
	}
	return Attachment{ID: attID, Name: m.Name, Type: m.Type, Size: m.Size}, nil
}
