package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
)

// signInAs gives the browser session cookie c (the plain-HTTP loopback
// cookie's name, since the test server speaks HTTP), replacing any other.
func (c *cdp) signInAs(base string, cookie *http.Cookie) {
	c.t.Helper()
	c.call("Network.clearBrowserCookies", map[string]any{})
	c.call("Network.setCookie", map[string]any{"name": cookieLocalName, "value": cookie.Value, "url": base, "httpOnly": true, "sameSite": "Strict"})
}

// TestVettingChromium: two vetting officers take a case through vetting in
// a real browser with JavaScript off — a check, an evidence upload, a
// proposal the proposer is not offered to confirm, and the second
// officer's confirmation.
func TestVettingChromium(t *testing.T) {
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	intake := e.member(t, "intake-one", []auth.Role{auth.RoleIntakeOfficer}, auth.TeamIntake)
	v1, v2 := e.pair(t, "vetter-one", "vetter-two", []auth.Role{auth.RoleVettingOfficer}, auth.TeamVetting)
	e.member(t, "casework-one", []auth.Role{auth.RoleCaseHandler}, auth.TeamCasework)
	c := startChromium(t)
	ts := httptest.NewServer(e.h)
	defer ts.Close()

	base := e.openCaseFromContact(t, intake)
	for _, to := range []string{"screening", "vetting"} {
		mustSee(t, e.post(t, base+"/transition", url.Values{"to": {to}, "reason": {"next"}}, intake), "move "+to)
	}
	evidence := filepath.Join(t.TempDir(), "card.png")
	os.WriteFile(evidence, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-chromium-vetting"), 0o600)

	c.signInAs(ts.URL, v1)
	c.navigate(ts.URL + base + "?lang=en")
	c.click(`a[href="` + base + `/vetting/"]`)
	c.waitLoad()
	c.call("DOM.setAttributeValue", map[string]any{"nodeId": c.node(`#kind option[value=interview]`), "name": "selected", "value": ""})
	c.call("DOM.setAttributeValue", map[string]any{"nodeId": c.node(`#result option[value=passed]`), "name": "selected", "value": ""})
	c.typeInto("#notes", "Chromium-Check-1")
	c.click(`form[action$="/vetting/checks"] button`)
	c.waitLoad()
	if !strings.Contains(c.html(), "The check was saved.") || !strings.Contains(c.html(), "Chromium-Check-1") {
		t.Fatalf("check not saved:\n%s", c.html())
	}
	c.call("DOM.setFileInputFiles", map[string]any{"nodeId": c.node("#file"), "files": []string{evidence}})
	c.click(`form[action$="/vetting/evidence"] button`)
	c.waitLoad()
	if !strings.Contains(c.html(), "The evidence was encrypted and saved.") || !strings.Contains(c.html(), "image/png") {
		t.Fatalf("evidence not saved:\n%s", c.html())
	}
	c.typeInto("#reason", "Chromium-Reason-2")
	c.click(`form[action$="/vetting/decisions"] button`)
	c.waitLoad()
	if page := c.html(); !strings.Contains(page, "Waiting for a second officer") || strings.Contains(page, "/confirm") {
		t.Fatalf("the proposer is offered the confirmation:\n%s", page)
	}

	c.signInAs(ts.URL, v2)
	c.navigate(ts.URL + base + "/vetting/?lang=en")
	c.click(`form[action$="/confirm"] button`)
	c.waitLoad()
	if !strings.Contains(c.html(), "The decision was confirmed") {
		t.Fatalf("not confirmed:\n%s", c.html())
	}
	if n := e.count(t, "SELECT count(*) FROM cases WHERE state = 'verified'"); n != 1 {
		t.Fatal("the case is not verified")
	}
}
