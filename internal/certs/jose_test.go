package certs_test

import (
	"context"
	"encoding/json"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"embrace/internal/certs"
	"embrace/internal/store"
	"embrace/internal/store/storetest"
)

// TestIndependentJOSE verifies an issued certificate with go-jose, an
// independent, widely used JOSE implementation, using nothing but the
// published JWKS: what the issue promises allies who do not run Embrace.
func TestIndependentJOSE(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		ref, err := f.svc.Request(ctx, f.handler.Actor, f.handler.Ring, f.verified, certs.RequestInput{
			Joined: "2022-03-01", Public: []string{certs.ClaimNameMy, certs.ClaimNameEn, certs.ClaimJoined}})
		if err != nil {
			t.Fatal(err)
		}
		token, err := f.svc.Issue(ctx, f.officer.Actor, f.officer.Ring, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := f.svc.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(doc)
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(raw, &set); err != nil {
			t.Fatalf("go-jose refuses our JWKS: %v", err)
		}

		sig, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatalf("go-jose refuses the token: %v", err)
		}
		kid := sig.Signatures[0].Header.KeyID
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Fatalf("kid %q: %d keys in the JWKS", kid, len(keys))
		}
		payload, err := sig.Verify(keys[0])
		if err != nil {
			t.Fatalf("go-jose: signature does not verify: %v", err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["jti"] != ref.Number || claims["name_en"] != "Aung Myo Zaw" || claims["joined"] != "2022-03-01" {
			t.Fatalf("claims %v", claims)
		}
		if _, ok := claims["rank"]; ok {
			t.Fatal("a private claim is in the token")
		}

		// As a JWT: standard claims parse and check.
		tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatal(err)
		}
		var std jwt.Claims
		if err := tok.Claims(keys[0], &std); err != nil {
			t.Fatal(err)
		}
		if std.ID != ref.Number || std.Issuer != certs.DefaultIssuer || std.IssuedAt == nil {
			t.Fatalf("standard claims %+v", std)
		}

		// An altered token fails in go-jose too.
		bad := token[:len(token)-3] + "AAA"
		if bs, err := jose.ParseSigned(bad, []jose.SignatureAlgorithm{jose.EdDSA}); err == nil {
			if _, err := bs.Verify(keys[0]); err == nil {
				t.Fatal("go-jose accepts an altered token")
			}
		}
	})
}
