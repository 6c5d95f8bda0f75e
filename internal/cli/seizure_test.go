package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/intake"
	"embrace/internal/keys"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// canaries returns a case whose every red field holds a unique value, and
// those values. Each later capability adds its red fields here.
func canaries() (casework.NewCase, []string) {
	nc := casework.NewCase{
		Green: casework.Green{Service: "police", RankBand: "nco", Region: "MMR013", ContactMonth: "2021-07", WithArms: true},
		Defector: casework.Person{
			NameMy:        "ကနရီဇော်ထွန်းဦး",
			NameLatin:     "Canaryzawtun Xqvpl",
			Aliases:       "Alias-Qzkwjv-9931",
			DateOfBirth:   "1979-02-27",
			NRC:           "9/QzKaMa(N)742913",
			ServiceNumber: "SN-QZK-88412",
			Rank:          "Rank-Qzwxv-Sergeant",
			Unit:          "Unit-Qzx-LIB-9173",
			Phone:         "09-7719-33842",
			Place:         "Place-Qzvw-Hlaingthaya-Ward-17",
		},
		Family: []casework.Person{
			// Typed in Zawgyi: the converted text and the original are both red.
			{Relation: "spouse", NameMy: "ေဒၚခင္ျမင့္ေအး", NameLatin: "Spouse-Qzvk Khin", StillInside: true, Risk: "high"},
			{Relation: "child", NameMy: "ေမာင္ေက်ာ္ဇင္ထြန္း", NameLatin: "Child-Qzvr Kyaw"},
		},
	}
	vals := []string{
		nc.Defector.NameMy, nc.Defector.NameLatin, nc.Defector.Aliases, nc.Defector.DateOfBirth, nc.Defector.NRC,
		nc.Defector.ServiceNumber, nc.Defector.Rank, nc.Defector.Unit, nc.Defector.Phone, nc.Defector.Place,
		nc.Family[0].NameMy, nc.Family[0].NameLatin, nc.Family[1].NameMy, nc.Family[1].NameLatin,
		"ဒေါ်ခင်မြင့်အေး", "မောင်ကျော်ဇင်ထွန်း", // the Unicode forms of the Zawgyi names
	}
	return nc, vals
}

// TestSeizure plants canaries in every red field, runs the deployment (serve,
// backup), then searches every byte an adversary could seize — the data
// directory (database, WAL, temp files), logs, backups and a PostgreSQL dump
// — for them. It must find none, while escrow can still read them back.
func TestSeizure(t *testing.T) {
	t.Parallel()
	for _, tg := range storetest.Targets(t) {
		t.Run(string(tg.Engine), func(t *testing.T) {
			ctx := context.Background()
			root := t.TempDir()
			sharesDir := filepath.Join(root, "shares")
			d, s, err := createDeployment(ctx, tg.Dir, tg.DBURL, false, escrowPlan{dir: sharesDir, custodians: 3, threshold: 2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			nc, vals := canaries()
			caseID, more := plantCasework(t, ctx, s, nc)
			vals = append(vals, more...)
			intakeVals := plantIntake(t, ctx, s)
			intakeVals = append(intakeVals, plantShelter(t, ctx, s)...)
			intakeVals = append(intakeVals, plantPassage(t, ctx, s)...)
			intakeVals = append(intakeVals, plantVetting(t, ctx, s)...)
			intakeVals = append(intakeVals, plantFinance(t, ctx, s)...)
			// Certificates' canaries are searched like intake's (plantCerts
			// checks the team and escrow can read them).
			intakeVals = append(intakeVals, plantCerts(t, ctx, s)...)
			s.Close()

			// Serve it for a moment, so the logs hold real traffic.
			args := []string{"-data", tg.Dir}
			if tg.DBURL != "" {
				args = append(args, "-db", tg.DBURL)
			}
			var logs bytes.Buffer
			addr, stop := startServeLogs(t, &logs, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
			for _, p := range []string{"/", "/healthz", "/nope?name=" + url.QueryEscape(vals[1])} {
				if resp, err := http.Get("http://" + addr + p); err == nil {
					resp.Body.Close()
				}
			}
			if code := stop(); code != 0 {
				t.Fatalf("serve exit %d", code)
			}

			backupFile := filepath.Join(tg.Dir, "backup.age")
			code, out, errOut := run(t, "", append([]string{"backup", "-out", backupFile}, args...)...)
			if code != 0 {
				t.Fatalf("backup: %s", errOut)
			}
			logs.WriteString(out + errOut)

			// The planted values are really there: escrow reads them back.
			code, idText, errOut := run(t, "", "escrow", "recover", filepath.Join(sharesDir, "share-1.txt"), filepath.Join(sharesDir, "share-3.txt"))
			if code != 0 {
				t.Fatalf("escrow recover: %s", errOut)
			}
			checkEscrowReads(t, ctx, d, tg, strings.TrimSpace(idText), caseID, vals)

			// Everything an adversary could seize.
			var haystacks []haystack
			filepath.WalkDir(tg.Dir, func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					b, _ := os.ReadFile(p)
					haystacks = append(haystacks, haystack{p, b})
				}
				return nil
			})
			haystacks = append(haystacks, haystack{"logs", logs.Bytes()})
			if tg.DBURL != "" {
				haystacks = append(haystacks, haystack{"pg_dump", pgDump(t, tg.DBURL)})
			}
			if len(haystacks) < 3 {
				t.Fatalf("searched only %d files", len(haystacks))
			}
			for _, h := range haystacks {
				for _, v := range append(vals[:len(vals):len(vals)], intakeVals...) {
					for _, form := range [][]byte{[]byte(v), []byte(hex.EncodeToString([]byte(v)))} {
						if bytes.Contains(h.b, form) {
							t.Errorf("red value %q found in %s", v, h.name)
						}
					}
				}
			}
		})
	}
}

// Canaries of casework's later red fields: a relative's relocation needs,
// a transition reason, a note, a task, a threat's details and a photo.
const (
	canaryRelocation = "Relocation-Qzrl-Safehouse-4471"
	canaryReason     = "Reason-Qzrs-Border-Crossing-3390"
	canaryNote       = "Note-Qznt-Met-At-Checkpoint-8812"
	canaryTask       = "Task-Qztk-Find-Lawyer-5521"
	canaryThreat     = "Threat-Qzth-Soldiers-At-Door-6673"
	canaryRelative   = "Relative-Qzrv Aye"
)

// canaryPhoto is a PNG header followed by a unique marker.
var canaryPhoto = []byte("\x89PNG\r\n\x1a\nPhoto-Qzph-Marker-2290")

// plantCasework opens nc (indexed for duplicates, wrapped to a planting
// user) and fills every later red field of casework with a canary. It
// returns the case id and the canaries.
func plantCasework(t *testing.T, ctx context.Context, s *store.Store, nc casework.NewCase) (int64, []string) {
	t.Helper()
	cw := casework.New(s)
	uid, err := keys.GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	u, err := keys.CreatePrincipal(ctx, s.Writer(), keys.KindUser, "planter", uid.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(u.ID, uid)
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	p, err := casework.Prepare(nc, esc, u)
	if err != nil {
		t.Fatal(err)
	}
	var caseID int64
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		ix, err := casework.CreateIndexes(ctx, tx)
		if err != nil {
			return err
		}
		if ix == nil {
			return fmt.Errorf("the new deployment already has index keys")
		}
		defer ix.Wipe()
		if err := p.Index(ix); err != nil {
			return err
		}
		caseID, err = cw.Insert(ctx, tx, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "SELECT count(*) FROM person_index"); n == 0 {
		t.Fatal("no blind index planted")
	}
	a := casework.Actor{Name: "user:planter", Principal: u.ID, Roles: []auth.Role{auth.RoleIntakeOfficer, auth.RoleCaseHandler}}
	pid, err := cw.AddPerson(ctx, a, ring, caseID, casework.Person{Relation: "parent", NameLatin: canaryRelative, StillInside: true, Relocation: "needed", RelocationNeeds: canaryRelocation})
	if err != nil {
		t.Fatal(err)
	}
	steps := []error{
		cw.Transition(ctx, a, ring, caseID, casework.StateScreening, canaryReason),
		second(cw.AddNote(ctx, a, ring, caseID, canaryNote)),
		second(cw.AddTask(ctx, a, ring, caseID, casework.NewTask{Text: canaryTask, Due: "2021-08-01"})),
		second(cw.AddThreat(ctx, a, ring, pid, casework.Threat{Kind: "arrest", Day: "2021-08-02", Details: canaryThreat})),
		cw.SetPhoto(ctx, a, ring, pid, canaryPhoto),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("plant step %d: %v", i, err)
		}
	}
	return caseID, []string{canaryRelocation, canaryReason, canaryNote, canaryTask, canaryThreat, canaryRelative, string(canaryPhoto[8:])}
}

func second[T any](_ T, err error) error { return err }

func countRows(t *testing.T, s *store.Store, q string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type haystack struct {
	name string
	b    []byte
}

func checkEscrowReads(t *testing.T, ctx context.Context, d store.Deployment, tg storetest.Target, idText string, caseID int64, vals []string) {
	t.Helper()
	_, s, err := store.OpenDeployment(ctx, tg.Dir, tg.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := keys.ParseIdentity(idText)
	if err != nil {
		t.Fatal(err)
	}
	esc, err := keys.Escrow(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(esc.ID, id)
	c, err := casework.New(s).Get(ctx, ring, caseID)
	if err != nil {
		t.Fatalf("escrow cannot open case %d: %v", caseID, err)
	}
	cw := casework.New(s)
	var all strings.Builder
	for _, p := range c.People {
		all.WriteString(p.NameMy + "|" + p.NameLatin + "|" + p.Aliases + "|" + p.DateOfBirth + "|" + p.NRC + "|" + p.ServiceNumber + "|" + p.Rank + "|" + p.Unit + "|" + p.Phone + "|" + p.Place + "|" + p.RelocationNeeds + "|")
		for _, o := range p.Originals {
			all.WriteString(o + "|")
		}
		if p.HasPhoto {
			ph, _, err := cw.Photo(ctx, ring, p.ID)
			if err != nil {
				t.Fatalf("escrow cannot open the photo: %v", err)
			}
			all.Write(ph)
			all.WriteString("|")
		}
	}
	notes, err1 := cw.Notes(ctx, ring, caseID)
	tasks, err2 := cw.Tasks(ctx, ring, caseID)
	threats, err3 := cw.Threats(ctx, ring, caseID)
	events, err4 := cw.Timeline(ctx, ring, caseID)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		t.Fatalf("escrow cannot read the casework: %v", err)
	}
	for _, n := range notes {
		all.WriteString(n.Text + "|")
	}
	for _, x := range tasks {
		all.WriteString(x.Text + "|")
	}
	for _, x := range threats {
		all.WriteString(x.Details + "|")
	}
	for _, e := range events {
		all.WriteString(e.Detail + "|")
	}
	for _, v := range vals {
		if !strings.Contains(all.String(), v) {
			t.Errorf("escrow read back the case but %q is missing (%d people)", v, len(c.People))
		}
	}
}

func pgDump(t *testing.T, dbURL string) []byte {
	t.Helper()
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump not installed")
	}
	u, _ := url.Parse(dbURL)
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--schema="+schema, u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("CREATE TABLE "+schema+".people")) {
		t.Fatalf("pg_dump did not dump the deployment's schema (%d bytes)", len(out))
	}
	return out
}

// startServeLogs is startServe with the server's stderr captured.
func startServeLogs(t *testing.T, logs *bytes.Buffer, args ...string) (string, func() int) {
	t.Helper()
	var sb syncBuffer
	addr, stop := startServeTo(t, &sb, args...)
	return addr, func() int {
		code := stop()
		logs.WriteString(sb.String())
		return code
	}
}

// plantIntake sends a contact with a canary in every intake field (and an
// attachment's name and content) through the real submission path, adds a
// staff reply and an applicant follow-up, checks they read back, and
// returns the canaries.
func plantIntake(t *testing.T, ctx context.Context, s *store.Store) []string {
	t.Helper()
	var team keys.Principal
	var teamID *keys.Identity
	err := s.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		team, teamID, err = keys.CreateTeam(ctx, tx, intake.TeamName)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ring := keys.NewKeyring()
	defer ring.Wipe()
	ring.Add(team.ID, teamID)
	svc2, err := intake.New(ctx, intake.Config{Store: s, MinFill: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc2.IssueToken()
	if err != nil {
		t.Fatal(err)
	}
	f := intake.Form{Token: tok, Who: "soldier", Service: "army", Rank: "IntakeRank-Qzr-771", Unit: "IntakeUnit-Qzu-882",
		Region: "MMR013", Place: "IntakePlace-Qzp-993", Reach: "IntakeReach-Qzh-114", Message: "IntakeMessage-Qzm-225"}
	files := []intake.File{{Name: "IntakeFileName-Qzf-336.pdf", Body: strings.NewReader("%PDF-1.4 IntakeFileBody-Qzb-447")}}
	rec, err := svc2.Submit(ctx, "127.0.0.1", f, files)
	if err != nil {
		t.Fatal(err)
	}
	q, err := svc2.Queue(ctx, "new", 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("intake queue: %v", err)
	}
	if err := svc2.Reply(ctx, ring, q[0].ID, "user:officer", "officer", "IntakeReply-Qzy-558"); err != nil {
		t.Fatal(err)
	}
	th, err := svc2.OpenThread(ctx, "127.0.0.1", rec.Groups())
	if err != nil || len(th.Messages) != 2 || th.Messages[1].Text != "IntakeReply-Qzy-558" {
		t.Fatalf("intake thread: %v", err)
	}
	c, err := svc2.Contact(ctx, ring, q[0].ID, "user:officer")
	if err != nil || c.Unit != f.Unit || c.Messages[0].Files[0].Name != files[0].Name {
		t.Fatalf("intake contact does not read back: %v", err)
	}
	return []string{f.Rank, f.Unit, f.Place, f.Reach, f.Message, "IntakeFileName-Qzf-336", "IntakeFileBody-Qzb-447", "IntakeReply-Qzy-558", rec.Digits(), rec.Groups()}
}
