package passage_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"embrace/internal/passage"
)

// FuzzParseLink: any path segment either is a link that prints back as
// itself, or is refused as an unknown link; never a panic.
func FuzzParseLink(f *testing.F) {
	for _, s := range []string{"", "abc", strings.Repeat("A", passage.LinkLen), strings.Repeat("_", passage.LinkLen),
		strings.Repeat("A", passage.LinkLen-1) + "=", strings.Repeat("A", passage.LinkLen-1) + "B", "../../etc/passwd", strings.Repeat("ဪ", 15)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := passage.ParseLink(s)
		if err != nil {
			if !errors.Is(err, passage.ErrLinkUnknown) {
				t.Fatalf("%v", err)
			}
			return
		}
		if l.Secret() != s || l.Path() != "/g/"+s || l.String() != "[redacted]" {
			t.Fatalf("round trip of %q", s)
		}
		l2, err := passage.ParseLink(l.Secret())
		if err != nil || l2 != l {
			t.Fatal("a parsed link does not parse again")
		}
	})
}

// FuzzParsePlanForm: any form gives a clean plan or a field error, and a
// clean plan is a fixed point of Clean.
func FuzzParsePlanForm(f *testing.F) {
	f.Add("traveller=p1&from_1=Myawaddy&to_1=Mae+Sot&start_1=2026-03-02T06:00&end_1=2026-03-02T12:00&guide_1=Ko+Lin&codeword_1=x")
	f.Add("traveller=p1&traveller=p2&from_2=a&to_2=b&start_2=2026-03-02T06:00:00&end_2=2026-03-02T07:00&guide_2=g")
	f.Add("traveller=p1&from_1=%ff&to_1=b")
	f.Add("from_13=a")
	f.Add("traveller=&from_1=a&to_1=b&start_1=2026-13-02T06:00&end_1=2026-03-02T07:00&guide_1=g")
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		p, err := passage.ParsePlanForm(7, form)
		if err != nil {
			if !errors.Is(err, passage.ErrInvalid) {
				t.Fatalf("not a field error: %v", err)
			}
			if passage.Field(err) == "" {
				t.Fatalf("field error without a field: %v", err)
			}
			return
		}
		if len(p.Legs) == 0 || len(p.Legs) > passage.MaxLegs || len(p.Travellers) == 0 {
			t.Fatalf("accepted a plan with %d legs and %d travellers", len(p.Legs), len(p.Travellers))
		}
		again := p
		again.Legs = append([]passage.Leg(nil), p.Legs...)
		if err := again.Clean(); err != nil {
			t.Fatalf("a clean plan is refused: %v", err)
		}
		for i := range p.Legs {
			if again.Legs[i] != p.Legs[i] {
				t.Fatalf("Clean is not idempotent on leg %d", i+1)
			}
			if _, _, err := p.Legs[i].Window(); err != nil {
				t.Fatalf("accepted leg %d has no window", i+1)
			}
		}
	})
}
