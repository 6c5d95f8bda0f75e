package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// view is what every template receives.
type view struct {
	Lang    string
	Demo    bool
	Version string
	// Path is the current path, for the language links (never the query).
	Path string
	Data any
	tr   *translator
}

// T translates a message id in the view's language. Pairs of arguments fill
// placeholders: {{.T "cases.count" "N" 5}}.
func (v view) T(id string, kv ...any) string {
	var data map[string]any
	if len(kv) > 1 {
		data = map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			data[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return v.tr.T(v.Lang, id, data)
}

// Num shows a number in the reader's digits.
func (v view) Num(n any) string {
	switch x := n.(type) {
	case int:
		return localDigits(v.Lang, int64(x))
	case int64:
		return localDigits(v.Lang, x)
	default:
		return fmt.Sprint(n)
	}
}

// Other is the language the switch link offers.
func (v view) Other() string {
	if v.Lang == langMy {
		return langEn
	}
	return langMy
}

// parsePages parses every page template together with the layout, once,
// at start-up.
func parsePages(tr *translator) (map[string]*template.Template, error) {
	base, err := template.New("layout.html").ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFiles, f); err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page with status code. The page is rendered into a buffer
// first so a template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	lang := requestLang(w, r)
	s.renderLang(w, r, status, lang, page, data)
}

func (s *Server) renderLang(w http.ResponseWriter, r *http.Request, status int, lang, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.log.Error("no such template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Lang: lang, Demo: s.cfg.Demo, Version: s.cfg.Version, Path: r.URL.Path, Data: data, tr: s.i18n}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("template failed", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Message string
}

// renderError shows a translated error page that reveals nothing of the
// cause.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msgID string) {
	s.render(w, r, status, "error", errorPage{Status: status, Message: msgID})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "error.notfound")
}

// staticHandler serves the embedded stylesheet and images; they may be
// cached, unlike pages.
func staticHandler(fsys fs.FS) http.Handler {
	fileServer := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(w, r)
	})
}
