package synth

import (
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"
)

// DefaultTotal is the size of the demo data set: about the number of
// soldiers and police who had defected by January 2023.
const DefaultTotal = 10000

// Sexes, in Defector.Sex and Relative.Sex.
const (
	SexMale   = "male"
	SexFemale = "female"
)

// Channels through which a first contact arrives, in Defector.Channel.
const (
	ChannelWeb      = "web"
	ChannelPhone    = "phone"
	ChannelFacebook = "facebook"
	ChannelTelegram = "telegram"
	ChannelSignal   = "signal"
)

// Relationships, in Relative.Relationship.
const (
	RelSpouse   = "spouse"
	RelSon      = "son"
	RelDaughter = "daughter"
	RelFather   = "father"
	RelMother   = "mother"
	RelBrother  = "brother"
	RelSister   = "sister"
)

// Risk levels of a relative, in Relative.Risk.
const (
	RiskLow    = "low"
	RiskMedium = "medium"
	RiskHigh   = "high"
)

// Defector is one synthetic first contact: a soldier or police officer who
// wants to leave, with family and first message. Everything in it is
// invented, but shaped like red data (names, NRC, service number, phone,
// family, message), so callers must treat it exactly as they treat real red
// data: String and LogValue show only green fields.
type Defector struct {
	// Index is the record's number, 0 ≤ Index < total, in contact order.
	Index int
	// OriginalIndex is Index for a first contact; for a repeat contact by
	// someone already on file (a duplicate the network must detect), it is
	// the index of that earlier record. See IsDuplicate.
	OriginalIndex int

	Service     string // ServiceArmy, ServiceNavy, ServiceAirForce or ServicePolice
	RankEnglish string // e.g. "Captain", "Police Sergeant", "Able Seaman"
	RankBurmese string // e.g. "ဗိုလ်ကြီး", "ရဲတပ်ကြပ်ကြီး"
	RankBand    string // BandEnlisted, BandNCO, BandJuniorOfficer or BandFieldOfficer
	Unit        string // e.g. "LIB 345", "IB 12", "Police Battalion 5", "Hlaing Township Police Station"
	UnitBurmese string // e.g. "ခမရ ၃၄၅"

	// Home state or region and township: where the family lives and where
	// the NRC was issued; the unit may be elsewhere. RegionCode is the
	// state pcode of places.csv (e.g. "MMR013"), TownshipCode its township
	// pcode.
	RegionCode      string
	RegionEnglish   string
	RegionBurmese   string
	TownshipCode    string
	TownshipEnglish string
	TownshipBurmese string

	Sex         string // SexMale or SexFemale
	NameBurmese string // Burmese script, syllables run together, no honorific
	NameLatin   string // romanised, one token per Burmese syllable; spellings vary
	// Alias is an optional name the person goes by, with honorific
	// ("Ko Htet", "Bo Min"); AliasBurmese is the same in Burmese. Both are
	// empty when there is none.
	Alias        string
	AliasBurmese string
	DateOfBirth  string // "YYYY-MM-DD"; 18–55 years old at first contact

	// NRC is the National Registration Card number in Latin letters,
	// "12/OuKaMa(N)123456"; NRCBurmese the same card as printed,
	// "၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆". Both empty for the few who give none.
	NRC           string
	NRCBurmese    string
	ServiceNumber string // "BC-23456" for armed-forces officers, digits for other ranks, "PO-12345" for police officers
	Phone         string // "09" and 7–9 digits

	Contacted   time.Time // date of first contact, 00:00 UTC
	WithArms    bool      // leaves with a weapon (a reward applies)
	WithVehicle bool      // leaves with a vehicle (a reward applies)
	Family      Family

	Message         string // first message, as typed
	MessageLanguage string // "my" or "en"
	Channel         string // ChannelWeb, ChannelPhone, ChannelFacebook, ChannelTelegram or ChannelSignal
}

// IsDuplicate reports whether the record is a repeat contact by the person
// of record OriginalIndex.
func (d Defector) IsDuplicate() bool { return d.OriginalIndex != d.Index }

// String shows only the record's green fields, so a stray %v in a log line
// cannot print its red data.
func (d Defector) String() string {
	return fmt.Sprintf("synth.Defector{#%d %s %s %s %s}", d.Index, d.Service, d.RankBand, d.RegionCode, d.Contacted.Format("2006-01"))
}

// LogValue implements slog.LogValuer with the record's green fields only.
func (d Defector) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("index", d.Index),
		slog.String("service", d.Service),
		slog.String("rank_band", d.RankBand),
		slog.String("region", d.RegionCode),
		slog.String("month", d.Contacted.Format("2006-01")),
	)
}

// Relative is a family member of a defector. Those still inside Myanmar risk
// retaliation; Risk is the network's first estimate of that risk.
type Relative struct {
	Relationship string // RelSpouse, RelSon, RelDaughter, RelFather, RelMother, RelBrother or RelSister
	Sex          string
	NameBurmese  string
	NameLatin    string
	Age          int
	StillInside  bool   // still in regime-controlled Myanmar
	Risk         string // RiskLow, RiskMedium or RiskHigh
}

// Family is a defector's declared relatives. It logs as a count only: slog
// does not ask the elements of a slice for their LogValue.
type Family []Relative

// String shows the number of relatives only.
func (f Family) String() string { return "[" + strconv.Itoa(len(f)) + " relatives, redacted]" }

// LogValue implements slog.LogValuer with the number of relatives only.
func (f Family) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("relatives", len(f)))
}

// String hides the relative's red data.
func (Relative) String() string { return "[redacted]" }

// LogValue implements slog.LogValuer and hides the relative's red data.
func (Relative) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Generator produces the synthetic records of one data set: total records
// for one seed. It is immutable after New and safe for concurrent use.
type Generator struct {
	seed  uint64
	salt  uint64
	total int

	regions    []region
	regionEnds []int
	regionPerm permutation

	rankEnds []int
	rankPerm permutation

	monthEnds []int

	navalBases, airBases []township
}

// New returns the generator of a data set of total records for seed.
//
// The total is part of the data set, not just a count to stop at: the month
// curve, the service and rank quotas and the regional spread are exact for
// it (see the package documentation), so Defector(i) for a given seed also
// depends on total. It panics if total is negative.
func New(seed uint64, total int) *Generator {
	if total < 0 {
		panic("synth: negative total " + strconv.Itoa(total))
	}
	regions, err := loadRegions()
	if err != nil {
		panic(err)
	}
	g := &Generator{seed: seed, salt: mix64(seed ^ 0x5eed5eed5eed5eed), total: total, regions: regions}

	weights := make([]int, len(regions))
	for k := range regions {
		weights[k] = regions[k].weight
	}
	g.regionEnds = cumulative(apportion(total, weights))
	g.regionPerm = newPermutation(total, g.salt^1)
	g.rankEnds = cumulative(rankCounts(total))
	g.rankPerm = newPermutation(total, g.salt^2)
	months := Plan(total)
	counts := make([]int, len(months))
	for k, m := range months {
		counts[k] = m.Count
	}
	g.monthEnds = cumulative(counts)

	find := func(names []string) []township {
		var out []township
		for _, n := range names {
			for k := range g.regions {
				if t, ok := g.regions[k].townshipByName(n); ok {
					out = append(out, t)
					break
				}
			}
		}
		if len(out) != len(names) {
			panic("synth: a base town is missing from places.csv")
		}
		return out
	}
	g.navalBases = find(navalBases)
	g.airBases = find(airBases)
	return g
}

// Seed returns the generator's seed.
func (g *Generator) Seed() uint64 { return g.seed }

// Total returns the number of records in the data set.
func (g *Generator) Total() int { return g.total }

// All yields every record in index order.
func (g *Generator) All() iter.Seq2[int, Defector] {
	return func(yield func(int, Defector) bool) {
		for i := 0; i < g.total; i++ {
			if !yield(i, g.Defector(i)) {
				return
			}
		}
	}
}

// Defector returns record i (0 ≤ i < Total()). The record depends only on
// the seed, the total and i: the same i gives the same record whatever was
// generated before, in whatever order or goroutine. Records are numbered in
// contact order. It panics if i is out of range, like an index expression.
func (g *Generator) Defector(i int) Defector {
	if i < 0 || i >= g.total {
		panic(fmt.Sprintf("synth: record %d out of range [0,%d)", i, g.total))
	}
	cell := cellOf(g.rankEnds, int(g.rankPerm.forward(uint64(i))))
	r := g.rng(i, streamContact)
	if j, ok := g.originalOf(i, cell); ok {
		d, nm := g.identity(j, cell)
		d.Index = i
		// The same person, written down again: a spelling of the name
		// chosen afresh and, half the time, another phone.
		d.NameLatin = nm.latin(r, 50)
		if r.IntN(2) == 0 {
			d.Phone = phone(r)
		}
		g.contact(&d, r)
		return d
	}
	d, _ := g.identity(i, cell)
	g.contact(&d, r)
	return d
}

// Per-record random streams: identity fields (shared with the record's
// duplicates) and contact fields (the record's own).
const (
	streamIdentity = iota
	streamContact
)

func (g *Generator) rng(i int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed, g.salt^mix64(uint64(i)<<2|stream)))
}

// duplicatePerMille is how many records in 1,000 are drawn as repeat
// contacts (a few of the draws find no earlier record and stay first
// contacts).
const duplicatePerMille = 15

func (g *Generator) dupCoin(i int) bool {
	return mix64(g.salt^0xd1b54a32d192ed03^uint64(i))%1000 < duplicatePerMille
}

// originalOf decides whether record i (in rank cell cell) is a repeat
// contact and of which earlier record. The earlier record is drawn from the
// same rank cell, so repeats leave the service and rank counts exact; only
// enlisted and NCO cells have repeats, so rare ranks stay exact people.
func (g *Generator) originalOf(i, cell int) (int, bool) {
	rk := &rankTable[cell]
	if (rk.band != BandEnlisted && rk.band != BandNCO) || !g.dupCoin(i) {
		return 0, false
	}
	start, end := cellStart(g.rankEnds, cell), g.rankEnds[cell]
	if end-start < 2 {
		return 0, false
	}
	h := g.salt ^ uint64(i)
	for range 8 {
		h = mix64(h)
		j := int(g.rankPerm.inverse(uint64(start + int(h%uint64(end-start)))))
		if j < i && !g.dupCoin(j) {
			return j, true
		}
	}
	return 0, false
}

// contacted is record i's contact date: its month comes from Plan, and
// within the month the records spread evenly from a seed-dependent offset,
// so dates never decrease with the index.
func (g *Generator) contacted(i int) time.Time {
	m := cellOf(g.monthEnds, i)
	start := cellStart(g.monthEnds, m)
	n := g.monthEnds[m] - start
	month := firstMonth.AddDate(0, m, 0)
	days := month.AddDate(0, 1, -1).Day()
	u := float64(mix64(g.salt^0xa0761d6478bd642f^uint64(m))>>11) / (1 << 53)
	day := int((float64(i-start) + u) * float64(days) / float64(n))
	return month.AddDate(0, 0, min(day, days-1))
}

// Shares per 1,000 by service: women; leaving with arms (armed-forces
// officers and police officers mostly carry a pistol at most); leaving with
// a vehicle.
func femalePerMille(service string) int {
	switch service {
	case ServiceArmy:
		return 10
	case ServicePolice:
		return 70
	}
	return 25
}

func armsPerMille(rk *rank) int {
	switch rk.service {
	case ServiceArmy:
		if rk.officer() {
			return 150
		}
		return 200
	case ServiceNavy:
		return 60
	case ServiceAirForce:
		return 50
	}
	if rk.officer() {
		return 70
	}
	return 90
}

func vehiclePerMille(service string) int {
	switch service {
	case ServiceArmy:
		return 25
	case ServicePolice:
		return 12
	}
	return 10
}

// identity builds the person of record i (whose rank cell is cell): every
// field except the contact ones, which contact fills.
func (g *Generator) identity(i, cell int) (Defector, name) {
	r := g.rng(i, streamIdentity)
	rk := &rankTable[cell]
	rg := &g.regions[cellOf(g.regionEnds, int(g.regionPerm.forward(uint64(i))))]
	tw := rg.townships[r.IntN(len(rg.townships))]

	d := Defector{
		Index:           i,
		OriginalIndex:   i,
		Service:         rk.service,
		RankEnglish:     rk.english,
		RankBurmese:     rk.burmese,
		RankBand:        rk.band,
		RegionCode:      rg.code,
		RegionEnglish:   rg.english,
		RegionBurmese:   rg.burmese,
		TownshipCode:    tw.code,
		TownshipEnglish: tw.english,
		TownshipBurmese: tw.burmese,
		Sex:             SexMale,
	}
	female := r.IntN(1000) < femalePerMille(rk.service)
	if female {
		d.Sex = SexFemale
	}
	// Ages bunch towards the middle of the rank's range.
	span := rk.maxAge - rk.minAge + 1
	age := rk.minAge + (r.IntN(span)+r.IntN(span))/2
	d.DateOfBirth = g.contacted(i).AddDate(-age, 0, -r.IntN(365)).Format(time.DateOnly)

	nm := newName(r, female, rg.english)
	d.NameBurmese = nm.burmese()
	d.NameLatin = nm.latin(r, 15)
	if r.IntN(100) < 20 {
		d.AliasBurmese, d.Alias = alias(r, nm, female, rk.officer(), age)
	}
	d.Unit, d.UnitBurmese = g.unit(r, rk, tw)
	if r.IntN(100) < 95 {
		d.NRC, d.NRCBurmese = nrc(r, rg, tw)
	}
	d.ServiceNumber = serviceNumber(r, rk, age)
	d.Phone = phone(r)
	d.WithArms = r.IntN(1000) < armsPerMille(rk)
	d.WithVehicle = r.IntN(1000) < vehiclePerMille(rk.service)
	d.Family = family(r, female, age, rg.english, rk.officer() || d.WithArms)
	return d, nm
}

// nrc draws an NRC for a person from rg: usually the code of their own
// township when the sample has it, else another township of the state;
// nearly all full citizens (N), a few associate (E) or naturalised (P).
func nrc(r *rand.Rand, rg *region, tw township) (latin, burmese string) {
	code := rg.nrc[r.IntN(len(rg.nrc))]
	for _, c := range rg.nrc {
		if c.township == tw.english && r.IntN(100) < 80 {
			code = c
		}
	}
	cl, cm := "N", "နိုင်"
	switch x := r.IntN(100); {
	case x == 0:
		cl, cm = "P", "ပြု"
	case x < 3:
		cl, cm = "E", "ဧည့်"
	}
	state := strconv.Itoa(rg.nrcState)
	num := digits(r, 6)
	return state + "/" + code.latin + "(" + cl + ")" + num,
		burmeseDigits(state) + "/" + code.burmese + "(" + cm + ")" + burmeseDigits(num)
}

// family draws the relatives a defector declares: a spouse for most people
// over 30, children, sometimes parents and siblings. Most are still inside;
// the risk to those inside is higher when the defector is an officer or
// leaves with arms (exposed), and for close family.
func family(r *rand.Rand, female bool, age int, region string, exposed bool) Family {
	var fam Family
	add := func(rel string, relFemale bool, relAge int, insidePct int) {
		nm := newName(r, relFemale, region)
		sex := SexMale
		if relFemale {
			sex = SexFemale
		}
		rv := Relative{
			Relationship: rel,
			Sex:          sex,
			NameBurmese:  nm.burmese(),
			NameLatin:    nm.latin(r, 15),
			Age:          relAge,
			StillInside:  r.IntN(100) < insidePct,
			Risk:         RiskLow,
		}
		if rv.StillInside {
			near := rel == RelSpouse || rel == RelSon || rel == RelDaughter || rel == RelFather || rel == RelMother
			switch x := r.IntN(100); {
			case exposed && near && x < 70, x < 15:
				rv.Risk = RiskHigh
			case x < 85:
				rv.Risk = RiskMedium
			}
		}
		fam = append(fam, rv)
	}
	marriedPct := 80
	switch {
	case age < 22:
		marriedPct = 15
	case age < 30:
		marriedPct = 50
	}
	if r.IntN(100) < marriedPct {
		spouseAge := age - r.IntN(6)
		if female {
			spouseAge = age + r.IntN(6)
		}
		add(RelSpouse, !female, max(18, spouseAge), 55)
		if age >= 20 {
			kids := r.IntN(min((age-18)/4, 4) + 1)
			for range kids {
				daughter := r.IntN(2) == 0
				rel := RelSon
				if daughter {
					rel = RelDaughter
				}
				add(rel, daughter, r.IntN(min(age-19, 25)), 55)
			}
		}
	}
	parentPct := 55
	if age >= 40 {
		parentPct = 30
	}
	if r.IntN(100) < parentPct {
		add(RelFather, false, min(90, age+22+r.IntN(15)), 75)
	}
	if r.IntN(100) < parentPct {
		add(RelMother, true, min(88, age+19+r.IntN(15)), 75)
	}
	for range 2 {
		if r.IntN(100) < 25 {
			sister := r.IntN(2) == 0
			rel := RelBrother
			if sister {
				rel = RelSister
			}
			add(rel, sister, max(5, age+r.IntN(21)-10), 75)
		}
	}
	return fam
}

// contact fills the contact fields of d (Contacted, Channel, Message) from
// the record's own stream r. Channels moved from Facebook and the phone in
// 2021 to Telegram, Signal and the web form later, as Facebook pages were
// watched and the network's own channels became known.
func (g *Generator) contact(d *Defector, r *rand.Rand) {
	d.Contacted = g.contacted(d.Index)
	channels := [...]string{ChannelFacebook, ChannelPhone, ChannelTelegram, ChannelSignal, ChannelWeb}
	weights := [...]int{40, 25, 15, 8, 12}
	if d.Contacted.Year() >= 2022 {
		weights = [...]int{20, 15, 30, 15, 20}
	}
	x := r.IntN(100)
	for k, w := range weights {
		if x < w {
			d.Channel = channels[k]
			break
		}
		x -= w
	}
	d.Message, d.MessageLanguage = message(r, d)
}
