package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"embrace/internal/auth"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// backupEngines are the engines the tests can reach.
func backupEngines() []store.Engine {
	out := []store.Engine{store.SQLite}
	if os.Getenv(storetest.EnvPostgres) != "" {
		out = append(out, store.Postgres)
	}
	return out
}

// place is where a deployment lives: a directory and, on PostgreSQL, the
// URL of an isolated schema.
type place struct {
	engine store.Engine
	dir    string
	dbURL  string
}

func newPlace(t testing.TB, e store.Engine) place {
	t.Helper()
	p := place{engine: e, dir: filepath.Join(t.TempDir(), "data")}
	if e == store.Postgres {
		p.dbURL = storetest.IsolatedSchema(t, os.Getenv(storetest.EnvPostgres))
	}
	return p
}

func (p place) args() []string {
	if p.dbURL == "" {
		return []string{"-data", p.dir}
	}
	return []string{"-data", p.dir, "-db", p.dbURL}
}

// fixture is a deployment with an escrow principal and its identity file.
type fixture struct {
	place
	id       string
	identity age.Identity
	idFile   string
}

// newFixture creates a deployment on e with some cases, wraps (one of them
// large enough to span several age chunks) and, unless noEscrow, an escrow
// principal whose identity is hybrid or, with x25519, classic.
func newFixture(t testing.TB, e store.Engine, x25519, noEscrow bool) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{place: newPlace(t, e)}
	d, s, err := store.CreateDeployment(ctx, f.dir, store.CreateOptions{DBURL: f.dbURL, Demo: x25519})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.id = d.ID
	var recipient string
	if x25519 {
		id, _ := age.GenerateX25519Identity()
		f.identity, recipient = id, id.Recipient().String()
	} else {
		id, _ := age.GenerateHybridIdentity()
		f.identity, recipient = id, id.Recipient().String()
	}
	f.idFile = filepath.Join(t.TempDir(), "escrow.key")
	if err := os.WriteFile(f.idFile, []byte("# escrow identity\n"+fmt.Sprint(f.identity)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 150<<10)
	rand.Read(big)
	err = s.Tx(ctx, func(tx *sql.Tx) error {
		kind := "escrow"
		if noEscrow {
			kind = "team"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO principals (id, kind, name, recipient, created) VALUES (1, $1, 'escrow', $2, 1), (2, 'team', 'intake', $2, 2)`, kind, recipient); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO principal_wraps (principal_id, holder_id, wrapped) VALUES (2, 1, $1)`, []byte{0, 0xff, 0}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO key_wraps (object_kind, object_id, principal_id, wrapped) VALUES ('case', '1', 1, $1), ('case', '1', 2, $2)`, big, []byte{0xff}); err != nil {
			return err
		}
		for i := range 30 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, with_arms, dependants, created_day, updated_day)
				VALUES ('vetting', 'police', 'nco', 'MMR013', '2021-07', $1, $2, '2021-07-01', '2021-07-09')`, i%2 == 1, i); err != nil {
				return err
			}
		}
		return store.SetSetting(ctx, tx, "motto", "ပြည်သူ့ရင်ခွင် \"embrace\"\n")
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runCmd runs one command function and returns its exit code and output.
func runCmd(t testing.TB, fn func(context.Context, stdio, []string) int, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := fn(context.Background(), stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
	return code, out.String(), errb.String()
}

// backup runs `embrace backup` on f and returns the file's path.
func backup(t testing.TB, p place) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "backup.age")
	code, stdout, stderr := runCmd(t, runBackup, append(p.args(), "-out", out)...)
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Backed up deployment") {
		t.Errorf("backup output: %q", stdout)
	}
	return out
}

// dbSnapshot reads every table of the deployment at p as sorted rows.
func dbSnapshot(t testing.TB, p place) map[string][]string {
	t.Helper()
	_, s, err := store.OpenDeployment(context.Background(), p.dir, p.dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", p.dir, err)
	}
	defer s.Close()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version'`
	if s.Engine() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	}
	rows, err := s.DB().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := s.DB().Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var got []string
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				switch x := v.(type) {
				case bool: // SQLite keeps booleans as 0/1
					v = int64(0)
					if x {
						v = int64(1)
					}
				case []byte:
					v = fmt.Sprintf("%x", x)
				}
				fmt.Fprintf(&b, "%s=%T:%v ", cols[i], v, v)
			}
			got = append(got, b.String())
		}
		rows.Close()
		sort.Strings(got)
		out[table] = got
	}
	return out
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	for _, from := range backupEngines() {
		for _, x25519 := range []bool{false, true} {
			src := newFixture(t, from, x25519, false)
			want := dbSnapshot(t, src.place)
			file := backup(t, src.place)

			st, err := os.Stat(file)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("backup file mode: %v %v", st.Mode(), err)
			}
			if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
				t.Error("temporary file left behind")
			}
			raw, _ := os.ReadFile(file)
			if !bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n")) {
				t.Fatalf("not a binary age file: %q", raw[:min(40, len(raw))])
			}
			stanza := "-> mlkem768x25519 "
			if x25519 {
				stanza = "-> X25519 "
			}
			head := string(raw[:bytes.Index(raw, []byte("\n--- "))])
			if strings.Count(head, "\n-> ") != 1 || !strings.Contains(head, stanza) {
				t.Errorf("the backup is not encrypted to the escrow recipient alone:\n%s", head)
			}
			for _, secret := range []string{"ပြည်သူ့ရင်ခွင်", "embrace-dump", src.id} {
				if bytes.Contains(raw, []byte(secret)) {
					t.Errorf("the backup holds %q in the clear", secret)
				}
			}

			for _, to := range backupEngines() {
				t.Run(fmt.Sprintf("%s_to_%s_x25519=%v", from, to, x25519), func(t *testing.T) {
					dst := newPlace(t, to)
					code, stdout, stderr := runCmd(t, runRestore, append(dst.args(), "-in", file, "-identity", src.idFile)...)
					if code != 0 {
						t.Fatalf("restore: exit %d: %s", code, stderr)
					}
					if !strings.Contains(stdout, "Restored deployment "+src.id) {
						t.Errorf("restore output: %q", stdout)
					}
					d, err := store.ReadDeployment(dst.dir)
					if err != nil || d.ID != src.id || d.Engine != to || d.Demo != x25519 {
						t.Errorf("restored marker: %+v %v", d, err)
					}
					compareTables(t, want, dbSnapshot(t, dst))
				})
			}
		}
	}
}

func compareTables(t testing.TB, want, got map[string][]string) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("tables: want %d, got %d", len(want), len(got))
	}
	for table, rows := range want {
		if !slices.Equal(rows, got[table]) {
			t.Errorf("table %s differs: want %d rows, got %d\nwant %.400q\n got %.400q", table, len(rows), len(got[table]), rows, got[table])
		}
	}
}

// TestBackupWhileServing backs up a deployment that `embrace serve` has
// open, and restores it.
func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	for _, e := range backupEngines() {
		t.Run(string(e), func(t *testing.T) {
			src := newFixture(t, e, false, false)
			_, stop := startServe(t, append([]string{"serve", "-addr", "127.0.0.1:0"}, src.args()...)...)
			file := backup(t, src.place)
			if code := stop(); code != 0 {
				t.Fatalf("serve exited %d", code)
			}
			dst := newPlace(t, store.SQLite)
			if code, _, stderr := runCmd(t, runRestore, append(dst.args(), "-in", file, "-identity", src.idFile)...); code != 0 {
				t.Fatalf("restore: %s", stderr)
			}
			compareTables(t, dbSnapshot(t, src.place), dbSnapshot(t, dst))
		})
	}
}

// buildAge builds the official age command from the module cache.
func buildAge(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command to build the age tool with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "age")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// age's command is a tool of this module (go.mod's tool directive), so
	// it builds from the module cache at the version go.mod pins.
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", bin, "filippo.io/age/cmd/age")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build the official age tool: %v\n%s", err, out)
	}
	return bin
}

// TestAgeToolDecryptsBackup checks that a backup is an ordinary age file:
// the official age command opens it with the escrow identity.
func TestAgeToolDecryptsBackup(t *testing.T) {
	t.Parallel()
	src := newFixture(t, store.SQLite, false, false)
	file := backup(t, src.place)
	ageBin := buildAge(t)
	out := filepath.Join(t.TempDir(), "backup.gz")
	cmd := exec.Command(ageBin, "-d", "-i", src.idFile, "-o", out, file)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age -d: %v: %s", err, msg)
	}
	gz, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(zr)
	var first struct {
		Kind   string
		Marker struct{ ID string }
	}
	var second struct {
		Kind, Deployment string
		Tables           []string
	}
	l1, _ := br.ReadBytes('\n')
	l2, _ := br.ReadBytes('\n')
	if json.Unmarshal(l1, &first) != nil || first.Kind != "embrace-backup" || first.Marker.ID != src.id {
		t.Errorf("first line: %s", l1)
	}
	if json.Unmarshal(l2, &second) != nil || second.Kind != "embrace-dump" || second.Deployment != src.id || !slices.Contains(second.Tables, "cases") {
		t.Errorf("second line: %s", l2)
	}
	rest, err := io.ReadAll(br)
	if err != nil || !bytes.Contains(rest, []byte(`{"kind":"end",`)) {
		t.Errorf("the dump does not end properly: %v", err)
	}
	// And the other way: age refuses the backup to a wrong identity.
	other, _ := age.GenerateHybridIdentity()
	wrong := filepath.Join(t.TempDir(), "wrong.key")
	os.WriteFile(wrong, []byte(other.String()+"\n"), 0o600)
	if err := exec.Command(ageBin, "-d", "-i", wrong, "-o", filepath.Join(t.TempDir(), "x"), file).Run(); err == nil {
		t.Error("age decrypted the backup with a wrong identity")
	}
}

// reseal decrypts a backup, lets edit change its plaintext, and encrypts it
// again to the same escrow recipient: a well-encrypted file with bad
// content.
func reseal(t testing.TB, f fixture, file string, edit func(plain []byte) []byte) []byte {
	t.Helper()
	raw, _ := os.ReadFile(file)
	ar, err := age.Decrypt(bytes.NewReader(raw), f.identity)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(ar)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	plain = edit(plain)
	var rcpt age.Recipient
	switch id := f.identity.(type) {
	case *age.HybridIdentity:
		rcpt = id.Recipient()
	case *age.X25519Identity:
		rcpt = id.Recipient()
	}
	var buf bytes.Buffer
	aw, _ := age.Encrypt(&buf, rcpt)
	zw := gzip.NewWriter(aw)
	zw.Write(plain)
	zw.Close()
	aw.Close()
	return buf.Bytes()
}

// editLine rewrites the plaintext line that starts with prefix.
func editLine(t testing.TB, plain []byte, prefix string, edit func(string) string) []byte {
	t.Helper()
	lines := strings.Split(string(plain), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			lines[i] = edit(l)
			return []byte(strings.Join(lines, "\n"))
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return nil
}

// TestRestoreRefusesBadBackups: every bad input is one clear line, exit 1,
// and nothing restored: no directory, and no relation in the PostgreSQL
// schema.
func TestRestoreRefusesBadBackups(t *testing.T) {
	t.Parallel()
	src := newFixture(t, store.SQLite, false, false)
	file := backup(t, src.place)
	raw, _ := os.ReadFile(file)
	hdrEnd := bytes.Index(raw, []byte("\n--- ")) + 1
	hdrEnd += bytes.IndexByte(raw[hdrEnd:], '\n') + 1
	const chunk = 64<<10 + 16
	if len(raw) < hdrEnd+16+2*chunk {
		t.Fatalf("the backup (%d bytes) should span several age chunks", len(raw))
	}
	flip := func(i int) []byte {
		b := slices.Clone(raw)
		b[i] ^= 0x01
		return b
	}
	// swap changes a base64 character of the header into another one.
	swap := func(i int) []byte {
		b := slices.Clone(raw)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return b
	}
	other, _ := age.GenerateHybridIdentity()
	otherFile := filepath.Join(t.TempDir(), "other.key")
	os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600)
	notKey := filepath.Join(t.TempDir(), "not.key")
	os.WriteFile(notKey, []byte("AGE-SECRET-KEY-NOT-A-KEY\n"), 0o600)

	type badCase struct {
		name     string
		data     []byte
		identity string
		want     string
	}
	cases := []badCase{
		{"wrong identity", raw, otherFile, "cannot decrypt"},
		{"not an identity", raw, notKey, "not an age identity file"},
		{"empty file", nil, "", "not an age-encrypted file"},
		{"not age", []byte("embrace-backup\nhello\n"), "", "not an age-encrypted file"},
		{"plaintext dump", []byte(`{"kind":"embrace-dump","version":1}` + "\n"), "", "not an age-encrypted file"},
		{"flipped in a stanza", flip(40), "", ""},
		{"flipped in the header MAC", swap(hdrEnd - 5), "", "header is damaged (bad header MAC)"},
		{"flipped in the nonce", flip(hdrEnd + 3), "", "damaged or truncated"},
		{"flipped in the first chunk", flip(hdrEnd + 16 + 100), "", "damaged or truncated"},
		{"flipped in the last chunk", flip(len(raw) - 20), "", "damaged or truncated"},
		{"flipped in the last byte", flip(len(raw) - 1), "", "damaged or truncated"},
		{"newer schema", reseal(t, src, file, func(p []byte) []byte {
			return editLine(t, p, `{"kind":"embrace-dump"`, func(l string) string {
				var h map[string]any
				json.Unmarshal([]byte(l), &h)
				h["schema"] = 9999
				b, _ := json.Marshal(h)
				return string(b)
			})
		}), "", "newer version of embrace"},
		{"not a backup inside", reseal(t, src, file, func([]byte) []byte { return []byte("hello\n") }), "", "not an embrace backup"},
		{"marker of another deployment", reseal(t, src, file, func(p []byte) []byte {
			return []byte(strings.Replace(string(p), `"id":"`+src.id, `"id":"0123456789abcdef`, 1))
		}), "", "not a valid embrace backup"},
		{"dump cut at a line", reseal(t, src, file, func(p []byte) []byte {
			return p[:bytes.LastIndex(p[:len(p)-1], []byte("\n"))+1]
		}), "", "not a valid embrace backup"},
		{"dump that cannot load", reseal(t, src, file, func(p []byte) []byte {
			// The wrap of team 2 to holder 1 names holder 99 instead.
			return []byte(strings.Replace(string(p), "\n[2,1,", "\n[2,99,", 1))
		}), "", "nothing was restored"},
	}
	for _, cut := range []int{0, 10, hdrEnd - 10, hdrEnd, hdrEnd + 16, hdrEnd + 16 + 500, hdrEnd + 16 + chunk, hdrEnd + 16 + 2*chunk, len(raw) - 16, len(raw) - 1} {
		cases = append(cases, badCase{fmt.Sprintf("cut at %d of %d", cut, len(raw)), raw[:cut], "", ""})
	}

	for _, e := range backupEngines() {
		t.Run(string(e), func(t *testing.T) {
			for _, tc := range cases {
				in := filepath.Join(t.TempDir(), "bad.age")
				os.WriteFile(in, tc.data, 0o600)
				dst := newPlace(t, e)
				identity := orDefault(tc.identity, src.idFile)
				code, stdout, stderr := runCmd(t, runRestore, append(dst.args(), "-in", in, "-identity", identity)...)
				if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q (want %q)", tc.name, code, stdout, stderr, tc.want)
				}
				if testing.Verbose() {
					t.Logf("%s: %s", tc.name, strings.TrimSpace(stderr))
				}
				if _, err := os.Stat(dst.dir); !os.IsNotExist(err) {
					t.Errorf("%s: the directory was created", tc.name)
				}
				if dst.dbURL != "" {
					if n := schemaRelations(t, dst.dbURL); n != 0 {
						t.Errorf("%s: %d relations left in the schema", tc.name, n)
					}
				}
			}
		})
	}
}

func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// schemaRelations counts the relations in the schema dbURL uses.
func schemaRelations(t testing.TB, dbURL string) int {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRestoreRefusesExistingDeployment: restore only ever creates.
func TestRestoreRefusesExistingDeployment(t *testing.T) {
	t.Parallel()
	for _, e := range backupEngines() {
		t.Run(string(e), func(t *testing.T) {
			src := newFixture(t, e, false, false)
			file := backup(t, src.place)
			before := dbSnapshot(t, src.place)
			marker, _ := os.ReadFile(filepath.Join(src.dir, store.MarkerFile))

			// Onto the deployment itself.
			code, _, stderr := runCmd(t, runRestore, append(src.args(), "-in", file, "-identity", src.idFile)...)
			if code != 1 || !strings.Contains(stderr, "already exists") {
				t.Errorf("restore onto its own deployment: exit %d %q", code, stderr)
			}
			// Into a non-empty directory.
			busy := t.TempDir()
			os.WriteFile(filepath.Join(busy, "notes.txt"), []byte("x"), 0o600)
			code, _, stderr = runCmd(t, runRestore, "-data", busy, "-in", file, "-identity", src.idFile)
			if code != 1 || !strings.Contains(stderr, "already exists") {
				t.Errorf("restore into a non-empty directory: exit %d %q", code, stderr)
			}
			if e == store.Postgres {
				// A new directory, but a database that holds a deployment.
				newDir := filepath.Join(t.TempDir(), "new")
				code, _, stderr = runCmd(t, runRestore, "-data", newDir, "-db", src.dbURL, "-in", file, "-identity", src.idFile)
				if code != 1 || !strings.Contains(stderr, "already exists") {
					t.Errorf("restore into a database that holds a deployment: exit %d %q", code, stderr)
				}
				if _, err := os.Stat(newDir); !os.IsNotExist(err) {
					t.Error("the new directory was left behind")
				}
			}
			compareTables(t, before, dbSnapshot(t, src.place))
			if after, _ := os.ReadFile(filepath.Join(src.dir, store.MarkerFile)); !bytes.Equal(marker, after) {
				t.Error("the marker changed")
			}
		})
	}
}

func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	src := newFixture(t, store.SQLite, false, false)

	// An existing file is never replaced.
	existing := filepath.Join(t.TempDir(), "backup.age")
	os.WriteFile(existing, []byte("precious"), 0o600)
	code, _, stderr := runCmd(t, runBackup, append(src.args(), "-out", existing)...)
	if code != 1 || !strings.Contains(stderr, "already exists") {
		t.Errorf("existing -out: exit %d %q", code, stderr)
	}
	if b, _ := os.ReadFile(existing); string(b) != "precious" {
		t.Error("the existing file was changed")
	}

	// A stale temporary file is reported, not overwritten or removed.
	out := filepath.Join(t.TempDir(), "b.age")
	os.WriteFile(out+".tmp", []byte("stale"), 0o600)
	code, _, stderr = runCmd(t, runBackup, append(src.args(), "-out", out)...)
	if code != 1 || !strings.Contains(stderr, ".tmp exists") {
		t.Errorf("stale temporary file: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("backup written despite the stale temporary file")
	}

	// No escrow principal: nothing is written.
	noEscrow := newFixture(t, store.SQLite, false, true)
	out = filepath.Join(t.TempDir(), "c.age")
	code, stdout, stderr := runCmd(t, runBackup, append(noEscrow.args(), "-out", out)...)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "no escrow principal") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("no escrow: exit %d %q %q", code, stdout, stderr)
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 0 {
		t.Errorf("files written without an escrow principal: %v", ents)
	}

	// A damaged escrow recipient.
	_, s, err := store.OpenDeployment(context.Background(), src.dir, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Exec(context.Background(), `UPDATE principals SET recipient = 'age1pq1notarecipient' WHERE kind = 'escrow'`)
	s.Close()
	code, _, stderr = runCmd(t, runBackup, append(src.args(), "-out", filepath.Join(t.TempDir(), "d.age"))...)
	if code != 1 || !strings.Contains(stderr, "not a valid age recipient") {
		t.Errorf("bad recipient: exit %d %q", code, stderr)
	}

	// Not a deployment.
	code, _, stderr = runCmd(t, runBackup, "-data", t.TempDir(), "-out", filepath.Join(t.TempDir(), "e.age"))
	if code != 1 || !strings.Contains(stderr, "not an embrace deployment") {
		t.Errorf("not a deployment: exit %d %q", code, stderr)
	}
}

func TestBackupRestoreUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fn   func(context.Context, stdio, []string) int
		args []string
		code int
	}{
		{"backup without flags", runBackup, nil, 2},
		{"backup without -out", runBackup, []string{"-data", "x"}, 2},
		{"backup without -data", runBackup, []string{"-out", "x"}, 2},
		{"backup stray argument", runBackup, []string{"-data", "x", "-out", "y", "z"}, 2},
		{"backup help", runBackup, []string{"-h"}, 0},
		{"restore without flags", runRestore, nil, 2},
		{"restore without -identity", runRestore, []string{"-in", "x", "-data", "y"}, 2},
		{"restore without -data", runRestore, []string{"-in", "x", "-identity", "y"}, 2},
		{"restore without -in", runRestore, []string{"-identity", "x", "-data", "y"}, 2},
		{"restore unknown flag", runRestore, []string{"-force"}, 2},
		{"restore help", runRestore, []string{"-h"}, 0},
		{"restore missing file", runRestore, []string{"-in", "/nonexistent/b.age", "-identity", "/nonexistent/k", "-data", "/nonexistent/d"}, 1},
	}
	for _, tc := range cases {
		code, _, stderr := runCmd(t, tc.fn, tc.args...)
		if code != tc.code || (code != 0 && strings.TrimSpace(stderr) == "") {
			t.Errorf("%s: exit %d, want %d (%q)", tc.name, code, tc.code, stderr)
		}
	}
}

// BenchmarkBackupRestore10k times `embrace backup` and `embrace restore`
// (both passes) of a deployment holding 10,000 cases.
func BenchmarkBackupRestore10k(b *testing.B) {
	ctx := context.Background()
	for _, from := range backupEngines() {
		for _, to := range backupEngines() {
			b.Run(string(from)+"_to_"+string(to), func(b *testing.B) {
				src := newFixture(b, from, false, false)
				_, s, err := store.OpenDeployment(ctx, src.dir, src.dbURL)
				if err != nil {
					b.Fatal(err)
				}
				err = s.Tx(ctx, func(tx *sql.Tx) error {
					for i := range 10000 {
						if _, err := tx.ExecContext(ctx, `INSERT INTO cases (state, service, rank_band, region, contact_month, with_arms, dependants, created_day, updated_day)
							VALUES ('contacted', 'army', 'enlisted', 'MMR001', '2021-06', $1, $2, '2021-06-01', '2021-06-01')`, i%2 == 0, i%5); err != nil {
							return err
						}
					}
					return nil
				})
				s.Close()
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					t0 := time.Now()
					file := backup(b, src.place)
					t1 := time.Now()
					dst := newPlace(b, to)
					t2 := time.Now()
					if code, _, stderr := runCmd(b, runRestore, append(dst.args(), "-in", file, "-identity", src.idFile)...); code != 0 {
						b.Fatal(stderr)
					}
					b.ReportMetric(float64(t1.Sub(t0).Milliseconds()), "backup-ms")
					b.ReportMetric(float64(time.Since(t2).Milliseconds()), "restore-ms")
					st, _ := os.Stat(file)
					b.ReportMetric(float64(st.Size()>>10), "KiB")
				}
			})
		}
	}
}

// TestBackupCarriesNoSessions: a backup names the sessions table but none
// of its rows, so a restored deployment starts with everyone signed out
// and a backup never holds a live session.
func TestBackupCarriesNoSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newFixture(t, store.SQLite, true, false)
	_, s, err := store.OpenDeployment(ctx, src.dir, src.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.New(auth.Config{Store: s, Params: auth.CheapParams()})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a long walk to the border at night"
	_, en, err := svc.CreateAccount(ctx, auth.NewAccount{Username: "khin", Password: pw, Roles: []auth.Role{auth.RoleAnalyst}}, nil, cliActor)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Login(ctx, auth.LoginRequest{Username: "khin", Password: pw, Code: en.RecoveryCodes[0], Kind: auth.KindAPI}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	want := dbSnapshot(t, src.place)
	if len(want["auth_sessions"]) != 1 {
		t.Fatalf("the fixture has %d sessions", len(want["auth_sessions"]))
	}
	file := backup(t, src.place)
	dst := newPlace(t, store.SQLite)
	if code, _, stderr := runCmd(t, runRestore, append(dst.args(), "-in", file, "-identity", src.idFile)...); code != 0 {
		t.Fatalf("restore: %s", stderr)
	}
	got := dbSnapshot(t, dst)
	if len(got["auth_sessions"]) != 0 {
		t.Fatalf("the restored deployment has %d sessions", len(got["auth_sessions"]))
	}
	delete(want, "auth_sessions")
	delete(got, "auth_sessions")
	compareTables(t, want, got)
}
