package cli

// # Backups
//
// A backup file is a standard binary age file (age-encryption.org/v1)
// encrypted to the deployment's escrow recipient only, so the server that
// writes it cannot read it back and a seized backup reads as noise until
// k custodians recombine the escrow key (DESIGN §4). Its plaintext is a
// gzip stream of
//
//	{"kind":"embrace-backup","version":1,"marker":{…deployment.json…}}
//	… a logical dump of the database (format: internal/store/dump.go) …
//
// so `age -d -i escrow.key FILE | gunzip` shows it with standard tools.
// The plaintext only ever exists in memory: backup streams the snapshot
// through gzip into the age writer, and restore streams it back.
//
// Restore reads the file twice. The first pass decrypts and checks the
// whole stream without touching anything, so a wrong key, a truncated or
// altered file (age authenticates each 64 KiB chunk and the end of the
// stream) or a malformed or too new dump is refused before anything is
// created. The second pass creates the deployment and loads the dump in one
// transaction that commits only once the stream's end has been
// authenticated again; on failure the new deployment is removed.

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"embrace/internal/store"
)

const (
	backupKind    = "embrace-backup"
	backupVersion = 1
	// maxBackupHeader bounds the first line of a backup's plaintext.
	maxBackupHeader = 1 << 20
	// maxIdentityFile bounds what is read from an identity file.
	maxIdentityFile = 64 << 10
)

// backupHeader is the first line of a backup's plaintext.
type backupHeader struct {
	Kind    string          `json:"kind"`
	Version int             `json:"version"`
	Marker  json.RawMessage `json:"marker"`
}

func runBackup(ctx context.Context, std stdio, args []string) int {
	fset := newFlags(std, "backup", "backup -data DIR [-db URL] -out FILE")
	var db dbFlags
	db.register(fset, "")
	out := fset.String("out", "", "the backup `file` to write (it must not exist yet)")
	if code, ok := parseFlags(fset, args, false); !ok {
		return code
	}
	if db.data == "" {
		return usageError(std, "backup", "-data is required")
	}
	if *out == "" {
		return usageError(std, "backup", "-out is required")
	}
	if _, err := os.Lstat(*out); err == nil {
		return fail(std, "backup", fmt.Errorf("%s already exists: choose a new file name (backups never overwrite)", *out))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(std, "backup", err)
	}
	d, s, err := db.open(ctx)
	if err != nil {
		return fail(std, "backup", err)
	}
	defer s.Close()
	rcpt, err := escrowRecipient(ctx, s)
	if err != nil {
		return fail(std, "backup", err)
	}
	marker, err := os.ReadFile(filepath.Join(d.Dir, store.MarkerFile))
	if err != nil {
		return fail(std, "backup", fmt.Errorf("read %s: %w", store.MarkerFile, err))
	}
	size, err := writeBackup(ctx, s, rcpt, marker, *out)
	if err != nil {
		return fail(std, "backup", err)
	}
	fmt.Fprintf(std.Out, "Backed up deployment %s (%s) to %s (%d bytes), encrypted to the escrow key.\n", d.ID, d.Engine, *out, size)
	return 0
}

// escrowRecipient reads the escrow principal's age recipient: hybrid
// post-quantum (age1pq1…) or X25519 (age1…).
func escrowRecipient(ctx context.Context, s *store.Store) (age.Recipient, error) {
	rows, err := s.DB().QueryContext(ctx, "SELECT recipient FROM principals WHERE kind = 'escrow'")
	if err != nil {
		return nil, fmt.Errorf("read the escrow principal: %w", err)
	}
	var recipients []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read the escrow principal: %w", err)
		}
		recipients = append(recipients, r)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("read the escrow principal: %w", err)
	}
	rows.Close()
	switch len(recipients) {
	case 0:
		return nil, errors.New("this deployment has no escrow principal, so there is no key to encrypt a backup to: set up the escrow key first; nothing was written")
	case 1:
	default:
		return nil, fmt.Errorf("this deployment has %d escrow principals, expected one; nothing was written", len(recipients))
	}
	r := strings.TrimSpace(recipients[0])
	var rcpt age.Recipient
	if strings.HasPrefix(r, "age1pq1") {
		rcpt, err = age.ParseHybridRecipient(r)
	} else {
		rcpt, err = age.ParseX25519Recipient(r)
	}
	if err != nil {
		return nil, fmt.Errorf("the escrow principal's recipient is not a valid age recipient (%v); nothing was written", err)
	}
	return rcpt, nil
}

// writeBackup writes the encrypted backup to path.tmp and renames it to
// path, refusing to replace an existing file. It returns the file's size.
func writeBackup(ctx context.Context, s *store.Store, rcpt age.Recipient, marker []byte, path string) (size int64, err error) {
	// Marshal compacts the marker onto the header's one line.
	hdr, err := json.Marshal(backupHeader{Kind: backupKind, Version: backupVersion, Marker: json.RawMessage(marker)})
	if err != nil {
		return 0, fmt.Errorf("%s is damaged: %v", store.MarkerFile, err)
	}

	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return 0, fmt.Errorf("%s exists, left by an interrupted backup or one still running: remove it and try again", tmp)
	}
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	aw, err := age.Encrypt(f, rcpt)
	if err != nil {
		return 0, fmt.Errorf("encrypt: %v", err)
	}
	zw, err := gzip.NewWriterLevel(aw, gzip.DefaultCompression)
	if err != nil {
		return 0, err
	}
	if _, err = zw.Write(append(hdr, '\n')); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = s.Dump(ctx, zw); err != nil {
		return 0, err
	}
	if err = zw.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = aw.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err = f.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", tmp, err)
	}
	// A hard link fails if path exists, where a rename would replace it.
	if err = os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, fmt.Errorf("%s appeared while the backup was written: not replacing it", path)
		}
		if _, serr := os.Lstat(path); serr == nil {
			return 0, fmt.Errorf("%s appeared while the backup was written: not replacing it", path)
		}
		// The file system has no hard links: rename, having just checked.
		if err = os.Rename(tmp, path); err != nil {
			return 0, err
		}
	} else if err = os.Remove(tmp); err != nil {
		return 0, err
	}
	if dh, derr := os.Open(filepath.Dir(path)); derr == nil {
		dh.Sync()
		dh.Close()
	}
	return st.Size(), nil
}

func runRestore(ctx context.Context, std stdio, args []string) int {
	fset := newFlags(std, "restore", "restore -in FILE -identity ID-FILE -data NEWDIR [-db URL]")
	var db dbFlags
	db.register(fset, "")
	in := fset.String("in", "", "the backup `file` to restore")
	identity := fset.String("identity", "", "the escrow identity `file` (AGE-SECRET-KEY-…, from 'embrace escrow recover')")
	if code, ok := parseFlags(fset, args, false); !ok {
		return code
	}
	switch {
	case *in == "":
		return usageError(std, "restore", "-in is required")
	case *identity == "":
		return usageError(std, "restore", "-identity is required")
	case db.data == "":
		return usageError(std, "restore", "-data is required (a new directory)")
	}
	if entries, err := os.ReadDir(db.data); err == nil && len(entries) > 0 {
		return fail(std, "restore", fmt.Errorf("%s already exists and is not empty: restore creates a new deployment, give a new directory", db.data))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(std, "restore", err)
	}
	ids, err := readIdentities(*identity)
	if err != nil {
		return fail(std, "restore", err)
	}

	// Pass 1: decrypt and check everything; create nothing.
	marker, info, err := checkBackup(*in, ids)
	if err != nil {
		return fail(std, "restore", err)
	}

	// Pass 2: create the deployment and load it in one transaction.
	f, err := os.Open(*in)
	if err != nil {
		return fail(std, "restore", err)
	}
	defer f.Close()
	r, _, err := openBackup(f, *in, ids)
	if err != nil {
		return fail(std, "restore", err)
	}
	d, err := store.Restore(ctx, db.data, store.CreateOptions{DBURL: db.url(), ID: info.DeploymentID, Demo: marker.Demo}, marker.Created, r)
	if err != nil {
		return fail(std, "restore", restoreError(*in, err))
	}
	fmt.Fprintf(std.Out, "Restored deployment %s into %s (%s): schema %d, %d tables, %d rows, from a snapshot taken %s.\n",
		d.ID, d.Dir, d.Engine, info.Schema, len(info.Tables), info.Rows, info.Taken.Format("2006-01-02 15:04 UTC"))
	return 0
}

// readIdentities reads an age identity file: one AGE-SECRET-KEY-1… or
// AGE-SECRET-KEY-PQ-1… per line, # comments allowed.
func readIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxIdentityFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer clear(raw)
	if len(raw) > maxIdentityFile {
		return nil, fmt.Errorf("%s is too large to be an identity file", path)
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(raw)))
	if err != nil {
		// age's parse errors never quote key material.
		return nil, fmt.Errorf("%s is not an age identity file: %v", path, err)
	}
	return ids, nil
}

// checkBackup decrypts the whole backup at path and checks it: pass 1.
func checkBackup(path string, ids []age.Identity) (store.Deployment, store.DumpInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Deployment{}, store.DumpInfo{}, err
	}
	defer f.Close()
	r, marker, err := openBackup(f, path, ids)
	if err != nil {
		return store.Deployment{}, store.DumpInfo{}, err
	}
	info, err := store.CheckDump(r)
	if err != nil {
		return store.Deployment{}, store.DumpInfo{}, restoreError(path, err)
	}
	if marker.ID != info.DeploymentID {
		return store.Deployment{}, store.DumpInfo{}, fmt.Errorf("%s is not a valid embrace backup: its marker names deployment %s, its database %s", path, marker.ID, info.DeploymentID)
	}
	return marker, info, nil
}

// openBackup decrypts f and reads the backup header, returning a reader
// positioned at the dump and the deployment marker the backup carries.
func openBackup(f io.Reader, path string, ids []age.Identity) (io.Reader, store.Deployment, error) {
	ar, err := age.Decrypt(f, ids...)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, store.Deployment{}, fmt.Errorf("the identity cannot decrypt %s: it was encrypted to another key (is this the escrow key of that deployment?), or its header is damaged", path)
		}
		return nil, store.Deployment{}, fmt.Errorf("%s is not an age-encrypted file, or its header is damaged (%v)", path, err)
	}
	zr, err := gzip.NewReader(ar)
	if err != nil {
		return nil, store.Deployment{}, restoreError(path, &store.DumpReadError{Err: err})
	}
	br := bufio.NewReaderSize(zr, 64<<10)
	line, err := readHeaderLine(br)
	if err != nil {
		return nil, store.Deployment{}, restoreError(path, err)
	}
	var h backupHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Kind != backupKind {
		return nil, store.Deployment{}, fmt.Errorf("%s is not an embrace backup", path)
	}
	if h.Version != backupVersion {
		return nil, store.Deployment{}, fmt.Errorf("%s is an embrace backup of format %d, which this version cannot read: use a newer embrace", path, h.Version)
	}
	var marker store.Deployment
	if err := json.Unmarshal(h.Marker, &marker); err != nil || marker.ID == "" {
		return nil, store.Deployment{}, fmt.Errorf("%s is not a valid embrace backup: its deployment marker is damaged", path)
	}
	return br, marker, nil
}

// readHeaderLine reads the backup header line, bounded in length.
func readHeaderLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > maxBackupHeader {
			return nil, fmt.Errorf("%w: the backup header is too long", store.ErrDumpFormat)
		}
		if err == nil {
			return line[:len(line)-1], nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the backup ends before its header does", store.ErrDumpFormat)
		}
		return nil, &store.DumpReadError{Err: err}
	}
}

// restoreError turns a failure to read or load a backup into one line that
// says which kind of trouble it is.
func restoreError(path string, err error) error {
	switch {
	case errors.Is(err, store.ErrNewerSchema):
		return fmt.Errorf("cannot restore %s: %v", path, err)
	case errors.Is(err, store.ErrDumpFormat):
		return fmt.Errorf("%s is not a valid embrace backup (%v); nothing was restored", path, strings.TrimPrefix(err.Error(), "store: load: "))
	case errors.Is(err, store.ErrExists):
		return err
	}
	var rerr *store.DumpReadError
	if errors.As(err, &rerr) {
		return fmt.Errorf("%s is damaged or truncated (%v); nothing was restored", path, rerr.Err)
	}
	return fmt.Errorf("restoring %s failed, nothing was restored: %v", path, err)
}
