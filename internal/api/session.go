package api

import (
	"errors"
	"net/http"
	"strconv"

	"embrace/internal/auth"
)

// BearerHandler serves an API route for the session behind the request's
// bearer token. The session's keyring holds the keys the person may use;
// never keep it beyond the request.
type BearerHandler func(w http.ResponseWriter, r *http.Request, sess *auth.Session)

// bearer wraps an API route that needs a signed-in person holding perm:
// no or an unknown, expired or ended token is 401; a role without perm is
// 403 (audited); a duress session on a route that is not DuressSafe is 404,
// as if there were nothing there. Only API tokens are accepted, never a
// browser's session cookie, so no API route can be driven cross-site.
// Every authenticated route must be registered through it, with the
// permission also written in openapi.json as x-permission (a test checks
// both).
func (a *API) bearer(perm auth.Permission, h BearerHandler) http.HandlerFunc {
	if !auth.KnownPermission(perm) {
		panic("api: route declares no known permission")
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if a.cfg.Auth == nil {
			WriteError(w, http.StatusServiceUnavailable, "unavailable", "Sign-in is not set up on this server.")
			return
		}
		tok, ok := auth.ParseBearer(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, "")
			return
		}
		sess, err := a.cfg.Auth.Authenticate(r.Context(), tok, auth.KindAPI)
		if errors.Is(err, auth.ErrNoSession) {
			unauthorized(w, "invalid_token")
			return
		}
		if err != nil {
			a.log.Error("load session", "err", err)
			WriteError(w, http.StatusInternalServerError, "internal", "The server could not finish this request. Try again in a moment.")
			return
		}
		if !sess.Can(perm) {
			a.cfg.Auth.AuditDenied(r.Context(), sess, perm, "API "+r.Pattern)
			WriteError(w, http.StatusForbidden, "forbidden", "Your role does not allow this. If you need it, ask an administrator.")
			return
		}
		if sess.Duress && !auth.DuressSafe(perm) {
			WriteError(w, http.StatusNotFound, "not_found", "There is nothing here.")
			return
		}
		h(w, r, sess)
	}
}

// unauthorized answers 401 with the challenge RFC 6750 asks for.
func unauthorized(w http.ResponseWriter, errCode string) {
	challenge := `Bearer realm="embrace"`
	if errCode != "" {
		challenge += `, error="` + errCode + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	WriteError(w, http.StatusUnauthorized, "unauthorized", "Sign in first: POST /api/v1/session, then send the token as 'Authorization: Bearer TOKEN'.")
}

// sessionRequest is the body of POST /session.
type sessionRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

// createSession signs in and issues an API token (a session of kind api).
// Refusals are the same for a wrong username, password or code.
func (a *API) createSession(w http.ResponseWriter, r *http.Request) {
	if a.cfg.Auth == nil {
		WriteError(w, http.StatusServiceUnavailable, "unavailable", "Sign-in is not set up on this server.")
		return
	}
	var req sessionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	sess, token, err := a.cfg.Auth.Login(r.Context(), auth.LoginRequest{
		Username: req.Username, Password: req.Password, Code: req.TOTP, Kind: auth.KindAPI, Client: r.RemoteAddr,
	})
	var locked *auth.LockedError
	switch {
	case err == nil:
		if !sess.Duress {
			// Warm the duplicate name cache in the background; the
			// token is issued without waiting for it.
			a.cw.WarmNamesAsync(sess.Keyring(), a.log)
		}
		writeJSON(w, http.StatusCreated, struct {
			Token string `json:"token"`
		}{token})
	case errors.Is(err, auth.ErrBadCredentials):
		w.Header().Set("WWW-Authenticate", `Bearer realm="embrace"`)
		WriteError(w, http.StatusUnauthorized, "bad_credentials", "The username, password or code is not right.")
	case errors.As(err, &locked):
		w.Header().Set("Retry-After", strconv.Itoa(int(locked.RetryAfter().Seconds())))
		WriteError(w, http.StatusTooManyRequests, "paused", "Sign-in is paused after too many attempts. Wait and try again (see Retry-After).")
	case errors.Is(err, auth.ErrPasswordTooLong):
		WriteError(w, http.StatusBadRequest, "password_too_long", "The password is too long: a password has at most 256 characters.")
	case errors.Is(err, auth.ErrBusy):
		w.Header().Set("Retry-After", "5")
		WriteError(w, http.StatusServiceUnavailable, "busy", "The server is busy checking other sign-ins. Try again in a moment.")
	default:
		a.log.Error("sign-in failed", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "The server could not finish this request. Try again in a moment.")
	}
}

// deleteSession ends the token's session and wipes its keys.
func (a *API) deleteSession(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	if err := a.cfg.Auth.Logout(r.Context(), sess); err != nil {
		a.log.Error("logout", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "The server could not finish this request. Try again in a moment.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// meResponse is the body of GET /me.
type meResponse struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
	Teams    []string `json:"teams"`
}

// me says who the token belongs to.
func (a *API) me(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	out := meResponse{Username: sess.Username, Roles: []string{}, Teams: []string{}}
	for _, role := range sess.Roles {
		out.Roles = append(out.Roles, string(role))
	}
	for _, t := range sess.Teams {
		out.Teams = append(out.Teams, string(t))
	}
	writeJSON(w, http.StatusOK, out)
}

// lockdown ends every session of every person and wipes every key held in
// memory, the caller's token included.
func (a *API) lockdown(w http.ResponseWriter, r *http.Request, sess *auth.Session) {
	n, err := a.cfg.Auth.Lockdown(r.Context(), sess.Actor())
	if err != nil {
		a.log.Error("lockdown", "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "The lockdown may not have finished. Try again at once.")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		SessionsEnded int `json:"sessions_ended"`
	}{n})
}
