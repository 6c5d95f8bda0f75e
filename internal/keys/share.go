package keys

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Share is one custodian's share of the escrow identity.
type Share struct {
	DeploymentID string // the deployment the escrow key belongs to
	Index        int    // this share's number, 1…Total (its x coordinate)
	Threshold    int    // how many shares recover the key
	Total        int    // how many shares were made
	// Check is the same in every share of one split and differs between
	// splits (CheckSize bytes: a random split id, then a hash of the split id,
	// deployment id, Threshold, Total and the secret). It tells shares of
	// different splits apart and confirms a recombination.
	Check []byte
	Data  []byte // the share's values, one byte per byte of the secret
}

const (
	// CheckSize is the length of Share.Check: a 4-byte split id and an
	// 8-byte hash.
	CheckSize   = 12
	splitIDSize = 4

	shareHeader     = "EMBRACE ESCROW SHARE v1"
	shareHeaderStem = "EMBRACE ESCROW SHARE "
	maxShareData    = 512
	maxShareFile    = 8 << 10
	maxDeploymentID = 64
	charsPerLine    = 20
	groupSize       = 5
	lineCheckChars  = 2
	checksumChars   = 8

	escrowKindHybrid byte = 0x01
	escrowKindX25519 byte = 0x02
	escrowSecretSize      = 1 + seedSize

	lineCheckLabel = "embrace share line v1"
	checksumLabel  = "embrace share file v1"
	checkLabel     = "embrace escrow check v1"
)

const b32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// b32 is RFC 4648 base32 without padding. Decoding is not strict about the
// unused bits of the last character; ParseShare re-encodes to refuse that.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// validDeploymentID reports whether id is 1–64 of A–Z a–z 0–9 . _ -.
func validDeploymentID(id string) bool {
	if id == "" || len(id) > maxDeploymentID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (s Share) validate() error {
	switch {
	case !validDeploymentID(s.DeploymentID):
		return fmt.Errorf("deployment id must be 1–%d of A–Z a–z 0–9 . _ -", maxDeploymentID)
	case s.Total < 2 || s.Total > 255:
		return fmt.Errorf("total %d out of range 2–255", s.Total)
	case s.Index < 1 || s.Index > s.Total:
		return fmt.Errorf("share number %d out of range 1–%d", s.Index, s.Total)
	case s.Threshold < 2 || s.Threshold > s.Total:
		return fmt.Errorf("threshold %d out of range 2–%d", s.Threshold, s.Total)
	case len(s.Check) != CheckSize:
		return fmt.Errorf("check value must be %d bytes", CheckSize)
	case len(s.Data) < 1 || len(s.Data) > maxShareData:
		return fmt.Errorf("share data must be 1–%d bytes", maxShareData)
	}
	return nil
}

// lineCheck returns the two base32 characters that check key line lineNo
// (1-based) of share index, given the line's characters without spaces.
func lineCheck(index, lineNo int, chars string) string {
	h := sha256.New()
	h.Write([]byte(lineCheckLabel))
	h.Write([]byte{byte(index), byte(lineNo)})
	h.Write([]byte(chars))
	sum := h.Sum(nil)
	return string([]byte{b32Alphabet[sum[0]>>3], b32Alphabet[(sum[0]&7)<<2|sum[1]>>6]})
}

func fileChecksum(above []byte) string {
	h := sha256.New()
	h.Write([]byte(checksumLabel))
	h.Write(above)
	return b32.EncodeToString(h.Sum(nil)[:5])
}

// EncodeShare returns the share as a printable text file (see "Formats" in the
// package doc). It fails only for a Share that is out of range.
func EncodeShare(s Share) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, &shareError{ErrShareFormat, "encode share: " + err.Error()}
	}
	payload := make([]byte, 0, CheckSize+len(s.Data))
	payload = append(append(payload, s.Check...), s.Data...)
	chars := b32.EncodeToString(payload)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\ndeployment: %s\nshare: %d of %d\nthreshold: %d\n",
		shareHeader, s.DeploymentID, s.Index, s.Total, s.Threshold)
	for line := 1; len(chars) > 0; line++ {
		n := min(charsPerLine, len(chars))
		lc := chars[:n]
		chars = chars[n:]
		fmt.Fprintf(&b, "key-%d: ", line)
		for g := 0; g < len(lc); g += groupSize {
			if g > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(lc[g:min(g+groupSize, len(lc))])
		}
		fmt.Fprintf(&b, " / %s\n", lineCheck(s.Index, line, lc))
	}
	sum := fileChecksum(b.Bytes())
	fmt.Fprintf(&b, "checksum: %s\n", sum)
	return b.Bytes(), nil
}

// shareParser accumulates the context for error messages.
type shareParser struct {
	index int // 0 until the share line is read
}

func (p *shareParser) errf(kind error, line int, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	if p.index > 0 {
		msg = fmt.Sprintf("share %d: %s", p.index, msg)
	}
	return &shareError{kind, msg}
}

// parseNumber parses a canonical decimal number in 1…255.
func parseNumber(s string) (int, bool) {
	if s == "" || len(s) > 3 || (s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 255
}

// charHint explains a character that cannot appear in a key line.
func charHint(c byte) string {
	switch {
	case c >= 'a' && c <= 'z':
		return "use capital letters"
	case c == '0':
		return "there is no digit 0: did you mean the letter O?"
	case c == '1':
		return "there is no digit 1: did you mean the letter I or L?"
	case c == '8':
		return "there is no digit 8: did you mean the letter B?"
	case c == '9':
		return "there is no digit 9"
	}
	return "key lines use only A–Z and 2–7"
}

// ParseShare parses a share file made by EncodeShare. It accepts only the
// exact bytes EncodeShare produces, and names the share and line at fault:
// ErrShareFormat for something that is not a share or not spelled exactly as
// one, ErrShareDamaged for a line check or checksum that does not match.
func ParseShare(b []byte) (Share, error) {
	p := &shareParser{}
	if len(b) > maxShareFile {
		return Share{}, p.errf(ErrShareFormat, 0, "file too large to be an escrow share")
	}
	line := 1
	for _, c := range b {
		switch {
		case c == '\n':
			line++
		case c == '\r':
			return Share{}, p.errf(ErrShareFormat, line, "Windows line ending (CR): save the file with LF line endings")
		case c < 0x20 || c > 0x7e:
			if line == 1 {
				return Share{}, p.errf(ErrShareFormat, 0, "not an Embrace escrow share")
			}
			return Share{}, p.errf(ErrShareFormat, line, "unexpected byte 0x%02x", c)
		}
	}
	if len(b) == 0 || b[len(b)-1] != '\n' {
		if !bytes.HasPrefix(b, []byte(shareHeaderStem)) {
			return Share{}, p.errf(ErrShareFormat, 0, "not an Embrace escrow share")
		}
		return Share{}, p.errf(ErrShareFormat, 0, "file does not end with a newline (truncated?)")
	}
	lines := strings.Split(string(b[:len(b)-1]), "\n")

	if lines[0] != shareHeader {
		if strings.HasPrefix(lines[0], shareHeaderStem) {
			return Share{}, p.errf(ErrShareFormat, 1, "unsupported share version %q", strings.TrimPrefix(lines[0], shareHeaderStem))
		}
		return Share{}, p.errf(ErrShareFormat, 0, "not an Embrace escrow share")
	}
	if len(lines) < 7 {
		return Share{}, p.errf(ErrShareFormat, 0, "share is incomplete: %d lines, at least 7 expected", len(lines))
	}
	var s Share
	var ok bool
	s.DeploymentID, ok = strings.CutPrefix(lines[1], "deployment: ")
	if !ok || !validDeploymentID(s.DeploymentID) {
		return Share{}, p.errf(ErrShareFormat, 2, `expected "deployment: ID" with 1–%d of A–Z a–z 0–9 . _ -`, maxDeploymentID)
	}
	rest, ok := strings.CutPrefix(lines[2], "share: ")
	idx, total, ok2 := strings.Cut(rest, " of ")
	if !ok || !ok2 {
		return Share{}, p.errf(ErrShareFormat, 3, `expected "share: I of N"`)
	}
	if s.Index, ok = parseNumber(idx); !ok {
		return Share{}, p.errf(ErrShareFormat, 3, "share number must be 1–255 without leading zeros")
	}
	if s.Total, ok = parseNumber(total); !ok || s.Total < 2 || s.Index > s.Total {
		return Share{}, p.errf(ErrShareFormat, 3, "total must be 2–255 and at least the share number")
	}
	p.index = s.Index
	k, ok := strings.CutPrefix(lines[3], "threshold: ")
	if s.Threshold, ok2 = parseNumber(k); !ok || !ok2 || s.Threshold < 2 || s.Threshold > s.Total {
		return Share{}, p.errf(ErrShareFormat, 4, `expected "threshold: K" with 2 ≤ K ≤ %d`, s.Total)
	}

	// Key lines, then the checksum line, which must be the last. Their
	// syntax is checked first, then their checks.
	last := len(lines) - 1
	type keyLine struct {
		no           int // line number in the file
		chars, check string
	}
	var kls []keyLine
	for i := 4; i < last; i++ {
		no, n := i+1, i-3
		body, ok := strings.CutPrefix(lines[i], "key-"+strconv.Itoa(n)+": ")
		if !ok {
			if strings.HasPrefix(lines[i], "checksum: ") {
				return Share{}, p.errf(ErrShareFormat, no, "checksum line must be the last line")
			}
			return Share{}, p.errf(ErrShareFormat, no, `expected "key-%d: …"`, n)
		}
		if len(kls) > 0 && len(kls[len(kls)-1].chars) < charsPerLine {
			return Share{}, p.errf(ErrShareFormat, no-1, "only the last key line may be shorter than %d characters", charsPerLine)
		}
		groups, check, ok := strings.Cut(body, " / ")
		if !ok || len(check) != lineCheckChars || strings.Trim(check, b32Alphabet) != "" {
			return Share{}, p.errf(ErrShareFormat, no, `expected groups of letters, then " / " and two check characters`)
		}
		lc, err := p.groupChars(no, groups)
		if err != nil {
			return Share{}, err
		}
		kls = append(kls, keyLine{no, lc, check})
	}
	checksAs := func(index int) bool {
		for i, kl := range kls {
			if lineCheck(index, i+1, kl.chars) != kl.check {
				return false
			}
		}
		return true
	}
	var chars strings.Builder
	for i, kl := range kls {
		if subtle.ConstantTimeCompare([]byte(lineCheck(s.Index, i+1, kl.chars)), []byte(kl.check)) != 1 {
			// A changed share number breaks every line check at once;
			// say so rather than blame this line.
			for other := 1; other <= 255 && len(kls) > 1; other++ {
				if other != s.Index && checksAs(other) {
					return Share{}, p.errf(ErrShareDamaged, 3, "share number does not match the key lines, which check as share %d's", other)
				}
			}
			return Share{}, p.errf(ErrShareDamaged, kl.no, "check mismatch (typing error or damage)")
		}
		chars.WriteString(kl.chars)
	}
	if last < 5 {
		return Share{}, p.errf(ErrShareFormat, last+1, "no key lines")
	}
	sum, ok := strings.CutPrefix(lines[last], "checksum: ")
	if !ok || len(sum) != checksumChars || strings.Trim(sum, b32Alphabet) != "" {
		return Share{}, p.errf(ErrShareFormat, last+1, `expected "checksum: " and %d characters`, checksumChars)
	}
	above := len(b) - len(lines[last]) - 1
	if subtle.ConstantTimeCompare([]byte(fileChecksum(b[:above])), []byte(sum)) != 1 {
		return Share{}, p.errf(ErrShareDamaged, last+1, "checksum mismatch: this line or a header line (deployment, share, threshold) differs from the original")
	}

	payload, err := b32.DecodeString(chars.String())
	if err != nil || len(payload) <= CheckSize || len(payload) > CheckSize+maxShareData {
		return Share{}, p.errf(ErrShareFormat, 0, "key lines have an impossible length")
	}
	s.Check = payload[:CheckSize:CheckSize]
	s.Data = payload[CheckSize:]

	// The rules above should admit only what EncodeShare writes; this makes
	// sure of it, so that a share has exactly one spelling.
	canon, err := EncodeShare(s)
	if err != nil || !bytes.Equal(canon, b) {
		return Share{}, p.errf(ErrShareFormat, 0, "not in canonical form")
	}
	return s, nil
}

// groupChars checks the groups of a key line (single spaces between groups of
// five, the last group possibly shorter, at most four groups) and returns the
// characters without spaces.
func (p *shareParser) groupChars(no int, groups string) (string, error) {
	gs := strings.Split(groups, " ")
	if len(gs) > charsPerLine/groupSize {
		return "", p.errf(ErrShareFormat, no, "more than %d groups", charsPerLine/groupSize)
	}
	var out strings.Builder
	for j, g := range gs {
		if len(g) == 0 || len(g) > groupSize || (len(g) < groupSize && j != len(gs)-1) {
			return "", p.errf(ErrShareFormat, no, "groups must be %d characters separated by single spaces", groupSize)
		}
		for i := 0; i < len(g); i++ {
			if strings.IndexByte(b32Alphabet, g[i]) < 0 {
				return "", p.errf(ErrShareFormat, no, "character %q is not allowed: %s", g[i], charHint(g[i]))
			}
		}
		out.WriteString(g)
	}
	return out.String(), nil
}

// escrowCheck computes the check value of an escrow split: splitID followed
// by the first 8 bytes of SHA-256(label || splitID || uint32 len(id) || id ||
// k || n || secret).
func escrowCheck(splitID []byte, deploymentID string, k, n int, secret []byte) []byte {
	h := sha256.New()
	h.Write([]byte(checkLabel))
	h.Write(splitID)
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(deploymentID)))
	h.Write(l[:])
	h.Write([]byte(deploymentID))
	h.Write([]byte{byte(k), byte(n)})
	h.Write(secret)
	out := make([]byte, 0, CheckSize)
	out = append(out, splitID...)
	return append(out, h.Sum(nil)[:CheckSize-splitIDSize]...)
}

// SplitEscrow cuts the escrow identity into n shares of which any k recover it
// (2 ≤ k ≤ n ≤ 255), for the custodians of deployment deploymentID. The
// caller encodes them with EncodeShare, hands them out and wipes the
// identity; only its recipient stays on the server.
func SplitEscrow(id *Identity, deploymentID string, n, k int) ([]Share, error) {
	if !validDeploymentID(deploymentID) {
		return nil, fmt.Errorf("keys: split escrow: deployment id must be 1–%d of A–Z a–z 0–9 . _ -", maxDeploymentID)
	}
	if k < 2 || k > n || n > 255 {
		return nil, fmt.Errorf("keys: split escrow: need 2 ≤ k ≤ n ≤ 255, got k=%d n=%d", k, n)
	}
	seed, hybrid, err := id.seed()
	if err != nil {
		return nil, fmt.Errorf("keys: split escrow: %w", err)
	}
	secret := make([]byte, 0, escrowSecretSize)
	if hybrid {
		secret = append(secret, escrowKindHybrid)
	} else {
		secret = append(secret, escrowKindX25519)
	}
	secret = append(secret, seed...)
	clear(seed)
	defer clear(secret)
	parts, err := Split(secret, n, k)
	if err != nil {
		return nil, err
	}
	splitID := make([]byte, splitIDSize)
	if _, err := rand.Read(splitID); err != nil {
		return nil, fmt.Errorf("keys: split escrow: %v", err)
	}
	check := escrowCheck(splitID, deploymentID, k, n, secret)
	shares := make([]Share, n)
	for i, part := range parts {
		shares[i] = Share{
			DeploymentID: deploymentID,
			Index:        int(part[0]),
			Threshold:    k,
			Total:        n,
			Check:        check,
			Data:         part[1:],
		}
	}
	return shares, nil
}

// RecoverEscrow recombines at least Threshold shares of one split into the
// escrow identity. It refuses, with an error naming the share at fault,
// shares of different deployments or splits, a repeated share, too few
// shares, and a result that fails the shares' check value.
func RecoverEscrow(shares []Share) (*Identity, error) {
	if len(shares) == 0 {
		return nil, &shareError{ErrShareTooFew, "no shares given"}
	}
	first := shares[0]
	seen := make(map[int]bool, len(shares))
	for _, s := range shares {
		if err := s.validate(); err != nil {
			return nil, &shareError{ErrShareFormat, fmt.Sprintf("share %d: %v", s.Index, err)}
		}
		switch {
		case s.DeploymentID != first.DeploymentID:
			return nil, &shareError{ErrShareMismatch, fmt.Sprintf(
				"share %d is for deployment %q, share %d for %q", s.Index, s.DeploymentID, first.Index, first.DeploymentID)}
		case s.Threshold != first.Threshold || s.Total != first.Total:
			return nil, &shareError{ErrShareMismatch, fmt.Sprintf(
				"share %d says %d of %d, share %d says %d of %d", s.Index, s.Threshold, s.Total, first.Index, first.Threshold, first.Total)}
		case !bytes.Equal(s.Check, first.Check) || len(s.Data) != len(first.Data):
			return nil, &shareError{ErrShareMismatch, fmt.Sprintf(
				"shares %d and %d come from different splits (was the deployment initialised twice?)", first.Index, s.Index)}
		case seen[s.Index]:
			return nil, &shareError{ErrShareDuplicate, fmt.Sprintf("share %d given twice", s.Index)}
		}
		seen[s.Index] = true
	}
	if len(shares) < first.Threshold {
		return nil, &shareError{ErrShareTooFew, fmt.Sprintf(
			"need %d shares, have %d", first.Threshold, len(shares))}
	}
	parts := make([][]byte, len(shares))
	for i, s := range shares {
		parts[i] = append([]byte{byte(s.Index)}, s.Data...)
	}
	defer func() {
		for _, part := range parts {
			clear(part)
		}
	}()
	secret, err := Combine(parts...)
	if err != nil {
		return nil, &shareError{ErrShareFormat, err.Error()}
	}
	defer clear(secret)
	check := escrowCheck(first.Check[:splitIDSize], first.DeploymentID, first.Threshold, first.Total, secret)
	if subtle.ConstantTimeCompare(check, first.Check) != 1 {
		return nil, &shareError{ErrShareCheck, "recombined key fails its check: at least one share is not genuine"}
	}
	if len(secret) != escrowSecretSize || (secret[0] != escrowKindHybrid && secret[0] != escrowKindX25519) {
		return nil, &shareError{ErrShareCheck, "recombined secret is not an escrow key"}
	}
	id, err := identityFromSeed(secret[0] == escrowKindHybrid, secret[1:])
	if err != nil {
		return nil, &shareError{ErrShareCheck, "recombined secret is not a valid age identity"}
	}
	return id, nil
}
