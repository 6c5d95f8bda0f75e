package web

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

// FuzzPersonForm: any form body either names the field it refuses or reads
// into a person whose form, read again, is the same person.
func FuzzPersonForm(f *testing.F) {
	f.Add("relation=child&name_my=%E1%80%A1&still_inside=1&risk=high")
	f.Add("relation=spouse&relation=child")
	f.Add("still_inside=yes&phone=09123")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		p, bad := personFromForm(form)
		if bad != "" {
			if _, ok := form[bad]; !ok {
				t.Fatalf("refused field %q is not in the form", bad)
			}
			return
		}
		again, bad := personFromForm(personForm(p))
		if bad != "" || !reflect.DeepEqual(p, again) {
			t.Fatalf("round trip: %+v → %+v (%q)", p, again, bad)
		}
	})
}

// FuzzCaseNumber: a case number is read from ASCII or Burmese digits only,
// and what is read writes back to the same digits.
func FuzzCaseNumber(f *testing.F) {
	f.Add("42")
	f.Add("၄၂")
	f.Add(" #7 ")
	f.Add("-1")
	f.Add("99999999999999999999")
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseCaseNumber(s)
		if !ok {
			return
		}
		if n <= 0 {
			t.Fatalf("%q read as %d", s, n)
		}
		if m, ok := parseCaseNumber(strconv.FormatInt(n, 10)); !ok || m != n {
			t.Fatalf("%d does not read back", n)
		}
		if m, ok := parseCaseNumber(localDigits(langMy, n)); !ok || m != n {
			t.Fatalf("%d in Burmese digits does not read back", n)
		}
	})
}
