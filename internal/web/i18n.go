package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Languages the pages are written in. Burmese is the default.
const (
	langMy = "my"
	langEn = "en"
)

// langCookie remembers a visitor's language choice; it holds nothing else.
const langCookie = "lang"

// translator holds the message catalogue for both languages.
type translator struct {
	bundle *i18n.Bundle
	loc    map[string]*i18n.Localizer
}

func newTranslator() (*translator, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFiles, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFiles, f); err != nil {
			return nil, err
		}
	}
	t := &translator{bundle: b, loc: map[string]*i18n.Localizer{
		langMy: i18n.NewLocalizer(b, langMy),
		langEn: i18n.NewLocalizer(b, langEn),
	}}
	if err := t.checkComplete(); err != nil {
		return nil, err
	}
	return t, nil
}

// checkComplete fails when a message exists in one language but not the
// other, so a missing translation is caught at start-up, not by a reader.
func (t *translator) checkComplete() error {
	ids := map[string]map[string]bool{}
	files, err := fs.Glob(localeFiles, "locales/*.json")
	if err != nil {
		return err
	}
	for _, f := range files {
		// Files are named [AREA.]LANG.json, e.g. my.json or auth.en.json.
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".json"), ".")
		lang := parts[len(parts)-1]
		if lang != langMy && lang != langEn {
			return fmt.Errorf("%s: language %q is neither my nor en", f, lang)
		}
		raw, err := localeFiles.ReadFile(f)
		if err != nil {
			return err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for id := range m {
			if ids[id] == nil {
				ids[id] = map[string]bool{}
			}
			if ids[id][lang] {
				return fmt.Errorf("%s: message %s is defined twice", f, id)
			}
			ids[id][lang] = true
		}
	}
	var missing []string
	for id, langs := range ids {
		if len(langs) != 2 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("messages missing a translation: %s", strings.Join(missing, ", "))
	}
	return nil
}

// T translates a message id into lang; data fills {{.Name}} placeholders.
// An unknown id yields the id itself, which tests catch.
func (t *translator) T(lang, id string, data map[string]any) string {
	loc, ok := t.loc[lang]
	if !ok {
		loc = t.loc[langMy]
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// requestLang picks the language of a response: an explicit ?lang= choice
// (remembered in a cookie), then the cookie, then Burmese.
func requestLang(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q == langMy || q == langEn {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		return q
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langMy || c.Value == langEn) {
		return c.Value
	}
	return langMy
}

// localDigits writes n with Burmese digits for Burmese readers.
func localDigits(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	if lang != langMy {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '၀' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}
