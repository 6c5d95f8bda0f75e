package intake

import (
	"bytes"
	"context"
	"database/sql"
	"embrace/internal/testtool"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"testing"
	"time"

	"embrace/internal/keys"
	"embrace/internal/store"
)

// env is an intake service on a deployment with escrow and an intake team,
// and a keyring holding the team's key (an officer's session).
type env struct {
	st    *store.Store
	svc   *Service
	clock *testtool.Clock
	ring  *keys.Keyring
	esc   *keys.Identity
}

func newEnv(t testing.TB, st *store.Store, mod func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	escID, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(escID.Wipe)
	if _, err := keys.CreatePrincipal(ctx, st.Writer(), keys.KindEscrow, keys.EscrowName, escID.Recipient()); err != nil {
		t.Fatal(err)
	}
	var team keys.Principal
	var teamID *keys.Identity
	err = st.Tx(ctx, func(tx *sql.Tx) error {
		team, teamID, err = keys.CreateTeam(ctx, tx, TeamName)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	ring.Add(team.ID, teamID)
	t.Cleanup(ring.Wipe)
	clk := testtool.NewClock(time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC))
	cfg := Config{Store: st, Now: clk.Now, MinFill: 3 * time.Second,
		SubmitClient: Rate{PerSecond: 1000, Burst: 1000}, SubmitGlobal: Rate{PerSecond: 1000, Burst: 1000},
		ReceiptClient: Rate{PerSecond: 1000, Burst: 1000}, ReceiptGlobal: Rate{PerSecond: 1000, Burst: 1000}}
	if mod != nil {
		mod(&cfg)
	}
	svc, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: st, svc: svc, clock: clk, ring: ring, esc: escID}
}

// token issues a token and lets the minimum fill time pass.
func (e *env) token(t testing.TB) string {
	t.Helper()
	tok, err := e.svc.IssueToken()
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Second)
	return tok
}

func (e *env) form(t testing.TB) Form {
	return Form{Token: e.token(t), Who: "soldier", Service: "army", Rank: "Captain", Unit: "LIB 345", Region: "MMR013",
		Place: "near the market", Reach: "Signal +95 9 1234", Message: "I want to leave my unit."}
}

func (e *env) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := e.st.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// counts are the row counts of every table intake writes, and the usage
// counters.
func (e *env) counts(t testing.TB) string {
	t.Helper()
	out := ""
	for _, tb := range []string{"intake_contacts", "intake_messages", "intake_attachments", "intake_form_nonces", "key_wraps"} {
		out += fmt.Sprintf("%s=%d ", tb, e.count(t, tb))
	}
	var p, by int64
	if err := e.st.DB().QueryRow("SELECT pending, bytes FROM intake_usage").Scan(&p, &by); err != nil {
		t.Fatal(err)
	}
	return out + fmt.Sprintf("pending=%d bytes=%d", p, by)
}

// pngBytes is a small real PNG image.
func pngBytes(t testing.TB, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	// A trailing comment-like tail: PNG readers ignore bytes after IEND,
	// and it lets a test look for the content at rest.
	b.WriteString(marker)
	return b.Bytes()
}

// part is one part of a multipart body.
type part struct {
	name, filename string
	body           []byte
}

func multipartBody(t testing.TB, parts []part) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var pw interface{ Write([]byte) (int, error) }
		var err error
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.name, p.filename)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.body)
	}
	w.Close()
	return &b, w.Boundary()
}

func formParts(f Form) []part {
	return []part{{name: "token", body: []byte(f.Token)}, {name: "who", body: []byte(f.Who)}, {name: "service", body: []byte(f.Service)},
		{name: "rank", body: []byte(f.Rank)}, {name: "unit", body: []byte(f.Unit)}, {name: "region", body: []byte(f.Region)},
		{name: "place", body: []byte(f.Place)}, {name: "reach", body: []byte(f.Reach)}, {name: "message", body: []byte(f.Message)}}
}
