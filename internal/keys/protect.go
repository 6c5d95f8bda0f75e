//go:build !goexperiment.runtimesecret

package keys

// protect runs f. Built with GOEXPERIMENT=runtimesecret it runs f inside
// runtime/secret.Do instead, so that temporaries holding key material are
// erased (see protect_secret.go and "Wiping secrets" in the package doc).
func protect(f func()) { f() }
