package synth

import (
	"bytes"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDeterministicPerRecord(t *testing.T) {
	t.Parallel()
	const n = 2000
	forward := New(42, n)
	want := make([]Defector, n)
	for i := range want {
		want[i] = forward.Defector(i)
	}
	// A fresh generator, records in reverse order, from several goroutines.
	backward := New(42, n)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := n - 1 - w; i >= 0; i -= 4 {
				if got := backward.Defector(i); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("record %d differs when generated in another order", i)
				}
			}
		})
	}
	wg.Wait()
	// The same record twice from one generator.
	if a, b := forward.Defector(1234), forward.Defector(1234); !reflect.DeepEqual(a, b) {
		t.Error("record 1234 differs between two calls")
	}
}

func TestSeedsDiffer(t *testing.T) {
	t.Parallel()
	a, b := New(1, DefaultTotal), New(2, DefaultTotal)
	same := 0
	for i := 0; i < DefaultTotal; i += 100 {
		da, db := a.Defector(i), b.Defector(i)
		if da.NameLatin == db.NameLatin && da.Phone == db.Phone && da.DateOfBirth == db.DateOfBirth {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of 100 records are the same under seeds 1 and 2", same)
	}
	if reflect.DeepEqual(Summary(1, 500), Summary(2, 500)) {
		t.Error("seeds 1 and 2 give the same distribution for 500 records")
	}
}

func TestDefectorOutOfRangePanics(t *testing.T) {
	t.Parallel()
	g := New(1, 10)
	for _, i := range []int{-1, 10, 1 << 40} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Defector(%d) of 10 did not panic", i)
				}
			}()
			g.Defector(i)
		}()
	}
}

// distribution checks the published shape for a 10,000-record data set.
func TestDistribution10000(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 20210501} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			s := Summary(seed, DefaultTotal)
			if s.Total != DefaultTotal {
				t.Fatalf("Total = %d", s.Total)
			}
			within := func(what string, got, want, tol int) {
				t.Helper()
				if got < want-tol || got > want+tol {
					t.Errorf("%s = %d, want %d ± %d", what, got, want, tol)
				}
			}
			within("soldiers", s.Military(), 3000, 150)
			within("police", s.ByService[ServicePolice], 7000, 350)
			if s.ByService[ServiceArmy] < 10*(s.ByService[ServiceNavy]+s.ByService[ServiceAirForce])/2 ||
				s.ByService[ServiceNavy] == 0 || s.ByService[ServiceAirForce] == 0 {
				t.Errorf("services = %v, want mostly army, a few navy and air force", s.ByService)
			}

			if c := s.ByRank[RankKey{ServiceArmy, "Captain"}]; c <= 100 {
				t.Errorf("captains = %d, want over 100", c)
			}
			ltCol := 0
			for k, c := range s.ByRank {
				if k.Rank == "Lieutenant Colonel" {
					ltCol += c
				}
			}
			if ltCol != 3 {
				t.Errorf("lieutenant colonels = %d, want exactly 3", ltCol)
			}
			if c := s.ByRank[RankKey{ServicePolice, "Police Major"}]; c < 1 || c > 10 {
				t.Errorf("police majors = %d, want a handful", c)
			}
			for k := range s.ByRank {
				if k.Service == ServicePolice && policeLadder(k.Rank) > policeLadder("Police Major") {
					t.Errorf("police rank %q above Police Major", k.Rank)
				}
				if k.Service == ServicePolice && policeLadder(k.Rank) < 0 {
					t.Errorf("unknown police rank %q", k.Rank)
				}
			}
			if low := s.ByBand[BandEnlisted] + s.ByBand[BandNCO]; low < 85*s.Total/100 {
				t.Errorf("enlisted and NCO = %d, want most of %d", low, s.Total)
			}
			if s.ByBand[BandGeneral] != 0 {
				t.Errorf("%d general officers, want none", s.ByBand[BandGeneral])
			}

			if len(s.ByRegion) != 15 {
				t.Errorf("%d states and regions present, want all 15: %v", len(s.ByRegion), s.ByRegion)
			}
			for _, big := range []string{"Yangon", "Mandalay", "Sagaing", "Magway", "Bago", "Ayeyarwady"} {
				for _, small := range []string{"Chin", "Kayah", "Kachin", "Kayin", "Mon", "Rakhine", "Tanintharyi", "Nay Pyi Taw"} {
					if s.ByRegion[big] <= s.ByRegion[small] {
						t.Errorf("%s (%d) not larger than %s (%d)", big, s.ByRegion[big], small, s.ByRegion[small])
					}
				}
			}

			peak := 0
			for m := time.June; m <= time.December; m++ {
				peak += s.ByMonth[fmt.Sprintf("2021-%02d", m)]
			}
			tail, tailMonths := 0, 0
			for m := time.Date(2022, time.May, 1, 0, 0, 0, 0, time.UTC); !m.After(lastMonth); m = m.AddDate(0, 1, 0) {
				tail += s.ByMonth[m.Format("2006-01")]
				tailMonths++
			}
			peakAvg, tailAvg := float64(peak)/7, float64(tail)/float64(tailMonths)
			if peakAvg <= 5*tailAvg {
				t.Errorf("Jun–Dec 2021 average %.1f not over 5× the post-April-2022 average %.1f", peakAvg, tailAvg)
			}
			if tailAvg < 5 || tailAvg > 15 {
				t.Errorf("post-April-2022 average %.1f a month, want about 10", tailAvg)
			}
			for m := range s.ByMonth {
				if m < "2021-03" || m > "2026-10" {
					t.Errorf("contact month %s outside 2021-03..2026-10", m)
				}
			}

			if pct := 100 * float64(s.WithArms) / float64(s.Total); pct < 8 || pct > 18 {
				t.Errorf("with arms %.1f%%, want 8–18%%", pct)
			}
			if pct := 100 * float64(s.WithVehicle) / float64(s.Total); pct < 0.5 || pct > 3 {
				t.Errorf("with vehicle %.1f%%, want 1–2%%", pct)
			}
			if s.Duplicates == 0 || s.Duplicates > s.Total*3/100 {
				t.Errorf("%d repeat contacts, want about 1%%", s.Duplicates)
			}
			if len(s.ByChannel) != 5 {
				t.Errorf("channels = %v, want all five", s.ByChannel)
			}
			if s.Burmese < s.Total/2 {
				t.Errorf("%d Burmese messages of %d, want most", s.Burmese, s.Total)
			}
		})
	}
}

func policeLadder(rank string) int {
	for k, r := range []string{"Police Constable", "Police Lance Corporal", "Police Corporal", "Police Sergeant",
		"Police Second Lieutenant", "Police Lieutenant", "Police Captain", "Police Major"} {
		if r == rank {
			return k
		}
	}
	return -1
}

func TestTotalsAreExact(t *testing.T) {
	t.Parallel()
	for _, total := range []int{0, 1, 2, 15, 99, 999, 1000, 4999, 10000, 12345, 100000} {
		plan := Plan(total)
		sum := 0
		for _, m := range plan {
			sum += m.Count
		}
		if sum != total {
			t.Errorf("Plan(%d) adds up to %d", total, sum)
		}
		counts := rankCounts(total)
		sum, ltCol, major := 0, 0, 0
		for k, c := range counts {
			sum += c
			switch rankTable[k].english {
			case "Lieutenant Colonel":
				ltCol = c
			case "Police Major":
				major = c
			}
		}
		if sum != total {
			t.Errorf("rankCounts(%d) adds up to %d", total, sum)
		}
		switch {
		case total >= 10000 && ltCol != 3:
			t.Errorf("total %d: %d lieutenant colonels, want 3", total, ltCol)
		case total >= 1000 && (ltCol < 1 || major < 1):
			t.Errorf("total %d: %d lieutenant colonels and %d police majors, want at least 1", total, ltCol, major)
		case ltCol > 3 || major > 5:
			t.Errorf("total %d: %d lieutenant colonels and %d police majors", total, ltCol, major)
		}
	}
	// Plan for the default total is the documented curve itself.
	for k, m := range Plan(DefaultTotal) {
		if want := monthWeights()[k]; m.Count != want {
			t.Errorf("Plan(10000) %s = %d, want %d", m.Month.Format("2006-01"), m.Count, want)
		}
	}
}

func TestSmallDataSets(t *testing.T) {
	t.Parallel()
	for _, total := range []int{0, 1, 2, 3, 50, 1000} {
		s := Summary(9, total)
		if s.Total != total {
			t.Errorf("Summary(9, %d).Total = %d", total, s.Total)
		}
		if total == 1000 && s.ByRank[RankKey{ServiceArmy, "Lieutenant Colonel"}] != 1 {
			t.Errorf("1,000 records: %d lieutenant colonels, want 1", s.ByRank[RankKey{ServiceArmy, "Lieutenant Colonel"}])
		}
	}
}

// burmeseSyllables counts syllables the usual way: a consonant or
// independent vowel starts one, unless it is stacked under another (after
// U+1039) or killed by asat (U+103A, possibly after dot below U+1037).
func burmeseSyllables(s string) int {
	rs := []rune(s)
	n := 0
	for k, c := range rs {
		if (c < 0x1000 || c > 0x102A) && c != 0x103F {
			continue
		}
		if k > 0 && rs[k-1] == 0x1039 {
			continue
		}
		next := k + 1
		if next < len(rs) && rs[next] == 0x1037 {
			next++
		}
		if next < len(rs) && rs[next] == 0x103A {
			continue
		}
		n++
	}
	return n
}

func onlyMyanmar(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c != ' ' && (c < 0x1000 || c > 0x109F) {
			return false
		}
	}
	return true
}

// storageOrdered reports whether the Myanmar text in s follows Unicode's
// storage order (UTN #11): marks come after their consonant, in the order
// medials Y R W H, E, upper vowels, lower vowels, AA, anusvara, dot below,
// asat, visarga, each at most once.
func storageOrdered(s string) bool {
	last, based := 0, false
	for _, c := range s {
		k := markOrder(c)
		if k == 0 {
			last = 0
			based = c >= 0x1000 && c <= 0x102A || c == 0x1039 || c == 0x103F
			continue
		}
		if !based || k <= last {
			return false
		}
		last = k
	}
	return true
}

func markOrder(c rune) int {
	switch c {
	case 0x103B, 0x103C, 0x103D, 0x103E:
		return int(c-0x103B) + 1
	case 0x1031:
		return 5
	case 0x102D, 0x102E, 0x1032:
		return 6
	case 0x102F, 0x1030:
		return 7
	case 0x102B, 0x102C:
		return 8
	case 0x1036:
		return 9
	case 0x1037:
		return 10
	case 0x103A:
		return 11
	case 0x1038:
		return 12
	}
	return 0
}

func TestStorageOrdered(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"အောင်": true, "သန့်": true, "ပြည့်": true, "မင်္ဂလာပါ။": true, "ကို ၁၂": true,
		"မတ်ေတာ": false, "ေမ": false, "သန့််": false, "ျမ": false, "သန့််": false, "မ ့": false,
	} {
		if got := storageOrdered(s); got != want {
			t.Errorf("storageOrdered(%q) = %v, want %v", s, got, want)
		}
	}
}

var latinName = regexp.MustCompile(`^[A-Z][a-z]*( [A-Z][a-z]*)*$`)

func checkName(t *testing.T, what, my, latin string) {
	t.Helper()
	if !onlyMyanmar(my) || !storageOrdered(my) {
		t.Errorf("%s: Burmese %q is not Myanmar script only, in storage order", what, my)
	}
	if !latinName.MatchString(latin) {
		t.Errorf("%s: Latin %q is not ASCII name tokens", what, latin)
	}
	if ns, nt := burmeseSyllables(my), len(strings.Fields(latin)); ns != nt {
		t.Errorf("%s: %q has %d syllables but %q %d tokens", what, my, ns, latin, nt)
	}
}

func TestSyllableTables(t *testing.T) {
	t.Parallel()
	var all []syllable
	all = append(all, maleSyllables...)
	all = append(all, femaleSyllables...)
	for _, ep := range ethnicPrefixes {
		all = append(all, ep.male, ep.female)
	}
	all = append(all, honKo, honMa, honU, honDaw, honBo)
	for _, s := range all {
		checkName(t, "syllable", s.my, s.latin)
		if burmeseSyllables(s.my) != 1 || strings.Contains(s.latin, " ") {
			t.Errorf("table entry %q/%q is not one syllable", s.my, s.latin)
		}
		for _, v := range s.variants {
			if !latinName.MatchString(v) || strings.Contains(v, " ") {
				t.Errorf("variant %q of %q is not one ASCII token", v, s.latin)
			}
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	g := New(3, DefaultTotal)
	variants := 0
	for i := range g.Total() {
		d := g.Defector(i)
		checkName(t, fmt.Sprint("record ", i), d.NameBurmese, d.NameLatin)
		if d.Alias != "" {
			checkName(t, fmt.Sprint("alias of ", i), d.AliasBurmese, d.Alias)
		}
		for _, rel := range d.Family {
			checkName(t, fmt.Sprint("relative of ", i), rel.NameBurmese, rel.NameLatin)
		}
		if d.IsDuplicate() && d.NameLatin != g.Defector(d.OriginalIndex).NameLatin {
			variants++
		}
	}
	if variants == 0 {
		t.Error("no repeat contact spells its name differently")
	}
}

var (
	nrcLatin   = regexp.MustCompile(`^([0-9]{1,2})/((?:[A-Z][a-z]*){3})\(([NEP])\)([0-9]{6})$`)
	phoneRE    = regexp.MustCompile(`^09[0-9]{7,9}$`)
	serviceRE  = regexp.MustCompile(`^(BC-[1-5][0-9]{4}|PO-[0-9]{5}|[0-9]{6,7})$`)
	dateOnlyRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

func TestFields(t *testing.T) {
	t.Parallel()
	g := New(5, DefaultTotal)
	start := time.Date(2021, time.March, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC)
	var prev time.Time
	for i, d := range g.All() {
		if d.Index != i {
			t.Fatalf("record %d has Index %d", i, d.Index)
		}
		if d.Contacted.Before(start) || d.Contacted.After(end) || !d.Contacted.Equal(d.Contacted.Truncate(24*time.Hour)) || d.Contacted.Location() != time.UTC {
			t.Errorf("record %d: Contacted %v", i, d.Contacted)
		}
		if d.Contacted.Before(prev) {
			t.Errorf("record %d contacted %v, before record %d (%v)", i, d.Contacted, i-1, prev)
		}
		prev = d.Contacted
		dob, err := time.Parse(time.DateOnly, d.DateOfBirth)
		if err != nil || !dateOnlyRE.MatchString(d.DateOfBirth) {
			t.Errorf("record %d: DateOfBirth %q", i, d.DateOfBirth)
		}
		if age := yearsBetween(dob, d.Contacted); age < 18 || age > 55 {
			t.Errorf("record %d: %d years old at contact", i, age)
		}
		if !phoneRE.MatchString(d.Phone) {
			t.Errorf("record %d: phone %q", i, d.Phone)
		}
		if !serviceRE.MatchString(d.ServiceNumber) {
			t.Errorf("record %d: service number %q", i, d.ServiceNumber)
		}
		officer := d.RankBand == BandJuniorOfficer || d.RankBand == BandFieldOfficer
		if officer != (strings.HasPrefix(d.ServiceNumber, "BC-") || strings.HasPrefix(d.ServiceNumber, "PO-")) {
			t.Errorf("record %d: %s %s has service number %q", i, d.Service, d.RankEnglish, d.ServiceNumber)
		}
		if d.NRC != "" {
			m := nrcLatin.FindStringSubmatch(d.NRC)
			if m == nil {
				t.Errorf("record %d: NRC %q", i, d.NRC)
			} else if wantMy := burmeseDigits(m[1]) + "/"; !strings.HasPrefix(d.NRCBurmese, wantMy) || !strings.HasSuffix(d.NRCBurmese, burmeseDigits(m[4])) {
				t.Errorf("record %d: NRC %q and %q disagree", i, d.NRC, d.NRCBurmese)
			}
		} else if d.NRCBurmese != "" {
			t.Errorf("record %d: Burmese NRC without a Latin one", i)
		}
		for _, v := range []string{d.Unit, d.RegionCode, d.RegionEnglish, d.TownshipCode, d.TownshipEnglish, d.Message} {
			if v == "" {
				t.Fatalf("record %d has an empty field: %#v", i, d)
			}
		}
		burmese := []string{d.RankBurmese, d.UnitBurmese, d.RegionBurmese, d.TownshipBurmese}
		if d.NRCBurmese != "" {
			burmese = append(burmese, d.NRCBurmese)
		}
		if d.MessageLanguage == "my" {
			burmese = append(burmese, d.Message)
		}
		for _, v := range burmese {
			if !utf8.ValidString(v) || !storageOrdered(v) || !strings.ContainsFunc(v, func(c rune) bool { return c >= 0x1000 && c <= 0x109F }) {
				t.Errorf("record %d: %q is not Burmese", i, v)
			}
		}
		if d.MessageLanguage != "my" && d.MessageLanguage != "en" {
			t.Errorf("record %d: message language %q", i, d.MessageLanguage)
		}
		switch d.Channel {
		case ChannelWeb, ChannelPhone, ChannelFacebook, ChannelTelegram, ChannelSignal:
		default:
			t.Errorf("record %d: channel %q", i, d.Channel)
		}
		for _, rel := range d.Family {
			switch rel.Relationship {
			case RelSpouse, RelSon, RelDaughter, RelFather, RelMother, RelBrother, RelSister:
			default:
				t.Errorf("record %d: relationship %q", i, rel.Relationship)
			}
			switch {
			case rel.Age < 0 || rel.Age > 95:
				t.Errorf("record %d: relative aged %d", i, rel.Age)
			case rel.Risk != RiskLow && rel.Risk != RiskMedium && rel.Risk != RiskHigh:
				t.Errorf("record %d: risk %q", i, rel.Risk)
			case !rel.StillInside && rel.Risk != RiskLow:
				t.Errorf("record %d: relative outside at %s risk", i, rel.Risk)
			}
		}
	}
}

func yearsBetween(a, b time.Time) int {
	y := b.Year() - a.Year()
	if b.YearDay() < a.YearDay() {
		y--
	}
	return y
}

func TestRepeatContacts(t *testing.T) {
	t.Parallel()
	g := New(11, DefaultTotal)
	n := 0
	for i, d := range g.All() {
		if !d.IsDuplicate() {
			continue
		}
		n++
		o := g.Defector(d.OriginalIndex)
		if d.OriginalIndex >= i || o.IsDuplicate() {
			t.Errorf("record %d repeats record %d (a repeat: %v)", i, d.OriginalIndex, o.IsDuplicate())
		}
		if d.NameBurmese != o.NameBurmese || d.DateOfBirth != o.DateOfBirth || d.NRC != o.NRC ||
			d.ServiceNumber != o.ServiceNumber || d.Service != o.Service || d.RankEnglish != o.RankEnglish ||
			d.TownshipCode != o.TownshipCode || !reflect.DeepEqual(d.Family, o.Family) {
			t.Errorf("record %d is not the same person as record %d", i, d.OriginalIndex)
		}
		if d.Contacted.Before(o.Contacted) {
			t.Errorf("record %d contacted before the record it repeats", i)
		}
	}
	if n == 0 {
		t.Error("no repeat contacts")
	}
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	d := New(1, 100).Defector(7)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("x", "defector", d, "family", d.Family)
	fmt.Fprintf(&buf, "%v %s %+v", d, d, d)
	for _, rel := range d.Family {
		fmt.Fprintf(&buf, "%v", rel)
	}
	out := buf.String()
	red := []string{d.NameBurmese, d.NameLatin, d.Phone, d.ServiceNumber, d.DateOfBirth, d.TownshipEnglish, d.Message}
	if d.NRC != "" {
		red = append(red, d.NRC)
	}
	for _, rel := range d.Family {
		red = append(red, rel.NameLatin, rel.NameBurmese)
	}
	for _, v := range red {
		if strings.Contains(out, v) {
			t.Errorf("output shows red value %q:\n%s", v, out)
		}
	}
	if !strings.Contains(out, d.RegionCode) {
		t.Errorf("output lacks the green region code:\n%s", out)
	}
}

func TestPermutation(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 4, 5, 16, 17, 1000, 4097, 10000} {
		p := newPermutation(n, uint64(n)*7919)
		seen := make([]bool, n)
		for x := range n {
			y := p.forward(uint64(x))
			if y >= uint64(n) || seen[y] {
				t.Fatalf("n=%d: forward(%d) = %d repeats or is out of range", n, x, y)
			}
			seen[y] = true
			if back := p.inverse(y); back != uint64(x) {
				t.Fatalf("n=%d: inverse(forward(%d)) = %d", n, x, back)
			}
		}
	}
}

func TestApportion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n       int
		weights []int
		want    []int
	}{
		{0, []int{1, 2}, []int{0, 0}},
		{10, []int{1, 1, 1}, []int{4, 3, 3}},
		{7, []int{5, 0, 5}, []int{4, 0, 3}},
		{100, []int{3, 97}, []int{3, 97}},
		{1, []int{1, 3}, []int{0, 1}},
	}
	for _, tc := range tests {
		if got := apportion(tc.n, tc.weights); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", tc.n, tc.weights, got, tc.want)
		}
	}
}

func TestPlaces(t *testing.T) {
	t.Parallel()
	regions, err := loadRegions()
	if err != nil {
		t.Fatal(err)
	}
	townships := 0
	codes := map[string]bool{}
	for _, rg := range regions {
		if rg.code == "" || rg.english == "" || !onlyMyanmar(rg.burmese) {
			t.Errorf("region %+v", rg)
		}
		for _, tw := range rg.townships {
			townships++
			if tw.code == "" || tw.english == "" || codes[tw.code] || !utf8.ValidString(tw.burmese) {
				t.Errorf("township %+v in %s", tw, rg.english)
			}
			codes[tw.code] = true
		}
		for _, c := range rg.nrc {
			if _, ok := rg.townshipByName(c.township); !ok {
				t.Errorf("NRC code %s names %q, not a township of %s", c.latin, c.township, rg.english)
			}
			if caps := len(regexp.MustCompile(`[A-Z]`).FindAllString(c.latin, -1)); caps != burmeseSyllables(c.burmese) || !onlyMyanmar(c.burmese) {
				t.Errorf("NRC code %s and %s disagree", c.latin, c.burmese)
			}
		}
	}
	if len(regions) != 15 || townships != 413 {
		t.Errorf("%d regions and %d townships, want 15 and 413", len(regions), townships)
	}
}

func TestShelters(t *testing.T) {
	t.Parallel()
	if MonthlyStipendTHB != 1000 {
		t.Errorf("stipend = %d THB", MonthlyStipendTHB)
	}
	sh := Shelters()
	maeSot, inside := 0, 0
	codes := map[string]bool{}
	for _, s := range sh {
		if codes[s.Code] || s.Name == "" || !onlyMyanmar(s.NameBurmese) || !strings.Contains(s.Address, "(fictional)") {
			t.Errorf("shelter %+v", s)
		}
		codes[s.Code] = true
		switch {
		case s.Town == "Mae Sot" && s.Country == "TH":
			maeSot++
			if s.Capacity < 8 || s.Capacity > 14 {
				t.Errorf("Mae Sot house %s holds %d, want about 10", s.Code, s.Capacity)
			}
		case s.Country == "MM" && strings.HasPrefix(s.Area, "liberated area"):
			inside++
		default:
			t.Errorf("shelter %s is neither in Mae Sot nor in a liberated area", s.Code)
		}
	}
	if maeSot < 5 || inside < 2 {
		t.Errorf("%d Mae Sot houses and %d elsewhere", maeSot, inside)
	}
	sh[0].Name = "changed"
	if Shelters()[0].Name == "changed" {
		t.Error("Shelters shares its slice between calls")
	}
}

func BenchmarkDefector(b *testing.B) {
	g := New(1, 100000)
	i := 0
	for b.Loop() {
		g.Defector(i % 100000)
		i++
	}
}

// BenchmarkGenerate100k generates a whole 100,000-record data set per
// iteration, as `embrace seed` would.
func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		g := New(1, 100000)
		for i := range g.Total() {
			g.Defector(i)
		}
	}
}
