package web

import (
	"net/url"

	"embrace/internal/casework"
)

// personFields are the red text fields of a person form, in the order the
// form shows them; each is a form field of the same name.
var personFields = []string{"name_my", "name_latin", "aliases", "dob", "nrc", "service_number", "rank", "unit", "phone", "place", "relocation_needs"}

// personText returns a pointer to p's red text field named f.
func personText(p *casework.Person, f string) *string {
	switch f {
	case "name_my":
		return &p.NameMy
	case "name_latin":
		return &p.NameLatin
	case "aliases":
		return &p.Aliases
	case "dob":
		return &p.DateOfBirth
	case "nrc":
		return &p.NRC
	case "service_number":
		return &p.ServiceNumber
	case "rank":
		return &p.Rank
	case "unit":
		return &p.Unit
	case "phone":
		return &p.Phone
	case "place":
		return &p.Place
	case "relocation_needs":
		return &p.RelocationNeeds
	}
	return nil
}

// personFromForm reads a person from a submitted form. It only copies:
// every check (known relation, risk, lengths, the Myanmar text boundary)
// is casework's, so the form and the API refuse the same things with the
// same field named. A field given twice is refused here, since which copy
// was meant cannot be known.
func personFromForm(form url.Values) (casework.Person, string) {
	var p casework.Person
	for _, f := range append([]string{"relation", "risk", "relocation", "still_inside"}, personFields...) {
		if len(form[f]) > 1 {
			return casework.Person{}, f
		}
	}
	p.Relation, p.Risk, p.Relocation = form.Get("relation"), form.Get("risk"), form.Get("relocation")
	switch form.Get("still_inside") {
	case "", "0":
	case "1":
		p.StillInside = true
	default:
		return casework.Person{}, "still_inside"
	}
	for _, f := range personFields {
		*personText(&p, f) = form.Get(f)
	}
	return p, ""
}

// personForm writes p as the form personFromForm reads.
func personForm(p casework.Person) url.Values {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("relation", p.Relation)
	set("risk", p.Risk)
	set("relocation", p.Relocation)
	if p.StillInside {
		v.Set("still_inside", "1")
	}
	for _, f := range personFields {
		set(f, *personText(&p, f))
	}
	return v
}
