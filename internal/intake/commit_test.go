package intake

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// submitAll sends forms concurrently (so the committer batches them) and
// returns each one's error, in order.
func submitAll(e *env, forms []Form) []error {
	errs := make([]error, len(forms))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, f := range forms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = e.svc.Submit(context.Background(), "c", f, nil)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestGroupCommit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// Concurrent contacts share transactions of CommitBatch; each must
		// still get its own result. One submission announced and never
		// sent keeps the committer waiting (up to CommitWait) until a
		// batch is full, so the batches do not depend on the scheduler.
		e := newEnv(t, st, func(c *Config) { c.CommitWait = 10 * time.Second; c.CommitBatch = 16 })
		const n = 48
		forms := make([]Form, n)
		for i := range forms {
			forms[i] = e.form(t)
		}
		phantom := e.svc.commit.announce()
		// Every third form repeats the token of the one before it: exactly
		// one of each pair is stored, whichever the committer takes first,
		// and the replay does not fail the rest of its batch.
		for i := 2; i < n; i += 3 {
			forms[i].Token = forms[i-1].Token
		}
		errs := submitAll(e, forms)
		phantom.cancel()
		stored, replayed := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				stored++
			case errors.Is(err, ErrTokenReplayed):
				replayed++
			default:
				t.Errorf("form %d: %v", i, err)
			}
		}
		e.svc.commit.mu.Lock()
		largest := e.svc.commit.largest
		e.svc.commit.mu.Unlock()
		if largest != 16 {
			t.Fatalf("largest batch %d: the contacts did not share transactions, or a batch exceeded CommitBatch", largest)
		}
		if stored != n-n/3 || replayed != n/3 {
			t.Fatalf("stored %d, replayed %d", stored, replayed)
		}
		want := n - n/3
		if got := e.count(t, "intake_contacts"); got != want {
			t.Fatalf("contacts = %d, want %d", got, want)
		}
		// One batch key per transaction that stored a contact, wrapped to
		// team and escrow: far fewer wraps than contacts, none orphaned, and
		// every contact's key sealed under a batch key that exists.
		batches := e.count(t, "(SELECT DISTINCT key_batch FROM intake_contacts) b")
		if got := e.count(t, "key_wraps WHERE object_kind = 'intake_batch'"); got != 2*batches {
			t.Fatalf("batch wraps = %d for %d batches", got, batches)
		}
		if batches > want/4 {
			t.Fatalf("%d batch keys for %d contacts: the wraps were not shared", batches, want)
		}
		if got := e.count(t, "intake_contacts c WHERE c.key_sealed IS NULL OR NOT EXISTS (SELECT 1 FROM key_wraps w WHERE w.object_kind = 'intake_batch' AND w.object_id = c.key_batch)"); got != 0 {
			t.Fatalf("%d contacts without a sealed key under a stored batch key", got)
		}
		if got := e.count(t, "key_wraps WHERE object_kind = 'intake'"); got != 0 {
			t.Fatalf("%d public contacts wrapped one by one", got)
		}
		if p, _ := e.svc.Pending(context.Background()); p != int64(want) {
			t.Fatalf("pending = %d, want %d", p, want)
		}
		var sum, used int64
		if err := st.DB().QueryRow("SELECT COALESCE(sum(sealed_bytes), 0) FROM intake_contacts").Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().QueryRow("SELECT bytes FROM intake_usage").Scan(&used); err != nil {
			t.Fatal(err)
		}
		if sum != used || used == 0 {
			t.Fatalf("quota counter %d, contacts hold %d bytes", used, sum)
		}
	})
}

func TestGroupCommitQueueCap(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.CommitWait = 20 * time.Millisecond; c.QueueCap = 5 })
		forms := make([]Form, 12)
		for i := range forms {
			forms[i] = e.form(t)
		}
		// The admission check reads the counter before any is stored, so
		// all twelve reach the committer; the cap holds in the transaction.
		errs := submitAll(e, forms)
		stored, busy := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				stored++
			case errors.Is(err, ErrBusy):
				busy++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		if stored != 5 || busy != 7 {
			t.Fatalf("stored %d, refused %d; want 5 and 7", stored, busy)
		}
		if got := e.count(t, "intake_contacts"); got != 5 {
			t.Fatalf("contacts = %d", got)
		}
		// A refused contact's token was not consumed: it can be sent again
		// once there is room.
		if got := e.count(t, "intake_form_nonces"); got != 5 {
			t.Fatalf("nonces = %d", got)
		}
		// An officer's recorded contact does not count against the cap,
		// nor is it refused by it, and reviewing it leaves the count alone.
		ctx := context.Background()
		f := e.form(t)
		f.Token = ""
		id, err := e.svc.Record(ctx, "user:o", "phone", f)
		if err != nil {
			t.Fatalf("record with the queue full: %v", err)
		}
		if p, _ := e.svc.Pending(ctx); p != 5 {
			t.Fatalf("pending after a recorded contact = %d", p)
		}
		if err := e.svc.MarkSpam(ctx, e.ring, id, "user:o"); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Pending(ctx); p != 5 {
			t.Fatalf("pending after reviewing a recorded contact = %d", p)
		}
		if _, err := e.svc.Submit(ctx, "c", e.form(t), nil); !errors.Is(err, ErrBusy) {
			t.Fatalf("public contact with the queue full: %v", err)
		}
	})
}

// TestCommitterStops checks the committer goroutine leaves when idle and
// a later contact starts another.
func TestCommitterStops(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		for range 3 {
			if _, err := e.svc.Submit(context.Background(), "c", e.form(t), nil); err != nil {
				t.Fatal(err)
			}
			c := e.svc.commit
			c.mu.Lock()
			coming, queued := c.coming, len(c.queue)
			c.mu.Unlock()
			if coming != 0 || queued != 0 {
				t.Fatalf("after a submission: %d announced, %d queued", coming, queued)
			}
		}
		// A submission that fails before the committer withdraws its
		// announcement.
		f := e.form(t)
		f.Who = "nobody"
		if _, err := e.svc.Submit(context.Background(), "c", f, nil); !errors.Is(err, ErrInvalid) {
			t.Fatal(err)
		}
		if e.svc.commit.coming != 0 {
			t.Fatalf("a failed submission stays announced")
		}
	})
}

// TestGroupCommitTwoServices runs two intake services on one database, as
// two serve processes would be (on PostgreSQL, two committers in
// concurrent transactions): a token is still accepted once across both,
// and the queue cap holds across both.
func TestGroupCommitTwoServices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.CommitWait = 5 * time.Millisecond; c.QueueCap = 20 })
		cfg := e.svc.Config()
		other, err := New(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		const n = 30
		forms := make([]Form, n)
		for i := range forms {
			forms[i] = e.form(t)
		}
		// Every form is sent to both services at once.
		errs := make([]error, 2*n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, f := range forms {
			for k, svc := range []*Service{e.svc, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[2*i+k] = svc.Submit(context.Background(), "c", f, nil)
				}()
			}
		}
		close(start)
		wg.Wait()
		stored := 0
		for i := range n {
			a, b := errs[2*i], errs[2*i+1]
			if a == nil && b == nil {
				t.Fatalf("form %d stored twice", i)
			}
			for _, err := range []error{a, b} {
				if err != nil && !errors.Is(err, ErrTokenReplayed) && !errors.Is(err, ErrBusy) {
					t.Fatalf("form %d: %v", i, err)
				}
			}
			if a == nil || b == nil {
				stored++
			}
		}
		if stored != 20 {
			t.Fatalf("stored %d contacts across two services, want the cap of 20", stored)
		}
		if got := e.count(t, "intake_contacts"); got != 20 {
			t.Fatalf("contacts = %d", got)
		}
		if p, _ := e.svc.Pending(context.Background()); p != 20 {
			t.Fatalf("pending = %d", p)
		}
	})
}
