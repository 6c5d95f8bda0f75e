package api

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"embrace/internal/certs"
	"embrace/internal/store/storetest"
)

// FuzzAPIVerify: any body posted to POST /certificates/verify gets the
// verdict or the error shape, never a 500.
func FuzzAPIVerify(f *testing.F) {
	f.Add(`{"token":"eyJhbGciOiJFZERTQSJ9.e30.AA"}`)
	f.Add(`{"token":""}`)
	f.Add(`{"token":1}`)
	f.Add(`{"token":"a","token":"b"}`)
	f.Add(`[]`)
	st := storetest.New(f, storetest.Targets(f)[0])
	e := newAPIEnv(f, st)
	// Every fuzz input comes from one client: lift the limits.
	e.certs.SetRates(certs.Rate{Every: time.Nanosecond, Burst: 1 << 30}, certs.Rate{Every: time.Nanosecond, Burst: 1 << 30})
	f.Fuzz(func(t *testing.T, body string) {
		rec := e.do(t, "POST", "/api/v1/certificates/verify", "", body)
		switch rec.Code {
		case http.StatusOK:
			var v verdictJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Status == "" {
				t.Fatalf("200 without a verdict: %s", rec.Body.String())
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			errorCode(t, rec)
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
