package casework_test

import (
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestWarmNamesAsyncAndDrop: a background warm-up fills the name cache, a
// drop empties it, a warm-up overtaken by a drop leaves nothing behind, and
// a ring without index keys warms nothing.
func TestWarmNamesAsyncAndDrop(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWorld(t, s)
		in := w.Staff(t, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
		noIndex := w.Staff(t, "passage1", []auth.Role{auth.RolePassageCoordinator}, "passage")
		w.OpenCase(t, validCase())

		w.CW.WarmNamesAsync(in.Ring, nil)
		w.CW.WaitWarm()
		if n := w.CW.CachedNames(); n != 2 {
			t.Fatalf("the warm-up loaded %d names, want 2", n)
		}
		w.CW.DropNames()
		if n := w.CW.CachedNames(); n != 0 {
			t.Fatalf("DropNames left %d names", n)
		}
		// The drop comes after the warm-up started, whenever it ends.
		w.CW.WarmNamesAsync(in.Ring, nil)
		w.CW.DropNames()
		w.CW.WaitWarm()
		if n := w.CW.CachedNames(); n != 0 {
			t.Fatalf("a warm-up overtaken by a drop left %d names", n)
		}
		w.CW.WarmNamesAsync(noIndex.Ring, nil)
		w.CW.WaitWarm()
		if n := w.CW.CachedNames(); n != 0 {
			t.Fatalf("a ring without index keys loaded %d names", n)
		}
	})
}
