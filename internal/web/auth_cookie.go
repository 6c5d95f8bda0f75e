package web

import (
	"net"
	"net/http"
	"strings"
)

// The session cookie.
//
// Over HTTPS — TLS here, or TLS ended by a proxy on this machine that says
// so with X-Forwarded-Proto — and on an onion address (Tor Browser treats
// .onion as a secure context) it is "__Host-embrace": Secure, HttpOnly,
// SameSite=Strict, Path=/, no Domain, so browsers refuse it over plain HTTP
// and to any other host.
//
// Over plain HTTP a Secure cookie would be dropped by browsers on an
// ordinary address, so there is one exception, for the demo and local use:
// when both the address the browser asked for (Host) and the connection's
// peer are loopback, the cookie is "embrace", HttpOnly and SameSite=Strict
// but not Secure. Nothing leaves the machine on that path. Anywhere else
// over plain HTTP sign-in is refused with a message to use HTTPS or the
// onion address.
const (
	cookieSecureName = "__Host-embrace"
	cookieLocalName  = "embrace"
)

type cookieMode struct {
	name   string
	secure bool
}

// cookieModeOf picks the cookie for a request; ok is false when the request
// came over plain HTTP from somewhere other than this machine.
func cookieModeOf(r *http.Request) (cookieMode, bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	peerLocal := isLoopback(clientHostOf(r.RemoteAddr))
	switch {
	case r.TLS != nil:
		return cookieMode{cookieSecureName, true}, true
	case peerLocal && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"):
		return cookieMode{cookieSecureName, true}, true
	case strings.HasSuffix(host, ".onion") && peerLocal:
		return cookieMode{cookieSecureName, true}, true
	case peerLocal && (host == "localhost" || isLoopback(host)):
		return cookieMode{cookieLocalName, false}, true
	}
	return cookieMode{}, false
}

func clientHostOf(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

func isLoopback(host string) bool {
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// setSessionCookie hands the browser its session token.
func setSessionCookie(w http.ResponseWriter, mode cookieMode, token string) {
	http.SetCookie(w, &http.Cookie{Name: mode.name, Value: token, Path: "/", HttpOnly: true, Secure: mode.secure, SameSite: http.SameSiteStrictMode})
}

// clearSessionCookie tells the browser to drop the session cookie.
func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	mode, ok := cookieModeOf(r)
	if !ok {
		return
	}
	if _, err := r.Cookie(mode.name); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: mode.name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: mode.secure, SameSite: http.SameSiteStrictMode})
}

// signedOut ends the browser's side of a session: the cookie goes, and
// Clear-Site-Data asks the browser to drop everything else it kept for
// the site.
func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) {
	mode, ok := cookieModeOf(r)
	if ok {
		http.SetCookie(w, &http.Cookie{Name: mode.name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: mode.secure, SameSite: http.SameSiteStrictMode})
	}
	w.Header().Set("Clear-Site-Data", `"cookies", "storage"`)
}
