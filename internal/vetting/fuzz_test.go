package vetting_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"embrace/internal/auth"
	"embrace/internal/casework"
	"embrace/internal/casework/caseworktest"
	"embrace/internal/store/storetest"
	"embrace/internal/vetting"
)

// FuzzEntry: cleaning a watch-list entry never panics, accepts only valid
// text within bounds that names someone, and is idempotent (a cleaned
// entry cleans to itself).
func FuzzEntry(f *testing.F) {
	f.Add("ကျော်ဇော်ထွန်း", "Kyaw Zaw Tun", "Ko Htun, Bo Tun", "12/OuKaMa(N)123456", "BC-12345", "notes")
	f.Add("ေက်ာ္ေဇာ္ထြန္း", "", "", "", "", "")
	f.Add("", "", "", "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆", "", "")
	f.Add("\xff", "\u200b", ";;;", "1/", "1", strings.Repeat("x", 4001))
	f.Fuzz(func(t *testing.T, my, latin, aliases, nrc, svc, notes string) {
		e, err := vetting.ParseEntry(vetting.Entry{NameMy: my, NameLatin: latin, Aliases: aliases, NRC: nrc, ServiceNumber: svc, Notes: notes})
		if err != nil {
			if !errors.Is(err, vetting.ErrInvalid) {
				t.Fatalf("a refusal that is not ErrInvalid: %v", err)
			}
			var ie *vetting.InputError
			if errors.As(err, &ie) && strings.Contains(ie.Error(), my+latin) && my+latin != "" {
				t.Fatal("the error echoes the input")
			}
			return
		}
		for _, v := range []string{e.NameMy, e.NameLatin, e.Aliases, e.NRC, e.ServiceNumber, e.Notes} {
			if !utf8.ValidString(v) {
				t.Fatal("accepted invalid text")
			}
		}
		if e.NameMy == "" && e.NameLatin == "" && e.Aliases == "" && e.NRC == "" && e.ServiceNumber == "" {
			t.Fatal("accepted an entry naming nobody")
		}
		again, err := vetting.ParseEntry(e)
		if err != nil || again.NameMy != e.NameMy || again.NameLatin != e.NameLatin || again.Notes != e.Notes || again.NRC != e.NRC {
			t.Fatalf("cleaning is not idempotent: %v", err)
		}
	})
}

// FuzzDecision: only the three decisions and three risks pass.
func FuzzDecision(f *testing.F) {
	for _, d := range []string{"verified", "rejected", "suspected_infiltrator", "Verified", "", "verified "} {
		f.Add(d, "low")
	}
	f.Add("verified", "extreme")
	f.Fuzz(func(t *testing.T, decision, risk string) {
		err := vetting.ParseDecision(decision, risk)
		ok := (decision == "verified" || decision == "rejected" || decision == "suspected_infiltrator") && (risk == "low" || risk == "medium" || risk == "high")
		if (err == nil) != ok {
			t.Fatalf("ParseDecision(%q, %q) = %v", decision, risk, err)
		}
	})
}

// FuzzSniffEvidence: only the four allowed types pass, whatever the bytes.
func FuzzSniffEvidence(f *testing.F) {
	for _, s := range []string{"\x89PNG\r\n\x1a\n", "\xff\xd8\xff\xe0", "%PDF-1.7", "plain words", "<html>", "MZ\x90\x00", "GIF89a", "\x00\x01", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		ct, err := vetting.SniffEvidence(head)
		if err != nil {
			if !errors.Is(err, vetting.ErrFileType) {
				t.Fatal(err)
			}
			return
		}
		switch ct {
		case "image/jpeg", "image/png", "application/pdf", "text/plain":
		default:
			t.Fatalf("allowed %q", ct)
		}
	})
}

// FuzzChecklist: a parsed checklist is 1–20 distinct identifiers and
// parses to itself.
func FuzzChecklist(f *testing.F) {
	f.Add("identity_document,interview")
	f.Add(" a , a ,b")
	f.Add("Bad Kind")
	f.Fuzz(func(t *testing.T, v string) {
		ks, err := vetting.ParseChecklist(v)
		if err != nil {
			return
		}
		again, err := vetting.ParseChecklist(strings.Join(ks, ","))
		if err != nil || strings.Join(again, ",") != strings.Join(ks, ",") || len(ks) == 0 || len(ks) > 20 {
			t.Fatalf("checklist %q does not round-trip: %v", ks, err)
		}
	})
}

// FuzzAddEvidence streams arbitrary bytes as evidence into a real store:
// it is stored only when of an allowed type, and then opens to exactly
// the bytes sent.
func FuzzAddEvidence(f *testing.F) {
	for _, s := range []string{"\x89PNG\r\n\x1a\n\x00", "%PDF-1.4 x", "words", "<script>", ""} {
		f.Add([]byte(s))
	}
	tg := storetest.Targets(f)[0]
	s := storetest.New(f, tg)
	w := caseworktest.New(f, s)
	v := vetting.New(s, w.CW)
	in := w.Staff(f, "intake1", []auth.Role{auth.RoleIntakeOfficer}, "intake")
	off := w.Staff(f, "vetter1", []auth.Role{auth.RoleVettingOfficer}, "vetting")
	id := w.OpenCase(f, caseworktest.Case())
	w.Move(f, id, []string{casework.StateScreening, casework.StateVetting}, in)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, file []byte) {
		eid, err := v.AddEvidence(ctx, off.Actor, off.Ring, id, "interview", bytes.NewReader(file))
		if _, serr := vetting.SniffEvidence(file[:min(len(file), 512)]); (serr == nil) != (err == nil) {
			t.Fatalf("stored %v, sniffed %v", err, serr)
		}
		if err != nil {
			return
		}
		got, _, err := v.OpenEvidence(ctx, off.Actor, off.Ring, id, eid)
		if err != nil || !bytes.Equal(got, file) {
			t.Fatalf("evidence does not round-trip: %v", err)
		}
	})
}
