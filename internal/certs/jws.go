package certs

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Token types (the JOSE "typ" header) of the two signed documents.
const (
	TypeCertificate = "embrace-cert+jwt"
	TypeRevocations = "embrace-revocations+jwt"
	// Alg is the only signature algorithm made or accepted.
	Alg = "EdDSA"
)

// Size limits of what is parsed.
const (
	// MaxToken bounds a certificate token (a typical one is under 700
	// characters).
	MaxToken = 8 << 10
	// MaxRevocations bounds a signed revocation list.
	MaxRevocations = 8 << 20
	// MaxJWKS bounds a key set file.
	MaxJWKS   = 1 << 20
	maxHeader = 512
	maxClaim  = 300
)

// ErrInvalid is wrapped by every refusal of a token, key set or revocation
// list: the message says what is wrong with its form, never its content.
var ErrInvalid = errors.New("not valid")

func invalidf(format string, a ...any) error {
	return fmt.Errorf("certs: %w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

var (
	kidRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	numberRE = regexp.MustCompile(`^EC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)
	dayRE    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// ValidNumber reports whether s has the form of a certificate number.
func ValidNumber(s string) bool { return numberRE.MatchString(s) }

// Claim names, as they appear in a token.
const (
	ClaimNameMy  = "name_my"
	ClaimNameEn  = "name_en"
	ClaimService = "service"
	ClaimRank    = "rank"
	ClaimJoined  = "joined"
)

// ClaimNames lists the claims a certificate may carry, in display order.
func ClaimNames() []string {
	return []string{ClaimNameMy, ClaimNameEn, ClaimService, ClaimRank, ClaimJoined}
}

// Claims are what a certificate says about its holder. Which of them are
// public is the holder's choice; only those go into the token.
type Claims struct {
	NameMy  string `json:"name_my,omitempty"`
	NameEn  string `json:"name_en,omitempty"`
	Service string `json:"service,omitempty"`
	Rank    string `json:"rank,omitempty"`
	Joined  string `json:"joined,omitempty"`
}

// Get returns the claim named name ("" for an unknown name).
func (c Claims) Get(name string) string {
	switch name {
	case ClaimNameMy:
		return c.NameMy
	case ClaimNameEn:
		return c.NameEn
	case ClaimService:
		return c.Service
	case ClaimRank:
		return c.Rank
	case ClaimJoined:
		return c.Joined
	}
	return ""
}

func (c *Claims) set(name, v string) bool {
	switch name {
	case ClaimNameMy:
		c.NameMy = v
	case ClaimNameEn:
		c.NameEn = v
	case ClaimService:
		c.Service = v
	case ClaimRank:
		c.Rank = v
	case ClaimJoined:
		c.Joined = v
	default:
		return false
	}
	return true
}

// Only returns the claims named in public, the others emptied.
func (c Claims) Only(public []string) Claims {
	var out Claims
	for _, n := range public {
		out.set(n, c.Get(n))
	}
	return out
}

// Certificate is the content of a verified certificate token.
type Certificate struct {
	Number string
	Issuer string
	Issued time.Time
	Kid    string
	Public Claims
}

// Revoked is one entry of a revocation list.
type Revoked struct {
	Number string `json:"jti"`
	Day    string `json:"day"`
	Reason string `json:"reason"`
}

// RevocationList is the content of a verified revocation list.
type RevocationList struct {
	Issuer  string
	Issued  time.Time
	Kid     string
	Revoked []Revoked
}

// Find returns the entry for number.
func (l *RevocationList) Find(number string) (Revoked, bool) {
	if l == nil {
		return Revoked{}, false
	}
	for _, r := range l.Revoked {
		if r.Number == number {
			return r, true
		}
	}
	return Revoked{}, false
}

// KeySet maps key ids to Ed25519 public keys: the verifier's trust.
type KeySet map[string]ed25519.PublicKey

var b64 = base64.RawURLEncoding.Strict()

// sign makes a compact JWS of payload (a JSON object) with typ and kid.
func sign(priv ed25519.PrivateKey, kid, typ string, payload []byte) (string, error) {
	h, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{Alg, kid, typ})
	if err != nil {
		return "", err
	}
	in := b64.EncodeToString(h) + "." + b64.EncodeToString(payload)
	return in + "." + b64.EncodeToString(ed25519.Sign(priv, []byte(in))), nil
}

// verifyJWS checks the form and signature of a compact JWS of type typ and
// returns its kid and payload. Policy (documented in the package doc):
// exactly three base64url parts without padding; the header is a JSON
// object with exactly the members alg, kid and typ, alg must be EdDSA and
// kid a key of ks; no duplicate members anywhere.
func verifyJWS(token, typ string, ks KeySet, limit int) (string, []byte, error) {
	if len(token) > limit {
		return "", nil, invalidf("too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", nil, invalidf("a token has three parts separated by dots")
	}
	if len(parts[0]) > maxHeader*4/3+4 {
		return "", nil, invalidf("header too long")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return "", nil, invalidf("header is not base64url")
	}
	hm, err := strictObject(hb)
	if err != nil {
		return "", nil, invalidf("header: %v", err)
	}
	if len(hm) != 3 {
		return "", nil, invalidf("header must have exactly alg, kid and typ")
	}
	alg, ok1 := jsonString(hm["alg"])
	kid, ok2 := jsonString(hm["kid"])
	gotTyp, ok3 := jsonString(hm["typ"])
	if !ok1 || !ok2 || !ok3 {
		return "", nil, invalidf("header must have exactly alg, kid and typ")
	}
	if alg != Alg {
		return "", nil, invalidf("algorithm must be EdDSA")
	}
	if gotTyp != typ {
		return "", nil, invalidf("wrong token type")
	}
	pub, ok := ks[kid]
	if !kidRE.MatchString(kid) || !ok || len(pub) != ed25519.PublicKeySize {
		return "", nil, invalidf("unknown key")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", nil, invalidf("signature is malformed")
	}
	if !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return "", nil, invalidf("signature does not match")
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return "", nil, invalidf("payload is not base64url")
	}
	return kid, pb, nil
}

// strictObject decodes one JSON object into its members, refusing
// duplicate member names, invalid UTF-8 and anything after the object.
func strictObject(b []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errors.New("not a JSON object")
		}
		k, ok := t.(string)
		if !ok {
			return nil, errors.New("not a JSON object")
		}
		if _, dup := out[k]; dup {
			return nil, errors.New("duplicate member")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("not a JSON object")
		}
		out[k] = v
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return out, nil
}

func jsonString(r json.RawMessage) (string, bool) {
	if len(r) == 0 || r[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		return "", false
	}
	return s, true
}

func jsonTime(r json.RawMessage) (time.Time, bool) {
	var n json.Number
	if len(r) == 0 || json.Unmarshal(r, &n) != nil {
		return time.Time{}, false
	}
	v, err := n.Int64()
	if err != nil || v <= 0 || v > 253402300799 {
		return time.Time{}, false
	}
	return time.Unix(v, 0).UTC(), true
}

// VerifyToken checks a certificate token against ks and returns what it
// certifies. It never panics; every refusal wraps ErrInvalid. Payload
// policy: members iss, jti and iat are required, the claim members are
// optional strings, every other member (and any duplicate) is refused.
func VerifyToken(token string, ks KeySet) (Certificate, error) {
	kid, pb, err := verifyJWS(strings.TrimSpace(token), TypeCertificate, ks, MaxToken)
	if err != nil {
		return Certificate{}, err
	}
	m, err := strictObject(pb)
	if err != nil {
		return Certificate{}, invalidf("payload: %v", err)
	}
	c := Certificate{Kid: kid}
	var ok bool
	if c.Issuer, ok = jsonString(m["iss"]); !ok || c.Issuer == "" || len(c.Issuer) > maxClaim {
		return Certificate{}, invalidf("payload: issuer missing")
	}
	if c.Number, ok = jsonString(m["jti"]); !ok || !ValidNumber(c.Number) {
		return Certificate{}, invalidf("payload: certificate number missing or malformed")
	}
	if c.Issued, ok = jsonTime(m["iat"]); !ok {
		return Certificate{}, invalidf("payload: issue time missing or malformed")
	}
	for k, v := range m {
		switch k {
		case "iss", "jti", "iat":
			continue
		}
		s, ok := jsonString(v)
		if !ok || len(s) > maxClaim || !c.Public.set(k, s) {
			return Certificate{}, invalidf("payload: unexpected member")
		}
	}
	return c, nil
}

// VerifyRevocations checks a signed revocation list against ks.
func VerifyRevocations(token string, ks KeySet) (*RevocationList, error) {
	kid, pb, err := verifyJWS(strings.TrimSpace(token), TypeRevocations, ks, MaxRevocations)
	if err != nil {
		return nil, err
	}
	m, err := strictObject(pb)
	if err != nil {
		return nil, invalidf("payload: %v", err)
	}
	if len(m) != 3 {
		return nil, invalidf("payload: a revocation list has exactly iss, iat and revoked")
	}
	l := &RevocationList{Kid: kid}
	var ok bool
	if l.Issuer, ok = jsonString(m["iss"]); !ok || l.Issuer == "" {
		return nil, invalidf("payload: issuer missing")
	}
	if l.Issued, ok = jsonTime(m["iat"]); !ok {
		return nil, invalidf("payload: issue time missing")
	}
	dec := json.NewDecoder(bytes.NewReader(m["revoked"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l.Revoked); err != nil || l.Revoked == nil && string(m["revoked"]) != "[]" {
		return nil, invalidf("payload: revoked must be a list")
	}
	for _, r := range l.Revoked {
		if !ValidNumber(r.Number) || !dayRE.MatchString(r.Day) || !ValidReason(r.Reason) {
			return nil, invalidf("payload: malformed revocation entry")
		}
	}
	return l, nil
}

// JWK is one public key of a JWKS (RFC 7517, OKP keys per RFC 8037).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// KeySet turns a JWKS into a KeySet: every key must be an Ed25519 OKP key
// with a well-formed, unique kid.
func (j JWKS) KeySet() (KeySet, error) {
	ks := KeySet{}
	for _, k := range j.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || !kidRE.MatchString(k.Kid) || (k.Alg != "" && k.Alg != Alg) {
			return nil, invalidf("key set: only Ed25519 keys with a key id are accepted")
		}
		x, err := b64.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, invalidf("key set: malformed public key")
		}
		if _, dup := ks[k.Kid]; dup {
			return nil, invalidf("key set: duplicate key id")
		}
		ks[k.Kid] = ed25519.PublicKey(x)
	}
	if len(ks) == 0 {
		return nil, invalidf("key set: no keys")
	}
	return ks, nil
}

// ParseJWKS parses a JWKS document.
func ParseJWKS(b []byte) (KeySet, error) {
	if len(b) > MaxJWKS {
		return nil, invalidf("key set: too long")
	}
	var j JWKS
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, invalidf("key set: not a JWKS document")
	}
	return j.KeySet()
}

// PublicJWK is the JWK of one Ed25519 public key.
func PublicJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: kid, Alg: Alg, Use: "sig"}
}

// Status is the answer to "is this certificate good?".
type Status string

// The answers a verification gives.
const (
	StatusValid   Status = "valid"
	StatusRevoked Status = "revoked"
	StatusUnknown Status = "unknown"
	StatusInvalid Status = "invalid"
)

// Verdict is a verification's answer: the status and, unless invalid, the
// certificate's public content.
type Verdict struct {
	Status      Status
	Certificate Certificate
	Revoked     Revoked
	// Problem says, for an invalid token, what is wrong with it (form
	// only, never content).
	Problem string
}

// VerifyOffline verifies token with ks and, when rl is not nil, looks it up
// in the revocation list. Without a list, a good signature is "valid".
func VerifyOffline(token string, ks KeySet, rl *RevocationList) Verdict {
	c, err := VerifyToken(token, ks)
	if err != nil {
		return Verdict{Status: StatusInvalid, Problem: problem(err)}
	}
	if r, ok := rl.Find(c.Number); ok {
		return Verdict{Status: StatusRevoked, Certificate: c, Revoked: r}
	}
	return Verdict{Status: StatusValid, Certificate: c}
}

func problem(err error) string {
	s := err.Error()
	if i := strings.Index(s, ErrInvalid.Error()+": "); i >= 0 {
		return s[i+len(ErrInvalid.Error())+2:]
	}
	return "not valid"
}
