// Package web serves embrace's HTML pages and mounts the JSON API.
//
// Pages are rendered on the server with html/template and work with
// JavaScript off (Tor Browser at "Safest"); public pages carry no script at
// all. Handlers are thin, as in one file per page or action: parse the
// request, call one capability method, render.
//
// # Invariants
//
// Every response carries the security headers of DESIGN §8 (strict CSP,
// no-store, no-referrer, nosniff, frame denial); state-changing requests pass
// cross-origin protection; bodies are size-limited; a panic becomes a 500 page
// that reveals nothing; and the access log records neither addresses nor
// query strings nor path values, only the route pattern — so no red data and
// no IP address reaches a log through this package (DESIGN §2, invariants 1
// and 4).
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

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

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config holds what the web server needs; cli builds it.
type Config struct {
	Store      *store.Store
	Deployment store.Deployment
	Version    string
	// Demo puts the "demo data" banner on every page.
	Demo   bool
	Logger *slog.Logger
	// API serves everything under /api/v1/; nil leaves the API out.
	API APIMounter
	// MaxBody caps request bodies that have no larger limit of their own.
	MaxBody int64
	// Auth signs staff in and loads their sessions; nil leaves the staff
	// pages out.
	Auth *auth.Service
	// Intake serves the public contact pages and the intake inbox; nil
	// leaves them out.
	Intake *intake.Service
	// Cases serves the case pages; nil leaves them out. It is the one
	// casework service of the process (shared with the API), so its
	// duplicate name cache is one too.
	Cases *casework.Service
	// Shelter serves the shelter pages (houses, requests, stays) and a
	// case's shelter page; nil leaves them out.
	Shelter *shelter.Service
	// Passage serves the coordinator's route pages and the guides' leg
	// pages (/g/{secret}); nil leaves them out.
	Passage *passage.Service
	// Vetting serves the vetting, watch-list and alert pages (with Cases);
	// nil makes New build one on Cases, which also screens the people
	// casework records.
	Vetting *vetting.Service
	// Finance serves the finance pages and the payee enrolment form; nil
	// leaves them out.
	Finance *finance.Service
	// Certs serves the public verification page and the certificate
	// pages; nil leaves them out.
	Certs *certs.Service

	// staff lists the routes registered with Server.staff, each with the
	// permission it requires (filled while routes are built; not set by
	// callers).
	staff []StaffRoute
}

// APIMounter registers the JSON API's routes on the shared route table.
type APIMounter interface {
	Mount(mux *http.ServeMux)
}

// Server is the web application: its route table, templates and messages.
type Server struct {
	cfg   Config
	log   *slog.Logger
	pages map[string]*template.Template
	i18n  *translator
	mux   *http.ServeMux
	// started is when the process began serving (for /healthz uptime).
	started time.Time
	// stats caches the green facts behind the statistics pages.
	stats *stats.Cache
}

// New parses the templates and messages (failing fast on any error) and
// builds the route table.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	tr, err := newTranslator()
	if err != nil {
		return nil, fmt.Errorf("web: messages: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, i18n: tr, started: time.Now()}
	if s.pages, err = parsePages(tr); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.mux = http.NewServeMux()
	s.routes()
	return s, nil
}

// routes is the route table: every page and action the server answers.
func (s *Server) routes() {
	static, _ := fs.Sub(staticFiles, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler(static)))
	s.handle("GET /healthz", s.healthz)
	s.handle("GET /{$}", s.home)
	s.authRoutes()
	s.intakeRoutes()
	s.caseRoutes()
	s.shelterRoutes()
	s.passageRoutes()
	s.vettingRoutes()
	s.financeRoutes()
	s.certRoutes()
	if s.cfg.Store != nil {
		s.statsRoutes()
	}
	s.handle("/", s.notFound)
	if s.cfg.API != nil {
		s.cfg.API.Mount(s.mux)
	}
}

// handle registers a route whose request body is capped at the default
// limit; routes that take uploads use handleLimit.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.handleLimit(pattern, s.cfg.MaxBody, h)
}

// handleLimit registers a route whose request body is capped at limit bytes.
func (s *Server) handleLimit(pattern string, limit int64, h http.HandlerFunc) {
	s.mux.Handle(pattern, http.MaxBytesHandler(h, limit))
}

// Handler returns the whole application with its middleware.
func (s *Server) Handler() http.Handler {
	return s.middleware(s.mux)
}
