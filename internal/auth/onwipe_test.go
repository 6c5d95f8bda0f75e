package auth

import (
	"sync/atomic"
	"testing"

	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestOnWipe shows when the OnWipe hook runs: after a logout that leaves
// no session in this process (not before), at lockdown, and when a sweep
// finds that another process ended the last session this one held.
func TestOnWipe(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		withEscrow(t, st)
		c := newClock()
		var wipes atomic.Int32
		svc, err := New(Config{Store: st, Params: CheapParams(), Now: c.Now, OnWipe: func() { wipes.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		// A second service on the same store is another process.
		other, err := New(Config{Store: st, Params: CheapParams(), Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		a := mustCreate(t, svc, "aye-aye")
		s1, _ := login(t, svc, c, a, KindWeb)
		s2, _ := login(t, svc, c, a, KindAPI)
		if err := svc.Logout(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 0 {
			t.Fatalf("OnWipe ran %d times while a session was still live", n)
		}
		if err := svc.Logout(ctx, s2); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 1 {
			t.Fatalf("OnWipe ran %d times after the last logout, want 1", n)
		}

		login(t, svc, c, a, KindWeb)
		if _, err := svc.Lockdown(ctx, "cli"); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 2 {
			t.Fatalf("OnWipe ran %d times after lockdown, want 2", n)
		}

		// Lockdown from another process deletes the rows; this process's
		// sweep notices and runs the hook.
		login(t, svc, c, a, KindWeb)
		if err := svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 2 {
			t.Fatalf("a sweep with a live session ran OnWipe (%d)", n)
		}
		if _, err := other.Lockdown(ctx, "cli"); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 2 {
			t.Fatalf("the other process's lockdown ran this one's hook before a sweep (%d)", n)
		}
		if err := svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if n := wipes.Load(); n != 3 || svc.CachedSessions() != 0 {
			t.Fatalf("after the sweep: OnWipe %d times, %d sessions cached", n, svc.CachedSessions())
		}
	})
}
