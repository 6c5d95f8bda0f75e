package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

var (
	tokenRE   = regexp.MustCompile(`name="token" value="([^"]+)"`)
	receiptRE = regexp.MustCompile(`<p class="receipt" lang="en" id="receipt">([0-9 ]+)</p>`)
	inboxRE   = regexp.MustCompile(`href="/inbox/([0-9a-f]{24})"`)
)

// formToken fetches the contact page and returns its token, with the
// minimum fill time passed.
func (e *authEnv) formToken(t testing.TB) string {
	t.Helper()
	rec := e.get(t, "/contact")
	m := tokenRE.FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil {
		t.Fatalf("contact page: %d", rec.Code)
	}
	e.clock.Advance(5 * time.Second)
	return m[1]
}

// postMultipart sends a multipart form built from fields (in order) and
// files.
func (e *authEnv) postMultipart(t testing.TB, path string, fields [][2]string, files map[string][]byte) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	for name, content := range files {
		fw, _ := w.CreateFormFile("files", name)
		fw.Write(content)
	}
	w.Close()
	req := httptest.NewRequest("POST", "https://embrace.test"+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func contactFields(token, message string) [][2]string {
	return [][2]string{{"token", token}, {"who", "police"}, {"service", "police"}, {"rank", "Police Sergeant"}, {"unit", "Unit-Web-7781"},
		{"region", "MMR013"}, {"place", "Place-Web-3321"}, {"reach", "Signal-Web-5512"}, {"message", message}}
}

// intakeOfficer creates an intake officer who holds the intake team key
// and signs them in.
func (e *authEnv) intakeOfficer(t testing.TB, name string) *http.Cookie {
	t.Helper()
	_, en, err := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: name, Password: webTestPassword,
		Roles: []auth.Role{auth.RoleIntakeOfficer}, Teams: []auth.Team{auth.TeamIntake}}, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	return e.login(t, en, webTestPassword)
}

func TestIntakeWebJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAuthEnv(t, st, auth.Config{})
		officer := e.intakeOfficer(t, "officer1")

		page := e.get(t, "/contact")
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, `<html lang="my">`) || strings.Contains(body, "<script") || !strings.Contains(body, `enctype="multipart/form-data"`) {
			t.Fatalf("contact page: %d", page.Code)
		}
		if en := e.get(t, "/contact?lang=en"); !strings.Contains(en.Body.String(), "Contact the network") {
			t.Fatal("no English contact page")
		}
		rec := e.postMultipart(t, "/contact", contactFields(e.formToken(t), "Message-Web-9901"), map[string][]byte{"id.pdf": []byte("%PDF-1.4 Attach-Web-4410")})
		m := receiptRE.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusCreated || m == nil || !strings.Contains(rec.Body.String(), "၀") && !strings.Contains(rec.Body.String(), "၁") {
			t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
		}
		receipt := m[1]

		// The officer finds it in the queue, reads and replies.
		inbox := e.get(t, "/inbox", officer)
		im := inboxRE.FindStringSubmatch(inbox.Body.String())
		if inbox.Code != 200 || im == nil || strings.Contains(inbox.Body.String(), "Unit-Web-7781") {
			t.Fatalf("inbox: %d", inbox.Code)
		}
		id := im[1]
		cp := e.get(t, "/inbox/"+id, officer)
		for _, want := range []string{"Unit-Web-7781", "Place-Web-3321", "Signal-Web-5512", "Message-Web-9901", "id.pdf"} {
			if !strings.Contains(cp.Body.String(), want) {
				t.Fatalf("contact page lacks %s: %d", want, cp.Code)
			}
		}
		rr := e.post(t, "/inbox/"+id+"/reply", url.Values{"message": {"Reply-Web-1234"}}, officer)
		if rr.Code != http.StatusSeeOther {
			t.Fatalf("reply: %d %s", rr.Code, rr.Body.String())
		}
		if e.post(t, "/inbox/"+id+"/reply", url.Values{"message": {""}}, officer).Code != http.StatusBadRequest {
			t.Fatal("empty reply accepted")
		}

		// The applicant comes back with the receipt, in Burmese digits.
		th := e.post(t, "/contact/thread", url.Values{"receipt": {burmese(receipt)}})
		if th.Code != 200 || !strings.Contains(th.Body.String(), "Reply-Web-1234") || strings.Contains(th.Body.String(), "officer1") {
			t.Fatalf("thread: %d %s", th.Code, th.Body.String())
		}
		ans := e.postMultipart(t, "/contact/thread/reply", [][2]string{{"receipt", receipt}, {"message", "Answer-Web-5678"}}, nil)
		if ans.Code != 200 || !strings.Contains(ans.Body.String(), "Answer-Web-5678") {
			t.Fatalf("answer: %d", ans.Code)
		}
		if cp := e.get(t, "/inbox/"+id, officer); !strings.Contains(cp.Body.String(), "Answer-Web-5678") || !strings.Contains(cp.Body.String(), "officer1") {
			t.Fatal("officer does not see the answer")
		}
		// An attachment downloads, decrypted, as a download.
		fm := regexp.MustCompile(`/inbox/` + id + `/files/([0-9a-f]+)`).FindStringSubmatch(cp.Body.String())
		if fm == nil {
			t.Fatal("no attachment link")
		}
		f := e.get(t, fm[0], officer)
		if f.Code != 200 || !strings.Contains(f.Body.String(), "Attach-Web-4410") || !strings.HasPrefix(f.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("attachment: %d", f.Code)
		}

		// Open a case from it.
		oc := e.post(t, "/inbox/"+id+"/case", url.Values{}, officer)
		if oc.Code != http.StatusSeeOther || e.count(t, "SELECT count(*) FROM cases") != 1 {
			t.Fatalf("open case: %d", oc.Code)
		}
		// Record a phone contact.
		rc := e.post(t, "/inbox/record", url.Values{"channel": {"phone"}, "who": {"family"}, "service": {"army"}, "message": {"Called-Web-7"}}, officer)
		if rc.Code != http.StatusSeeOther {
			t.Fatalf("record: %d %s", rc.Code, rc.Body.String())
		}
		if rc := e.post(t, "/inbox/record", url.Values{"channel": {"pigeon"}, "who": {"family"}, "message": {"x"}}, officer); rc.Code != http.StatusBadRequest {
			t.Fatalf("record with unknown channel: %d", rc.Code)
		}

		// Someone outside the intake team: 403 by role; 404 by keys.
		other := e.account(t, "handler1", auth.RoleCaseHandler)
		hc := e.login(t, other, webTestPassword)
		if e.get(t, "/inbox/"+id, hc).Code != http.StatusForbidden {
			t.Fatal("case handler reads the inbox")
		}
		_, en2, _ := e.svc.CreateAccount(context.Background(), auth.NewAccount{Username: "officer2", Password: webTestPassword, Roles: []auth.Role{auth.RoleIntakeOfficer}}, nil, "cli")
		o2 := e.login(t, en2, webTestPassword)
		if c := e.get(t, "/inbox/"+id, o2).Code; c != http.StatusNotFound {
			t.Fatalf("officer without the team key: %d, want 404", c)
		}
		if c := e.get(t, "/inbox/000000000000000000000000", officer).Code; c != http.StatusNotFound {
			t.Fatalf("unknown contact: %d", c)
		}
	})
}

func burmese(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '၀' + (r - '0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestIntakeWebBadInput(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	count := func() int {
		return e.count(t, "SELECT count(*) FROM intake_contacts") + e.count(t, "SELECT count(*) FROM intake_messages")
	}
	before := count()
	tok := e.formToken(t)
	cases := []struct {
		name   string
		rec    func() *httptest.ResponseRecorder
		status int
		text   string
	}{
		{"not multipart", func() *httptest.ResponseRecorder {
			return e.post(t, "/contact", url.Values{"token": {tok}, "message": {"x"}})
		}, 400, "ပုံစံကို ထပ်ဖြည့်ပါ"},
		{"missing token", func() *httptest.ResponseRecorder {
			return e.postMultipart(t, "/contact", contactFields("", "hello"), nil)
		}, 400, "ပုံစံ မပြည့်စုံပါ"},
		{"invalid utf-8", func() *httptest.ResponseRecorder {
			return e.postMultipart(t, "/contact", contactFields(e.formToken(t), "bad \xff"), nil)
		}, 400, "ဤအကွက်ကို စစ်ဆေးပြီး"},
		{"wrong file type", func() *httptest.ResponseRecorder {
			return e.postMultipart(t, "/contact", contactFields(e.formToken(t), "hello"), map[string][]byte{"x.exe": []byte("MZ\x90\x00 binary")})
		}, 415, "PDF မဟုတ်ပါ"},
		{"too fresh", func() *httptest.ResponseRecorder {
			m := tokenRE.FindStringSubmatch(e.get(t, "/contact").Body.String())
			return e.postMultipart(t, "/contact", contactFields(m[1], "hello"), nil)
		}, 400, "အလွန်မြန်စွာ"},
		{"garbled receipt", func() *httptest.ResponseRecorder {
			return e.post(t, "/contact/thread", url.Values{"receipt": {"12ab"}})
		}, 400, "ဂဏန်း ၂၈ လုံး"},
		{"wrong receipt", func() *httptest.ResponseRecorder {
			return e.post(t, "/contact/thread", url.Values{"receipt": {"0000 0000 0000 0000 0000 0000 0000"}})
		}, 404, "ဤပြေစာဖြင့် စာမရှိပါ"},
		{"reply without receipt", func() *httptest.ResponseRecorder {
			return e.postMultipart(t, "/contact/thread/reply", [][2]string{{"message", "hi"}}, nil)
		}, 400, "ဂဏန်း ၂၈ လုံး"},
	}
	for _, tc := range cases {
		rec := tc.rec()
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.text) {
			t.Errorf("%s: %d, want %d with %q", tc.name, rec.Code, tc.status, tc.text)
		}
	}
	// A token is used once.
	tok = e.formToken(t)
	if rec := e.postMultipart(t, "/contact", contactFields(tok, "first"), nil); rec.Code != 201 {
		t.Fatalf("first: %d", rec.Code)
	}
	before += 2
	if rec := e.postMultipart(t, "/contact", contactFields(tok, "again"), nil); rec.Code != http.StatusConflict {
		t.Fatalf("replay: %d", rec.Code)
	}
	if count() != before {
		t.Fatalf("bad input stored something: %d → %d", before, count())
	}
	if e.count(t, "SELECT count(*) FROM intake_messages WHERE sealed LIKE '%hello%'") != 0 {
		t.Fatal("plaintext stored")
	}
}

func TestIntakeWebOversizeAndBusy(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	limit := e.srv.cfg.Intake.Config().MaxBody()
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, limit)...)
	rec := e.postMultipart(t, "/contact", contactFields(e.formToken(t), "hello"), map[string][]byte{"big.png": big})
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d", rec.Code)
	}
	if e.count(t, "SELECT count(*) FROM intake_contacts") != 0 {
		t.Fatal("stored an oversized submission")
	}
	// Fill the queue: the calm page, 503 with Retry-After.
	if _, err := st.Writer().Exec("UPDATE intake_usage SET pending = 1000000000"); err != nil {
		t.Fatal(err)
	}
	rec = e.postMultipart(t, "/contact", contactFields(e.formToken(t), "hello"), nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "နောက်မှ ထပ်ကြိုးစားပါ") {
		t.Fatalf("busy: %d %q", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// publicPageWeights renders each public intake page and returns its
// gzip-compressed size with the stylesheet (HTML + CSS, DESIGN §10).
func publicPageWeights(t testing.TB, e *authEnv) map[string]int {
	t.Helper()
	gz := func(b []byte) int {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		return buf.Len()
	}
	css, _ := io.ReadAll(e.get(t, "/static/style.css").Body)
	cssZ := gz(css)
	out := map[string]int{}
	contact := e.get(t, "/contact")
	out["/contact"] = gz(contact.Body.Bytes()) + cssZ
	out["/contact?lang=en"] = gz(e.get(t, "/contact?lang=en").Body.Bytes()) + cssZ
	rec := e.postMultipart(t, "/contact", contactFields(e.formToken(t), strings.Repeat("A message of ordinary length. ", 20)), nil)
	out["POST /contact (receipt)"] = gz(rec.Body.Bytes()) + cssZ
	receipt := receiptRE.FindStringSubmatch(rec.Body.String())[1]
	out["/contact/thread"] = gz(e.get(t, "/contact/thread").Body.Bytes()) + cssZ
	out["POST /contact/thread"] = gz(e.post(t, "/contact/thread", url.Values{"receipt": {receipt}}).Body.Bytes()) + cssZ
	return out
}

// TestIntakePageWeight keeps every public intake page under 15 KB
// compressed (HTML + CSS). Run with -v to print the figures.
func TestIntakePageWeight(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAuthEnv(t, st, auth.Config{})
	for page, n := range publicPageWeights(t, e) {
		t.Logf("page weight %-26s %6d bytes gzip (HTML+CSS)", page, n)
		if n > 15*1024 {
			t.Errorf("%s weighs %d bytes compressed, over the 15 KB budget", page, n)
		}
	}
}
