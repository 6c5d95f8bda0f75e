package passage

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"embrace/internal/myanmar"
)

// TimeLayout is how a leg's window is written: local time in Myanmar
// (UTC+06:30), to the minute, as an HTML datetime-local input sends it.
const TimeLayout = "2006-01-02T15:04"

// Zone is the time zone of a leg's window.
var Zone = time.FixedZone("MMT", 6*3600+30*60)

// Limits of a plan.
const (
	MaxLegs       = 12
	MaxTravellers = 20
	maxPlace      = 300
	maxGuide      = 120
	maxCodeword   = 120
	maxNotes      = 2000
	// MaxProblem bounds a guide's problem message.
	MaxProblem = 500
	// maxWindow bounds one leg's window.
	maxWindow = 14 * 24 * time.Hour
)

// Leg is one leg of a route, all of it amber: it is sealed under the leg's
// own key and prints as [redacted].
type Leg struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Guide    string `json:"guide"`
	Codeword string `json:"codeword"`
	Notes    string `json:"notes"`
}

// String keeps a leg out of logs and error messages.
func (Leg) String() string { return "[redacted]" }

// GoString keeps a leg out of %#v.
func (Leg) GoString() string { return "[redacted]" }

// LogValue keeps a leg out of logs.
func (Leg) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Window returns the leg's start and end instants.
func (l Leg) Window() (start, end time.Time, err error) {
	start, err = time.ParseInLocation(TimeLayout, l.Start, Zone)
	if err != nil {
		return start, end, err
	}
	end, err = time.ParseInLocation(TimeLayout, l.End, Zone)
	return start, end, err
}

// NewPlan is what a coordinator plans: which of the case's people travel
// (person ids) and the legs in order.
type NewPlan struct {
	CaseID     int64    `json:"case_id"`
	Travellers []string `json:"travellers"`
	Legs       []Leg    `json:"legs"`
	// originals holds each leg's Zawgyi originals, set by Clean.
	originals []map[string]string
}

func cleanText(field, v string, limit int, required bool) (string, error) {
	t, err := cleanTextKeep(field, v, limit, required)
	return t.Value, err
}

// cleanTextKeep is cleanText returning the whole myanmar.Text, so that a
// Zawgyi original can be kept (sealed) beside the converted text.
func cleanTextKeep(field, v string, limit int, required bool) (myanmar.Text, error) {
	if len(v) > limit {
		return myanmar.Text{}, &FieldError{field, "is too long (at most " + strconv.Itoa(limit) + " bytes)"}
	}
	t, err := myanmar.Clean(v)
	if err != nil {
		return myanmar.Text{}, &FieldError{field, "is not valid text"}
	}
	if required && t.Value == "" {
		return myanmar.Text{}, &FieldError{field, "is required"}
	}
	return t, nil
}

// clean checks leg number n (1-based) and puts its text through the
// Myanmar boundary. It returns the Zawgyi originals of the fields it
// converted, by field name (nil when none).
func (l *Leg) clean(n int) (map[string]string, error) {
	var originals map[string]string
	for _, fld := range []struct {
		name     string
		v        *string
		limit    int
		required bool
	}{{"from", &l.From, maxPlace, true}, {"to", &l.To, maxPlace, true}, {"guide", &l.Guide, maxGuide, true},
		{"codeword", &l.Codeword, maxCodeword, false}, {"notes", &l.Notes, maxNotes, false}} {
		t, err := cleanTextKeep("leg"+strconv.Itoa(n)+"."+fld.name, *fld.v, fld.limit, fld.required)
		if err != nil {
			return nil, err
		}
		*fld.v = t.Value
		if t.Converted {
			if originals == nil {
				originals = map[string]string{}
			}
			originals[fld.name] = t.Original
		}
	}
	f := func(name string) string { return "leg" + strconv.Itoa(n) + "." + name }
	l.Start, l.End = strings.TrimSpace(l.Start), strings.TrimSpace(l.End)
	if len(l.Start) > 16 && strings.Count(l.Start, ":") == 2 {
		l.Start = l.Start[:16] // seconds, as some browsers send them
	}
	if len(l.End) > 16 && strings.Count(l.End, ":") == 2 {
		l.End = l.End[:16]
	}
	start, err := time.ParseInLocation(TimeLayout, l.Start, Zone)
	if err != nil || len(l.Start) != len(TimeLayout) {
		return nil, &FieldError{f("start"), "must be a date and time (YYYY-MM-DDTHH:MM)"}
	}
	end, err := time.ParseInLocation(TimeLayout, l.End, Zone)
	if err != nil || len(l.End) != len(TimeLayout) {
		return nil, &FieldError{f("end"), "must be a date and time (YYYY-MM-DDTHH:MM)"}
	}
	if !end.After(start) {
		return nil, &FieldError{f("end"), "must be after the start"}
	}
	if end.Sub(start) > maxWindow {
		return nil, &FieldError{f("end"), "is more than 14 days after the start"}
	}
	return originals, nil
}

// Clean checks a plan and puts its text through the Myanmar boundary.
func (p *NewPlan) Clean() error {
	if p.CaseID <= 0 {
		return &FieldError{"case", "is required"}
	}
	if len(p.Travellers) == 0 {
		return &FieldError{"travellers", "choose at least one person"}
	}
	if len(p.Travellers) > MaxTravellers {
		return &FieldError{"travellers", "are too many"}
	}
	seen := map[string]bool{}
	for _, t := range p.Travellers {
		if t == "" || len(t) > 64 || seen[t] {
			return &FieldError{"travellers", "must be distinct people of the case"}
		}
		seen[t] = true
	}
	if len(p.Legs) == 0 {
		return &FieldError{"legs", "a route needs at least one leg"}
	}
	if len(p.Legs) > MaxLegs {
		return &FieldError{"legs", "are too many (at most " + strconv.Itoa(MaxLegs) + ")"}
	}
	var prevEnd time.Time
	// A plan cleaned twice (parsed from a form, then planned) keeps the
	// originals the first pass found: the second sees Unicode only.
	prev := p.originals
	p.originals = make([]map[string]string, len(p.Legs))
	for i := range p.Legs {
		o, err := p.Legs[i].clean(i + 1)
		if err != nil {
			return err
		}
		if o == nil && i < len(prev) {
			o = prev[i]
		}
		p.originals[i] = o
		// Legs follow each other: a leg's window does not end before the
		// previous one's, so the first leg not handed over is the one that
		// goes overdue first (Alerts opens only that one).
		_, end, _ := p.Legs[i].Window()
		if i > 0 && end.Before(prevEnd) {
			return &FieldError{"leg" + strconv.Itoa(i+1) + ".end", "is before the previous leg's end"}
		}
		prevEnd = end
	}
	return nil
}

// ParsePlanForm reads the plan form: "traveller" (repeated person ids)
// and, for legs numbered 1 to MaxLegs, from_N, to_N, start_N, end_N,
// guide_N, codeword_N and notes_N. A leg whose fields are all empty is
// skipped; legs keep their numbers' order.
func ParsePlanForm(caseID int64, form url.Values) (NewPlan, error) {
	p := NewPlan{CaseID: caseID, Travellers: form["traveller"]}
	for n := 1; n <= MaxLegs; n++ {
		s := strconv.Itoa(n)
		l := Leg{From: form.Get("from_" + s), To: form.Get("to_" + s), Start: form.Get("start_" + s), End: form.Get("end_" + s),
			Guide: form.Get("guide_" + s), Codeword: form.Get("codeword_" + s), Notes: form.Get("notes_" + s)}
		if l == (Leg{}) {
			continue
		}
		p.Legs = append(p.Legs, l)
	}
	if len(form["traveller"]) > MaxTravellers {
		return NewPlan{}, &FieldError{"travellers", "are too many"}
	}
	if err := p.Clean(); err != nil {
		return NewPlan{}, err
	}
	return p, nil
}

// legRecord is the sealed form of a leg: the leg and the Zawgyi originals
// of the fields that were converted.
type legRecord struct {
	Leg
	Originals map[string]string `json:"originals,omitempty"`
}

func openLeg(raw []byte) (legRecord, error) {
	var r legRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return legRecord{}, fmt.Errorf("passage: damaged leg record: %w", err)
	}
	return r, nil
}
