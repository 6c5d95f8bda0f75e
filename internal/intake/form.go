package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"embrace/internal/keys"
	"embrace/internal/myanmar"
)

// Form is what a person sends through the contact form (or the API's JSON
// body). Who, Service and Region are green choices; every other field is
// red free text.
type Form struct {
	Token   string `json:"token"`
	Who     string `json:"who"`     // soldier, police, family, other
	Service string `json:"service"` // army, navy, air_force, police, unknown
	Rank    string `json:"rank"`
	Unit    string `json:"unit"`
	Region  string `json:"region"` // state/region code, or ""
	Place   string `json:"place"`
	Reach   string `json:"reach"` // how to reach them, optional
	Message string `json:"message"`
}

// File is an attachment given to Submit by Go code (the web and API read
// theirs from a multipart body). Its type is sniffed, not declared.
type File struct {
	Name string
	Body io.Reader
}

// Limits on text.
const (
	maxShortField = 500
	maxMessage    = 8000
	maxFileName   = 255
	maxParts      = 40
)

// Choices of the green fields.
var (
	whoChoices     = []string{"soldier", "police", "family", "other"}
	serviceChoices = []string{"army", "navy", "air_force", "police", "unknown"}
	// Channels a contact can come through; web is the contact form, the
	// rest are recorded by an officer.
	Channels = []string{"web", "phone", "facebook", "telegram", "signal"}
)

// WhoChoices lists the answers to "who are you", in order.
func WhoChoices() []string { return append([]string(nil), whoChoices...) }

// ServiceChoices lists the services a contact can name, in order.
func ServiceChoices() []string { return append([]string(nil), serviceChoices...) }

// allowedTypes are what attachments may be, by their sniffed type.
var allowedTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "application/pdf": true,
}

// details is the sealed record of a contact.
type details struct {
	Rank      string            `json:"rank,omitempty"`
	Unit      string            `json:"unit,omitempty"`
	Place     string            `json:"place,omitempty"`
	Reach     string            `json:"reach,omitempty"`
	Originals map[string]string `json:"originals,omitempty"`
}

// sealedMessage is the sealed record of a message.
type sealedMessage struct {
	Text     string `json:"text"`
	Original string `json:"original,omitempty"`
	Author   string `json:"by,omitempty"` // staff username, for staff replies
}

// attachmentMeta is the sealed record of an attachment's name and type.
type attachmentMeta struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// cleanText passes a red field through the Myanmar boundary and bounds it.
func cleanText(field, v string, max int, required bool) (string, string, error) {
	if len(v) > max*4 || utf8.RuneCountInString(v) > max {
		return "", "", &FieldError{field, "too_long"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return "", "", &FieldError{field, "not_text"}
	}
	val := strings.TrimSpace(t.Value)
	if required && val == "" {
		return "", "", &FieldError{field, "required"}
	}
	orig := ""
	if t.Converted {
		orig = t.Original
	}
	return val, orig, nil
}

func oneOf(field, v string, choices []string, dflt string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" && dflt != "" {
		return dflt, nil
	}
	for _, c := range choices {
		if v == c {
			return v, nil
		}
	}
	return "", &FieldError{field, "unknown_value"}
}

// cleaned is a validated form: green values and the red record.
type cleaned struct {
	who, service, rankBand, region string
	details                        details
	message                        sealedMessage
}

// clean validates f. It returns the first problem found, naming the field.
func clean(f Form) (cleaned, error) {
	var c cleaned
	var err error
	if c.who, err = oneOf("who", f.Who, whoChoices, ""); err != nil {
		return c, err
	}
	if c.service, err = oneOf("service", f.Service, serviceChoices, "unknown"); err != nil {
		return c, err
	}
	if r := strings.TrimSpace(f.Region); r != "" {
		if _, ok := myanmar.RegionByCode(r); !ok {
			return c, &FieldError{"region", "unknown_value"}
		}
		c.region = r
	}
	orig := map[string]string{}
	for _, fl := range []struct {
		name string
		in   string
		out  *string
	}{{"rank", f.Rank, &c.details.Rank}, {"unit", f.Unit, &c.details.Unit}, {"place", f.Place, &c.details.Place}, {"reach", f.Reach, &c.details.Reach}} {
		v, o, err := cleanText(fl.name, fl.in, maxShortField, false)
		if err != nil {
			return c, err
		}
		*fl.out = v
		if o != "" {
			orig[fl.name] = o
		}
	}
	if len(orig) > 0 {
		c.details.Originals = orig
	}
	if c.message.Text, c.message.Original, err = cleanText("message", f.Message, maxMessage, true); err != nil {
		return c, err
	}
	c.rankBand = "unknown"
	if c.details.Rank != "" && c.service != "unknown" {
		if r, ok := myanmar.LookupRank(myanmar.Service(c.service), c.details.Rank); ok {
			c.rankBand = string(r.Band)
		}
	}
	return c, nil
}

// sealedFile is an attachment sealed while it streamed in.
type sealedFile struct {
	id      string
	meta    []byte
	content []byte
}

// fileSealer seals attachments under one key as they stream in.
type fileSealer struct {
	k        *keys.DataKey // nil: benchmark without encryption
	maxFiles int
	maxSize  int64
	files    []sealedFile
	bytes    int64
}

// add reads one file from body, sniffs its type, and streams it through the
// encrypting writer into memory. An empty file (a file input left empty) is
// skipped.
func (fs *fileSealer) add(name string, body io.Reader) error {
	head := make([]byte, 512)
	n, err := io.ReadFull(body, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return readErr(err)
	}
	if n == 0 {
		return nil
	}
	head = head[:n]
	defer clear(head)
	if len(fs.files) >= fs.maxFiles {
		return ErrTooManyFiles
	}
	typ := http.DetectContentType(head)
	if i := strings.IndexByte(typ, ';'); i >= 0 {
		typ = typ[:i]
	}
	if !allowedTypes[typ] {
		return ErrFileType
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > maxFileName {
		name = name[:maxFileName]
		for !utf8.ValidString(name) && len(name) > 0 {
			name = name[:len(name)-1]
		}
	}
	cn, _, err := cleanText("files", name, maxFileName, false)
	if err != nil {
		return err
	}
	id := newID()
	var out bytes.Buffer
	var w io.WriteCloser = nopCloser{&out}
	if fs.k != nil {
		if w, err = keys.NewFieldWriter(&out, fs.k, attachmentPlace(id, "content")); err != nil {
			return fmt.Errorf("intake: seal file: %w", err)
		}
	}
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("intake: seal file: %w", err)
	}
	rest := fs.maxSize - int64(n)
	m, err := io.Copy(w, io.LimitReader(body, rest+1))
	if err != nil {
		return readErr(err)
	}
	if m > rest {
		return ErrFileTooLarge
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("intake: seal file: %w", err)
	}
	meta, err := json.Marshal(attachmentMeta{Name: cn, Type: typ, Size: int64(n) + m})
	if err != nil {
		return fmt.Errorf("intake: seal file: %w", err)
	}
	sm, err := sealWith(fs.k, attachmentPlace(id, "meta"), meta)
	if err != nil {
		return err
	}
	fs.files = append(fs.files, sealedFile{id: id, meta: sm, content: out.Bytes()})
	fs.bytes += int64(len(sm) + out.Len())
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// readErr maps an error reading the request to a sentinel.
func readErr(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return ErrTooLarge
	}
	return fmt.Errorf("%w: %v", ErrMalformed, errKind(err))
}

// errKind describes a read error without any of the data read.
func errKind(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated body"
	}
	return "unreadable body"
}

// textLimits are the text parts a form may carry and their byte limits.
var contactFields = map[string]int64{
	"token": 128, "who": 32, "service": 32, "rank": 4 * maxShortField, "unit": 4 * maxShortField, "region": 32,
	"place": 4 * maxShortField, "reach": 4 * maxShortField, "message": 4 * maxMessage, "lang": 8,
}

var followUpFields = map[string]int64{"receipt": 256, "message": 4 * maxMessage, "lang": 8}

// followUpBodyFields are the text parts of a follow-up whose receipt
// comes apart from the body.
var followUpBodyFields = map[string]int64{"message": 4 * maxMessage}

// parseParts reads a multipart form part by part: known text parts into a
// map (each at most once and within its limit), and parts named "files" to
// onFile as they stream. gate names the part that must come before any
// file (the token or the receipt); onGate checks it when it arrives. With
// no gate ("") files may come at once. Nothing is written to disk.
func parseParts(mr *multipart.Reader, limits map[string]int64, gate string, onGate func(string) error, onFile func(name string, r io.Reader) error) (map[string]string, error) {
	vals := map[string]string{}
	gated := gate == ""
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err)
		}
		if i >= maxParts {
			p.Close()
			return nil, fmt.Errorf("%w: too many parts", ErrMalformed)
		}
		name := p.FormName()
		if name == "files" {
			if !gated {
				p.Close()
				if err := onGate(""); err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("%w: files before %s", ErrMalformed, gate)
			}
			err := onFile(p.FileName(), p)
			p.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		limit, known := limits[name]
		if !known {
			// Unknown parts (a submit button's name, say) are read and
			// dropped, within a small limit.
			if _, err := io.Copy(io.Discard, io.LimitReader(p, 1024)); err != nil {
				p.Close()
				return nil, readErr(err)
			}
			p.Close()
			continue
		}
		if _, dup := vals[name]; dup {
			p.Close()
			return nil, fmt.Errorf("%w: a field is repeated", ErrMalformed)
		}
		b, err := io.ReadAll(io.LimitReader(p, limit+1))
		p.Close()
		if err != nil {
			return nil, readErr(err)
		}
		if int64(len(b)) > limit {
			if name == gate {
				return nil, onGateErr(gate)
			}
			return nil, &FieldError{name, "too_long"}
		}
		vals[name] = string(b)
		clear(b)
		if name == gate {
			if err := onGate(vals[name]); err != nil {
				return nil, err
			}
			gated = true
		}
	}
	if !gated {
		if err := onGate(""); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

func onGateErr(gate string) error {
	if gate == "receipt" {
		return ErrReceiptFormat
	}
	return ErrTokenInvalid
}

func formFrom(v map[string]string) Form {
	return Form{Token: v["token"], Who: v["who"], Service: v["service"], Rank: v["rank"], Unit: v["unit"],
		Region: v["region"], Place: v["place"], Reach: v["reach"], Message: v["message"]}
}
