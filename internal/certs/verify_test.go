package certs

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// testKey returns a key set with one key and a token signed by it.
func testKey(t testing.TB) (KeySet, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return KeySet{"k1": pub}, priv
}

const goodPayload = `{"iss":"Test","jti":"EC-ABCD-EFGH-JKMN","iat":1700000000,"name_en":"Aung Myo Zaw","service":"army"}`

func mustSign(t testing.TB, priv ed25519.PrivateKey, kid, typ, payload string) string {
	t.Helper()
	tok, err := sign(priv, kid, typ, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// rawJWS signs header and payload as given, bypassing sign's header.
func rawJWS(priv ed25519.PrivateKey, header, payload string) string {
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	return in + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(priv, []byte(in)))
}

func badTokens(t testing.TB, priv ed25519.PrivateKey) map[string]string {
	good := mustSign(t, priv, "k1", TypeCertificate, goodPayload)
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding.EncodeToString
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	return map[string]string{
		"empty":            "",
		"truncated":        good[:len(good)-5],
		"two parts":        parts[0] + "." + parts[1],
		"four parts":       good + ".x",
		"altered payload":  parts[0] + "." + enc([]byte(strings.Replace(goodPayload, "army", "navy", 1))) + "." + parts[2],
		"alg none":         enc([]byte(`{"alg":"none","kid":"k1","typ":"embrace-cert+jwt"}`)) + "." + parts[1] + ".",
		"alg HS256":        rawJWS(priv, `{"alg":"HS256","kid":"k1","typ":"embrace-cert+jwt"}`, goodPayload),
		"alg RS256":        rawJWS(priv, `{"alg":"RS256","kid":"k1","typ":"embrace-cert+jwt"}`, goodPayload),
		"alg Ed25519":      rawJWS(priv, `{"alg":"Ed25519","kid":"k1","typ":"embrace-cert+jwt"}`, goodPayload),
		"unknown kid":      mustSign(t, priv, "k2", TypeCertificate, goodPayload),
		"other key":        mustSign(t, other, "k1", TypeCertificate, goodPayload),
		"crit":             rawJWS(priv, `{"alg":"EdDSA","kid":"k1","typ":"embrace-cert+jwt","crit":["exp"]}`, goodPayload),
		"no typ":           rawJWS(priv, `{"alg":"EdDSA","kid":"k1"}`, goodPayload),
		"duplicate alg":    rawJWS(priv, `{"alg":"none","alg":"EdDSA","kid":"k1"}`, goodPayload),
		"revocation typ":   mustSign(t, priv, "k1", TypeRevocations, goodPayload),
		"padding":          good + "=",
		"std base64":       strings.ReplaceAll(strings.ReplaceAll(good, "-", "+"), "_", "/") + "+",
		"duplicate claim":  mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","jti":"EC-ABCD-EFGH-JKMN","iat":1,"service":"army","service":"navy"}`),
		"unknown claim":    mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","jti":"EC-ABCD-EFGH-JKMN","iat":1,"nrc":"12/x"}`),
		"number claim":     mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","jti":"EC-ABCD-EFGH-JKMN","iat":1,"rank":5}`),
		"no jti":           mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","iat":1}`),
		"bad jti":          mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","jti":"x","iat":1}`),
		"float iat":        mustSign(t, priv, "k1", TypeCertificate, `{"iss":"T","jti":"EC-ABCD-EFGH-JKMN","iat":1.5}`),
		"payload array":    mustSign(t, priv, "k1", TypeCertificate, `[1]`),
		"trailing payload": mustSign(t, priv, "k1", TypeCertificate, goodPayload+`{}`),
		"too long":         mustSign(t, priv, "k1", TypeCertificate, `{"iss":"`+strings.Repeat("a", MaxToken)+`"}`),
	}
}

func TestVerifyToken(t *testing.T) {
	t.Parallel()
	ks, priv := testKey(t)
	good := mustSign(t, priv, "k1", TypeCertificate, goodPayload)
	c, err := VerifyToken(good, ks)
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != "EC-ABCD-EFGH-JKMN" || c.Issuer != "Test" || c.Public.NameEn != "Aung Myo Zaw" || c.Issued.Unix() != 1700000000 {
		t.Fatalf("%+v", c)
	}
	for name, tok := range badTokens(t, priv) {
		t.Run(name, func(t *testing.T) {
			_, err := VerifyToken(tok, ks)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("accepted or wrong error: %v", err)
			}
			if v := VerifyOffline(tok, ks, nil); v.Status != StatusInvalid || v.Problem == "" {
				t.Fatalf("verdict %+v", v)
			}
		})
	}
}

func TestRevocationList(t *testing.T) {
	t.Parallel()
	ks, priv := testKey(t)
	good := mustSign(t, priv, "k1", TypeRevocations, `{"iss":"T","iat":5,"revoked":[{"jti":"EC-ABCD-EFGH-JKMN","day":"2026-01-02","reason":"safety"}]}`)
	rl, err := VerifyRevocations(good, ks)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := rl.Find("EC-ABCD-EFGH-JKMN"); !ok || r.Day != "2026-01-02" {
		t.Fatalf("%+v", rl)
	}
	cert := mustSign(t, priv, "k1", TypeCertificate, goodPayload)
	if v := VerifyOffline(cert, ks, rl); v.Status != StatusRevoked || v.Revoked.Reason != "safety" {
		t.Fatalf("%+v", v)
	}
	for name, p := range map[string]string{
		"extra member":  `{"iss":"T","iat":5,"revoked":[],"x":1}`,
		"bad reason":    `{"iss":"T","iat":5,"revoked":[{"jti":"EC-ABCD-EFGH-JKMN","day":"2026-01-02","reason":"x"}]}`,
		"unknown field": `{"iss":"T","iat":5,"revoked":[{"jti":"EC-ABCD-EFGH-JKMN","day":"2026-01-02","reason":"safety","n":1}]}`,
		"not a list":    `{"iss":"T","iat":5,"revoked":null}`,
	} {
		if _, err := VerifyRevocations(mustSign(t, priv, "k1", TypeRevocations, p), ks); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := VerifyRevocations(cert, ks); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a certificate passed as a revocation list: %v", err)
	}
}

func TestParseJWKS(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"not json":  `x`,
		"empty":     `{"keys":[]}`,
		"rsa":       `{"keys":[{"kty":"RSA","kid":"a","n":"x","e":"AQAB"}]}`,
		"short x":   `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AAAA"}]}`,
		"x25519":    `{"keys":[{"kty":"OKP","crv":"X25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		"no kid":    `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
		"duplicate": `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"OKP","crv":"Ed25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`,
	} {
		if _, err := ParseJWKS([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// RFC 8037 appendix A.2's public key parses.
	ks, err := ParseJWKS([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"rfc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	if err != nil || len(ks["rfc"]) != 32 {
		t.Fatal(err)
	}
}

// TestRFC8037Vector checks the verifier against the signed example of RFC
// 8037 appendix A.4 (with our typ policy relaxed by checking verifyJWS's
// signature step through ed25519 directly).
func TestRFC8037Vector(t *testing.T) {
	t.Parallel()
	x, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	tok := "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
	p := strings.Split(tok, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(p[2])
	if !ed25519.Verify(x, []byte(p[0]+"."+p[1]), sig) {
		t.Fatal("RFC 8037 A.4 does not verify")
	}
	// Our verifier refuses it all the same: no kid, no typ.
	if _, err := VerifyToken(tok, KeySet{"rfc": x}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("accepted a token without kid and typ: %v", err)
	}
}

func TestQR(t *testing.T) {
	t.Parallel()
	short := strings.Repeat("a", 600)
	if QRPayload(short, "EC-ABCD-EFGH-JKMN", "https://x/verify") != short {
		t.Fatal("a short token is not carried as it is")
	}
	long := strings.Repeat("a", MaxQRToken+1)
	if got := QRPayload(long, "EC-ABCD-EFGH-JKMN", "https://x/verify"); got != "https://x/verify?ref=EC-ABCD-EFGH-JKMN" {
		t.Fatalf("long token: %q", got)
	}
	png, err := QRPNG(short, 300)
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatal("not a PNG")
	}
}

// FuzzVerify: no input makes the verifier panic, and anything it accepts
// is a well-formed certificate signed by the test key.
func FuzzVerify(f *testing.F) {
	ks, priv := testKey(f)
	f.Add(mustSign(f, priv, "k1", TypeCertificate, goodPayload))
	for _, tok := range badTokens(f, priv) {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := VerifyToken(tok, ks)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		if !ValidNumber(c.Number) || c.Kid != "k1" || c.Issuer == "" {
			t.Fatalf("accepted %+v", c)
		}
		_ = VerifyOffline(tok, ks, &RevocationList{})
		_, _ = VerifyRevocations(tok, ks)
	})
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	l := newLimiter(Rate{Every: time.Second, Burst: 2}, Rate{Every: time.Millisecond, Burst: 100})
	now := time.Unix(1000, 0)
	for i := range 2 {
		if ok, _ := l.allow("a", now); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	if ok, wait := l.allow("a", now); ok || wait < time.Second {
		t.Fatalf("third request: %v %v", ok, wait)
	}
	if ok, _ := l.allow("b", now); !ok {
		t.Fatal("another client refused")
	}
	if ok, _ := l.allow("a", now.Add(time.Second)); !ok {
		t.Fatal("not refilled")
	}
}

// FuzzRevocations: a revocation list file (outside input to the offline
// verifier) never panics, and an accepted one is well formed.
func FuzzRevocations(f *testing.F) {
	ks, priv := testKey(f)
	f.Add(mustSign(f, priv, "k1", TypeRevocations, `{"iss":"T","iat":5,"revoked":[{"jti":"EC-ABCD-EFGH-JKMN","day":"2026-01-02","reason":"safety"}]}`))
	f.Add(mustSign(f, priv, "k1", TypeRevocations, `{"iss":"T","iat":5,"revoked":[]}`))
	f.Add(mustSign(f, priv, "k1", TypeRevocations, `{"iss":"T","iat":5,"revoked":null}`))
	f.Add(mustSign(f, priv, "k1", TypeCertificate, goodPayload))
	f.Fuzz(func(t *testing.T, tok string) {
		l, err := VerifyRevocations(tok, ks)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		for _, r := range l.Revoked {
			if !ValidNumber(r.Number) || !ValidReason(r.Reason) {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}

// FuzzJWKS: a key set file never panics; an accepted one holds only
// 32-byte Ed25519 keys.
func FuzzJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"rfc","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"x","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := ParseJWKS(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		for kid, k := range ks {
			if len(k) != ed25519.PublicKeySize || !kidRE.MatchString(kid) {
				t.Fatalf("accepted key %q of %d bytes", kid, len(k))
			}
		}
	})
}
