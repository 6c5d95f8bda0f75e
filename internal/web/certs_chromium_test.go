package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"embrace/internal/auth"
	"embrace/internal/store/storetest"
)

// TestCertVerifyChromium: with JavaScript off, a person pastes an issued
// certificate into the public page (Burmese by default) and is told it is
// valid, with its public claims; a damaged one is not valid.
func TestCertVerifyChromium(t *testing.T) {
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	_, _, token := issuedCert(t, e)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	c := startChromium(t)

	c.navigate(ts.URL + "/verify")
	if !strings.Contains(c.html(), `lang="my"`) {
		t.Fatal("the verification page is not Burmese by default")
	}
	c.typeInto("#token", token)
	c.click("button[type=submit]")
	c.waitLoad()
	if got := c.text(".verdict h2"); got != "မှန်ကန်သည်" {
		t.Fatalf("verdict %q, want valid", got)
	}
	if h := c.html(); !strings.Contains(h, "၂၀၂၁-၀၅-၀၁") || strings.Contains(h, "<script") {
		t.Fatal("the public claims are not shown")
	}

	c.navigate(ts.URL + "/verify?lang=en")
	c.typeInto("#token", token[:len(token)-10])
	c.click("button[type=submit]")
	c.waitLoad()
	if got := c.text(".verdict h2"); got != "Not valid" {
		t.Fatalf("damaged token: verdict %q", got)
	}
}
