// Package api is embrace's JSON API under /api/v1: the same capabilities and
// the same permissions as the web pages, for scripts and other programs.
//
// Every error has one shape, {"error": {"code": "...", "message": "..."}},
// with the matching HTTP status; messages say what to do and never carry red
// data (DESIGN §2, invariant 5). The routes are described by an OpenAPI 3.1
// document served at /api/v1/openapi.json; a test keeps the document and the
// route table in step.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/certs"
	"embrace/internal/finance"
	"embrace/internal/intake"
	"embrace/internal/passage"
	"embrace/internal/shelter"
	"embrace/internal/stats"
	"embrace/internal/store"
	"embrace/internal/vetting"
)

//go:embed openapi.json
var openAPIDocument []byte

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Config holds what the API needs; cli builds it.
type Config struct {
	Store   *store.Store
	Version string
	Logger  *slog.Logger
	// MaxBody caps request bodies that have no larger limit of their own.
	MaxBody int64
	// Auth issues API tokens and loads the session behind a bearer token;
	// nil makes every authenticated route answer 503.
	Auth *auth.Service
	// Intake takes anonymous contacts and serves the intake inbox; nil
	// makes those routes answer 503.
	Intake *intake.Service
	// Cases is the process's one casework service (shared with the web
	// pages, so they share the duplicate name cache); nil makes New build
	// its own.
	Cases *casework.Service
	// Shelter is the shelter capability; nil makes New build one on the
	// casework service.
	Shelter *shelter.Service
	// Passage plans routes; nil makes one on Store.
	Passage *passage.Service
	// Vetting is the process's vetting service (built on Cases); nil
	// makes New build one, which also screens the people casework records.
	Vetting *vetting.Service
	// Finance serves /finance; nil makes New build one on Store (and,
	// without a store, those routes answer 503).
	Finance *finance.Service
	// Certs is the certificates capability; nil makes New build one (with
	// its own public rate limits).
	Certs *certs.Service
}

// API is the JSON API's handlers and their dependencies.
type API struct {
	cfg    Config
	log    *slog.Logger
	routes []route
	cw     *casework.Service
	vet    *vetting.Service
	stats  *stats.Cache
	sh     *shelter.Service
	pg     *passage.Service
	certs  *certs.Service
}

// route is one entry of the route table.
type route struct {
	method, path string
	limit        int64
	h            http.HandlerFunc
}

// New builds the API and its route table.
func New(cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	a := &API{cfg: cfg, log: cfg.Logger}
	a.add("GET", "/openapi.json", a.openapi)
	a.add("POST", "/session", a.createSession)
	a.add("DELETE", "/session", a.bearer(auth.PermSelf, a.deleteSession))
	a.add("GET", "/me", a.bearer(auth.PermSelf, a.me))
	a.add("POST", "/lockdown", a.bearer(auth.PermLockdown, a.lockdown))
	a.intakeRoutes()
	a.caseRoutes()
	a.passageRoutes()
	a.vetRoutes()
	a.statsRoutes()
	a.shelterRoutes()
	a.financeRoutes()
	a.certRoutes()
	return a
}

// add appends a route with the default body limit.
func (a *API) add(method, path string, h http.HandlerFunc) {
	a.routes = append(a.routes, route{method: method, path: path, limit: a.cfg.MaxBody, h: h})
}

// Routes lists the API's routes as "METHOD /api/v1/path".
func (a *API) Routes() []string {
	out := make([]string, 0, len(a.routes))
	for _, r := range a.routes {
		out = append(out, r.method+" "+Prefix+r.path)
	}
	return out
}

// Mount registers the API's routes on mux, and a fallback that answers
// unknown API paths with a JSON 404 rather than an HTML page.
func (a *API) Mount(mux *http.ServeMux) {
	for _, r := range a.routes {
		mux.Handle(r.method+" "+Prefix+r.path, http.MaxBytesHandler(r.h, r.limit))
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "There is no such API route. See /api/v1/openapi.json.")
	})
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// WriteError answers with the API's error shape.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, message
	writeJSON(w, status, b)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// decodeJSON reads one JSON object from the request body into v, refusing
// unknown fields, trailing data and oversized bodies with a clear message.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "The request body is too large.")
		default:
			WriteError(w, http.StatusBadRequest, "bad_json", "The request body is not the JSON object this route expects.")
		}
		return false
	}
	if dec.More() {
		WriteError(w, http.StatusBadRequest, "bad_json", "The request body has data after the JSON object.")
		return false
	}
	return true
}

// parseID parses the path value name as a positive integer id.
func parseID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}
