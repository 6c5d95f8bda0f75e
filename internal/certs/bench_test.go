package certs

import (
	"strings"
	"testing"
)

// BenchmarkVerifyToken: parsing and checking one certificate token (the
// public verifier's cost before its one database lookup).
func BenchmarkVerifyToken(b *testing.B) {
	ks, priv := testKey(b)
	tok := mustSign(b, priv, "k1", TypeCertificate, `{"iss":"People's Embrace","jti":"EC-ABCD-EFGH-JKMN","iat":1700000000,"name_my":"အောင်မျိုးဇော်","name_en":"Aung Myo Zaw","service":"army","rank":"Captain","joined":"2021-05-01"}`)
	for b.Loop() {
		if _, err := VerifyToken(tok, ks); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(tok)), "token-bytes")
}

// BenchmarkQRPNG: rendering a certificate's QR code (served as its own
// request for this reason).
func BenchmarkQRPNG(b *testing.B) {
	tok := strings.Repeat("eyJhbGciOiJFZERTQSIsImtpZCI6IjIwMjYtMTEtQ084NFk2MHBsMXZnIiwidHlwIjoiZW1icmFjZS1jZXJ0K2p3dCJ9", 8)[:650]
	for b.Loop() {
		if _, err := QRPNG(tok, 360); err != nil {
			b.Fatal(err)
		}
	}
}
