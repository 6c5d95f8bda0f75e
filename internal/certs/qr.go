package certs

import (
	"bytes"
	"fmt"
	"image/png"
	"net/url"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// MaxQRToken is the longest token put in a QR code as it is: above it the
// code would need a version past 25 (117 modules at medium error
// correction), too dense for a worn phone camera on a printed page, so the
// code carries the short reference (QRPayload) instead.
const MaxQRToken = 1000

// QRPayload is what a certificate's QR code carries: the token itself when
// it is at most MaxQRToken characters, else the verification address with
// the certificate number (verifyURL + "?ref=NUMBER"), whose page answers
// valid, revoked or unknown without the claims.
func QRPayload(token, number, verifyURL string) string {
	if len(token) <= MaxQRToken {
		return token
	}
	return verifyURL + "?ref=" + url.QueryEscape(number)
}

// QRPNG renders payload as a PNG QR code with medium error correction,
// scaled to about px pixels a side.
func QRPNG(payload string, px int) ([]byte, error) {
	code, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("certs: qr: %w", err)
	}
	if px < code.Bounds().Dx() {
		px = code.Bounds().Dx()
	}
	px -= px % code.Bounds().Dx()
	code, err = barcode.Scale(code, px, px)
	if err != nil {
		return nil, fmt.Errorf("certs: qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, code); err != nil {
		return nil, fmt.Errorf("certs: qr: %w", err)
	}
	return buf.Bytes(), nil
}
