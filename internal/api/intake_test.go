package api

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func (e *apiEnv) intakeToken(t testing.TB) string {
	t.Helper()
	rec := e.do(t, "GET", "/api/v1/intake/token", "", "")
	var out struct {
		Token string `json:"token"`
		Wait  int    `json:"min_wait_seconds"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil || out.Token == "" || out.Wait != 3 {
		t.Fatalf("token: %d %s", rec.Code, rec.Body.String())
	}
	e.clock.Advance(5 * time.Second)
	return out.Token
}

func intakeJSON(token, message string) string {
	b, _ := json.Marshal(map[string]string{"token": token, "who": "soldier", "service": "navy", "rank": "Able Seaman", "unit": "Unit-API-1",
		"region": "MMR017", "place": "Place-API-2", "reach": "Reach-API-3", "message": message})
	return string(b)
}

func (e *apiEnv) withReceipt(t testing.TB, receipt string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/intake/thread", nil)
	req.Header.Set("X-Receipt", receipt)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

func TestAPIIntake(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newAPIEnv(t, st)
		_, off, err := e.svc.CreateAccount(ctx, auth.NewAccount{Username: "officer", Password: apiPassword, Roles: []auth.Role{auth.RoleIntakeOfficer}, Teams: []auth.Team{auth.TeamIntake}}, nil, "cli")
		if err != nil {
			t.Fatal(err)
		}
		rec := e.do(t, "POST", "/api/v1/intake", "", intakeJSON(e.intakeToken(t), "Message-API-4"))
		var sub struct {
			Receipt   string `json:"receipt"`
			ReceiptMy string `json:"receipt_my"`
		}
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &sub) != nil || sub.Receipt == "" {
			t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
		}
		// With attachments, multipart.
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("token", e.intakeToken(t))
		w.WriteField("who", "family")
		w.WriteField("message", "with a file")
		fw, _ := w.CreateFormFile("files", "card.pdf")
		fw.Write([]byte("%PDF-1.7 content"))
		w.Close()
		req := httptest.NewRequest("POST", "/api/v1/intake", &b)
		req.Header.Set("Content-Type", w.FormDataContentType())
		mrec := httptest.NewRecorder()
		e.mux.ServeHTTP(mrec, req)
		if mrec.Code != http.StatusCreated {
			t.Fatalf("multipart: %d %s", mrec.Code, mrec.Body.String())
		}

		tok := e.token(t, off)
		list := e.do(t, "GET", "/api/v1/inbox", tok, "")
		var q struct {
			Contacts []struct{ ID, Service, Region string } `json:"contacts"`
		}
		if list.Code != 200 || json.Unmarshal(list.Body.Bytes(), &q) != nil || len(q.Contacts) != 2 || q.Contacts[0].Service != "navy" {
			t.Fatalf("inbox: %d %s", list.Code, list.Body.String())
		}
		if strings.Contains(list.Body.String(), "Unit-API-1") {
			t.Fatal("the queue shows red data")
		}
		one := e.do(t, "GET", "/api/v1/inbox/"+q.Contacts[0].ID, tok, "")
		if one.Code != 200 || !strings.Contains(one.Body.String(), "Unit-API-1") || !strings.Contains(one.Body.String(), "Message-API-4") {
			t.Fatalf("contact: %d %s", one.Code, one.Body.String())
		}
		if r := e.do(t, "GET", "/api/v1/inbox/000000000000000000000000", tok, ""); r.Code != 404 {
			t.Fatalf("unknown id: %d", r.Code)
		}
		// A reply by the officer reaches the applicant.
		sess, err := e.svc.Authenticate(ctx, tok, auth.KindAPI)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.intake.Reply(ctx, sess.Keyring(), q.Contacts[0].ID, sess.Actor(), sess.Username, "Reply-API-5"); err != nil {
			t.Fatal(err)
		}
		th := e.withReceipt(t, sub.ReceiptMy)
		if th.Code != 200 || !strings.Contains(th.Body.String(), "Reply-API-5") || strings.Contains(th.Body.String(), `"by"`) {
			t.Fatalf("thread: %d %s", th.Code, th.Body.String())
		}

		// Others: 403 by role, 404 by keys.
		h := e.account(t, "handler", auth.RoleCaseHandler)
		if r := e.do(t, "GET", "/api/v1/inbox/"+q.Contacts[0].ID, e.token(t, h), ""); r.Code != 403 {
			t.Fatalf("case handler: %d", r.Code)
		}
		o2 := e.account(t, "officer2", auth.RoleIntakeOfficer)
		if r := e.do(t, "GET", "/api/v1/inbox/"+q.Contacts[0].ID, e.token(t, o2), ""); r.Code != 404 {
			t.Fatalf("officer without the team key: %d", r.Code)
		}
	})
}

func TestAPIIntakeBadInput(t *testing.T) {
	t.Parallel()
	st := storetest.New(t, storetest.Targets(t)[0])
	e := newAPIEnv(t, st)
	used := e.intakeToken(t)
	if r := e.do(t, "POST", "/api/v1/intake", "", intakeJSON(used, "ok")); r.Code != 201 {
		t.Fatalf("first: %d", r.Code)
	}
	count := func() int {
		var n int
		st.DB().QueryRow("SELECT count(*) FROM intake_contacts").Scan(&n)
		return n
	}
	before := count()
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"replayed token", intakeJSON(used, "again"), 409, "token_replayed"},
		{"no token", intakeJSON("", "x"), 400, "token_missing"},
		{"bad json", `{"token":`, 400, "bad_json"},
		{"unknown field", `{"token":"x","name":"y"}`, 400, "bad_json"},
		{"bad who", strings.Replace(intakeJSON(e.intakeToken(t), "x"), "soldier", "spy", 1), 400, "invalid"},
		{"message too long", intakeJSON(e.intakeToken(t), strings.Repeat("x", 9000)), 400, "invalid"},
	}
	for _, tc := range cases {
		r := e.do(t, "POST", "/api/v1/intake", "", tc.body)
		if r.Code != tc.status || errorCode(t, r) != tc.code {
			t.Errorf("%s: %d %s", tc.name, r.Code, r.Body.String())
		}
	}
	req := httptest.NewRequest("POST", "/api/v1/intake", strings.NewReader("message=x"))
	req.Header.Set("Content-Type", "text/plain")
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", rec.Code)
	}
	req = httptest.NewRequest("POST", "/api/v1/intake", strings.NewReader("--x\r\nbroken"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec = httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("broken multipart: %d", rec.Code)
	}
	for receipt, want := range map[string]int{"": 400, "12 34": 400, "0000 0000 0000 0000 0000 0000 0000": 404} {
		if r := e.withReceipt(t, receipt); r.Code != want {
			t.Errorf("receipt %q: %d, want %d", receipt, r.Code, want)
		}
	}
	if count() != before {
		t.Fatalf("bad input stored contacts: %d → %d", before, count())
	}
}

// followUp posts an applicant's follow-up with the receipt in X-Receipt.
func (e *apiEnv) followUp(t testing.TB, receipt, ctype string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/intake/thread", bytes.NewReader(body))
	req.Header.Set("X-Receipt", receipt)
	req.Header.Set("Content-Type", ctype)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

func TestAPIIntakeFollowUp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newAPIEnv(t, st)
		rec := e.do(t, "POST", "/api/v1/intake", "", intakeJSON(e.intakeToken(t), "First-API-6"))
		var sub struct {
			Receipt   string `json:"receipt"`
			ReceiptMy string `json:"receipt_my"`
		}
		if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &sub) != nil {
			t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
		}
		messages := func() int {
			var n int
			if err := st.DB().QueryRow("SELECT count(*) FROM intake_messages").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// JSON, receipt in Latin digits.
		r := e.followUp(t, sub.Receipt, "application/json", []byte(`{"message":"Second-API-7"}`))
		var th struct {
			Messages []struct{ Author, Text string } `json:"messages"`
		}
		if r.Code != http.StatusCreated || json.Unmarshal(r.Body.Bytes(), &th) != nil || len(th.Messages) != 2 ||
			th.Messages[1].Text != "Second-API-7" || th.Messages[1].Author != "applicant" {
			t.Fatalf("json follow-up: %d %s", r.Code, r.Body.String())
		}
		// Multipart with a file, receipt in Burmese digits.
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("message", "Third-API-8")
		fw, _ := w.CreateFormFile("files", "letter.pdf")
		fw.Write([]byte("%PDF-1.7 letter"))
		w.Close()
		r = e.followUp(t, sub.ReceiptMy, w.FormDataContentType(), b.Bytes())
		if r.Code != http.StatusCreated || !strings.Contains(r.Body.String(), "Third-API-8") || !strings.Contains(r.Body.String(), "letter.pdf") {
			t.Fatalf("multipart follow-up: %d %s", r.Code, r.Body.String())
		}
		if got := messages(); got != 3 {
			t.Fatalf("messages = %d", got)
		}

		// Bad input: nothing stored, nothing about other threads.
		before := messages()
		var big bytes.Buffer
		bw := multipart.NewWriter(&big)
		ff, _ := bw.CreateFormFile("files", "x.txt")
		ff.Write([]byte("plain text is not an image"))
		bw.Close()
		cases := []struct {
			name, receipt, ctype string
			body                 string
			status               int
			code                 string
		}{
			{"no receipt", "", "application/json", `{"message":"x"}`, 400, "receipt_format"},
			{"garbled receipt", "12 34", "application/json", `{"message":"x"}`, 400, "receipt_format"},
			{"wrong receipt", "0000 0000 0000 0000 0000 0000 0000", "application/json", `{"message":"x"}`, 404, "wrong_receipt"},
			{"empty message", sub.Receipt, "application/json", `{"message":"  "}`, 400, "invalid"},
			{"invalid utf-8", sub.Receipt, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\xff\xfe\r\n--x--\r\n", 400, "invalid"},
			{"unknown field", sub.Receipt, "application/json", `{"message":"x","receipt":"y"}`, 400, "bad_json"},
			{"bad json", sub.Receipt, "application/json", `{"message":`, 400, "bad_json"},
			{"broken multipart", sub.Receipt, "multipart/form-data; boundary=x", "--x\r\nbroken", 400, "malformed"},
			{"wrong file type", sub.Receipt, bw.FormDataContentType(), big.String(), 415, "file_type"},
			{"text/plain", sub.Receipt, "text/plain", "x", 415, "bad_content_type"},
		}
		for _, tc := range cases {
			r := e.followUp(t, tc.receipt, tc.ctype, []byte(tc.body))
			if r.Code != tc.status || errorCode(t, r) != tc.code {
				t.Errorf("%s: %d %s", tc.name, r.Code, r.Body.String())
			}
			if strings.Contains(r.Body.String(), "First-API-6") {
				t.Errorf("%s: the error shows the thread", tc.name)
			}
		}
		if got := messages(); got != before {
			t.Fatalf("bad follow-ups stored messages: %d → %d", before, got)
		}
	})
}
