package intake

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"embrace/internal/keys"
	"embrace/internal/myanmar"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

func TestReceipt(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		r, err := NewReceipt()
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Digits()) != ReceiptDigits || seen[r.Digits()] {
			t.Fatalf("bad or repeated receipt length %d", len(r.Digits()))
		}
		seen[r.Digits()] = true
		if r.String() != "[redacted]" {
			t.Fatal("a receipt prints itself")
		}
		for _, form := range []string{r.Digits(), r.Groups(), r.Burmese(), strings.ReplaceAll(r.Groups(), " ", "-"), " " + r.Burmese() + " "} {
			back, err := ParseReceipt(form)
			if err != nil || back.Digits() != r.Digits() {
				t.Fatalf("receipt does not parse back from its own form: %v", err)
			}
		}
		// Every single-digit change is caught as a typo.
		d := []byte(r.Digits())
		i := len(seen) % len(d)
		d[i] = '0' + (d[i]-'0'+1)%10
		if _, err := ParseReceipt(string(d)); !errors.Is(err, ErrReceiptTypo) {
			t.Fatalf("changed digit: %v", err)
		}
	}
	if len(strings.Fields(mustReceipt(t).Groups())) != 7 {
		t.Fatal("a receipt is shown in 7 groups of 4")
	}
	for _, bad := range []string{"", "12345", strings.Repeat("1", 29), "abcd efgh", strings.Repeat("၁", 27) + "x", "\xff\xfe", strings.Repeat("9", 300)} {
		if _, err := ParseReceipt(bad); !errors.Is(err, ErrReceiptFormat) {
			t.Errorf("ParseReceipt(%q) = %v, want ErrReceiptFormat", bad, err)
		}
	}
}

func mustReceipt(t *testing.T) Receipt {
	r, err := NewReceipt()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func FuzzParseReceipt(f *testing.F) {
	r, _ := NewReceipt()
	f.Add(r.Groups())
	f.Add(r.Burmese())
	f.Add("")
	f.Add("၀၁၂၃-ဝ၅၆၇")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceipt(s)
		if err != nil {
			return
		}
		// A parsed receipt is 28 ASCII digits that parse back to themselves.
		back, err := ParseReceipt(r.Groups())
		if err != nil || back.Digits() != r.Digits() || len(r.Digits()) != ReceiptDigits {
			t.Fatalf("round trip failed")
		}
		back, err = ParseReceipt(r.Burmese())
		if err != nil || back.Digits() != r.Digits() {
			t.Fatalf("Burmese round trip failed")
		}
	})
}

func TestSubmitThreadReplyFollowUp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, nil)
		f := e.form(t)
		f.Unit = "ခမရ ၃၄၅"
		f.Message = "ေက်ာင္း" // Zawgyi, converted at the boundary
		img := pngBytes(t, "IMGMARK")
		body, boundary := multipartBody(t, append(formParts(f), part{name: "files", filename: `C:\photos\id card.png`, body: img}))
		r, err := e.svc.SubmitMultipart(ctx, "192.0.2.1", multipart.NewReader(body, boundary))
		if err != nil {
			t.Fatal(err)
		}
		q, err := e.svc.Queue(ctx, "", 10)
		if err != nil || len(q) != 1 {
			t.Fatalf("queue: %v %d", err, len(q))
		}
		if q[0].Service != "army" || q[0].RankBand != "junior_officer" || q[0].Region != "MMR013" || q[0].Month != "2025-06" || q[0].Who != "soldier" || q[0].Channel != "web" {
			t.Fatalf("green attributes: %+v", q[0])
		}
		if n := e.count(t, "key_wraps WHERE object_kind = 'intake_batch' AND object_id = (SELECT key_batch FROM intake_contacts)"); n != 2 {
			t.Fatalf("contact's batch key wrapped to %d principals, want team and escrow", n)
		}
		if n := e.count(t, "intake_contacts WHERE key_sealed IS NOT NULL"); n != 1 {
			t.Fatal("the contact's key is not sealed under its batch key")
		}
		// Nothing red in the clear.
		var raw []byte
		st.DB().QueryRow("SELECT sealed FROM intake_contacts").Scan(&raw)
		if bytes.Contains(raw, []byte("LIB")) || bytes.Contains(raw, []byte("market")) {
			t.Fatal("contact stored in the clear")
		}
		st.DB().QueryRow("SELECT content FROM intake_attachments").Scan(&raw)
		if bytes.Contains(raw, []byte("IMGMARK")) || bytes.Contains(raw, []byte("PNG")) {
			t.Fatal("attachment stored in the clear")
		}

		th, err := e.svc.OpenThread(ctx, "192.0.2.1", r.Burmese())
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Messages) != 1 || th.Messages[0].Text != "ကျောင်း" || len(th.Messages[0].Files) != 1 || th.Messages[0].Files[0].Name != "id card.png" || th.Messages[0].Files[0].Type != "image/png" {
			t.Fatalf("thread: %+v", th)
		}

		// An officer reads and replies.
		id := q[0].ID
		c, err := e.svc.Contact(ctx, e.ring, id, "user:officer")
		if err != nil {
			t.Fatal(err)
		}
		if c.Unit != "ခမရ ၃၄၅" || c.Place != "near the market" || c.Reach != "Signal +95 9 1234" || c.Rank != "Captain" {
			t.Fatalf("contact: %+v", c)
		}
		a, content, err := e.svc.Attachment(ctx, e.ring, id, c.Messages[0].Files[0].ID, "user:officer")
		if err != nil || !bytes.Equal(content, img) || a.Type != "image/png" {
			t.Fatalf("attachment: %v", err)
		}
		if err := e.svc.Reply(ctx, e.ring, id, "user:officer", "officer1", "We read you. Stay safe."); err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Pending(ctx); p != 0 {
			t.Fatalf("pending after reply = %d", p)
		}
		th, err = e.svc.OpenThread(ctx, "192.0.2.1", r.Groups())
		if err != nil || len(th.Messages) != 2 || th.Messages[1].Author != "staff" || th.Messages[1].Text != "We read you. Stay safe." || th.Messages[1].By != "" {
			t.Fatalf("thread after reply: %v %+v", err, th)
		}

		// The applicant answers, with a PDF.
		body, boundary = multipartBody(t, []part{{name: "receipt", body: []byte(r.Groups())}, {name: "message", body: []byte("Thank you")},
			{name: "files", filename: "letter.pdf", body: []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")}})
		th, err = e.svc.FollowUpMultipart(ctx, "192.0.2.1", multipart.NewReader(body, boundary))
		if err != nil || len(th.Messages) != 3 || th.Messages[2].Text != "Thank you" || len(th.Messages[2].Files) != 1 {
			t.Fatalf("follow-up: %v %+v", err, th)
		}
		if p, _ := e.svc.Pending(ctx); p != 1 {
			t.Fatalf("a follow-up puts the contact back in the queue, pending = %d", p)
		}
		c, err = e.svc.Contact(ctx, e.ring, id, "user:officer")
		if err != nil || len(c.Messages) != 3 || c.Messages[1].By != "officer1" {
			t.Fatalf("staff view: %v", err)
		}
		if n := e.count(t, "audit_entries WHERE action = 'intake.contact.read'"); n != 2 {
			t.Fatalf("%d audited reads, want 2", n)
		}

		// Another principal's ring opens nothing; nor does a wrong receipt.
		other := keys.NewKeyring()
		oid, _ := keys.GenerateIdentity()
		other.Add(999999, oid)
		defer other.Wipe()
		if _, err := e.svc.Contact(ctx, other, id, "user:x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("foreign ring: %v", err)
		}
		if _, err := e.svc.OpenThread(ctx, "192.0.2.1", mustReceipt(t).Groups()); !errors.Is(err, ErrWrongReceipt) {
			t.Fatalf("wrong receipt: %v", err)
		}
		// Escrow opens the contact too.
		esc, _ := keys.Escrow(ctx, st.DB())
		er := keys.NewKeyring()
		eid, _ := e.esc.Clone()
		er.Add(esc.ID, eid)
		defer er.Wipe()
		if _, err := e.svc.Contact(ctx, er, id, "system"); err != nil {
			t.Fatalf("escrow: %v", err)
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, func(c *Config) { c.MaxFileSize = 4096; c.MaxFiles = 2 })
		// One good submission, so a replayed token has something to replay.
		good := e.form(t)
		if _, err := e.svc.Submit(ctx, "c", good, nil); err != nil {
			t.Fatal(err)
		}
		before := e.counts(t)
		big := append(pngBytes(t, ""), bytes.Repeat([]byte{0}, 5000)...)
		cases := []struct {
			name  string
			parts func() []part
			want  error
		}{
			{"no token", func() []part { f := e.form(t); f.Token = ""; return formParts(f) }, ErrTokenMissing},
			{"garbled token", func() []part { f := e.form(t); f.Token = "abc" + f.Token[3:]; return formParts(f) }, ErrTokenInvalid},
			{"replayed token", func() []part { f := e.form(t); f.Token = good.Token; return formParts(f) }, ErrTokenReplayed},
			{"too fresh", func() []part {
				f := e.form(t)
				f.Token, _ = e.svc.IssueToken()
				return formParts(f)
			}, ErrTokenTooFresh},
			{"expired", func() []part { f := e.form(t); e.clock.Advance(3 * time.Hour); return formParts(f) }, ErrTokenExpired},
			{"invalid utf-8", func() []part { f := e.form(t); f.Message = "hi \xff there"; return formParts(f) }, ErrInvalid},
			{"empty message", func() []part { f := e.form(t); f.Message = "  "; return formParts(f) }, ErrInvalid},
			{"long message", func() []part { f := e.form(t); f.Message = strings.Repeat("a", maxMessage+1); return formParts(f) }, ErrInvalid},
			{"unknown who", func() []part { f := e.form(t); f.Who = "general"; return formParts(f) }, ErrInvalid},
			{"unknown region", func() []part { f := e.form(t); f.Region = "MMR999"; return formParts(f) }, ErrInvalid},
			{"text file", func() []part {
				return append(formParts(e.form(t)), part{name: "files", filename: "a.txt", body: []byte("plain text here")})
			}, ErrFileType},
			{"html file", func() []part {
				return append(formParts(e.form(t)), part{name: "files", filename: "a.png", body: []byte("<html><script>x</script>")})
			}, ErrFileType},
			{"file too large", func() []part {
				return append(formParts(e.form(t)), part{name: "files", filename: "a.png", body: big})
			}, ErrFileTooLarge},
			{"too many files", func() []part {
				p := formParts(e.form(t))
				for range 3 {
					p = append(p, part{name: "files", filename: "a.png", body: pngBytes(t, "")})
				}
				return p
			}, ErrTooManyFiles},
			{"file before token", func() []part {
				f := e.form(t)
				return append([]part{{name: "files", filename: "a.png", body: pngBytes(t, "")}}, formParts(f)...)
			}, ErrTokenMissing},
			{"repeated field", func() []part { return append(formParts(e.form(t)), part{name: "message", body: []byte("x")}) }, ErrMalformed},
		}
		for _, tc := range cases {
			body, boundary := multipartBody(t, tc.parts())
			_, err := e.svc.SubmitMultipart(ctx, "c", multipart.NewReader(body, boundary))
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
			if Code(err) == "internal" {
				t.Errorf("%s: error has no code", tc.name)
			}
			if after := e.counts(t); after != before {
				t.Errorf("%s changed storage: %s → %s", tc.name, before, after)
			}
		}
		// Malformed multipart bodies.
		for _, raw := range []string{"", "--B\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc", "garbage", "--B\r\n\r\n\r\n--B--"} {
			_, err := e.svc.SubmitMultipart(ctx, "c", multipart.NewReader(strings.NewReader(raw), "B"))
			if err == nil || Code(err) == "internal" {
				t.Errorf("malformed %q: %v", raw, err)
			}
		}
		if after := e.counts(t); after != before {
			t.Errorf("malformed bodies changed storage: %s → %s", before, after)
		}
	})
}

func TestFloodDefences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		t.Run("per client", func(t *testing.T) {
			e := newEnv(t, st, func(c *Config) { c.SubmitClient = Rate{PerSecond: 0.001, Burst: 2} })
			for i := range 3 {
				_, err := e.svc.Submit(ctx, "203.0.113.9", e.form(t), nil)
				var be *BusyError
				if i < 2 && err != nil || i == 2 && !(errors.As(err, &be) && be.RateLimit && be.RetryAfter > 0) {
					t.Fatalf("submission %d: %v", i, err)
				}
			}
			// Another client is not held back.
			if _, err := e.svc.Submit(ctx, "203.0.113.10", e.form(t), nil); err != nil {
				t.Fatal(err)
			}
		})
	})
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, func(c *Config) { c.QueueCap = 2 })
		for i := range 3 {
			_, err := e.svc.Submit(ctx, "c", e.form(t), nil)
			if i < 2 && err != nil || i == 2 && !errors.Is(err, ErrBusy) {
				t.Fatalf("queue cap, submission %d: %v", i, err)
			}
		}
		q, _ := e.svc.Queue(ctx, "new", 10)
		if err := e.svc.MarkSpam(ctx, e.ring, q[0].ID, "user:o"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, "c", e.form(t), nil); err != nil {
			t.Fatalf("after review the queue has room: %v", err)
		}
	})
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, func(c *Config) { c.StorageQuota = 1500 })
		if _, err := e.svc.Submit(ctx, "c", e.form(t), nil); err != nil {
			t.Fatal(err)
		}
		f := e.form(t)
		f.Message = strings.Repeat("long message ", 100)
		if _, err := e.svc.Submit(ctx, "c", f, nil); !errors.Is(err, ErrBusy) {
			t.Fatalf("over quota: %v", err)
		}
	})
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, func(c *Config) { c.ReceiptClient = Rate{PerSecond: 0.001, Burst: 3} })
		r, err := e.svc.Submit(ctx, "c", e.form(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := e.svc.OpenThread(ctx, "guesser", mustReceipt(t).Groups()); !errors.Is(err, ErrWrongReceipt) {
				t.Fatalf("guess: %v", err)
			}
		}
		// Even the right receipt is throttled for the guessing client.
		if _, err := e.svc.OpenThread(ctx, "guesser", r.Groups()); !errors.Is(err, ErrBusy) {
			t.Fatalf("throttled guesser: %v", err)
		}
		if _, err := e.svc.OpenThread(ctx, "owner", r.Groups()); err != nil {
			t.Fatalf("owner: %v", err)
		}
	})
}

func TestOpenCaseMergeRecord(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, nil)
		for range 2 {
			if _, err := e.svc.Submit(ctx, "c", e.form(t), nil); err != nil {
				t.Fatal(err)
			}
		}
		q, _ := e.svc.Queue(ctx, "new", 10)
		caseID, err := e.svc.OpenCase(ctx, e.ring, q[0].ID, "user:o")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.OpenCase(ctx, e.ring, q[0].ID, "user:o"); !errors.Is(err, ErrState) {
			t.Fatalf("second open: %v", err)
		}
		c, err := e.svc.cases.Get(ctx, e.ring, caseID)
		if err != nil || c.People[0].Unit != "LIB 345" || c.People[0].Phone != "Signal +95 9 1234" || c.Service != "army" || c.Region != "MMR013" {
			t.Fatalf("case from contact: %v %+v", err, c)
		}
		if err := e.svc.Merge(ctx, e.ring, q[1].ID, caseID+100, "user:o"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("merge into unknown case: %v", err)
		}
		if err := e.svc.Merge(ctx, e.ring, q[1].ID, caseID, "user:o"); err != nil {
			t.Fatal(err)
		}
		done, _ := e.svc.Queue(ctx, "case", 10)
		if len(done) != 2 || done[0].CaseID != caseID || done[1].CaseID != caseID {
			t.Fatalf("case queue: %+v", done)
		}
		if p, _ := e.svc.Pending(ctx); p != 0 {
			t.Fatalf("pending = %d", p)
		}
		f := e.form(t)
		f.Token = ""
		id, err := e.svc.Record(ctx, "user:o", "telegram", f)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := e.svc.Contact(ctx, e.ring, id, "user:o")
		if err != nil || c2.Channel != "telegram" || c2.Messages[0].Text != f.Message {
			t.Fatalf("recorded contact: %v %+v", err, c2)
		}
		if _, err := e.svc.Record(ctx, "user:o", "web", f); !errors.Is(err, ErrInvalid) {
			t.Fatalf("record as web: %v", err)
		}
		for _, a := range []string{"intake.contact.open_case", "intake.contact.merge", "intake.contact.record"} {
			if n := e.count(t, "audit_entries WHERE action = '"+a+"'"); n != 1 {
				t.Errorf("%s audited %d times", a, n)
			}
		}
	})
}

func TestReceiptFormsAcceptedAndZawgyiFree(t *testing.T) {
	t.Parallel()
	r := mustReceipt(t)
	// Burmese digits with the WA look-alike for zero are read as digits.
	wa := strings.ReplaceAll(r.Burmese(), "၀", "ဝ")
	if strings.Contains(r.Digits(), "0") {
		if back, err := ParseReceipt(wa); err != nil || back.Digits() != r.Digits() {
			t.Fatalf("WA for zero: %v", err)
		}
	}
	if myanmar.BurmeseDigits(r.Groups()) != r.Burmese() {
		t.Fatal("Burmese form differs")
	}
}

func FuzzParseParts(f *testing.F) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary("B0undary")
	fw, _ := w.CreateFormField("token")
	fw.Write([]byte("tok"))
	fw, _ = w.CreateFormField("message")
	fw.Write([]byte("hello"))
	ff, _ := w.CreateFormFile("files", "a.png")
	ff.Write([]byte("\x89PNG\r\n\x1a\n0000"))
	w.Close()
	f.Add(b.Bytes())
	f.Add([]byte("--B0undary--"))
	f.Add([]byte("--B0undary\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x\"\r\n\r\n%PDF-\r\n--B0undary--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := &fileSealer{maxFiles: 2, maxSize: 1 << 12}
		k, _ := keys.NewDataKey()
		defer k.Wipe()
		fs.k = k
		vals, err := parseParts(multipart.NewReader(bytes.NewReader(data), "B0undary"), contactFields, "token", func(string) error { return nil }, fs.add)
		if err != nil {
			if Code(err) == "internal" {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		for name, v := range vals {
			if int64(len(v)) > contactFields[name] {
				t.Fatalf("field %s over its limit", name)
			}
		}
		if len(fs.files) > 2 {
			t.Fatal("too many files accepted")
		}
		if _, err := clean(formFrom(vals)); err != nil && Code(err) != "invalid" {
			t.Fatalf("clean: uncoded %v", err)
		}
	})
}

// FuzzFollowUpBody fuzzes the multipart body of a follow-up whose receipt
// came apart (the API's X-Receipt): no gate, files at once.
func FuzzFollowUpBody(f *testing.F) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary("B0undary")
	fw, _ := w.CreateFormField("message")
	fw.Write([]byte("hello"))
	ff, _ := w.CreateFormFile("files", "a.pdf")
	ff.Write([]byte("%PDF-1.7 0000"))
	w.Close()
	f.Add(b.Bytes())
	f.Add([]byte("--B0undary\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\xff\r\n--B0undary--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, _ := keys.NewDataKey()
		defer k.Wipe()
		fs := &fileSealer{k: k, maxFiles: 2, maxSize: 1 << 12}
		vals, err := parseParts(multipart.NewReader(bytes.NewReader(data), "B0undary"), followUpBodyFields, "", nil, fs.add)
		if err != nil {
			if Code(err) == "internal" {
				t.Fatalf("uncoded error %v", err)
			}
			return
		}
		for name, v := range vals {
			if limit, ok := followUpBodyFields[name]; !ok || int64(len(v)) > limit {
				t.Fatalf("field %s unknown or over its limit", name)
			}
		}
		if len(fs.files) > 2 {
			t.Fatal("too many files accepted")
		}
		if _, _, err := cleanText("message", vals["message"], maxMessage, len(fs.files) == 0); err != nil && Code(err) != "invalid" {
			t.Fatalf("clean: uncoded %v", err)
		}
	})
}
