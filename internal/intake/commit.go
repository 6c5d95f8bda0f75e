package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"embrace/internal/keys"
)

// Group commit. New contacts arrive sealed (all the crypto but the key
// wraps is done before this point, in the submitting goroutines). The
// committer makes one fresh batch key, seals each contact's data key under
// it and wraps only the batch key to escrow and the intake team: the two
// public-key wraps (hybrid ML-KEM-768 + X25519, most of a sealed
// submission's cost) are paid once per batch instead of once per contact.
// Every principal that could open a contact's key can open its batch's
// key and no other can, so need-to-know is unchanged; the batch key lives
// in memory only while the batch is committed, no longer than the
// contacts' own keys. What is left is a handful of inserts, and on
// SQLite the cost of a contact is then mostly its transaction's commit.
// The committer batches the contacts that arrive together into one write
// transaction: a single committer goroutine (started when the first
// contact is queued, gone when the queue is empty, so the Service needs no
// Close) takes what is queued — waiting at most CommitWait for more, and
// only while submissions that are still being sealed may join — and
// inserts each contact inside its own savepoint. A contact that fails (a
// replayed token, the queue cap, the quota) is rolled back to its savepoint
// and gets its own error; the others commit. If the transaction itself
// fails, every contact that had not failed on its own is retried alone.
//
// Correctness does not depend on the batching: each contact's token is
// consumed and its counters checked by the same statements, in the same
// transaction as its rows, as when it is stored alone. Across processes
// (several serve processes on one PostgreSQL) the nonce's primary key and
// the row lock on intake_usage serialise them, exactly as before.

// job is one contact waiting for the committer, and where its result goes.
type job struct {
	p    *prepared
	done chan error
}

// committer batches prepared contacts into shared write transactions.
type committer struct {
	s        *Service
	maxWait  time.Duration
	maxBatch int
	more     chan struct{}

	mu      sync.Mutex
	queue   []*job
	running bool
	// coming counts submissions admitted and not yet queued or given up:
	// the committer waits for more only while some are on their way, so a
	// lone contact is never held back.
	coming int
	// largest is the largest batch committed so far; batches and items
	// count the batches and contacts (CommitStats).
	largest        int
	batches, items int64
}

// CommitStats reports how many write transactions the group committer has
// run and how many contacts they held (for benchmarks and metrics: their
// ratio is the mean batch).
func (s *Service) CommitStats() (transactions, contacts int64) {
	s.commit.mu.Lock()
	defer s.commit.mu.Unlock()
	return s.commit.batches, s.commit.items
}

// arrival is a submission announced to the committer: it either reaches
// it (store) or is cancelled, once.
type arrival struct {
	c    *committer
	done bool
}

// announce tells the committer a submission is on its way.
func (c *committer) announce() *arrival {
	c.mu.Lock()
	c.coming++
	c.mu.Unlock()
	return &arrival{c: c}
}

// cancel withdraws the announcement of a submission that failed before
// reaching the committer; after store it does nothing.
func (a *arrival) cancel() {
	if !a.done {
		a.done = true
		a.c.mu.Lock()
		a.c.coming--
		a.c.mu.Unlock()
	}
}

// store inserts a prepared contact through the group committer: its token
// is consumed, the queue cap and quota checked and the counters updated in
// the transaction that stores its rows.
func (a *arrival) store(p *prepared) error {
	if a.done {
		return errors.New("intake: a submission was stored twice")
	}
	a.done = true
	return a.c.do(p)
}

func newCommitter(s *Service, maxWait time.Duration, maxBatch int) *committer {
	return &committer{s: s, maxWait: maxWait, maxBatch: maxBatch, more: make(chan struct{}, 1)}
}

// do stores p (announced) in the next batch and returns its
// own result. It waits for
// the batch even if ctx ends: the transaction is short and bounded, and
// the caller must learn whether its contact was stored.
func (c *committer) do(p *prepared) error {
	j := &job{p: p, done: make(chan error, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, j)
	c.coming--
	start := !c.running
	c.running = true
	c.mu.Unlock()
	if start {
		go c.run()
	} else {
		select {
		case c.more <- struct{}{}:
		default:
		}
	}
	return <-j.done
}

// run commits batches until the queue is empty.
func (c *committer) run() {
	for {
		batch := c.take()
		if batch == nil {
			return
		}
		c.commit(batch)
	}
}

// take waits up to maxWait for the queue to fill a batch while more
// submissions are on their way, then takes at most maxBatch jobs; nil (and
// the committer stops) when there are none.
func (c *committer) take() []*job {
	if c.maxWait > 0 {
		t := time.NewTimer(c.maxWait)
	wait:
		for {
			c.mu.Lock()
			n, coming := len(c.queue), c.coming
			c.mu.Unlock()
			if n >= c.maxBatch || coming <= 0 {
				break
			}
			select {
			case <-c.more:
			case <-t.C:
				break wait
			}
		}
		t.Stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		c.running = false
		return nil
	}
	n := min(len(c.queue), c.maxBatch)
	c.largest = max(c.largest, n)
	c.batches++
	c.items += int64(n)
	batch := make([]*job, n)
	copy(batch, c.queue)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return batch
}

// errItem marks the error of one contact, as opposed to the transaction's.
type errItem struct{ error }

// batchKey is the key of one commit batch: the data keys of the batch's
// public contacts are sealed under it, and only it is wrapped to the
// holders (escrow and the intake team). It is generated, used and wiped
// inside commit, so it lives in memory no longer than the contacts' own
// keys do.
type batchKey struct {
	id    string
	wraps map[int64][]byte
}

// sealBatch seals the data key of every job that has one under a fresh
// batch key, and wraps the batch key to the holders. It returns nil when
// no job has a key (the benchmark without encryption).
func (s *Service) sealBatch(ctx context.Context, batch []*job) (*batchKey, error) {
	need := false
	for _, j := range batch {
		need = need || j.p.key != nil
	}
	if !need {
		return nil, nil
	}
	hs, err := s.holders(ctx)
	if err != nil {
		return nil, err
	}
	bk, err := keys.NewDataKey()
	if err != nil {
		return nil, err
	}
	defer bk.Wipe()
	b := &batchKey{id: newID(), wraps: map[int64][]byte{}}
	for _, h := range hs {
		w, err := keys.Wrap(bk, h.Recipient)
		if err != nil {
			return nil, fmt.Errorf("intake: wrap batch key: %w", err)
		}
		b.wraps[h.ID] = w
	}
	for _, j := range batch {
		if j.p.key == nil {
			continue
		}
		if j.p.keySealed, err = keys.SealDataKeyUnder(bk, batchPlace(j.p.id), j.p.key); err != nil {
			return nil, fmt.Errorf("intake: seal contact key: %w", err)
		}
		j.p.batch = b.id
	}
	return b, nil
}

// batchPlace binds a contact's sealed key to its row.
func batchPlace(id string) keys.Place {
	return keys.Place{Table: "intake_contacts", Column: "key_sealed", Row: id}
}

// storeBatchKey stores the batch key's wraps inside tx (once: a retried
// contact finds them there).
func (s *Service) storeBatchKey(ctx context.Context, tx *sql.Tx, b *batchKey) error {
	if b == nil {
		return nil
	}
	for pr, w := range b.wraps {
		if _, err := s.stmt(tx, stBatchWrap).ExecContext(ctx, ObjectIntakeBatch, b.id, pr, w); err != nil {
			return fmt.Errorf("intake: store batch key: %w", err)
		}
	}
	return nil
}

// commit seals the batch's keys under one batch key, then stores the
// batch in one transaction, each contact in a savepoint.
func (c *committer) commit(batch []*job) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := make([]error, len(batch))
	bk, err := c.s.sealBatch(ctx, batch)
	if err != nil {
		for _, j := range batch {
			j.done <- err
		}
		return
	}
	err = c.s.st.Tx(ctx, func(tx *sql.Tx) error {
		if len(batch) == 1 {
			// Alone, the transaction is the savepoint.
			if err := c.s.insert(ctx, tx, batch[0].p); err != nil {
				results[0] = err
				return errItem{err}
			}
			if err := c.s.storeBatchKey(ctx, tx, bk); err != nil {
				return err
			}
			return c.s.sweepNonces(ctx, tx, batch)
		}
		stored := false
		for i, j := range batch {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT intake_item"); err != nil {
				return fmt.Errorf("intake: savepoint: %w", err)
			}
			if err := c.s.insert(ctx, tx, j.p); err != nil {
				results[i] = err
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT intake_item"); err != nil {
					return fmt.Errorf("intake: savepoint: %w", err)
				}
			} else {
				stored = true
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT intake_item"); err != nil {
				return fmt.Errorf("intake: savepoint: %w", err)
			}
		}
		if stored {
			// Only a batch that stored a contact keeps its key.
			if err := c.s.storeBatchKey(ctx, tx, bk); err != nil {
				return err
			}
		}
		return c.s.sweepNonces(ctx, tx, batch)
	})
	var ie errItem
	whole := err != nil && !errors.As(err, &ie)
	for i, j := range batch {
		// If the transaction failed as a whole, nothing of it was stored:
		// retry the contacts that had not failed on their own, alone. A
		// contact that failed for no reason of its own (Code "internal":
		// a deadlock with another serve process on PostgreSQL, say) was
		// rolled back to its savepoint: retry it alone too.
		if (whole && results[i] == nil) || (results[i] != nil && Code(results[i]) == "internal") {
			results[i] = c.s.st.Tx(ctx, func(tx *sql.Tx) error {
				if err := c.s.insert(ctx, tx, j.p); err != nil {
					return err
				}
				if err := c.s.storeBatchKey(ctx, tx, bk); err != nil {
					return err
				}
				return c.s.sweepNonces(ctx, tx, batch[i:i+1])
			})
		}
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// sweepNonces deletes expired token nonces, about once in 256 contacts
// (when a random nonce begins with "00"), at most once per transaction.
func (s *Service) sweepNonces(ctx context.Context, tx *sql.Tx, batch []*job) error {
	for _, j := range batch {
		if t := j.p.token; t != nil && len(t.nonce) > 1 && t.nonce[0] == '0' && t.nonce[1] == '0' {
			if _, err := s.stmt(tx, stSweep).ExecContext(ctx, s.now().Unix()); err != nil {
				return fmt.Errorf("intake: sweep nonces: %w", err)
			}
			return nil
		}
	}
	return nil
}

// Prepared statements of the submission path, prepared once on the writer
// pool and bound to each transaction (on SQLite's single writer connection
// they are parsed once for the life of the Service).
const (
	stNonce = iota
	stUsage
	stContact
	stMessage
	stAttachment
	stWrap
	stBatchWrap
	stSweep
	stCount
)

var stmtText = [stCount]string{
	stNonce: "INSERT INTO intake_form_nonces (nonce, expires) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
	stUsage: "UPDATE intake_usage SET pending = pending + $1, bytes = bytes + $2 WHERE id = 1 AND pending + $1 <= $3 AND bytes + $2 <= $4",
	stContact: `INSERT INTO intake_contacts (id, lookup, thread_key, status, channel, who, service, rank_band, region, month, sealed, sealed_bytes, created_day, updated_day, key_batch, key_sealed)
		VALUES ($1, $2, $3, 'new', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)`,
	stMessage:    "INSERT INTO intake_messages (id, contact_id, author, sealed, created_day) VALUES ($1, $2, $3, $4, $5)",
	stAttachment: "INSERT INTO intake_attachments (id, contact_id, message_id, meta, content, created_day) VALUES ($1, $2, $3, $4, $5, $6)",
	stWrap:       "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4)",
	stBatchWrap:  "INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ($1, $2, $3, $4) ON CONFLICT (object_kind, object_id, principal_id) DO NOTHING",
	stSweep:      "DELETE FROM intake_form_nonces WHERE expires < $1",
}

// Reads of the submission path, prepared once on the read pool (each
// connection parses them once).
const (
	rdUsage = iota
	rdHolders
	rdCount
)

var readText = [rdCount]string{
	rdUsage:   "SELECT pending, bytes FROM intake_usage WHERE id = 1",
	rdHolders: "SELECT id, kind, recipient FROM principals WHERE kind = 'escrow' OR (kind = 'team' AND name = $1) ORDER BY id",
}

// prepareStmts prepares the submission path's statements: writes on the
// writer, reads on the read pool.
func (s *Service) prepareStmts(ctx context.Context) error {
	var done []*sql.Stmt
	prep := func(db *sql.DB, q string) (*sql.Stmt, error) {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for _, p := range done {
				p.Close()
			}
			return nil, fmt.Errorf("intake: prepare: %w", err)
		}
		done = append(done, st)
		return st, nil
	}
	var err error
	for i, q := range stmtText {
		if s.stmts[i], err = prep(s.st.Writer(), q); err != nil {
			return err
		}
	}
	for i, q := range readText {
		if s.reads[i], err = prep(s.st.DB(), q); err != nil {
			return err
		}
	}
	return nil
}

// stmt binds a prepared statement to tx.
func (s *Service) stmt(tx *sql.Tx, which int) *sql.Stmt {
	return tx.Stmt(s.stmts[which])
}
