//go:build goexperiment.runtimesecret

package keys

import "runtime/secret"

// protect runs f inside runtime/secret.Do: registers and stack used by f are
// erased when it returns, and heap allocations made by f are erased once they
// are garbage.
func protect(f func()) { secret.Do(f) }
